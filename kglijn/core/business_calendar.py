"""One business calendar for every office: Belgian public holidays, extra closing days and
opening hours per office. Everything that asks "is the office open?" or "what is the next
working day?" goes through here.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

BRUSSELS = ZoneInfo("Europe/Brussels")


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("BE", years=year, language="nl"))


def _extra_closing_days(year: int) -> dict[dt.date, str]:
    days: dict[dt.date, str] = {}
    for month, day in settings.KGLIJN_EXTRA_CLOSING_DAYS:
        days[dt.date(year, month, day)] = "Extra sluitingsdag"
    from kglijn.core.models import ClosingDay  # a model: import late, the calendar is pure

    for closing in ClosingDay.objects.filter(date__year=year):
        days[closing.date] = closing.name
    return days


def closing_days(year: int) -> dict[dt.date, str]:
    """Public holidays plus configured closing days of one year, date -> name.

    Reads core.ClosingDay on every call (one query), so a day closed in the app counts at once.
    Bulk callers (reports, imports) should call this once per year and test membership.
    """
    return {**_public_holidays(year), **_extra_closing_days(year)}


# Within one calculation (next_opening, add_working_days) the closing days of a year are read
# once: a per-call memo, year -> closing days. Deliberately not a process-wide cache, which
# would go stale when an administrator adds a ClosingDay (and across rolled-back test data).
_Memo = dict[int, dict[dt.date, str]]


def _as_date(day: dt.date) -> dt.date:
    # dt.datetime is a subclass of dt.date but never equals a date key: 25 Dec 10:00 would count
    # as a working day. Take the Brussels date of an aware moment; refuse a naive one.
    if isinstance(day, dt.datetime):
        return _local(day).date()
    return day


def _is_working_day(day: dt.date, memo: _Memo) -> bool:
    if day.weekday() >= 5:
        return False
    if day.year not in memo:
        memo[day.year] = closing_days(day.year)
    return day not in memo[day.year]


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and neither a public holiday nor a configured closing day."""
    return _is_working_day(_as_date(day), {})


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business calendar needs aware datetimes")
    return moment.astimezone(BRUSSELS)


def _opening_hours(
    office: str, day: dt.date, memo: _Memo
) -> tuple[dt.datetime, dt.datetime] | None:
    hours_by_weekday = settings.KGLIJN_OPENING_HOURS[office]  # KeyError: unknown office
    if not _is_working_day(day, memo):
        return None
    hours = hours_by_weekday.get(day.weekday())
    if hours is None:
        return None
    opens, closes = (dt.time.fromisoformat(value) for value in hours)
    # combine() with a ZoneInfo picks the offset valid on that date: CET in winter, CEST in summer.
    return (
        dt.datetime.combine(day, opens, tzinfo=BRUSSELS),
        dt.datetime.combine(day, closes, tzinfo=BRUSSELS),
    )


def opening_hours(office: str, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The aware (open, close) interval of an office on a date, or None when it is closed."""
    return _opening_hours(office, _as_date(day), {})


def is_open(office: str, moment: dt.datetime) -> bool:
    """True when the office is open at that moment (close time itself is closed)."""
    local = _local(moment)
    interval = opening_hours(office, local.date())
    return interval is not None and interval[0] <= local < interval[1]


def next_opening(office: str, moment: dt.datetime) -> dt.datetime:
    """The moment itself if the office is open then, else the start of its next opening.

    The result is in Europe/Brussels time.
    """
    local = _local(moment)
    day = local.date()
    memo: _Memo = {}
    for _ in range(366):
        interval = _opening_hours(office, day, memo)
        if interval is not None and local < interval[1]:
            return max(local, interval[0])
        day += dt.timedelta(days=1)
    raise RuntimeError(f"office {office!r} has no opening hours within a year")


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The date `count` working days after `day` (count >= 0; 0 = day itself if working,
    else the next working day)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    memo: _Memo = {}
    current = _as_date(day)
    while not _is_working_day(current, memo):
        current += dt.timedelta(days=1)
    remaining = count
    while remaining:
        current += dt.timedelta(days=1)
        if _is_working_day(current, memo):
            remaining -= 1
    return current


class WorkingDays:
    """Working days counted over a date range, for bulk callers (reports): the closing days of
    each year are read once, then every question is a list look-up.

    Covers `first` up to a year after `last` (room for day 0 to move past closed days).
    """

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first = first
        memo: _Memo = {}
        # working[i]: is first + i a working day; count[i]: working days in [first, first + i].
        span = (last - first).days + 370
        self._working = [
            _is_working_day(first + dt.timedelta(days=i), memo) for i in range(span + 1)
        ]
        self._count: list[int] = []
        running = 0
        for working in self._working:
            running += working
            self._count.append(running)

    def _index(self, day: dt.date) -> int:
        return (day - self.first).days

    def is_working_day(self, day: dt.date) -> bool:
        return self._working[self._index(day)]

    def between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The working days from `first` to `last` inclusive, in order."""
        start, end = self._index(first), self._index(last)
        return [
            self.first + dt.timedelta(days=index)
            for index in range(start, end + 1)
            if self._working[index]
        ]

    def day_zero(self, received: dt.date) -> dt.date:
        """`received` itself if it is a working day, else the next working day."""
        index = self._index(received)
        while not self._working[index]:
            index += 1
        return self.first + dt.timedelta(days=index)

    def elapsed(self, received: dt.date, until: dt.date) -> int:
        """Working days after day 0 of `received` up to and including `until` (>= 0)."""
        start = self._index(self.day_zero(received))
        end = self._index(until)
        if end <= start:
            return 0
        return self._count[end] - self._count[start]
