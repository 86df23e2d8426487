import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kglijn.contacts.services import contact_register
from kglijn.reports.selectors import yearly_figures

BXL = ZoneInfo("Europe/Brussels")


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BXL)


@pytest.fixture
def register(agent):
    def _register(when: str, **kwargs):
        kwargs.setdefault("channel", "phone")
        return contact_register(by=agent, received_at=_at(when), **kwargs)

    return _register


def test_years_are_brussels_calendar_years_clipped_to_the_period(register) -> None:
    # Given: 31 Dec 2022 23:30 Brussels is 22:30 UTC (still 2022); 1 Jan 2023 00:30 is 23:30 UTC
    register("2022-12-31T23:30", province="BE-VAN", topic="childcare")
    register("2023-01-01T00:30", channel="email", origin="webform", topic="family_support")
    register("2023-01-02T10:00", channel="chat", direction="out")
    register("2023-11-16T09:00")  # after the period: not counted

    # When
    years = yearly_figures(date_from=dt.date(2022, 1, 1), date_to=dt.date(2023, 11, 15))

    # Then
    assert [(y.year, y.date_from, y.date_to) for y in years] == [
        (2022, dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
        (2023, dt.date(2023, 1, 1), dt.date(2023, 11, 15)),
    ]
    y2022, y2023 = years
    assert y2022.incoming == {"phone": 1, "email": 0, "chat": 0}
    assert y2023.incoming == {"phone": 0, "email": 1, "chat": 0}
    assert y2023.outgoing == 1
    assert y2022.province_share_pct["BE-VAN"] == 100.0
    assert y2023.province_share_pct[""] == 100.0
    assert y2022.topic_share_pct == {"childcare": 100.0, "family_support": 0.0}


def test_shares_are_rounded_to_two_decimals_and_count_incoming_only(register) -> None:
    for _ in range(2):
        register("2023-05-02T10:00", province="BE-VOV", topic="childcare")
    register("2023-05-02T11:00", province="BE-VWV", topic="family_support")
    register("2023-05-02T12:00", province="BE-VLI", direction="out")

    (year,) = yearly_figures(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31))

    assert year.incoming_total == 3
    assert year.province_share_pct["BE-VOV"] == 66.67
    assert year.province_share_pct["BE-VWV"] == 33.33
    assert year.province_share_pct["BE-VLI"] == 0.0
    assert year.topic_share_pct == {"childcare": 66.67, "family_support": 33.33}


def test_reversed_period_is_refused(db) -> None:
    with pytest.raises(ValueError, match="before"):
        yearly_figures(date_from=dt.date(2023, 2, 1), date_to=dt.date(2023, 1, 1))
