"""The outbox's one claim -> SMTP -> mark cycle, through a real SMTP server (aiosmtpd), with a
purpose of the tests' own: sent once, never twice, an unknown fate never re-sent by itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kglijn.core.tasks import tasks_run
from kglijn.outbox.models import OutboundMail, OutboxState
from kglijn.outbox.purposes import Failure
from kglijn.outbox.services import (
    MAX_ATTEMPTS,
    RETRY_AFTER,
    STALE_CLAIM,
    OutboxRefused,
    outbox_claim,
    outbox_deliver,
    outbox_enqueue,
    outbox_requeue,
    outbox_send,
)
from tests.outbox.purposes import NotePurpose
from tests.surveys.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db

KEY = "test_note"


def enqueue(reference: int, *, due_at: dt.datetime | None = None) -> OutboundMail:
    with transaction.atomic():
        return outbox_enqueue(purpose=KEY, reference=reference, due_at=due_at or timezone.now())


def state(mail: OutboundMail) -> tuple[str, int]:
    mail.refresh_from_db()
    return mail.state, mail.attempts


def recipients(smtp: SmtpSink) -> list[str]:
    return [received.rcpt_tos[0] for received in smtp.received]


def test_a_mail_is_claimed_sent_and_marked_once(note_purpose: NotePurpose, smtp: SmtpSink) -> None:
    mail = enqueue(1)
    now = timezone.now()
    assert outbox_send(now=now) == 1
    assert recipients(smtp) == ["note1@example.be"]
    assert smtp.received[0].message["Message-ID"] == "<note.1@example.be>"
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.sent_at) == (OutboxState.SENT, 1, now)
    assert mail.message_id == "<note.1@example.be>"
    assert [(ref, outcome.state) for ref, outcome in note_purpose.outcomes] == [(1, "sent")]
    # later sweeps send nothing more
    assert outbox_send(now=now + dt.timedelta(days=1)) == 0
    assert len(smtp.received) == 1


def test_a_mail_that_is_not_due_waits(note_purpose: NotePurpose, smtp: SmtpSink) -> None:
    now = timezone.now()
    enqueue(1, due_at=now + dt.timedelta(hours=1))
    assert outbox_send(now=now) == 0
    assert outbox_send(now=now + dt.timedelta(hours=1)) == 1
    assert recipients(smtp) == ["note1@example.be"]


def test_only_one_claim_wins(note_purpose: NotePurpose, smtp: SmtpSink) -> None:
    mail = enqueue(1)
    now = timezone.now()
    first = outbox_claim(now=now)
    assert first is not None
    assert first.email is not None
    assert outbox_claim(now=now) is None
    assert outbox_claim(now=now, pk=mail.pk) is None
    assert state(mail) == (OutboxState.SENDING, 1)
    assert note_purpose.claims == [1]


def test_one_reference_has_one_mail(note_purpose: NotePurpose) -> None:
    enqueue(1)
    with pytest.raises(IntegrityError):
        enqueue(1)


def test_an_unknown_purpose_is_refused_when_queued() -> None:
    with pytest.raises(ImproperlyConfigured, match="no purpose 'nobody'"):
        outbox_enqueue(purpose="nobody", reference=1, due_at=timezone.now())


def test_a_broken_off_dialogue_is_unknown_and_never_resent_by_itself(
    note_purpose: NotePurpose, smtp: SmtpSink
) -> None:
    smtp.drop_after_data = True  # the server took the mail and hung up without saying so
    mail = enqueue(1)
    now = timezone.now()
    assert outbox_send(now=now) == 1
    assert state(mail) == (OutboxState.UNKNOWN, 1)
    assert mail.error.startswith("broke off")
    ((_ref, outcome),) = note_purpose.outcomes
    assert (outcome.state, outcome.failure) == ("unknown", Failure.BROKE_OFF)
    smtp.drop_after_data = False
    for later in (dt.timedelta(minutes=1), STALE_CLAIM * 2, dt.timedelta(days=2)):
        assert outbox_send(now=now + later) == 0
    assert len(smtp.received) == 1
    # a person decides to send it again: then it goes, with the same Message-ID
    with transaction.atomic():
        outbox_requeue(purpose=KEY, reference=1, now=now, send_now=False)
    assert outbox_send(now=now) == 1
    assert [m.message["Message-ID"] for m in smtp.received] == ["<note.1@example.be>"] * 2
    assert state(mail) == (OutboxState.SENT, 1)


def test_a_claim_whose_process_died_becomes_unknown_after_the_stale_time(
    note_purpose: NotePurpose, smtp: SmtpSink
) -> None:
    mail = enqueue(1)
    now = timezone.now()
    assert outbox_claim(now=now) is not None  # and the process died before sending
    assert outbox_send(now=now + STALE_CLAIM - dt.timedelta(seconds=1)) == 0
    assert state(mail) == (OutboxState.SENDING, 1)
    assert outbox_send(now=now + STALE_CLAIM + dt.timedelta(seconds=1)) == 1
    assert state(mail) == (OutboxState.UNKNOWN, 1)
    assert mail.error == "interrupted while sending"
    ((_ref, outcome),) = note_purpose.outcomes
    assert outcome.failure == Failure.INTERRUPTED
    assert outbox_send(now=now + dt.timedelta(days=1)) == 0
    assert smtp.received == []


def test_a_late_finish_of_an_old_claim_changes_nothing(
    note_purpose: NotePurpose, smtp: SmtpSink
) -> None:
    # a claim resolved as stale, then sent again by a person: the first process, waking up,
    # must not overwrite what the second claim does
    mail = enqueue(1)
    now = timezone.now()
    old = outbox_claim(now=now)
    assert old is not None
    outbox_send(now=now + STALE_CLAIM * 2)
    with transaction.atomic():
        outbox_requeue(purpose=KEY, reference=1, now=now, send_now=False)
    new = outbox_claim(now=now)
    assert new is not None
    from django.core.mail import get_connection

    connection = get_connection()
    assert outbox_deliver(connection, old, now=now) is True  # the server takes it...
    assert state(mail) == (OutboxState.SENDING, 1)  # ...but only the new claim may mark it
    assert outbox_deliver(connection, new, now=now) is True
    assert state(mail) == (OutboxState.SENT, 1)


def test_sending_again_is_only_for_failed_or_unknown_mails(
    note_purpose: NotePurpose, smtp: SmtpSink
) -> None:
    enqueue(1)
    with pytest.raises(OutboxRefused):
        outbox_requeue(purpose=KEY, reference=1, now=timezone.now())
    outbox_send(now=timezone.now())
    with pytest.raises(OutboxRefused):
        outbox_requeue(purpose=KEY, reference=1, now=timezone.now())
    assert len(smtp.received) == 1


def test_a_temporary_refusal_is_retried_then_given_up(
    note_purpose: NotePurpose, smtp: SmtpSink
) -> None:
    smtp.rcpt_reply = "451 4.7.1 Try again later"
    mail = enqueue(1)
    now = timezone.now()
    outbox_send(now=now)
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.next_attempt_at) == ("pending", 1, now + RETRY_AFTER)
    assert mail.error == "recipient refused (451)"
    assert outbox_send(now=now + RETRY_AFTER - dt.timedelta(seconds=1)) == 0
    for _attempt in range(MAX_ATTEMPTS - 1):
        now += RETRY_AFTER * MAX_ATTEMPTS
        assert outbox_send(now=now) == 1
    assert state(mail) == (OutboxState.FAILED, MAX_ATTEMPTS)
    last = note_purpose.outcomes[-1][1]
    assert (last.failure, last.code, last.permanent) == (Failure.RECIPIENT, 451, False)
    assert smtp.received == []


def test_a_permanent_refusal_fails_at_once(note_purpose: NotePurpose, smtp: SmtpSink) -> None:
    smtp.rcpt_reply = "550 5.1.1 No such user"
    mail = enqueue(1)
    enqueue(2)
    assert outbox_send(now=timezone.now()) == 2  # an address refusal does not stop the batch
    assert state(mail) == (OutboxState.FAILED, 1)
    assert [outcome.permanent for _ref, outcome in note_purpose.outcomes] == [True, True]


def test_a_refused_sender_is_retried_and_stops_the_batch(
    note_purpose: NotePurpose, smtp: SmtpSink
) -> None:
    smtp.mail_reply = "553 5.7.1 Sender address rejected"
    first, second = enqueue(1), enqueue(2)
    assert outbox_send(now=timezone.now()) == 1
    assert state(first) == (OutboxState.PENDING, 1)  # our configuration: retried, even on 5xx
    assert state(second) == (OutboxState.PENDING, 0)  # not tried: it would fare the same


def test_an_unreachable_server_claims_nothing(note_purpose: NotePurpose, settings: Any) -> None:
    from tests.surveys.smtp_sink import use_smtp

    use_smtp(settings, SmtpSink())  # a free port nobody listens on
    mail = enqueue(1)
    assert outbox_send(now=timezone.now()) == 0
    assert state(mail) == (OutboxState.PENDING, 0)
    assert note_purpose.claims == []


def test_a_declined_mail_is_cancelled_and_not_sent(
    note_purpose: NotePurpose, smtp: SmtpSink
) -> None:
    note_purpose.decline.add(1)
    mail = enqueue(1)
    enqueue(2)
    assert outbox_send(now=timezone.now()) == 2
    assert state(mail) == (OutboxState.CANCELLED, 0)
    assert recipients(smtp) == ["note2@example.be"]
    outcomes = [(ref, outcome.state, outcome.failure) for ref, outcome in note_purpose.outcomes]
    assert outcomes == [(1, "cancelled", Failure.DECLINED), (2, "sent", None)]


def test_a_mail_that_cannot_be_built_does_not_hold_up_the_others(
    note_purpose: NotePurpose, smtp: SmtpSink
) -> None:
    # the first due mail's purpose raises (e.g. missing configuration): its claim is rolled
    # back, that purpose waits, the other purposes' mails still go out, then the job fails
    note_purpose.explode.add(1)
    broken = enqueue(1, due_at=timezone.now() - dt.timedelta(minutes=1))
    same_purpose = enqueue(3)
    with transaction.atomic():
        outbox_enqueue(purpose="test_other", reference=2, due_at=timezone.now())
    with pytest.raises(RuntimeError, match="note 1 cannot be built"):
        outbox_send(now=timezone.now())
    assert state(broken) == (OutboxState.PENDING, 0)  # untouched: tried again next round
    assert state(same_purpose) == (OutboxState.PENDING, 0)
    assert recipients(smtp) == ["note2@example.be"]


def test_send_now_runs_after_the_commit_under_the_immediate_backend(
    note_purpose: NotePurpose,
    smtp: SmtpSink,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mail = outbox_enqueue(purpose=KEY, reference=1, due_at=timezone.now(), send_now=True)
    assert smtp.received == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert recipients(smtp) == ["note1@example.be"]
    assert state(mail) == (OutboxState.SENT, 1)


def test_send_now_under_the_database_backend_is_run_by_the_worker_job(
    note_purpose: NotePurpose,
    smtp: SmtpSink,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert tasks_run(now=timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        mail = outbox_enqueue(purpose=KEY, reference=1, due_at=timezone.now(), send_now=True)
    # stored, not run: the request does not wait for the mail server
    assert smtp.received == []
    assert DBTaskResult.objects.ready().count() == 1
    assert tasks_run(now=timezone.now()) == 1
    assert recipients(smtp) == ["note1@example.be"]
    assert state(mail) == (OutboxState.SENT, 1)
    assert DBTaskResult.objects.successful().count() == 1
    assert tasks_run(now=timezone.now()) == 0


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        (["kglijn.mail.outbound.nothing"], "cannot import"),
        (["kglijn.mail.outbound.may_answer"], "is not a purpose"),
        (["tests.outbox.purposes.NOTE", "tests.outbox.purposes.NOTE"], "used twice"),
    ],
)
def test_a_wrong_purpose_setting_fails_the_system_check(
    settings: Any, paths: list[str], message: str
) -> None:
    from kglijn.outbox.apps import purposes_check

    assert purposes_check() == []
    settings.KGLIJN_OUTBOX_PURPOSES = paths
    (error,) = purposes_check()
    assert error.id == "outbox.E001"
    assert message in error.msg
