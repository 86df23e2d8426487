"""The front office's staffing need per half hour against the planned staff (issue 19 item 5).

Rules (docs/steering-staffing.md):
- calls: the forecast phone contacts of the half hour (ForecastPoint, backtest=False) of the
  newest phone ForecastRun that covers a day of the week;
- AHT: the mean handle_seconds of the front office's answered call legs offered in the last 8
  weeks, else 300 s (the page says which); an AHT typed in the form wins;
- the target: the front office's service-level contract valid on the day (80/20 by default);
- Erlang C, or Erlang A with the callers' patience (typed in, else measured: the waits of the
  answered and abandoned legs ÷ the abandoned legs, the exponential model's estimate, else 180 s);
- needed on the phones = the fewest agents reaching the target (kglijn.core.erlang);
  needed on the roster = ⌈on the phones ÷ (1 − shrinkage)⌉;
- planned: the agents of the newest StaffPlan of the front office that covers the half hour;
- the difference shown = needed on the roster − planned: positive = short, negative = over.
  Per day: agent-hours needed and planned (each half hour counts 0.5 h).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, Q, Sum
from django.utils import timezone

from kglijn.core.business_calendar import BRUSSELS, opening_hours
from kglijn.core.erlang import agents_needed, scheduled_agents
from kglijn.core.vocabulary import Channel, Office
from kglijn.servicelevels.phone import norm_on, norms, service_levels
from kglijn.steering.models import ForecastPoint, ForecastRun, PlannedStaff, StaffPlan
from kglijn.telephony.models import CallLeg, LegOutcome

SLOT = dt.timedelta(minutes=30)
SLOT_SECONDS = 1800
DEFAULT_AHT_SECONDS = 300.0
DEFAULT_PATIENCE_SECONDS = 180.0
MEASURE_WEEKS = 8
# Fewer answered legs (or abandoned ones, for the patience) than this are no measurement.
MIN_MEASURED = 30
DEFAULT_SHRINKAGE = 0.30
FRONT = Office.FRONT.value


@dataclass(frozen=True)
class Measured:
    value: float
    measured: bool  # False: the default (or typed in)
    count: int  # legs behind a measurement
    typed: bool = False


@dataclass
class Cell:
    day: dt.date
    slot: dt.datetime  # aware, Brussels
    calls: float | None  # None: no forecast for this half hour
    on_phones: int | None
    needed: int | None  # on the roster (with shrinkage)
    planned: Decimal | None
    service_level: float | None = None
    abandon: float | None = None

    @property
    def difference(self) -> Decimal | None:
        """Needed on the roster − planned (no plan counts as 0 planned)."""
        if self.needed is None:
            return None
        return Decimal(self.needed) - (self.planned or Decimal(0))

    @property
    def level(self) -> str:
        """The heat map's class: short, over, even or none."""
        diff = self.difference
        if diff is None:
            return "none"
        if diff > 0:
            return "short"
        if diff < 0:
            return "over"
        return "even"


@dataclass
class DayTotal:
    day: dt.date
    needed_hours: Decimal = Decimal(0)
    planned_hours: Decimal = Decimal(0)
    short_slots: int = 0

    @property
    def difference(self) -> Decimal:
        return self.needed_hours - self.planned_hours


@dataclass
class StaffingGrid:
    week_start: dt.date
    days: list[dt.date]
    times: list[dt.time]
    cells: dict[tuple[dt.date, dt.time], Cell]
    totals: list[DayTotal]
    aht: Measured
    patience: Measured | None  # None: Erlang C
    shrinkage: float
    targets: dict[dt.date, tuple[Decimal, int]]
    run: ForecastRun | None
    warnings: list[str] = field(default_factory=list)

    def row(self, time: dt.time) -> list[Cell | None]:
        return [self.cells.get((day, time)) for day in self.days]


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def coming_week(today: dt.date | None = None) -> dt.date:
    """The Monday after today (the coming week)."""
    today = today or timezone.localdate()
    return week_start_of(today) + dt.timedelta(days=7)


def default_week(today: dt.date | None = None) -> dt.date:
    """The coming week when a phone forecast covers it; else the first full week of the newest
    phone forecast (e.g. the demo's, which starts after its data in 2023); else the coming week."""
    coming = coming_week(today)
    if forecast_run_for(coming) is not None:
        return coming
    newest = (
        ForecastRun.objects.filter(channel=Channel.PHONE).order_by("-created_at", "-pk").first()
    )
    if newest is None:
        return coming
    start = week_start_of(newest.forecast_from)
    return start if start == newest.forecast_from else start + dt.timedelta(days=7)


def _bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(week_start, dt.time.min, tzinfo=BRUSSELS)
    end = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time.min, tzinfo=BRUSSELS)
    return start, end


def forecast_run_for(week_start: dt.date) -> ForecastRun | None:
    """The newest phone forecast covering a day of the week, else None."""
    week_end = week_start + dt.timedelta(days=6)
    return (
        ForecastRun.objects.filter(
            channel=Channel.PHONE, forecast_from__lte=week_end, forecast_to__gte=week_start
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def forecast_calls(run: ForecastRun | None, week_start: dt.date) -> dict[dt.datetime, float]:
    if run is None:
        return {}
    start, end = _bounds(week_start)
    points = ForecastPoint.objects.filter(
        run=run, backtest=False, slot_start__gte=start, slot_start__lt=end
    ).values_list("slot_start", "contacts")
    return {moment.astimezone(BRUSSELS): contacts for moment, contacts in points}


def planned_staff(office: str, days: list[dt.date]) -> dict[dt.datetime, Decimal | None]:
    """Per half hour of these days, the agents planned by the newest plan of the office whose
    period covers the day: its row, or 0 for a half hour it leaves out. Days no plan covers are
    absent (nothing planned is known)."""
    if not days:
        return {}
    plans = list(
        StaffPlan.objects.filter(
            office=office, date_from__lte=max(days), date_to__gte=min(days)
        ).order_by("-uploaded_at", "-pk")
    )
    result: dict[dt.datetime, Decimal | None] = {}
    for day in days:
        plan = next((p for p in plans if p.date_from <= day <= p.date_to), None)
        if plan is None:
            continue
        start = dt.datetime.combine(day, dt.time.min, tzinfo=BRUSSELS)
        rows = PlannedStaff.objects.filter(
            plan=plan, slot_start__gte=start, slot_start__lt=start + dt.timedelta(days=1)
        ).values_list("slot_start", "agents")
        result[start] = None  # marks the day as covered
        for moment, agents in rows:
            result[moment.astimezone(BRUSSELS)] = agents
    return result


def _measure_window(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    end = dt.datetime.combine(today, dt.time.min, tzinfo=BRUSSELS)
    return end - dt.timedelta(weeks=MEASURE_WEEKS), end


def measured_aht(today: dt.date | None = None) -> Measured:
    """The front office's AHT of the 8 weeks before `today` (else 300 s): the service levels'
    own AHT (talk + hold of answered legs whose conversation ended), one definition."""
    end = today or timezone.localdate()
    row = service_levels(
        date_from=end - dt.timedelta(weeks=MEASURE_WEEKS),
        date_to=end - dt.timedelta(days=1),
        offices=[FRONT],
    ).totals[FRONT]
    aht = row.aht_seconds
    if row.handled >= MIN_MEASURED and aht:
        return Measured(round(aht, 1), True, row.handled)
    return Measured(DEFAULT_AHT_SECONDS, False, row.handled)


def measured_patience(today: dt.date | None = None) -> Measured:
    """Mean patience of the front office's callers (exponential model): the time all answered
    and abandoned callers waited ÷ the callers who hung up (Σ waits ÷ abandons), last 8 weeks.

    Short abandons are left out, as in the service level (their threshold: 5 s)."""
    start, end = _measure_window(today or timezone.localdate())
    legs = CallLeg.objects.filter(
        office=FRONT,
        offered_at__gte=start,
        offered_at__lt=end,
        wait_seconds__isnull=False,
    ).exclude(outcome=LegOutcome.ABANDONED, wait_seconds__lt=5)
    figures = legs.aggregate(
        waited=Sum(
            "wait_seconds", filter=Q(outcome__in=[LegOutcome.ANSWERED, LegOutcome.ABANDONED])
        ),
        abandoned=Count("id", filter=Q(outcome=LegOutcome.ABANDONED)),
    )
    abandoned = figures["abandoned"] or 0
    if abandoned >= MIN_MEASURED and figures["waited"]:
        return Measured(round(float(figures["waited"]) / abandoned, 1), True, abandoned)
    return Measured(DEFAULT_PATIENCE_SECONDS, False, abandoned)


@lru_cache(maxsize=4096)
def _need(
    calls: float, aht: float, target_seconds: int, target_level: float, patience: float | None
) -> tuple[int, float, float]:
    figures = agents_needed(
        calls=calls,
        interval_seconds=SLOT_SECONDS,
        aht=aht,
        target_seconds=target_seconds,
        target_level=target_level,
        patience=patience,
    )
    return figures.agents, figures.service_level, figures.abandon_probability


def staffing_grid(
    *,
    week_start: dt.date,
    shrinkage: float = DEFAULT_SHRINKAGE,
    erlang_a: bool = False,
    patience: float | None = None,
    aht: float | None = None,
    today: dt.date | None = None,
) -> StaffingGrid:
    """The front office's need and plan per half hour of the week starting on `week_start`."""
    today = today or timezone.localdate()
    days = [week_start + dt.timedelta(days=i) for i in range(7)]
    run = forecast_run_for(week_start)
    calls = forecast_calls(run, week_start)
    plan = planned_staff(FRONT, days)
    covered = {moment.date() for moment in plan}
    planned = {moment: agents for moment, agents in plan.items() if agents is not None}
    # AHT and patience are measured over the 8 weeks before the forecast began (its history's
    # end), or before today when that is earlier: a forecast of a past period (the demo's)
    # is staffed with the handling times of its own time.
    measured_until = min(today, run.forecast_from) if run is not None else today
    aht_used = Measured(float(aht), False, 0, typed=True) if aht else measured_aht(measured_until)
    patience_used: Measured | None = None
    if erlang_a:
        patience_used = (
            Measured(float(patience), False, 0, typed=True)
            if patience
            else measured_patience(measured_until)
        )
    all_norms = norms()
    targets = {
        day: (norm.target_pct, norm.target_seconds)
        for day in days
        for norm in [norm_on(all_norms, FRONT, day)]
    }
    # The rows: the opening hours of the week plus every half hour with a forecast or a plan.
    moments = set(calls) | set(planned)
    for day in days:
        hours = opening_hours(FRONT, day)
        if hours is not None:
            moment = hours[0]
            while moment < hours[1]:
                moments.add(moment)
                moment += SLOT
    cells: dict[tuple[dt.date, dt.time], Cell] = {}
    totals = {day: DayTotal(day) for day in days}
    half = Decimal("0.5")
    for moment in sorted(moments):
        local = moment.astimezone(BRUSSELS)
        day = local.date()
        if day not in totals:
            continue
        expected = calls.get(local)
        on_phones = needed = None
        level = abandon = None
        if expected is not None:
            pct, seconds = targets[day]
            on_phones, level, abandon = _need(
                round(float(expected), 4),
                aht_used.value,
                int(seconds),
                float(pct) / 100,
                patience_used.value if patience_used else None,
            )
            needed = scheduled_agents(on_phones, shrinkage)
        cell = Cell(
            day=day,
            slot=local,
            calls=expected,
            on_phones=on_phones,
            needed=needed,
            planned=planned.get(local, Decimal(0)) if day in covered else None,
            service_level=level,
            abandon=abandon if erlang_a else None,
        )
        cells[(day, local.time())] = cell
        total = totals[day]
        if needed is not None:
            total.needed_hours += needed * half
        total.planned_hours += (cell.planned or Decimal(0)) * half
        if cell.level == "short":
            total.short_slots += 1
    times = sorted({time for _day, time in cells})
    return StaffingGrid(
        week_start=week_start,
        days=days,
        times=times,
        cells=cells,
        totals=[totals[day] for day in days],
        aht=aht_used,
        patience=patience_used,
        shrinkage=shrinkage,
        targets=targets,
        run=run,
    )
