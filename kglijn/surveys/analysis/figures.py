"""The additive figures of the satisfaction analysis: months, and the counts every figure of
a group is computed from (responses, asked/answered, the count of each score per criterion).

Counts add up; means, variances, top-2-box shares, NPS and response rates are computed from
them, so totals and longer periods are never averages of averages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.dates import MONTHS, MONTHS_3

from kglijn.core.periods import add_months, month_start_brussels
from kglijn.surveys.analysis.stats import Moments

TREND_MONTHS = 13
SCALE_CRITERIA = ("waiting_time", "courtesy", "information")
NPS_CRITERION = "recommendation"
CRITERIA = (*SCALE_CRITERIA, NPS_CRITERION)
SCORES: dict[str, tuple[int, ...]] = {
    **{criterion: tuple(range(1, 6)) for criterion in SCALE_CRITERIA},
    NPS_CRITERION: tuple(range(11)),
}
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
SATISFIED_MIN = 4  # top-2-box on a 1–5 item: 4 and 5


# --- months ------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """'YYYY-MM' -> Month; ValueError otherwise."""
        year, _sep, month = text.strip().partition("-")
        if len(year) != 4 or len(month) != 2 or not (year.isdigit() and month.isdigit()):
            raise ValueError(text)
        value = cls(int(year), int(month))
        if not 1 <= value.month <= 12:
            raise ValueError(text)
        return value

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    def shift(self, months: int) -> Month:
        first = add_months(self.first_day, months)
        return Month(first.year, first.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def start(self) -> dt.datetime:
        """Midnight at the start of the month, Brussels time."""
        return month_start_brussels(self.first_day)

    @property
    def end(self) -> dt.datetime:
        """The start of the next month (exclusive end)."""
        return self.shift(1).start

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """E.g. "maart 2024" (Dutch months are written in lower case)."""
        return f"{MONTHS[self.month]} {self.year}"

    @property
    def previous_label(self) -> str:
        return self.shift(-1).label

    @property
    def short_label(self) -> str:
        return f"{MONTHS_3[self.month]!s} {self.year}"

    def __str__(self) -> str:
        return self.iso


def months_ending(month: Month, count: int = TREND_MONTHS) -> list[Month]:
    return [month.shift(offset) for offset in range(1 - count, 1)]


# --- additive figures ---------------------------------------------------------------------------


def _empty_distribution() -> dict[str, list[int]]:
    return {criterion: [0] * len(SCORES[criterion]) for criterion in CRITERIA}


@dataclass
class Sums:
    """Additive counts of one group; every figure is computed from them."""

    responses: int = 0
    complete: int = 0
    remarks: int = 0
    # Response rate: contacts/invitations asked, and how many of them answered.
    asked: int = 0
    answered: int = 0
    distribution: dict[str, list[int]] = field(default_factory=_empty_distribution)

    def add(self, other: Sums) -> None:
        self.responses += other.responses
        self.complete += other.complete
        self.remarks += other.remarks
        self.asked += other.asked
        self.answered += other.answered
        for criterion, counts in other.distribution.items():
            mine = self.distribution[criterion]
            for index, count in enumerate(counts):
                mine[index] += count

    @property
    def partial(self) -> int:
        return self.responses - self.complete

    def count(self, criterion: str) -> int:
        return sum(self.distribution[criterion])

    def moments(self, criterion: str) -> Moments:
        pairs = list(zip(SCORES[criterion], self.distribution[criterion], strict=True))
        return Moments(
            n=sum(count for _score, count in pairs),
            total=float(sum(score * count for score, count in pairs)),
            squares=float(sum(score * score * count for score, count in pairs)),
        )

    def mean(self, criterion: str) -> float | None:
        return self.moments(criterion).mean

    def satisfied(self, criterion: str) -> int:
        """Answers of 4 or 5 on a 1–5 criterion (top-2-box)."""
        return sum(
            count
            for score, count in zip(SCORES[criterion], self.distribution[criterion], strict=True)
            if score >= SATISFIED_MIN
        )

    def satisfied_pct(self, criterion: str) -> float | None:
        n = self.count(criterion)
        return 100 * self.satisfied(criterion) / n if n else None

    @property
    def promoters(self) -> int:
        return sum(self.distribution[NPS_CRITERION][PROMOTER_MIN:])

    @property
    def passives(self) -> int:
        return sum(self.distribution[NPS_CRITERION][DETRACTOR_MAX + 1 : PROMOTER_MIN])

    @property
    def detractors(self) -> int:
        return sum(self.distribution[NPS_CRITERION][: DETRACTOR_MAX + 1])

    @property
    def nps_n(self) -> int:
        return self.count(NPS_CRITERION)

    @property
    def nps(self) -> float | None:
        """% promoters − % detractors (−100…+100); None without answers."""
        n = self.nps_n
        return 100 * (self.promoters - self.detractors) / n if n else None

    @property
    def response_rate(self) -> float | None:
        """Answered ÷ asked, in %; None when nobody was asked."""
        return 100 * self.answered / self.asked if self.asked else None


def summed(parts: Iterable[Sums]) -> Sums:
    total = Sums()
    for part in parts:
        total.add(part)
    return total
