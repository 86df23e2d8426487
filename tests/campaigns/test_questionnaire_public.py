"""The respondent's pages: a real token, pages per theme, drop-out, return, finish, opt-out and
hostile input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kglijn.campaigns.models import (
    Answer,
    CampaignStatus,
    InvitationMail,
    InvitationStatus,
    Mode,
    OptOut,
    Response,
    ResponseSource,
)
from kglijn.campaigns.tokens import optout_hash
from tests.campaigns.questionnaire_world import World, build_world

pytestmark = pytest.mark.django_db


def url(token: str) -> str:
    return reverse("campaigns_public:questionnaire", args=[token])


def rated(key: str, satisfaction: str, importance: str) -> dict[str, str]:
    return {f"{key}__satisfaction": satisfaction, f"{key}__importance": importance}


@pytest.fixture
def world() -> World:
    return build_world()


def test_first_opening_creates_the_response_with_the_units_strata(world: World) -> None:
    response = Client().get(url(world.tokens[0][0]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Stap 1 van 3" in body  # the open question waits for its condition
    assert "Bereikbaarheid" in body
    assert "0 = helemaal niet tevreden" in body
    assert "10 = heel belangrijk" in body
    assert "Weet niet / niet van toepassing" in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    saved = Response.objects.get()
    assert (saved.source, saved.mode, saved.unit, saved.invitation) == (
        ResponseSource.APP,
        Mode.WEB,
        world.units[0],
        world.units[0].invitation,
    )
    assert saved.strata == {"provincie": "VAN"}
    assert saved.stratum == "provincie=VAN"
    assert saved.started_at is not None
    assert saved.completed_at is None


def test_a_drop_out_keeps_its_answers_and_a_reminder_continues_it(world: World) -> None:
    first, reminder = world.tokens[0]
    client = Client()
    page_one = (
        {"stap": "1", "actie": "next"}
        | rated("telefoon-snel", "8", "9")
        | rated("openingsuren", "", "7")
    )
    assert client.post(url(first), page_one)["Location"].endswith("?stap=2")
    page_two = {"stap": "2", "actie": "next"} | rated("website", "6", "10")
    assert client.post(url(first), page_two)["Location"].endswith("?stap=3")
    # stops here: a drop-out with the last position reached (item "folders", position 4)
    response = Response.objects.get()
    assert response.completed_at is None
    assert response.last_position == 4
    answers = {a.item.key: a for a in response.answers.select_related("item")}
    assert (answers["telefoon-snel"].satisfaction, answers["telefoon-snel"].importance) == (8, 9)
    assert answers["openingsuren"].satisfaction is None
    assert "folders" not in answers

    # the reminder's link opens the same response, on its saved answers
    other = Client()
    page = other.get(url(reminder) + "?stap=1")
    assert page.status_code == 200
    assert 'value="8" checked' in page.content.decode()
    assert Response.objects.count() == 1

    final = {"stap": "3", "actie": "next", "algemeen__score": "8", "kanaal__choice": "geen"}
    assert other.post(url(reminder), final)["Location"].endswith("?stap=4")
    last = other.post(
        url(reminder), {"stap": "4", "actie": "finish", "waarom__text": "Geen nood aan."}
    )
    assert last["Location"] == reverse("campaigns_public:thanks")
    response.refresh_from_db()
    assert response.completed_at is not None
    assert response.invitation.status == InvitationStatus.COMPLETED
    assert Answer.objects.get(response=response, item__key="waarom").text == "Geen nood aan."
    # every token of the invitation is dead now: a kind page, single use
    for token in (first, reminder):
        dead = Client().get(url(token))
        assert dead.status_code == 410
        assert "al ingevuld" in dead.content.decode()


def test_the_conditional_question_is_shown_only_for_its_answer(world: World) -> None:
    client = Client()
    token = world.tokens[0][0]
    assert "Stap 3 van 3" in client.get(url(token) + "?stap=3").content.decode()
    # "geen" asks the open question "waarom": a fourth page
    client.post(
        url(token), {"stap": "3", "actie": "next", "algemeen__score": "9", "kanaal__choice": "geen"}
    )
    page = client.get(url(token) + "?stap=4").content.decode()
    assert "Stap 4 van 4" in page
    assert "Waarom nam je geen contact op?" in page
    client.post(url(token), {"stap": "4", "actie": "back", "waarom__text": "Geen tijd."})
    response = Response.objects.get()
    assert response.answers.filter(item__key="waarom").exists()
    # "web" hides it again: its saved answer is deleted, a posted one ignored, 3 pages
    finish = client.post(
        url(token),
        {
            "stap": "3",
            "actie": "finish",
            "algemeen__score": "9",
            "kanaal__choice": "web",
            "waarom__text": "verborgen",
        },
    )
    assert finish["Location"] == reverse("campaigns_public:thanks")
    response.refresh_from_db()
    assert response.completed_at is not None
    assert not response.answers.filter(item__key="waarom").exists()


def test_the_overall_score_is_required(world: World) -> None:
    client = Client()
    token = world.tokens[0][0]
    page = client.post(url(token), {"stap": "3", "actie": "next", "kanaal__choice": "web"})
    assert page.status_code == 400
    assert "Deze vraag heeft een antwoord nodig." in page.content.decode()


@pytest.mark.parametrize("value", ["11", "-1", "5abc", "5.0", "\x00"])
def test_hostile_scores_are_refused_naming_the_question(world: World, value: str) -> None:
    client = Client()
    token = world.tokens[0][0]
    page = client.post(
        url(token), {"stap": "1", "actie": "next"} | rated("telefoon-snel", value, "5")
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "Er is een probleem" in body
    assert "Je kon ons snel bereiken" in body
    assert "score van 0 tot 10" in body
    assert not Answer.objects.exists()


def test_nul_and_too_long_text_are_refused(world: World) -> None:
    client = Client()
    token = world.tokens[0][0]
    client.post(
        url(token), {"stap": "3", "actie": "next", "algemeen__score": "5", "kanaal__choice": "geen"}
    )
    nul = client.post(url(token), {"stap": "4", "actie": "finish", "waarom__text": "a\x00b"})
    assert nul.status_code == 400
    assert "NUL" in nul.content.decode()
    long = client.post(url(token), {"stap": "4", "actie": "finish", "waarom__text": "x" * 4001})
    assert long.status_code == 400
    assert "4000" in long.content.decode()
    assert not Answer.objects.filter(item__key="waarom").exists()


def test_unknown_fields_and_steps_are_ignored(world: World) -> None:
    client = Client()
    token = world.tokens[0][0]
    page = client.post(url(token), {"stap": "99999", "actie": "weird", "bestaat-niet__score": "3"})
    # the last page (open question hidden: the choice is unanswered) → overall is required
    assert page.status_code == 400
    assert not Answer.objects.exists()


@pytest.mark.parametrize("token", ["onbekend-token", "A" * 43, "A" * 42 + "!", "x" * 500])
def test_unknown_tokens_get_a_kind_404(world: World, token: str) -> None:
    page = Client().get(f"/onderzoek/{token}/")
    assert page.status_code == 404
    assert "Deze link werkt niet" in page.content.decode()
    assert not Response.objects.exists()


def test_an_expired_token_gets_a_kind_404(world: World) -> None:
    InvitationMail.objects.update(sent_at=timezone.now() - dt.timedelta(days=61))
    page = Client().get(url(world.tokens[0][0]))
    assert page.status_code == 404
    assert "afgelopen" in page.content.decode()


def test_a_closed_campaign_is_closed(world: World) -> None:
    world.campaign.status = CampaignStatus.CLOSED
    world.campaign.save()
    assert Client().get(url(world.tokens[0][0])).status_code == 410


def test_english_when_the_respondent_picks_it(world: World) -> None:
    client = Client()
    token = world.tokens[0][0]
    client.post(url(token), {"stap": "1", "taal": "en"})
    page = client.get(url(token))
    body = page.content.decode()
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in body
    assert "Reachability" in body
    assert "EN Je kon ons snel bereiken" in body
    assert "Step 1 of 3" in body
    assert Response.objects.get().language == "en"


def test_opt_out_asks_then_records_idempotently(world: World) -> None:
    token = world.tokens[1][1]
    opt_url = reverse("campaigns_public:opt_out", args=[token])
    ask = Client().get(opt_url)
    assert ask.status_code == 200
    assert OptOut.objects.count() == 0
    for _ in range(2):
        done = Client().post(opt_url)
        assert done.status_code == 200
    opt = OptOut.objects.get()
    assert opt.email_hash == optout_hash("ouder1@example.org")
    assert opt.campaign == world.campaign
    world.units[1].invitation.refresh_from_db()
    assert world.units[1].invitation.status == InvitationStatus.OPTED_OUT
    page = Client().get(url(world.tokens[1][0]))
    assert page.status_code == 410
    assert (
        Client().post(reverse("campaigns_public:opt_out", args=["onbekend-token"])).status_code
        == 404
    )


def test_the_thanks_page() -> None:
    assert Client().get(reverse("campaigns_public:thanks")).status_code == 200
