"""The chat's pages: the parent's widget in its four states, the console, the wrap-up and the
transcript pages (PGJO roles only, audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from kglijn.chat import services
from kglijn.chat.models import Chat, ChatStatus, EndedBy, Sender
from kglijn.chat.tokens import COOKIE_NAME, chat_token_make
from kglijn.contacts.models import Contact
from kglijn.core.models import AuditEvent, ClosingDay
from kglijn.surveys.models import SurveyResponse

pytestmark = pytest.mark.django_db


def parent_client(chat: Chat) -> Client:
    client = Client()
    client.cookies[COOKIE_NAME] = chat_token_make(chat_id=chat.pk)
    return client


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ended_chat(nurse: User, first_name: str = "") -> Chat:
    now = timezone.now()
    chat = services.chat_start(first_name=first_name, now=now - dt.timedelta(minutes=20))
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=now - dt.timedelta(minutes=18))
    services.chat_message_post(
        chat_id=chat.pk, sender=Sender.PARENT, body="Mag mijn baby water?", now=now
    )
    services.chat_message_post(
        chat_id=chat.pk, sender=Sender.NURSE, author=nurse, body="Vanaf zes maanden.", now=now
    )
    return services.chat_end(chat_id=chat.pk, ended_by=EndedBy.NURSE, nurse=nurse, now=now)


def test_the_widget_offers_to_start_without_login() -> None:
    response = Client().get("/chat/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "nl"
    assert '<h1 id="chat-title">Chat met een verpleegkundige</h1>' in html
    assert 'action="/chat/start/"' in html
    assert "Je voornaam (niet verplicht)" in html


def test_outside_opening_hours_the_widget_refuses_politely(settings: Any) -> None:
    settings.KGLIJN_CHAT_HOURS = "office"
    ClosingDay.objects.create(date=timezone.localdate(), name="Testsluiting")
    page = Client().get("/chat/").content.decode()
    response = Client().post("/chat/start/", {"first_name": "Sara"})
    for html in (page, response.content.decode()):
        assert "De chat is nu gesloten" in html
        assert "078 150 100" in html
        assert 'href="/contact/"' in html
        assert "De chat is weer open op" in html
        assert 'action="/chat/start/"' not in html
    assert Chat.objects.count() == 0


def test_starting_sets_a_signed_httponly_cookie_and_stores_no_ip() -> None:
    response = Client(REMOTE_ADDR="203.0.113.77").post(
        "/chat/start/", {"first_name": "Sara", "postcode": "3500"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/chat/"
    chat = Chat.objects.get()
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["path"] == "/chat/"
    assert cookie["samesite"] == "Lax"
    assert (chat.first_name, chat.province) == ("Sara", "BE-VLI")
    values = [str(getattr(chat, f.attname)) for f in Chat._meta.concrete_fields]
    assert not any("203.0.113.77" in value or "3500" in value for value in values)


def test_a_bad_postcode_is_shown_and_nothing_starts() -> None:
    response = Client().post("/chat/start/", {"postcode": "12"})
    assert response.status_code == 400
    assert "Een Belgische postcode heeft 4 cijfers." in response.content.decode()
    assert Chat.objects.count() == 0


def test_the_live_widget_and_the_parents_transcript(nurse: User) -> None:
    chat = services.chat_start(now=timezone.now())
    client = parent_client(chat)
    html = client.get("/chat/").content.decode()
    assert 'data-ws-path="/chat/ws/parent/"' in html
    assert '"queued": "Je bent nummer %(position)s in de wachtrij."' in html
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=timezone.now())
    services.chat_message_post(
        chat_id=chat.pk, sender=Sender.NURSE, author=nurse, body="Dag!", now=timezone.now()
    )
    download = client.get("/chat/transcript.txt")
    assert download["Content-Disposition"].startswith(
        'attachment; filename="kind-en-gezin-lijn-chat-'
    )
    text = download.content.decode()
    assert text.startswith("Kind en Gezin-Lijn — chatgesprek\nGestart op ")
    assert "— Een verpleegkundige van de Kind en Gezin-Lijn chat nu met je." in text
    assert "] Verpleegkundige: Dag!" in text
    assert Client().get("/chat/transcript.txt").status_code == 404


def test_the_parent_ends_the_chat_and_answers_the_survey(nurse: User) -> None:
    chat = services.chat_start(now=timezone.now())
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=timezone.now())
    client = parent_client(chat)
    assert client.post("/chat/end/").status_code == 302
    chat.refresh_from_db()
    assert (chat.status, chat.ended_by) == (ChatStatus.ENDED, "parent")
    html = client.get("/chat/").content.decode()
    assert "Het gesprek is beëindigd" in html
    assert "Hoe tevreden ben je over deze chat?" in html
    assert 'action="/chat/survey/"' in html
    response = client.post("/chat/survey/", {"waiting_time": "5", "recommendation": "10"})
    assert response.status_code == 302
    chat.refresh_from_db()
    assert chat.survey_answers == {
        "waiting_time": 5,
        "courtesy": None,
        "information": None,
        "recommendation": 10,
    }
    html = client.get("/chat/").content.decode()
    assert "Bedankt voor je antwoorden!" in html
    assert 'action="/chat/survey/"' not in html


def test_an_empty_survey_is_refused(nurse: User) -> None:
    chat = ended_chat(nurse)
    response = parent_client(chat).post("/chat/survey/", {"remark": ""})
    assert response.status_code == 400
    assert "Beantwoord minstens één vraag." in response.content.decode()
    chat.refresh_from_db()
    assert chat.survey_answered_at is None


def test_the_console_is_for_chat_roles_only(nurse: User, team_lead: User, agent: User) -> None:
    assert logged_in(nurse).get("/chat/console/").status_code == 200
    assert logged_in(team_lead).get("/chat/console/").status_code == 200
    assert logged_in(agent).get("/chat/console/").status_code == 403
    assert Client().get("/chat/console/")["Location"].startswith("/login/")


def test_the_nurse_wraps_up_into_a_contact(nurse: User) -> None:
    chat = ended_chat(nurse, first_name="Sara")
    client = logged_in(nurse)
    form = client.get(f"/chat/console/{chat.pk}/wrap-up/").content.decode()
    assert "Mag mijn baby water?" in form
    assert 'name="caller_name" value="Sara"' in form
    response = client.post(
        f"/chat/console/{chat.pk}/wrap-up/",
        {"topic": "family_support", "reasons": ["advice"], "caller_name": "Sara"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.channel, contact.office, contact.anonymous, contact.caller_name) == (
        "chat",
        "pgjo",
        False,
        "Sara",
    )
    assert Chat.objects.get(pk=chat.pk).contact_id == contact.pk


def test_an_anonymous_wrap_up_keeps_no_name(nurse: User) -> None:
    chat = ended_chat(nurse, first_name="Sara")
    logged_in(nurse).post(
        f"/chat/console/{chat.pk}/wrap-up/", {"anonymous": "on", "topic": "family_support"}
    )
    contact = Contact.objects.get()
    assert (contact.anonymous, contact.caller_name, contact.customer_id) == (True, "", None)


def test_a_colleague_cannot_wrap_up_my_chat(nurse: User, make_user: Any) -> None:
    chat = ended_chat(nurse)
    other = make_user("pgjo_nurse", "other")
    response = logged_in(other).post(f"/chat/console/{chat.pk}/wrap-up/", {"anonymous": "on"})
    assert response["Location"] == "/chat/console/"
    assert Contact.objects.count() == 0
    assert Chat.objects.get(pk=chat.pk).status == ChatStatus.ENDED


def test_transcripts_are_for_pgjo_roles_and_every_read_is_audited(
    nurse: User, team_lead: User, agent: User, analyst: User
) -> None:
    chat = ended_chat(nurse)
    contact = services.chat_wrap_up(chat_id=chat.pk, by=nurse, now=timezone.now())
    for user in (agent, analyst):
        assert logged_in(user).get(f"/chat/transcripts/{chat.pk}/").status_code == 404
        assert logged_in(user).get(f"/chat/contact/{contact.pk}/").status_code == 404
    assert AuditEvent.objects.filter(object_type="chat_transcript").count() == 0
    page = logged_in(team_lead).get(f"/chat/transcripts/{chat.pk}/")
    assert page.status_code == 200
    assert "Vanaf zes maanden." in page.content.decode()
    download = logged_in(nurse).get(f"/chat/transcripts/{chat.pk}/download/")
    assert "Vanaf zes maanden." in download.content.decode()
    redirect = logged_in(nurse).get(f"/chat/contact/{contact.pk}/")
    assert redirect["Location"] == f"/chat/transcripts/{chat.pk}/"
    reads = AuditEvent.objects.filter(object_type="chat_transcript", object_id=chat.pk)
    assert sorted(reads.values_list("actor__username", "action")) == [
        ("lead", "view"),
        ("nurse", "view"),
    ]
    assert reads.first().detail == {"contact": contact.pk}


def test_a_recorded_chat_survey_sits_on_the_contact(nurse: User) -> None:
    chat = ended_chat(nurse)
    client = parent_client(chat)
    client.post(
        "/chat/survey/",
        {"waiting_time": "4", "courtesy": "5", "information": "4", "recommendation": "8"},
    )
    contact = services.chat_wrap_up(chat_id=chat.pk, by=nurse, now=timezone.now())
    assert SurveyResponse.objects.get().contact_id == contact.pk


CONFIRM_NEW = "Je hebt de vragenlijst nog niet ingevuld. Toch een nieuwe chat starten?"


def test_a_new_chat_with_the_survey_unanswered_asks_first(nurse: User) -> None:
    chat = ended_chat(nurse)
    client = parent_client(chat)
    response = client.post("/chat/new/")
    html = response.content.decode()
    # Asked, not dropped: the page asks, the cookie (and with it the survey) stays.
    assert response.status_code == 200
    assert CONFIRM_NEW in html
    assert '<input type="hidden" name="confirm" value="1">' in html
    assert "Ja, een nieuwe chat starten" in html
    assert 'href="#survey-title">Nee, de vragenlijst invullen</a>' in html
    assert 'action="/chat/survey/"' in html
    assert client.cookies[COOKIE_NAME].value
    assert CONFIRM_NEW not in client.get("/chat/").content.decode()
    # "Yes": the browser forgets the chat; the survey was not answered.
    response = client.post("/chat/new/", {"confirm": "1"})
    assert response.status_code == 302
    assert client.cookies[COOKIE_NAME].value == ""
    chat.refresh_from_db()
    assert chat.survey_answered_at is None


def test_a_new_chat_without_an_open_survey_does_not_ask(nurse: User) -> None:
    answered = ended_chat(nurse)
    client = parent_client(answered)
    client.post("/chat/survey/", {"waiting_time": "5"})
    assert client.post("/chat/new/").status_code == 302
    assert client.cookies[COOKIE_NAME].value == ""
    unanswered = services.chat_start(now=timezone.now())
    services.chat_end(chat_id=unanswered.pk, ended_by=EndedBy.PARENT, now=timezone.now())
    client = parent_client(unanswered)
    assert client.post("/chat/new/").status_code == 302
    assert client.cookies[COOKIE_NAME].value == ""


def test_a_parent_who_left_a_waiting_chat_sees_the_other_channels() -> None:
    chat = services.chat_start(now=timezone.now() - dt.timedelta(minutes=5))
    assert services.chat_presence_sweep(now=timezone.now()) == 1
    html = parent_client(chat).get("/chat/").content.decode()
    assert "Het gesprek is beëindigd omdat je niet meer verbonden was." in html
    assert 'href="/contact/"' in html
