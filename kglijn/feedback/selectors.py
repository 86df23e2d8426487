"""Permission-aware reads of the feedback loop. Who sees which remark is decided here only:

- the employee concerned sees the score and remark of each of their own visits, at once;
- a lead of the visit's local team (LocalTeamMembership.is_lead) reads the team's remarks, and
  every remark read is audit-logged;
- analysts and other readers of the team figures (feedback.view_team_report) see counts and
  averages only, never a remark (kglijn.feedback.figures never selects one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.feedback.models import LocalTeam, LocalTeamMembership, Visit, VisitFeedback
from kglijn.feedback.tokens import token_hash, token_well_formed

AnyUser = User | AnonymousUser
AUDIT_FEEDBACK = "visit_feedback"


class FeedbackLinkError(Exception):
    """A feedback link that cannot be answered (any more), with the reason to tell kindly."""

    UNKNOWN = "unknown"  # never issued, mistyped or tampered with
    EXPIRED = "expired"
    ANSWERED = "answered"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def visit_for_token(
    *, token: str, now: dt.datetime | None = None, for_update: bool = False
) -> Visit:
    """The visit a link belongs to, if it can still be answered; else FeedbackLinkError.

    An answered link says so even after it expired (the kinder message).
    """
    if not token_well_formed(token):
        raise FeedbackLinkError(FeedbackLinkError.UNKNOWN)
    qs = Visit.objects.select_related("local_team")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        visit = qs.get(token_hash=token_hash(token))
    except Visit.DoesNotExist as exc:
        raise FeedbackLinkError(FeedbackLinkError.UNKNOWN) from exc
    if VisitFeedback.objects.filter(visit=visit).exists():
        raise FeedbackLinkError(FeedbackLinkError.ANSWERED)
    if (now or timezone.now()) >= visit.token_expires_at:
        raise FeedbackLinkError(FeedbackLinkError.EXPIRED)
    return visit


# --- the employee ----------------------------------------------------------------------------


def local_teams_of_user(*, user: AnyUser) -> QuerySet[LocalTeam]:
    """The active local teams the user works in (the teams they can register visits for)."""
    if not user.is_authenticated:
        return LocalTeam.objects.none()
    return LocalTeam.objects.filter(active=True, memberships__user_id=user.pk).distinct()


def visit_get_for_employee(*, user: AnyUser, visit_id: int) -> Visit:
    """One of the user's own visits; 404 for anybody else's."""
    try:
        return Visit.objects.select_related("local_team").get(pk=visit_id, employee_id=user.pk)
    except Visit.DoesNotExist as exc:
        raise Http404 from exc


def visit_answered(*, visit: Visit) -> bool:
    return VisitFeedback.objects.filter(visit=visit).exists()


def feedback_for_employee(*, user: AnyUser) -> QuerySet[VisitFeedback]:
    """The feedback on the user's own visits, newest first; nobody else's."""
    if not user.is_authenticated:
        return VisitFeedback.objects.none()
    return (
        VisitFeedback.objects.filter(visit__employee_id=user.pk)
        .select_related("visit", "visit__local_team")
        .order_by("-submitted_at", "-id")
    )


def visits_open_for_employee(*, user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Visit]:
    """The user's visits whose link can still be answered, newest first."""
    if not user.is_authenticated:
        return Visit.objects.none()
    return (
        Visit.objects.filter(
            employee_id=user.pk, token_expires_at__gt=now or timezone.now(), feedback__isnull=True
        )
        .select_related("local_team")
        .order_by("-visited_on", "-id")
    )


@dataclass(frozen=True)
class NavState:
    member: bool  # works in a local team: show "My feedback"
    unread: int  # feedback the employee has not seen yet


def feedback_nav_state(*, user: AnyUser) -> NavState:
    """For the menu: one query, whoever asks."""
    if not user.is_authenticated:
        return NavState(member=False, unread=0)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            member=Exists(LocalTeamMembership.objects.filter(user_id=OuterRef("pk"))),
            unread=Count(
                "feedback_visits__feedback",
                filter=Q(feedback_visits__feedback__seen_at__isnull=True),
            ),
        )
        .values("member", "unread")
        .first()
    )
    if row is None:
        return NavState(member=False, unread=0)
    return NavState(member=bool(row["member"] or row["unread"]), unread=int(row["unread"]))


# --- leads and analysts ----------------------------------------------------------------------


def can_view_team_report(*, user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("feedback.view_team_report")


def local_team_ids_led(*, user: AnyUser) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        LocalTeamMembership.objects.filter(user_id=user.pk, is_lead=True).values_list(
            "local_team_id", flat=True
        )
    )


def team_remarks_for_lead(
    *, user: AnyUser, local_team_id: int, first_day: dt.date, last_day: dt.date
) -> tuple[LocalTeam, list[VisitFeedback]]:
    """The remarks on a team's visits in a period, for a lead of that team only.

    Writes one 'view' audit event per remark shown (the reader as actor); raises
    PermissionDenied for anyone who does not lead the team, including analysts.
    """
    try:
        team = LocalTeam.objects.get(pk=local_team_id)
    except LocalTeam.DoesNotExist as exc:
        raise Http404 from exc
    if team.pk not in local_team_ids_led(user=user):
        raise PermissionDenied
    remarks = list(
        VisitFeedback.objects.filter(
            visit__local_team=team,
            visit__visited_on__range=(first_day, last_day),
        )
        .exclude(remark="")
        .select_related("visit", "visit__employee")
        .order_by("-submitted_at", "-id")
    )
    for feedback in remarks:
        audit_record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            object_type=AUDIT_FEEDBACK,
            object_id=feedback.pk,
            detail={"local_team": team.code},
        )
    return team, remarks
