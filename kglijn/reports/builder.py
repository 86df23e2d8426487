"""The report builder's engine: a measure by one or two dimensions, filtered, over any period.

Answers only from the rollups (ADR 0005): the definition's dimensions and filters decide which
rollup table can answer it; a combination no table holds is refused with a message naming it
(e.g. "Hour cannot be combined with province."). A period is read as the signed month/day
segments of `selectors.period_segments`, so the cost does not grow with the number of contacts.

Counting rules: a contact counts once, except per reason / referral, where a contact with two
reasons counts once for each (as in the yearly report). Filtering on several reasons or referrals
therefore needs that same field as a dimension, or the total would count such contacts twice.

Call measures (offered, answered, abandoned calls, service level, ASA) come from the call legs'
service levels (kglijn.servicelevels.phone) per office and Brussels hour/day/month: only
time and office dimensions and an office filter apply. Longer periods and totals are recomputed
from the summed components (within target ÷ offered, total wait ÷ answered), never averaged.

Satisfaction measures (survey responses, average score per criterion, NPS) come from the survey
responses through the plug-in `builder_surveys.py`: year/quarter/month, channel and office.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.db.models import (
    Case,
    F,
    IntegerField,
    Model,
    Q,
    Sum,
    When,
)
from django.db.models.functions import (
    ExtractIsoWeekDay,
    ExtractMonth,
    ExtractQuarter,
    ExtractYear,
)
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kglijn.contacts.models import Channel, Direction, Office, Reason, ReferralOrganisation
from kglijn.contacts.rollups.models import (
    ContactHourRollup,
    ContactReasonRollup,
    ContactReferralRollup,
    ContactRollup,
    Grain,
)
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.provinces import PROVINCE_CHOICES_WITH_UNREGISTERED
from kglijn.reports.builder_surveys import (
    SURVEY_MEASURE_KEYS,
    SURVEY_MEASURES,
    SURVEY_RATE_MEASURES,
    survey_errors,
    survey_run,
)
from kglijn.reports.selectors import Segment, period_segments
from kglijn.servicelevels.phone import Period, ServiceLevelRow, service_levels

MAX_YEARS = 20

MEASURES: tuple[tuple[str, Promise], ...] = (
    ("contacts", gettext_lazy("Contacts")),
    ("share", gettext_lazy("Share (%)")),
    ("offered_calls", gettext_lazy("Offered calls")),
    ("answered_calls", gettext_lazy("Answered calls")),
    ("abandoned_calls", gettext_lazy("Abandoned calls")),
    ("service_level", gettext_lazy("Service level (%)")),
    ("asa", gettext_lazy("Average speed of answer (s)")),
    *SURVEY_MEASURES,  # satisfaction: builder_surveys.py
)
# Measures of the telephony's call legs (kglijn.servicelevels.phone), not of the rollups:
# they know only the period and the office.
CALL_MEASURES = ("offered_calls", "answered_calls", "abandoned_calls", "service_level", "asa")
CALL_DIMENSIONS = ("year", "quarter", "month", "weekday", "hour", "office")
CALL_FILTERS = ("office",)
SHARES_OF: tuple[tuple[str, Promise], ...] = (
    ("total", gettext_lazy("of the grand total")),
    ("row", gettext_lazy("within each row")),
    ("column", gettext_lazy("within each column")),
)
TIME_DIMENSIONS = ("year", "quarter", "month", "weekday", "hour")
CATEGORICAL_DIMENSIONS = (
    "channel",
    "direction",
    "origin",
    "office",
    "province",
    "topic",
    "reason",
    "referral",
    "anonymous",
)
DIMENSION_LABELS: dict[str, Promise] = {
    "year": gettext_lazy("Year"),
    "quarter": gettext_lazy("Quarter"),
    "month": gettext_lazy("Month"),
    "weekday": gettext_lazy("Weekday"),
    "hour": gettext_lazy("Hour"),
    "channel": gettext_lazy("Channel"),
    "direction": gettext_lazy("Direction"),
    "origin": gettext_lazy("Origin"),
    "office": gettext_lazy("Office"),
    "province": gettext_lazy("Province"),
    "topic": gettext_lazy("Domain"),
    "reason": gettext_lazy("Reason"),
    "referral": gettext_lazy("Referral"),
    "anonymous": gettext_lazy("Anonymous"),
}
DIMENSIONS = tuple(DIMENSION_LABELS)

# Fixed value lists (key, label) of the single-valued categorical dimensions, in display order.
# Catalogue dimensions (reason, referral) come from the database.
FIXED_VALUES: dict[str, Sequence[tuple[str, Any]]] = {
    "channel": Channel.choices,
    "direction": Direction.choices,
    "origin": [
        ("", gettext_lazy("Not applicable")),
        ("mailbox", gettext_lazy("Mailbox")),
        ("webform", gettext_lazy("Web form")),
    ],
    "office": Office.choices,
    "province": PROVINCE_CHOICES_WITH_UNREGISTERED,
    "topic": [
        ("childcare", gettext_lazy("Childcare")),
        ("family_support", gettext_lazy("Preventive family support")),
        ("", gettext_lazy("No domain")),
    ],
    "anonymous": [("true", gettext_lazy("Anonymous")), ("false", gettext_lazy("Identified"))],
}


@dataclass(frozen=True)
class _Source:
    """A rollup table and the non-time dimensions it can group or filter by."""

    model: type[Model]
    dimensions: frozenset[str]

    def column(self, dimension: str) -> str:
        return {"reason": "reason_id", "referral": "referral_id"}.get(dimension, dimension)


# In order of preference: the first table holding every asked dimension answers.
SOURCES: tuple[_Source, ...] = (
    _Source(
        ContactRollup,
        frozenset(("channel", "direction", "origin", "office", "province", "topic", "anonymous")),
    ),
    _Source(ContactHourRollup, frozenset(("hour", "channel", "direction", "office"))),
    _Source(
        ContactReasonRollup,
        frozenset(("reason", "channel", "direction", "office", "province", "topic")),
    ),
    _Source(
        ContactReferralRollup,
        frozenset(("referral", "channel", "direction", "office", "province", "topic")),
    ),
)


class InvalidReport(ValueError):
    """A definition that cannot be run; `errors` maps a definition field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


@dataclass
class ReportDefinition:
    """What to count (measure), by what (1–2 dimensions), for which contacts and Brussels days.

    `filters` maps a categorical dimension to the values to keep (its keys: choice values,
    catalogue codes, "" for "not registered", "true"/"false" for anonymous).
    """

    measure: str = "contacts"
    dimensions: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    share_of: str = "total"

    def __post_init__(self) -> None:
        self.dimensions = tuple(self.dimensions)
        self.filters = {name: tuple(values) for name, values in self.filters.items() if values}

    def errors(self) -> dict[str, list[str]]:
        """Field-level problems (empty when the definition can run)."""
        errors: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        if self.measure not in dict(MEASURES):
            add("measure", _("Unknown measure “%(value)s”.") % {"value": self.measure})
        if self.share_of not in dict(SHARES_OF):
            add("share_of", _("Unknown share basis “%(value)s”.") % {"value": self.share_of})
        if not 1 <= len(self.dimensions) <= 2:
            add("dimensions", _("Choose one or two dimensions."))
        for name in self.dimensions:
            if name not in DIMENSION_LABELS:
                add("dimensions", _("Unknown dimension “%(value)s”.") % {"value": name})
        if len(set(self.dimensions)) != len(self.dimensions):
            add("dimensions", _("Choose two different dimensions."))
        for name, values in self.filters.items():
            if name not in CATEGORICAL_DIMENSIONS:
                add("filters", _("Cannot filter on “%(value)s”.") % {"value": name})
                continue
            unknown = sorted(set(values) - set(_known_keys(name)))
            if unknown:
                add(
                    "filters",
                    _("Unknown %(dimension)s value(s): %(values)s.")
                    % {
                        "dimension": str(DIMENSION_LABELS[name]).lower(),
                        "values": ", ".join(f"“{value}”" for value in unknown),
                    },
                )
        if self.date_from is None:
            add("date_from", _("Enter the first day of the period."))
        if self.date_to is None:
            add("date_to", _("Enter the last day of the period."))
        if self.date_from and self.date_to:
            if self.date_to < self.date_from:
                add("date_to", _("The end date lies before the start date."))
            elif self.date_to.year - self.date_from.year >= MAX_YEARS:
                add("date_to", _("Choose a period of at most 20 years."))
        if self.measure in CALL_MEASURES:
            for name, message in _call_errors(self):
                add(name, message)
        elif self.measure in SURVEY_MEASURE_KEYS:
            for name, message in survey_errors(self):
                add(name, message)
        elif "dimensions" not in errors and "filters" not in errors:
            for name, message in _combination_errors(self).items():
                add(name, message)
        return errors

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (the SavedReport's `definition`)."""
        return {
            "measure": self.measure,
            "share_of": self.share_of,
            "dimensions": list(self.dimensions),
            "filters": {name: list(values) for name, values in sorted(self.filters.items())},
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportDefinition:
        """The definition stored by `to_json`; InvalidReport if it is malformed."""
        try:
            filters = data.get("filters") or {}
            return cls(
                measure=str(data.get("measure", "contacts")),
                share_of=str(data.get("share_of", "total")),
                dimensions=tuple(str(name) for name in data.get("dimensions", ())),
                filters={str(k): tuple(str(v) for v in values) for k, values in filters.items()},
                date_from=_date_or_none(data.get("date_from")),
                date_to=_date_or_none(data.get("date_to")),
            )
        except (TypeError, ValueError, AttributeError) as exc:
            raise InvalidReport({"definition": [_("This report definition is damaged.")]}) from exc


def _date_or_none(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _known_keys(dimension: str) -> list[str]:
    if dimension == "reason":
        return list(Reason.objects.values_list("code", flat=True))
    if dimension == "referral":
        return list(ReferralOrganisation.objects.values_list("code", flat=True))
    return [str(key) for key, _label in FIXED_VALUES[dimension]]


def _label(dimension: str) -> str:
    return str(DIMENSION_LABELS[dimension])


def _used(definition: ReportDefinition) -> list[str]:
    """Non-time dimensions the definition groups or filters by, dimensions first."""
    names = [name for name in definition.dimensions if name not in TIME_DIMENSIONS[:4]]
    names += [name for name in definition.filters if name not in names]
    return names


def _source_for(used: Iterable[str]) -> _Source | None:
    wanted = set(used)
    return next((source for source in SOURCES if wanted <= source.dimensions), None)


def _call_errors(definition: ReportDefinition) -> list[tuple[str, str]]:
    """Call measures exist per office and Brussels period only: refuse anything else."""
    measure = str(dict(MEASURES)[definition.measure])
    problems: list[tuple[str, str]] = []
    for name in definition.dimensions:
        if name in DIMENSION_LABELS and name not in CALL_DIMENSIONS:
            problems.append(
                (
                    "dimensions",
                    _(
                        "%(measure)s cannot be combined with %(dimension)s: call measures can "
                        "be broken down only by year, quarter, month, weekday, hour and office."
                    )
                    % {"measure": measure, "dimension": _label(name).lower()},
                )
            )
    for name in definition.filters:
        if name in CATEGORICAL_DIMENSIONS and name not in CALL_FILTERS:
            problems.append(
                (
                    "filters",
                    _(
                        "%(measure)s cannot be filtered on %(dimension)s: call measures can be "
                        "filtered only by office."
                    )
                    % {"measure": measure, "dimension": _label(name).lower()},
                )
            )
    return problems


def _combination_errors(definition: ReportDefinition) -> dict[str, str]:
    used = _used(definition)
    if _source_for(used) is None:
        for first, second in itertools.combinations(used, 2):
            if _source_for((first, second)) is None:
                where = "dimensions" if {first, second} <= set(definition.dimensions) else "filters"
                return {
                    where: _("%(first)s cannot be combined with %(second)s.")
                    % {"first": capfirst(_label(first)), "second": _label(second).lower()}
                }
        return {"dimensions": _("This combination of dimensions and filters is not available.")}
    for name in ("reason", "referral"):
        if len(definition.filters.get(name, ())) > 1 and name not in definition.dimensions:
            return {
                "filters": _(
                    "Filtering on several values of %(dimension)s needs %(dimension)s as a "
                    "dimension: a contact with several of them would count more than once."
                )
                % {"dimension": _label(name).lower()}
            }
    return {}


# --- result ------------------------------------------------------------------------------------


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
        return _label(self.row_dimension)

    @property
    def column_dimension_label(self) -> str:
        return _label(self.column_dimension) if self.column_dimension else ""

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
                "dimension": _label(self.row_dimension).lower(),
            }
        return _("%(measure)s per %(first)s and %(second)s") % {
            "measure": measure,
            "first": _label(self.row_dimension).lower(),
            "second": _label(self.column_dimension).lower(),
        }

    def rows(self) -> list[tuple[str, list[float | None], float | None]]:
        """(label, values, total) per row, for templates."""
        return list(zip(self.row_labels, self.values, self.row_totals, strict=True))


def _percentages(counts: Sequence[int], total: int) -> list[float | None]:
    return [round(100 * count / total, 2) if total else 0.0 for count in counts]


def _domain(dimension: str, definition: ReportDefinition, found: set[Any]) -> list[tuple[Any, str]]:
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


def _counts(source: _Source, definition: ReportDefinition) -> dict[tuple[Any, ...], int]:
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


def report_run(*, definition: ReportDefinition) -> ReportResult:
    """Run a definition against the rollups; raises InvalidReport with field-level errors.

    Reads only rollup rows (ADR 0005): month rows for whole months, day rows at the edges.
    """
    errors = definition.errors()
    if errors:
        raise InvalidReport(errors)
    if definition.measure in CALL_MEASURES:
        return _call_run(definition)
    if definition.measure in SURVEY_MEASURE_KEYS:
        return survey_run(definition)
    source = _source_for(_used(definition))
    assert source is not None
    found = _counts(source, definition)
    row_dimension = definition.dimensions[0]
    column_dimension = definition.dimensions[1] if len(definition.dimensions) > 1 else None
    rows = _domain(row_dimension, definition, {key[0] for key in found})
    if column_dimension is None:
        columns: list[tuple[Any, str]] = [(None, str(dict(MEASURES)[definition.measure]))]
        counts = [[found.get((key,), 0)] for key, _label in rows]
    else:
        columns = _domain(column_dimension, definition, {key[1] for key in found})
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


# --- call measures ------------------------------------------------------------------------------


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
    rows = _domain(row_dimension, definition, {key[0] for key in found})
    columns: list[tuple[Any, str]]
    if column_dimension is None:
        columns = [(None, str(dict(MEASURES)[measure]))]
        cells = [[found.get((key,), empty())] for key, _label in rows]
    else:
        columns = _domain(column_dimension, definition, {key[1] for key in found})
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


def _call_run(definition: ReportDefinition) -> ReportResult:
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


def definition_summary(definition: ReportDefinition) -> list[tuple[str, str]]:
    """(label, text) lines that say what a definition counts: period and filters, readable."""
    lines: list[tuple[str, str]] = []
    if definition.date_from and definition.date_to:
        lines.append(
            (
                _("Period"),
                _("%(first)s to %(last)s (inclusive, Brussels time)")
                % {
                    "first": definition.date_from.strftime("%d/%m/%Y"),
                    "last": definition.date_to.strftime("%d/%m/%Y"),
                },
            )
        )
    for name, values in definition.filters.items():
        labels = dict(_value_labels(name))
        lines.append((_label(name), ", ".join(labels.get(value, value) for value in values)))
    return lines


def _value_labels(dimension: str) -> list[tuple[str, str]]:
    if dimension in ("reason", "referral"):
        model = Reason if dimension == "reason" else ReferralOrganisation
        return [(code, name) for code, name in model.objects.values_list("code", "name")]
    return [(str(key), str(label)) for key, label in FIXED_VALUES[dimension]]


def filter_choices(dimension: str) -> list[tuple[str, str]]:
    """The values one can filter a categorical dimension on, in display order."""
    if dimension in ("reason", "referral"):
        model = Reason if dimension == "reason" else ReferralOrganisation
        return [
            (code, name)
            for code, name in model.objects.filter(active=True).values_list("code", "name")
        ]
    return _value_labels(dimension)
