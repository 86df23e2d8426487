"""mail_ingest: one received message becomes one contact, a reply on one, or a quarantine row,
in one transaction, idempotent on the Message-ID."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from kglijn.contacts.models import Channel, Contact, Office, Origin, Status
from kglijn.core.models import AuditEvent
from kglijn.mail import inbound
from kglijn.mail.attachments import attachment_path
from kglijn.mail.inbound import Outcome, mail_ingest
from kglijn.mail.models import (
    DeliveryStatus,
    MailAttachment,
    MailDirection,
    MailMessage,
    Quarantine,
    QuarantineReason,
)
from kglijn.mail.parsing import synthetic_message_id
from tests.contacts.factories import ContactFactory
from tests.mail import samples
from tests.mail.imap_server import make_message

pytestmark = pytest.mark.django_db

ARRIVED = dt.datetime(2024, 5, 13, 9, 30, tzinfo=dt.UTC)
NOW = dt.datetime(2024, 5, 13, 9, 31, tzinfo=dt.UTC)
SENDER = "jan.peeters@example.be"


def ingest(raw: bytes) -> inbound.IngestResult:
    return mail_ingest(raw=raw, received_at=ARRIVED, now=NOW)


def answered_contact(*, status: str = Status.CLOSED, email: str = SENDER) -> Contact:
    """An e-mail contact with our answer (message id <answer-1@kindengezin.be>) on it."""
    contact = ContactFactory.create(
        channel=Channel.EMAIL,
        origin=Origin.MAILBOX,
        anonymous=False,
        caller_name="Jan Peeters",
        caller_email=email,
        status=status,
        closed_at=ARRIVED - dt.timedelta(days=1) if status == Status.CLOSED else None,
    )
    MailMessage.objects.create(
        contact=contact,
        direction=MailDirection.OUT,
        message_id="<answer-1@kindengezin.be>",
        subject=f"Re: Vraag [{contact.reference}]",
        to_addresses=email,
        delivery_status=DeliveryStatus.SENT,
    )
    return contact


def test_a_new_mail_becomes_one_open_front_office_email_contact(mail_dir: Path) -> None:
    raw = make_message(message_id="<q1@example.be>")
    result = ingest(raw)
    assert result.outcome == Outcome.REGISTERED
    contact = Contact.objects.get()
    assert result.contact_id == contact.pk
    assert (contact.channel, contact.origin, contact.office, contact.status) == (
        Channel.EMAIL,
        Origin.MAILBOX,
        Office.FRONT,
        Status.OPEN,
    )
    assert contact.anonymous is False
    assert (contact.caller_name, contact.caller_email) == ("Jan Peeters", SENDER)
    assert contact.received_at == ARRIVED
    assert contact.handler_id is None
    message = MailMessage.objects.get()
    assert message.contact_id == contact.pk
    assert message.direction == MailDirection.IN
    assert message.message_id == "<q1@example.be>"
    assert message.subject == "Vraag over de vaccinatie van mijn dochter"
    assert message.body_text.startswith("Beste,\n\nWanneer krijgt mijn dochter")
    assert message.received_at == ARRIVED
    assert message.raw_size == len(raw)
    assert message.delivery_status == ""
    assert message.quarantined is False
    created = AuditEvent.objects.get(object_type="contact", object_id=contact.pk)
    assert (created.action, created.actor_id) == (AuditEvent.Action.CREATE, None)


def test_the_same_message_twice_changes_nothing_the_second_time(mail_dir: Path) -> None:
    raw = make_message(message_id="<q1@example.be>")
    ingest(raw)
    before = (Contact.objects.count(), MailMessage.objects.count(), AuditEvent.objects.count())
    result = ingest(raw)
    assert result.outcome == Outcome.DUPLICATE
    assert (Contact.objects.count(), MailMessage.objects.count(), AuditEvent.objects.count()) == (
        before
    )


def test_a_message_without_message_id_is_idempotent_on_its_bytes(mail_dir: Path) -> None:
    assert ingest(samples.MISSING_HEADERS).outcome == Outcome.REGISTERED
    assert ingest(samples.MISSING_HEADERS).outcome == Outcome.DUPLICATE
    message = MailMessage.objects.get()
    assert message.message_id == synthetic_message_id(samples.MISSING_HEADERS)
    assert message.message_id_synthetic is True
    assert Contact.objects.count() == 1


def test_our_own_answer_coming_back_into_the_mailbox_is_ignored(mail_dir: Path) -> None:
    contact = answered_contact()
    raw = make_message(sender="info@kindengezin.be", message_id="<answer-1@kindengezin.be>")
    result = ingest(raw)
    assert result.outcome == Outcome.OWN
    assert Contact.objects.count() == 1
    assert MailMessage.objects.filter(contact=contact).count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"In-Reply-To": "<answer-1@kindengezin.be>"},
        {"References": "<q0@example.be> <answer-1@kindengezin.be>"},
    ],
)
def test_a_reply_to_our_answer_is_threaded_and_reopens_the_contact(
    mail_dir: Path, headers: dict[str, str]
) -> None:
    contact = answered_contact()
    raw = make_message(
        sender="Iemand Anders <partner@example.be>",  # the partner answers: still threaded
        subject="Re: Vraag",
        message_id="<reply-1@example.be>",
        headers=headers,
    )
    result = ingest(raw)
    assert result.outcome == Outcome.THREADED
    assert result.reopened is True
    assert Contact.objects.count() == 1
    contact.refresh_from_db()
    assert (contact.status, contact.closed_at) == (Status.OPEN, None)
    reply = MailMessage.objects.get(message_id="<reply-1@example.be>")
    assert reply.contact_id == contact.pk
    assert reply.direction == MailDirection.IN
    events = AuditEvent.objects.filter(object_type="contact", object_id=contact.pk)
    assert [(e.action, e.actor_id, e.detail) for e in events.order_by("id")] == [
        (AuditEvent.Action.REOPEN, None, {}),
        (AuditEvent.Action.CHANGE, None, {"mail_in": reply.pk}),
    ]


def test_a_reply_to_an_open_contact_is_threaded_without_reopening(mail_dir: Path) -> None:
    contact = answered_contact(status=Status.ESCALATED)
    result = ingest(make_message(headers={"In-Reply-To": "<answer-1@kindengezin.be>"}))
    assert (result.outcome, result.reopened) == (Outcome.THREADED, False)
    contact.refresh_from_db()
    assert contact.status == Status.ESCALATED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REOPEN).exists()


def test_the_reference_in_the_subject_threads_a_mail_from_the_contacts_address(
    mail_dir: Path,
) -> None:
    contact = answered_contact()
    result = ingest(
        make_message(sender=SENDER.upper(), subject=f"Nog een vraag [{contact.reference}]")
    )
    assert (result.outcome, result.contact_id) == (Outcome.THREADED, contact.pk)


def test_the_reference_in_the_subject_from_another_address_makes_a_new_contact(
    mail_dir: Path,
) -> None:
    contact = answered_contact()
    result = ingest(
        make_message(sender="vreemde@example.be", subject=f"Over [{contact.reference}]")
    )
    assert result.outcome == Outcome.REGISTERED
    assert result.contact_id != contact.pk
    contact.refresh_from_db()
    assert contact.status == Status.CLOSED
    assert MailMessage.objects.filter(contact=contact).count() == 1


def test_a_follow_up_on_the_senders_own_earlier_mail_is_threaded(mail_dir: Path) -> None:
    first = ingest(make_message(message_id="<first@example.be>"))
    follow_up = ingest(make_message(headers={"In-Reply-To": "<first@example.be>"}))
    assert (follow_up.outcome, follow_up.contact_id) == (Outcome.THREADED, first.contact_id)
    # quoting someone else's message id from another address threads nothing
    other = ingest(
        make_message(sender="ander@example.be", headers={"References": "<first@example.be>"})
    )
    assert other.outcome == Outcome.REGISTERED
    assert Contact.objects.count() == 2


def test_nothing_is_threaded_onto_an_anonymous_contact(mail_dir: Path) -> None:
    phone = ContactFactory.create()  # anonymous phone contact
    result = ingest(make_message(subject=f"Vraag [{phone.reference}]"))
    assert result.outcome == Outcome.REGISTERED
    assert result.contact_id != phone.pk
    assert not MailMessage.objects.filter(contact=phone).exists()


def test_an_out_of_office_reply_is_kept_on_the_thread_but_reopens_nothing(mail_dir: Path) -> None:
    contact = answered_contact()
    raw = make_message(
        subject="Afwezig: Re: Vraag",
        headers={"In-Reply-To": "<answer-1@kindengezin.be>", "Auto-Submitted": "auto-replied"},
    )
    result = ingest(raw)
    assert (result.outcome, result.reopened) == (Outcome.THREADED, False)
    contact.refresh_from_db()
    assert contact.status == Status.CLOSED
    assert MailMessage.objects.get(contact=contact, direction=MailDirection.IN).auto_submitted


def test_an_automatic_mail_about_no_contact_is_quarantined_once(mail_dir: Path) -> None:
    raw = make_message(
        sender="MAILER-DAEMON@example.be", subject="Undelivered", message_id="<bounce@x.be>"
    )
    first = ingest(raw)
    second = ingest(raw)
    assert first.outcome == second.outcome == Outcome.QUARANTINED
    assert first.quarantine_id == second.quarantine_id
    quarantine = Quarantine.objects.get()
    assert quarantine.reason == QuarantineReason.AUTOMATIC
    assert quarantine.message_key == "<bounce@x.be>"
    assert bytes(quarantine.raw) == raw
    assert quarantine.subject == "Undelivered"
    assert Contact.objects.count() == 0


def test_a_mail_the_parser_cannot_read_is_quarantined_with_its_bytes(
    mail_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(raw: bytes) -> None:
        raise UnicodeError("parser gave up")

    monkeypatch.setattr(inbound, "mail_parse", broken)
    raw = b"From: x@example.be\r\n\r\n\xff\xfe"
    result = ingest(raw)
    assert result.outcome == Outcome.QUARANTINED
    quarantine = Quarantine.objects.get()
    assert (quarantine.reason, quarantine.detail) == (
        QuarantineReason.UNPARSEABLE,
        "UnicodeError('parser gave up')",
    )
    assert bytes(quarantine.raw) == raw
    assert quarantine.received_at == ARRIVED
    assert Contact.objects.count() == 0


def test_broken_mime_becomes_a_contact_with_the_damage_named(mail_dir: Path) -> None:
    ingest(samples.BROKEN_MIME)
    message = MailMessage.objects.get()
    assert message.quarantined is True
    assert message.quarantine_reason.startswith("broken_mime: NoBoundaryInMultipartDefect")
    assert message.problems[0] == (
        "de berichtstructuur is beschadigd; getoond zover leesbaar (NoBoundaryInMultipartDefect)"
    )
    assert "Ik zoek opvang in Gent." in message.body_text


def test_a_mail_without_sender_address_is_a_contact_that_cannot_be_mailed(mail_dir: Path) -> None:
    result = ingest(b"From: Onbekend\r\nSubject: vraag\r\n\r\nIk heb een vraag.\r\n")
    assert result.outcome == Outcome.REGISTERED
    contact = Contact.objects.get()
    assert (contact.anonymous, contact.caller_email, contact.caller_name) == (False, "", "")
    message = MailMessage.objects.get()
    assert message.quarantine_reason == "no_sender: Onbekend"


def test_attachments_are_stored_or_refused_and_noted(mail_dir: Path) -> None:
    ingest(samples.EXE_ATTACHMENT)
    exe, pdf = MailAttachment.objects.order_by("id")
    assert (exe.filename, exe.refused, exe.refused_reason, exe.sha256) == (
        "factuur.exe",
        True,
        "dangerous_type",
        "",
    )
    assert exe.size == 64
    assert (pdf.filename, pdf.refused, pdf.content_type) == ("attest.pdf", False, "application/pdf")
    assert attachment_path(pdf.sha256).read_bytes() == b"%PDF-1.4 attest"
    assert str(attachment_path(pdf.sha256)).startswith(str(mail_dir))
    stored = [path for path in mail_dir.rglob("*") if path.is_file()]
    assert stored == [attachment_path(pdf.sha256)]


def test_an_attachment_over_the_limit_is_refused_and_the_mail_still_registered(
    mail_dir: Path, settings: Any
) -> None:
    settings.KGLIJN_MAIL_MAX_ATTACHMENT_BYTES = 1000
    ingest(samples.with_attachment(1001))
    attachment = MailAttachment.objects.get()
    assert (attachment.refused, attachment.refused_reason, attachment.size) == (
        True,
        "too_large",
        1001,
    )
    assert Contact.objects.count() == 1
    assert not any(path.is_file() for path in mail_dir.rglob("*"))


def test_a_failure_after_the_contact_was_written_leaves_nothing(
    mail_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(MailAttachment.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(samples.EXE_ATTACHMENT)
    assert Contact.objects.count() == 0
    assert MailMessage.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    monkeypatch.undo()
    assert ingest(samples.EXE_ATTACHMENT).outcome == Outcome.REGISTERED


def test_now_is_used_when_the_server_gave_no_arrival_time(mail_dir: Path) -> None:
    moment = timezone.now().replace(microsecond=0)
    mail_ingest(raw=make_message(), received_at=None, now=moment)
    assert Contact.objects.get().received_at == moment


def test_a_contact_user_is_not_needed(mail_dir: Path, agent: User) -> None:
    # The poll writes as kglijn itself: no handler, no creator.
    ingest(make_message())
    contact = Contact.objects.get()
    assert (contact.handler_id, contact.created_by_id) == (None, None)
