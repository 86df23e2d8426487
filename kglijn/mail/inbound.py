"""Received mail -> contacts (issue 6 item 1, ADR 0010 §1-2).

`mail_ingest` turns the bytes of one message into exactly one of: a new e-mail contact (origin
mailbox, front office, open) with its message and attachments; a message on an existing
contact's thread (a reply to our answer), reopening it; a quarantine row; or nothing at all
because the message is already in (its Message-ID is known). All of it in one transaction, so a
crash leaves the message either fully registered or not at all, and the next poll finishes the
job without doubling it.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from kglijn.contacts.models import Channel, Contact, Office, Origin, Status
from kglijn.contacts.services import contact_register, contact_reopen
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.mail.attachments import attachment_refusal, attachment_store
from kglijn.mail.models import (
    MailAttachment,
    MailDirection,
    MailMessage,
    Quarantine,
    QuarantineReason,
)
from kglijn.mail.parsing import ParsedMail, mail_parse, subject_reference, synthetic_message_id

logger = logging.getLogger("kglijn.mail.inbound")

AUDIT_TYPE = "contact"


class Outcome(enum.StrEnum):
    REGISTERED = "registered"  # a new contact
    THREADED = "threaded"  # added to an existing contact's thread
    DUPLICATE = "duplicate"  # already in: nothing changed
    OWN = "own"  # one of our own answers came back into the mailbox: nothing changed
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class IngestResult:
    outcome: Outcome
    contact_id: int | None = None
    message_id: int | None = None
    quarantine_id: int | None = None
    reopened: bool = False


def quarantine_store(
    *,
    key: str,
    reason: str,
    detail: str,
    raw: bytes,
    raw_size: int,
    received_at: dt.datetime | None,
    subject: str = "",
    from_header: str = "",
) -> Quarantine:
    """Keep a message that did not become a contact; idempotent on its key."""
    with transaction.atomic():
        quarantine, created = Quarantine.objects.get_or_create(
            message_key=key,
            defaults={
                "reason": reason,
                "detail": detail[:5000],
                "raw": raw,
                "raw_size": raw_size,
                "received_at": received_at,
                "subject": subject[:500],
                "from_header": from_header[:500],
            },
        )
    if created:
        logger.warning("Mail %s quarantined: %s (%s)", key, reason, detail[:200])
    return quarantine


def _address_matches(contact: Contact, address: str) -> bool:
    if not address:
        return False
    own = {contact.caller_email.strip().lower()}
    if contact.customer_id is not None and contact.customer is not None:
        own.add(contact.customer.email.strip().lower())
    return address.strip().lower() in own - {""}


def _thread_contact(parsed: ParsedMail) -> Contact | None:
    """The contact this message answers, if any (ADR 0010 §1).

    1. In-Reply-To / References name one of our answers: its Message-ID is unguessable (random),
       so whoever quotes it got our mail. 2. They name an earlier message of the same sender on
       a contact. 3. The subject carries "[KG-…]" and the sender is that contact's address
       (references are sequential, so a reference alone would let anyone write onto any
       contact). Never onto an anonymous contact: it holds no personal data.
    """
    keys = [key for key in [parsed.in_reply_to, *reversed(parsed.references)] if key]
    contact_id: int | None = None
    if keys:
        contact_id = (
            MailMessage.objects.filter(direction=MailDirection.OUT, message_id__in=keys)
            .order_by("-created_at", "-id")
            .values_list("contact_id", flat=True)
            .first()
        )
        if contact_id is None and parsed.from_address:
            contact_id = (
                MailMessage.objects.filter(
                    direction=MailDirection.IN,
                    message_id__in=keys,
                    from_address__iexact=parsed.from_address,
                )
                .order_by("-created_at", "-id")
                .values_list("contact_id", flat=True)
                .first()
            )
    if contact_id is None:
        reference = subject_reference(parsed.subject)
        if reference is not None and parsed.from_address:
            candidate = (
                Contact.objects.select_related("customer")
                .filter(pk=reference, anonymous=False)
                .filter(
                    Q(caller_email__iexact=parsed.from_address)
                    | Q(customer__email__iexact=parsed.from_address)
                )
                .first()
            )
            if candidate is not None and _address_matches(candidate, parsed.from_address):
                contact_id = candidate.pk
    if contact_id is None:
        return None
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    return None if contact.anonymous else contact


def _register_contact(parsed: ParsedMail, received_at: dt.datetime) -> Contact:
    try:
        return contact_register(
            by=None,
            channel=Channel.EMAIL,
            origin=Origin.MAILBOX,
            received_at=received_at,
            office=Office.FRONT,
            anonymous=False,  # a mail's sender and text are personal data (ADR 0010 §1)
            caller_name=parsed.from_name[:200],
            caller_email=parsed.from_address,
        )
    except ValidationError as exc:
        # The address passed our check but not the register's: keep the question, not the address.
        logger.warning("Sender address of %s refused (%s)", parsed.message_id, exc.messages)
        parsed.problem("no_sender", "refused by the register")
        return contact_register(
            by=None,
            channel=Channel.EMAIL,
            origin=Origin.MAILBOX,
            received_at=received_at,
            office=Office.FRONT,
            anonymous=False,
            caller_name=parsed.from_name[:200],
        )


def _store_files(parsed: ParsedMail) -> list[MailAttachment]:
    """Attachment rows (unsaved); accepted files are written now, before the transaction."""
    rows = []
    for index, attachment in enumerate(parsed.attachments, start=1):
        refusal = attachment_refusal(
            filename=attachment.filename,
            content_type=attachment.content_type,
            data=attachment.data,
            index=index,
        )
        rows.append(
            MailAttachment(
                filename=attachment.filename,
                content_type=attachment.content_type[:255],
                size=len(attachment.data),
                sha256="" if refusal else attachment_store(attachment.data),
                refused=bool(refusal),
                refused_reason=refusal,
            )
        )
    return rows


def _known(key: str) -> Outcome | None:
    directions = set(MailMessage.objects.filter(message_id=key).values_list("direction", flat=True))
    if MailDirection.IN in directions:
        return Outcome.DUPLICATE
    if MailDirection.OUT in directions:
        return Outcome.OWN
    return None


def mail_ingest(*, raw: bytes, received_at: dt.datetime | None, now: dt.datetime) -> IngestResult:
    """Register one received message; idempotent on its Message-ID (a hash of the bytes when it
    has none): a second call with the same message changes nothing and says DUPLICATE."""
    try:
        parsed = mail_parse(raw)
    except Exception as exc:  # a bug or a mail no parser survives: keep it, go on with the rest
        logger.exception("Mail could not be parsed")
        quarantine = quarantine_store(
            key=synthetic_message_id(raw),
            reason=QuarantineReason.UNPARSEABLE,
            detail=repr(exc),
            raw=raw,
            raw_size=len(raw),
            received_at=received_at,
        )
        return IngestResult(Outcome.QUARANTINED, quarantine_id=quarantine.pk)
    known = _known(parsed.message_id)
    if known is not None:
        return IngestResult(known)
    attachments = _store_files(parsed)
    try:
        return _ingest_parsed(parsed, raw, attachments, received_at=received_at or now)
    except IntegrityError:
        # Another poller stored the same Message-ID between our check and our insert.
        known = _known(parsed.message_id)
        if known is None:
            raise
        return IngestResult(known)


@transaction.atomic
def _ingest_parsed(
    parsed: ParsedMail, raw: bytes, attachments: list[MailAttachment], *, received_at: dt.datetime
) -> IngestResult:
    known = _known(parsed.message_id)
    if known is not None:
        return IngestResult(known)
    contact = _thread_contact(parsed)
    if contact is None and parsed.auto_submitted:
        quarantine = quarantine_store(
            key=parsed.message_id,
            reason=QuarantineReason.AUTOMATIC,
            detail=parsed.quarantine_reason,
            raw=raw,
            raw_size=len(raw),
            received_at=received_at,
            subject=parsed.subject,
            from_header=parsed.from_header,
        )
        return IngestResult(Outcome.QUARANTINED, quarantine_id=quarantine.pk)
    threaded = contact is not None
    reopened = False
    if contact is None:
        contact = _register_contact(parsed, received_at)
    elif contact.status == Status.CLOSED and not parsed.auto_submitted:
        # The citizen wrote back: the contact needs an answer again. An out-of-office reply
        # is kept on the thread but reopens nothing.
        contact = contact_reopen(contact=contact, by=None)
        reopened = True
    message = MailMessage.objects.create(
        contact=contact,
        direction=MailDirection.IN,
        message_id=parsed.message_id,
        message_id_synthetic=parsed.message_id_synthetic,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        subject=parsed.subject,
        from_name=parsed.from_name,
        from_address=parsed.from_address[:320],
        to_addresses=parsed.to_addresses,
        reply_to=parsed.reply_to[:320],
        sent_at=parsed.sent_at,
        received_at=received_at,
        body_text=parsed.text,
        body_html=parsed.html,
        raw_size=parsed.raw_size,
        auto_submitted=parsed.auto_submitted,
        quarantined=bool(parsed.problems),
        quarantine_reason=parsed.quarantine_reason,
    )
    for attachment in attachments:
        attachment.message = message
    MailAttachment.objects.bulk_create(attachments)
    if threaded:
        audit_record(
            actor=None,
            action=AuditEvent.Action.CHANGE,
            object_type=AUDIT_TYPE,
            object_id=contact.pk,
            detail={"mail_in": message.pk},
        )
    return IngestResult(
        Outcome.THREADED if threaded else Outcome.REGISTERED,
        contact_id=contact.pk,
        message_id=message.pk,
        reopened=reopened,
    )
