"""Forecast runs: read the history, back-test, refit, store (docs/steering-forecast.md).

Public functions:
- `forecast_run(channel=…, weeks=6, today=None, user=None)` computes and stores a new run.
- `forecast_latest(channel)` is the newest run of a channel, or None.
- `forecast_series(run, date_from, date_to)` is a run's forecast per half hour; the staffing
  page reads the latest phone run through it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.chat.hours import CHAT_OFFICE
from kglijn.contacts.models import Contact
from kglijn.core.business_calendar import BRUSSELS, WorkingDays
from kglijn.core.vocabulary import Channel, Direction, Office
from kglijn.steering.forecast import model
from kglijn.steering.forecast.model import SLOTS, DayCalendar, FloatArray
from kglijn.steering.models import ForecastPoint, ForecastRun

HISTORY_DAYS = 7 * 104  # at most the last two years (104 weeks) of history
MAX_WEEKS = 26
# The office whose opening hours a channel follows; e-mail arrives every day, at any hour.
CHANNEL_OFFICE: dict[str, str | None] = {
    Channel.PHONE.value: Office.FRONT.value,
    Channel.CHAT.value: CHAT_OFFICE,
    Channel.EMAIL.value: None,
}
ROUND = 4  # decimals of a stored forecast; the WAPEs are computed from the rounded values


class ForecastRefused(ValueError):
    """Too little history, or a wrong channel or horizon; nothing was stored."""


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=BRUSSELS)


def slot_moment(day: dt.date, slot: int) -> dt.datetime | None:
    """The aware start of half hour `slot` (0..47) of a Brussels day; None when the clock skips
    it (02:00 and 02:30 the morning summer time starts)."""
    local = dt.datetime.combine(day, dt.time(slot // 2, 30 * (slot % 2)), tzinfo=BRUSSELS)
    back = local.astimezone(dt.UTC).astimezone(BRUSSELS)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local


def history_counts(channel: str, first: dt.date, last: dt.date) -> FloatArray:
    """Incoming contacts of a channel per Brussels day and half hour, first..last: (days, 48).

    One query for the receipt times; binned with NumPy. The UTC offset is looked up per UTC hour
    (summer time changes on the hour), so the local time of every contact is exact.
    """
    days = (last - first).days + 1
    start = _midnight(first)
    end = _midnight(last + dt.timedelta(days=1))
    stamps = np.fromiter(
        (
            moment.timestamp()
            for moment in Contact.objects.filter(
                channel=channel,
                direction=Direction.IN,
                received_at__gte=start,
                received_at__lt=end,
            ).values_list("received_at", flat=True)
        ),
        dtype=np.float64,
    )
    counts = np.zeros(days * SLOTS)
    if stamps.size:
        base = start.timestamp()
        hours = int((end.timestamp() - base) // 3600) + 2
        offsets = np.array(
            [
                (
                    dt.datetime.fromtimestamp(base + 3600 * h, BRUSSELS).utcoffset()
                    or dt.timedelta()
                ).total_seconds()
                for h in range(hours)
            ]
        )
        first_offset = offsets[0]
        local = stamps + offsets[((stamps - base) // 3600).astype(np.int64)] - first_offset - base
        day = (local // 86400).astype(np.int64)
        slot = ((local % 86400) // 1800).astype(np.int64)
        inside = (day >= 0) & (day < days)
        counts = np.bincount(day[inside] * SLOTS + slot[inside], minlength=days * SLOTS).astype(
            np.float64
        )
    return counts.reshape(days, SLOTS)


def day_calendar(channel: str, first: dt.date, last: dt.date) -> DayCalendar:
    """The business calendar over first..last for one channel (kglijn/core/business_calendar):
    closing days, and the half hours within the opening hours of the channel's office."""
    working = WorkingDays(first, last)
    office = CHANNEL_OFFICE[channel]
    hours = settings.KGLIJN_OPENING_HOURS[office] if office else {}
    days = (last - first).days + 1
    closed = np.zeros(days, dtype=bool)
    open_slots = np.zeros((days, SLOTS), dtype=bool)
    for index in range(days):
        day = first + dt.timedelta(days=index)
        is_working = working.is_working_day(day)
        closed[index] = day.weekday() < 5 and not is_working
        exists = np.array([slot_moment(day, s) is not None for s in range(SLOTS)])
        if office is None:
            open_slots[index] = exists
            continue
        interval = hours.get(day.weekday())
        if not is_working or interval is None:
            continue
        opens, closes = (dt.time.fromisoformat(value) for value in interval)
        low = opens.hour * 2 + opens.minute // 30
        high = closes.hour * 2 + (closes.minute + 29) // 30
        open_slots[index, low:high] = exists[low:high]
    return DayCalendar(first=first, closed=closed, open_slots=open_slots, every_day=office is None)


def _first_day(channel: str, earliest: dt.date, last: dt.date) -> dt.date | None:
    first = Contact.objects.filter(
        channel=channel,
        direction=Direction.IN,
        received_at__gte=_midnight(earliest),
        received_at__lt=_midnight(last + dt.timedelta(days=1)),
    ).aggregate(first=Min("received_at"))["first"]
    return None if first is None else max(earliest, first.astimezone(BRUSSELS).date())


def forecast_run(
    *,
    channel: str,
    weeks: int = 6,
    today: dt.date | None = None,
    user: User | None = None,
) -> ForecastRun:
    """Back-test, refit and store a forecast of `channel` for `weeks` weeks from `today`.

    History: the incoming contacts before `today` (Brussels), at most HISTORY_DAYS days. The
    back-test holds out the last HOLDOUT_WEEKS full weeks (Monday–Sunday) of the history, fits
    on the days before them and forecasts them, beside the seasonal-naive baseline; then the
    method is refit on the whole history and forecasts today + weeks × 7 days.
    Raises ForecastRefused (nothing stored) when the history is too short.
    """
    started = time.monotonic()
    if channel not in CHANNEL_OFFICE:
        raise ForecastRefused(_("Unknown channel: %(channel)s.") % {"channel": channel[:20]})
    if not 1 <= weeks <= MAX_WEEKS:
        raise ForecastRefused(
            _("Weeks: choose from 1 to %(max)d weeks ahead.") % {"max": MAX_WEEKS}
        )
    today = today or timezone.localdate()
    history_to = today - dt.timedelta(days=1)
    earliest = history_to - dt.timedelta(days=HISTORY_DAYS - 1)
    history_from = _first_day(channel, earliest, history_to)
    have = 0 if history_from is None else (history_to - history_from).days + 1
    if history_from is None or have < model.MIN_HISTORY_DAYS:
        raise ForecastRefused(
            _(
                "Too little history for a forecast of %(channel)s: at least %(needed)d days of "
                "contacts before %(today)s are needed (%(holdout)d weeks held out for the "
                "back-test and %(fit)d weeks to fit on before them); there are %(have)d."
            )
            % {
                "channel": Channel(channel).label,
                "needed": model.MIN_HISTORY_DAYS,
                "today": today.isoformat(),
                "holdout": model.HOLDOUT_WEEKS,
                "fit": model.MIN_FIT_WEEKS,
                "have": have,
            }
        )
    counts = history_counts(channel, history_from, history_to)
    horizon = 7 * weeks
    forecast_to = today + dt.timedelta(days=horizon - 1)
    cal = day_calendar(channel, history_from, forecast_to)
    n_history = counts.shape[0]

    # The back-test: the last HOLDOUT_WEEKS full weeks (Monday to Sunday) of the history.
    backtest_to = history_to - dt.timedelta(days=(history_to.weekday() + 1) % 7)
    holdout_days = 7 * model.HOLDOUT_WEEKS
    backtest_from = backtest_to - dt.timedelta(days=holdout_days - 1)
    first_held = (backtest_from - history_from).days
    test_fit = model.fit(counts, cal, 0, first_held - 1)
    actual = counts[first_held : first_held + holdout_days]
    predicted = np.round(
        model.predict(test_fit, cal, first_held, first_held + holdout_days - 1), ROUND
    )
    baseline = model.seasonal_naive(counts, cal, first_held, holdout_days)

    final_fit = model.fit(counts, cal, 0, n_history - 1)
    future = np.round(model.predict(final_fit, cal, n_history, n_history + horizon - 1), ROUND)

    parameters: dict[str, Any] = {
        "history_days": n_history,
        "holdout_weeks": model.HOLDOUT_WEEKS,
        "office_hours_of": CHANNEL_OFFICE[channel] or "",
        "backtest_fit": test_fit.parameters,
        "final_fit": final_fit.parameters,
        # For information (not shown as the WAPE): the same on daily totals, where the noise of
        # single half hours averages out.
        "backtest_daily_wape_pct": _rounded(model.wape(actual.sum(axis=1), predicted.sum(axis=1))),
        "baseline_daily_wape_pct": _rounded(model.wape(actual.sum(axis=1), baseline.sum(axis=1))),
        "baseline": (
            "seasonal naive: each half hour of the held-out weeks = the same weekday and half "
            "hour in the last week before the hold-out (a week earlier when that day was a "
            "closing day)"
        ),
    }
    with transaction.atomic():
        run = ForecastRun.objects.create(
            channel=channel,
            created_by=user,
            history_from=history_from,
            history_to=history_to,
            forecast_from=today,
            forecast_to=forecast_to,
            method=model.METHOD,
            parameters=parameters,
            backtest_from=backtest_from,
            backtest_to=backtest_to,
            backtest_wape_pct=model.wape(actual, predicted),
            baseline_wape_pct=model.wape(actual, baseline),
        )
        points = [
            ForecastPoint(
                run=run,
                slot_start=moment,
                backtest=True,
                contacts=float(predicted[row, slot]),
                actual=float(actual[row, slot]),
                baseline=float(baseline[row, slot]),
            )
            for row in range(holdout_days)
            for slot in range(SLOTS)
            if (moment := slot_moment(backtest_from + dt.timedelta(days=row), slot)) is not None
        ]
        points += [
            ForecastPoint(run=run, slot_start=moment, contacts=float(future[row, slot]))
            for row in range(horizon)
            for slot in range(SLOTS)
            if (moment := slot_moment(today + dt.timedelta(days=row), slot)) is not None
        ]
        ForecastPoint.objects.bulk_create(points, batch_size=2000)
        run.parameters["seconds"] = round(time.monotonic() - started, 2)
        run.save(update_fields=["parameters"])
    return run


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def forecast_latest(channel: str) -> ForecastRun | None:
    """The newest forecast run of a channel, or None when there is none."""
    return ForecastRun.objects.filter(channel=channel).order_by("-created_at", "-pk").first()


def forecast_series(
    run: ForecastRun, date_from: dt.date, date_to: dt.date
) -> dict[dt.datetime, float]:
    """A run's forecast contacts per half hour over the Brussels days date_from..date_to.

    Keys: the aware start of each half hour in Europe/Brussels time, in order; values: the
    expected number of incoming contacts in that half hour (a float ≥ 0; 0 outside the opening
    hours and on closing days for phone and chat). Only the forecast itself (backtest=False); a
    half hour outside the run's forecast_from..forecast_to is simply absent. Staffing: take the
    run of `forecast_latest(Channel.PHONE)` and feed each value as the calls per half hour of
    Erlang C/A.
    """
    rows = (
        run.points.filter(
            backtest=False,
            slot_start__gte=_midnight(date_from),
            slot_start__lt=_midnight(date_to + dt.timedelta(days=1)),
        )
        .order_by("slot_start")
        .values_list("slot_start", "contacts")
    )
    return {moment.astimezone(BRUSSELS): contacts for moment, contacts in rows}
