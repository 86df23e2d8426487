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
    """Public holidays plus configured closing days of one year, date -> name."""
    return {**_public_holidays(year), **_extra_closing_days(year)}


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in closing_days(day.year)


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("business calendar needs aware datetimes")
    return moment.astimezone(BRUSSELS)


def opening_hours(office: str, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The aware (open, close) interval of an office on a date, or None when it is closed."""
    if not is_working_day(day):
        return None
    hours = settings.KGLIJN_OPENING_HOURS[office].get(day.weekday())
    if hours is None:
        return None
    opens, closes = (dt.time.fromisoformat(value) for value in hours)
    return (
        dt.datetime.combine(day, opens, tzinfo=BRUSSELS),
        dt.datetime.combine(day, closes, tzinfo=BRUSSELS),
    )


def is_open(office: str, moment: dt.datetime) -> bool:
    """True when the office is open at that moment (close time itself is closed)."""
    local = _local(moment)
    interval = opening_hours(office, local.date())
    return interval is not None and interval[0] <= local < interval[1]


def next_opening(office: str, moment: dt.datetime) -> dt.datetime:
    """The moment itself if the office is open then, else the start of its next opening."""
    local = _local(moment)
    day = local.date()
    for _ in range(366):
        interval = opening_hours(office, day)
        if interval is not None and local < interval[1]:
            return max(local, interval[0])
        day += dt.timedelta(days=1)
    raise RuntimeError(f"office {office!r} has no opening hours within a year")


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The date `count` working days after `day` (count >= 0; 0 = day itself if working)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    current = day
    while not is_working_day(current):
        current += dt.timedelta(days=1)
    remaining = count
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
