"""Reads on the register of cases: permission-aware, the reporter only through an audited read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.cases.services import AUDIT_TYPE
from kglijn.opgroeipunt.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Decision,
    DecisionKind,
    Reporter,
)
from kglijn.opgroeipunt.terms import (
    Calendar,
    Term,
    TermStatus,
    case_terms,
    local_date,
    worst_status,
)

AnyUser = User | AnonymousUser


def can_view_cases(*, user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("opgroeipunt.view_case")


def case_visible_qs(*, user: AnyUser) -> QuerySet[Case]:
    """Every case for Opgroeipunt's roles (view_case); none for anyone else."""
    if not can_view_cases(user=user):
        return Case.objects.none()
    return Case.objects.select_related("regional_team", "handler")


def case_get_for_user(*, user: AnyUser, pk: int) -> Case:
    """One case (404 when it does not exist or the user may not see cases)."""
    try:
        return case_visible_qs(user=user).get(pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def case_reporter(*, case: Case, user: AnyUser) -> Reporter | None:
    """The reporter of a case (None: anonymous). Refused (PermissionDenied) without
    ``opgroeipunt.view_reporter_data``; every read of a reporter is audit-logged."""
    if not user.is_authenticated or not user.has_perm("opgroeipunt.view_reporter_data"):
        raise PermissionDenied
    reporter = Reporter.objects.filter(case_id=case.pk).first()
    if reporter is not None:
        audit_record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            object_type=AUDIT_TYPE,
            object_id=case.pk,
            detail={"reporter": True},
        )
    return reporter


def case_has_reporter(*, case: Case) -> bool:
    """Whether a case has a known reporter (no personal data is read)."""
    return Reporter.objects.filter(case_id=case.pk).exists()


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case).select_related("by").order_by("at", "id")


def refused_at_subquery() -> Max:
    return Max("decisions__decided_at", filter=Q(decisions__kind=DecisionKind.NOT_ADMISSIBLE))


@dataclass(frozen=True)
class CaseFilters:
    kind: str = ""
    status: str = ""
    team: int | None = None
    term_status: str = ""


def case_list(*, user: AnyUser, filters: CaseFilters) -> QuerySet[Case]:
    """The register for its list: urgent open cases on top (soonest due first), then the
    newest. ``term_status`` keeps the cases whose worst term has that status today."""
    qs = case_visible_qs(user=user).annotate(
        urgent_open=Q(urgent=True) & ~Q(status=CaseStatus.CLOSED)
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.team is not None:
        qs = qs.filter(regional_team_id=filters.team)
    if filters.term_status:
        qs = qs.filter(pk__in=_ids_with_term_status(qs, filters.term_status))
    return qs.order_by(
        F("urgent_open").desc(), F("urgent_due_at").asc(nulls_last=True), "-received_at", "-id"
    )


def _term_candidates(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.filter(Q(kind=CaseKind.COMPLAINT) | Q(urgent=True, urgent_due_at__isnull=False))


def _ids_with_term_status(qs: QuerySet[Case], status: str) -> list[int]:
    now = timezone.now()
    candidates = list(
        _term_candidates(qs)
        .select_related(None)
        .annotate(refused_at=refused_at_subquery())
        .only(
            "pk",
            "kind",
            "received_at",
            "urgent",
            "urgent_due_at",
            "taken_at",
            "admissible",
            "acknowledged_at",
            "answered_at",
        )
    )
    if not candidates:
        return []
    first = min(local_date(case.received_at) for case in candidates)
    calendar = Calendar.covering(first, local_date(now))
    return [
        case.pk
        for case in candidates
        if worst_status(
            case_terms(
                case,
                now=now,
                refused_at=getattr(case, "refused_at", None),
                calendar=calendar,
            )
        )
        == TermStatus(status)
    ]


def cases_terms(cases: list[Case], *, now: dt.datetime | None = None) -> dict[int, list[Term]]:
    """The terms of a page of cases, with one calendar for them all."""
    now = now or timezone.now()
    if not cases:
        return {}
    refused = dict(
        Decision.objects.filter(
            case_id__in=[case.pk for case in cases], kind=DecisionKind.NOT_ADMISSIBLE
        )
        .values("case_id")
        .annotate(at=Max("decided_at"))
        .values_list("case_id", "at")
    )
    first = min(local_date(case.received_at) for case in cases)
    calendar = Calendar.covering(first, local_date(now))
    return {
        case.pk: case_terms(case, now=now, refused_at=refused.get(case.pk), calendar=calendar)
        for case in cases
    }


def oldest_untaken_urgent(*, user: AnyUser) -> Case | None:
    """The urgent case waiting longest to be taken up (for the dashboard)."""
    return (
        case_visible_qs(user=user)
        .filter(urgent=True, taken_at__isnull=True)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("received_at", "id")
        .first()
    )
