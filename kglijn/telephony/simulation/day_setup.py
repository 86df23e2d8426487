"""What a simulated day starts from: the calls expected that day, the offices' opening hours and
the roster of the demo users who take the calls.

- volume: the year's published phone contacts (000 §2, kglijn/demo/seed_figures.json) spread over
  the year's working days with the demo's weekday and month weights (Monday is the peak day);
- hours: the business calendar's (closing days from the database when there is one).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays

from kglijn.core.business_calendar import BRUSSELS
from kglijn.demo.figures import seed_years, year_figures
from kglijn.demo.vocabulary import MONTH_WEIGHTS, WEEKDAY_WEIGHTS
from kglijn.telephony.simulation.event_log import OFFICES


def _day_weight(day: dt.date) -> float:
    return float(WEEKDAY_WEIGHTS[day.weekday()] * MONTH_WEIGHTS[day.month - 1])


@cache
def _year_weight(year: int) -> tuple[float, int]:
    """Sum of day weights over the published period of `year` (working days), and its calls."""
    figures = year_figures(year)
    closed = holidays.country_holidays("BE", years=year)
    total = 0.0
    day = figures.first_day
    while day <= figures.last_day:
        if day.weekday() < 5 and day not in closed:
            total += _day_weight(day)
        day += dt.timedelta(days=1)
    return total, figures.incoming["phone"]


def expected_calls(day: dt.date) -> float:
    """Calls expected on a working day: the year's published phone contacts (the nearest
    published year outside 2019-2023) in proportion to the day's weekday and month weights."""
    years = seed_years()
    year = min(max(day.year, years[0]), years[-1])
    weight_sum, calls = _year_weight(year)
    return calls * _day_weight(day) / weight_sum


def calendar_hours(day: dt.date) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Opening hours of every office that is open on `day`, from the business calendar (reads
    the closing days from the database). Without a migrated database — a dry run on a fresh
    machine — only the public holidays and the configured closing days count."""
    from django.db import DatabaseError

    from kglijn.core.business_calendar import opening_hours

    try:
        hours = {office: opening_hours(office, day) for office in OFFICES}
    except DatabaseError:  # e.g. "no such table: core_closingday" (issue 13, item 10)
        hours = {office: _hours_without_database(office, day) for office in OFFICES}
    return {office: interval for office, interval in hours.items() if interval is not None}


def _hours_without_database(office: str, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The business calendar's opening hours, minus the closing days kept in the database."""
    from django.conf import settings

    closed = set(holidays.country_holidays("BE", years=day.year))
    closed |= {
        dt.date(day.year, month, number) for month, number in settings.KGLIJN_EXTRA_CLOSING_DAYS
    }
    hours = settings.KGLIJN_OPENING_HOURS[office].get(day.weekday())
    if day.weekday() >= 5 or day in closed or hours is None:
        return None
    opens, closes = (dt.time.fromisoformat(value) for value in hours)
    return (
        dt.datetime.combine(day, opens, tzinfo=BRUSSELS),
        dt.datetime.combine(day, closes, tzinfo=BRUSSELS),
    )


def demo_roster() -> dict[str, tuple[str, ...]]:
    """Office -> usernames of the demo users that handle its calls (kglijn demo --users-only)."""
    from kglijn.demo.users import DEMO_USERS, HANDLER_ROLES

    return {
        office: tuple(sorted(u.username for u in DEMO_USERS if u.role_slug == role))
        for office, role in HANDLER_ROLES.items()
    }
