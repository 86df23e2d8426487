"""Significance hints for the month-on-month change of the satisfaction figures.

Three tests, each two-sided at the 5 % level, and none when either month has fewer than
`MIN_N` answers (the domain's rule: fewer than ~30 answers is noise, ../shared/docs/domain.md):

- NPS: a z-test on the difference of two NPS values. An answer scores +1 (promoter, 9–10),
  0 (passive, 7–8) or −1 (detractor, 0–6); the NPS is 100 × the mean score, whose sample
  variance is p + d − (p − d)² (p, d = shares of promoters and detractors). SE of the
  difference = √(var₁/n₁ + var₂/n₂).
- Average per criterion (1–5): Welch's t-test (unequal variances, Welch–Satterthwaite degrees
  of freedom); the t distribution's tail from SciPy (scipy.stats.t).
- Response rate: the two-proportion z-test with the pooled proportion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

ALPHA = 0.05
MIN_N = 30


class Verdict(StrEnum):
    SIGNIFICANT = "significant"
    NOT_SIGNIFICANT = "not_significant"
    TOO_FEW = "too_few"  # not tested: fewer than MIN_N answers in one of the months
    NO_DATA = "no_data"  # one of the months has no value at all


@dataclass(frozen=True)
class Significance:
    verdict: Verdict
    p_value: float | None = None
    statistic: float | None = None  # z or t


def normal_two_sided_p(z: float) -> float:
    """P(|Z| ≥ |z|) for a standard normal Z."""
    return math.erfc(abs(z) / math.sqrt(2))


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with `df` (possibly fractional) degrees of freedom."""
    from scipy import stats  # late: SciPy takes a moment to import, only this page needs it

    return min(1.0, float(2.0 * stats.t.sf(abs(t), df)))


def _verdict(p_value: float, statistic: float) -> Significance:
    verdict = Verdict.SIGNIFICANT if p_value < ALPHA else Verdict.NOT_SIGNIFICANT
    return Significance(verdict, p_value, statistic)


def _exact_difference(difference: float) -> Significance:
    """Both samples without spread: any difference is certain, none is nothing."""
    if difference == 0:
        return Significance(Verdict.NOT_SIGNIFICANT, 1.0, 0.0)
    return Significance(Verdict.SIGNIFICANT, 0.0, math.copysign(math.inf, difference))


def nps_change(
    *, promoters_1: int, detractors_1: int, n_1: int, promoters_2: int, detractors_2: int, n_2: int
) -> Significance:
    """Is the NPS of sample 2 different from that of sample 1? (z-test, see module docstring)."""
    if not n_1 or not n_2:
        return Significance(Verdict.NO_DATA)
    if n_1 < MIN_N or n_2 < MIN_N:
        return Significance(Verdict.TOO_FEW)
    p1, d1 = promoters_1 / n_1, detractors_1 / n_1
    p2, d2 = promoters_2 / n_2, detractors_2 / n_2
    var_1 = p1 + d1 - (p1 - d1) ** 2
    var_2 = p2 + d2 - (p2 - d2) ** 2
    difference = (p2 - d2) - (p1 - d1)
    se = math.sqrt(var_1 / n_1 + var_2 / n_2)
    if se == 0:
        return _exact_difference(difference)
    z = difference / se
    return _verdict(normal_two_sided_p(z), z)


@dataclass(frozen=True)
class Moments:
    """n, Σx and Σx² of a sample: enough for its mean and variance (and additive)."""

    n: int
    total: float
    squares: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """The sample variance (n − 1 in the denominator); None below 2 values."""
        if self.n < 2:
            return None
        return max(0.0, (self.squares - self.total * self.total / self.n) / (self.n - 1))


def mean_change(first: Moments, second: Moments) -> Significance:
    """Is the mean of sample 2 different from that of sample 1? (Welch's t-test)."""
    if not first.n or not second.n:
        return Significance(Verdict.NO_DATA)
    if first.n < MIN_N or second.n < MIN_N:
        return Significance(Verdict.TOO_FEW)
    assert first.mean is not None
    assert second.mean is not None
    assert first.variance is not None
    assert second.variance is not None
    a = first.variance / first.n
    b = second.variance / second.n
    difference = second.mean - first.mean
    if a + b == 0:
        return _exact_difference(difference)
    t = difference / math.sqrt(a + b)
    df = (a + b) ** 2 / (a * a / (first.n - 1) + b * b / (second.n - 1))
    return _verdict(t_two_sided_p(t, df), t)


def proportion_change(*, hits_1: int, n_1: int, hits_2: int, n_2: int) -> Significance:
    """Is the proportion of sample 2 different from that of sample 1? (pooled z-test)."""
    if not n_1 or not n_2:
        return Significance(Verdict.NO_DATA)
    if n_1 < MIN_N or n_2 < MIN_N:
        return Significance(Verdict.TOO_FEW)
    pooled = (hits_1 + hits_2) / (n_1 + n_2)
    difference = hits_2 / n_2 - hits_1 / n_1
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_1 + 1 / n_2))
    if se == 0:
        return _exact_difference(difference)
    z = difference / se
    return _verdict(normal_two_sided_p(z), z)
