"""The set-up form with its Dutch messages, the campaign page, the actions, the downloads."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.campaigns.models import Campaign, CampaignStatus, FrameUnit, Invitation
from kglijn.campaigns.sampling.forms import SEED_MAX
from kglijn.contacts.models import Channel
from kglijn.core.models import AuditEvent
from tests.campaigns.sampling_world import campaign_make, frame_fill, version_ready
from tests.contacts.factories import BRUSSELS, ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(make_user: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_user("team_lead", "lead"))
    return client


@pytest.fixture
def analyst(make_user: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_user("analyst", "analyst"))
    return client


def form_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Ouders 2024",
        "audience": "parents",
        "version": version_ready().pk,
        "population_kind": "upload",
        "strata_variables": "province, leeftijd",
        "design": "stratified_proportional",
        "sample_size": "100",
        "seed": "4242",
        "reminder_after_days": "7",
        "max_reminders": "2",
        "min_response_rate_pct": "30",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def errors(response: Any) -> dict[str, list[str]]:
    form = response.context["form"]
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


def test_the_new_form_shows_a_fresh_seed_and_the_list_its_button(
    lead: Client, analyst: Client
) -> None:
    response = lead.get(reverse("campaigns:campaign_new"))
    seed = response.context["form"].initial["seed"]
    assert 0 <= seed <= SEED_MAX
    assert f'value="{seed}"' in response.content.decode()
    assert "Nieuw onderzoek" in lead.get(reverse("campaigns:campaign_list")).content.decode()
    assert "Nieuw onderzoek" not in analyst.get(reverse("campaigns:campaign_list")).content.decode()
    assert analyst.get(reverse("campaigns:campaign_new")).status_code == 403


def test_a_valid_campaign_is_created_as_a_draft(lead: Client) -> None:
    response = lead.post(reverse("campaigns:campaign_new"), form_data())
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:campaign_detail", args=[campaign.pk])
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.strata_variables == ["province", "leeftijd"]
    assert campaign.seed == 4242
    assert AuditEvent.objects.filter(object_type="campaigns.campaign", action="create").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"strata_variables": ""},
            "strata_variables",
            "Een gestratificeerd design heeft minstens één stratificatievariabele nodig.",
        ),
        ({"sample_size": None}, "sample_size", "Geef de steekproefgrootte voor dit design."),
        (
            {"design": "stratified_minimum"},
            "min_per_stratum",
            "Geef het minimum per stratum.",
        ),
        (
            {"strata_variables": "email"},
            "strata_variables",
            "email is een kolom van het steekproefkader zelf, geen stratificatievariabele.",
        ),
        (
            {"population_kind": "missed_consultations"},
            "population_kind",
            "De lijst van kinderen die twee consulten misten, is nog niet beschikbaar: die komt "
            "er met de afspraken (issue 21). Kies het register of een opgeladen steekproefkader.",
        ),
        ({"seed": str(SEED_MAX + 1)}, "seed", None),
        (
            {"fieldwork_start": "2024-03-10", "fieldwork_end": "2024-03-01"},
            "fieldwork_end",
            "Het einde van het veldwerk ligt voor het begin.",
        ),
        (
            {"population_kind": "register", "strata_variables": "province"},
            "contact_from",
            "Geef de eerste dag van de contactperiode.",
        ),
    ],
)
def test_each_field_says_what_is_wrong(
    lead: Client, changes: dict[str, Any], field: str, message: str | None
) -> None:
    response = lead.post(reverse("campaigns:campaign_new"), form_data(**changes))
    assert response.status_code == 400
    assert field in errors(response)
    if message:
        assert message in errors(response)[field]
    assert not Campaign.objects.exists()


def test_the_size_checks_against_the_register_population(lead: Client) -> None:
    for i in range(5):
        customer = CustomerFactory.create(
            email=f"p{i}@example.be", province="BE-VAN" if i else "BE-VLI"
        )
        at = dt.datetime(2023, 2, 10, 10, tzinfo=BRUSSELS)
        ContactFactory.create(
            customer=customer, received_at=at, channel=Channel.PHONE, anonymous=False
        )
    register = {
        "population_kind": "register",
        "contact_from": "2023-02-01",
        "contact_to": "2023-02-28",
        "strata_variables": "province",
    }
    response = lead.post(reverse("campaigns:campaign_new"), form_data(**register, sample_size="6"))
    assert errors(response)["sample_size"] == ["De steekproef (6) is groter dan de populatie (5)."]
    response = lead.post(
        reverse("campaigns:campaign_new"),
        form_data(**register, design="stratified_minimum", sample_size="4", min_per_stratum="3"),
    )
    # min(4, 3) + min(1, 3) = 4 fits; 3 per stratum with n = 3 does not.
    assert response.status_code == 302
    response = lead.post(
        reverse("campaigns:campaign_new"),
        form_data(**register, design="stratified_minimum", sample_size="3", min_per_stratum="3"),
    )
    assert errors(response)["min_per_stratum"] == [
        "Het minimum per stratum (3) over 2 strata vraagt 4 eenheden, meer dan de steekproef (3)."
    ]


def test_draw_page_fieldwork_and_close_through_the_pages(lead: Client, analyst: Client) -> None:
    campaign = campaign_make(sample_size=4)
    frame_fill(campaign, {"BE-VAN": 6, "BE-VLI": 2})
    detail = reverse("campaigns:campaign_detail", args=[campaign.pk])
    draw = reverse("campaigns:campaign_draw", args=[campaign.pk])
    assert "Ben je zeker?" in lead.get(draw).content.decode()
    assert analyst.post(draw).status_code == 403
    assert lead.post(draw).status_code == 302
    page = lead.get(detail).content.decode()
    assert 'data-stratum="province=BE-VAN"' in page
    assert "Start het veldwerk" in page
    analyst_page = analyst.get(detail).content.decode()
    assert "data-stratum-plan" in analyst_page
    assert "populatie.csv" not in analyst_page  # no view_frame
    assert lead.post(draw).status_code == 400  # the uploaded frame's addresses are gone
    sample = lead.get(reverse("campaigns:campaign_sample", args=[campaign.pk]))
    assert sample.status_code == 200
    xlsx = lead.get(reverse("campaigns:campaign_sample_xlsx", args=[campaign.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [
        row
        for row in sheet.iter_rows(values_only=True)
        if row and row[1] in ("province=BE-VAN", "province=BE-VLI")
    ]
    assert [(row[0], row[2], row[3]) for row in values] == [("BE-VAN", 6, 3), ("BE-VLI", 2, 1)]
    response = lead.post(reverse("campaigns:campaign_fieldwork", args=[campaign.pk]))
    assert response.status_code == 302
    assert Invitation.objects.filter(campaign=campaign).count() == 4
    assert lead.get(reverse("campaigns:campaign_edit", args=[campaign.pk])).status_code == 302
    assert lead.post(reverse("campaigns:campaign_close", args=[campaign.pk])).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED


def test_the_frame_download_is_for_view_frame_and_logged(lead: Client, analyst: Client) -> None:
    campaign = campaign_make(sample_size=1)
    frame_fill(campaign, {"BE-VAN": 2})
    url = reverse("campaigns:frame_download", args=[campaign.pk])
    assert analyst.get(url).status_code == 403
    response = lead.get(url)
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "sleutel;email;telefoon;taal;province;steekproef"
    assert lines[1] == "u-BE-VAN-0000;ouder.be-van.0@example.be;0470 12 34 56;nl-be;BE-VAN;0"
    event = AuditEvent.objects.get(object_type="campaigns.campaign", object_id=campaign.pk)
    assert (event.action, event.detail) == ("view", {"event": "frame_download", "units": 2})


def test_editing_a_drawn_campaign_undoes_the_draw(lead: Client) -> None:
    campaign = campaign_make(sample_size=2)
    frame_fill(campaign, {"BE-VAN": 4})
    lead.post(reverse("campaigns:campaign_draw", args=[campaign.pk]))
    data = form_data(version=campaign.version.pk, strata_variables="province", sample_size="3")
    response = lead.post(reverse("campaigns:campaign_edit", args=[campaign.pk]), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.status, campaign.drawn_at, campaign.sample_size) == ("draft", None, 3)
    assert not FrameUnit.objects.filter(campaign=campaign).exists()
