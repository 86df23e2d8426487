"""The one business calendar: holidays, closing days, opening hours per office, Brussels time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kglijn.core import business_calendar as cal
from kglijn.core.models import ClosingDay

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = dt.UTC


def bxl(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    """An aware Brussels datetime."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=BRUSSELS)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


PUBLIC_HOLIDAYS = {
    2023: [
        (dt.date(2023, 1, 1), "New Year"),
        (dt.date(2023, 4, 10), "Easter Monday"),
        (dt.date(2023, 5, 1), "Labour Day"),
        (dt.date(2023, 5, 18), "Ascension"),
        (dt.date(2023, 5, 29), "Whit Monday"),
        (dt.date(2023, 7, 21), "National Day"),
        (dt.date(2023, 8, 15), "Assumption"),
        (dt.date(2023, 11, 1), "All Saints"),
        (dt.date(2023, 11, 11), "Armistice"),
        (dt.date(2023, 12, 25), "Christmas"),
    ],
    2024: [
        (dt.date(2024, 1, 1), "New Year"),
        (dt.date(2024, 4, 1), "Easter Monday"),
        (dt.date(2024, 5, 1), "Labour Day"),
        (dt.date(2024, 5, 9), "Ascension"),
        (dt.date(2024, 5, 20), "Whit Monday"),
        (dt.date(2024, 7, 21), "National Day"),
        (dt.date(2024, 8, 15), "Assumption"),
        (dt.date(2024, 11, 1), "All Saints"),
        (dt.date(2024, 11, 11), "Armistice"),
        (dt.date(2024, 12, 25), "Christmas"),
    ],
}
HOLIDAY_PARAMS = [
    pytest.param(day, id=f"{day.isoformat()}-{name}")
    for year in PUBLIC_HOLIDAYS.values()
    for day, name in year
]


# --- working days ---------------------------------------------------------------------------


@pytest.mark.parametrize("day", HOLIDAY_PARAMS)
def test_belgian_public_holidays_are_not_working_days(day: dt.date) -> None:
    assert cal.is_working_day(day) is False
    assert day in cal.closing_days(day.year)
    for office in ("front", "pgjo", "childcare"):
        assert cal.opening_hours(office, day) is None
        assert cal.is_open(office, dt.datetime.combine(day, dt.time(12), BRUSSELS)) is False


@pytest.mark.parametrize("year", [2023, 2024])
def test_closing_days_are_exactly_the_holidays_plus_11_july(year: int) -> None:
    expected = {day for day, _name in PUBLIC_HOLIDAYS[year]}
    # The package also lists Easter Sunday and Whit Sunday: Sundays, closed anyway.
    sundays = {day for day in cal.closing_days(year) if day.weekday() == 6}
    assert set(cal.closing_days(year)) - sundays == (expected | {dt.date(year, 7, 11)}) - sundays


@pytest.mark.parametrize("day", [dt.date(2023, 7, 11), dt.date(2024, 7, 11)])
def test_11_july_configured_extra_closing_day(day: dt.date) -> None:
    assert day.weekday() < 5  # a Tuesday in 2023, a Thursday in 2024
    assert cal.is_working_day(day) is False
    assert cal.closing_days(day.year)[day] == "Extra sluitingsdag"


def test_extra_closing_days_come_from_settings(settings: Any) -> None:
    settings.KGLIJN_EXTRA_CLOSING_DAYS = []
    assert cal.is_working_day(dt.date(2023, 7, 11)) is True
    settings.KGLIJN_EXTRA_CLOSING_DAYS = [(7, 11), (12, 26)]
    assert cal.is_working_day(dt.date(2023, 12, 26)) is False


def test_closing_day_row_closes_that_date_at_once() -> None:
    # given a normal Friday that was computed as a working day before
    bridge = dt.date(2023, 11, 3)
    assert cal.is_working_day(bridge) is True
    # when an administrator adds it as a closing day
    ClosingDay.objects.create(date=bridge, name="Brugdag")
    # then it is closed immediately (no stale cache), for every office, by name
    assert cal.is_working_day(bridge) is False
    assert cal.closing_days(2023)[bridge] == "Brugdag"
    assert cal.opening_hours("front", bridge) is None
    assert cal.is_open("front", bxl(2023, 11, 3, 12)) is False
    # and the neighbouring days are untouched
    assert cal.is_working_day(dt.date(2023, 11, 2)) is True
    assert cal.is_working_day(dt.date(2023, 11, 6)) is True


def test_closing_day_row_only_applies_to_its_year() -> None:
    ClosingDay.objects.create(date=dt.date(2023, 11, 3), name="Brugdag")
    assert cal.is_working_day(dt.date(2024, 11, 4)) is True
    assert dt.date(2023, 11, 3) not in cal.closing_days(2024)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2023, 3, 3), True),  # Friday
        (dt.date(2023, 3, 4), False),  # Saturday
        (dt.date(2023, 3, 5), False),  # Sunday
        (dt.date(2023, 3, 6), True),  # Monday
        (dt.date(2023, 4, 7), True),  # Good Friday is not a Belgian public holiday
        (dt.date(2023, 12, 26), True),  # Boxing Day is not either
    ],
)
def test_weekends_are_not_working_days(day: dt.date, expected: bool) -> None:
    assert cal.is_working_day(day) is expected


def test_a_datetime_counts_by_its_brussels_date() -> None:
    # 2023-12-24 23:30 UTC is already Christmas Day in Brussels.
    assert cal.is_working_day(utc(2023, 12, 22, 12)) is True
    assert cal.is_working_day(utc(2023, 12, 24, 23, 30)) is False
    assert cal.is_working_day(bxl(2023, 12, 25, 10)) is False
    assert cal.opening_hours("front", bxl(2023, 12, 25, 10)) is None


def test_naive_datetimes_are_refused() -> None:
    naive = dt.datetime(2023, 3, 6, 10, 0)
    for call in (
        lambda: cal.is_open("front", naive),
        lambda: cal.next_opening("front", naive),
        lambda: cal.is_working_day(naive),
        lambda: cal.opening_hours("front", naive),
        lambda: cal.add_working_days(naive, 1),
    ):
        with pytest.raises(ValueError, match="aware datetimes"):
            call()


def test_unknown_office_is_an_error() -> None:
    with pytest.raises(KeyError):
        cal.opening_hours("helpdesk", dt.date(2023, 3, 6))
    with pytest.raises(KeyError):
        cal.opening_hours("helpdesk", dt.date(2023, 3, 4))  # also on a weekend


# --- opening hours --------------------------------------------------------------------------


def test_opening_hours_per_office() -> None:
    monday = dt.date(2023, 3, 6)
    assert cal.opening_hours("front", monday) == (bxl(2023, 3, 6, 8), bxl(2023, 3, 6, 20))
    assert cal.opening_hours("pgjo", monday) == (bxl(2023, 3, 6, 9), bxl(2023, 3, 6, 17))
    assert cal.opening_hours("childcare", monday) == (bxl(2023, 3, 6, 9), bxl(2023, 3, 6, 17))
    assert cal.opening_hours("front", dt.date(2023, 3, 4)) is None  # Saturday
    assert cal.opening_hours("pgjo", dt.date(2023, 3, 5)) is None  # Sunday


@pytest.mark.parametrize(
    ("office", "moment", "expected"),
    [
        ("front", bxl(2023, 3, 6, 7, 59, 59), False),
        ("front", bxl(2023, 3, 6, 8, 0), True),
        ("front", bxl(2023, 3, 6, 19, 59, 59), True),
        ("front", bxl(2023, 3, 6, 20, 0), False),
        ("pgjo", bxl(2023, 3, 6, 8, 30), False),
        ("pgjo", bxl(2023, 3, 6, 8, 59, 59), False),
        ("pgjo", bxl(2023, 3, 6, 9, 0), True),
        ("pgjo", bxl(2023, 3, 6, 16, 59, 59), True),
        ("pgjo", bxl(2023, 3, 6, 17, 0), False),
        ("childcare", bxl(2023, 3, 6, 9, 0), True),
        ("childcare", bxl(2023, 3, 6, 17, 0), False),
        ("front", bxl(2023, 3, 4, 12, 0), False),  # Saturday
        ("front", bxl(2023, 7, 11, 12, 0), False),  # 11 July
    ],
)
def test_is_open_boundaries(office: str, moment: dt.datetime, expected: bool) -> None:
    assert cal.is_open(office, moment) is expected


def test_is_open_reads_any_time_zone_as_brussels_time() -> None:
    # Winter (CET, UTC+1): front opens at 07:00 UTC.
    assert cal.is_open("front", utc(2023, 3, 6, 6, 59, 59)) is False
    assert cal.is_open("front", utc(2023, 3, 6, 7, 0)) is True
    assert cal.is_open("front", utc(2023, 3, 6, 18, 59, 59)) is True
    assert cal.is_open("front", utc(2023, 3, 6, 19, 0)) is False
    # Summer (CEST, UTC+2): front opens at 06:00 UTC.
    assert cal.is_open("front", utc(2023, 6, 5, 5, 59, 59)) is False
    assert cal.is_open("front", utc(2023, 6, 5, 6, 0)) is True
    assert cal.is_open("front", utc(2023, 6, 5, 17, 59, 59)) is True
    assert cal.is_open("front", utc(2023, 6, 5, 18, 0)) is False


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # DST starts on the last Sunday of March, ends on the last Sunday of October.
        (dt.date(2023, 3, 24), dt.date(2023, 3, 27)),
        (dt.date(2023, 10, 27), dt.date(2023, 10, 30)),
        (dt.date(2024, 3, 29), dt.date(2024, 4, 2)),  # 2024: Easter Monday after the switch
        (dt.date(2024, 10, 25), dt.date(2024, 10, 28)),
    ],
)
def test_opening_hours_follow_dst(before: dt.date, after: dt.date) -> None:
    hours_before = cal.opening_hours("pgjo", before)
    hours_after = cal.opening_hours("pgjo", after)
    assert hours_before is not None
    assert hours_after is not None
    # Always 09:00-17:00 on the wall clock...
    for opens, closes in (hours_before, hours_after):
        assert (opens.hour, opens.minute, closes.hour, closes.minute) == (9, 0, 17, 0)
        assert closes - opens == dt.timedelta(hours=8)
    # ...while the UTC offset changes by one hour across the switch.
    offsets = {hours_before[0].utcoffset(), hours_after[0].utcoffset()}
    assert offsets == {dt.timedelta(hours=1), dt.timedelta(hours=2)}
    if before.month == 3:
        assert hours_after[0].astimezone(UTC).hour == 7
        assert hours_before[0].astimezone(UTC).hour == 8
    else:
        assert hours_after[0].astimezone(UTC).hour == 8
        assert hours_before[0].astimezone(UTC).hour == 7


# --- next opening ---------------------------------------------------------------------------


def test_next_opening_is_the_moment_itself_when_open() -> None:
    moment = bxl(2023, 3, 6, 10, 15, 30)
    assert cal.next_opening("pgjo", moment) == moment
    assert cal.next_opening("front", utc(2023, 3, 6, 9, 15)) == bxl(2023, 3, 6, 10, 15)


def test_next_opening_result_is_brussels_time() -> None:
    result = cal.next_opening("front", utc(2023, 3, 6, 9, 15))
    assert result.tzinfo == BRUSSELS


def test_next_opening_before_opening_same_day() -> None:
    assert cal.next_opening("pgjo", bxl(2023, 3, 6, 8, 30)) == bxl(2023, 3, 6, 9, 0)
    assert cal.next_opening("front", bxl(2023, 3, 6, 0, 0)) == bxl(2023, 3, 6, 8, 0)


def test_next_opening_at_closing_time_is_next_working_day() -> None:
    assert cal.next_opening("pgjo", bxl(2023, 3, 6, 17, 0)) == bxl(2023, 3, 7, 9, 0)
    assert cal.next_opening("front", bxl(2023, 3, 6, 20, 0)) == bxl(2023, 3, 7, 8, 0)


def test_next_opening_friday_evening_is_monday_morning() -> None:
    friday_evening = bxl(2023, 3, 3, 18, 30)
    assert cal.next_opening("pgjo", friday_evening) == bxl(2023, 3, 6, 9, 0)
    assert cal.next_opening("childcare", friday_evening) == bxl(2023, 3, 6, 9, 0)
    # the front office is still open at 18:30
    assert cal.next_opening("front", friday_evening) == friday_evening
    assert cal.next_opening("front", bxl(2023, 3, 3, 20, 0)) == bxl(2023, 3, 6, 8, 0)


def test_next_opening_across_easter_monday_is_tuesday() -> None:
    # Friday 7 April 2023 evening -> Easter Monday 10 April closed -> Tuesday 11 April 09:00.
    assert cal.next_opening("pgjo", bxl(2023, 4, 7, 17, 30)) == bxl(2023, 4, 11, 9, 0)


def test_next_opening_across_dst_switch_and_easter_monday() -> None:
    # Friday 29 March 2024 18:00 CET; DST starts Sunday 31 March; Monday 1 April is Easter
    # Monday. PGJO opens Tuesday 2 April 09:00 CEST = 07:00 UTC.
    result = cal.next_opening("pgjo", bxl(2024, 3, 29, 18, 0))
    assert result == bxl(2024, 4, 2, 9, 0)
    assert result.astimezone(UTC) == utc(2024, 4, 2, 7, 0)


def test_next_opening_across_end_of_dst() -> None:
    # Friday 27 October 2023 17:00 CEST (15:00 UTC) -> Monday 30 October 09:00 CET (08:00 UTC).
    result = cal.next_opening("pgjo", utc(2023, 10, 27, 15, 0))
    assert result.astimezone(UTC) == utc(2023, 10, 30, 8, 0)


def test_next_opening_skips_a_closing_day_row() -> None:
    ClosingDay.objects.create(date=dt.date(2023, 3, 6), name="Personeelsdag")
    assert cal.next_opening("pgjo", bxl(2023, 3, 3, 18, 0)) == bxl(2023, 3, 7, 9, 0)


def test_next_opening_over_new_year_reads_each_year_once(
    django_assert_num_queries: Callable[..., Any],
) -> None:
    # Friday 29 Dec 2023 evening: weekend, New Year's Day -> Tuesday 2 January 2024.
    # Closing days are read once per year involved, not once per day looked at.
    with django_assert_num_queries(2):
        assert cal.next_opening("pgjo", bxl(2023, 12, 29, 17, 0)) == bxl(2024, 1, 2, 9, 0)


def test_next_opening_fails_loudly_for_an_office_without_hours(settings: Any) -> None:
    settings.KGLIJN_OPENING_HOURS = {**settings.KGLIJN_OPENING_HOURS, "pgjo": {}}
    with pytest.raises(RuntimeError, match="no opening hours within a year"):
        cal.next_opening("pgjo", bxl(2023, 3, 6, 10))


# --- add_working_days -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (dt.date(2023, 3, 6), 0, dt.date(2023, 3, 6)),  # working day itself
        (dt.date(2023, 3, 4), 0, dt.date(2023, 3, 6)),  # Saturday -> Monday
        (dt.date(2023, 3, 6), 1, dt.date(2023, 3, 7)),
        (dt.date(2023, 3, 3), 1, dt.date(2023, 3, 6)),  # Friday -> Monday
        (dt.date(2023, 3, 4), 1, dt.date(2023, 3, 7)),  # Saturday counts from Monday
        (dt.date(2023, 4, 7), 1, dt.date(2023, 4, 11)),  # weekend + Easter Monday
        (dt.date(2023, 5, 17), 1, dt.date(2023, 5, 19)),  # Ascension Thursday
        (dt.date(2023, 12, 21), 2, dt.date(2023, 12, 26)),  # weekend + Christmas
        (dt.date(2024, 7, 10), 1, dt.date(2024, 7, 12)),  # 11 July
        (dt.date(2023, 12, 29), 1, dt.date(2024, 1, 2)),  # across New Year
        (dt.date(2023, 3, 6), 10, dt.date(2023, 3, 20)),  # two full weeks
    ],
)
def test_add_working_days(start: dt.date, count: int, expected: dt.date) -> None:
    assert cal.add_working_days(start, count) == expected


def test_add_working_days_counts_closing_day_rows() -> None:
    ClosingDay.objects.create(date=dt.date(2023, 3, 7), name="Personeelsdag")
    assert cal.add_working_days(dt.date(2023, 3, 6), 1) == dt.date(2023, 3, 8)


def test_add_working_days_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="count must be >= 0"):
        cal.add_working_days(dt.date(2023, 3, 6), -1)


def test_working_days_counting() -> None:
    # Moved from the e-mail service level (issue 14): the one calendar counts for it now.
    days = cal.WorkingDays(dt.date(2024, 12, 20), dt.date(2025, 1, 10))

    # Christmas, weekend and New Year's Day do not count.
    assert days.day_zero(dt.date(2024, 12, 25)) == dt.date(2024, 12, 26)
    assert days.elapsed(dt.date(2024, 12, 24), dt.date(2024, 12, 26)) == 1
    assert days.elapsed(dt.date(2024, 12, 27), dt.date(2025, 1, 2)) == 3  # Mon, Tue, Thu
    assert days.elapsed(dt.date(2024, 12, 28), dt.date(2024, 12, 28)) == 0


def test_working_days_agree_with_the_calendar_and_see_closing_days() -> None:
    ClosingDay.objects.create(date=dt.date(2025, 3, 14), name="Teamdag")
    first, last = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    days = cal.WorkingDays(first, last)

    day = first
    while day <= last:
        assert days.is_working_day(day) == cal.is_working_day(day), day
        day += dt.timedelta(days=1)
    assert not days.is_working_day(dt.date(2025, 3, 14))
    # Across the year end, into the year after `last`: 1 January 2026 is closed.
    assert days.elapsed(dt.date(2025, 12, 31), dt.date(2026, 1, 2)) == 1
    # Day 0 plus N working days is add_working_days(received, N).
    for received in (dt.date(2025, 4, 18), dt.date(2025, 7, 10), dt.date(2025, 3, 13)):
        for count in (0, 1, 2, 5):
            assert days.elapsed(received, cal.add_working_days(received, count)) == count
