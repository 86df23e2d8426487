"""Month arithmetic: the one place that adds months, finds a month's first and last day and
turns a month into its Brussels-time range.

Dates are calendar dates (Brussels days); a month is named by any of its days and returned as
its first day. Ranges of aware datetimes are half-open: [start of the month, start of the next).
"""

from __future__ import annotations

import datetime as dt

from kglijn.core.business_calendar import BRUSSELS


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive months have consecutive indexes."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> dt.date:
    """The first day of the month with this month_index."""
    return dt.date(index // 12, index % 12 + 1, 1)


def month_start(day: dt.date) -> dt.date:
    """The first day of `day`'s month."""
    return dt.date(day.year, day.month, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month (negative: before)."""
    return month_of_index(month_index(day) + months)


def month_end(day: dt.date) -> dt.date:
    """The last day of `day`'s month."""
    return add_months(day, 1) - dt.timedelta(days=1)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of `day`'s month."""
    return month_start(day), month_end(day)


def months_back(day: dt.date, count: int) -> list[dt.date]:
    """The first days of `count` months ending with `day`'s month, oldest first."""
    return [add_months(day, offset) for offset in range(1 - count, 1)]


def month_start_brussels(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`'s month, Brussels time (aware)."""
    return dt.datetime(day.year, day.month, 1, tzinfo=BRUSSELS)


def month_range_brussels(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of `day`'s month in aware Brussels datetimes (end = the next month's start)."""
    return month_start_brussels(day), month_start_brussels(add_months(day, 1))
