"""A report-builder result: a table of rows (the first dimension's values) by columns (the
second's, or the measure alone), with totals, and how it is built from per-cell sums."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kglijn.contacts.models import Reason, ReferralOrganisation
from kglijn.reports.builder.definition import ReportDefinition
from kglijn.reports.builder.measures import (
    CALL_MEASURES,
    FIXED_VALUES,
    MEASURES,
    SURVEY_RATE_MEASURES,
    TIME_DIMENSIONS,
    label,
)


@dataclass
class ReportResult:
    """Rows are the first dimension's values, columns the second's (or the measure alone).

    `counts` are exact contact counts (offered calls for the call measures); `values` are the
    measure (counts, or percentages / seconds rounded to 2 decimals; None where a call rate has
    nothing to divide by); the totals follow the measure as well (count totals in `count_*`).
    """

    definition: ReportDefinition
    row_dimension: str
    column_dimension: str | None
    row_keys: list[Any]
    row_labels: list[str]
    column_keys: list[Any]
    column_labels: list[str]
    counts: list[list[int]]
    values: list[list[float | None]]
    row_totals: list[float | None]
    column_totals: list[float | None]
    total: float | None
    count_row_totals: list[int]
    count_column_totals: list[int]
    count_total: int
    source: str
    notes: list[str] = field(default_factory=list)

    @property
    def measure_label(self) -> str:
        return str(dict(MEASURES)[self.definition.measure])

    @property
    def row_dimension_label(self) -> str:
        return label(self.row_dimension)

    @property
    def column_dimension_label(self) -> str:
        return label(self.column_dimension) if self.column_dimension else ""

    @property
    def is_share(self) -> bool:
        return self.definition.measure == "share"

    @property
    def is_calls(self) -> bool:
        return self.definition.measure in CALL_MEASURES

    @property
    def is_percent(self) -> bool:
        return self.definition.measure in ("share", "service_level")

    @property
    def decimals(self) -> int:
        """Decimals to show: 2 for percentages and seconds, 0 for counts."""
        measure = self.definition.measure
        return 2 if measure in ("share", "service_level", "asa", *SURVEY_RATE_MEASURES) else 0

    @property
    def chart_kind(self) -> str:
        """line (time first), bar (one dimension), stacked or grouped (two dimensions)."""
        if self.row_dimension in TIME_DIMENSIONS and len(self.row_keys) > 1:
            return "line"
        if self.column_dimension is None:
            return "bar"
        if self.is_share and self.definition.share_of == "column":
            return "grouped"
        if self.definition.measure in ("service_level", "asa", *SURVEY_RATE_MEASURES):
            return "grouped"  # rates do not add up
        return "stacked"

    @property
    def title(self) -> str:
        measure = self.measure_label
        if self.column_dimension is None:
            return _("%(measure)s per %(dimension)s") % {
                "measure": measure,
                "dimension": label(self.row_dimension).lower(),
            }
        return _("%(measure)s per %(first)s and %(second)s") % {
            "measure": measure,
            "first": label(self.row_dimension).lower(),
            "second": label(self.column_dimension).lower(),
        }

    def rows(self) -> list[tuple[str, list[float | None], float | None]]:
        """(label, values, total) per row, for templates."""
        return list(zip(self.row_labels, self.values, self.row_totals, strict=True))


def domain(dimension: str, definition: ReportDefinition, found: set[Any]) -> list[tuple[Any, str]]:
    """The (key, label) pairs to show for a dimension: its values in display order."""
    assert definition.date_from
    assert definition.date_to
    first, last = definition.date_from, definition.date_to
    days = (last - first).days + 1
    covered = [first + dt.timedelta(days=n) for n in range(min(days, 366))]
    pairs: list[tuple[Any, str]]
    if dimension == "year":
        pairs = [(year, str(year)) for year in range(first.year, last.year + 1)]
    elif dimension == "quarter":
        quarters = sorted({(day.month - 1) // 3 + 1 for day in covered})
        pairs = [(q, _("Q%(number)d") % {"number": q}) for q in quarters]
    elif dimension == "month":
        months = sorted({day.month for day in covered})
        pairs = [(month, capfirst(str(MONTHS[month]))) for month in months]
    elif dimension == "weekday":
        weekdays = sorted({day.isoweekday() for day in covered})
        pairs = [(weekday, capfirst(str(WEEKDAYS[weekday - 1]))) for weekday in weekdays]
    elif dimension == "hour":
        hours = sorted(found)
        span = range(hours[0], hours[-1] + 1) if hours else range(0)
        pairs = [(hour, f"{hour:02d}:00") for hour in span]
    elif dimension in ("reason", "referral"):
        model = Reason if dimension == "reason" else ReferralOrganisation
        pairs = [
            (code, name)
            for code, name, active in model.objects.values_list("code", "name", "active")
            if active or code in found
        ]
    else:
        pairs = [(str(key), str(label)) for key, label in FIXED_VALUES[dimension]]
    wanted = definition.filters.get(dimension)
    if wanted is not None:
        pairs = [(key, label) for key, label in pairs if str(key) in wanted]
    known = {key for key, _label in pairs}
    pairs += [(key, str(key)) for key in sorted(found - known, key=str)]
    return pairs


class Sums(Protocol):
    """Counts and sums of one builder cell that add up and give a measure's value (the call
    measures' `_CallSums`, the satisfaction measures' `SurveySums`)."""

    def add(self, other: Any) -> None: ...

    def value(self, measure: str) -> float | None: ...


S = TypeVar("S", bound=Sums)


def sums_result(
    definition: ReportDefinition,
    found: Mapping[tuple[Any, ...], S],
    *,
    empty: Callable[[], S],
    count: Callable[[S], int],
    source: str,
    notes: list[str],
) -> ReportResult:
    """A builder result from per-cell sums: rows and columns over the dimensions' domains,
    totals added up from the sums (never averaged values)."""
    measure = definition.measure

    def summed(parts: Iterable[S]) -> S:
        total = empty()
        for part in parts:
            total.add(part)
        return total

    row_dimension = definition.dimensions[0]
    column_dimension = definition.dimensions[1] if len(definition.dimensions) > 1 else None
    rows = domain(row_dimension, definition, {key[0] for key in found})
    columns: list[tuple[Any, str]]
    if column_dimension is None:
        columns = [(None, str(dict(MEASURES)[measure]))]
        cells = [[found.get((key,), empty())] for key, _label in rows]
    else:
        columns = domain(column_dimension, definition, {key[1] for key in found})
        cells = [[found.get((row, column), empty()) for column, _c in columns] for row, _r in rows]
    row_sums = [summed(row) for row in cells]
    column_sums = [summed(row[index] for row in cells) for index in range(len(columns))]
    total = summed(row_sums)
    return ReportResult(
        definition=definition,
        row_dimension=row_dimension,
        column_dimension=column_dimension,
        row_keys=[key for key, _label in rows],
        row_labels=[label for _key, label in rows],
        column_keys=[key for key, _label in columns],
        column_labels=[label for _key, label in columns],
        counts=[[count(cell) for cell in row] for row in cells],
        values=[[cell.value(measure) for cell in row] for row in cells],
        row_totals=[sums.value(measure) for sums in row_sums],
        column_totals=[sums.value(measure) for sums in column_sums],
        total=total.value(measure),
        count_row_totals=[count(sums) for sums in row_sums],
        count_column_totals=[count(sums) for sums in column_sums],
        count_total=count(total),
        source=source,
        notes=notes,
    )
