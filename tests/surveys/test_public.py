"""The public survey page behind the invitation mail: Dutch, accessible markup, no login; the
token is single-use, expires, and an unknown or altered one is refused."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kglijn.contacts.models import Contact
from kglijn.surveys.invitations import Skip
from kglijn.surveys.models import InvitationStatus, SurveyInvitation, SurveyResponse
from kglijn.surveys.services import survey_version_current
from kglijn.surveys.wording import DEFAULT_WORDING
from tests.surveys.invitation_helpers import answered_moment, email_contact, sent_invitation

ALL = {"waiting_time": "4", "courtesy": "5", "information": "3", "recommendation": "9"}


def url(token: str) -> str:
    return reverse("survey_public:survey", kwargs={"token": token})


def stored() -> dict[str, Any]:
    return {
        "responses": list(SurveyResponse.objects.values().order_by("id")),
        "invitations": list(SurveyInvitation.objects.values().order_by("id")),
    }


@pytest.fixture
def contact(agent: User) -> Contact:
    return email_contact(handler=agent, answered_at=answered_moment())


@pytest.fixture
def invited(contact: Contact) -> tuple[SurveyInvitation, str]:
    return sent_invitation(contact)


def page_text(response: Any) -> str:
    return str(response.content.decode())


@pytest.mark.django_db
def test_the_page_asks_the_four_questions_in_dutch_with_accessible_markup(
    client: Client, invited: tuple[SurveyInvitation, str]
) -> None:
    _invitation, token = invited
    response = client.get(url(token), HTTP_ACCEPT_LANGUAGE="en")  # Dutch all the same
    assert response.status_code == 200
    html = page_text(response)
    assert '<html lang="nl">' in html
    assert response["Content-Language"] == "nl"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="referrer" content="same-origin">' in html
    assert "<h1>Hoe tevreden ben je over ons antwoord?</h1>" in html
    # one fieldset per question, its legend the current wording, a labelled radio per score
    legends = re.findall(r"<legend>(.*?)</legend>", html)
    assert legends == [
        DEFAULT_WORDING[c][0].replace("&", "&amp;")
        for c in ("waiting_time", "courtesy", "information", "recommendation")
    ]
    for name, scores in (
        ("waiting_time", range(1, 6)),
        ("courtesy", range(1, 6)),
        ("information", range(1, 6)),
        ("recommendation", range(11)),
    ):
        radios = re.findall(rf'<input type="radio" name="{name}" id="(id_{name}_\d+)"', html)
        assert radios == [f"id_{name}_{score}" for score in scores]
        for radio in radios:
            assert f'<label class="score" for="{radio}">' in html
    assert "1 = zeer ontevreden, 5 = zeer tevreden" in html
    assert "0 = helemaal niet waarschijnlijk, 10 = zeer waarschijnlijk" in html
    assert '<label for="id_remark">Wil je ons nog iets laten weten?</label>' in html
    assert "Verstuur mijn antwoorden" in html
    assert "csrfmiddlewaretoken" in html
    # nothing from another site, nothing about the contact but the date of the answer
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []
    assert "An Peeters" not in html
    assert "an.peeters" not in html


@pytest.mark.django_db
def test_a_partial_answer_is_stored_as_partial_and_uses_the_token(
    client: Client, contact: Contact, invited: tuple[SurveyInvitation, str]
) -> None:
    invitation, token = invited
    response = client.post(
        url(token), {"waiting_time": "2", "recommendation": "0", "remark": "  Te lang gewacht. "}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("survey_public:thanks")
    answer = SurveyResponse.objects.get(contact=contact)
    assert (answer.waiting_time, answer.courtesy, answer.information) == (2, None, None)
    assert answer.recommendation == 0
    assert answer.complete is False
    assert answer.remark == "Te lang gewacht."
    assert (answer.source, answer.channel) == ("mail", "email")
    assert answer.version == survey_version_current()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ANSWERED
    assert invitation.used_at is not None
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Bedankt voor je antwoorden!" in page_text(thanks)


@pytest.mark.django_db
def test_a_complete_answer_is_complete(
    client: Client, contact: Contact, invited: tuple[SurveyInvitation, str]
) -> None:
    _invitation, token = invited
    assert client.post(url(token), ALL).status_code == 302
    answer = SurveyResponse.objects.get(contact=contact)
    assert (answer.waiting_time, answer.courtesy, answer.information) == (4, 5, 3)
    assert (answer.recommendation, answer.complete, answer.remark) == (9, True, "")


@pytest.mark.django_db
def test_a_second_submission_is_refused_kindly(
    client: Client, invited: tuple[SurveyInvitation, str]
) -> None:
    _invitation, token = invited
    client.post(url(token), ALL)
    before = stored()
    again = client.post(url(token), {**ALL, "courtesy": "1"})
    assert again.status_code == 410
    assert "Je hebt deze bevraging al ingevuld. Bedankt!" in page_text(again)
    assert stored() == before
    visit = client.get(url(token))
    assert visit.status_code == 410
    assert "Je hebt deze bevraging al ingevuld. Bedankt!" in page_text(visit)


@pytest.mark.django_db
def test_no_answer_at_all_shows_the_error_summary_and_stores_nothing(
    client: Client, invited: tuple[SurveyInvitation, str]
) -> None:
    _invitation, token = invited
    before = stored()
    response = client.post(url(token), {"remark": "Alleen een opmerking"})
    assert response.status_code == 200
    html = page_text(response)
    assert 'class="error-summary" role="alert"' in html
    assert '<h2 id="error-summary-title">Er is een probleem</h2>' in html
    assert '<a href="#id_waiting_time_1">Beantwoord minstens één vraag.</a>' in html
    assert "Alleen een opmerking</textarea>" in html  # what was typed is kept
    assert stored() == before


@pytest.mark.django_db
def test_a_score_outside_the_scale_is_named_and_nothing_stored(
    client: Client, invited: tuple[SurveyInvitation, str]
) -> None:
    _invitation, token = invited
    before = stored()
    response = client.post(url(token), {**ALL, "courtesy": "6", "recommendation": "11"})
    html = page_text(response)
    assert response.status_code == 200
    assert '<a href="#id_courtesy_1">Kies een score van 1 tot 5.</a>' in html
    assert '<a href="#id_recommendation_0">Kies een score van 0 tot 10.</a>' in html
    assert 'class="question question--error"' in html
    # the valid answers stay chosen
    assert 'id="id_waiting_time_4" value="4" checked' in html
    assert stored() == before


@pytest.mark.django_db
def test_an_expired_link_is_refused_kindly(client: Client, contact: Contact, agent: User) -> None:
    _invitation, token = sent_invitation(contact, expires_at=timezone.now())
    before = stored()
    visit = client.get(url(token))
    assert visit.status_code == 410
    assert "Deze bevraging is afgelopen" in page_text(visit)
    assert client.post(url(token), ALL).status_code == 410
    assert stored() == before


@pytest.mark.django_db
def test_a_link_expires_after_14_days_not_before(contact: Contact, client: Client) -> None:
    expires = timezone.now() + dt.timedelta(seconds=30)
    _invitation, token = sent_invitation(contact, expires_at=expires)
    assert client.get(url(token)).status_code == 200
    SurveyInvitation.objects.filter(contact=contact).update(
        expires_at=timezone.now() - dt.timedelta(microseconds=1)
    )
    assert client.get(url(token)).status_code == 410


def _tampered(token: str) -> str:
    last = "A" if token[-1] != "A" else "B"
    return token[:-1] + last


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [
        _tampered,  # one character changed
        lambda token: token[:-1],  # cut short
        lambda token: token + "x",  # too long
        lambda token: "bedankt-niet",  # not a token at all
    ],
)
def test_an_altered_or_unknown_token_is_refused(
    client: Client, invited: tuple[SurveyInvitation, str], make: Any
) -> None:
    _invitation, token = invited
    before = stored()
    bad = make(token)
    visit = client.get(url(bad))
    assert visit.status_code == 404
    assert "Deze link werkt niet" in page_text(visit)
    assert client.post(url(bad), ALL).status_code == 404
    assert stored() == before


@pytest.mark.django_db
def test_a_link_that_was_never_sent_does_not_work(client: Client, contact: Contact) -> None:
    # a scheduled invitation's token (if one leaked) is not a usable link
    invitation, token = sent_invitation(contact, status=InvitationStatus.SCHEDULED)
    assert client.get(url(token)).status_code == 404
    assert invitation.token_hash is not None


@pytest.mark.django_db
def test_only_the_hash_of_the_token_is_stored(invited: tuple[SurveyInvitation, str]) -> None:
    invitation, token = invited
    assert len(token) == 43
    assert len(invitation.token_hash or "") == 64
    assert token not in str(stored())


@pytest.mark.django_db
def test_opting_out_asks_first_then_marks_the_invitation(
    invited: tuple[SurveyInvitation, str],
) -> None:
    invitation, token = invited
    client = Client(enforce_csrf_checks=True)
    opt_out = reverse("survey_public:opt_out", kwargs={"token": token})
    # a link scanner's GET changes nothing
    page = client.get(opt_out)
    assert page.status_code == 200
    assert "Stuur mij geen bevragingen meer" in page_text(page)
    invitation.refresh_from_db()
    assert invitation.skip_reason == ""
    # the one-click POST of a mail client (RFC 8058) needs no CSRF token
    done = client.post(opt_out, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "Je ontvangt geen bevragingen meer" in page_text(done)
    invitation.refresh_from_db()
    assert (invitation.skip_reason, invitation.status) == (Skip.OPTED_OUT, InvitationStatus.SENT)
    # idempotent, and still possible after the survey was answered
    assert Client().post(url(token), ALL).status_code == 302
    assert client.post(opt_out).status_code == 200
    assert SurveyInvitation.objects.filter(skip_reason=Skip.OPTED_OUT).count() == 1


@pytest.mark.django_db
def test_opting_out_with_an_unknown_token_is_refused(
    client: Client, invited: tuple[SurveyInvitation, str]
) -> None:
    _invitation, token = invited
    before = stored()
    opt_out = reverse("survey_public:opt_out", kwargs={"token": _tampered(token)})
    assert client.get(opt_out).status_code == 404
    assert client.post(opt_out).status_code == 404
    assert stored() == before
