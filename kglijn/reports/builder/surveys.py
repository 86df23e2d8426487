"""Satisfaction measures of the report builder (issue 5 §6) from the survey responses.

Survey responses, the average score per criterion (1–5) and the NPS, by year, quarter, month,
channel and office of the answers given in the period (Brussels days of `answered_at`),
filtered by channel and office. Read from the survey responses with one grouped query per run
(per Brussels month, channel and — when asked — the contact's office); the survey answers are
not in the contact rollups, and a year holds tens of thousands of answers, not millions.

Every cell, total and longer period is recomputed from additive counts (answers, sum of the
scores, promoters, detractors), never averaged from averages. Averages count only the answered
values (a partial response counts for the criteria it answered); NPS = % promoters (9–10) −
% detractors (0–6) of the answers to the recommendation question; no answers, no value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from kglijn.core.business_calendar import BRUSSELS
from kglijn.reports.builder.definition import ReportDefinition
from kglijn.reports.builder.result import ReportResult, sums_result
from kglijn.surveys.models import SurveyResponse

SOURCE = "survey_responses"

_CRITERION = {
    "survey_waiting_time": "waiting_time",
    "survey_courtesy": "courtesy",
    "survey_information": "information",
    "survey_nps": "recommendation",
}


@dataclass
class SurveySums:
    """Additive components of the satisfaction measures of one cell."""

    responses: int = 0
    answers: int = 0  # answers to the measure's criterion
    score_total: int = 0
    promoters: int = 0
    detractors: int = 0

    def add(self, other: SurveySums) -> None:
        self.responses += other.responses
        self.answers += other.answers
        self.score_total += other.score_total
        self.promoters += other.promoters
        self.detractors += other.detractors

    def count(self, measure: str) -> int:
        """The number a cell rests on: responses, or the answers to the criterion."""
        return self.responses if measure == "survey_responses" else self.answers

    def value(self, measure: str) -> float | None:
        if measure == "survey_responses":
            return float(self.responses)
        if not self.answers:
            return None
        if measure == "survey_nps":
            return round(100 * (self.promoters - self.detractors) / self.answers, 2)
        return round(self.score_total / self.answers, 2)


def _key(name: str, month: dt.date, channel: str, office: str) -> Any:
    if name == "year":
        return month.year
    if name == "quarter":
        return (month.month - 1) // 3 + 1
    if name == "month":
        return month.month
    return channel if name == "channel" else office


def survey_sums(definition: ReportDefinition) -> dict[tuple[Any, ...], SurveySums]:
    """The components per combination of the dimensions' keys, from one grouped query."""
    assert definition.date_from
    assert definition.date_to
    start = dt.datetime.combine(definition.date_from, dt.time(), tzinfo=BRUSSELS)
    end = dt.datetime.combine(definition.date_to + dt.timedelta(days=1), dt.time(), BRUSSELS)
    queryset = SurveyResponse.objects.filter(answered_at__gte=start, answered_at__lt=end)
    if "channel" in definition.filters:
        queryset = queryset.filter(channel__in=definition.filters["channel"])
    if "office" in definition.filters:
        queryset = queryset.filter(contact__office__in=definition.filters["office"])
    by_office = "office" in definition.dimensions
    groups = ["k_month", "channel", *(["contact__office"] if by_office else [])]
    criterion = _CRITERION.get(definition.measure)
    aggregates: dict[str, Any] = {"responses": Count("id")}
    if criterion:
        aggregates["answers"] = Count(criterion)
        aggregates["score_total"] = Sum(criterion)
    if criterion == "recommendation":
        aggregates["promoters"] = Count("id", filter=Q(recommendation__gte=9))
        aggregates["detractors"] = Count("id", filter=Q(recommendation__lte=6))
    rows = (
        queryset.annotate(k_month=TruncMonth("answered_at", tzinfo=BRUSSELS))
        .values(*groups)
        .annotate(**aggregates)
        .order_by()
    )
    found: dict[tuple[Any, ...], SurveySums] = {}
    for row in rows:
        moment = row["k_month"]
        month = moment.astimezone(BRUSSELS).date() if isinstance(moment, dt.datetime) else moment
        office = row.get("contact__office", "")
        key = tuple(_key(name, month, row["channel"], office) for name in definition.dimensions)
        found.setdefault(key, SurveySums()).add(
            SurveySums(
                responses=row["responses"],
                answers=row.get("answers", 0),
                score_total=row.get("score_total") or 0,
                promoters=row.get("promoters", 0),
                detractors=row.get("detractors", 0),
            )
        )
    return found


def survey_run(definition: ReportDefinition) -> ReportResult:
    """A satisfaction measure of the survey responses, as a builder result."""
    measure = definition.measure
    return sums_result(
        definition,
        survey_sums(definition),
        empty=SurveySums,
        count=lambda sums: sums.count(measure),
        source=SOURCE,
        notes=[
            _(
                "Satisfaction: the survey responses answered in the period (Brussels time), "
                "per channel and the contact's office. Averages count only the answered values "
                "(a partial response counts for the criteria it answered); NPS = % promoters "
                "(9–10) − % detractors (0–6) of the answers to the recommendation question. "
                "Totals are recomputed from the counts and sums, never averaged."
            )
        ],
    )
