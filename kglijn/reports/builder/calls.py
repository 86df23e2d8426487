"""Call measures of the report builder (offered, answered, abandoned calls, service level, ASA)
from the call legs' service levels (kglijn.servicelevels.phone) per office and Brussels
hour/day/month. Longer periods and totals are recomputed from the summed components (within
target ÷ offered, total wait ÷ answered), never averaged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kglijn.core.business_calendar import BRUSSELS
from kglijn.reports.builder.definition import ReportDefinition
from kglijn.reports.builder.result import ReportResult, sums_result
from kglijn.servicelevels.phone import Period, ServiceLevelRow, service_levels


@dataclass
class _CallSums:
    """Additive components of the call measures; rates are recomputed from them, never averaged."""

    offered: int = 0  # without short abandons
    answered: int = 0
    in_target: int = 0
    abandoned: int = 0  # without short abandons
    wait_answered_seconds: float = 0.0

    def add(self, other: _CallSums) -> None:
        self.offered += other.offered
        self.answered += other.answered
        self.in_target += other.in_target
        self.abandoned += other.abandoned
        self.wait_answered_seconds += other.wait_answered_seconds

    def value(self, measure: str) -> float | None:
        if measure == "offered_calls":
            return float(self.offered)
        if measure == "answered_calls":
            return float(self.answered)
        if measure == "abandoned_calls":
            return float(self.abandoned)
        if measure == "service_level":
            return round(100 * self.in_target / self.offered, 2) if self.offered else None
        return round(self.wait_answered_seconds / self.answered, 2) if self.answered else None


def _call_period(definition: ReportDefinition) -> Period:
    """The coarsest service-level period that still tells every asked dimension apart."""
    if "hour" in definition.dimensions:
        return Period.HOUR
    if "weekday" in definition.dimensions:
        return Period.DAY
    return Period.MONTH


def _call_key(name: str, row: ServiceLevelRow) -> Any:
    if name == "office":
        return row.office
    start = row.start.astimezone(BRUSSELS)
    if name == "quarter":
        return (start.month - 1) // 3 + 1
    if name == "weekday":
        return start.isoweekday()
    return {"year": start.year, "month": start.month, "hour": start.hour}[name]


def _call_sums(definition: ReportDefinition) -> dict[tuple[Any, ...], _CallSums]:
    """Service-level components per combination of the dimensions' keys."""
    assert definition.date_from
    assert definition.date_to
    offices = definition.filters.get("office")
    report = service_levels(
        date_from=definition.date_from,
        date_to=definition.date_to,
        period=_call_period(definition),
        offices=list(offices) if offices else None,
    )
    found: dict[tuple[Any, ...], _CallSums] = {}
    for rows in report.rows.values():
        for row in rows:
            key = tuple(_call_key(name, row) for name in definition.dimensions)
            found.setdefault(key, _CallSums()).add(
                _CallSums(
                    offered=row.offered,
                    answered=row.answered,
                    in_target=row.answered_in_target,
                    abandoned=row.abandoned,
                    wait_answered_seconds=row.wait_answered_seconds,
                )
            )
    return found


def call_run(definition: ReportDefinition) -> ReportResult:
    """A call measure from the call legs' service-level figures per office and period."""
    return sums_result(
        definition,
        _call_sums(definition),
        empty=_CallSums,
        count=lambda sums: sums.offered,
        source="call_legs",
        notes=[
            _(
                "Calls: each wait in an office's queue counts for that office (a transferred "
                "call counts in each office it reached). Short abandons are left out of offered "
                "and abandoned calls. Service level = answered within the target time ÷ offered "
                "calls; average speed of answer = total wait of answered calls ÷ answered calls; "
                "totals are recomputed from these counts, never averaged."
            )
        ],
    )
