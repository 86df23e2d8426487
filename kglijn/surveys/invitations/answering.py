"""Answering through an invitation's link (ADR 0008 §4-5): the token is checked, used up once
in the transaction that stores the answers, and opting out works with any link we sent."""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Mapping

from django.db import transaction

from kglijn.contacts.models import Contact
from kglijn.surveys.invitations.scheduling import Skip, address_hash, invitation_address
from kglijn.surveys.models import (
    Criterion,
    InvitationStatus,
    Source,
    SurveyInvitation,
    SurveyOptOut,
    SurveyResponse,
)
from kglijn.surveys.services import SurveyAlreadyAnswered, survey_response_record
from kglijn.surveys.tokens import token_hash, token_well_formed

logger = logging.getLogger("kglijn.surveys.invitations")


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
