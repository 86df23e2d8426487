"""Service-level definitions (domain.md): short abandons, target, ASA, AHT, contracts, periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kglijn.servicelevels.phone import Period, norm_on, norms, service_levels
from kglijn.telephony.models import ServiceLevelContract
from tests.telephony.calls import BRUSSELS, event, post

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 3, 6)
NINE = dt.datetime(2023, 3, 6, 9, 0, tzinfo=BRUSSELS)


def moment(minutes: float, seconds: float = 0) -> dt.datetime:
    return NINE + dt.timedelta(minutes=minutes, seconds=seconds)


class Calls:
    """Posts small calls through the webhook, numbering their ids."""

    def __init__(self, client) -> None:
        self.client = client
        self.n = 0

    def _ids(self) -> tuple[str, str]:
        self.n += 1
        return f"c{self.n}", f"c{self.n}-"

    def answered(self, start: dt.datetime, wait: float, talk: float, *, queue="front", agent="a1"):
        call, e = self._ids()
        t1 = start + dt.timedelta(seconds=wait)
        events = [
            event(e + "1", "offered", call, start, queue=queue),
            event(e + "2", "answered", call, t1, agent=agent),
            event(e + "3", "ended", call, t1 + dt.timedelta(seconds=talk)),
        ]
        assert post(self.client, events).status_code == 201

    def abandoned(self, start: dt.datetime, wait: float, *, queue="front"):
        call, e = self._ids()
        events = [
            event(e + "1", "offered", call, start, queue=queue),
            event(e + "2", "abandoned", call, start + dt.timedelta(seconds=wait)),
        ]
        assert post(self.client, events).status_code == 201

    def waiting(self, start: dt.datetime, *, queue="front"):
        call, e = self._ids()
        assert (
            post(self.client, event(e + "1", "offered", call, start, queue=queue)).status_code
            == 201
        )

    def callback(self, start: dt.datetime, wait: float):
        call, e = self._ids()
        events = [
            event(e + "1", "offered", call, start, queue="front"),
            event(e + "2", "callback_requested", call, start + dt.timedelta(seconds=wait)),
        ]
        assert post(self.client, events).status_code == 201


@pytest.fixture
def calls(client, make_user) -> Calls:
    make_user("front_office", "a1")
    make_user("pgjo_nurse", "n1")
    return Calls(client)


def test_the_default_contract_is_80_percent_within_20_seconds_with_5_second_short_abandons() -> (
    None
):
    norm = norm_on(norms(), "front", DAY)
    assert (norm.target_pct, norm.target_seconds, norm.short_abandon_seconds) == (
        Decimal("80.00"),
        20,
        5,
    )


def test_definitions_on_a_small_day(calls: Calls) -> None:
    calls.answered(moment(0), wait=10, talk=100)  # within 20 s
    calls.answered(moment(1), wait=20, talk=200)  # exactly 20 s: within
    calls.answered(moment(2), wait=21, talk=300)  # late
    calls.abandoned(moment(3), wait=4.9)  # short abandon: not offered, not abandoned
    calls.abandoned(moment(4), wait=5)  # at the threshold: a real abandon
    calls.abandoned(moment(5), wait=90)
    calls.callback(moment(6), wait=30)  # offered, neither answered nor abandoned
    calls.waiting(moment(7))  # no outcome yet: not counted

    total = service_levels(date_from=DAY, date_to=DAY).totals["front"]

    assert (total.offered, total.answered, total.answered_in_target) == (6, 3, 2)
    assert (total.abandoned, total.short_abandons, total.other) == (2, 1, 1)
    # domain.md: answered within T ÷ (offered − short abandons)
    assert total.service_level_pct == pytest.approx(100 * 2 / 6)
    assert total.abandon_rate_pct == pytest.approx(100 * 2 / 6)
    assert total.asa_seconds == pytest.approx((10 + 20 + 21) / 3)
    assert total.aht_seconds == pytest.approx((100 + 200 + 300) / 3)
    assert total.longest_wait_seconds == 90
    assert total.below_target is True


def test_periods_group_by_brussels_hour_day_and_month(calls: Calls) -> None:
    calls.answered(moment(0), wait=5, talk=60)
    calls.answered(moment(70), wait=5, talk=60)  # 10:10
    calls.answered(moment(60 * 24), wait=50, talk=60)  # the next day 09:00

    hours = service_levels(date_from=DAY, date_to=DAY, period=Period.HOUR)
    days = service_levels(date_from=DAY, date_to=DAY + dt.timedelta(days=1), period="day")
    months = service_levels(date_from=DAY, date_to=DAY + dt.timedelta(days=1), period="month")

    assert [(row.start.hour, row.offered) for row in hours.rows["front"]] == [(9, 1), (10, 1)]
    assert [(row.start.date(), row.service_level_pct) for row in days.rows["front"]] == [
        (DAY, 100.0),
        (DAY + dt.timedelta(days=1), 0.0),
    ]
    assert [(row.start.date(), row.offered) for row in months.rows["front"]] == [
        (dt.date(2023, 3, 1), 3)
    ]
    assert all(row.start.tzinfo is not None for row in hours.rows["front"])


def test_a_period_is_cut_on_brussels_midnight(calls: Calls) -> None:
    late = dt.datetime(2023, 3, 6, 23, 59, 50, tzinfo=BRUSSELS)  # 22:59:50 UTC
    calls.answered(late, wait=5, talk=60)

    assert service_levels(date_from=DAY, date_to=DAY).totals["front"].offered == 1
    next_day = DAY + dt.timedelta(days=1)
    assert service_levels(date_from=next_day, date_to=next_day).totals["front"].offered == 0


def test_each_call_is_measured_against_the_contract_valid_on_its_day(calls: Calls) -> None:
    ServiceLevelContract.objects.create(
        office="front",
        valid_from=DAY + dt.timedelta(days=1),
        target_pct=Decimal("90"),
        target_seconds=30,
        short_abandon_seconds=10,
    )
    calls.answered(moment(0), wait=25, talk=60)  # day 1: 20 s norm -> late
    calls.abandoned(moment(1), wait=8)  # day 1: threshold 5 s -> abandoned
    calls.answered(moment(60 * 24), wait=25, talk=60)  # day 2: 30 s norm -> within
    calls.abandoned(moment(60 * 24 + 1), wait=8)  # day 2: threshold 10 s -> short

    report = service_levels(date_from=DAY, date_to=DAY + dt.timedelta(days=1))
    first, second = report.rows["front"]

    assert (first.answered_in_target, first.abandoned, first.short_abandons) == (0, 1, 0)
    assert (first.target_pct, first.target_seconds) == (Decimal("80.00"), 20)
    assert (second.answered_in_target, second.abandoned, second.short_abandons) == (1, 0, 1)
    assert (second.target_pct, second.target_seconds) == (Decimal("90"), 30)
    total = report.totals["front"]
    assert (total.offered, total.answered_in_target) == (3, 1)


def test_offices_are_measured_apart_and_combined(calls: Calls) -> None:
    calls.answered(moment(0), wait=5, talk=60, queue="front")
    calls.answered(moment(1), wait=50, talk=60, queue="pgjo", agent="n1")
    calls.abandoned(moment(2), wait=30, queue="pgjo")

    report = service_levels(date_from=DAY, date_to=DAY)

    assert report.totals["front"].service_level_pct == 100.0
    assert report.totals["pgjo"].service_level_pct == 0.0
    assert report.totals["childcare"].offered == 0
    assert report.totals["childcare"].service_level_pct is None
    assert report.combined_total is not None
    assert (report.combined_total.offered, report.combined_total.answered_in_target) == (3, 1)
    only_pgjo = service_levels(date_from=DAY, date_to=DAY, offices=["pgjo"])
    assert list(only_pgjo.rows) == ["pgjo"]
