"""The reachability dashboard (issue 19 item 6): its figures equal servicelevels' daily rows,
the forecast and staff columns follow their rules, "voldoende bereikbaar" follows the stated
rule, and the page and its Excel download work for the roles that may see them."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.vocabulary import Office
from kglijn.servicelevels.phone import Period, service_levels
from kglijn.steering.models import ForecastPoint, ForecastRun, PlannedStaff, StaffPlan
from kglijn.steering.reachability.figures import reachability
from kglijn.telephony.models import Call, CallLeg, CallState, LegOutcome

pytestmark = pytest.mark.django_db
DAY1 = dt.date(2023, 11, 13)  # a Monday
DAY2 = dt.date(2023, 11, 14)
DAY3 = dt.date(2023, 11, 15)
_counter = iter(range(1, 10_000_000))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), BRUSSELS)


def plant_leg(
    moment: dt.datetime,
    *,
    wait: float,
    outcome: str = LegOutcome.ANSWERED,
    office: str = Office.FRONT,
    handle: float = 300.0,
) -> CallLeg:
    number = next(_counter)
    call = Call.objects.create(
        call_id=f"test-{number}", state=CallState.ENDED, office=office, offered_at=moment
    )
    answered = outcome == LegOutcome.ANSWERED
    return CallLeg.objects.create(
        call=call,
        seq=1,
        office=office,
        offered_at=moment,
        answered_at=moment + dt.timedelta(seconds=wait) if answered else None,
        ended_at=moment + dt.timedelta(seconds=wait + (handle if answered else 0)),
        outcome=outcome,
        wait_seconds=wait,
        handle_seconds=handle if answered else None,
    )


def plant_day(day: dt.date, *, in_time: int, late: int, abandoned: int, short: int = 0) -> None:
    for index in range(in_time):
        plant_leg(at(day, 9, index % 60), wait=5 + index % 15)
    for index in range(late):
        plant_leg(at(day, 10, index % 60), wait=40 + index)
    for index in range(abandoned):
        plant_leg(at(day, 11, index % 60), wait=30, outcome=LegOutcome.ABANDONED)
    for index in range(short):
        plant_leg(at(day, 12, index % 60), wait=2, outcome=LegOutcome.ABANDONED)


def plant_world() -> None:
    """Three days: one reachable enough, one below the service-level target, one with too many
    abandons (but a service level above the target); a back-office leg that must not count."""
    plant_day(DAY1, in_time=90, late=5, abandoned=5, short=3)  # SL 90 %, abandon 5 %: met
    plant_day(DAY2, in_time=70, late=25, abandoned=5)  # SL 70 %: not met
    plant_day(DAY3, in_time=88, late=0, abandoned=12)  # SL 88 %, abandon 12 %: not met
    plant_leg(at(DAY1, 9), wait=500, office=Office.PGJO)


def test_days_equal_the_service_level_rows() -> None:
    plant_world()
    report = reachability(date_from=DAY1, date_to=DAY3)
    levels = service_levels(date_from=DAY1, date_to=DAY3, period=Period.DAY, offices=[Office.FRONT])
    rows = {row.start.date(): row for row in levels.rows[Office.FRONT]}
    assert [day.day for day in report.days] == [DAY1, DAY2, DAY3]
    for day in report.days:
        row = rows[day.day]
        assert day.offered == row.offered
        assert day.service_level_pct == row.service_level_pct
        assert day.abandon_rate_pct == row.abandon_rate_pct
        assert day.asa_seconds == row.asa_seconds
    first = report.days[0]
    assert first.offered == 100  # 95 answered + 5 abandoned; the 3 short abandons left out
    assert first.service_level_pct == pytest.approx(90.0)
    assert first.abandon_rate_pct == pytest.approx(5.0)


def test_reachable_enough_follows_the_rule() -> None:
    plant_world()
    report = reachability(date_from=DAY1, date_to=DAY3)
    assert [day.met for day in report.days] == [True, False, False]
    assert (report.days_met, report.days_with_calls) == (1, 3)
    assert report.met_pct == pytest.approx(100 / 3)


def test_abandon_threshold_is_a_setting(settings: Any) -> None:
    plant_world()
    settings.KGLIJN_REACHABILITY_MAX_ABANDON_PCT = 15
    report = reachability(date_from=DAY1, date_to=DAY3)
    assert [day.met for day in report.days] == [True, False, True]


def _run(created: dt.datetime, **ranges: dt.date) -> ForecastRun:
    run = ForecastRun.objects.create(
        channel="phone",
        history_from=dt.date(2023, 1, 1),
        history_to=dt.date(2023, 11, 15),
        method="test",
        **ranges,
    )
    ForecastRun.objects.filter(pk=run.pk).update(created_at=created)
    return run


def test_forecast_is_the_newest_covering_run_with_backtest_points() -> None:
    plant_world()
    old = _run(
        dt.datetime(2023, 11, 1, tzinfo=dt.UTC),
        forecast_from=DAY1,
        forecast_to=DAY3,
    )
    new = _run(
        dt.datetime(2023, 11, 20, tzinfo=dt.UTC),
        forecast_from=dt.date(2023, 11, 16),
        forecast_to=dt.date(2023, 12, 31),
        backtest_from=DAY2,
        backtest_to=DAY2,
    )
    for hour in (9, 10):
        ForecastPoint.objects.create(run=old, slot_start=at(DAY1, hour), contacts=40.0)
        ForecastPoint.objects.create(run=old, slot_start=at(DAY2, hour), contacts=999.0)
        ForecastPoint.objects.create(
            run=new, slot_start=at(DAY2, hour), contacts=50.0, backtest=True
        )
    report = reachability(date_from=DAY1, date_to=DAY3)
    forecast = {day.day: day.forecast for day in report.days}
    assert forecast[DAY1] == pytest.approx(80.0)  # only the old run covers day 1
    assert forecast[DAY2] == pytest.approx(100.0)  # the new run's back-test, not the old 999s
    assert forecast[DAY3] == pytest.approx(0.0)  # the old run covers it, without points
    assert report.days[0].forecast_deviation_pct == pytest.approx(25.0)  # (100 − 80) ÷ 80


def test_no_forecast_and_agent_hours_from_the_newest_plan(
    client: Client, make_user: Callable[..., User]
) -> None:
    plant_world()
    old = StaffPlan.objects.create(office=Office.FRONT, date_from=DAY1, date_to=DAY1)
    new = StaffPlan.objects.create(office=Office.FRONT, date_from=DAY1, date_to=DAY1)
    StaffPlan.objects.filter(pk=old.pk).update(uploaded_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
    for slot, agents in ((at(DAY1, 9), 10), (at(DAY1, 9, 30), 12)):
        PlannedStaff.objects.create(plan=old, office=Office.FRONT, slot_start=slot, agents=99)
        PlannedStaff.objects.create(
            plan=new, office=Office.FRONT, slot_start=slot, agents=Decimal(agents)
        )
    PlannedStaff.objects.create(
        plan=old, office=Office.FRONT, slot_start=at(DAY1, 10), agents=Decimal(4)
    )
    report = reachability(date_from=DAY1, date_to=DAY3)
    assert report.days[0].agent_hours == pytest.approx((10 + 12 + 4) / 2)
    assert report.days[1].agent_hours is None
    client.force_login(make_user("team_lead", "lead"))
    page = client.get(
        reverse("steering:reachability"), {"date_from": "2023-11-13", "date_to": "2023-11-15"}
    )
    html = page.content.decode()
    assert "geen prognose" in html
    assert "1 van 3 dagen voldoende bereikbaar (33 %)" in html
    assert "13,0" in html  # the agent-hours of day 1


def test_page_defaults_to_the_last_eight_weeks_with_calls(
    client: Client, make_user: Callable[..., User]
) -> None:
    plant_world()
    plant_leg(at(dt.date(2023, 9, 1), 9), wait=3)  # before the 8 weeks: not shown
    client.force_login(make_user("analyst"))
    page = client.get(reverse("steering:reachability"))
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.date_from, report.date_to) == (dt.date(2023, 9, 21), DAY3)
    assert [day.day for day in report.days] == [DAY1, DAY2, DAY3]


def test_bad_period_is_refused_in_dutch(client: Client, make_user: Callable[..., User]) -> None:
    client.force_login(make_user("team_lead", "lead"))
    page = client.get(
        reverse("steering:reachability"), {"date_from": "2023-11-15", "date_to": "2023-11-01"}
    )
    assert page.status_code == 200
    assert page.context["report"] is None
    assert "De einddatum ligt voor de begindatum." in page.content.decode()
    download = client.get(
        reverse("steering:reachability_xlsx"), {"date_from": "1900-01-01", "date_to": "2023-11-01"}
    )
    assert download.status_code == 400


def test_excel_has_the_days_and_two_native_charts(
    client: Client, make_user: Callable[..., User]
) -> None:
    plant_world()
    client.force_login(make_user("team_lead", "lead"))
    response = client.get(
        reverse("steering:reachability_xlsx"), {"date_from": "2023-11-13", "date_to": "2023-11-15"}
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Bereikbaarheid"]
    assert "1 van 3 dagen voldoende bereikbaar" in sheet["A3"].value
    values = [row for row in sheet.iter_rows(min_row=7, values_only=True) if row[0]]
    assert [row[1] for row in values] == [100, 100, 100]
    assert [row[-1] for row in values] == ["ja", "nee", "nee"]
    assert len(book["Grafieken"]._charts) == 2


def test_front_office_agent_may_not_see_it(client: Client, make_user: Callable[..., User]) -> None:
    client.force_login(make_user("front_office", "agent"))
    assert client.get(reverse("steering:reachability")).status_code == 403


def test_anonymous_is_sent_to_the_login_page(client: Client) -> None:
    response = client.get(reverse("steering:reachability"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
