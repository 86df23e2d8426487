"""The figures per local team and month equal an independent computation from the stored rows.

The data: visits of several employees in several teams over three months, both kinds, about
half answered with scores 1..5, entered through the services. The reference is plain Python
over the stored visits and answers; the figures come from the grouped queries.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict

import pytest
from openpyxl import load_workbook

from kglijn.core.periods import month_bounds, months_back
from kglijn.feedback.exports import TEAMS_SHEET, TREND_SHEET, team_figures_xlsx
from kglijn.feedback.figures import monthly_trend, team_month_figures
from kglijn.feedback.models import LocalTeam, Visit, VisitFeedback
from kglijn.feedback.services import feedback_submit, local_team_member_add, visit_register
from tests.feedback.conftest import noon

pytestmark = pytest.mark.django_db

MONTHS = [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
TEAM_CODES = ["antwerpen-noord", "gent-centrum", "hasselt", "brussel-zuid"]


@pytest.fixture
def visits(make_user) -> None:
    rng = random.Random(57)
    teams = {code: LocalTeam.objects.get(code=code) for code in TEAM_CODES}
    employees = []
    for index, code in enumerate(TEAM_CODES):
        for n in range(2):
            user = make_user("pgjo_nurse", f"nurse-{index}-{n}")
            local_team_member_add(local_team=teams[code], user=user)
            employees.append((user, teams[code]))
    for month in MONTHS:
        first, last = month_bounds(month)
        for user, team in employees:
            for _ in range(rng.randint(0, 7)):
                day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
                _visit, token = visit_register(
                    employee=user,
                    kind=rng.choice(["clinic", "home"]),
                    local_team=team,
                    visited_on=day,
                    now=noon(day),
                )
                if rng.random() < 0.55:
                    # Some answers come in the month after the visit: they count with the visit.
                    feedback_submit(
                        token=token,
                        score=rng.randint(1, 5),
                        remark=rng.choice(["", "Goed"]),
                        now=noon(day) + dt.timedelta(days=rng.randint(0, 13)),
                    )


def reference(*, month: dt.date, province: str = "", kind: str = "") -> dict[str, dict]:
    """Per team code: visits, answers, rate, average, distribution — from the raw rows."""
    first, last = month_bounds(month)
    scores = dict(VisitFeedback.objects.values_list("visit_id", "score"))
    result: dict[str, dict] = {}
    for team in LocalTeam.objects.filter(active=True):
        if province and team.province != province:
            continue
        result[team.code] = {"visits": 0, "scores": []}
    for visit in Visit.objects.select_related("local_team"):
        if not first <= visit.visited_on <= last:
            continue
        if kind and visit.kind != kind:
            continue
        if province and visit.local_team.province != province:
            continue
        entry = result[visit.local_team.code]
        entry["visits"] += 1
        if visit.pk in scores:
            entry["scores"].append(scores[visit.pk])
    for entry in result.values():
        answered = entry.pop("scores")
        entry["answers"] = len(answered)
        entry["rate"] = 100 * len(answered) / entry["visits"] if entry["visits"] else None
        entry["average"] = sum(answered) / len(answered) if answered else None
        entry["distribution"] = tuple(answered.count(s) for s in range(1, 6))
    return result


def figures_of(report) -> dict[str, dict]:
    return {
        row.team.code: {
            "visits": row.figures.visits,
            "answers": row.figures.responses,
            "rate": row.figures.response_rate_pct,
            "average": row.figures.average_score,
            "distribution": row.figures.distribution,
        }
        for row in report.rows
    }


@pytest.mark.parametrize("month", MONTHS, ids=lambda m: m.strftime("%Y-%m"))
def test_team_figures_equal_an_independent_computation(visits, month) -> None:
    report = team_month_figures(month=month)
    expected = reference(month=month)

    assert len(report.rows) == 57
    assert figures_of(report) == expected
    assert sum(e["visits"] for e in expected.values()) > 0
    assert report.total.visits == sum(e["visits"] for e in expected.values())
    assert report.total.responses == sum(e["answers"] for e in expected.values())
    assert report.total.distribution == tuple(
        sum(e["distribution"][i] for e in expected.values()) for i in range(5)
    )


def test_figures_match_with_province_and_kind_filters(visits) -> None:
    for province in ("BE-VAN", "BE-BRU"):
        for kind in ("", "clinic", "home"):
            report = team_month_figures(month=MONTHS[1], province=province, kind=kind)
            assert figures_of(report) == reference(month=MONTHS[1], province=province, kind=kind)
    assert len(team_month_figures(month=MONTHS[1], province="BE-VAN").rows) == 14


def test_an_answer_counts_in_the_month_of_its_visit(register) -> None:
    _visit, token = register(visited_on=dt.date(2025, 1, 31))
    feedback_submit(token=token, score=4, now=noon(dt.date(2025, 2, 3)))
    january = team_month_figures(month=dt.date(2025, 1, 1))
    february = team_month_figures(month=dt.date(2025, 2, 1))
    assert (january.total.visits, january.total.responses, january.total.average_score) == (
        1,
        1,
        4.0,
    )
    assert (february.total.visits, february.total.responses) == (0, 0)
    assert february.total.average_score is None
    assert february.total.response_rate_pct is None


def test_an_inactive_team_keeps_its_row_only_in_months_with_visits(register, team) -> None:
    register(visited_on=dt.date(2025, 3, 3))
    LocalTeam.objects.filter(pk=team.pk).update(active=False)
    assert len(team_month_figures(month=dt.date(2025, 3, 1)).rows) == 57
    assert len(team_month_figures(month=dt.date(2025, 4, 1)).rows) == 56


def test_the_trend_equals_the_monthly_figures(visits) -> None:
    trend = monthly_trend(last_month=MONTHS[-1], months=13)
    assert [first for first, _figures in trend] == months_back(MONTHS[-1], 13)
    assert trend[0][0] == dt.date(2024, 3, 1)
    for first, figures in trend:
        assert figures == team_month_figures(month=first).total
    team = LocalTeam.objects.get(code="hasselt")
    for first, figures in monthly_trend(last_month=MONTHS[-1], months=3, local_team_id=team.pk):
        expected = reference(month=first)["hasselt"]
        assert (figures.visits, figures.distribution) == (
            expected["visits"],
            expected["distribution"],
        )


def test_the_excel_holds_the_same_figures_and_no_remark(visits) -> None:
    month = MONTHS[2]
    report = team_month_figures(month=month)
    workbook = load_workbook(io.BytesIO(team_figures_xlsx(report, monthly_trend(last_month=month))))
    assert workbook.sheetnames == [TEAMS_SHEET, TREND_SHEET]
    sheet = workbook[TEAMS_SHEET]
    rows = list(sheet.iter_rows(min_row=6, values_only=True))
    assert len(rows) == 58  # 57 teams + total
    by_name = {row[1]: row for row in rows}
    expected = reference(month=month)
    names = dict(LocalTeam.objects.values_list("code", "name"))
    for code, entry in expected.items():
        row = by_name[names[code]]
        assert row[2:4] == (entry["visits"], entry["answers"])
        assert row[4] == (round(entry["rate"], 1) if entry["rate"] is not None else None)
        assert row[5] == (round(entry["average"], 2) if entry["average"] is not None else None)
        assert row[6:11] == entry["distribution"]
    assert rows[-1][1] == "Alle lokale teams"
    assert rows[-1][2] == sum(e["visits"] for e in expected.values())
    text = " ".join(
        str(value)
        for ws in workbook.worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert "Goed" not in text
    per_team: dict[str, int] = defaultdict(int)
    for row in rows[:-1]:
        per_team[row[0]] += 1
    assert per_team["Antwerpen"] == 14
