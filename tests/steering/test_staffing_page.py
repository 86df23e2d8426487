"""Issue 19 item 5: the staffing page — need per half hour from a planted forecast, the heat map
(needed − planned), day totals, AHT and patience measured, the Excel download, the backlog."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.contacts.models import Channel, Contact, Direction, Office, Status
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.erlang import agents_needed, scheduled_agents
from kglijn.steering.models import ForecastPoint, ForecastRun, PlannedStaff, StaffPlan
from kglijn.steering.staffing.backlog import office_backlog
from kglijn.steering.staffing.need import (
    DEFAULT_AHT_SECONDS,
    measured_aht,
    measured_patience,
    staffing_grid,
)
from kglijn.telephony.models import Call, CallLeg, LegOutcome, ServiceLevelContract

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2023, 11, 20)


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=BRUSSELS)


def plant_forecast(calls: dict[dt.datetime, float], *, week: dt.date = MONDAY) -> ForecastRun:
    run = ForecastRun.objects.create(
        channel=Channel.PHONE,
        history_from=week - dt.timedelta(days=365),
        history_to=week - dt.timedelta(days=1),
        forecast_from=week,
        forecast_to=week + dt.timedelta(days=6),
        method="test",
    )
    ForecastPoint.objects.bulk_create(
        ForecastPoint(run=run, slot_start=moment, contacts=value) for moment, value in calls.items()
    )
    # A back-test point in the same half hour must be ignored.
    first = next(iter(calls))
    ForecastPoint.objects.create(run=run, slot_start=first, contacts=9999, backtest=True)
    return run


def plant_plan(agents: dict[dt.datetime, int], day_from: dt.date, day_to: dt.date) -> StaffPlan:
    plan = StaffPlan.objects.create(office=Office.FRONT, date_from=day_from, date_to=day_to)
    PlannedStaff.objects.bulk_create(
        PlannedStaff(plan=plan, office=Office.FRONT, slot_start=moment, agents=value)
        for moment, value in agents.items()
    )
    return plan


def test_heat_map_numbers_are_needed_minus_planned() -> None:
    ServiceLevelContract.objects.create(
        office=Office.FRONT,
        valid_from=dt.date(2020, 1, 1),
        target_pct=Decimal("80"),
        target_seconds=20,
        short_abandon_seconds=5,
    )
    calls = {_at(MONDAY, 9): 360.0, _at(MONDAY, 9, 30): 200.0, _at(MONDAY, 10): 12.5}
    # an older run of the same week with other numbers: not the newest, not used
    older = plant_forecast({_at(MONDAY, 9): 5.0, _at(MONDAY, 11): 80.0})
    ForecastRun.objects.filter(pk=older.pk).update(created_at=_at(MONDAY - dt.timedelta(days=7), 9))
    plant_forecast(calls)
    old = plant_plan({_at(MONDAY, 9): 99}, MONDAY, MONDAY)
    StaffPlan.objects.filter(pk=old.pk).update(uploaded_at=_at(MONDAY - dt.timedelta(days=9), 9))
    plant_plan({_at(MONDAY, 9): 40, _at(MONDAY, 9, 30): 60}, MONDAY, MONDAY + dt.timedelta(days=4))

    grid = staffing_grid(week_start=MONDAY, shrinkage=0.3, today=MONDAY)
    expected = {}
    for moment, value in calls.items():
        on_phones = agents_needed(
            calls=value, interval_seconds=1800, aht=DEFAULT_AHT_SECONDS, target_seconds=20
        ).agents
        expected[moment] = scheduled_agents(on_phones, 0.3)
    nine = grid.cells[(MONDAY, dt.time(9))]
    assert nine.needed == expected[_at(MONDAY, 9)]
    assert nine.planned == 40  # the newest plan, not the older 99
    assert nine.difference == expected[_at(MONDAY, 9)] - 40
    half_ten = grid.cells[(MONDAY, dt.time(9, 30))]
    assert half_ten.difference == expected[_at(MONDAY, 9, 30)] - 60
    assert half_ten.level == ("short" if half_ten.difference > 0 else "over")
    ten = grid.cells[(MONDAY, dt.time(10))]
    assert ten.planned == 0  # covered by the plan, not listed: 0 planned
    assert ten.difference == expected[_at(MONDAY, 10)]
    # A half hour without a forecast has no need; Saturday is not in the plan.
    assert grid.cells[(MONDAY, dt.time(11))].needed is None
    # Day totals: half an hour per half hour.
    monday = grid.totals[0]
    assert monday.needed_hours == Decimal(sum(expected.values())) / 2
    assert monday.planned_hours == Decimal(50)
    assert monday.short_slots == sum(
        1
        for key in [(MONDAY, dt.time(h, m)) for h, m in ((9, 0), (9, 30), (10, 0))]
        if grid.cells[key].level == "short"
    )


def test_erlang_a_needs_fewer_agents_than_erlang_c_with_impatient_callers() -> None:
    plant_forecast({_at(MONDAY, 9): 360.0})
    c = staffing_grid(week_start=MONDAY, shrinkage=0.0, today=MONDAY)
    a = staffing_grid(week_start=MONDAY, shrinkage=0.0, erlang_a=True, patience=60, today=MONDAY)
    c_cell, a_cell = c.cells[(MONDAY, dt.time(9))], a.cells[(MONDAY, dt.time(9))]
    assert a.patience is not None
    assert a.patience.typed
    assert a.patience.value == 60
    assert a_cell.on_phones is not None
    assert c_cell.on_phones is not None
    assert a_cell.on_phones < c_cell.on_phones
    assert a_cell.abandon is not None
    assert a_cell.abandon > 0


def _leg(n: int, offered: dt.datetime, outcome: str, wait: float, handle: float | None) -> CallLeg:
    call = Call.objects.create(call_id=f"c{n}")
    return CallLeg.objects.create(
        call=call,
        seq=1,
        office=Office.FRONT,
        offered_at=offered,
        outcome=outcome,
        wait_seconds=wait,
        handle_seconds=handle,
    )


def test_aht_and_patience_are_measured_from_the_last_8_weeks() -> None:
    today = MONDAY
    recent = _at(today - dt.timedelta(days=3), 10)
    assert measured_aht(today).measured is False
    for n in range(40):
        _leg(n, recent, LegOutcome.ANSWERED, wait=10.0, handle=200.0 + n)
    for n in range(40, 75):
        _leg(n, recent, LegOutcome.ABANDONED, wait=30.0, handle=None)
    _leg(90, recent, LegOutcome.ABANDONED, wait=2.0, handle=None)  # a short abandon
    _leg(91, _at(today - dt.timedelta(days=80), 10), LegOutcome.ANSWERED, wait=5, handle=9000)
    aht = measured_aht(today)
    assert aht.measured
    assert aht.count == 40
    assert aht.value == pytest.approx(sum(200.0 + n for n in range(40)) / 40, abs=0.05)
    patience = measured_patience(today)
    assert patience.measured
    assert patience.count == 35
    assert patience.value == pytest.approx((40 * 10 + 35 * 30) / 35, abs=0.05)


def test_backlog_by_age_against_the_norm_and_intake_per_day() -> None:
    today = dt.date(2023, 11, 24)  # a Friday

    def mail(office: str, received: dt.datetime, **extra: object) -> Contact:
        return Contact.objects.create(
            channel=Channel.EMAIL,
            direction=Direction.IN,
            origin="mailbox",
            office=office,
            received_at=received,
            **extra,
        )

    mail(Office.PGJO, _at(today, 9))  # age 0
    mail(Office.PGJO, _at(dt.date(2023, 11, 22), 9))  # Wednesday: 2 working days
    mail(Office.PGJO, _at(dt.date(2023, 11, 17), 9), status=Status.ESCALATED)  # 5 working days
    mail(Office.PGJO, _at(dt.date(2023, 11, 18), 9))  # Saturday: day 0 is Monday 20 → 4
    mail(Office.PGJO, _at(dt.date(2023, 11, 16), 9), status=Status.CLOSED, closed_at=_at(today, 10))
    mail(Office.PGJO, _at(dt.date(2023, 11, 16), 9), answered_at=_at(today, 11))  # answered
    mail(Office.CHILDCARE, _at(dt.date(2023, 11, 1), 9))  # 1 November: a holiday week
    mail(Office.FRONT, _at(dt.date(2023, 11, 1), 9))  # not a back office
    pgjo = office_backlog(Office.PGJO, today=today)
    by_label = {b.label: b.count for b in pgjo.buckets}
    assert by_label["0"] == 1
    assert by_label["2"] == 1
    assert by_label["4"] == 1
    assert by_label["5"] == 1
    assert pgjo.open_total == 4
    assert pgjo.beyond_norm == 2  # 4 and 5 working days; norm 2
    assert pgjo.oldest_days == 5
    assert pgjo.intake[-1] == 1
    assert pgjo.closed[-1] == 1
    assert sum(pgjo.intake) == 6  # every written contact of pgjo received in the last 4 weeks
    childcare = office_backlog(Office.CHILDCARE, today=today)
    assert childcare.open_total == 1
    assert childcare.buckets[-1].count == 1


def _heat_cells(html: str) -> dict[tuple[str, str], str]:
    found = re.findall(
        r'data-day="([\d-]+)" data-time="([\d:]+)" data-difference="(-?[\d.]+)">([^<]+)<', html
    )
    return {(day, time): shown for day, time, _diff, shown in found}


def test_page_shows_the_grid_and_the_excel_holds_it(
    client: Client, make_user: Callable[..., User]
) -> None:
    plant_forecast({_at(MONDAY, 9): 360.0, _at(MONDAY, 9, 30): 10.0})
    plant_plan({_at(MONDAY, 9): 40, _at(MONDAY, 9, 30): 30}, MONDAY, MONDAY)
    client.force_login(make_user("analyst", "ana"))
    url = reverse("steering:staffing")
    response = client.get(url, {"week": "2023-11-22", "model": "erlang_c", "shrinkage": "30"})
    assert response.status_code == 200
    html = response.content.decode()
    grid = staffing_grid(week_start=MONDAY, shrinkage=0.3)
    cells = _heat_cells(html)
    nine = grid.cells[(MONDAY, dt.time(9))]
    assert nine.difference is not None
    assert cells[("2023-11-20", "09:00")] == f"+{nine.difference.normalize():f}"
    assert cells[("2023-11-20", "09:30")].startswith("−")  # over: a minus sign
    assert "heat--short" in html
    assert "heat--over" in html
    assert reverse("steering:staffing_roster") not in html

    download = client.get(
        reverse("steering:staffing_xlsx"), {"week": "2023-11-20", "shrinkage": "30"}
    )
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    sheet = book.worksheets[0]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["09:00"][0] == float(nine.difference)
    assert len(book.worksheets) == 4


def test_page_refuses_a_bad_week_and_defaults_to_the_coming_week(
    client: Client, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user("team_lead", "lea"))
    response = client.get(reverse("steering:staffing"), {"week": "9999-01-01"})
    assert response.status_code == 200
    assert b"data-heatmap" not in response.content
    response = client.get(reverse("steering:staffing"), {"shrinkage": "95"})
    assert b"data-heatmap" not in response.content
    response = client.get(reverse("steering:staffing"))
    assert b"data-heatmap" in response.content
    assert reverse("steering:staffing_roster").encode() in response.content  # the team lead
    bad = client.get(reverse("steering:staffing_xlsx"), {"week": "nope"})
    assert bad.status_code == 400


def test_front_office_agent_may_not_see_the_page(
    client: Client, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user("front_office", "fo"))
    assert client.get(reverse("steering:staffing")).status_code == 403
    assert client.get(reverse("steering:staffing_xlsx")).status_code == 403


def test_the_default_week_is_the_coming_one_or_the_newest_forecasts_first_full_week() -> None:
    from kglijn.steering.staffing.need import coming_week, default_week

    today = dt.date(2026, 12, 7)
    assert default_week(today) == coming_week(today)  # no forecast at all
    # The demo's forecast starts on a Thursday after its data: its first full week.
    thursday = dt.date(2023, 11, 16)
    ForecastRun.objects.create(
        channel=Channel.PHONE,
        history_from=thursday - dt.timedelta(days=365),
        history_to=thursday - dt.timedelta(days=1),
        forecast_from=thursday,
        forecast_to=thursday + dt.timedelta(days=41),
        method="test",
    )
    assert default_week(today) == MONDAY
    # A forecast covering the coming week wins.
    plant_forecast({_at(coming_week(today), 9): 10.0}, week=coming_week(today))
    assert default_week(today) == coming_week(today)


def test_a_past_forecast_is_staffed_with_the_handling_times_before_it() -> None:
    # The demo's forecast starts in November 2023; its AHT comes from the 8 weeks before it,
    # not from the 8 weeks before today (which hold no calls).
    recent = _at(MONDAY - dt.timedelta(days=3), 10)
    for n in range(40):
        _leg(n, recent, LegOutcome.ANSWERED, wait=10.0, handle=345.0)
    plant_forecast({_at(MONDAY, 9): 30.0})
    grid = staffing_grid(week_start=MONDAY, today=dt.date(2026, 12, 7))
    assert grid.aht.measured
    assert grid.aht.value == pytest.approx(345.0)
