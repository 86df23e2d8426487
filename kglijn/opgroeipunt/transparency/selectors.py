"""Reads of active transparency and passive openness (issue 18).

The public reads (``public_*``) build what the public page may show from fields that carry no
personal data: the location, its organiser's name, its published inspection reports and — once
decided — its open enforcement track's state and plan of approach. They never touch cases,
reporters, proposals, motivations or users. A document request's requester is read only
through ``document_request_requester``: permission-checked and audit-logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.models import (
    DocumentRequest,
    DocumentRequestStatus,
    EnforcementState,
    EnforcementTrack,
    InspectionType,
    InspectionVisit,
    Location,
)
from kglijn.opgroeipunt.terms import Calendar, Term, local_date, openness_term
from kglijn.opgroeipunt.transparency.services import AUDIT_TYPE

AnyUser = User | AnonymousUser
MAX_QUERY = 100


def public_locations(*, q: str = "", province: str = "") -> QuerySet[Location]:
    """Active locations matching a name, organiser name or postcode (exact, 4 digits)."""
    rows = Location.objects.filter(active=True).select_related("organiser").order_by("name", "id")
    text = " ".join((q or "").replace("\x00", "").split())[:MAX_QUERY]
    if text:
        match = Q(name__icontains=text) | Q(organiser__name__icontains=text)
        if text.isdigit() and len(text) == 4:
            match |= Q(postcode=text)
        rows = rows.filter(match)
    if province:
        rows = rows.filter(province=province)
    return rows


@dataclass(frozen=True)
class PublicReport:
    visited_on: dt.date
    published_on: dt.date
    types: list[str]
    reference: str
    url: str


@dataclass(frozen=True)
class PublicEnforcement:
    state: str
    state_label: str
    since: dt.date
    plan_of_approach_on: dt.date | None


@dataclass(frozen=True)
class PublicLocation:
    location: Location
    reports: list[PublicReport]
    enforcement: PublicEnforcement | None  # None: no open track (nothing decided)


def _type_labels(values: object) -> list[str]:
    labels = dict(InspectionType.choices)
    if not isinstance(values, list):
        return []
    return [str(labels[value]) for value in values if value in labels]


def _safe_url(url: str) -> str:
    return url if url.startswith(("https://", "http://")) else ""


def public_location(*, external_id: str) -> PublicLocation | None:
    """What the public page of an active location shows; None for an unknown or inactive one.

    Enforcement is shown only for an open track: a track exists only through decisions in
    force (an approved proposal or the imported history), never through a proposal."""
    if not external_id or len(external_id) > 64 or "\x00" in external_id:
        return None
    location = (
        Location.objects.filter(external_id=external_id, active=True)
        .select_related("organiser")
        .first()
    )
    if location is None:
        return None
    visits = InspectionVisit.objects.filter(
        location=location, active=True, report_published_on__isnull=False
    ).order_by("-visited_on", "-id")
    reports = [
        PublicReport(
            visited_on=visit.visited_on,
            published_on=visit.report_published_on,  # type: ignore[arg-type]
            types=_type_labels(visit.types),
            reference=visit.report_reference,
            url=_safe_url(visit.report_url),
        )
        for visit in visits
    ]
    track = (
        EnforcementTrack.objects.filter(location=location, closed_at__isnull=True)
        .exclude(state=EnforcementState.NONE)
        .first()
    )
    enforcement = None
    if track is not None:
        enforcement = PublicEnforcement(
            state=track.state,
            state_label=str(EnforcementState(track.state).label),
            since=local_date(track.started_at),
            plan_of_approach_on=track.plan_of_approach_on,
        )
    return PublicLocation(location=location, reports=reports, enforcement=enforcement)


# --- Passive openness (staff) ----------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    request: DocumentRequest
    term: Term


def document_requests(
    *, show: str = "", now: dt.datetime | None = None
) -> tuple[QuerySet[DocumentRequest], int]:
    """The register, newest first; ``show``: "open" (not answered yet), "late" (its term not
    met: open past the due date, or answered on a later day) or everything. No requester
    details. Returns the requests (a query: the page takes its slice, ``request_rows`` adds the
    terms) and how many open requests are past their due date."""
    today = local_date(now or timezone.now())
    rows = (
        DocumentRequest.objects.select_related("location")
        .defer("requester_name", "requester_email")
        .order_by("-received_at", "-id")
    )
    if show == "open":
        rows = rows.filter(status=DocumentRequestStatus.RECEIVED)
    elif show == "late":
        # openness_term's "not on time", in SQL (the answer's local day, like local_date).
        rows = rows.filter(
            Q(answered_at__isnull=True, due_on__lt=today) | Q(answered_at__date__gt=F("due_on"))
        )
    overdue = DocumentRequest.objects.filter(
        status=DocumentRequestStatus.RECEIVED, due_on__lt=today
    ).count()
    return rows, overdue


def request_rows(
    requests: Iterable[DocumentRequest], *, now: dt.datetime | None = None
) -> list[RequestRow]:
    """Each request with its term (on time / late / far too late), for one page of the list."""
    now = now or timezone.now()
    requests = list(requests)
    calendar = Calendar()
    if requests:
        calendar = Calendar.covering(
            min(request.due_on for request in requests), local_date(now) + dt.timedelta(days=30)
        )
    return [
        RequestRow(
            request,
            openness_term(
                due=request.due_on, answered_at=request.answered_at, now=now, calendar=calendar
            ),
        )
        for request in requests
    ]


def document_request_requester(*, request: DocumentRequest, user: AnyUser) -> tuple[str, str]:
    """The requester's name and e-mail address: refused (PermissionDenied) without
    ``opgroeipunt.view_documentrequest``; every read is audit-logged."""
    if not user.is_authenticated or not user.has_perm("opgroeipunt.view_documentrequest"):
        raise PermissionDenied
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        object_type=AUDIT_TYPE,
        object_id=request.pk,
        detail={"requester": True},
    )
    fresh = DocumentRequest.objects.only("requester_name", "requester_email").get(pk=request.pk)
    return fresh.requester_name, fresh.requester_email
