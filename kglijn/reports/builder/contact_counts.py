"""Contact counts and shares from the report rollups (ADR 0005): the table chosen in sources.py,
read as the signed month/day segments of `selectors.period_segments` (month rows for whole
months, day rows at the edges), so the cost does not grow with the number of contacts.

A contact counts once, except per reason / referral, where a contact with two reasons counts
once for each (as in the yearly report).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Case, F, IntegerField, Q, Sum, When
from django.db.models.functions import (
    ExtractIsoWeekDay,
    ExtractMonth,
    ExtractQuarter,
    ExtractYear,
)
from django.utils.translation import gettext as _

from kglijn.contacts.models import Reason, ReferralOrganisation
from kglijn.contacts.rollups.models import Grain
from kglijn.reports.builder.definition import ReportDefinition
from kglijn.reports.builder.measures import MEASURES, TIME_DIMENSIONS
from kglijn.reports.builder.result import ReportResult, domain
from kglijn.reports.builder.sources import Source, source_for
from kglijn.reports.selectors import Segment, period_segments


def contacts_run(definition: ReportDefinition) -> ReportResult:
    """A contact count or share of a valid definition, from the rollup table that can answer."""
    source = source_for(definition.rollup_dimensions())
    assert source is not None
    found = _counts(source, definition)
    row_dimension = definition.dimensions[0]
    column_dimension = definition.dimensions[1] if len(definition.dimensions) > 1 else None
    rows = domain(row_dimension, definition, {key[0] for key in found})
    if column_dimension is None:
        columns: list[tuple[Any, str]] = [(None, str(dict(MEASURES)[definition.measure]))]
        counts = [[found.get((key,), 0)] for key, _label in rows]
    else:
        columns = domain(column_dimension, definition, {key[1] for key in found})
        counts = [[found.get((row, column), 0) for column, _c in columns] for row, _r in rows]
    row_totals = [sum(row) for row in counts]
    column_totals = [sum(column) for column in zip(*counts, strict=True)] if counts else []
    if not counts:
        column_totals = [0 for _column in columns]
    total = sum(row_totals)
    result = ReportResult(
        definition=definition,
        row_dimension=row_dimension,
        column_dimension=column_dimension,
        row_keys=[key for key, _label in rows],
        row_labels=[label for _key, label in rows],
        column_keys=[key for key, _label in columns],
        column_labels=[label for _key, label in columns],
        counts=counts,
        values=[[float(count) for count in row] for row in counts],
        row_totals=[float(count) for count in row_totals],
        column_totals=[float(count) for count in column_totals],
        total=float(total),
        count_row_totals=row_totals,
        count_column_totals=column_totals,
        count_total=total,
        source=source.model._meta.model_name or "",
        notes=_notes(definition),
    )
    if definition.measure == "share":
        _apply_shares(result)
    return result


def _percentages(counts: Sequence[int], total: int) -> list[float | None]:
    return [round(100 * count / total, 2) if total else 0.0 for count in counts]


def _segments(definition: ReportDefinition) -> list[Segment]:
    assert definition.date_from
    assert definition.date_to
    if "weekday" in definition.dimensions:
        # The weekday is a property of the day: only day rows know it.
        return [Segment(Grain.DAY, definition.date_from, definition.date_to)]
    return period_segments(first=definition.date_from, last=definition.date_to)


_TIME_EXPRESSIONS = {
    "year": ExtractYear,
    "quarter": ExtractQuarter,
    "month": ExtractMonth,
    "weekday": ExtractIsoWeekDay,
}


def _counts(source: Source, definition: ReportDefinition) -> dict[tuple[Any, ...], int]:
    """Signed sums over the period's segments, grouped by the dimensions' keys."""
    segments = _segments(definition)
    period = Q()
    negative = Q()
    for segment in segments:
        condition = Q(grain=segment.grain, day__gte=segment.first, day__lte=segment.last)
        period |= condition
        if segment.sign < 0:
            negative |= condition
    signed: Any = (
        Case(
            When(negative, then=-F("contacts")), default=F("contacts"), output_field=IntegerField()
        )
        if any(segment.sign < 0 for segment in segments)
        else F("contacts")
    )
    queryset = source.model.objects.filter(period)  # type: ignore[attr-defined]
    for name, values in definition.filters.items():
        queryset = queryset.filter(**{f"{source.column(name)}__in": _filter_values(name, values)})
    annotations = {
        f"k_{name}": (
            _TIME_EXPRESSIONS[name]("day") if name in _TIME_EXPRESSIONS else F(source.column(name))
        )
        for name in definition.dimensions
    }
    names = list(annotations)
    rows = queryset.annotate(**annotations).values(*names).annotate(n=Sum(signed)).order_by()
    codes = {
        name: _codes_by_id(name) for name in definition.dimensions if name in ("reason", "referral")
    }
    result: dict[tuple[Any, ...], int] = {}
    for row in rows:
        key = tuple(_key(name, row[f"k_{name}"], codes.get(name)) for name in definition.dimensions)
        result[key] = result.get(key, 0) + int(row["n"] or 0)
    return result


def _filter_values(name: str, values: Iterable[str]) -> list[Any]:
    if name == "anonymous":
        return [value == "true" for value in values]
    if name in ("reason", "referral"):
        model = Reason if name == "reason" else ReferralOrganisation
        return list(model.objects.filter(code__in=list(values)).values_list("pk", flat=True))
    return list(values)


def _codes_by_id(name: str) -> dict[int, str]:
    model = Reason if name == "reason" else ReferralOrganisation
    return dict(model.objects.values_list("pk", "code"))


def _key(name: str, value: Any, codes: dict[int, str] | None) -> Any:
    if codes is not None:
        return codes[value]
    if name == "anonymous":
        return "true" if value else "false"
    if name in TIME_DIMENSIONS:
        return int(value)
    return value


def _apply_shares(result: ReportResult) -> None:
    share_of = result.definition.share_of if result.column_dimension else "total"
    total = result.count_total
    if share_of == "row":
        result.values = [
            _percentages(row, row_total)
            for row, row_total in zip(result.counts, result.count_row_totals, strict=True)
        ]
        result.row_totals = [100.0 if count else 0.0 for count in result.count_row_totals]
        result.column_totals = _percentages(result.count_column_totals, total)
    elif share_of == "column":
        columns = [
            _percentages(column, column_total)
            for column, column_total in zip(
                zip(*result.counts, strict=True), result.count_column_totals, strict=True
            )
        ]
        result.values = [list(row) for row in zip(*columns, strict=True)] if columns else []
        if not result.counts:
            result.values = []
        result.column_totals = [100.0 if count else 0.0 for count in result.count_column_totals]
        result.row_totals = _percentages(result.count_row_totals, total)
    else:
        result.values = [_percentages(row, total) for row in result.counts]
        result.row_totals = _percentages(result.count_row_totals, total)
        result.column_totals = _percentages(result.count_column_totals, total)
    result.total = 100.0 if total else 0.0


def _notes(definition: ReportDefinition) -> list[str]:
    notes = []
    if "reason" in definition.dimensions or "reason" in definition.filters:
        notes.append(
            _(
                "Per reason: a contact with several reasons counts once for each; contacts "
                "without a reason are not included."
            )
        )
    if "referral" in definition.dimensions or "referral" in definition.filters:
        notes.append(
            _(
                "Per referral: a contact referred to several organisations counts once for "
                "each; contacts without a referral are not included."
            )
        )
    return notes
