"""The forecast method: daily totals by a Poisson GLM, spread over the half hours by an intraday
profile per weekday (docs/steering-forecast.md). Pure NumPy/statsmodels on arrays; the calendar
comes in as a `DayCalendar`, the history as counts per day and half hour.

The standard workforce-management approach:

    forecast(day, half hour) = total(day) × profile(weekday, half hour) × open(day, half hour)

- total(day) = exp(x(day)·β), β fitted by a Poisson GLM (log link) on the daily totals with:
  weekday effects, a linear trend, yearly seasonality as Fourier terms (when the fit covers a
  year), the Christmas period, the working day after and before a closing day, and (e-mail only,
  the channel that arrives every day) the closing day itself. Phone and chat are fitted on their
  open days only and forecast 0 on a closed day.
- profile(weekday, ·) = the share of each half hour in that weekday's contacts over the last
  PROFILE_WEEKS weeks of the fit (open days only), renormalised over the open half hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SLOTS = 48  # half hours per (local) day
HOLDOUT_WEEKS = 8
# The intraday profile from the last 16 weeks: on the demo 16 back-tested better than 4, 8 or 12
# (less noise per half hour) and nearly as well as 26 or 52, while staying recent (a season).
PROFILE_WEEKS = 16
FOURIER_ORDER = 3
MIN_FIT_WEEKS = 8  # weeks before the hold-out
MIN_HISTORY_DAYS = 7 * (HOLDOUT_WEEKS + MIN_FIT_WEEKS) + 6  # + up to 6 days after the last Sunday
YEARLY_MIN_DAYS = 364  # Fourier terms only when the fit covers a year
METHOD = "Poisson-GLM dagtotalen × intradagprofiel per weekdag"
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True)
class DayCalendar:
    """What the forecast needs to know of each day from `first` on (index 0 = `first`)."""

    first: dt.date
    closed: BoolArray  # a public holiday or closing day on a weekday (the calendar's closed day)
    # (days, SLOTS): the half hour can have contacts: within the channel's opening hours (phone,
    # chat), or for e-mail every half hour that exists on the clock (not 02:00-03:00 on the
    # morning clocks go forward)
    open_slots: BoolArray
    every_day: bool  # the channel arrives every day (e-mail): no opening hours

    def days(self) -> int:
        return int(self.closed.shape[0])

    def date(self, index: int) -> dt.date:
        return self.first + dt.timedelta(days=index)


@dataclass
class Fit:
    names: list[str]
    params: FloatArray
    profile: FloatArray  # (7, SLOTS): share per half hour, per weekday
    t0: dt.date
    fourier: int
    parameters: dict[str, Any] = field(default_factory=dict)


def _features(
    cal: DayCalendar, indices: range, t0: dt.date, fourier: int
) -> tuple[list[str], FloatArray]:
    names = ["const", *[f"weekday_{d}" for d in range(1, 7)], "trend_per_year"]
    names += [f"{kind}_{k}" for k in range(1, fourier + 1) for kind in ("sin", "cos")]
    names += ["christmas", "after_closed", "before_closed"]
    if cal.every_day:
        names.append("closed")
    rows = np.zeros((len(indices), len(names)))
    for row, index in enumerate(indices):
        day = cal.date(index)
        values = [1.0] + [float(day.weekday() == d) for d in range(1, 7)]
        values.append((day - t0).days / 365.25)
        angle = 2 * np.pi * day.timetuple().tm_yday / 365.25
        for k in range(1, fourier + 1):
            values += [float(np.sin(k * angle)), float(np.cos(k * angle))]
        values.append(
            float((day.month == 12 and day.day >= 24) or (day.month == 1 and day.day <= 2))
        )
        values.append(float(_neighbour_closed(cal, index, -1)))
        values.append(float(_neighbour_closed(cal, index, +1)))
        if cal.every_day:
            values.append(float(_closed(cal, index)))
        rows[row] = values
    return names, rows


def _closed(cal: DayCalendar, index: int) -> bool:
    return 0 <= index < cal.days() and bool(cal.closed[index])


def _neighbour_closed(cal: DayCalendar, index: int, step: int) -> bool:
    """The previous (step −1) or next (+1) weekday is a closing day, and this day is not."""
    if _closed(cal, index) or cal.date(index).weekday() >= 5:
        return False
    other = index + step
    while 0 <= other < cal.days() and cal.date(other).weekday() >= 5:
        other += step
    return _closed(cal, other)


def _fitted_days(cal: DayCalendar, first: int, last: int) -> list[int]:
    """The days the GLM learns from: every day for e-mail, the open days for phone and chat."""
    if cal.every_day:
        return list(range(first, last + 1))
    return [i for i in range(first, last + 1) if bool(cal.open_slots[i].any())]


def fit(counts: FloatArray, cal: DayCalendar, first: int, last: int) -> Fit:
    """Fit on the days first..last (indices into counts and cal, inclusive)."""
    span = last - first + 1
    fourier = FOURIER_ORDER if span >= YEARLY_MIN_DAYS else 0
    t0 = cal.date(first)
    days = _fitted_days(cal, first, last)
    names, x = _features(cal, range(first, last + 1), t0, fourier)
    x = x[[i - first for i in days]]
    y = counts[days].sum(axis=1)
    # A feature that never varies in the fit (no closing day in it, say) cannot be estimated:
    # left out, its effect is 0.
    keep = [0] + [j for j in range(1, x.shape[1]) if np.ptp(x[:, j]) > 0]
    # Imported here: statsmodels costs ~0.5 s to import, which every process's first request
    # paid through the URL conf (tests/security/test_database_down.py times the first login).
    import statsmodels.api as sm

    result = sm.GLM(y, x[:, keep], family=sm.families.Poisson()).fit()
    params = np.zeros(len(names))
    params[keep] = result.params
    profile = _profile(counts, cal, max(first, last - 7 * PROFILE_WEEKS + 1), last)
    return Fit(
        names=names,
        params=params,
        profile=profile,
        t0=t0,
        fourier=fourier,
        parameters={
            "fit_from": cal.date(first).isoformat(),
            "fit_to": cal.date(last).isoformat(),
            "fitted_days": len(days),
            "family": "Poisson (log link)",
            "fourier_order": fourier,
            "profile_weeks": PROFILE_WEEKS,
            "coefficients": {
                name: round(float(params[j]), 6) for j, name in enumerate(names) if j in keep
            },
            "dispersion_pearson": round(float(result.pearson_chi2 / max(result.df_resid, 1)), 3),
        },
    )


def _profile(counts: FloatArray, cal: DayCalendar, first: int, last: int) -> FloatArray:
    """Share of each half hour in a weekday's contacts, over the open days first..last."""
    sums = np.zeros((7, SLOTS))
    for index in range(first, last + 1):
        if _closed(cal, index):
            continue
        sums[cal.date(index).weekday()] += counts[index]
    overall = sums.sum(axis=0)
    profile = np.zeros((7, SLOTS))
    for weekday in range(7):
        row = sums[weekday] if sums[weekday].sum() > 0 else overall
        total = row.sum()
        profile[weekday] = row / total if total > 0 else 1.0 / SLOTS
    return profile


def predict(model: Fit, cal: DayCalendar, first: int, last: int) -> FloatArray:
    """Forecast contacts per day and half hour for the days first..last: (days, SLOTS)."""
    _, x = _features(cal, range(first, last + 1), model.t0, model.fourier)
    totals = np.exp(x @ model.params)
    out = np.zeros((last - first + 1, SLOTS))
    for row, index in enumerate(range(first, last + 1)):
        open_slots = cal.open_slots[index]
        if not open_slots.any():
            continue  # phone and chat: a closed day forecasts 0
        shares = model.profile[cal.date(index).weekday()] * open_slots
        if shares.sum() <= 0:
            shares = open_slots / open_slots.sum()
        out[row] = totals[row] * shares / shares.sum()
    return out


def seasonal_naive(
    counts: FloatArray, cal: DayCalendar, holdout_first: int, days: int
) -> FloatArray:
    """The baseline: each held-out day gets the half hours of the same weekday in the last week
    before the hold-out; when that day was a closing day, the same weekday a week earlier (and so
    on). It knows no calendar for the held-out days themselves."""
    out = np.zeros((days, SLOTS))
    for row in range(days):
        source = holdout_first - 7 + row % 7
        while _closed(cal, source) and source - 7 >= 0:
            source -= 7
        out[row] = counts[source]
    return out


def wape(actual: FloatArray, forecast: FloatArray) -> float | None:
    """Σ|actual − forecast| ÷ Σ actual × 100, summed exactly (math.fsum) in slot order."""
    import math

    total = math.fsum(float(v) for v in actual.ravel())
    if total <= 0:
        return None
    error = math.fsum(
        abs(float(a) - float(f)) for a, f in zip(actual.ravel(), forecast.ravel(), strict=True)
    )
    return error / total * 100
