"""Issue 18 item 5: the inspections and enforcement dashboard (reads only, bulk aggregates).

Inspections by type per half year (002's "Soort inspectiebezoek": the share of visits with each
type, a visit can have several, so shares add up to more than 100 %); locations by risk band per
regional team and province; cases against inspection visits per month; the enforcement pipeline
(open tracks per state, proposals waiting, enforcement decisions per month). A fixed number of
queries whatever the data (``tests/opgroeipunt/test_dashboard_inspections.py`` counts them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.provinces import Province
from kglijn.opgroeipunt.models import (
    Case,
    CaseKind,
    Decision,
    DecisionKind,
    EnforcementState,
    EnforcementTrack,
    InspectionType,
    InspectionVisit,
    Proposal,
    ProposalStatus,
    RegionalTeam,
    RiskBand,
    RiskScore,
)

MONTHS = 24  # cases against inspections, and decisions: the last 24 months
FIRST_HALF_YEAR = dt.date(2020, 1, 1)  # 002's table starts with January-June 2020
MAX_HALF_YEARS = 20
# 002, "Soort inspectiebezoek", January-June (% of visits with that type), for comparison.
SOURCE_SHARES: dict[int, dict[str, float]] = {
    2020: {
        "regular": 85,
        "complaint": 5.5,
        "danger_situation": 5.5,
        "follow_up_risk_enforcement": 4,
        "advice_enforcement": 11,
    },
    2023: {
        "regular": 24,
        "complaint": 10,
        "danger_situation": 11,
        "follow_up_risk_enforcement": 37,
        "dossier_review": 18,
        "advice_enforcement": 21,
    },
}
ENFORCEMENT_KINDS = (
    DecisionKind.ENFORCEMENT_STARTED,
    DecisionKind.WARNING,
    DecisionKind.INTENTION,
    DecisionKind.SUSPENSION,
    DecisionKind.REVOCATION,
    DecisionKind.ENFORCEMENT_CLOSED,
)


@dataclass(frozen=True)
class HalfYear:
    start: dt.date
    end: dt.date  # inclusive
    visits: int
    by_type: dict[str, int]

    @property
    def label(self) -> str:
        return f"{self.start.year} {'H1' if self.start.month == 1 else 'H2'}"

    def share(self, kind: str) -> float | None:
        """% of visits with that type, to one decimal (None without visits)."""
        if not self.visits:
            return None
        return round(100 * self.by_type.get(kind, 0) / self.visits, 1)


@dataclass(frozen=True)
class RiskRow:
    label: str
    counts: dict[str, int]  # band -> locations

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    cases: int
    complaints: int
    danger: int
    visits: int


@dataclass(frozen=True)
class InspectionBoard:
    today: dt.date
    half_years: list[HalfYear]
    types: list[tuple[str, str]]  # (value, label)
    risk_by_team: list[RiskRow]
    risk_by_province: list[RiskRow]
    risk_scored: int
    months: list[MonthRow]
    tracks_by_state: list[tuple[str, int, int]]  # (state label, open tracks, with a plan)
    proposals_waiting: list[tuple[str, int]]  # (kind label, waiting)
    decisions_by_month: list[tuple[dt.date, dict[str, int]]]
    decision_kinds: list[tuple[str, str]]


def _as_date(value: dt.date) -> dt.date:
    """A month from TruncMonth: a date, or an aware datetime (Brussels) for a datetime field."""
    return value.astimezone(BRUSSELS).date() if isinstance(value, dt.datetime) else value


def _half_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def _half_years(first: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    start = _half_start(first)
    while start <= today:
        end = dt.date(start.year, 6, 30) if start.month == 1 else dt.date(start.year, 12, 31)
        out.append((start, end))
        start = end + dt.timedelta(days=1)
    return out[-MAX_HALF_YEARS:]


def _months(today: dt.date, count: int) -> list[dt.date]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def inspection_half_years(*, today: dt.date) -> list[HalfYear]:
    """Visits and visits per type per half year, from January 2020 (one query)."""
    halves = _half_years(FIRST_HALF_YEAR, today)
    if not halves:
        return []
    totals: Counter[dt.date] = Counter()
    by_type: dict[dt.date, Counter[str]] = defaultdict(Counter)
    rows = InspectionVisit.objects.filter(
        active=True, visited_on__gte=halves[0][0], visited_on__lte=today
    ).values_list("visited_on", "types")
    for visited_on, types in rows:
        start = _half_start(visited_on)
        totals[start] += 1
        for kind in set(types or ()):
            by_type[start][kind] += 1
    return [
        HalfYear(start=start, end=end, visits=totals[start], by_type=dict(by_type[start]))
        for start, end in halves
    ]


def _risk_rows(key: str, labels: list[tuple[object, str]]) -> list[RiskRow]:
    counts: dict[object, dict[str, int]] = defaultdict(dict)
    for value, band, n in (
        RiskScore.objects.values_list(key, "band").annotate(n=Count("id")).order_by()
    ):
        counts[value][band] = n
    rows = [RiskRow(label, counts.pop(value, {})) for value, label in labels]
    if counts.get(None):
        rows.append(RiskRow("—", counts.pop(None)))
    return rows


def inspection_board(*, now: dt.datetime) -> InspectionBoard:
    today = now.astimezone(BRUSSELS).date()
    months = _months(today, MONTHS)
    since = dt.datetime.combine(months[0], dt.time(0, 0), tzinfo=BRUSSELS)
    teams = [(team.pk, team.name) for team in RegionalTeam.objects.order_by("name")]
    risk_by_team = _risk_rows("location__regional_team", list(teams))
    provinces = [(value, str(label)) for value, label in Province.choices]
    risk_by_province = _risk_rows("location__province", list(provinces))
    risk_by_province = [row for row in risk_by_province if row.total]
    cases: dict[dt.date, tuple[int, int, int]] = {}
    for row in (
        Case.objects.filter(received_at__gte=since)
        .annotate(month=TruncMonth("received_at", tzinfo=BRUSSELS))
        .values("month")
        .annotate(
            n=Count("id"),
            complaints=Count("id", filter=Q(kind=CaseKind.COMPLAINT)),
            danger=Count("id", filter=Q(kind=CaseKind.DANGER)),
        )
        .order_by()
    ):
        cases[_as_date(row["month"])] = (row["n"], row["complaints"], row["danger"])
    visits = {
        _as_date(row["month"]): row["n"]
        for row in InspectionVisit.objects.filter(active=True, visited_on__gte=months[0])
        .annotate(month=TruncMonth("visited_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    }
    month_rows = [
        MonthRow(
            month=month,
            cases=cases.get(month, (0, 0, 0))[0],
            complaints=cases.get(month, (0, 0, 0))[1],
            danger=cases.get(month, (0, 0, 0))[2],
            visits=visits.get(month, 0),
        )
        for month in months
    ]
    open_tracks = {
        row["state"]: (row["n"], row["planned"])
        for row in EnforcementTrack.objects.filter(closed_at__isnull=True)
        .values("state")
        .annotate(n=Count("id"), planned=Count("id", filter=Q(plan_of_approach_on__isnull=False)))
        .order_by()
    }
    tracks_by_state = [
        (str(label), *open_tracks.get(value, (0, 0)))
        for value, label in EnforcementState.choices
        if value != EnforcementState.NONE
    ]
    waiting = dict(
        Proposal.objects.filter(status=ProposalStatus.PROPOSED)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    proposals_waiting = [
        (str(label), waiting[value]) for value, label in DecisionKind.choices if waiting.get(value)
    ]
    decided: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for decision in (
        Decision.objects.filter(decided_at__gte=since, kind__in=ENFORCEMENT_KINDS)
        .annotate(month=TruncMonth("decided_at", tzinfo=BRUSSELS))
        .values("month", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        decided[_as_date(decision["month"])][decision["kind"]] = decision["n"]
    return InspectionBoard(
        today=today,
        half_years=inspection_half_years(today=today),
        types=[(value, str(label)) for value, label in InspectionType.choices],
        risk_by_team=risk_by_team,
        risk_by_province=risk_by_province,
        risk_scored=sum(row.total for row in risk_by_team),
        months=month_rows,
        tracks_by_state=tracks_by_state,
        proposals_waiting=proposals_waiting,
        decisions_by_month=[(month, decided.get(month, {})) for month in months],
        decision_kinds=[(str(kind.value), str(kind.label)) for kind in ENFORCEMENT_KINDS],
    )


def comparison_half_years(half_years: list[HalfYear]) -> list[HalfYear]:
    """The half years of 002's table (January-June 2020 and 2023) that have visits, and the last
    complete half year with visits when it is another one."""
    chosen = [
        h for h in half_years if h.start.month == 1 and h.start.year in SOURCE_SHARES and h.visits
    ]
    complete = [h for h in half_years if h.visits and h.end < half_years[-1].start]
    if complete and complete[-1] not in chosen:
        chosen.append(complete[-1])
    return chosen


def risk_bands() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in RiskBand.choices]
