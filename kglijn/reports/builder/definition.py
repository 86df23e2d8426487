"""A report-builder definition and its validation: what to count, by what, for which contacts and
days — and the field-level reasons a definition cannot run.

Counting rules that show in the validation: a contact counts once, except per reason / referral,
where a contact with two reasons counts once for each (as in the yearly report); filtering on
several reasons or referrals therefore needs that same field as a dimension. Call measures know
only time and office, satisfaction measures only time, channel and office.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kglijn.reports.builder.measures import (
    CALL_DIMENSIONS,
    CALL_FILTERS,
    CALL_MEASURES,
    CATEGORICAL_DIMENSIONS,
    DIMENSION_LABELS,
    MAX_YEARS,
    MEASURES,
    SHARES_OF,
    SURVEY_DIMENSIONS,
    SURVEY_FILTERS,
    SURVEY_MEASURE_KEYS,
    TIME_DIMENSIONS,
    known_keys,
    label,
    value_labels,
)
from kglijn.reports.builder.sources import source_for


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
            unknown = sorted(set(values) - set(known_keys(name)))
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
            for name, message in _survey_errors(self):
                add(name, message)
        elif "dimensions" not in errors and "filters" not in errors:
            for name, message in _combination_errors(self).items():
                add(name, message)
        return errors

    def rollup_dimensions(self) -> list[str]:
        """The dimensions that decide the rollup table: those it groups or filters by, except
        year, quarter, month and weekday (every table has them), dimensions first."""
        names = [name for name in self.dimensions if name not in TIME_DIMENSIONS[:4]]
        names += [name for name in self.filters if name not in names]
        return names

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
                    % {"measure": measure, "dimension": label(name).lower()},
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
                    % {"measure": measure, "dimension": label(name).lower()},
                )
            )
    return problems


def _survey_errors(definition: ReportDefinition) -> list[tuple[str, str]]:
    """Satisfaction measures exist per Brussels period, channel and office only."""
    measure = str(dict(MEASURES)[definition.measure])
    problems: list[tuple[str, str]] = []
    for name in definition.dimensions:
        if name in DIMENSION_LABELS and name not in SURVEY_DIMENSIONS:
            problems.append(
                (
                    "dimensions",
                    _(
                        "%(measure)s cannot be combined with %(dimension)s: satisfaction "
                        "measures can be broken down only by year, quarter, month, channel and "
                        "office."
                    )
                    % {"measure": measure, "dimension": label(name).lower()},
                )
            )
    for name in definition.filters:
        if name in DIMENSION_LABELS and name not in SURVEY_FILTERS:
            problems.append(
                (
                    "filters",
                    _(
                        "%(measure)s cannot be filtered on %(dimension)s: satisfaction measures "
                        "can be filtered only by channel and office."
                    )
                    % {"measure": measure, "dimension": label(name).lower()},
                )
            )
    return problems


def _combination_errors(definition: ReportDefinition) -> dict[str, str]:
    used = definition.rollup_dimensions()
    if source_for(used) is None:
        for first, second in itertools.combinations(used, 2):
            if source_for((first, second)) is None:
                where = "dimensions" if {first, second} <= set(definition.dimensions) else "filters"
                return {
                    where: _("%(first)s cannot be combined with %(second)s.")
                    % {"first": capfirst(label(first)), "second": label(second).lower()}
                }
        return {"dimensions": _("This combination of dimensions and filters is not available.")}
    for name in ("reason", "referral"):
        if len(definition.filters.get(name, ())) > 1 and name not in definition.dimensions:
            return {
                "filters": _(
                    "Filtering on several values of %(dimension)s needs %(dimension)s as a "
                    "dimension: a contact with several of them would count more than once."
                )
                % {"dimension": label(name).lower()}
            }
    return {}


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
        labels = dict(value_labels(name))
        lines.append((label(name), ", ".join(labels.get(value, value) for value in values)))
    return lines
