"""Reads of a location's enforcement: its current state and its one history of everything."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from kglijn.opgroeipunt.models import (
    Case,
    Decision,
    EnforcementState,
    EnforcementTrack,
    Location,
    LocationVersion,
    Proposal,
)


def location_by_external_id(external_id: str) -> Location | None:
    """The location with this external id; None for an unknown or impossible one (too long, a
    NUL character, which PostgreSQL would refuse with an error instead of finding nothing)."""
    if not external_id or len(external_id) > 64 or "\x00" in external_id:
        return None
    return (
        Location.objects.select_related("organiser", "regional_team", "spoc")
        .filter(external_id=external_id)
        .first()
    )


def open_track(location: Location) -> EnforcementTrack | None:
    """The location's open enforcement track (at most one, a UNIQUE constraint says so)."""
    return EnforcementTrack.objects.filter(location=location, closed_at__isnull=True).first()


def location_enforcement(location: Location) -> tuple[EnforcementState, int]:
    """(state, consecutive positive evaluations) of the open track; ("none", 0) without one.

    The API's ``enforcement: {"state", "positive_evaluations"}`` is this pair.
    """
    track = open_track(location)
    if track is None:
        return EnforcementState.NONE, 0
    return EnforcementState(track.state), track.positive_evaluations


def location_search(*, q: str = "", province: str = "", state: str = "") -> QuerySet[Location]:
    """Locations by name, external id, postcode or organiser, province and enforcement state,
    annotated with ``enforcement_state`` (the open track's state, None without one)."""
    tracks = EnforcementTrack.objects.filter(location=OuterRef("pk"), closed_at__isnull=True)
    rows = Location.objects.select_related("organiser", "regional_team").annotate(
        enforcement_state=Subquery(tracks.values("state")[:1])
    )
    q = q.strip()
    if q:
        rows = rows.filter(
            Q(name__icontains=q)
            | Q(external_id__iexact=q)
            | Q(postcode__startswith=q)
            | Q(organiser__name__icontains=q)
        )
    if province:
        rows = rows.filter(province=province)
    if state == EnforcementState.NONE:
        rows = rows.filter(enforcement_state__isnull=True)
    elif state:
        rows = rows.filter(enforcement_state=state)
    return rows.order_by("name", "id")


@dataclass(frozen=True)
class HistoryItem:
    """One line of a location's history; ``what`` says which kind of record ``item`` is."""

    at: datetime.datetime
    what: str  # "version" | "case" | "proposal" | "decision" | "track_started" | "track_closed"
    item: Any


def location_history(location: Location) -> list[HistoryItem]:
    """Everything that happened to a location, oldest first: its versions, the cases linked to
    it, the proposals and decisions about it and its enforcement tracks (start and close).

    Reporter data is not part of it (the case page shows that, audited).
    """
    items: list[HistoryItem] = []
    versions = LocationVersion.objects.filter(location=location).select_related("changed_by")
    items += [HistoryItem(version.changed_at, "version", version) for version in versions]
    cases = Case.objects.filter(locations=location).order_by("received_at", "id")
    items += [HistoryItem(case.received_at, "case", case) for case in cases]
    proposals = Proposal.objects.filter(location=location).select_related(
        "proposed_by", "decided_by"
    )
    items += [HistoryItem(proposal.proposed_at, "proposal", proposal) for proposal in proposals]
    decisions = Decision.objects.filter(location=location).select_related(
        "proposed_by", "approved_by", "proposal"
    )
    items += [HistoryItem(decision.decided_at, "decision", decision) for decision in decisions]
    for track in EnforcementTrack.objects.filter(location=location):
        items.append(HistoryItem(track.started_at, "track_started", track))
        if track.closed_at is not None:
            items.append(HistoryItem(track.closed_at, "track_closed", track))
    order = {"version": 0, "case": 1, "proposal": 2, "track_started": 3, "decision": 4}
    items.sort(key=lambda entry: (entry.at, order.get(entry.what, 5), entry.item.pk))
    return items
