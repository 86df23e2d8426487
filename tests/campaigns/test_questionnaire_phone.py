"""The phone short version: the list (phones only to enter_phone_interview, audit-logged), one
form with the short items and the overall score, mode phone, entered_by, not twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kglijn.campaigns.models import Answer, InvitationStatus, Mode, Response
from kglijn.core.models import AuditEvent
from tests.campaigns.questionnaire_world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world(units=3)


@pytest.fixture
def lead(make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("team_lead", "lead"))
    return client


def entry(world: World, n: int = 0) -> str:
    return reverse("campaigns:phone_entry", args=[world.campaign.pk, world.units[n].pk])


GOOD = {
    "telefoon-snel__satisfaction": "7",
    "telefoon-snel__importance": "9",
    "website__satisfaction": "",
    "algemeen__score": "8",
    "kanaal__choice": "geen",
    "waarom__text": "Nooit nodig gehad.",
}


def test_the_list_shows_open_units_with_phones_and_is_audited(lead: Client, world: World) -> None:
    page = lead.get(reverse("campaigns:phone_list", args=[world.campaign.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "+32 470 00 00 01" in body
    assert "K002" in body
    event = AuditEvent.objects.get(object_type="campaign_phone_list")
    assert event.action == AuditEvent.Action.VIEW
    assert len(event.detail["units"]) == 3
    found = lead.get(
        reverse("campaigns:phone_list", args=[world.campaign.pk]), {"q": "470 00 00 02"}
    )
    assert "K002" in found.content.decode()
    assert "K001" not in found.content.decode()
    found = lead.get(reverse("campaigns:phone_list", args=[world.campaign.pk]), {"q": "k001"})
    assert "K001" in found.content.decode()
    assert "K002" not in found.content.decode()
    hostile = lead.get(reverse("campaigns:phone_list", args=[world.campaign.pk]), {"q": "x" * 61})
    assert hostile.status_code == 400


def test_the_analyst_sees_no_phone_numbers(make_user: Any, world: World) -> None:
    analyst = Client()
    analyst.force_login(make_user("analyst", "analyst"))
    assert analyst.get(reverse("campaigns:phone_list", args=[world.campaign.pk])).status_code == 403
    assert analyst.get(entry(world)).status_code == 403


def test_the_form_has_only_the_short_items_and_the_overall_score(
    lead: Client, world: World
) -> None:
    body = lead.get(entry(world)).content.decode()
    for key in ("telefoon-snel", "website", "algemeen", "kanaal", "waarom"):
        assert f'id="q-{key}"' in body
    for key in ("openingsuren", "folders"):
        assert f'id="q-{key}"' not in body
    assert AuditEvent.objects.filter(
        object_type="campaign_unit", object_id=world.units[0].pk
    ).exists()


def test_a_phone_interview_is_saved_completed_with_mode_and_user(
    lead: Client, world: World
) -> None:
    page = lead.post(entry(world), GOOD)
    assert page.status_code == 302
    response = Response.objects.get()
    assert response.mode == Mode.PHONE
    assert response.entered_by is not None
    assert response.entered_by.username == "lead"
    assert response.completed_at is not None
    assert response.unit == world.units[0]
    assert response.stratum == "provincie=VAN"
    assert response.invitation is not None
    assert response.invitation.status == InvitationStatus.COMPLETED
    answers = {a.item.key: a for a in response.answers.select_related("item")}
    assert set(answers) == {"telefoon-snel", "algemeen", "kanaal", "waarom"}
    assert answers["algemeen"].score == 8
    # not twice, and the web link is dead
    again = lead.post(entry(world), GOOD, follow=True)
    assert "kan niet ingevoerd worden" in again.content.decode()
    assert Response.objects.count() == 1
    token = world.tokens[0][0]
    assert Client().get(reverse("campaigns_public:questionnaire", args=[token])).status_code == 410
    # and it left the list
    listing = lead.get(reverse("campaigns:phone_list", args=[world.campaign.pk]))
    assert "K000" not in listing.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("algemeen__score", ""),
        ("algemeen__score", "11"),
        ("website__satisfaction", "5abc"),
        ("kanaal__choice", "fax"),
        ("waarom__text", "a\x00b"),
    ],
)
def test_a_refused_interview_keeps_nothing(
    lead: Client, world: World, field: str, value: str
) -> None:
    page = lead.post(entry(world), GOOD | {field: value})
    assert page.status_code == 400
    assert "Er is een probleem" in page.content.decode()
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


def test_a_unit_completed_on_the_web_cannot_be_entered(lead: Client, world: World) -> None:
    token = world.tokens[1][0]
    web = Client()
    url = reverse("campaigns_public:questionnaire", args=[token])
    web.post(url, {"stap": "3", "actie": "finish", "algemeen__score": "9", "kanaal__choice": "web"})
    assert Response.objects.get().completed_at is not None
    page = lead.get(entry(world, 1), follow=True)
    assert "al geantwoord" in page.content.decode()
    assert lead.post(entry(world, 1), GOOD).status_code == 302
    response = Response.objects.get()
    assert response.mode == Mode.WEB


def test_a_web_drop_out_is_replaced_by_the_phone_interview(lead: Client, world: World) -> None:
    web = Client()
    url = reverse("campaigns_public:questionnaire", args=[world.tokens[2][0]])
    web.post(url, {"stap": "1", "actie": "next", "openingsuren__satisfaction": "3"})
    assert lead.post(entry(world, 2), GOOD).status_code == 302
    response = Response.objects.get()
    assert response.mode == Mode.PHONE
    assert response.completed_at is not None
    assert not response.answers.filter(item__key="openingsuren").exists()
