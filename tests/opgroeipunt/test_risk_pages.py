"""Issue 18 items 3 and 4 through HTTP: the model page, the re-screening list with its filters,
the retrain button (team lead only), a re-screening proposed from the list through the four
eyes (duplicates refused), and the risk panel on the location page (view_risk only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kglijn.opgroeipunt.decisions.services import FourEyesRefused, proposal_approve
from kglijn.opgroeipunt.models import (
    Decision,
    EnforcementTrack,
    Location,
    Proposal,
    RiskModel,
    RiskScore,
)
from kglijn.opgroeipunt.risk.services import risk_model_train, risk_scores_compute
from tests.opgroeipunt.risk_world import build_world
from tests.opgroeipunt.test_decisions import make_location

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def scored() -> RiskModel:
    build_world(n_locations=300, seed=7)
    model = risk_model_train(snapshots=2)
    risk_scores_compute()
    return model


def test_the_model_page_shows_the_back_test_and_only_the_team_lead_may_retrain(
    scored: RiskModel, make_user: Callable[..., User]
) -> None:
    manager = client_for(make_user("childcare_customer_manager", "anna"))
    lead = client_for(make_user("opgroeipunt_team_lead", "lea"))
    page = manager.get(reverse("opgroeipunt:risk_model")).content.decode()
    assert "Terugtest op een latere periode" in page
    assert "Basislijn: aantal klachten in het voorbije jaar" in page
    assert '<svg viewBox="0 0 240 240"' in page
    assert "<circle" in page
    assert f"{scored.metrics['model']['auc']:.3f}".replace(".", ",") in page
    assert "Het model hertrainen" not in page
    assert "Het model hertrainen" in lead.get(reverse("opgroeipunt:risk_model")).content.decode()

    # A customer manager cannot retrain: 403 and nothing new.
    assert manager.post(reverse("opgroeipunt:risk_retrain")).status_code == 403
    assert RiskModel.objects.count() == 1
    # The team lead retrains (the task runs at once under the immediate backend).
    response = lead.post(reverse("opgroeipunt:risk_retrain"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("opgroeipunt:risk_model")
    assert RiskModel.objects.count() == 2
    new = RiskModel.objects.get(active=True)
    assert new.pk != scored.pk
    assert new.trained_by is not None
    assert new.trained_by.username == "lea"
    assert set(RiskScore.objects.values_list("model_id", flat=True)) == {new.pk}


def test_the_re_screening_list_ranks_filters_and_pages(
    scored: RiskModel, make_user: Callable[..., User]
) -> None:
    client = client_for(make_user("childcare_customer_manager", "anna"))
    url = reverse("opgroeipunt:risk_list")
    page = client.get(url).content.decode()
    top = RiskScore.objects.select_related("location").get(rank=1)
    assert f'data-location="{top.location.external_id}"' in page
    assert "Herscreening voorstellen" in page
    assert "Herscreening voorgesteld op basis van de risicoanalyse" in page  # the prefill
    assert "300 locaties" in page
    assert "Pagina 1 van 6" in page
    # Filters: province and team; band high is the top 5 % (15 of 300).
    page = client.get(url, {"province": "BE-VLI"}).content.decode()
    shown = Location.objects.filter(province="BE-VLI").count()
    assert f"{shown} locaties" in page
    assert page.count("data-location=") == min(shown, 50)
    team = Location.objects.filter(regional_team__isnull=False).first()
    assert team is not None
    assert team.regional_team is not None
    page = client.get(url, {"regional_team": team.regional_team_id, "band": "high"}).content
    rows = RiskScore.objects.filter(
        band="high", location__regional_team_id=team.regional_team_id
    ).count()
    assert page.decode().count("data-location=") == rows
    assert RiskScore.objects.filter(band="high").count() == 15
    # A bad filter value is ignored (the whole list), never a 500.
    assert client.get(url, {"regional_team": "x", "page": "999"}).status_code == 200


def test_a_re_screening_is_a_four_eyes_proposal_and_a_duplicate_is_refused(
    make_user: Callable[..., User],
) -> None:
    anna = make_user("childcare_customer_manager", "anna")
    bert = make_user("childcare_customer_manager", "bert")
    location = make_location()
    url = reverse("opgroeipunt:risk_rescreen", args=[location.external_id])
    client = client_for(anna)

    # No motivation: refused, nothing written.
    client.post(url, {"motivation": "  "})
    assert not Proposal.objects.exists()

    response = client.post(url, {"motivation": "Hoog risico: personeelstekort."})
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("opgroeipunt:proposal_detail", args=[proposal.pk])
    assert (proposal.kind, proposal.location, proposal.proposed_by, proposal.status) == (
        "rescreening",
        location,
        anna,
        "proposed",
    )
    detail = client.get(response["Location"]).content.decode()
    assert "Herscreening van de locatie" in detail
    assert "personeelstekort" in detail
    # The same location again while one waits: refused with the reason.
    response = client.post(url, {"motivation": "Nog eens."}, follow=True)
    assert Proposal.objects.count() == 1
    assert "wacht al op goedkeuring" in response.content.decode() or (
        "already waiting" in response.content.decode()
    )
    # The proposer cannot approve; another manager can, and enforcement is untouched.
    with translation.override("en"), pytest.raises(FourEyesRefused):
        proposal_approve(proposal_id=proposal.pk, approver=anna)
    decision = proposal_approve(proposal_id=proposal.pk, approver=bert)
    assert (decision.kind, decision.location, decision.approved_by, decision.track) == (
        "rescreening",
        location,
        bert,
        None,
    )
    assert not EnforcementTrack.objects.exists()
    assert Decision.objects.count() == 1
    # Inactive locations are not re-screened; an unknown one is a 404.
    closed = make_location("LOC2", active=False)
    client.post(
        reverse("opgroeipunt:risk_rescreen", args=[closed.external_id]), {"motivation": "x"}
    )
    assert Proposal.objects.count() == 1
    assert (
        client.post(
            reverse("opgroeipunt:risk_rescreen", args=["NOPE"]), {"motivation": "x"}
        ).status_code
        == 404
    )


def test_the_location_page_shows_the_risk_panel_only_with_view_risk(
    scored: RiskModel, make_user: Callable[..., User]
) -> None:
    score = RiskScore.objects.select_related("location").get(rank=1)
    url = reverse("opgroeipunt:location_detail", args=[score.location.external_id])
    page = client_for(make_user("childcare_customer_manager", "anna")).get(url).content.decode()
    assert 'id="risk-title">Risico<' in page
    assert "Factoren die het zwaarst wegen" in page
    with translation.override("nl"):
        from kglijn.opgroeipunt.risk.explain import factor_text

        assert factor_text(score.factors[0]) in page
    viewer = User.objects.create_user("viewer", password="x")
    viewer.user_permissions.add(Permission.objects.get(codename="view_location"))
    page = client_for(viewer).get(url).content.decode()
    assert "risk-title" not in page


def test_the_daily_job_is_registered_and_idle_without_a_model() -> None:
    from django.conf import settings

    from kglijn.core.worker import jobs_load
    from kglijn.opgroeipunt.risk.jobs import risk_daily

    paths = [job.path for job in jobs_load(settings.KGLIJN_WORKER_JOBS)]
    assert "kglijn.opgroeipunt.risk.jobs.risk_daily" in paths
    make_location()
    assert risk_daily(now=timezone.now()) == 0
    assert not RiskScore.objects.exists()


def test_the_cli_refuses_a_back_test_date_whose_window_is_not_complete() -> None:
    import io

    from django.core.management import CommandError, call_command

    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("opgroeipunt", "risk", "train", "--as-of", "2999-01-01")
    assert "choose a date between" in str(refused.value)
    recent = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("opgroeipunt", "risk", "train", "--as-of", recent)
    assert "6-month window is not complete" in str(refused.value)
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("opgroeipunt", "risk", "report", stdout=io.StringIO())
    assert "No active risk model" in str(refused.value)
    assert not RiskModel.objects.exists()
