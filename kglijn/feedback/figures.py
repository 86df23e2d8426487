"""The feedback figures per local team and month: counts and averages, never a remark.

A visit counts in the month it took place (visited_on, a Brussels date) and so does its answer,
whenever it came in: the response rate of a month is then answers ÷ links of that month's
visits. Every visit gets a link, so "visits" = "visits with a feedback link".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from kglijn.core.periods import month_bounds, months_back
from kglijn.core.provinces import Province
from kglijn.feedback.models import SCORE_MAX, SCORE_MIN, LocalTeam, Visit

SCORES = tuple(range(SCORE_MIN, SCORE_MAX + 1))
_PROVINCE_ORDER = {province.value: index for index, province in enumerate(Province)}


@dataclass(frozen=True)
class Figures:
    visits: int = 0
    # Answers per score 1..5.
    distribution: tuple[int, ...] = field(default=(0,) * len(SCORES))

    @property
    def responses(self) -> int:
        return sum(self.distribution)

    @property
    def score_sum(self) -> int:
        return sum(score * count for score, count in zip(SCORES, self.distribution, strict=True))

    @property
    def response_rate_pct(self) -> float | None:
        return 100 * self.responses / self.visits if self.visits else None

    @property
    def average_score(self) -> float | None:
        return self.score_sum / self.responses if self.responses else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            visits=self.visits + other.visits,
            distribution=tuple(
                a + b for a, b in zip(self.distribution, other.distribution, strict=True)
            ),
        )


@dataclass(frozen=True)
class TeamRow:
    team: LocalTeam
    figures: Figures


@dataclass(frozen=True)
class TeamMonthReport:
    first_day: dt.date
    last_day: dt.date
    province: str
    kind: str
    rows: list[TeamRow]
    total: Figures


def _visits(*, province: str, kind: str, local_team_id: int | None = None) -> QuerySet[Visit]:
    qs = Visit.objects.all()
    if province:
        qs = qs.filter(local_team__province=province)
    if kind:
        qs = qs.filter(kind=kind)
    if local_team_id is not None:
        qs = qs.filter(local_team_id=local_team_id)
    return qs


def _counts() -> dict[str, Count]:
    counts = {"visits": Count("id")}
    for score in SCORES:
        counts[f"s{score}"] = Count("feedback__id", filter=Q(feedback__score=score))
    return counts


def _figures(row: Mapping[str, Any]) -> Figures:
    return Figures(visits=int(row["visits"]), distribution=tuple(int(row[f"s{s}"]) for s in SCORES))


def team_month_figures(*, month: dt.date, province: str = "", kind: str = "") -> TeamMonthReport:
    """One row per local team (all active teams, plus inactive ones with visits that month),
    ordered by province and name, and the total; two queries."""
    first, last = month_bounds(month)
    grouped = (
        _visits(province=province, kind=kind)
        .filter(visited_on__range=(first, last))
        .values("local_team_id")
        .annotate(**_counts())
        .order_by()
    )
    by_team = {row["local_team_id"]: _figures(row) for row in grouped}
    teams = LocalTeam.objects.filter(Q(active=True) | Q(pk__in=list(by_team)))
    if province:
        teams = teams.filter(province=province)
    ordered = sorted(teams, key=lambda t: (_PROVINCE_ORDER.get(t.province, 99), t.name))
    rows = [TeamRow(team, by_team.get(team.pk, Figures())) for team in ordered]
    total = sum((row.figures for row in rows), Figures())
    return TeamMonthReport(first, last, province, kind, rows, total)


def monthly_trend(
    *,
    last_month: dt.date,
    months: int = 13,
    province: str = "",
    kind: str = "",
    local_team_id: int | None = None,
) -> list[tuple[dt.date, Figures]]:
    """Figures per month for the `months` months ending with last_month's (zeros included)."""
    firsts = months_back(last_month, months)
    _, last = month_bounds(firsts[-1])
    grouped = (
        _visits(province=province, kind=kind, local_team_id=local_team_id)
        .filter(visited_on__range=(firsts[0], last))
        .annotate(y=ExtractYear("visited_on"), m=ExtractMonth("visited_on"))
        .values("y", "m")
        .annotate(**_counts())
        .order_by()
    )
    by_month = {dt.date(int(row["y"]), int(row["m"]), 1): _figures(row) for row in grouped}
    return [(first, by_month.get(first, Figures())) for first in firsts]
