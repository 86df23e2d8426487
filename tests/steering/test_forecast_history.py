"""Forecast (issue 19 item 4): the synthetic history the forecast tests share, and the history
binning per Brussels half hour (summer time included)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from kglijn.contacts.models import Contact
from kglijn.core.business_calendar import is_working_day
from kglijn.core.vocabulary import Channel, Direction, Office, Status
from kglijn.steering.forecast.services import day_calendar, history_counts, slot_moment

BRUSSELS = ZoneInfo("Europe/Brussels")
# Monday .. Sunday: Monday busiest, as on the real line.
WEEKDAY_FACTOR = (1.5, 1.15, 1.0, 1.05, 0.8, 0.0, 0.0)
EMAIL_WEEKDAY_FACTOR = (1.4, 1.1, 1.0, 1.0, 0.9, 0.3, 0.25)
# The intraday shape over the front office's hours 08:00-20:00 (slots 16..39): a morning peak.
SHAPE = np.array([3, 5, 8, 9, 9, 8, 7, 6, 5, 6, 6, 5, 5, 4, 4, 3, 3, 3, 2, 2, 2, 1, 1, 1], float)
FIRST = dt.date(2022, 8, 1)
TODAY = dt.date(2023, 11, 20)  # the back-test holds out 25/09..19/11/2023, with 1 November


def expected_daily(day: dt.date, channel: str, level: float) -> float:
    """The known daily volume: weekday × yearly wave (summer low) × slow growth."""
    yearly = 1 + 0.25 * np.cos(2 * np.pi * (day.timetuple().tm_yday - 30) / 365.25)
    growth = 1 + 0.05 * (day - FIRST).days / 365.25
    if channel == Channel.EMAIL:
        factor = EMAIL_WEEKDAY_FACTOR[day.weekday()]
        if day.weekday() < 5 and not is_working_day(day):
            factor = 0.3  # e-mail still arrives on a public holiday, less of it
        return level * factor * yearly * growth
    if not is_working_day(day):
        return 0.0
    return level * WEEKDAY_FACTOR[day.weekday()] * yearly * growth


def build_history(
    channel: str = Channel.PHONE,
    *,
    first: dt.date = FIRST,
    last: dt.date = TODAY - dt.timedelta(days=1),
    level: float = 60.0,
    seed: int = 19,
) -> int:
    """Bulk-create the incoming contacts of `channel` from `first` to `last` (Poisson counts
    around the known pattern); returns how many."""
    rng = np.random.default_rng(seed)
    rows: list[Contact] = []
    shape = SHAPE / SHAPE.sum()
    day = first
    while day <= last:
        total = rng.poisson(expected_daily(day, channel, level))
        if total:
            if channel == Channel.EMAIL:
                slots = rng.integers(0, 48, total)
            else:
                slots = 16 + rng.choice(len(SHAPE), size=total, p=shape)
            minutes = rng.integers(0, 30, total)
            for slot, minute in zip(slots, minutes, strict=True):
                local = dt.datetime.combine(
                    day, dt.time(int(slot) // 2, 30 * (int(slot) % 2) + int(minute)), BRUSSELS
                )
                rows.append(
                    Contact(
                        channel=channel,
                        direction=Direction.IN,
                        received_at=local,
                        office=Office.FRONT,
                        status=Status.CLOSED,
                        anonymous=True,
                    )
                )
        day += dt.timedelta(days=1)
    Contact.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _contact(
    moment: dt.datetime, channel: str = Channel.PHONE, direction: str = Direction.IN
) -> None:
    Contact.objects.create(
        channel=channel,
        direction=direction,
        received_at=moment,
        office=Office.FRONT,
        status=Status.CLOSED,
        anonymous=True,
    )


@pytest.mark.django_db
def test_history_is_counted_per_brussels_half_hour_across_summer_time() -> None:
    utc = dt.UTC
    # 26/03/2023: clocks go from 02:00 to 03:00. 01:10 UTC = 03:10 CEST -> slot 6.
    _contact(dt.datetime(2023, 3, 26, 1, 10, tzinfo=utc))
    # 29/10/2023: 02:00-03:00 happens twice; both go to slot 4 or 5 of that day.
    _contact(dt.datetime(2023, 10, 29, 0, 40, tzinfo=utc))  # 02:40 CEST -> slot 5
    _contact(dt.datetime(2023, 10, 29, 1, 40, tzinfo=utc))  # 02:40 CET -> slot 5
    _contact(dt.datetime(2023, 10, 29, 22, 59, tzinfo=utc))  # 23:59 CET -> slot 47
    _contact(dt.datetime(2023, 10, 29, 23, 0, tzinfo=utc))  # 30/10 00:00 -> next day, slot 0
    _contact(dt.datetime(2023, 3, 25, 22, 59, tzinfo=utc))  # 25/03 23:59 CET -> slot 47
    _contact(dt.datetime(2023, 3, 26, 10, 0, tzinfo=utc), direction=Direction.OUT)  # not counted
    _contact(dt.datetime(2023, 3, 26, 10, 0, tzinfo=utc), channel=Channel.EMAIL)  # other channel

    counts = history_counts(Channel.PHONE, dt.date(2023, 3, 25), dt.date(2023, 10, 30))
    spring = (dt.date(2023, 3, 26) - dt.date(2023, 3, 25)).days
    autumn = (dt.date(2023, 10, 29) - dt.date(2023, 3, 25)).days
    assert counts.shape == (autumn + 2, 48)
    assert counts[0, 47] == 1
    assert counts[spring, 6] == 1
    assert counts[autumn, 5] == 2
    assert counts[autumn, 47] == 1
    assert counts[autumn + 1, 0] == 1
    assert counts.sum() == 6


def test_slot_moment_skips_the_hour_clocks_go_forward() -> None:
    assert slot_moment(dt.date(2023, 3, 26), 4) is None
    assert slot_moment(dt.date(2023, 3, 26), 5) is None
    assert slot_moment(dt.date(2023, 3, 26), 6) == dt.datetime(2023, 3, 26, 3, 0, tzinfo=BRUSSELS)
    assert slot_moment(dt.date(2023, 10, 29), 5) is not None


@pytest.mark.django_db
def test_calendar_opens_phone_during_the_front_office_hours_on_working_days_only() -> None:
    cal = day_calendar(Channel.PHONE, dt.date(2023, 10, 30), dt.date(2023, 11, 5))
    monday = cal.open_slots[0]
    assert monday.sum() == 24
    assert monday[16]
    assert monday[39]
    assert not monday[15]
    assert not monday[40]
    assert not cal.open_slots[2].any()  # Wednesday 1 November, All Saints
    assert bool(cal.closed[2])
    assert not bool(cal.closed[5])
    assert not cal.open_slots[5].any()
    chat = day_calendar(Channel.CHAT, dt.date(2023, 10, 30), dt.date(2023, 10, 30))
    assert chat.open_slots[0].sum() == 16  # the PGJO office: 09:00-17:00
    email = day_calendar(Channel.EMAIL, dt.date(2023, 11, 1), dt.date(2023, 11, 1))
    assert email.open_slots[0].all()
