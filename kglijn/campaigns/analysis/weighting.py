"""Raking (iterative proportional fitting) weights over several population margins, with
weightipy's RIM engine (ADR 0018); post-stratification is the one-margin case.

`rake` returns expansion weights: they sum to the population and the weighted count of every
category of every margin equals its population count (checked after raking to 0.1 %).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

TOLERANCE = 0.001  # the largest relative miss of a margin that is accepted


@dataclass(frozen=True)
class MarginProblem:
    """One reason the margins cannot be reproduced, as data (the pages word it in Dutch).

    kind: "no_responses" | "no_counts" (a variable without population counts) |
    "unknown_category" (respondents in a category the population lacks; `count` respondents) |
    "empty_category" (a populated category without respondents; `count` the population) |
    "totals_differ" (`category` lists the totals) | "not_converged" (`count` = 0)."""

    kind: str
    variable: str = ""
    category: str = ""
    count: int = 0


class WeightingError(ValueError):
    """The margins cannot be reproduced; `problems` say which variable and category (in
    English), `details` the same as `MarginProblem`s."""

    def __init__(self, problems: list[str], details: Sequence[MarginProblem] = ()) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.details = list(details)


@dataclass(frozen=True)
class RakeResult:
    weights: np.ndarray  # one expansion weight per row, in the rows' order
    max_relative_error: float  # the largest |weighted − population| / population over margins
    efficiency_pct: float  # Kish's weighting efficiency: 100 / deff_w


def margins_problems(
    rows: Sequence[Mapping[str, str]], margins: Mapping[str, Mapping[str, int]]
) -> list[MarginProblem]:
    """What stops raking, as data (see `margins_check`)."""
    if not rows:
        return [MarginProblem("no_responses")]
    problems: list[MarginProblem] = []
    for variable, counts in margins.items():
        if not counts or sum(counts.values()) <= 0:
            problems.append(MarginProblem("no_counts", variable))
            continue
        seen: dict[str, int] = {}
        for row in rows:
            value = str(row.get(variable, ""))
            seen[value] = seen.get(value, 0) + 1
        for value in sorted(set(seen) - set(counts)):
            problems.append(MarginProblem("unknown_category", variable, value, seen[value]))
        for category, count in sorted(counts.items()):
            if count > 0 and category not in seen:
                problems.append(MarginProblem("empty_category", variable, category, count))
    totals = {sum(counts.values()) for counts in margins.values() if counts}
    if len(totals) > 1:
        problems.append(
            MarginProblem("totals_differ", category=", ".join(str(t) for t in sorted(totals)))
        )
    return problems


def problem_text(problem: MarginProblem) -> str:
    """The problem in English (logs, the command line)."""
    if problem.kind == "no_responses":
        return "there are no complete responses to weight"
    if problem.kind == "no_counts":
        return f"{problem.variable}: no population counts"
    if problem.kind == "unknown_category":
        return f"{problem.variable}={problem.category}: respondents but no population count"
    if problem.kind == "empty_category":
        return (
            f"{problem.variable}={problem.category}: population {problem.count} but no respondent"
        )
    if problem.kind == "totals_differ":
        return f"the margins add up to different totals: [{problem.category}]"
    return "raking did not converge"


def margins_check(
    rows: Sequence[Mapping[str, str]], margins: Mapping[str, Mapping[str, int]]
) -> list[str]:
    """What stops raking: a variable without population counts, a respondent in a category
    the population lacks, a populated category without respondents."""
    return [problem_text(problem) for problem in margins_problems(rows, margins)]


def rake(
    rows: Sequence[Mapping[str, str]],
    margins: Mapping[str, Mapping[str, int]],
    *,
    max_iterations: int = 1000,
) -> RakeResult:
    """Expansion weights for `rows` (each a respondent's category per variable) that
    reproduce every margin ({variable: {category: population count}})."""
    import pandas as pd  # heavy: only where weights are computed
    import weightipy

    details = margins_problems(rows, margins)
    if details:
        raise WeightingError([problem_text(problem) for problem in details], details)
    variables = list(margins)
    population = float(sum(next(iter(margins.values())).values()))
    frame = pd.DataFrame({v: [str(row.get(v, "")) for row in rows] for v in variables})
    targets = {
        variable: {
            category: 100.0 * count / population for category, count in counts.items() if count > 0
        }
        for variable, counts in margins.items()
    }
    scheme = weightipy.scheme_from_dict(
        targets, rim_params={"max_iterations": max_iterations, "convcrit": 1e-12}
    )
    # weightipy prints its convergence messages; they are checked below instead.
    with contextlib.redirect_stdout(io.StringIO()):
        engine = weightipy.WeightEngine(data=frame.assign(__row__=range(len(frame))))
        engine.add_scheme(scheme=scheme, key="__row__", verbose=False)
        engine.run()
        relative = engine.dataframe()[f"weights_{scheme.name}"].to_numpy(dtype=float)
    weights = relative / relative.sum() * population
    worst = 0.0
    for variable, counts in margins.items():
        column = frame[variable].to_numpy()
        for category, count in counts.items():
            weighted = float(weights[column == category].sum())
            if count > 0:
                worst = max(worst, abs(weighted - count) / count)
    if worst > TOLERANCE:
        raise WeightingError(
            [f"raking did not converge: a margin is missed by {100 * worst:.2f} %"],
            [MarginProblem("not_converged")],
        )
    n = len(weights)
    efficiency = 100.0 * float(weights.sum()) ** 2 / (n * float((weights**2).sum()))
    return RakeResult(weights=weights, max_relative_error=worst, efficiency_pct=efficiency)
