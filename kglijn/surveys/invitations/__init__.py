"""E-mail survey invitations (issue 5 item 3, ADR 0008).

48 hours after an e-mail contact is answered by an employee, one invitation goes to the sender.
`invitations_send` is a `kglijn worker` job: it schedules the contacts that became due and
sends the scheduled invitations one by one, each claimed and marked in its own transaction, so
a worker that dies mid-batch neither loses nor doubles the others. The one message in flight
when a worker dies is never sent twice (at most once, ADR 0008 §3).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kglijn.contacts.models import Channel, Contact, Direction
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.core.smtp import smtp_close_quietly, smtp_connection_ready
from kglijn.core.worker import stop_requested
from kglijn.surveys.models import (
    Criterion,
    InvitationStatus,
    Source,
    SurveyInvitation,
    SurveyOptOut,
    SurveyResponse,
)
from kglijn.surveys.services import SurveyAlreadyAnswered, survey_response_record
from kglijn.surveys.tokens import token_hash, token_new, token_well_formed

logger = logging.getLogger("kglijn.surveys.invitations")

SEND_AFTER = dt.timedelta(hours=48)
# Answers older than this (48 h + a week) are never invited: a worker that was down for longer,
# or history loaded into the register, must not mail people about e-mails of long ago.
CATCH_UP = dt.timedelta(days=7)
TOKEN_VALID = dt.timedelta(days=14)
# A claim older than this belongs to a worker that died while sending (a send takes at most a
# few SMTP timeouts, EMAIL_TIMEOUT = 30 s each).
STALE_CLAIM = dt.timedelta(minutes=15)
SCHEDULE_BATCH = 500
SEND_BATCH = 50
MAX_ATTEMPTS = 8
RETRY_AFTER = dt.timedelta(minutes=5)  # times the number of attempts so far
AUDIT_TYPE = "contact"
MAIL_LANGUAGE = "nl-be"


class Skip(enum.StrEnum):
    """Why an invitation was not sent: stored in skip_reason (a code, then any detail)."""

    ANONYMOUS = "anonymous"
    NO_ADDRESS = "no_address"
    REOPENED = "reopened"
    OPTED_OUT = "opted_out"
    TOO_LATE = "too_late"
    INTERRUPTED = "interrupted"
    UNCERTAIN = "uncertain"
    REFUSED = "refused"
    GAVE_UP = "gave_up"


SKIP_LABELS: dict[str, Promise] = {
    Skip.ANONYMOUS: _("anonymous contact"),
    Skip.NO_ADDRESS: _("no e-mail address"),
    Skip.REOPENED: _("the contact was reopened after the answer"),
    Skip.OPTED_OUT: _("the sender opted out of surveys"),
    Skip.TOO_LATE: _("more than a week overdue"),
    Skip.INTERRUPTED: _("the worker stopped while sending: perhaps sent, never sent twice"),
    Skip.UNCERTAIN: _("the mail server broke off while sending: perhaps sent, never sent twice"),
    Skip.REFUSED: _("refused by the mail server"),
    Skip.GAVE_UP: _("the mail server could not be reached"),
}


def invitation_address(contact: Contact) -> str:
    """Where the invitation goes: the address the sender wrote from, else the customer's."""
    if contact.anonymous:
        return ""
    if contact.caller_email:
        return contact.caller_email.strip()
    if contact.customer_id is not None and contact.customer is not None:
        return contact.customer.email.strip()
    return ""


def _reopened_after_answer() -> Exists:
    return Exists(
        AuditEvent.objects.filter(
            object_type=AUDIT_TYPE,
            object_id=OuterRef("pk"),
            action=AuditEvent.Action.REOPEN,
            at__gt=OuterRef("answered_at"),
        )
    )


def address_hash(address: str) -> str:
    """The pseudonymised form of an e-mail address an opt-out is kept under."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def invitation_opted_out(*, address: str) -> bool:
    """Has the owner of this address opted out of surveys? (SurveyOptOut holds only a hash of
    the address, so an opt-out outlives the contacts that carried it.)"""
    address = address.strip()
    if not address:
        return False
    return SurveyOptOut.objects.filter(address_hash=address_hash(address)).exists()


def _skip_reason(contact: Contact, *, reopened: bool, due_at: dt.datetime, now: dt.datetime) -> str:
    """Why this contact's invitation must not go out now ("" if it may)."""
    if contact.anonymous:
        return Skip.ANONYMOUS
    address = invitation_address(contact)
    if not address:
        return Skip.NO_ADDRESS
    if reopened:
        return Skip.REOPENED
    if due_at < now - CATCH_UP:
        return Skip.TOO_LATE
    if invitation_opted_out(address=address):
        return Skip.OPTED_OUT
    return ""


def invitations_due(*, now: dt.datetime) -> QuerySet[Contact]:
    """E-mail contacts answered by an employee 48 h ago or more (within the catch-up week)
    that have no invitation yet. Eligibility (address, reopen) is decided when sending."""
    return Contact.objects.filter(
        channel=Channel.EMAIL,
        direction=Direction.IN,
        handler__isnull=False,
        answered_at__lte=now - SEND_AFTER,
        answered_at__gt=now - SEND_AFTER - CATCH_UP,
        survey_invitation__isnull=True,
    )


def invitations_schedule(*, now: dt.datetime) -> int:
    """Create the invitation of each due contact; never two for one contact (the one-to-one
    key, ON CONFLICT DO NOTHING), so concurrent workers and reruns are harmless."""
    due = list(
        invitations_due(now=now)
        .order_by("answered_at", "pk")
        .values_list("pk", "answered_at")[:SCHEDULE_BATCH]
    )
    if not due:
        return 0
    with transaction.atomic():
        created = SurveyInvitation.objects.bulk_create(
            [
                SurveyInvitation(contact_id=pk, due_at=answered_at + SEND_AFTER)
                for pk, answered_at in due
                if answered_at is not None  # always: the filter requires it
            ],
            ignore_conflicts=True,
        )
    return len(created)


def invitations_resolve_stale(*, now: dt.datetime) -> int:
    """Claims of a worker that died while sending: not sent again (at most once).

    Their token stays valid: if the mail did go out, the citizen can still answer.
    """
    stale = SurveyInvitation.objects.filter(
        status=InvitationStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    with transaction.atomic():
        rows = list(stale.select_for_update().values_list("pk", "message_id"))
        for pk, message_id in rows:
            logger.warning(
                "Invitation %s: the worker stopped while sending %s; not sent again "
                "(look it up in the mail server's log)",
                pk,
                message_id,
            )
        count = stale.filter(pk__in=[pk for pk, _message_id in rows]).update(
            status=InvitationStatus.SKIPPED, skip_reason=Skip.INTERRUPTED
        )
    return count


@dataclass(frozen=True)
class _Claimed:
    invitation_id: int
    message: EmailMultiAlternatives


def _message_id(invitation_id: int) -> str:
    """Deterministic per invitation (and per installation): a re-send would be recognisable."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "kglijn.invalid"
    install = salted_hmac("kglijn.surveys.message-id", "installation").hexdigest()[:10]
    return f"<survey-invitation.{invitation_id}.{install}@{domain}>"


def _public_url(name: str, token: str) -> str:
    base = settings.KGLIJN_PUBLIC_BASE_URL
    if not base:
        raise ImproperlyConfigured("Set KGLIJN_PUBLIC_BASE_URL: the links in mails need it.")
    return base + reverse(f"survey_public:{name}", kwargs={"token": token})


def survey_link(token: str) -> str:
    """The absolute address of the survey page of a token."""
    return _public_url("survey", token)


def optout_link(token: str) -> str:
    """The absolute address of the opt-out page of a token."""
    return _public_url("opt_out", token)


def _local_date(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


def invitation_message(
    *, invitation: SurveyInvitation, contact: Contact, address: str, token: str
) -> EmailMultiAlternatives:
    """The invitation mail (Dutch, plain text and HTML) for one invitation and its token."""
    assert contact.answered_at is not None
    assert invitation.expires_at is not None
    with translation.override(MAIL_LANGUAGE):
        context = {
            "link": survey_link(token),
            "optout_link": optout_link(token),
            "answered_on": _local_date(contact.answered_at),
            "expires_on": _local_date(invitation.expires_at),
            "from_name": parseaddr(settings.DEFAULT_FROM_EMAIL)[0] or "K&G-Lijn",
        }
        subject = render_to_string("surveys/mail/invitation_subject.txt", context).strip()
        text = render_to_string("surveys/mail/invitation.txt", context)
        html = render_to_string("surveys/mail/invitation.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Message-ID": invitation.message_id,
            # RFC 3834: out-of-office replies and other auto-responders stay silent.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            # RFC 2369 / 8058: mail clients offer "unsubscribe", posting to the opt-out page.
            "List-Unsubscribe": f"<{optout_link(token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _claim_next(*, now: dt.datetime) -> _Claimed | int | None:
    """Claim the next due invitation in its own transaction (status sending, a new token),
    or skip it when it may not go out. Returns the claim, 1 for a skip, None when none is due."""
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update(skip_locked=True)
            .filter(status=InvitationStatus.SCHEDULED, due_at__lte=now)
            .order_by("due_at", "pk")
            .first()
        )
        if invitation is None:
            return None
        contact = (
            Contact.objects.select_related("customer")
            .annotate(reopened=_reopened_after_answer())
            .get(pk=invitation.contact_id)
        )
        reason = _skip_reason(contact, reopened=contact.reopened, due_at=invitation.due_at, now=now)
        if reason:
            invitation.status = InvitationStatus.SKIPPED
            invitation.skip_reason = reason
            invitation.save(update_fields=["status", "skip_reason"])
            logger.info("Invitation %s not sent: %s", invitation.pk, reason)
            return 1
        token, hashed = token_new()
        invitation.status = InvitationStatus.SENDING
        invitation.claimed_at = now
        invitation.attempts += 1
        invitation.token_hash = hashed
        invitation.expires_at = now + TOKEN_VALID
        invitation.message_id = _message_id(invitation.pk)
        # Rendered before the claim commits: a template error leaves the invitation scheduled.
        message = invitation_message(
            invitation=invitation,
            contact=contact,
            address=invitation_address(contact),
            token=token,
        )
        invitation.save(
            update_fields=[
                "status",
                "claimed_at",
                "attempts",
                "token_hash",
                "expires_at",
                "message_id",
            ]
        )
        # The sender's address was read for a mail: on the contact's trail like any read.
        audit_record(
            actor=None,
            action=AuditEvent.Action.VIEW,
            object_type=AUDIT_TYPE,
            object_id=contact.pk,
            detail={"purpose": "survey_invitation", "invitation": invitation.pk},
        )
    return _Claimed(invitation_id=invitation.pk, message=message)


def _finish(invitation_id: int, **fields: object) -> None:
    """Record the outcome of a claimed send (its own transaction)."""
    with transaction.atomic():
        updated = SurveyInvitation.objects.filter(
            pk=invitation_id, status=InvitationStatus.SENDING
        ).update(**fields)
    if not updated:
        logger.warning("Invitation %s was no longer being sent when it finished", invitation_id)


def _not_sent(invitation_id: int, *, now: dt.datetime, permanent: bool, reason: str) -> None:
    """The mail server certainly did not take the mail: try again later, or give up."""
    attempts = SurveyInvitation.objects.values_list("attempts", flat=True).get(pk=invitation_id)
    if permanent or attempts >= MAX_ATTEMPTS:
        code = Skip.REFUSED if permanent else Skip.GAVE_UP
        _finish(
            invitation_id,
            status=InvitationStatus.SKIPPED,
            skip_reason=f"{code}: {reason}"[:200],
            token_hash=None,
            expires_at=None,
        )
        return
    _finish(
        invitation_id,
        status=InvitationStatus.SCHEDULED,
        due_at=now + RETRY_AFTER * attempts,
        claimed_at=None,
        token_hash=None,
        expires_at=None,
    )


def _smtp_code(exc: smtplib.SMTPException) -> int:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return max((code for code, _message in exc.recipients.values()), default=550)
    if isinstance(exc, smtplib.SMTPResponseException):
        return int(exc.smtp_code)
    return 0


def _deliver(connection: BaseEmailBackend, claimed: _Claimed, *, now: dt.datetime) -> bool:
    """Hand one claimed mail to the mail server and record what happened.

    Returns False when the connection is no longer usable (stop the batch).
    """
    pk = claimed.invitation_id
    try:
        connection.send_messages([claimed.message])
    except smtplib.SMTPRecipientsRefused as exc:
        # "No" to this address (RCPT): certainly not sent; 5xx is final for this address.
        code = _smtp_code(exc)
        logger.warning("Invitation %s: address refused by the mail server (%s)", pk, code)
        _not_sent(pk, now=now, permanent=code >= 500, reason=str(code))
        return True
    except smtplib.SMTPSenderRefused as exc:
        # "No" to our sender address (MAIL): our configuration, not this citizen. Retry later
        # and stop the batch, so that a wrong DEFAULT_FROM_EMAIL does not use up invitations.
        code = _smtp_code(exc)
        logger.error(
            "Sender address refused by the mail server (%s): check DEFAULT_FROM_EMAIL", code
        )
        _not_sent(pk, now=now, permanent=False, reason=str(code))
        return False
    except smtplib.SMTPDataError as exc:
        # "No" to the message (DATA): certainly not sent. It would say the same to the next
        # message (e.g. a content filter), so stop the batch.
        code = _smtp_code(exc)
        logger.warning("Invitation %s: message refused by the mail server (%s)", pk, code)
        _not_sent(pk, now=now, permanent=code >= 500, reason=str(code))
        return False
    except (smtplib.SMTPException, OSError) as exc:
        # Broken off mid-dialogue: the server may have taken the mail. Never send it twice.
        logger.warning("Invitation %s: sending broke off (%s); not sent again", pk, exc)
        _finish(pk, status=InvitationStatus.SKIPPED, skip_reason=Skip.UNCERTAIN)
        return False
    _finish(pk, status=InvitationStatus.SENT, sent_at=now)
    logger.info("Invitation %s sent as %s", pk, claimed.message.extra_headers["Message-ID"])
    return True


def invitations_send(*, now: dt.datetime) -> int:
    """The `kglijn worker` job: schedule due invitations, resolve stale claims, then send up
    to SEND_BATCH invitations. Returns how many invitations changed state."""
    work = invitations_schedule(now=now) + invitations_resolve_stale(now=now)
    if not SurveyInvitation.objects.filter(
        status=InvitationStatus.SCHEDULED, due_at__lte=now
    ).exists():
        return work
    connection = get_connection(fail_silently=False)
    try:
        for _i in range(SEND_BATCH):
            if stop_requested() or not smtp_connection_ready(connection, waiting="invitations"):
                break
            claimed = _claim_next(now=now)
            if claimed is None:
                break
            work += 1
            if isinstance(claimed, _Claimed) and not _deliver(connection, claimed, now=now):
                break
    finally:
        smtp_close_quietly(connection)
    return work


# --- Answering through the link ------------------------------------------------------------


class Refusal(enum.StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class InvitationRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


# Statuses in which a link may be out there: being sent, sent, or interrupted while sending.
_LINK_STATUSES = (InvitationStatus.SENDING, InvitationStatus.SENT, InvitationStatus.SKIPPED)


def _check(invitation: SurveyInvitation | None, *, now: dt.datetime) -> SurveyInvitation:
    if invitation is None or invitation.status not in (*_LINK_STATUSES, InvitationStatus.ANSWERED):
        raise InvitationRefused(Refusal.UNKNOWN)
    if invitation.used_at is not None or invitation.status == InvitationStatus.ANSWERED:
        raise InvitationRefused(Refusal.USED)
    if invitation.expires_at is None or invitation.expires_at <= now:
        raise InvitationRefused(Refusal.EXPIRED)
    return invitation


def invitation_for_token(*, token: str, now: dt.datetime) -> SurveyInvitation:
    """The open invitation of a link's token; raises InvitationRefused (unknown, used, expired)."""
    if not token_well_formed(token):
        raise InvitationRefused(Refusal.UNKNOWN)
    invitation = (
        SurveyInvitation.objects.select_related("contact")
        .filter(token_hash=token_hash(token))
        .first()
    )
    return _check(invitation, now=now)


def invitation_answer(
    *,
    token: str,
    answers: Mapping[str, int | None],
    remark: str = "",
    now: dt.datetime,
) -> SurveyResponse:
    """Store the answers given through an invitation link, once: the token is used up in the
    same transaction. Raises InvitationRefused, or SurveyInvalid (nothing stored)."""
    if not token_well_formed(token):
        raise InvitationRefused(Refusal.UNKNOWN)
    with transaction.atomic():
        invitation = _check(
            SurveyInvitation.objects.select_for_update()
            .filter(token_hash=token_hash(token))
            .first(),
            now=now,
        )
        contact = Contact.objects.get(pk=invitation.contact_id)
        scores = {criterion: answers.get(criterion) for criterion in Criterion.values}
        try:
            response, _created = survey_response_record(
                contact=contact,
                source=Source.MAIL,
                answers=scores,
                remark=remark,
                complete=all(score is not None for score in scores.values()),
                answered_at=now,
            )
        except SurveyAlreadyAnswered as exc:
            raise InvitationRefused(Refusal.USED) from exc
        invitation.used_at = now
        invitation.status = InvitationStatus.ANSWERED
        invitation.save(update_fields=["used_at", "status"])
    return response


def invitation_opt_out(*, token: str) -> SurveyInvitation:
    """No more survey mails to the address this invitation went to; idempotent.

    Works with any link we sent, used or expired: opting out must always be possible.
    """
    if not token_well_formed(token):
        raise InvitationRefused(Refusal.UNKNOWN)
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update()
            .filter(token_hash=token_hash(token))
            .first()
        )
        if invitation is None:
            raise InvitationRefused(Refusal.UNKNOWN)
        address = invitation_address(invitation.contact)
        if address:
            SurveyOptOut.objects.get_or_create(address_hash=address_hash(address))
        if invitation.skip_reason != Skip.OPTED_OUT:
            invitation.skip_reason = Skip.OPTED_OUT
            invitation.save(update_fields=["skip_reason"])
            logger.info("Invitation %s: the recipient opted out of surveys", invitation.pk)
    return invitation
