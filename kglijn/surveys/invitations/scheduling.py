"""Which contacts get an invitation, and when (issue 5 item 3, ADR 0008 §1).

48 hours after an e-mail contact is answered by an employee, one invitation is scheduled for
the sender, and put in the outbox in the same transaction. Whether it may go out (anonymous,
no address, reopened, opted out, too late) is decided when the outbox claims it
(`eligibility_problem`), from the contact as it is then.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kglijn.contacts.models import Channel, Contact, Direction
from kglijn.core.models import AuditEvent
from kglijn.outbox.services import outbox_enqueue_many
from kglijn.surveys.models import InvitationStatus, SurveyInvitation, SurveyOptOut

SEND_AFTER = dt.timedelta(hours=48)
# Answers older than this (48 h + a week) are never invited: a worker that was down for longer,
# or history loaded into the register, must not mail people about e-mails of long ago.
CATCH_UP = dt.timedelta(days=7)
SCHEDULE_BATCH = 500
AUDIT_TYPE = "contact"
INVITATION_PURPOSE = "survey_invitation"  # OutboundMail.purpose (stored: never change it)


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


def reopened_after_answer() -> Exists:
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


def eligibility_problem(
    contact: Contact, *, reopened: bool, due_at: dt.datetime, now: dt.datetime
) -> str:
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
    """The `kglijn worker` job: create the invitation of each due contact and put it in the
    outbox, in one transaction; never two for one contact (the one-to-one key, ON CONFLICT DO
    NOTHING; the outbox's (purpose, reference) key likewise), so concurrent workers and reruns
    are harmless. The outbox's sweep sends them."""
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
        outbox_enqueue_many(
            purpose=INVITATION_PURPOSE,
            items=SurveyInvitation.objects.filter(
                contact_id__in=[pk for pk, _answered_at in due],
                status=InvitationStatus.SCHEDULED,
            ).values_list("pk", "due_at"),
        )
    return len(created)
