"""Invitations go out through the one outbox (ADR 0013): `INVITATION` is their purpose.

When the outbox claims an invitation, `claimed` re-checks eligibility from the contact as it
is then (a contact that may not be mailed keeps its invitation as `skipped` with the reason),
creates the token, renders the mail and marks the invitation `sending`, all in the claim's
transaction: a template error leaves it scheduled. `settled` follows the outbox's outcome:
sent; scheduled again after a temporary refusal (token discarded: a retry gets a new one);
skipped `refused`/`gave_up`; skipped `uncertain`/`interrupted` when its fate is unknown (at most
once, ADR 0008 §3: the token stays valid, so a mail that did arrive can still be answered).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMessage

from kglijn.contacts.models import Contact
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.outbox.models import OutboundMail, OutboxState
from kglijn.outbox.purposes import Decline, Failure, Outcome
from kglijn.outbox.services import outbox_send
from kglijn.surveys.invitations.rendering import invitation_message, invitation_message_id
from kglijn.surveys.invitations.scheduling import (
    AUDIT_TYPE,
    INVITATION_PURPOSE,
    Skip,
    eligibility_problem,
    invitation_address,
    invitations_schedule,
    reopened_after_answer,
)
from kglijn.surveys.models import InvitationStatus, SurveyInvitation
from kglijn.surveys.tokens import token_new

logger = logging.getLogger("kglijn.surveys.invitations")

TOKEN_VALID = dt.timedelta(days=14)


class _InvitationPurpose:
    key = INVITATION_PURPOSE

    def claimed(self, mail: OutboundMail, *, now: dt.datetime) -> EmailMessage | Decline:
        invitation = SurveyInvitation.objects.select_for_update().get(pk=mail.reference)
        if invitation.status != InvitationStatus.SCHEDULED:
            return Decline(f"the invitation is {invitation.status}, not scheduled")
        contact = (
            Contact.objects.select_related("customer")
            .annotate(reopened=reopened_after_answer())
            .get(pk=invitation.contact_id)
        )
        reason = eligibility_problem(
            contact, reopened=contact.reopened, due_at=invitation.due_at, now=now
        )
        if reason:
            invitation.status = InvitationStatus.SKIPPED
            invitation.skip_reason = reason
            invitation.save(update_fields=["status", "skip_reason"])
            logger.info("Invitation %s not sent: %s", invitation.pk, reason)
            return Decline(reason)
        token, hashed = token_new()
        invitation.status = InvitationStatus.SENDING
        invitation.claimed_at = now
        invitation.attempts = mail.attempts
        invitation.token_hash = hashed
        invitation.expires_at = now + TOKEN_VALID
        invitation.message_id = invitation_message_id(invitation.pk)
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
        return message

    def settled(self, mail: OutboundMail, outcome: Outcome, *, now: dt.datetime) -> None:
        state = OutboxState(outcome.state)
        fields: dict[str, object]
        if state == OutboxState.SENT:
            fields = {"status": InvitationStatus.SENT, "sent_at": mail.sent_at}
        elif state == OutboxState.PENDING:
            fields = {
                "status": InvitationStatus.SCHEDULED,
                "due_at": mail.next_attempt_at,
                "claimed_at": None,
                "token_hash": None,
                "expires_at": None,
            }
        elif state == OutboxState.FAILED:
            code = Skip.REFUSED if outcome.permanent else Skip.GAVE_UP
            fields = {
                "status": InvitationStatus.SKIPPED,
                "skip_reason": f"{code}: {outcome.code}"[:200],
                "token_hash": None,
                "expires_at": None,
            }
        elif state == OutboxState.UNKNOWN:
            # Perhaps sent: the token stays valid, so a mail that arrived can be answered.
            reason = Skip.INTERRUPTED if outcome.failure == Failure.INTERRUPTED else Skip.UNCERTAIN
            fields = {"status": InvitationStatus.SKIPPED, "skip_reason": reason}
        else:  # cancelled when claimed: `claimed` already wrote why
            return
        updated = SurveyInvitation.objects.filter(
            pk=mail.reference, status=InvitationStatus.SENDING
        ).update(**fields)
        if not updated:
            logger.warning(
                "Invitation %s was no longer being sent when it finished", mail.reference
            )


INVITATION = _InvitationPurpose()


def invitations_send(*, now: dt.datetime) -> int:
    """Schedule due invitations and send the due ones through the outbox (the invitations'
    share of the outbox's sweep; `kglijn worker` runs the schedule and the sweep as separate
    jobs). Returns how many invitations changed state."""
    return invitations_schedule(now=now) + outbox_send(now=now, purposes=[INVITATION_PURPOSE])
