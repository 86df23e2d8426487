"""The Opgroeipunt demo's issue-18 rows: 002's inspection-type shares, 440 published reports,
1,265 document requests, plans of approach, and the planted risk structure (docs/opgroeipunt.md).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

import pytest

from kglijn.core.business_calendar import BRUSSELS
from kglijn.demo.opgroeipunt import opgroeipunt_demo_delete, opgroeipunt_demo_load
from kglijn.demo.opgroeipunt_inspections import (
    PlanExtras,
    plan_extras,
    request_on_time,
    requests_calendar,
)
from kglijn.demo.opgroeipunt_plan import OpgroeipuntPlan, load_targets, plan_opgroeipunt
from kglijn.demo.opgroeipunt_risk import opgroeipunt_demo_risk
from kglijn.opgroeipunt.models import (
    Case,
    DocumentRequest,
    EnforcementTrack,
    InspectionVisit,
    InspectionVisitVersion,
    Proposal,
    RiskModel,
    RiskScore,
)
from kglijn.opgroeipunt.terms import Calendar, TermStatus, openness_due, openness_term

TARGETS = load_targets()
SHARES = TARGETS["inspection_visit_types_jan_jun_pct"]
NOW = dt.datetime(2026, 12, 7, 11, 0, tzinfo=BRUSSELS)
SEED = 20231106
H1 = {"2020": (dt.date(2020, 1, 1), dt.date(2020, 6, 30)),
      "2023": (dt.date(2023, 1, 1), dt.date(2023, 6, 30))}  # fmt: skip


@pytest.fixture(scope="module")
def calendar(django_db_setup, django_db_blocker) -> Calendar:
    """The app's working days (public holidays; the test database's closing days: none)."""
    with django_db_blocker.unblock():
        return requests_calendar(NOW.date())


@pytest.fixture(scope="module")
def planned(calendar: Calendar) -> tuple[OpgroeipuntPlan, PlanExtras]:
    plan = plan_opgroeipunt(targets=TARGETS, seed=SEED, today=NOW.date(), now=NOW)
    return plan, plan_extras(plan, targets=TARGETS, seed=SEED, calendar=calendar)


def _shares(visits: Iterable[tuple[dt.date, list[str]]], first: dt.date, last: dt.date) -> dict:
    inside = [types for day, types in visits if first <= day <= last]
    counts = Counter(kind for types in inside for kind in set(types))
    return {kind: round(100 * n / len(inside), 1) for kind, n in counts.items()}


def _tidy(shares: dict[str, float]) -> dict[str, float]:
    return {kind: float(value) for kind, value in shares.items() if value}


def test_inspection_type_shares_equal_002_for_both_half_years(planned) -> None:
    _plan, extras = planned
    visits = [(v.visited_on, v.types) for v in extras.visits]
    for year, (first, last) in H1.items():
        assert _shares(visits, first, last) == _tidy(SHARES[year]), year
    # 2023's shares add up to 121 %: visits with more than one reason.
    assert any(len(v.types) > 1 for v in extras.visits)
    assert all(v.types and len(set(v.types)) == len(v.types) for v in extras.visits)


def test_visits_follow_what_happened(planned) -> None:
    """A danger (complaint) visit goes where a danger situation (complaint) was reported in the
    30 (60) days before; a follow-up visit after 2021 to a location with an enforcement track."""
    plan, extras = planned
    reported: dict[str, dict[int, list[dt.date]]] = {"danger": {}, "complaint": {}}
    for case in plan.cases:
        if case.kind in reported and case.locations:
            day = case.received_at.astimezone(BRUSSELS).date()
            reported[case.kind].setdefault(case.locations[0], []).append(day)
    tracked = {track.location for track in plan.tracks}
    checked = Counter()
    for visit in extras.visits:
        if visit.visited_on < dt.date(2021, 3, 1):
            continue
        if "danger_situation" in visit.types:
            days = reported["danger"].get(visit.location, [])
            checked["danger"] += any(0 < (visit.visited_on - d).days <= 30 for d in days)
            checked["danger_all"] += 1
        if visit.types == ["follow_up_risk_enforcement"]:
            checked["follow"] += visit.location in tracked
            checked["follow_all"] += 1
    assert checked["danger"] / checked["danger_all"] > 0.9
    assert checked["follow"] == checked["follow_all"] > 0


def test_reports_requests_and_plans_of_approach_meet_002(planned, calendar) -> None:
    plan, extras = planned
    published = [v.report_published_on for v in extras.visits if v.report_published_on]
    assert min(published) >= dt.date(2022, 12, 19)
    assert sum(on <= dt.date(2023, 6, 30) for on in published) == 440
    assert all(v.report_url.startswith("https://www.zorginspectie.example/") for v in extras.visits
               if v.report_published_on)  # fmt: skip
    window = [r for r in extras.requests
              if dt.date(2023, 1, 1) <= r.received_at.date() <= dt.date(2023, 6, 26)]  # fmt: skip
    assert len(window) == 1265
    # The app's rule: 3 working days (a request on Friday 7 April 2023 is due on Thursday
    # 13 April: Easter Monday is closed), not 3 calendar days.
    assert all(r.due_on == openness_due(r.received_at, calendar) for r in extras.requests)
    assert openness_due(dt.datetime(2023, 4, 7, 10, tzinfo=BRUSSELS), calendar) == dt.date(
        2023, 4, 13
    )
    assert any(r.due_on > r.received_at.date() + dt.timedelta(days=3) for r in window)
    assert all(r.requester_email.endswith("@example.org") for r in extras.requests)
    assert all(r.answered_at for r in window)
    on_time = sum(request_on_time(r, now=NOW, calendar=calendar) for r in window)
    assert 0.88 < on_time / len(window) < 0.98  # mostly on time, some late
    assert all(r.answered_at.weekday() < 5 for r in window if r.answered_at)
    waiting = [r for r in extras.requests if r.status == "received"]
    assert len(waiting) == 6
    assert all(r.answered_at is None for r in waiting)
    statuses = Counter(
        openness_term(due=r.due_on, answered_at=None, now=NOW, calendar=calendar).status
        for r in waiting
    )
    assert statuses[TermStatus.ON_TIME] == 2
    assert len(waiting) - statuses[TermStatus.ON_TIME] == 4
    assert extras.plan_of_approach
    for number, since in extras.plan_of_approach.items():
        track = plan.tracks[number]
        assert since >= dt.date(2023, 7, 1)
        assert track.start < since <= (track.close or NOW.date())


def test_the_planted_structure_is_there(planned) -> None:
    """High-propensity locations get later danger situations and tracks far more often, and
    their earlier case texts carry signal words more often; complaints only a little."""
    plan, extras = planned
    z = plan.propensity
    order = sorted(range(len(z)), key=lambda i: -z[i])
    top, bottom = set(order[: len(z) // 10]), set(order[len(z) // 2 :])
    later = dt.datetime(2024, 1, 1, tzinfo=BRUSSELS)

    def rate(group: set[int], hits: set[int]) -> float:
        return len(group & hits) / len(group)

    danger = {loc for c in plan.cases if c.kind == "danger" and c.received_at >= later
              for loc in c.locations}  # fmt: skip
    tracks = {t.location for t in plan.tracks if t.start >= later.date()}
    assert rate(top, danger) > 4 * rate(bottom, danger)
    assert rate(top, tracks) > 4 * rate(bottom, tracks)
    earlier = [c for c in plan.cases if c.received_at < later and c.locations
               and c.kind in ("signal", "report", "complaint")]  # fmt: skip

    def worded(group: set[int]) -> float:
        cases = [c for c in earlier if c.locations[0] in group]
        return sum(c.signal_words for c in cases) / len(cases)

    assert worded(top) > 3 * worded(bottom)
    assert 0.02 < worded(bottom) < 0.1  # noise: signal words everywhere a little
    critical = Counter()
    for visit in extras.visits:
        group = "top" if visit.location in top else "bottom" if visit.location in bottom else ""
        critical[group] += any(f["severity"] == "critical" for f in visit.findings)
        critical[group + "_all"] += 1
    assert critical["top"] / critical["top_all"] > 3 * critical["bottom"] / critical["bottom_all"]
    complaints = {loc for c in earlier if c.kind == "complaint" for loc in c.locations}
    assert rate(top, complaints) < 2 * rate(bottom, complaints)  # the baseline sees little


@pytest.mark.django_db
def test_loaded_rows_equal_the_plan_and_go_with_the_demo() -> None:
    rows = opgroeipunt_demo_load(seed=SEED, now=NOW)
    visits = list(InspectionVisit.objects.values_list("visited_on", "types"))
    assert rows["opgroeipunt inspection visits"] == len(visits)
    for year, (first, last) in H1.items():
        assert _shares(visits, first, last) == _tidy(SHARES[year]), year
    assert (
        InspectionVisit.objects.filter(
            report_published_on__gte=dt.date(2022, 12, 19),
            report_published_on__lte=dt.date(2023, 6, 30),
        ).count()
        == 440
    )
    # The history as the sync writes it: one "created" version per visit, one more per report.
    assert InspectionVisitVersion.objects.filter(created=True).count() == len(visits)
    assert InspectionVisitVersion.objects.filter(created=False).count() == (
        InspectionVisit.objects.filter(report_published_on__isnull=False).count()
    )
    assert (
        DocumentRequest.objects.filter(
            received_at__date__gte=dt.date(2023, 1, 1), received_at__date__lte=dt.date(2023, 6, 26)
        ).count()
        == 1265
    )
    assert EnforcementTrack.objects.filter(plan_of_approach_on__lt=dt.date(2023, 7, 1)).count() == 0
    assert EnforcementTrack.objects.filter(plan_of_approach_on__isnull=False).exists()
    # Case texts are written: Dutch, with planted signal words at some locations.
    assert not Case.objects.filter(description="").exists()
    assert Case.objects.filter(description__icontains="verwaarlozing").exists()
    deleted = opgroeipunt_demo_delete()
    assert deleted["opgroeipunt inspection visits"] == len(visits)
    assert not InspectionVisit.objects.exists()
    assert not InspectionVisitVersion.objects.exists()
    assert not DocumentRequest.objects.exists()


@pytest.mark.django_db
def test_demo_risk_without_history_says_so_instead_of_a_traceback() -> None:
    """A register without the Opgroeipunt demo (or a tiny one): no model, a clear message."""
    result = opgroeipunt_demo_risk()
    assert result.model is None
    assert result.scored == 0
    assert not result.proposals
    assert result.summary().startswith("Risk model not trained: ")
    assert "positive" in result.refused
    assert not RiskModel.objects.exists()
    assert not RiskScore.objects.exists()
    assert not Proposal.objects.exists()
