"""Reading a stored forecast run for the page, the Excel file and the CLI: daily totals of the
forecast and of the back-test, and one day's half hours."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from kglijn.core.business_calendar import BRUSSELS
from kglijn.steering.models import ForecastRun


@dataclass(frozen=True)
class BacktestDay:
    day: dt.date
    actual: float
    forecast: float
    baseline: float


def forecast_daily(run: ForecastRun) -> list[tuple[dt.date, float]]:
    """The forecast's total per Brussels day, in order."""
    totals: dict[dt.date, list[float]] = {}
    for moment, contacts in (
        run.points.filter(backtest=False)
        .order_by("slot_start")
        .values_list("slot_start", "contacts")
    ):
        totals.setdefault(moment.astimezone(BRUSSELS).date(), []).append(contacts)
    return [(day, math.fsum(values)) for day, values in totals.items()]


def backtest_daily(run: ForecastRun) -> list[BacktestDay]:
    """Actual, forecast and seasonal naive per day of the held-out weeks, in order."""
    totals: dict[dt.date, list[list[float]]] = {}
    rows = (
        run.points.filter(backtest=True)
        .order_by("slot_start")
        .values_list("slot_start", "actual", "contacts", "baseline")
    )
    for moment, actual, contacts, baseline in rows:
        day = totals.setdefault(moment.astimezone(BRUSSELS).date(), [[], [], []])
        day[0].append(actual or 0.0)
        day[1].append(contacts)
        day[2].append(baseline or 0.0)
    return [
        BacktestDay(day, math.fsum(v[0]), math.fsum(v[1]), math.fsum(v[2]))
        for day, v in totals.items()
    ]


def forecast_day(run: ForecastRun, day: dt.date) -> list[tuple[dt.datetime, float]]:
    """The forecast per half hour of one Brussels day (empty outside the run's forecast)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=BRUSSELS)
    rows = (
        run.points.filter(
            backtest=False,
            slot_start__gte=start,
            slot_start__lt=start + dt.timedelta(days=1, hours=1),
        )
        .order_by("slot_start")
        .values_list("slot_start", "contacts")
    )
    return [
        (moment.astimezone(BRUSSELS), contacts)
        for moment, contacts in rows
        if moment.astimezone(BRUSSELS).date() == day
    ]
