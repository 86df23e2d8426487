"""The chat's opening hours follow the PGJO office in the business calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kglijn.chat.hours import chat_opening
from kglijn.core.models import ClosingDay

BRUSSELS = dt.timezone(dt.timedelta(hours=1))  # winter time in these examples


@pytest.fixture(autouse=True)
def _office_hours(settings: Any) -> None:
    settings.KGLIJN_CHAT_HOURS = "office"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BRUSSELS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "is_open", "next_opening"),
    [
        ("2024-03-06T09:00", True, None),  # Wednesday, opening time
        ("2024-03-06T16:59", True, None),
        ("2024-03-06T08:59", False, "2024-03-06T09:00"),
        ("2024-03-06T17:00", False, "2024-03-07T09:00"),  # closing time itself is closed
        ("2024-03-08T18:30", False, "2024-03-11T09:00"),  # Friday evening -> Monday
        ("2024-03-09T11:00", False, "2024-03-11T09:00"),  # Saturday
        ("2024-12-25T10:00", False, "2024-12-26T09:00"),  # Christmas
        ("2024-07-11T10:00", False, "2024-07-12T09:00"),  # 11 July, Flemish holiday
    ],
)
def test_the_chat_is_open_during_pgjo_office_hours(
    moment: str, is_open: bool, next_opening: str | None
) -> None:
    opening = chat_opening(now=at(moment))
    assert opening.open is is_open
    expected = dt.datetime.fromisoformat(next_opening + "+01:00") if next_opening else None
    if expected is not None and expected.month in (7,):
        expected = dt.datetime.fromisoformat(next_opening + "+02:00")  # summer time
    assert opening.next_opening == expected


@pytest.mark.django_db
def test_a_closing_day_closes_the_chat() -> None:
    ClosingDay.objects.create(date=dt.date(2024, 3, 6), name="Brugdag")
    opening = chat_opening(now=at("2024-03-06T10:00"))
    assert (opening.open, opening.next_opening) == (
        False,
        dt.datetime.fromisoformat("2024-03-07T09:00+01:00"),
    )


def test_always_open_for_demonstrations(settings: Any) -> None:
    settings.KGLIJN_CHAT_HOURS = "always"
    assert chat_opening(now=at("2024-12-25T03:00")).open is True
