"""Realistic moments for demo contacts, fast: hour slots weighted by profile, sampled in bulk.

Times are integer epoch seconds (UTC) while generating, and turned into database text once per
value through a per-hour cache (Brussels offsets are whole hours, so an hour slot in Brussels
time is an hour slot in UTC).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass
from itertools import accumulate

from kglijn.core.business_calendar import BRUSSELS, WorkingDays
from kglijn.demo.vocabulary import DAY_NOISE, MONTH_WEIGHTS, WEEKDAY_WEIGHTS

HOUR = 3600
_MMSS = tuple(f"{second // 60:02d}:{second % 60:02d}" for second in range(HOUR))


def working_days(first: dt.date, last: dt.date) -> set[dt.date]:
    """Working days between two dates (inclusive), from the one calendar's WorkingDays (closing
    days read once per year instead of once per day)."""
    return set(WorkingDays(first, last).between(first, last))


def _epoch(day: dt.date, hour: int) -> int:
    return int(dt.datetime(day.year, day.month, day.day, hour, tzinfo=BRUSSELS).timestamp())


@dataclass(frozen=True)
class SlotTable:
    """Hour slots (epoch of the slot start) with cumulative weights, for random.choices."""

    starts: tuple[int, ...]
    cum_weights: tuple[float, ...]

    def sample(self, rng: random.Random, count: int) -> list[int]:
        if count == 0:
            return []
        starts = rng.choices(self.starts, cum_weights=self.cum_weights, k=count)
        offsets = rng.choices(range(HOUR), k=count)
        return [start + offset for start, offset in zip(starts, offsets, strict=True)]


def slot_table(
    first: dt.date,
    last: dt.date,
    hours: dict[int, int],
    *,
    open_days: set[dt.date],
    closed_day_weight: float = 0.0,
    rng: random.Random | None = None,
) -> SlotTable:
    """Slots for every hour in `hours` of every day; days outside `open_days` get
    `closed_day_weight` times their normal weight (0: no contacts on closed days). With `rng`,
    every day gets a busier or quieter factor (0.85-1.2), as real days do."""
    starts: list[int] = []
    weights: list[float] = []
    day = first
    while day <= last:
        day_weight = float(WEEKDAY_WEIGHTS[day.weekday()] * MONTH_WEIGHTS[day.month - 1])
        if day not in open_days:
            day_weight *= closed_day_weight
        if rng is not None:
            day_weight *= rng.uniform(DAY_NOISE[0], DAY_NOISE[1])
        if day_weight > 0:
            for hour, weight in hours.items():
                starts.append(_epoch(day, hour))
                weights.append(day_weight * weight)
        day += dt.timedelta(days=1)
    return SlotTable(tuple(starts), tuple(accumulate(weights)))


class OpeningCalendar:
    """The next opening moment of an office (same hours every working day), by bisection."""

    def __init__(self, days: set[dt.date], opens: int, closes: int) -> None:
        self._intervals = sorted((_epoch(day, opens), _epoch(day, closes)) for day in days)
        self._closes = [close for _, close in self._intervals]

    def next_open(self, moment: int) -> int:
        """`moment` if the office is open then, else the start of the next opening."""
        index = bisect.bisect_right(self._closes, moment)
        if index == len(self._intervals):
            raise ValueError("moment after the last known opening")
        return max(moment, self._intervals[index][0])


class TimestampText:
    """Epoch seconds -> the text a database accepts for a UTC timestamp column."""

    def __init__(self, suffix: str = "") -> None:
        self._suffix = suffix
        self._hours: dict[int, str] = {}

    def __call__(self, moment: int) -> str:
        hour = moment // HOUR
        prefix = self._hours.get(hour)
        if prefix is None:
            prefix = dt.datetime.fromtimestamp(hour * HOUR, dt.UTC).strftime("%Y-%m-%d %H:")
            self._hours[hour] = prefix
        return prefix + _MMSS[moment % HOUR] + self._suffix
