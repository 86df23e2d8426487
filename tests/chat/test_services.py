"""The chat's services: start, numbering, rate limit, accept, transfer, end, wrap-up into a
contact, the survey at the end, the wait estimate and the transcript retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from kglijn.chat import services
from kglijn.chat.jobs import chat_transcripts_purge
from kglijn.chat.models import Chat, ChatMessage, ChatStatus, EndedBy, NursePresence, Sender
from kglijn.chat.selectors import QueueSnapshot, expected_wait_seconds, queue_snapshot
from kglijn.contacts.models import Channel, Contact, Office, Status
from kglijn.core.models import AuditEvent
from kglijn.surveys.models import SurveyResponse
from tests.chat.conftest import OPEN_MOMENT

pytestmark = pytest.mark.django_db
T0 = OPEN_MOMENT


def seconds(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=n)


def answered_chat(
    nurse: User, *, first_name: str = "", start: dt.datetime = T0, talk: int = 600
) -> Chat:
    """Started at `start`, accepted 90 s later, `talk` seconds of conversation, ended."""
    chat = services.chat_start(first_name=first_name, postcode="2000", now=start)
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=start + seconds(90))
    services.chat_message_post(
        chat_id=chat.pk, sender=Sender.PARENT, body="Vraag", now=start + seconds(100)
    )
    services.chat_message_post(
        chat_id=chat.pk,
        sender=Sender.NURSE,
        author=nurse,
        body="Antwoord",
        now=start + seconds(130),
    )
    return services.chat_end(
        chat_id=chat.pk, ended_by=EndedBy.PARENT, now=start + seconds(90 + talk)
    )


def test_a_chat_stores_no_ip_and_no_postcode_only_the_province() -> None:
    chat = services.chat_start(first_name="  Sara  ", postcode="9000", now=T0)
    chat.refresh_from_db()
    assert (chat.first_name, chat.province, chat.status, chat.office) == (
        "Sara",
        "BE-VOV",
        ChatStatus.QUEUED,
        "pgjo",
    )
    stored = {f.name: getattr(chat, f.attname) for f in Chat._meta.concrete_fields}
    assert "9000" not in [str(value) for value in stored.values()]
    assert not any("ip" in name.split("_") for name in stored)


def test_a_bad_postcode_or_long_name_stores_nothing() -> None:
    with pytest.raises(ValidationError) as error:
        services.chat_start(first_name="x" * 41, postcode="123", now=T0)
    assert set(error.value.message_dict) == {"first_name", "postcode"}
    assert Chat.objects.count() == 0


def test_outside_opening_hours_no_chat_starts(settings: Any) -> None:
    settings.KGLIJN_CHAT_HOURS = "office"
    sunday = dt.datetime.fromisoformat("2024-03-10T11:00:00+01:00")
    with pytest.raises(services.ChatClosed) as closed:
        services.chat_start(now=sunday)
    assert closed.value.opening.next_opening == dt.datetime.fromisoformat(
        "2024-03-11T09:00:00+01:00"
    )
    assert Chat.objects.count() == 0


def test_messages_are_numbered_without_gaps_and_a_resend_is_stored_once(nurse: User) -> None:
    chat = services.chat_start(now=T0)
    first, created = services.chat_message_post(
        chat_id=chat.pk, sender=Sender.PARENT, body="Hallo", client_id="abc", now=T0
    )
    again, created_again = services.chat_message_post(
        chat_id=chat.pk, sender=Sender.PARENT, body="Hallo", client_id="abc", now=T0 + seconds(5)
    )
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=T0 + seconds(6))
    services.chat_message_post(
        chat_id=chat.pk, sender=Sender.NURSE, author=nurse, body="Dag", now=T0 + seconds(7)
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    rows = list(ChatMessage.objects.filter(chat=chat).values_list("seq", "sender", "body"))
    assert rows == [(1, "parent", "Hallo"), (2, "system", "accepted"), (3, "nurse", "Dag")]
    assert Chat.objects.get(pk=chat.pk).last_seq == 3


def test_empty_or_too_long_messages_are_refused(nurse: User) -> None:
    chat = services.chat_start(now=T0)
    for body, code in (("   ", "empty"), ("x" * 2001, "too_long")):
        with pytest.raises(services.ChatError) as error:
            services.chat_message_post(chat_id=chat.pk, sender=Sender.PARENT, body=body, now=T0)
        assert error.value.code == code
    assert ChatMessage.objects.count() == 0


def test_parent_messages_are_rate_limited_per_chat(nurse: User) -> None:
    chat = services.chat_start(now=T0)
    other = services.chat_start(now=T0)
    for n in range(10):
        services.chat_message_post(
            chat_id=chat.pk, sender=Sender.PARENT, body=f"m{n}", now=T0 + seconds(n * 0.5)
        )
    with pytest.raises(services.ChatRateLimited) as limited:
        services.chat_message_post(
            chat_id=chat.pk, sender=Sender.PARENT, body="te veel", now=T0 + seconds(6)
        )
    assert limited.value.retry_after == 4
    assert ChatMessage.objects.filter(chat=chat).count() == 10
    # another chat is not affected, and the window moves on
    services.chat_message_post(
        chat_id=other.pk, sender=Sender.PARENT, body="ok", now=T0 + seconds(6)
    )
    services.chat_message_post(
        chat_id=chat.pk, sender=Sender.PARENT, body="ok", now=T0 + seconds(10.1)
    )
    assert ChatMessage.objects.filter(chat=chat).count() == 11


def test_a_chat_is_accepted_once_within_the_nurses_maximum(
    settings: Any, nurse: User, make_user: Any
) -> None:
    settings.KGLIJN_CHAT_MAX_PER_NURSE = 1
    other = make_user("pgjo_nurse", "other")
    first, second = services.chat_start(now=T0), services.chat_start(now=T0 + seconds(1))
    services.chat_accept(chat_id=first.pk, nurse=nurse, now=T0 + seconds(30))
    with pytest.raises(services.ChatError) as taken:
        services.chat_accept(chat_id=first.pk, nurse=other, now=T0 + seconds(31))
    with pytest.raises(services.ChatError) as full:
        services.chat_accept(chat_id=second.pk, nurse=nurse, now=T0 + seconds(32))
    assert (taken.value.code, full.value.code) == ("taken", "full")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.nurse_id, first.wait_seconds, first.status) == (nurse.pk, 30, ChatStatus.ACTIVE)
    assert (second.nurse_id, second.status) == (None, ChatStatus.QUEUED)


def test_only_nurses_may_accept(agent: User) -> None:
    chat = services.chat_start(now=T0)
    with pytest.raises(services.ChatError):
        services.chat_accept(chat_id=chat.pk, nurse=agent, now=T0)
    assert Chat.objects.get(pk=chat.pk).status == ChatStatus.QUEUED


def test_transfer_goes_to_an_online_colleague_with_room(nurse: User, make_user: Any) -> None:
    colleague = make_user("pgjo_nurse", "colleague")
    chat = services.chat_start(now=T0)
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=T0)
    with pytest.raises(services.ChatError) as offline:
        services.chat_transfer(chat_id=chat.pk, by=nurse, to_user_id=colleague.pk, now=T0)
    assert offline.value.code == "offline"
    NursePresence.objects.create(channel_name="c1", user=colleague, seen_at=T0)
    services.chat_transfer(chat_id=chat.pk, by=nurse, to_user_id=colleague.pk, now=T0 + seconds(10))
    chat.refresh_from_db()
    assert chat.nurse_id == colleague.pk
    assert (
        AuditEvent.objects.filter(object_type="chat", object_id=chat.pk, action="assign").count()
        == 1
    )


def test_ending_records_the_handling_time_once(nurse: User) -> None:
    chat = answered_chat(nurse)
    again = services.chat_end(
        chat_id=chat.pk, ended_by=EndedBy.NURSE, nurse=nurse, now=T0 + seconds(900)
    )
    assert (again.status, again.ended_by, again.handle_seconds) == (ChatStatus.ENDED, "parent", 600)
    assert ChatMessage.objects.filter(chat=chat, sender=Sender.SYSTEM).count() == 2


def test_an_unanswered_chat_ended_by_the_parent_has_no_times() -> None:
    chat = services.chat_start(now=T0)
    chat = services.chat_end(chat_id=chat.pk, ended_by=EndedBy.PARENT, now=T0 + seconds(40))
    assert (chat.accepted_at, chat.wait_seconds, chat.handle_seconds) == (None, None, None)


def test_wrap_up_makes_one_anonymous_chat_contact(nurse: User) -> None:
    chat = answered_chat(nurse)
    contact = services.chat_wrap_up(
        chat_id=chat.pk,
        by=nurse,
        now=T0 + seconds(800),
        province="BE-VAN",
        topic="family_support",
        reason_codes=["advice"],
        notes="Slaapadvies gegeven",
    )
    contact.refresh_from_db()
    assert (contact.channel, contact.office, contact.anonymous, contact.status) == (
        Channel.CHAT,
        Office.PGJO,
        True,
        Status.CLOSED,
    )
    assert (contact.received_at, contact.answered_at, contact.closed_at) == (
        T0,
        T0 + seconds(90),
        T0 + seconds(690),
    )
    assert (contact.handler_id, contact.external_id, contact.caller_name) == (
        nurse.pk,
        f"chat-{chat.pk}",
        "",
    )
    assert list(contact.reasons.values_list("code", flat=True)) == ["advice"]
    chat.refresh_from_db()
    assert (chat.status, chat.contact_id, chat.wait_seconds, chat.handle_seconds) == (
        ChatStatus.WRAPPED,
        contact.pk,
        90,
        600,
    )


def test_a_first_name_makes_the_contact_personal(nurse: User) -> None:
    chat = answered_chat(nurse, first_name="Sara")
    contact = services.chat_wrap_up(
        chat_id=chat.pk, by=nurse, now=T0 + seconds(800), anonymous=False, caller_name="Sara"
    )
    assert (contact.anonymous, contact.caller_name) == (False, "Sara")


def test_wrap_up_is_refused_to_others_and_before_the_end(nurse: User, make_user: Any) -> None:
    other = make_user("pgjo_nurse", "other")
    chat = services.chat_start(now=T0)
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=T0)
    with pytest.raises(services.ChatError) as running:
        services.chat_wrap_up(chat_id=chat.pk, by=nurse, now=T0)
    services.chat_end(chat_id=chat.pk, ended_by=EndedBy.NURSE, nurse=nurse, now=T0 + seconds(5))
    with pytest.raises(services.ChatError) as foreign:
        services.chat_wrap_up(chat_id=chat.pk, by=other, now=T0 + seconds(6))
    with pytest.raises(ValidationError):
        services.chat_wrap_up(chat_id=chat.pk, by=nurse, now=T0 + seconds(6), topic="nonsense")
    assert (running.value.code, foreign.value.code) == ("not_ended", "not_yours")
    assert Contact.objects.count() == 0
    assert Chat.objects.get(pk=chat.pk).status == ChatStatus.ENDED


def test_survey_answers_wait_on_the_chat_until_the_wrap_up(nurse: User) -> None:
    chat = answered_chat(nurse)
    answers = {"waiting_time": 4, "courtesy": 5, "information": 5, "recommendation": 9}
    services.chat_survey_answer(
        chat_id=chat.pk, answers=answers, remark="Fijn", now=T0 + seconds(700)
    )
    assert SurveyResponse.objects.count() == 0
    chat.refresh_from_db()
    assert chat.survey_answers == answers
    with pytest.raises(services.ChatError):
        services.chat_survey_answer(
            chat_id=chat.pk, answers=answers, remark="", now=T0 + seconds(710)
        )
    contact = services.chat_wrap_up(chat_id=chat.pk, by=nurse, now=T0 + seconds(800))
    response = SurveyResponse.objects.get()
    assert (response.contact_id, response.source, response.recommendation, response.remark) == (
        contact.pk,
        "chat",
        9,
        "Fijn",
    )
    assert response.complete is True
    assert response.answered_at == T0 + seconds(700)
    chat.refresh_from_db()
    assert (chat.survey_answers, chat.survey_remark) == (None, "")


def test_survey_after_the_wrap_up_goes_to_the_contact_at_once(nurse: User) -> None:
    chat = answered_chat(nurse)
    contact = services.chat_wrap_up(chat_id=chat.pk, by=nurse, now=T0 + seconds(700))
    services.chat_survey_answer(
        chat_id=chat.pk,
        answers={"waiting_time": 2, "courtesy": None, "information": None, "recommendation": None},
        remark="",
        now=T0 + seconds(800),
    )
    response = SurveyResponse.objects.get()
    assert (response.contact_id, response.waiting_time, response.complete) == (contact.pk, 2, False)


def test_no_survey_after_an_unanswered_chat() -> None:
    chat = services.chat_start(now=T0)
    services.chat_end(chat_id=chat.pk, ended_by=EndedBy.PARENT, now=T0 + seconds(5))
    with pytest.raises(services.ChatError):
        services.chat_survey_answer(chat_id=chat.pk, answers={"courtesy": 5}, remark="", now=T0)
    assert Chat.objects.get(pk=chat.pk).survey_answered_at is None


@pytest.mark.parametrize(
    ("capacity", "active", "position", "expected"),
    [
        (6, 2, 1, 0),  # free places: answered at once
        (6, 2, 4, 0),
        (6, 6, 1, 100),  # every place busy: 600 s / 6 places
        (6, 5, 3, 200),  # one free place, then 2 x 100 s
        (0, 0, 1, None),  # nobody online: no estimate
    ],
)
def test_the_expected_wait(capacity: int, active: int, position: int, expected: int | None) -> None:
    snapshot = QueueSnapshot(
        order=[], online=capacity // 3, active=active, capacity=capacity, handle_seconds=600
    )
    assert expected_wait_seconds(snapshot=snapshot, position=position) == expected


def test_the_snapshot_uses_recent_handling_times(nurse: User) -> None:
    now = timezone.now()
    answered_chat(nurse, start=now - dt.timedelta(hours=2), talk=300)
    answered_chat(nurse, start=now - dt.timedelta(hours=1), talk=500)
    answered_chat(nurse, start=now - dt.timedelta(days=9), talk=3000)  # too old to count
    NursePresence.objects.create(channel_name="c1", user=nurse, seen_at=now)
    NursePresence.objects.create(channel_name="c2", user=nurse, seen_at=now - seconds(91))
    waiting = services.chat_start(now=now)
    snapshot = queue_snapshot(now=now)
    assert (snapshot.order, snapshot.online, snapshot.capacity, snapshot.active) == (
        [waiting.pk],
        1,
        3,
        0,
    )
    assert snapshot.handle_seconds == 400.0


def test_the_retention_job_deletes_old_transcripts_only(settings: Any, nurse: User) -> None:
    settings.KGLIJN_CHAT_RETENTION_DAYS = 30
    old = answered_chat(nurse, first_name="Sara")
    recent = services.chat_start(now=T0 + dt.timedelta(days=25))
    services.chat_message_post(
        chat_id=recent.pk, sender=Sender.PARENT, body="nieuw", now=T0 + dt.timedelta(days=25)
    )
    now = T0 + dt.timedelta(days=31)
    assert chat_transcripts_purge(now=now) == 1
    assert chat_transcripts_purge(now=now) == 0  # idempotent
    old.refresh_from_db()
    assert (old.first_name, old.transcript_deleted_at, old.handle_seconds) == ("", now, 600)
    assert ChatMessage.objects.filter(chat=old).count() == 0
    assert ChatMessage.objects.filter(chat=recent).count() == 1
