"""The four-eyes and location pages: the proposer cannot approve (no button, POST refused), a
second manager can; proposing from a location or a case; the location's one history."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.models import Decision, EnforcementTrack, Location, Proposal
from tests.opgroeipunt.test_decisions import KNOWN, make_case, make_location, propose, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(make_user: Callable[..., User]) -> User:
    return make_user("childcare_customer_manager", "anna")


@pytest.fixture
def bert(make_user: Callable[..., User]) -> User:
    return make_user("opgroeipunt_team_lead", "bert")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_proposer_sees_why_and_a_post_is_refused(anna: User, bert: User) -> None:
    location = make_location()
    proposal = propose(anna, "warning", location=location)
    url = reverse("opgroeipunt:proposal_detail", args=[proposal.pk])
    client = client_for(anna)
    page = client.get(url).content.decode()
    assert 'value="approve"' not in page
    assert "Je kunt je eigen voorstel niet goedkeuren" in page
    response = client.post(url, {"action": "approve"})
    assert response.status_code == 403
    assert "Je kunt je eigen voorstel niet goedkeuren" in response.content.decode()
    response = client.post(url, {"action": "reject", "reason": "Ik trek het in."})
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert not Decision.objects.exists()


def test_a_second_manager_approves_on_the_page_and_the_state_changes(
    anna: User, bert: User
) -> None:
    location = make_location()
    proposal = propose(anna, "warning", location=location)
    url = reverse("opgroeipunt:proposal_detail", args=[proposal.pk])
    client = client_for(bert)
    assert 'value="approve"' in client.get(url).content.decode()
    response = client.post(url, {"action": "approve"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("approved", bert)
    assert EnforcementTrack.objects.get(location=location).state == "warning"
    again = client.post(url, {"action": "approve"})
    assert again.status_code == 409
    detail = client.get(reverse("opgroeipunt:location_detail", args=[location.external_id]))
    assert 'data-enforcement-state="warning"' in detail.content.decode()
    actions = set(
        AuditEvent.objects.filter(object_type="opgroeipunt_proposal").values_list(
            "actor__username", "action"
        )
    )
    assert actions == {("anna", "create"), ("bert", "change")}


def test_a_rejection_needs_a_reason_and_shows_in_my_proposals(anna: User, bert: User) -> None:
    proposal = propose(anna, "enforcement_started", location=make_location())
    url = reverse("opgroeipunt:proposal_detail", args=[proposal.pk])
    client = client_for(bert)
    assert client.post(url, {"action": "reject", "reason": ""}).status_code == 400
    assert client.post(url, {"action": "reject", "reason": "Verslag ontbreekt."}).status_code == 302
    mine = client_for(anna).get(reverse("opgroeipunt:proposals") + "?tab=mine")
    text = mine.content.decode()
    assert "Verslag ontbreekt." in text
    assert "Afgewezen" in text


def test_the_queue_is_oldest_first(anna: User, bert: User) -> None:
    first = propose(anna, "enforcement_started", location=make_location("A"))
    second = propose(bert, "warning", location=make_location("B"))
    page = client_for(anna).get(reverse("opgroeipunt:proposals")).content.decode()
    assert page.index(f"#{first.pk}<") < page.index(f"#{second.pk}<")


def test_propose_from_a_location_offers_only_allowed_steps(anna: User, bert: User) -> None:
    location = make_location()
    url = reverse("opgroeipunt:proposal_new") + f"?location={location.external_id}"
    client = client_for(anna)
    page = client.get(url).content.decode()
    assert 'value="enforcement_started"' in page
    assert 'value="suspension"' not in page  # not from "none"
    response = client.post(url, {"kind": "suspension", "motivation": "Te gevaarlijk."})
    assert response.status_code == 400
    assert not Proposal.objects.exists()
    response = client.post(url, {"kind": "warning", "motivation": "Ernstige vaststelling."})
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.location, proposal.proposed_by) == ("warning", location, anna)


def test_propose_a_suspension_with_its_end(anna: User, bert: User) -> None:
    location = make_location()
    step(location, "warning", anna, bert)
    url = reverse("opgroeipunt:proposal_new") + f"?location={location.external_id}"
    response = client_for(anna).post(
        url,
        {
            "kind": "suspension",
            "motivation": "Kinderen in gevaar.",
            "effective_from": "2026-01-05",
            "effective_until": "2025-12-01",
        },
    )
    assert response.status_code == 400
    assert "Geldig tot" in response.content.decode()
    assert not Proposal.objects.filter(kind="suspension").exists()


def test_propose_on_a_case_lists_what_is_not_possible(anna: User) -> None:
    case = make_case("complaint")
    url = reverse("opgroeipunt:proposal_new") + f"?case={case.pk}"
    page = client_for(anna).get(url).content.decode()
    assert 'value="not_admissible"' in page
    assert 'value="admissible"' not in page
    assert "gekende klager" in page
    response = client_for(anna).post(
        url, {"kind": "not_admissible", "motivation": "Feiten van 2019.", "reason": ""}
    )
    assert response.status_code == 400
    known = make_case("complaint", reporter=KNOWN)
    url = reverse("opgroeipunt:proposal_new") + f"?case={known.pk}"
    response = client_for(anna).post(url, {"kind": "admissible", "motivation": "Gekende klager."})
    assert response.status_code == 302
    assert Proposal.objects.get().case == known


@pytest.mark.parametrize("query", ["?case=abc", "?case=999999", "?location=NOPE"])
def test_an_unknown_subject_is_404(anna: User, query: str) -> None:
    response = client_for(anna).get(reverse("opgroeipunt:proposal_new") + query)
    assert response.status_code == 404


def test_the_location_list_searches_and_shows_the_state(anna: User, bert: User) -> None:
    nest = make_location("N1", name="Het Nestje")
    make_location("R1", name="De Rups", postcode="2000", province="BE-VAN")
    step(nest, "enforcement_started", anna, bert)
    client = client_for(anna)
    url = reverse("opgroeipunt:locations")
    page = client.get(url + "?q=nestje").content.decode()
    assert "Het Nestje" in page
    assert "De Rups" not in page
    assert "Verbetertraject" in page
    page = client.get(url + "?state=none").content.decode()
    assert "De Rups" in page
    assert "Het Nestje" not in page
    page = client.get(url + "?province=BE-VAN").content.decode()
    assert "De Rups" in page
    assert "Het Nestje" not in page


def test_the_location_page_shows_its_whole_history(anna: User, bert: User) -> None:
    location = make_location()
    case = make_case("danger", urgent=True)
    case.locations.add(location)
    step(location, "warning", anna, bert)
    until = "2099-01-01"
    rejected = propose(anna, "intention", location=location)
    from kglijn.opgroeipunt.decisions.services import proposal_reject

    proposal_reject(proposal_id=rejected.pk, rejecter=bert, reason="Eerst hoorzitting plannen.")
    location.refresh_from_db()
    page = client_for(anna).get(reverse("opgroeipunt:location_detail", args=[location.external_id]))
    text = page.content.decode()
    assert f"OP-{case.pk}" in text
    assert "Aanmaning" in text
    assert "Eerst hoorzitting plannen." in text
    assert "geopend" in text
    assert until not in text
    assert "?location=LOC1&amp;kind=intention" in text  # a step allowed from "warning"
    assert "kind=enforcement_started" not in text


@pytest.mark.parametrize("role", ["front_office", "childcare_handler", "team_lead", "analyst"])
def test_kg_lijn_roles_are_refused(make_user: Callable[..., User], role: str) -> None:
    location = make_location()
    client = client_for(make_user(role))
    for url in (
        reverse("opgroeipunt:proposals"),
        reverse("opgroeipunt:locations"),
        reverse("opgroeipunt:location_detail", args=[location.external_id]),
        reverse("opgroeipunt:proposal_new") + f"?location={location.external_id}",
    ):
        assert client.get(url).status_code == 403, url
    assert Location.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/opgroeipunt/voorstellen/99999999999999999999999999/",
        "/opgroeipunt/voorstellen/nieuw/?case=99999999999999999999999",
        "/opgroeipunt/locaties/%00/",
        "/opgroeipunt/locaties/" + "x" * 500 + "/",
        "/opgroeipunt/voorstellen/nieuw/?location=%00",
    ],
)
def test_hostile_urls_are_not_found_not_500(anna: User, url: str) -> None:
    assert client_for(anna).get(url).status_code == 404


@pytest.mark.parametrize(
    "query", ["?q=%00", "?q=" + "x" * 300, "?province=XX", "?state=lost", "?page=-1"]
)
def test_hostile_location_filters_answer_a_page(anna: User, query: str) -> None:
    make_location()
    assert client_for(anna).get(reverse("opgroeipunt:locations") + query).status_code == 200
