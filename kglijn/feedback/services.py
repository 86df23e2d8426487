"""Every write of the feedback loop: visits with their link, the parent's answer, "seen"."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.core.audit import audit_record
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import AuditEvent
from kglijn.feedback.local_team_seed import LOCAL_TEAMS
from kglijn.feedback.models import (
    REMARK_MAX_LENGTH,
    SCORE_MAX,
    SCORE_MIN,
    LocalTeam,
    LocalTeamMembership,
    Visit,
    VisitFeedback,
    VisitKind,
)
from kglijn.feedback.selectors import FeedbackLinkError, visit_for_token
from kglijn.feedback.tokens import TOKEN_VALID_FOR, token_hash, token_new

# A visit can be registered (and its link renewed) up to this many days after it took place:
# the point is a *short* loop.
MAX_VISIT_AGE_DAYS = 14
AUDIT_VISIT = "feedback_visit"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


@transaction.atomic
def local_teams_ensure() -> int:
    """Create the seeded local teams that are missing (by code); returns how many were made.

    Data migration 0002 does this on migrate; this is for a database whose rows were flushed
    (transactional tests) and leaves existing teams, renamed or not, as they are.
    """
    existing = set(LocalTeam.objects.values_list("code", flat=True))
    missing = [
        LocalTeam(code=code, name=name, province=province)
        for code, name, province in LOCAL_TEAMS
        if code not in existing
    ]
    LocalTeam.objects.bulk_create(missing)
    return len(missing)


@transaction.atomic
def local_team_member_add(
    *, local_team: LocalTeam, user: User, is_lead: bool = False
) -> LocalTeamMembership:
    """Make the user a member (or lead) of the team; idempotent, updates is_lead."""
    membership, created = LocalTeamMembership.objects.get_or_create(
        local_team=local_team, user=user, defaults={"is_lead": is_lead}
    )
    if not created and membership.is_lead != is_lead:
        membership.is_lead = is_lead
        membership.save(update_fields=["is_lead"])
    return membership


def _validate_visit(
    errors: dict[str, str],
    *,
    employee: User,
    local_team: LocalTeam,
    visited_on: dt.date,
    now: dt.datetime,
) -> None:
    today = timezone.localtime(now, BRUSSELS).date()
    if visited_on > today:
        errors["visited_on"] = _("A visit cannot lie in the future.")
    elif (today - visited_on).days > MAX_VISIT_AGE_DAYS:
        errors["visited_on"] = _(
            "Feedback can only be asked up to %(days)d days after the visit."
        ) % {"days": MAX_VISIT_AGE_DAYS}
    if not local_team.active:
        errors["local_team"] = _("This local team is no longer active.")
    elif not LocalTeamMembership.objects.filter(local_team=local_team, user=employee).exists():
        errors["local_team"] = _("You are not a member of this local team.")


@transaction.atomic
def visit_register(
    *,
    employee: User,
    kind: str,
    local_team: LocalTeam,
    visited_on: dt.date,
    now: dt.datetime | None = None,
) -> tuple[Visit, str]:
    """Register a visit and issue its feedback link; returns the visit and the token.

    The token is returned once and never stored (only its hash); it expires 14 days after
    issue. Validates everything first and writes nothing on any error.
    """
    moment = _now(now)
    errors: dict[str, str] = {}
    if kind not in VisitKind.values:
        errors["kind"] = _("Unknown value “%(value)s”.") % {"value": kind}
    _validate_visit(
        errors, employee=employee, local_team=local_team, visited_on=visited_on, now=moment
    )
    if errors:
        raise ValidationError(errors)
    token = token_new()
    visit = Visit.objects.create(
        kind=kind,
        visited_on=visited_on,
        employee=employee,
        local_team=local_team,
        token_hash=token_hash(token),
        token_expires_at=moment + TOKEN_VALID_FOR,
    )
    audit_record(
        actor=employee,
        action=AuditEvent.Action.CREATE,
        object_type=AUDIT_VISIT,
        object_id=visit.pk,
        detail={"kind": kind, "local_team": local_team.code},
    )
    return visit, token


@transaction.atomic
def visit_token_reissue(
    *, visit_id: int, employee: User, now: dt.datetime | None = None
) -> tuple[Visit, str]:
    """A new link for a lost card: the old token stops working at once.

    Only the visit's own employee, only while unanswered and within 14 days of the visit.
    """
    moment = _now(now)
    try:
        visit = Visit.objects.select_for_update().get(pk=visit_id, employee=employee)
    except Visit.DoesNotExist as exc:
        raise PermissionDenied from exc
    if VisitFeedback.objects.filter(visit=visit).exists():
        raise ValidationError(_("This visit has already been answered."))
    today = timezone.localtime(moment, BRUSSELS).date()
    if (today - visit.visited_on).days > MAX_VISIT_AGE_DAYS:
        raise ValidationError(
            _("Feedback can only be asked up to %(days)d days after the visit.")
            % {"days": MAX_VISIT_AGE_DAYS}
        )
    token = token_new()
    visit.token_hash = token_hash(token)
    visit.token_expires_at = moment + TOKEN_VALID_FOR
    visit.save(update_fields=["token_hash", "token_expires_at"])
    audit_record(
        actor=employee,
        action=AuditEvent.Action.CHANGE,
        object_type=AUDIT_VISIT,
        object_id=visit.pk,
        detail={"fields": ["token_expires_at"]},
    )
    return visit, token


def _clean_score(score: int | str | None) -> int | None:
    if isinstance(score, bool):
        return None
    try:
        value = int(score)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return value if SCORE_MIN <= value <= SCORE_MAX else None


@transaction.atomic
def feedback_submit(
    *, token: str, score: int | str | None, remark: str = "", now: dt.datetime | None = None
) -> VisitFeedback:
    """Store the parent's answer: once per link (single use), only before the link expires.

    Raises FeedbackLinkError (unknown/tampered, expired, already answered) or ValidationError;
    writes nothing then. Stores no data about who answered (no IP, no user agent).
    """
    moment = _now(now)
    visit = visit_for_token(token=token, now=moment, for_update=True)
    value = _clean_score(score)
    remark = (remark or "").strip()
    errors: dict[str, str] = {}
    if value is None:
        errors["score"] = _("Choose a score from %(low)d to %(high)d.") % {
            "low": SCORE_MIN,
            "high": SCORE_MAX,
        }
    if len(remark) > REMARK_MAX_LENGTH:
        errors["remark"] = _("Keep the remark to at most %(count)d characters.") % {
            "count": REMARK_MAX_LENGTH
        }
    if errors or value is None:
        raise ValidationError(errors)
    try:
        # A savepoint: two submissions racing past the check above meet the unique visit.
        with transaction.atomic():
            return VisitFeedback.objects.create(
                visit=visit, score=value, remark=remark, submitted_at=moment
            )
    except IntegrityError as exc:
        raise FeedbackLinkError(FeedbackLinkError.ANSWERED) from exc


@transaction.atomic
def feedback_mark_seen(*, employee: User, now: dt.datetime | None = None) -> int:
    """Mark all of the employee's new feedback as seen; returns how many were new."""
    return VisitFeedback.objects.filter(visit__employee=employee, seen_at__isnull=True).update(
        seen_at=_now(now)
    )
