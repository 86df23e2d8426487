"""Weighted means with their 95 % confidence interval and design effect (docs/campaigns.md).

The estimator is the weighted (Hajek) mean ȳ = Σ wᵢyᵢ / Σ wᵢ. Its variance is estimated by
Taylor linearisation, as R's `survey::svymean` and samplics' `TaylorEstimator` do for a
single-stage design sampled with replacement: with zᵢ = wᵢ(yᵢ − ȳ) / Σ wᵢ,

    V(ȳ) = Σ_h n_h / (n_h − 1) · Σ_{i∈h} (zᵢ − z̄_h)²

over the design's strata h (one stratum when the design has none; a stratum with a single
respondent adds nothing). The 95 % interval is ȳ ± 1.96 · √V (normal approximation).

The design effect is V(ȳ) against the variance of a simple random sample of the same size,
s²/n with s² = Σ wᵢ(yᵢ − ȳ)² / Σ wᵢ · n / (n − 1) (Kish 1965; `survey`'s deff). Kish's design
effect of the weights alone, n Σwᵢ² / (Σwᵢ)², gives the effective sample size n / deff_w used
for the margin of error of a percentage.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    mean: float
    se: float
    ci_low: float
    ci_high: float
    n: int  # respondents with a value
    weight_total: float
    deff: float  # the design effect of the mean (nan when it cannot be computed)
    deff_weights: float  # Kish's design effect of unequal weights
    n_effective: float  # n / deff_weights


@dataclass(frozen=True)
class Difference:
    """The change between two independent estimates (this campaign minus the previous)."""

    difference: float
    se: float
    z: float
    p_value: float

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05


class EstimateError(ValueError):
    """Too few values to estimate (no respondent with a value)."""


def weighted_mean(
    values: Sequence[float],
    weights: Sequence[float],
    strata: Sequence[str] | None = None,
) -> Estimate:
    """The weighted mean of `values` with its linearised standard error, 95 % interval and
    design effects; `strata` (one label per value) when the design was stratified."""
    y = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if y.shape != w.shape or y.ndim != 1:
        raise EstimateError("values and weights differ in length")
    n = int(y.size)
    if n == 0:
        raise EstimateError("no values")
    if np.any(w <= 0) or not np.all(np.isfinite(w)) or not np.all(np.isfinite(y)):
        raise EstimateError("weights must be positive and values finite")
    total = float(w.sum())
    mean = float((w * y).sum() / total)
    z = w * (y - mean) / total
    if strata is None:
        labels = np.zeros(n, dtype=int)
    else:
        if len(strata) != n:
            raise EstimateError("strata and values differ in length")
        _, labels = np.unique(np.asarray(strata, dtype=str), return_inverse=True)
    variance = 0.0
    for label in np.unique(labels):
        zh = z[labels == label]
        nh = zh.size
        if nh > 1:
            variance += nh / (nh - 1) * float(((zh - zh.mean()) ** 2).sum())
    se = math.sqrt(variance)
    deff_weights = float(n * (w**2).sum() / total**2)
    if n > 1:
        s2 = float((w * (y - mean) ** 2).sum() / total) * n / (n - 1)
        deff = variance / (s2 / n) if s2 > 0 else math.nan
    else:
        deff = math.nan
    return Estimate(
        mean=mean,
        se=se,
        ci_low=mean - Z_95 * se,
        ci_high=mean + Z_95 * se,
        n=n,
        weight_total=total,
        deff=deff,
        deff_weights=deff_weights,
        n_effective=n / deff_weights,
    )


def difference(current: Estimate, previous: Estimate) -> Difference:
    """current − previous with a two-sided z-test for independent samples."""
    diff = current.mean - previous.mean
    se = math.sqrt(current.se**2 + previous.se**2)
    z = diff / se if se else (0.0 if diff == 0 else math.copysign(math.inf, diff))
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return Difference(difference=diff, se=se, z=z, p_value=p_value)


def margin_of_error_pct(n_effective: float, population: int | None = None) -> float:
    """The 95 % margin of error (percentage points) of a 50 % proportion with the effective
    sample size, with the finite-population correction when the population is known."""
    if n_effective <= 0:
        return math.nan
    fpc = 1.0
    if population and population > 1 and n_effective < population:
        fpc = (population - n_effective) / (population - 1)
    return 100 * Z_95 * math.sqrt(0.25 / n_effective * fpc)
