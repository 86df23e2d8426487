"""The 002 figures of Opgroeipunt for any period (issue 17 item 7, the fixed JSON).

A period is Brussels dates ``start``..``end`` (inclusive): [start 00:00 Europe/Brussels,
end + 1 day 00:00). It is cut per calendar year, each year clipped to the period. Every figure is
one indexed range query over the whole period with a conditional count per year (cases by
``(kind, received_at)``, decisions by ``(kind, decided_at)``, tracks by
``(started_at, closed_at)``): five queries whatever the number of years. Definitions in
docs/opgroeipunt.md ("Figures").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, DateTimeField, Exists, OuterRef, Q, Value, When

from kglijn.core.business_calendar import BRUSSELS
from kglijn.opgroeipunt.models import (
    Case,
    CaseKind,
    Decision,
    DecisionKind,
    EnforcementTrack,
)

# The fixed JSON's keys, in its order.
FIGURES = (
    "danger_situations",
    "danger_situations_locations",
    "danger_situations_enforcement_started",
    "admissible_complaints",
    "inspection_enforcement_advices",
    "enforcement_locations",
    "suspension_decisions",
    "revocation_decisions",
    "civil_party_proceedings",
)
MAX_YEARS = 50
_DECISION_FIGURES = {
    "inspection_enforcement_advices": DecisionKind.INSPECTION_ADVICE,
    "suspension_decisions": DecisionKind.SUSPENSION,
    "revocation_decisions": DecisionKind.REVOCATION,
    "civil_party_proceedings": DecisionKind.CIVIL_PARTY,
}


def brussels_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BRUSSELS)


@dataclass(frozen=True)
class YearSlice:
    """One calendar year of the period, clipped: Brussels dates and the [low, high) moments."""

    year: int
    first: dt.date
    last: dt.date
    low: dt.datetime
    high: dt.datetime


def year_slices(*, start: dt.date, end: dt.date) -> list[YearSlice]:
    if end < start:
        raise ValueError("end lies before start")
    slices = []
    for year in range(start.year, end.year + 1):
        first = max(start, dt.date(year, 1, 1))
        last = min(end, dt.date(year, 12, 31))
        slices.append(
            YearSlice(
                year,
                first,
                last,
                brussels_midnight(first),
                brussels_midnight(last + dt.timedelta(days=1)),
            )
        )
    return slices


def _in(field: str, part: YearSlice) -> Q:
    return Q(**{f"{field}__gte": part.low, f"{field}__lt": part.high})


def _case_figures(slices: list[YearSlice], low: dt.datetime, high: dt.datetime) -> dict[str, int]:
    """Danger situations and admissible complaints per year: one query."""
    counts: dict[str, Any] = {}
    for part in slices:
        counts[f"d{part.year}"] = Count(
            "id", filter=Q(kind=CaseKind.DANGER) & _in("received_at", part)
        )
        counts[f"c{part.year}"] = Count(
            "id", filter=Q(kind=CaseKind.COMPLAINT, admissible=True) & _in("received_at", part)
        )
    return dict(
        Case.objects.filter(
            kind__in=(CaseKind.DANGER, CaseKind.COMPLAINT),
            received_at__gte=low,
            received_at__lt=high,
        ).aggregate(**counts)
    )


def _year_end(slices: list[YearSlice], field: str) -> SqlCase:
    """The end (exclusive) of the year slice that ``field`` falls in, as an SQL CASE."""
    return SqlCase(
        *[When(**{f"{field}__lt": part.high}, then=Value(part.high)) for part in slices[:-1]],
        default=Value(slices[-1].high),
        output_field=DateTimeField(),
    )


def _danger_location_figures(
    slices: list[YearSlice], low: dt.datetime, high: dt.datetime
) -> dict[str, int]:
    """Per year: distinct locations linked to danger cases received in it, and those of them with
    an ``enforcement_started`` in the same year slice on or after such a case's receipt.
    One query over the case–location links of the period's danger cases."""
    links = Case.locations.through.objects.filter(
        case__kind=CaseKind.DANGER, case__received_at__gte=low, case__received_at__lt=high
    )
    year_end: Any = high
    if len(slices) > 1:
        links = links.alias(year_end=_year_end(slices, "case__received_at"))
        year_end = OuterRef("year_end")
    links = links.alias(
        started=Exists(
            Decision.objects.filter(
                location_id=OuterRef("location_id"),
                kind=DecisionKind.ENFORCEMENT_STARTED,
                decided_at__gte=OuterRef("case__received_at"),
                decided_at__lt=year_end,
            )
        )
    )
    counts: dict[str, Any] = {}
    for part in slices:
        in_year = _in("case__received_at", part)
        counts[f"l{part.year}"] = Count("location_id", distinct=True, filter=in_year)
        counts[f"s{part.year}"] = Count(
            "location_id", distinct=True, filter=in_year & Q(started=True)
        )
    return dict(links.aggregate(**counts))


def _decision_figures(
    slices: list[YearSlice], low: dt.datetime, high: dt.datetime
) -> dict[str, int]:
    counts: dict[str, Any] = {}
    for name, kind in _DECISION_FIGURES.items():
        for part in slices:
            counts[f"{name}{part.year}"] = Count(
                "id", filter=Q(kind=kind) & _in("decided_at", part)
            )
    return dict(
        Decision.objects.filter(
            kind__in=tuple(_DECISION_FIGURES.values()),
            decided_at__gte=low,
            decided_at__lt=high,
        ).aggregate(**counts)
    )


def _open_in(part: YearSlice) -> Q:
    """A track open on at least one day of the slice: started before its end, not closed
    before its start."""
    return Q(started_at__lt=part.high) & (Q(closed_at__isnull=True) | Q(closed_at__gte=part.low))


def _track_figures(slices: list[YearSlice], low: dt.datetime, high: dt.datetime) -> dict[str, int]:
    counts = {
        f"t{part.year}": Count("location_id", distinct=True, filter=_open_in(part))
        for part in slices
    }
    return dict(
        EnforcementTrack.objects.filter(started_at__lt=high)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=low))
        .aggregate(**counts)
    )


def opgroeipunt_figures(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The fixed JSON: ``{"from", "to", "years": {"2022": {figure: count, ...}, ...}}``."""
    if end < start:
        raise ValueError("end lies before start")
    if end.year - start.year >= MAX_YEARS:
        raise ValueError(f"choose a period of at most {MAX_YEARS} years")
    slices = year_slices(start=start, end=end)
    low, high = slices[0].low, slices[-1].high
    cases = _case_figures(slices, low, high)
    danger = _danger_location_figures(slices, low, high)
    decisions = _decision_figures(slices, low, high)
    tracks = _track_figures(slices, low, high)
    years: dict[str, dict[str, int]] = {}
    for part in slices:
        y = part.year
        figures = {
            "danger_situations": cases[f"d{y}"],
            "danger_situations_locations": danger[f"l{y}"],
            "danger_situations_enforcement_started": danger[f"s{y}"],
            "admissible_complaints": cases[f"c{y}"],
            "inspection_enforcement_advices": decisions[f"inspection_enforcement_advices{y}"],
            "enforcement_locations": tracks[f"t{y}"],
            "suspension_decisions": decisions[f"suspension_decisions{y}"],
            "revocation_decisions": decisions[f"revocation_decisions{y}"],
            "civil_party_proceedings": decisions[f"civil_party_proceedings{y}"],
        }
        years[str(y)] = {name: int(figures[name] or 0) for name in FIGURES}
    return {"from": start.isoformat(), "to": end.isoformat(), "years": years}
