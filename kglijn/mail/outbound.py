"""Answers from the desk (issue 6 item 3, ADR 0010 §3, ADR 0013).

`mail_reply_queue` stores the answer as an outbound message with status *queued*, and puts it
in the outbox, in the same transaction that marks the contact answered (and closed, if
asked); after the commit the outbox tries to send it at once (a Tasks API task). Whatever that
attempt does not finish - the process died, the mail server was away - the outbox's sweep in
`kglijn worker` finishes: it sends due mails and retries temporary refusals. The outbox's claim
makes sure an answer is never sent twice; one whose fate is unknown (the connection broke
mid-dialogue, or its sender died) becomes *uncertain* and is not resent by itself. A *failed*
or *uncertain* answer is never silent: the contact is reopened and the thread shows what
happened, with a button to send it again (same Message-ID).

`ANSWER` is the answers' outbox purpose: it builds the mail when the outbox claims it and keeps
the message's delivery status in step with the outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.contacts.models import Contact, Status
from kglijn.contacts.services import contact_close, contact_reopen, contact_take, contact_update
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.mail.models import DeliveryStatus, MailDirection, MailMessage
from kglijn.outbox.models import OutboundMail, OutboxState
from kglijn.outbox.purposes import Decline, Failure, Outcome
from kglijn.outbox.services import outbox_enqueue, outbox_requeue

logger = logging.getLogger("kglijn.mail.outbound")

AUDIT_TYPE = "contact"
MAX_BODY_CHARS = 20_000
MAX_QUOTED_CHARS = 8_000
MAX_REFERENCES = 20
ANSWER_PURPOSE = "mail_answer"  # OutboundMail.purpose of answers (stored: never change it)
DEFAULT_SUBJECT = "Je vraag aan de Kind en Gezin-Lijn"
_REPLY_PREFIXES = ("re:", "antw:", "aw:", "sv:", "réf:", "ref:")


# --- Composing ------------------------------------------------------------------------------


def thread_parent(contact: Contact) -> MailMessage | None:
    """The latest message of the thread with a real Message-ID: what an answer replies to."""
    return (
        MailMessage.objects.filter(contact=contact, message_id_synthetic=False)
        .exclude(delivery_status__in=[DeliveryStatus.FAILED])
        .order_by("-created_at", "-id")
        .first()
    )


def latest_received(contact: Contact) -> MailMessage | None:
    return (
        MailMessage.objects.filter(contact=contact, direction=MailDirection.IN)
        .order_by("-created_at", "-id")
        .first()
    )


def reply_recipient(contact: Contact) -> str:
    """Where the answer goes: the latest received message's Reply-To or sender, else the
    contact's address (its own, else its customer's). "" when there is none."""
    received = latest_received(contact)
    candidates = []
    if received is not None:
        candidates += [received.reply_to, received.from_address]
    candidates.append(contact.caller_email)
    if contact.customer_id is not None and contact.customer is not None:
        candidates.append(contact.customer.email)
    for candidate in candidates:
        address = (candidate or "").strip()
        if address:
            try:
                validate_email(address)
            except ValidationError:
                continue
            return address
    return ""


def reply_subject(contact: Contact) -> str:
    """ "Re: <their subject> [KG-0001234]": the reference threads their next reply to us."""
    received = latest_received(contact)
    subject = " ".join((received.subject if received else "").split()) or DEFAULT_SUBJECT
    if received is not None and not subject.lower().startswith(_REPLY_PREFIXES):
        subject = f"Re: {subject}"
    tag = f"[{contact.reference}]"
    if tag.lower() not in subject.lower():
        subject = f"{subject[: 480 - len(tag)]} {tag}"
    return subject


def _quote(message: MailMessage | None) -> str:
    if message is None or message.direction != MailDirection.IN or not message.body_text.strip():
        return ""
    when = timezone.localtime(message.received_at or message.created_at).strftime("%d/%m/%Y %H:%M")
    who = message.from_name or message.from_address or "u"
    if message.from_name and message.from_address:
        who = f"{message.from_name} <{message.from_address}>"
    text = message.body_text.strip()
    if len(text) > MAX_QUOTED_CHARS:
        text = text[:MAX_QUOTED_CHARS] + "\n[…]"
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))
    return f"\n\nOp {when} schreef {who}:\n{quoted}\n"


def _message_id(contact: Contact) -> str:
    """Unguessable (a reply quoting it proves the mail was received) and ours by its domain."""
    domain = settings.KGLIJN_MAIL_MESSAGE_ID_DOMAIN
    return f"<{secrets.token_hex(12)}.{contact.reference.lower()}@{domain}>"


def may_answer(*, user: User, contact: Contact) -> bool:
    """Whether this user may write answers for this contact (its office's queue is theirs)."""
    return user.has_perm("contacts.change_contact") and user.has_perm(
        f"contacts.queue_{contact.office}"
    )


@transaction.atomic
def mail_reply_queue(
    *, contact: Contact, by: User, body: str, close: bool, now: dt.datetime | None = None
) -> MailMessage:
    """Store an answer to the contact's sender and mark the contact answered (taken up by the
    writer if nobody had it; closed if asked); it is sent after the commit. Validates first and
    writes nothing on any error."""
    contact = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=contact.pk)
    )
    if not may_answer(user=by, contact=contact):
        raise PermissionDenied(_("You may not answer this contact."))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    body = body.replace("\r\n", "\n").strip()
    if contact.status == Status.CLOSED:
        errors["body"] = _("This contact is closed; reopen it before answering.")
    elif contact.anonymous:
        errors["body"] = _("An anonymous contact has no address to answer to.")
    elif not body:
        errors["body"] = _("Write an answer before sending.")
    elif len(body) > MAX_BODY_CHARS:
        errors["body"] = _("An answer has at most %(max)d characters.") % {"max": MAX_BODY_CHARS}
    recipient = reply_recipient(contact)
    if not recipient and "body" not in errors:
        errors["body"] = _("This contact has no valid e-mail address to answer to.")
    if close and not by.has_perm("contacts.close_contact"):
        errors["close"] = _("You may not close contacts.")
    if errors:
        raise ValidationError(errors)

    parent = thread_parent(contact)
    references = [*parent.references.split(), parent.message_id] if parent else []
    message = MailMessage.objects.create(
        contact=contact,
        direction=MailDirection.OUT,
        message_id=_message_id(contact),
        in_reply_to=parent.message_id if parent else "",
        references=" ".join(dict.fromkeys(references[-MAX_REFERENCES:])),
        subject=reply_subject(contact),
        from_name=parseaddr(settings.KGLIJN_MAIL_FROM)[0][:200],
        from_address=parseaddr(settings.KGLIJN_MAIL_FROM)[1][:320],
        to_addresses=recipient,
        reply_to=settings.KGLIJN_MAIL_REPLY_TO,
        body_text=body + _quote(latest_received(contact)),
        sent_by=by,
        delivery_status=DeliveryStatus.QUEUED,
        next_attempt_at=now,
    )
    if contact.handler_id is None or contact.status == Status.ESCALATED:
        contact = contact_take(contact=contact, by=by)
    if contact.answered_at is None:
        contact = contact_update(contact=contact, by=by, answered_at=now)
    if close:
        contact = contact_close(contact=contact, by=by, now=now)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CHANGE,
        object_type=AUDIT_TYPE,
        object_id=contact.pk,
        detail={"mail_out": message.pk},
    )
    outbox_enqueue(purpose=ANSWER_PURPOSE, reference=message.pk, due_at=now, send_now=True)
    return message


@transaction.atomic
def mail_resend(*, message: MailMessage, by: User) -> MailMessage:
    """Queue a failed or uncertain answer again, with the same Message-ID (a copy that did
    arrive is recognisable as the same mail)."""
    message = (
        MailMessage.objects.select_for_update(of=("self",))
        .select_related("contact")
        .get(pk=message.pk)
    )
    contact = message.contact
    if not may_answer(user=by, contact=contact):
        raise PermissionDenied(_("You may not answer this contact."))
    if message.delivery_status not in (DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN):
        raise ValidationError(_("Only an answer that was not sent can be sent again."))
    now = timezone.now()
    message.delivery_status = DeliveryStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = now
    message.claimed_at = None
    message.delivery_error = ""
    message.save(
        update_fields=[
            "delivery_status",
            "attempts",
            "next_attempt_at",
            "claimed_at",
            "delivery_error",
        ]
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CHANGE,
        object_type=AUDIT_TYPE,
        object_id=contact.pk,
        detail={"mail_resend": message.pk},
    )
    outbox_requeue(purpose=ANSWER_PURPOSE, reference=message.pk, now=now, send_now=True)
    return message


# --- Sending --------------------------------------------------------------------------------


def outbound_email(message: MailMessage) -> EmailMessage:
    """The mail as it goes out: plain text, our Message-ID, threading headers, Reply-To."""
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    return EmailMessage(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.KGLIJN_MAIL_FROM,
        to=[message.to_addresses],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
    )


class _AnswerPurpose:
    """The outbox purpose of answers: MailMessage.delivery_status follows the outbox."""

    key = ANSWER_PURPOSE

    def claimed(self, mail: OutboundMail, *, now: dt.datetime) -> EmailMessage | Decline:
        message = MailMessage.objects.select_for_update().get(pk=mail.reference)
        if message.delivery_status != DeliveryStatus.QUEUED:
            return Decline(f"the answer is {message.delivery_status}, not queued")
        try:
            email = outbound_email(message)
        except Exception as exc:  # a stored answer that cannot be built is reported
            logger.exception("Answer %s could not be built", message.pk)
            return Decline(f"build: {exc!r}", failed=True)
        message.delivery_status = DeliveryStatus.SENDING
        message.claimed_at = now
        message.attempts = mail.attempts
        message.save(update_fields=["delivery_status", "claimed_at", "attempts"])
        return email

    def settled(self, mail: OutboundMail, outcome: Outcome, *, now: dt.datetime) -> None:
        status = {
            OutboxState.SENT: DeliveryStatus.SENT,
            OutboxState.PENDING: DeliveryStatus.QUEUED,
            OutboxState.FAILED: DeliveryStatus.FAILED,
            OutboxState.UNKNOWN: DeliveryStatus.UNCERTAIN,
        }.get(OutboxState(outcome.state))
        if status is None:  # cancelled: the answer had already left the queue
            return
        was = (
            DeliveryStatus.QUEUED if outcome.failure == Failure.DECLINED else DeliveryStatus.SENDING
        )
        fields: dict[str, object] = {"delivery_error": outcome.error[:300]}
        if status == DeliveryStatus.SENT:
            fields["sent_at"] = mail.sent_at
        if status == DeliveryStatus.QUEUED:
            fields.update(claimed_at=None, next_attempt_at=mail.next_attempt_at)
        updated = MailMessage.objects.filter(pk=mail.reference, delivery_status=was).update(
            delivery_status=status, **fields
        )
        if not updated:
            logger.warning("Answer %s was no longer being sent when it finished", mail.reference)
            return
        if status in (DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN):
            contact_id = MailMessage.objects.values_list("contact_id", flat=True).get(
                pk=mail.reference
            )
            _needs_attention(contact_id)


def _needs_attention(contact_id: int) -> None:
    contact = Contact.objects.get(pk=contact_id)
    if contact.status == Status.CLOSED:
        contact_reopen(contact=contact, by=None)


ANSWER = _AnswerPurpose()
