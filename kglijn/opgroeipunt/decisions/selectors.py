"""Reads of proposals: the queue waiting for a second pair of eyes, one's own, the decided."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from kglijn.opgroeipunt.models import Proposal, ProposalStatus


def _proposals() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "case", "location", "location__organiser", "proposed_by", "decided_by"
    )


def proposal_queue() -> QuerySet[Proposal]:
    """Proposals waiting for approval, oldest first."""
    return _proposals().filter(status=ProposalStatus.PROPOSED).order_by("proposed_at", "id")


def proposals_of(*, user: User) -> QuerySet[Proposal]:
    """The user's own proposals, newest first: waiting, approved and rejected (with reason)."""
    return _proposals().filter(proposed_by=user).order_by("-proposed_at", "-id")


def proposals_decided() -> QuerySet[Proposal]:
    """Approved and rejected proposals, the most recently decided first."""
    return (
        _proposals()
        .exclude(status=ProposalStatus.PROPOSED)
        .select_related("decision")
        .order_by("-decided_at", "-id")
    )


def proposal_get(*, proposal_id: int) -> Proposal | None:
    return _proposals().filter(pk=proposal_id).first()


def proposals_waiting_for(*, user: User) -> int:
    """How many waiting proposals this user could approve: every one but their own (the menu's
    counter; the service still checks the rest when they approve)."""
    return Proposal.objects.filter(status=ProposalStatus.PROPOSED).exclude(proposed_by=user).count()
