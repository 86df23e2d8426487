"""Service levels per office and period (hour, day, month), computed from the call legs.

Definitions (domain.md "Contact-centre measures"; docs/telephony.md has the full text):
- A *leg* is one wait of a call in one office's queue (the front office, then one per transfer);
  it counts for the office and the Brussels period in which it was offered. Legs still waiting
  have no outcome yet and are left out until they have one.
- short abandons: abandoned after waiting *less than* the contract's threshold (e.g. < 5 s);
  excluded from both offered and abandoned.
- offered = legs with an outcome − short abandons; answered; abandoned (≥ threshold);
  other = offered − answered − abandoned (callback requested, transferred or ended unanswered).
- service level % = answered within the target time (wait ≤ T s) ÷ offered × 100 — domain.md's
  "answered within T ÷ (offered − short abandons)", one definition everywhere.
- ASA = mean wait of answered legs; AHT = mean (talk + hold) of answered legs whose
  conversation ended — answer to end of the leg. After-call work is not in it: the platform
  does not report it. Longest wait = the longest wait of any leg with an outcome.
- abandon rate % = abandoned ÷ offered × 100.
The norm (T, threshold, target %) is the office's ServiceLevelContract valid on the Brussels date
the leg was offered, so a period across a contract change measures each call against its own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Case, Count, F, FloatField, Max, Q, Sum, Value, When
from django.db.models.functions import TruncDay, TruncHour, TruncMonth

from kglijn.contacts.models import Office
from kglijn.core.business_calendar import BRUSSELS
from kglijn.telephony.models import (
    DEFAULT_SHORT_ABANDON_SECONDS,
    DEFAULT_TARGET_PCT,
    DEFAULT_TARGET_SECONDS,
    DEFAULT_VALID_FROM,
    CallLeg,
    LegOutcome,
    ServiceLevelContract,
)


class Period(StrEnum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


_TRUNC = {Period.HOUR: TruncHour, Period.DAY: TruncDay, Period.MONTH: TruncMonth}


@dataclass(frozen=True)
class Norm:
    """The contract of an office from valid_from on."""

    office: str
    valid_from: dt.date
    target_pct: Decimal
    target_seconds: int
    short_abandon_seconds: int


def norms() -> dict[str, list[Norm]]:
    """Every office's contracts, oldest first; an office without one gets the default norm."""
    result: dict[str, list[Norm]] = {office: [] for office in Office.values}
    for contract in ServiceLevelContract.objects.order_by("office", "valid_from"):
        result[contract.office].append(
            Norm(
                contract.office,
                contract.valid_from,
                contract.target_pct,
                contract.target_seconds,
                contract.short_abandon_seconds,
            )
        )
    for office, items in result.items():
        if not items or items[0].valid_from > DEFAULT_VALID_FROM:
            items.insert(
                0,
                Norm(
                    office,
                    dt.date.min,
                    DEFAULT_TARGET_PCT,
                    DEFAULT_TARGET_SECONDS,
                    DEFAULT_SHORT_ABANDON_SECONDS,
                ),
            )
    return result


def norm_on(all_norms: dict[str, list[Norm]], office: str, day: dt.date) -> Norm:
    """The office's norm valid on this Brussels date."""
    valid = [norm for norm in all_norms[office] if norm.valid_from <= day]
    return valid[-1] if valid else all_norms[office][0]


def _brussels_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), BRUSSELS)


def _norm_case(all_norms: dict[str, list[Norm]], attribute: str, default: int) -> Case:
    """SQL: the norm's attribute for each leg, by office and the date it was offered."""
    whens: list[When] = []
    for office, items in all_norms.items():
        for position, norm in enumerate(items):
            condition = Q(office=office)
            if norm.valid_from > dt.date.min:
                condition &= Q(offered_at__gte=_brussels_midnight(norm.valid_from))
            if position + 1 < len(items):
                condition &= Q(offered_at__lt=_brussels_midnight(items[position + 1].valid_from))
            whens.append(When(condition, then=Value(float(getattr(norm, attribute)))))
    return Case(*whens, default=Value(float(default)), output_field=FloatField())


@dataclass
class ServiceLevelRow:
    """The figures of one office (or all offices: office "") in one period."""

    office: str
    start: dt.datetime  # the period's first instant, Brussels time
    offered: int = 0
    answered: int = 0
    answered_in_target: int = 0
    abandoned: int = 0
    short_abandons: int = 0
    wait_answered_seconds: float = 0.0
    handled: int = 0
    handle_seconds: float = 0.0
    longest_wait_seconds: float | None = None
    target_pct: Decimal | None = None
    target_seconds: int | None = None

    @property
    def other(self) -> int:
        return self.offered - self.answered - self.abandoned

    @property
    def service_level_pct(self) -> float | None:
        return 100.0 * self.answered_in_target / self.offered if self.offered else None

    @property
    def abandon_rate_pct(self) -> float | None:
        return 100.0 * self.abandoned / self.offered if self.offered else None

    @property
    def asa_seconds(self) -> float | None:
        return self.wait_answered_seconds / self.answered if self.answered else None

    @property
    def aht_seconds(self) -> float | None:
        return self.handle_seconds / self.handled if self.handled else None

    @property
    def below_target(self) -> bool:
        level = self.service_level_pct
        return level is not None and self.target_pct is not None and level < self.target_pct

    def add(self, other: ServiceLevelRow) -> None:
        self.offered += other.offered
        self.answered += other.answered
        self.answered_in_target += other.answered_in_target
        self.abandoned += other.abandoned
        self.short_abandons += other.short_abandons
        self.wait_answered_seconds += other.wait_answered_seconds
        self.handled += other.handled
        self.handle_seconds += other.handle_seconds
        if other.longest_wait_seconds is not None:
            self.longest_wait_seconds = max(
                self.longest_wait_seconds or 0.0, other.longest_wait_seconds
            )


@dataclass
class ServiceLevelReport:
    date_from: dt.date
    date_to: dt.date
    period: Period
    offices: list[str]
    # office -> rows in time order (periods without any leg are absent)
    rows: dict[str, list[ServiceLevelRow]] = field(default_factory=dict)
    totals: dict[str, ServiceLevelRow] = field(default_factory=dict)  # office -> whole period
    combined: list[ServiceLevelRow] = field(default_factory=list)  # all offices, per period
    combined_total: ServiceLevelRow | None = None

    def periods(self) -> list[dt.datetime]:
        return sorted({row.start for rows in self.rows.values() for row in rows})


def _aggregate(
    *,
    start: dt.datetime,
    end: dt.datetime,
    period: Period,
    offices: Sequence[str],
    all_norms: dict[str, list[Norm]],
) -> Iterable[Mapping[str, Any]]:
    answered = Q(outcome=LegOutcome.ANSWERED)
    abandoned = Q(outcome=LegOutcome.ABANDONED)
    short = abandoned & Q(wait_seconds__lt=F("threshold"))
    return (
        CallLeg.objects.filter(offered_at__gte=start, offered_at__lt=end, office__in=offices)
        .exclude(outcome=LegOutcome.WAITING)
        .alias(
            target=_norm_case(all_norms, "target_seconds", DEFAULT_TARGET_SECONDS),
            threshold=_norm_case(all_norms, "short_abandon_seconds", DEFAULT_SHORT_ABANDON_SECONDS),
        )
        .annotate(start=_TRUNC[period]("offered_at", tzinfo=BRUSSELS))
        .values("office", "start")
        .annotate(
            legs=Count("id"),
            short_abandons=Count("id", filter=short),
            answered=Count("id", filter=answered),
            answered_in_target=Count("id", filter=answered & Q(wait_seconds__lte=F("target"))),
            abandoned=Count("id", filter=abandoned & Q(wait_seconds__gte=F("threshold"))),
            wait_answered=Sum("wait_seconds", filter=answered),
            handled=Count("handle_seconds", filter=answered),
            handle=Sum("handle_seconds", filter=answered),
            longest=Max("wait_seconds"),
        )
        .order_by("office", "start")
    )


def service_levels(
    *,
    date_from: dt.date,
    date_to: dt.date,
    period: Period | str = Period.DAY,
    offices: Sequence[str] | None = None,
) -> ServiceLevelReport:
    """Service-level figures per office and per hour/day/month of the Brussels dates
    date_from..date_to (inclusive), with per-office totals and all offices combined.

    One grouped query over the call legs of the period (indexed on offered_at)."""
    period = Period(period)
    chosen = [office for office in Office.values if offices is None or office in offices]
    start, end = _brussels_midnight(date_from), _brussels_midnight(date_to + dt.timedelta(days=1))
    all_norms = norms()
    report = ServiceLevelReport(date_from, date_to, period, chosen)
    combined: dict[dt.datetime, ServiceLevelRow] = {}
    for office in chosen:
        report.rows[office] = []
        norm = norm_on(all_norms, office, date_to)
        report.totals[office] = ServiceLevelRow(
            office,
            _brussels_midnight(date_from),
            target_pct=norm.target_pct,
            target_seconds=norm.target_seconds,
        )
    legs = _aggregate(start=start, end=end, period=period, offices=chosen, all_norms=all_norms)
    for values in legs:
        office = values["office"]
        moment: dt.datetime = values["start"].astimezone(BRUSSELS)
        norm = norm_on(all_norms, office, moment.date())
        row = ServiceLevelRow(
            office=office,
            start=moment,
            offered=values["legs"] - values["short_abandons"],
            answered=values["answered"],
            answered_in_target=values["answered_in_target"],
            abandoned=values["abandoned"],
            short_abandons=values["short_abandons"],
            wait_answered_seconds=float(values["wait_answered"] or 0.0),
            handled=values["handled"],
            handle_seconds=float(values["handle"] or 0.0),
            longest_wait_seconds=values["longest"],
            target_pct=norm.target_pct,
            target_seconds=norm.target_seconds,
        )
        report.rows[office].append(row)
        report.totals[office].add(row)
        combined.setdefault(moment, ServiceLevelRow("", moment)).add(row)
    report.combined = [combined[moment] for moment in sorted(combined)]
    total = ServiceLevelRow("", _brussels_midnight(date_from))
    for row in report.totals.values():
        total.add(row)
    report.combined_total = total
    return report


def service_level_today(*, now: dt.datetime) -> dict[str, ServiceLevelRow]:
    """Today's (Brussels) figures per office so far, for the wallboard."""
    today = now.astimezone(BRUSSELS).date()
    report = service_levels(date_from=today, date_to=today, period=Period.DAY)
    return report.totals


def service_level_series(
    report: ServiceLevelReport,
) -> dict[str, list[float | None]]:
    """Service level % per office aligned on report.periods() (None where nothing offered)."""
    moments = report.periods()
    series: dict[str, list[float | None]] = defaultdict(list)
    for office, rows in report.rows.items():
        by_start = {row.start: row for row in rows}
        series[office] = [
            by_start[moment].service_level_pct if moment in by_start else None for moment in moments
        ]
    return dict(series)
