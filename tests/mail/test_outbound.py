"""Answers from the desk through a real SMTP server (aiosmtpd): proper headers, stored on the
contact, sent once, and never lost silently when the mail server says no or breaks off."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kglijn.contacts.models import Contact, Office, Status
from kglijn.contacts.services import contact_escalate
from kglijn.core.models import AuditEvent
from kglijn.mail.inbound import mail_ingest
from kglijn.mail.models import DeliveryStatus, MailDirection, MailMessage
from kglijn.mail.outbound import ANSWER_PURPOSE, mail_reply_queue, mail_resend, may_answer
from kglijn.outbox.models import OutboundMail
from kglijn.outbox.services import RETRY_AFTER, STALE_CLAIM, outbox_claim, outbox_send
from tests.contacts.factories import ContactFactory
from tests.mail.imap_server import make_message
from tests.surveys.smtp_sink import SmtpSink, free_port, use_smtp

pytestmark = pytest.mark.django_db

ANSWER = "Beste Jan,\n\nDe volgende vaccinatie is op 15 maanden.\n\nMet vriendelijke groeten,\nAn"
MESSAGE_ID = re.compile(r"^<[0-9a-f]{24}\.kg-\d{7}@kindengezin\.be>$")


@pytest.fixture
def received(mail_dir: Path) -> Contact:
    """An e-mail contact made by the mailbox poll from Jan's question."""
    result = mail_ingest(
        raw=make_message(message_id="<question-1@example.be>"),
        received_at=timezone.now() - dt.timedelta(hours=2),
        now=timezone.now(),
    )
    return Contact.objects.get(pk=result.contact_id)


def outbox_row(message: MailMessage) -> OutboundMail:
    return OutboundMail.objects.get(purpose=ANSWER_PURPOSE, reference=message.pk)


def answer(
    contact: Contact,
    by: User,
    capture: Callable[..., Any],
    *,
    body: str = ANSWER,
    close: bool = True,
) -> MailMessage:
    with capture(execute=True):
        message = mail_reply_queue(contact=contact, by=by, body=body, close=close)
    message.refresh_from_db()
    return message


def test_an_answer_is_sent_with_threading_headers_and_stored_on_the_contact(
    received: Contact,
    agent: User,
    smtp: SmtpSink,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    before = timezone.now()
    message = answer(received, agent, django_capture_on_commit_callbacks)
    # the stored answer
    assert message.direction == MailDirection.OUT
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.sent_at >= before
    assert MESSAGE_ID.match(message.message_id), message.message_id
    assert message.message_id.startswith("<")
    assert received.reference.lower() in message.message_id
    assert message.sent_by == agent
    # the mail as the citizen gets it
    (mail,) = smtp.received
    assert mail.rcpt_tos == ["jan.peeters@example.be"]
    headers = mail.message
    assert headers["Message-ID"] == message.message_id
    assert headers["In-Reply-To"] == "<question-1@example.be>"
    assert headers["References"] == "<question-1@example.be>"
    assert headers["Reply-To"] == "info@kindengezin.be"
    assert headers["From"] == "Kind en Gezin-Lijn <info@kindengezin.be>"
    assert headers["To"] == "jan.peeters@example.be"
    assert headers["Subject"] == (
        f"Re: Vraag over de vaccinatie van mijn dochter [{received.reference}]"
    )
    text = mail.part("text/plain").replace("\r\n", "\n")
    assert text.startswith(ANSWER + "\n\nOp ")
    assert "schreef Jan Peeters <jan.peeters@example.be>:\n> Beste,\n>\n> Wanneer krijgt" in text
    # the contact: taken up, answered and closed by the agent
    contact = Contact.objects.get(pk=received.pk)
    assert contact.handler == agent
    assert contact.status == Status.CLOSED
    assert contact.answered_at is not None
    assert contact.answered_at >= before
    assert contact.closed_at == contact.answered_at
    actions = list(
        AuditEvent.objects.filter(object_type="contact", object_id=contact.pk, actor=agent)
        .order_by("id")
        .values_list("action", "detail")
    )
    assert actions == [
        (AuditEvent.Action.ASSIGN, {}),
        (AuditEvent.Action.CHANGE, {"fields": ["answered_at"]}),
        (AuditEvent.Action.CLOSE, {}),
        (AuditEvent.Action.CHANGE, {"mail_out": message.pk}),
    ]


def test_an_answer_can_leave_the_contact_open_and_a_second_keeps_the_first_answer_time(
    received: Contact,
    agent: User,
    smtp: SmtpSink,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    first = answer(received, agent, django_capture_on_commit_callbacks, close=False)
    contact = Contact.objects.get(pk=received.pk)
    assert contact.status == Status.OPEN
    answered_at = contact.answered_at
    assert answered_at is not None
    second = answer(received, agent, django_capture_on_commit_callbacks, body="Nog iets.")
    contact.refresh_from_db()
    assert contact.answered_at == answered_at
    assert contact.status == Status.CLOSED
    # the second answer replies to the first: the thread stays one thread in mail programs
    assert second.in_reply_to == first.message_id
    assert second.references == f"<question-1@example.be> {first.message_id}"
    assert [m.message["Message-ID"] for m in smtp.received] == [
        first.message_id,
        second.message_id,
    ]


@pytest.mark.parametrize(
    ("setup", "body", "error"),
    [
        ("open", "   ", "Schrijf een antwoord voor je verzendt."),
        ("closed", ANSWER, "Dit contact is afgesloten; heropen het voor je antwoordt."),
        ("no_address", ANSWER, "Dit contact heeft geen geldig e-mailadres om op te antwoorden."),
    ],
)
def test_a_refused_answer_changes_nothing(
    received: Contact,
    agent: User,
    smtp: SmtpSink,
    django_capture_on_commit_callbacks: Callable[..., Any],
    setup: str,
    body: str,
    error: str,
) -> None:
    if setup == "closed":
        Contact.objects.filter(pk=received.pk).update(status=Status.CLOSED)
    if setup == "no_address":
        Contact.objects.filter(pk=received.pk).update(caller_email="")
        MailMessage.objects.filter(contact=received).update(from_address="")
    before = Contact.objects.values().get(pk=received.pk)
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught, django_capture_on_commit_callbacks(execute=True):
        mail_reply_queue(contact=received, by=agent, body=body, close=True)
    assert caught.value.message_dict == {"body": [error]}
    assert Contact.objects.values().get(pk=received.pk) == before
    assert AuditEvent.objects.count() == audits
    assert not MailMessage.objects.filter(direction=MailDirection.OUT).exists()
    assert smtp.received == []


def test_another_office_may_not_answer(received: Contact, nurse: User, smtp: SmtpSink) -> None:
    assert may_answer(user=nurse, contact=received) is False
    with pytest.raises(PermissionDenied):
        mail_reply_queue(contact=received, by=nurse, body=ANSWER, close=False)
    assert not MailMessage.objects.filter(direction=MailDirection.OUT).exists()


def test_an_anonymous_contact_cannot_be_answered(agent: User, smtp: SmtpSink) -> None:
    contact = ContactFactory.create(channel="email", origin="webform")
    with pytest.raises(ValidationError) as caught:
        mail_reply_queue(contact=contact, by=agent, body=ANSWER, close=False)
    assert caught.value.message_dict == {
        "body": ["Een anoniem contact heeft geen adres om op te antwoorden."]
    }


def test_a_contact_without_mail_gets_a_first_answer_with_its_reference(
    agent: User, smtp: SmtpSink, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    contact = ContactFactory.create(
        channel="email",
        origin="webform",
        anonymous=False,
        caller_name="Lies",
        caller_email="lies@example.be",
    )
    message = answer(contact, agent, django_capture_on_commit_callbacks, close=False)
    (mail,) = smtp.received
    assert mail.message["Subject"] == f"Je vraag aan de Kind en Gezin-Lijn [{contact.reference}]"
    assert mail.message["In-Reply-To"] is None
    assert mail.message["References"] is None
    assert mail.part("text/plain").replace("\r\n", "\n") == ANSWER + "\n"
    assert message.delivery_status == DeliveryStatus.SENT


def test_an_unreachable_mail_server_leaves_the_answer_queued_for_the_worker(
    received: Contact,
    agent: User,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    sink = SmtpSink()
    use_smtp(settings, sink)  # nothing listens on its port yet
    message = answer(received, agent, django_capture_on_commit_callbacks)
    assert (message.delivery_status, message.attempts) == (DeliveryStatus.QUEUED, 0)
    # the agent's work is saved all the same
    assert Contact.objects.get(pk=received.pk).status == Status.CLOSED
    assert outbox_send(now=timezone.now()) == 0
    with sink:
        assert outbox_send(now=timezone.now()) == 1
        assert outbox_send(now=timezone.now()) == 0
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert [m.message["Message-ID"] for m in sink.received] == [message.message_id]


def test_a_refused_address_fails_the_answer_and_reopens_the_contact(
    received: Contact,
    agent: User,
    smtp: SmtpSink,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    smtp.rcpt_reply = "550 5.1.1 No such user"
    message = answer(received, agent, django_capture_on_commit_callbacks)
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_error == "recipient refused (550)"
    contact = Contact.objects.get(pk=received.pk)
    assert (contact.status, contact.closed_at) == (Status.OPEN, None)
    reopen = AuditEvent.objects.get(object_id=contact.pk, action=AuditEvent.Action.REOPEN)
    assert reopen.actor_id is None
    assert outbox_send(now=timezone.now()) == 0  # a failed answer is not retried by itself


def test_a_temporary_refusal_is_retried_later(
    received: Contact,
    agent: User,
    smtp: SmtpSink,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    smtp.rcpt_reply = "451 4.7.1 Try again later"
    message = answer(received, agent, django_capture_on_commit_callbacks)
    assert (message.delivery_status, message.attempts) == (DeliveryStatus.QUEUED, 1)
    assert message.next_attempt_at is not None
    assert message.next_attempt_at > timezone.now() + RETRY_AFTER - dt.timedelta(seconds=5)
    smtp.rcpt_reply = None
    assert outbox_send(now=timezone.now()) == 0  # not due yet
    assert outbox_send(now=message.next_attempt_at) == 1
    message.refresh_from_db()
    assert (message.delivery_status, message.attempts) == (DeliveryStatus.SENT, 2)
    assert len(smtp.received) == 1
    assert Contact.objects.get(pk=received.pk).status == Status.CLOSED


def test_a_broken_off_send_is_uncertain_never_resent_by_itself_and_reopens(
    received: Contact,
    agent: User,
    smtp: SmtpSink,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    smtp.drop_after_data = True  # the server took the mail and hung up without saying so
    message = answer(received, agent, django_capture_on_commit_callbacks)
    assert message.delivery_status == DeliveryStatus.UNCERTAIN
    assert len(smtp.received) == 1
    assert outbox_send(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert len(smtp.received) == 1
    assert Contact.objects.get(pk=received.pk).status == Status.OPEN
    # the agent decides to send it again: the same Message-ID
    smtp.drop_after_data = False
    with django_capture_on_commit_callbacks(execute=True):
        mail_resend(message=message, by=agent)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert [m.message["Message-ID"] for m in smtp.received] == [message.message_id] * 2


def test_a_send_interrupted_by_a_dead_process_becomes_uncertain(
    received: Contact, agent: User, smtp: SmtpSink
) -> None:
    # a process claimed the answer and died before it could say how the send ended
    message = mail_reply_queue(contact=received, by=agent, body=ANSWER, close=True)
    assert outbox_claim(now=timezone.now(), pk=outbox_row(message).pk) is not None
    claimed_at = timezone.now() - STALE_CLAIM - dt.timedelta(seconds=1)
    OutboundMail.objects.filter(pk=outbox_row(message).pk).update(claimed_at=claimed_at)
    assert outbox_send(now=timezone.now()) == 1
    message.refresh_from_db()
    assert (message.delivery_status, message.delivery_error) == (
        DeliveryStatus.UNCERTAIN,
        "interrupted while sending",
    )
    assert smtp.received == []
    assert Contact.objects.get(pk=received.pk).status == Status.OPEN


def test_only_one_claim_wins(received: Contact, agent: User) -> None:
    message = mail_reply_queue(contact=received, by=agent, body=ANSWER, close=False)
    now = timezone.now()
    assert outbox_claim(now=now, pk=outbox_row(message).pk) is not None
    assert outbox_claim(now=now, pk=outbox_row(message).pk) is None
    assert MailMessage.objects.get(pk=message.pk).attempts == 1


def test_resend_only_for_answers_that_were_not_sent(
    received: Contact,
    agent: User,
    smtp: SmtpSink,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    message = answer(received, agent, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        mail_resend(message=message, by=agent)
    assert len(smtp.received) == 1


def test_the_thread_follows_the_contact_to_the_back_office(
    received: Contact,
    agent: User,
    nurse: User,
    smtp: SmtpSink,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    contact_escalate(contact=received, to_office=Office.PGJO, reason="Medische vraag", by=agent)
    received.refresh_from_db()
    assert may_answer(user=nurse, contact=received) is True
    assert may_answer(user=agent, contact=received) is False
    message = answer(received, nurse, django_capture_on_commit_callbacks)
    assert message.in_reply_to == "<question-1@example.be>"
    contact = Contact.objects.get(pk=received.pk)
    assert (contact.handler, contact.status, contact.office) == (nurse, Status.CLOSED, Office.PGJO)
    assert smtp.received[0].rcpt_tos == ["jan.peeters@example.be"]


def test_the_free_port_helper_gives_a_closed_port() -> None:
    # guards the "unreachable" test above: nothing may listen on a fresh free port
    import socket

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", free_port()), timeout=1)
