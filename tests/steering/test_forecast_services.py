"""Forecast (issue 19 item 4): the run on a synthetic history with known weekly and yearly
patterns and public holidays; the back-test and its WAPEs recomputed from the stored points."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest

from kglijn.core.vocabulary import Channel
from kglijn.steering.forecast.selectors import backtest_daily, forecast_daily
from kglijn.steering.forecast.services import (
    ForecastRefused,
    forecast_latest,
    forecast_run,
    forecast_series,
)
from kglijn.steering.models import ForecastPoint, ForecastRun
from tests.steering.test_forecast_history import (
    BRUSSELS,
    SHAPE,
    TODAY,
    build_history,
    expected_daily,
)

pytestmark = pytest.mark.django_db


def _wape(points: list[ForecastPoint], field: str) -> float:
    actual = math.fsum(p.actual or 0.0 for p in points)
    error = math.fsum(abs((p.actual or 0.0) - (getattr(p, field) or 0.0)) for p in points)
    return error / actual * 100


def test_phone_forecast_is_zero_on_a_holiday_and_outside_opening_hours() -> None:
    build_history(Channel.PHONE)
    run = forecast_run(channel=Channel.PHONE, weeks=6, today=TODAY)

    assert run.forecast_from == TODAY
    assert run.forecast_to == TODAY + dt.timedelta(days=41)
    christmas = forecast_series(run, dt.date(2023, 12, 25), dt.date(2023, 12, 26))
    assert len(christmas) == 96
    day_25 = [v for k, v in christmas.items() if k.date() == dt.date(2023, 12, 25)]
    day_26 = {k.time(): v for k, v in christmas.items() if k.date() == dt.date(2023, 12, 26)}
    assert day_25 == [0.0] * 48  # Christmas: closed
    assert sum(day_26.values()) > 20  # Tuesday 26 December: open
    assert all(v == 0.0 for t, v in day_26.items() if t < dt.time(8) or t >= dt.time(20))
    assert all(v > 0 for t, v in day_26.items() if dt.time(8) <= t < dt.time(20))
    # The held-out 1 November (All Saints) was forecast 0 too.
    november_1 = run.points.filter(
        backtest=True,
        slot_start__gte=dt.datetime(2023, 11, 1, tzinfo=BRUSSELS),
        slot_start__lt=dt.datetime(2023, 11, 2, tzinfo=BRUSSELS),
    )
    assert november_1.count() == 48
    assert {p.contacts for p in november_1} == {0.0}


def test_the_forecast_follows_the_known_weekly_pattern() -> None:
    build_history(Channel.PHONE)
    run = forecast_run(channel=Channel.PHONE, weeks=2, today=TODAY)
    daily = dict(forecast_daily(run))
    monday, friday = daily[dt.date(2023, 11, 27)], daily[dt.date(2023, 12, 1)]
    # Built as 1.5 : 0.8 with a level of 60 and a yearly wave near 1.2 in late November.
    assert monday / friday == pytest.approx(1.5 / 0.8, rel=0.15)
    assert 80 < monday < 140
    assert daily[dt.date(2023, 12, 2)] == 0.0  # Saturday: the phone line is closed


def test_the_model_beats_the_seasonal_naive_and_the_wapes_recompute_from_the_points() -> None:
    build_history(Channel.PHONE)
    run = forecast_run(channel=Channel.PHONE, today=TODAY)
    run.refresh_from_db()

    assert run.backtest_from == dt.date(2023, 9, 25)  # a Monday
    assert run.backtest_to == dt.date(2023, 11, 19)  # the last Sunday of the history
    points = list(run.points.filter(backtest=True).order_by("slot_start"))
    assert len(points) == 56 * 48
    assert run.backtest_wape_pct == _wape(points, "contacts")
    assert run.baseline_wape_pct == _wape(points, "baseline")
    assert run.backtest_wape_pct < run.baseline_wape_pct
    # Close to the best any method can do: the WAPE of the true expected values (the Poisson
    # noise per half hour cannot be forecast).
    oracle = _oracle_wape(points)
    assert run.backtest_wape_pct < 1.08 * oracle
    assert run.baseline_wape_pct > 1.2 * oracle


def _oracle_wape(points: list[ForecastPoint]) -> float:
    shares = SHAPE / SHAPE.sum()
    error = 0.0
    for point in points:
        local = point.slot_start.astimezone(BRUSSELS)
        slot = local.hour * 2 + local.minute // 30
        share = shares[slot - 16] if 16 <= slot < 40 else 0.0
        expected = expected_daily(local.date(), Channel.PHONE, 60.0) * share
        error += abs((point.actual or 0.0) - expected)
    return error / math.fsum(p.actual or 0.0 for p in points) * 100


def test_the_baseline_is_the_last_week_before_the_hold_out() -> None:
    build_history(Channel.PHONE)
    run = forecast_run(channel=Channel.PHONE, weeks=1, today=TODAY)
    tested = {row.day: row for row in backtest_daily(run)}
    # The week before the hold-out is 18..24 September 2023 (no closing day in it): every
    # held-out Monday gets Monday 18 September's half hours, also Monday 2 and 30 October.
    source = dt.datetime(2023, 9, 18, tzinfo=BRUSSELS)
    before = run.points.model.objects.none()  # the history itself is not stored: count it
    from kglijn.steering.forecast.services import history_counts

    counts = history_counts(Channel.PHONE, source.date(), source.date())
    for monday in (dt.date(2023, 9, 25), dt.date(2023, 10, 2), dt.date(2023, 10, 30)):
        assert tested[monday].baseline == counts.sum()
        held = run.points.filter(
            backtest=True,
            slot_start__gte=dt.datetime.combine(monday, dt.time(0), BRUSSELS),
            slot_start__lt=dt.datetime.combine(monday, dt.time(23, 59), BRUSSELS),
        ).order_by("slot_start")
        assert [p.baseline for p in held] == list(counts[0])
    # The naive baseline knows no calendar: 1 November gets a normal Wednesday's volume.
    assert tested[dt.date(2023, 11, 1)].baseline > 0
    assert tested[dt.date(2023, 11, 1)].actual == 0
    assert not before.exists()


def test_email_arrives_every_day_and_less_on_a_holiday() -> None:
    build_history(Channel.EMAIL, level=40)
    run = forecast_run(channel=Channel.EMAIL, weeks=6, today=TODAY)
    daily = dict(forecast_daily(run))
    assert daily[dt.date(2023, 11, 25)] > 0  # a Saturday
    christmas, a_monday = daily[dt.date(2023, 12, 25)], daily[dt.date(2023, 12, 18)]
    assert 0 < christmas < 0.6 * a_monday
    assert run.parameters["final_fit"]["coefficients"]["closed"] < 0


def test_too_little_history_is_refused_and_nothing_is_stored() -> None:
    build_history(Channel.PHONE, first=dt.date(2023, 9, 1))
    with pytest.raises(ForecastRefused, match="minstens 118 dagen"):
        forecast_run(channel=Channel.PHONE, today=TODAY)
    with pytest.raises(ForecastRefused, match="er zijn er 0"):
        forecast_run(channel=Channel.CHAT, today=TODAY)
    assert not ForecastRun.objects.exists()


def test_latest_and_the_series_for_staffing() -> None:
    assert forecast_latest(Channel.PHONE) is None
    build_history(Channel.PHONE)
    first = forecast_run(channel=Channel.PHONE, weeks=1, today=TODAY)
    second = forecast_run(channel=Channel.PHONE, weeks=2, today=TODAY)
    assert forecast_latest(Channel.PHONE) == second != first
    assert forecast_latest(Channel.EMAIL) is None
    series = forecast_series(second, dt.date(2023, 11, 21), dt.date(2023, 11, 21))
    moments = list(series)
    assert moments[0] == dt.datetime(2023, 11, 21, 0, 0, tzinfo=BRUSSELS)
    assert all(b - a == dt.timedelta(minutes=30) for a, b in itertools.pairwise(moments))
    assert math.fsum(series.values()) == pytest.approx(
        dict(forecast_daily(second))[dt.date(2023, 11, 21)]
    )
    # Outside the run's horizon: nothing.
    assert forecast_series(second, dt.date(2024, 3, 1), dt.date(2024, 3, 2)) == {}
    assert all(moment.tzinfo == BRUSSELS for moment in moments)
