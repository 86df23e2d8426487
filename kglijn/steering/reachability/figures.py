"""The reachability dashboard's figures: per day the front office's offered calls, service
level, abandon rate and ASA (kglijn.servicelevels.phone, the same definitions as the
service-level page) beside the phone forecast and the staff planned; and whether the day was
"voldoende bereikbaar".

Rules (docs/steering-demo.md):
- a day is *voldoende bereikbaar* when calls were offered, its service level ≥ the front
  office's target of that day (ServiceLevelContract, default 80 % within 20 s) and its abandon
  rate ≤ MAX_ABANDON_PCT (10 %, settings.KGLIJN_REACHABILITY_MAX_ABANDON_PCT);
- forecast of a day = Σ ForecastPoint.contacts of that day of the newest phone ForecastRun that
  covers the day (its forecast range, or for a past day its back-test range: those points count
  too); None ("geen prognose") when no run covers it;
- staff planned = agent-hours: Σ agents × ½ h over the front office's half hours of the day, the
  newest StaffPlan counting where plans overlap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.vocabulary import Channel, Office
from kglijn.servicelevels.phone import Period, ServiceLevelRow, service_levels
from kglijn.steering.models import ForecastPoint, ForecastRun, PlannedStaff
from kglijn.telephony.models import CallLeg

DEFAULT_WEEKS = 8
MAX_DAYS = 366


def max_abandon_pct() -> Decimal:
    return Decimal(str(settings.KGLIJN_REACHABILITY_MAX_ABANDON_PCT))


@dataclass
class ReachabilityDay:
    day: dt.date
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    service_level_pct: float | None = None
    abandon_rate_pct: float | None = None
    asa_seconds: float | None = None
    target_pct: Decimal | None = None
    target_seconds: int | None = None
    forecast: float | None = None
    agent_hours: float | None = None
    met: bool | None = None  # None: no calls offered that day

    @property
    def forecast_deviation_pct(self) -> float | None:
        """(offered − forecast) ÷ forecast × 100."""
        if self.forecast is None or self.forecast <= 0 or not self.offered:
            return None
        return 100.0 * (self.offered - self.forecast) / self.forecast


@dataclass
class ReachabilityReport:
    date_from: dt.date
    date_to: dt.date
    max_abandon_pct: Decimal
    days: list[ReachabilityDay] = field(default_factory=list)
    total: ServiceLevelRow | None = None

    @property
    def days_with_calls(self) -> int:
        return sum(1 for day in self.days if day.met is not None)

    @property
    def days_met(self) -> int:
        return sum(1 for day in self.days if day.met)

    @property
    def met_pct(self) -> float | None:
        counted = self.days_with_calls
        return 100.0 * self.days_met / counted if counted else None


def last_call_day() -> dt.date | None:
    """The last Brussels day with a front-office call leg."""
    last = CallLeg.objects.filter(office=Office.FRONT).aggregate(last=Max("offered_at"))["last"]
    return last.astimezone(BRUSSELS).date() if last is not None else None


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 8 weeks with call data (up to today when there are none)."""
    last = last_call_day() or today
    return last - dt.timedelta(weeks=DEFAULT_WEEKS) + dt.timedelta(days=1), last


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), BRUSSELS)


def _covers(run: ForecastRun, day: dt.date) -> str | None:
    """'forecast' or 'backtest' when the run has points for the day, else None."""
    if run.forecast_from <= day <= run.forecast_to:
        return "forecast"
    if run.backtest_from and run.backtest_to and run.backtest_from <= day <= run.backtest_to:
        return "backtest"
    return None


def daily_forecast(date_from: dt.date, date_to: dt.date) -> dict[dt.date, float]:
    """Brussels day -> forecast phone contacts, from the newest phone run covering the day."""
    runs = list(
        ForecastRun.objects.filter(channel=Channel.PHONE)
        .filter(
            Q(forecast_from__lte=date_to, forecast_to__gte=date_from)
            | Q(backtest_from__lte=date_to, backtest_to__gte=date_from)
        )
        .order_by("-created_at", "-pk")
    )
    chosen: dict[dt.date, tuple[ForecastRun, bool]] = {}
    day = date_from
    while day <= date_to:
        for run in runs:
            kind = _covers(run, day)
            if kind is not None:
                chosen[day] = (run, kind == "backtest")
                break
        day += dt.timedelta(days=1)
    wanted: dict[int, set[tuple[dt.date, bool]]] = defaultdict(set)
    for day, (run, backtest) in chosen.items():
        wanted[run.pk].add((day, backtest))
    result: dict[dt.date, float] = {}
    for run_id, keys in wanted.items():
        points = ForecastPoint.objects.filter(
            run_id=run_id,
            slot_start__gte=_midnight(min(day for day, _ in keys)),
            slot_start__lt=_midnight(max(day for day, _ in keys) + dt.timedelta(days=1)),
        ).values_list("slot_start", "backtest", "contacts")
        for slot, backtest, contacts in points:
            key = (slot.astimezone(BRUSSELS).date(), backtest)
            if key in keys:
                result[key[0]] = result.get(key[0], 0.0) + contacts
        for day, _backtest in keys:
            result.setdefault(day, 0.0)  # covered, no points that day (e.g. a closed day)
    return result


def daily_agent_hours(date_from: dt.date, date_to: dt.date) -> dict[dt.date, float]:
    """Brussels day -> agent-hours planned in the front office (the newest plan per half hour)."""
    rows = (
        PlannedStaff.objects.filter(
            office=Office.FRONT,
            slot_start__gte=_midnight(date_from),
            slot_start__lt=_midnight(date_to + dt.timedelta(days=1)),
        )
        .order_by("slot_start", "plan__uploaded_at", "plan_id")
        .values_list("slot_start", "agents")
    )
    newest: dict[dt.datetime, Decimal] = {}
    for slot, agents in rows:  # ordered oldest plan first: the newest overwrites
        newest[slot] = agents
    result: dict[dt.date, float] = defaultdict(float)
    for slot, agents in newest.items():
        result[slot.astimezone(BRUSSELS).date()] += float(agents) / 2
    return dict(result)


def reachability(*, date_from: dt.date, date_to: dt.date) -> ReachabilityReport:
    """The dashboard's days date_from..date_to: every day with calls, a forecast or staff."""
    threshold = max_abandon_pct()
    levels = service_levels(
        date_from=date_from, date_to=date_to, period=Period.DAY, offices=[Office.FRONT]
    )
    by_day = {row.start.date(): row for row in levels.rows[Office.FRONT]}
    forecast = daily_forecast(date_from, date_to)
    hours = daily_agent_hours(date_from, date_to)
    report = ReachabilityReport(date_from, date_to, threshold, total=levels.totals[Office.FRONT])
    for day in sorted(set(by_day) | set(forecast) | set(hours)):
        item = ReachabilityDay(day, forecast=forecast.get(day), agent_hours=hours.get(day))
        row = by_day.get(day)
        if row is not None and row.offered > 0:
            item.offered = row.offered
            item.answered = row.answered
            item.abandoned = row.abandoned
            item.service_level_pct = row.service_level_pct
            item.abandon_rate_pct = row.abandon_rate_pct
            item.asa_seconds = row.asa_seconds
            item.target_pct = row.target_pct
            item.target_seconds = row.target_seconds
            level, rate = row.service_level_pct, row.abandon_rate_pct
            assert level is not None
            assert rate is not None
            assert row.target_pct is not None
            item.met = level >= float(row.target_pct) and rate <= float(threshold)
        report.days.append(item)
    return report
