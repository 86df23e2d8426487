"""kglijn.core.periods: month arithmetic, checked against day-by-day counting."""

from __future__ import annotations

import calendar
import datetime as dt

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.periods import (
    add_months,
    month_bounds,
    month_end,
    month_range_brussels,
    month_start,
    month_start_brussels,
    months_back,
)


def test_month_start_end_and_bounds_on_every_day_of_four_years() -> None:
    day = dt.date(2023, 1, 1)
    while day < dt.date(2027, 1, 1):
        last = calendar.monthrange(day.year, day.month)[1]
        assert month_start(day) == dt.date(day.year, day.month, 1)
        assert month_end(day) == dt.date(day.year, day.month, last)
        assert month_bounds(day) == (month_start(day), month_end(day))
        day += dt.timedelta(days=1)
    assert month_end(dt.date(2024, 2, 10)) == dt.date(2024, 2, 29)  # a leap year


def test_add_months_crosses_years_both_ways() -> None:
    assert add_months(dt.date(2024, 3, 31), 0) == dt.date(2024, 3, 1)
    assert add_months(dt.date(2024, 3, 31), -3) == dt.date(2023, 12, 1)
    assert add_months(dt.date(2024, 3, 15), 10) == dt.date(2025, 1, 1)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 1)
    assert add_months(dt.date(2024, 12, 1), -24) == dt.date(2022, 12, 1)


def test_months_back_ends_with_the_month_itself() -> None:
    assert months_back(dt.date(2024, 2, 20), 3) == [
        dt.date(2023, 12, 1),
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 1),
    ]
    assert len(months_back(dt.date(2024, 2, 20), 13)) == 13
    assert months_back(dt.date(2024, 2, 20), 0) == []


def test_brussels_month_ranges_follow_summer_time() -> None:
    start, end = month_range_brussels(dt.date(2024, 3, 17))
    assert start == month_start_brussels(dt.date(2024, 3, 1))
    assert start.tzinfo is BRUSSELS
    assert start.astimezone(dt.UTC) == dt.datetime(2024, 2, 29, 23, tzinfo=dt.UTC)  # CET
    assert end.astimezone(dt.UTC) == dt.datetime(2024, 3, 31, 22, tzinfo=dt.UTC)  # CEST
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(days=31, hours=-1)
