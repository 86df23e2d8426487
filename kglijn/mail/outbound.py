"""Answers from the desk (issue 6 item 3, ADR 0010 §3).

`mail_reply_queue` stores the answer as an outbound message with status *queued* in the same
transaction that marks the contact answered (and closed, if asked); after the commit the request
tries to send it at once. Whatever that attempt does not finish - the process died, the mail
server was away - the `kglijn worker` job `outbox_send` finishes: it sends *queued* answers and
retries temporary refusals. Each send is claimed first (queued -> sending, its own transaction),
so an answer is never sent twice by two processes; one whose fate is unknown (the connection
broke mid-dialogue, or a claim older than STALE_CLAIM) becomes *uncertain* and is not resent by
itself. A *failed* or *uncertain* answer is never silent: the contact is reopened and the thread
shows what happened, with a button to send it again (same Message-ID).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.contacts.models import Contact, Status
from kglijn.contacts.services import contact_close, contact_reopen, contact_take, contact_update
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.core.smtp import smtp_close_quietly, smtp_connection_ready
from kglijn.core.worker import stop_requested
from kglijn.mail.models import DeliveryStatus, MailDirection, MailMessage

logger = logging.getLogger("kglijn.mail.outbound")

AUDIT_TYPE = "contact"
MAX_BODY_CHARS = 20_000
MAX_QUOTED_CHARS = 8_000
MAX_REFERENCES = 20
STALE_CLAIM = dt.timedelta(minutes=15)
SEND_BATCH = 50
MAX_ATTEMPTS = 8
RETRY_AFTER = dt.timedelta(minutes=5)  # times the attempts so far
INLINE_TIMEOUT = 10  # seconds: the agent waits for this attempt
DEFAULT_SUBJECT = "Uw vraag aan de Kind en Gezin-Lijn"
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
    transaction.on_commit(lambda: outbound_send_now(message_pk=message.pk))
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
    message.delivery_status = DeliveryStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
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
    transaction.on_commit(lambda: outbound_send_now(message_pk=message.pk))
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


def _claim(*, now: dt.datetime, pk: int | None = None) -> MailMessage | None:
    """Claim the next due queued answer (or this one) in its own transaction."""
    with transaction.atomic():
        due = MailMessage.objects.select_for_update(skip_locked=True).filter(
            direction=MailDirection.OUT,
            delivery_status=DeliveryStatus.QUEUED,
            next_attempt_at__lte=now,
        )
        if pk is not None:
            due = due.filter(pk=pk)
        candidate = due.order_by("next_attempt_at", "id").values_list("pk", flat=True).first()
        if candidate is None:
            return None
        claimed = MailMessage.objects.filter(
            pk=candidate, delivery_status=DeliveryStatus.QUEUED
        ).update(delivery_status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return MailMessage.objects.get(pk=candidate)


def _finish(message: MailMessage, *, status: str, error: str = "", **fields: object) -> None:
    """Record how a claimed send ended; a failed or uncertain answer reopens its contact."""
    with transaction.atomic():
        updated = MailMessage.objects.filter(
            pk=message.pk, delivery_status=DeliveryStatus.SENDING
        ).update(delivery_status=status, delivery_error=error[:300], **fields)
        if not updated:
            logger.warning("Answer %s was no longer being sent when it finished", message.pk)
            return
        if status in (DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN):
            _needs_attention(message.contact_id)


def _needs_attention(contact_id: int) -> None:
    contact = Contact.objects.get(pk=contact_id)
    if contact.status == Status.CLOSED:
        contact_reopen(contact=contact, by=None)


def _not_sent(message: MailMessage, *, now: dt.datetime, permanent: bool, error: str) -> None:
    """The mail server certainly did not take it: retry later, or give up (failed)."""
    attempts = MailMessage.objects.values_list("attempts", flat=True).get(pk=message.pk)
    if permanent or attempts >= MAX_ATTEMPTS:
        _finish(message, status=DeliveryStatus.FAILED, error=error)
        return
    _finish(
        message,
        status=DeliveryStatus.QUEUED,
        error=error,
        claimed_at=None,
        next_attempt_at=now + RETRY_AFTER * attempts,
    )


def _smtp_code(exc: smtplib.SMTPException) -> int:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return max((code for code, _message in exc.recipients.values()), default=550)
    if isinstance(exc, smtplib.SMTPResponseException):
        return int(exc.smtp_code)
    return 0


def _deliver(connection: BaseEmailBackend, message: MailMessage, *, now: dt.datetime) -> bool:
    """Hand one claimed answer to the mail server; False when the batch should stop."""
    try:
        email = outbound_email(message)
    except Exception as exc:  # a stored answer that cannot be built is reported
        logger.exception("Answer %s could not be built", message.pk)
        _finish(message, status=DeliveryStatus.FAILED, error=f"build: {exc!r}")
        return True
    try:
        connection.send_messages([email])
    except smtplib.SMTPRecipientsRefused as exc:
        code = _smtp_code(exc)
        _not_sent(message, now=now, permanent=code >= 500, error=f"recipient refused ({code})")
        return True
    except smtplib.SMTPSenderRefused as exc:
        # Our own address refused: configuration, not this answer. Retry; stop the batch.
        logger.error("Sender refused by the mail server (%s): check KGLIJN_MAIL_FROM", exc)
        _not_sent(message, now=now, permanent=False, error=f"sender refused ({_smtp_code(exc)})")
        return False
    except smtplib.SMTPDataError as exc:
        code = _smtp_code(exc)
        _not_sent(message, now=now, permanent=code >= 500, error=f"message refused ({code})")
        return False
    except (smtplib.SMTPException, OSError) as exc:
        # Broken off mid-dialogue: the server may have taken it. Never send it twice by itself.
        logger.warning("Answer %s: sending broke off (%s); not resent by itself", message.pk, exc)
        _finish(message, status=DeliveryStatus.UNCERTAIN, error=f"broke off: {exc}")
        return False
    _finish(message, status=DeliveryStatus.SENT, sent_at=now)
    logger.info("Answer %s sent as %s", message.pk, message.message_id)
    return True


def outbound_send_now(*, message_pk: int) -> None:
    """The attempt right after the agent pressed send (after commit). Never raises: what it
    does not finish, the worker does."""
    try:
        now = timezone.now()
        connection = get_connection(fail_silently=False, timeout=INLINE_TIMEOUT)
        try:
            if not smtp_connection_ready(connection, waiting="answers"):
                return
            claimed = _claim(now=now, pk=message_pk)
            if claimed is not None:
                _deliver(connection, claimed, now=now)
        finally:
            smtp_close_quietly(connection)
    except Exception:
        logger.exception("Answer %s: the immediate attempt failed; the worker retries", message_pk)


def outbox_resolve_stale(*, now: dt.datetime) -> int:
    """Claims of a process that died while sending: uncertain, never sent again by itself."""
    stale = list(
        MailMessage.objects.filter(
            direction=MailDirection.OUT,
            delivery_status=DeliveryStatus.SENDING,
            claimed_at__lt=now - STALE_CLAIM,
        )
    )
    for message in stale:
        logger.warning(
            "Answer %s: the sender stopped while sending %s; not resent by itself",
            message.pk,
            message.message_id,
        )
        _finish(message, status=DeliveryStatus.UNCERTAIN, error="interrupted while sending")
    return len(stale)


def outbox_send(*, now: dt.datetime) -> int:
    """The `kglijn worker` job: resolve stale claims, then send up to SEND_BATCH due answers.
    Returns how many answers changed state."""
    work = outbox_resolve_stale(now=now)
    if not MailMessage.objects.filter(
        direction=MailDirection.OUT, delivery_status=DeliveryStatus.QUEUED, next_attempt_at__lte=now
    ).exists():
        return work
    connection = get_connection(fail_silently=False)
    try:
        for _i in range(SEND_BATCH):
            if stop_requested() or not smtp_connection_ready(connection, waiting="answers"):
                break
            claimed = _claim(now=now)
            if claimed is None:
                break
            work += 1
            if not _deliver(connection, claimed, now=now):
                break
    finally:
        smtp_close_quietly(connection)
    return work
