"""The survey on the contact page: answers with their version's wording, channel, timing,
remark (audited), follow-up task; only for who may see the contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from kglijn.contacts.models import Channel
from kglijn.core.models import AuditEvent
from kglijn.surveys.models import InvitationStatus, Source, SurveyInvitation
from kglijn.surveys.services import (
    QuestionWording,
    survey_response_record,
    survey_wording_change,
)
from tests.conftest import PASSWORD
from tests.contacts.factories import DEFAULT_RECEIVED_AT, ContactFactory
from tests.surveys.factories import GOOD

pytestmark = pytest.mark.django_db


def page(client: Client, user, contact, language: str = "en") -> str:
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = language  # chosen on the NL/EN switch
    response = client.get(f"/desk/contacts/{contact.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_ivr_answers_show_with_wording_labels_channel_and_timing(client, agent) -> None:
    contact = ContactFactory.create(
        handler=agent, answered_at=DEFAULT_RECEIVED_AT + dt.timedelta(seconds=50)
    )
    survey_response_record(
        contact=contact,
        source=Source.IVR,
        answers={"waiting_time": 2, "courtesy": 5, "recommendation": 9},
        complete=False,
        answered_at=DEFAULT_RECEIVED_AT + dt.timedelta(minutes=7),
        external_id="ivr-1",
    )

    dutch = page(client, agent, contact, "nl")
    english = page(client, agent, contact, "en")

    assert "Hoe tevreden ben je over de wachttijd?" in dutch
    assert "1 = zeer ontevreden · 5 = zeer tevreden" in dutch
    assert "0 = helemaal niet waarschijnlijk · 10 = zeer waarschijnlijk" in dutch
    assert "How satisfied are you with the waiting time?" in english
    assert "<strong>2</strong> / 5" in english
    assert "<strong>9</strong> / 10" in english
    assert "not answered" in english  # information
    assert "partial" in english
    assert "phone (IVR after the call) · Phone" in english
    assert "50 s" in english  # received -> answered by the agent
    assert "7 min after the contact" in english
    assert "version 2" in english  # v1 said "u"; migration 0005 asks with "je"


def test_a_remark_is_shown_to_who_sees_the_contact_and_the_read_is_audited(client, agent) -> None:
    contact = ContactFactory.create(channel=Channel.EMAIL, handler=agent)
    response, _ = survey_response_record(
        contact=contact,
        source=Source.MAIL,
        answers=GOOD,
        remark="Mevrouw Peeters hielp mij heel goed.",
        complete=True,
        answered_at=DEFAULT_RECEIVED_AT + dt.timedelta(days=2, hours=3),
    )

    html = page(client, agent, contact)

    assert "Mevrouw Peeters hielp mij heel goed." in html
    assert "e-mail invitation · E-mail" in html
    assert "2 d 3 h after the contact" in html
    event = AuditEvent.objects.get(object_type="survey_response", action="view")
    assert (event.object_id, event.actor, event.detail) == (
        response.pk,
        agent,
        {"contact": contact.pk, "remark": True},
    )


def test_who_may_not_see_the_contact_sees_nothing_of_its_survey(
    client, childcare_handler, analyst
) -> None:
    contact = ContactFactory.create(channel=Channel.EMAIL)
    survey_response_record(
        contact=contact,
        source=Source.MAIL,
        answers=GOOD,
        remark="Geheim",
        complete=True,
        answered_at=DEFAULT_RECEIVED_AT + dt.timedelta(days=3),
    )
    before = AuditEvent.objects.count()

    for user in (childcare_handler, analyst):
        client.login(username=user.username, password=PASSWORD)
        response = client.get(f"/desk/contacts/{contact.pk}/")
        assert response.status_code in (403, 404)
        assert b"Geheim" not in response.content

    assert AuditEvent.objects.count() == before


def test_a_low_score_shows_its_follow_up_task(client, agent, team_lead) -> None:
    contact = ContactFactory.create(handler=agent)
    survey_response_record(
        contact=contact,
        source=Source.IVR,
        answers={**GOOD, "courtesy": 1},
        complete=True,
        answered_at=DEFAULT_RECEIVED_AT + dt.timedelta(minutes=5),
    )

    html = page(client, team_lead, contact)

    assert "beleefdheid: score 1 (drempel ≤ 2)" in html
    assert "every team lead" in html
    assert "low score" in html
    assert 'href="/surveys/follow-ups/#task-' in html
    assert 'href="/surveys/follow-ups/' not in page(client, agent, contact)


def test_old_answers_keep_the_wording_they_were_asked_with(
    client, agent, information_manager
) -> None:
    old = ContactFactory.create(handler=agent)
    survey_response_record(
        contact=old,
        source=Source.IVR,
        answers=GOOD,
        complete=True,
        answered_at=DEFAULT_RECEIVED_AT + dt.timedelta(minutes=5),
    )
    survey_wording_change(
        by=information_manager,
        texts={
            "waiting_time": QuestionWording(
                "Hoe snel kreeg je iemand aan de lijn?",
                "How quickly did you get through?",
                "veel te traag",
                "heel snel",
                "far too slow",
                "very fast",
            )
        },
        note="",
    )
    new = ContactFactory.create(handler=agent)
    survey_response_record(
        contact=new,
        source=Source.IVR,
        answers=GOOD,
        complete=True,
        answered_at=DEFAULT_RECEIVED_AT + dt.timedelta(minutes=5),
    )

    old_html = page(client, agent, old, "nl")
    new_html = page(client, agent, new, "nl")

    assert "Hoe tevreden ben je over de wachttijd?" in old_html
    assert "Hoe snel kreeg je iemand aan de lijn?" not in old_html
    assert "Hoe snel kreeg je iemand aan de lijn?" in new_html
    assert "1 = veel te traag · 5 = heel snel" in new_html


def test_without_answers_the_panel_says_so_and_shows_the_invitation(client, agent) -> None:
    contact = ContactFactory.create(channel=Channel.EMAIL, handler=agent)
    SurveyInvitation.objects.create(
        contact=contact,
        status=InvitationStatus.SENT,
        due_at=DEFAULT_RECEIVED_AT + dt.timedelta(days=2),
    )

    html = page(client, agent, contact)

    assert "No survey answers for this contact." in html
    assert "Invitation: sent." in html
    assert AuditEvent.objects.filter(object_type="survey_response").count() == 0
