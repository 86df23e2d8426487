"""A campaign's weights and weighted results (docs/campaigns-analysis.md).

- `campaign_weights_compute` rakes the complete responses to the population's margins
  (`PopulationCount`) and stores the weights and the weighting report.
- `campaign_results` gives the overall score, each theme's satisfaction and importance with
  their 95 % intervals, the importance × satisfaction quadrants (Martilla & James 1977, with a
  data-centred crosshair), the change against the previous campaign with its significance, and
  the open answers grouped.

Other packages (monitoring, the methodology page, the bureau import) call these two functions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kglijn.campaigns.analysis.estimates import (
    Z_95,
    Difference,
    Estimate,
    EstimateError,
    difference,
    weighted_mean,
)
from kglijn.campaigns.analysis.openanswers import GroupedAnswers, group_answers
from kglijn.campaigns.analysis.weighting import (
    MarginProblem,
    WeightingError,
    problem_text,
    rake,
)
from kglijn.campaigns.models import (
    Answer,
    Campaign,
    Design,
    Item,
    ItemKind,
    PopulationCount,
    Response,
    Theme,
)

STRATIFIED_DESIGNS = frozenset({Design.STRATIFIED_PROPORTIONAL, Design.STRATIFIED_MINIMUM})
# The response's own stratum key is a weighting variable too (post-stratification on the cells).
STRATUM_VARIABLE = "stratum"
METHOD_RAKING = "raking"
UPDATE_BATCH = 900  # ids per UPDATE (below SQLite's old limit of 999 parameters)
METHOD_POST_STRATIFICATION = "post-stratification"

# Importance × satisfaction quadrants (Martilla & James 1977).
CONCENTRATE = "concentrate"
KEEP_UP = "keep_up"
LOW_PRIORITY = "low_priority"
OVERKILL = "overkill"
QUADRANTS = (CONCENTRATE, KEEP_UP, LOW_PRIORITY, OVERKILL)


def quadrant_labels() -> dict[str, str]:
    return {
        CONCENTRATE: _("Concentrate here"),
        KEEP_UP: _("Keep up the good work"),
        LOW_PRIORITY: _("Low priority"),
        OVERKILL: _("Possible overkill"),
    }


def quadrant_of(
    importance: float, satisfaction: float, cross_importance: float, cross_satisfaction: float
) -> str:
    """The quadrant of a theme; a value on the crosshair counts as high (≥)."""
    important = importance >= cross_importance
    satisfied = satisfaction >= cross_satisfaction
    if important:
        return KEEP_UP if satisfied else CONCENTRATE
    return OVERKILL if satisfied else LOW_PRIORITY


# --- Weighting --------------------------------------------------------------------------------


def _margins(campaign: Campaign) -> dict[str, dict[str, int]]:
    margins: dict[str, dict[str, int]] = {}
    for variable, category, count in PopulationCount.objects.filter(campaign=campaign).values_list(
        "variable", "category", "count"
    ):
        margins.setdefault(variable, {})[category] = count
    return margins


def _category(value: str) -> str:
    return value if value != "" else _("(empty)")


def _problem_message(problem: MarginProblem) -> str:
    """The problem in Dutch, naming the variable and the category."""
    values = {
        "variable": problem.variable,
        "category": _category(problem.category),
        "count": problem.count,
    }
    if problem.kind == "no_responses":
        return _("There are no complete responses to weight.")
    if problem.kind == "no_counts":
        return _("%(variable)s: no population data") % values
    if problem.kind == "unknown_category":
        return (
            _(
                "%(variable)s = %(category)s: %(count)d respondents, but the population data "
                "have no such category"
            )
            % values
        )
    if problem.kind == "empty_category":
        return (
            _("%(variable)s = %(category)s: population %(count)d, but not one respondent") % values
        )
    if problem.kind == "totals_differ":
        return _(
            "The margins add up to different totals (%(totals)s): every variable must describe "
            "the same population."
        ) % {"totals": problem.category}
    return _("The raking did not converge: a margin is missed by more than 0.1 %.")


def _response_row(strata: dict[str, Any], stratum: str) -> dict[str, str]:
    row = {str(key): str(value) for key, value in (strata or {}).items()}
    row.setdefault(STRATUM_VARIABLE, stratum)
    return row


def campaign_weights_compute(campaign: Campaign, *, now: dt.datetime) -> dict[str, Any]:
    """Rake the campaign's complete responses to its margins and store the weights.

    The margins are the `PopulationCount`s of `campaign.weighting_variables` (every variable
    with counts when it is empty); one variable is post-stratification. A respondent's
    category of a variable is their strata value (or, for "stratum", their stratum key).
    Returns the report stored on the campaign; when the weights cannot be computed every
    weight of the campaign is cleared and the report is {"errors": [...]} in Dutch."""
    margins = _margins(campaign)
    variables = [str(v) for v in campaign.weighting_variables] or sorted(margins)
    responses = list(
        Response.objects.filter(campaign=campaign, completed_at__isnull=False)
        .order_by("pk")
        .only("pk", "strata", "stratum")
    )
    errors: list[str] = []
    result = None
    with translation.override(settings.LANGUAGE_CODE):
        if not margins:
            errors = [_("no population data")]
        else:
            errors = [
                _problem_message(MarginProblem("no_counts", variable))
                for variable in variables
                if variable not in margins
            ]
        if not errors:
            rows = [_response_row(response.strata, response.stratum) for response in responses]
            try:
                result = rake(rows, {variable: margins[variable] for variable in variables})
            except WeightingError as error:
                errors = [_problem_message(problem) for problem in error.details] or [
                    *error.problems
                ]
    with transaction.atomic():
        Response.objects.filter(campaign=campaign).update(weight=None)
        if result is None:
            report: dict[str, Any] = {"errors": errors}
            campaign.weighted_at = None
        else:
            # Every respondent of one cell (combination of categories) has the same weight: one
            # UPDATE per distinct weight is far cheaper than bulk_update's CASE per row.
            by_weight: dict[float, list[int]] = defaultdict(list)
            for response, weight in zip(responses, result.weights, strict=True):
                by_weight[float(weight)].append(response.pk)
            for weight, pks in by_weight.items():
                for start in range(0, len(pks), UPDATE_BATCH):
                    Response.objects.filter(pk__in=pks[start : start + UPDATE_BATCH]).update(
                        weight=weight
                    )
            report = {
                "method": METHOD_POST_STRATIFICATION if len(variables) == 1 else METHOD_RAKING,
                "variables": variables,
                "n": len(responses),
                "efficiency_pct": round(result.efficiency_pct, 4),
                "deff_weights": round(100.0 / result.efficiency_pct, 6),
                "max_relative_error": result.max_relative_error,
                "errors": [],
            }
            campaign.weighted_at = now
        campaign.weighting_report = report
        campaign.save(update_fields=["weighted_at", "weighting_report"])
    return report


def weighting_problems_english(error: WeightingError) -> list[str]:
    """For the command line: the problems in English."""
    return [problem_text(problem) for problem in error.details] or list(error.problems)


# --- Results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """This campaign against the previous one (this − previous, z-test at 5 %)."""

    previous: Estimate
    difference: Difference

    @property
    def significant(self) -> bool:
        return self.difference.significant

    @property
    def direction(self) -> str:
        """ "up", "down" or "same" when significant; "none" when not."""
        if not self.significant:
            return "none"
        return "up" if self.difference.difference > 0 else "down"


@dataclass(frozen=True)
class DerivedImportance:
    """Importance derived from the (weighted) Pearson correlation of the respondents' theme
    satisfaction with their overall score: 10 × r, negative r counted as 0; the interval is
    Fisher's z ± 1.96 / √(n_eff − 3) transformed back and rescaled likewise."""

    correlation: float
    value: float
    ci_low: float
    ci_high: float
    n: int


@dataclass(frozen=True)
class ItemResult:
    item: Item
    satisfaction: Estimate | None
    importance: Estimate | None


@dataclass(frozen=True)
class ThemeResult:
    theme: Theme
    satisfaction: Estimate | None
    importance: Estimate | None  # as asked
    derived: DerivedImportance | None  # when no importance was asked or answered
    quadrant: str | None
    change: Change | None
    items: list[ItemResult]

    @property
    def importance_value(self) -> float | None:
        """The importance on the matrix: the asked mean, else the derived value."""
        return _importance_value(self.importance, self.derived)

    @property
    def quadrant_label(self) -> str:
        return quadrant_labels().get(self.quadrant or "", "")


@dataclass(frozen=True)
class Crosshair:
    """The matrix's crosshair: the mean of the themes' satisfaction means and of their
    importance values (the data-centred variant)."""

    satisfaction: float
    importance: float


@dataclass(frozen=True)
class OpenItemResult:
    item: Item
    grouped: GroupedAnswers


@dataclass(frozen=True)
class CampaignResults:
    campaign: Campaign
    n_complete: int
    n_dropouts: int
    weighted: bool  # False: every weight 1 ("ongewogen")
    weights_stale: bool  # weights exist, but not for every complete response
    stratified: bool
    overall: Estimate | None
    overall_change: Change | None
    themes: list[ThemeResult]
    crosshair: Crosshair | None
    open_items: list[OpenItemResult] = field(default_factory=list)
    previous: Campaign | None = None

    @property
    def open_answers(self) -> int:
        return sum(result.grouped.answers for result in self.open_items)


@dataclass
class _Sample:
    """The complete responses: index, weight and stratum of each."""

    index: dict[int, int]
    weights: np.ndarray
    strata: list[str] | None
    weighted: bool
    stale: bool

    def estimate(self, values: dict[int, float]) -> Estimate | None:
        if not values:
            return None
        rows = [self.index[response_id] for response_id in values]
        strata = [self.strata[row] for row in rows] if self.strata is not None else None
        try:
            return weighted_mean(list(values.values()), self.weights[rows].tolist(), strata)
        except EstimateError:
            return None

    def correlation(self, x: dict[int, float], y: dict[int, float]) -> DerivedImportance | None:
        both = [response_id for response_id in x if response_id in y]
        if len(both) < 3:
            return None
        w = self.weights[[self.index[response_id] for response_id in both]]
        xs = np.array([x[response_id] for response_id in both])
        ys = np.array([y[response_id] for response_id in both])
        total = w.sum()
        dx = xs - (w * xs).sum() / total
        dy = ys - (w * ys).sum() / total
        denominator = math.sqrt(float((w * dx**2).sum() * (w * dy**2).sum()))
        if denominator == 0:
            return None
        r = max(-1.0, min(1.0, float((w * dx * dy).sum()) / denominator))
        n_effective = float(total**2 / (w**2).sum())
        if n_effective > 3 and abs(r) < 1:
            half = Z_95 / math.sqrt(n_effective - 3)
            low, high = math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)
        else:
            low = high = r
        return DerivedImportance(
            correlation=r,
            value=10 * max(r, 0.0),
            ci_low=10 * max(low, 0.0),
            ci_high=10 * max(high, 0.0),
            n=len(both),
        )


def _sample(campaign: Campaign) -> tuple[_Sample, int]:
    rows = list(
        Response.objects.filter(campaign=campaign, completed_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "weight", "stratum")
    )
    weights = [weight for _pk, weight, _stratum in rows]
    has = sum(1 for weight in weights if weight is not None)
    weighted = bool(rows) and has == len(rows)
    stale = 0 < has < len(rows)
    stratified = campaign.design in STRATIFIED_DESIGNS
    sample = _Sample(
        index={pk: position for position, (pk, _w, _s) in enumerate(rows)},
        weights=np.array(
            [float(weight) if weighted and weight is not None else 1.0 for weight in weights]
        ),
        strata=[stratum for _pk, _w, stratum in rows] if stratified else None,
        weighted=weighted,
        stale=stale,
    )
    dropouts = Response.objects.filter(campaign=campaign, completed_at__isnull=True).count()
    return sample, dropouts


def _mean_per_respondent(pairs: Sequence[tuple[int, int]]) -> dict[int, float]:
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for response_id, value in pairs:
        cell = sums[response_id]
        cell[0] += value
        cell[1] += 1
    return {response_id: total / count for response_id, (total, count) in sums.items()}


@dataclass
class _Core:
    sample: _Sample
    dropouts: int
    overall: Estimate | None
    overall_values: dict[int, float]
    themes: list[tuple[Theme, Estimate | None, Estimate | None, dict[int, float], list[ItemResult]]]


def _core(campaign: Campaign) -> _Core:
    """The weighted estimates of one campaign (no comparison, no open answers)."""
    sample, dropouts = _sample(campaign)
    items = list(
        Item.objects.filter(
            version_id=campaign.version_id, kind__in=[ItemKind.RATED, ItemKind.OVERALL]
        )
        .select_related("theme")
        .order_by("position")
    )
    satisfaction: dict[int, list[tuple[int, int]]] = defaultdict(list)
    importance: dict[int, list[tuple[int, int]]] = defaultdict(list)
    overall_values: dict[int, float] = {}
    overall_ids = {item.pk for item in items if item.kind == ItemKind.OVERALL}
    answers = Answer.objects.filter(
        response__campaign=campaign,
        response__completed_at__isnull=False,
        item_id__in=[item.pk for item in items],
    ).values_list("response_id", "item_id", "satisfaction", "importance", "score")
    for response_id, item_id, sat, imp, score in answers.iterator(chunk_size=5000):
        if item_id in overall_ids:
            if score is not None:
                overall_values[response_id] = float(score)
            continue
        if sat is not None:
            satisfaction[item_id].append((response_id, sat))
        if imp is not None:
            importance[item_id].append((response_id, imp))
    themes = list(Theme.objects.filter(version_id=campaign.version_id).order_by("position"))
    rated: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        if item.kind == ItemKind.RATED and item.theme_id is not None:
            rated[item.theme_id].append(item)
    theme_rows = []
    for theme in themes:
        theme_items = rated.get(theme.pk, [])
        item_results = [
            ItemResult(
                item=item,
                satisfaction=sample.estimate(
                    {rid: float(v) for rid, v in satisfaction.get(item.pk, [])}
                ),
                importance=sample.estimate(
                    {rid: float(v) for rid, v in importance.get(item.pk, [])}
                ),
            )
            for item in theme_items
        ]
        theme_sat = _mean_per_respondent(
            [pair for item in theme_items for pair in satisfaction.get(item.pk, [])]
        )
        theme_imp = _mean_per_respondent(
            [pair for item in theme_items for pair in importance.get(item.pk, [])]
        )
        theme_rows.append(
            (
                theme,
                sample.estimate(theme_sat),
                sample.estimate(theme_imp),
                theme_sat,
                item_results,
            )
        )
    return _Core(
        sample=sample,
        dropouts=dropouts,
        overall=sample.estimate(overall_values),
        overall_values=overall_values,
        themes=theme_rows,
    )


def theme_satisfaction(campaign: Campaign) -> dict[str, Estimate]:
    """The weighted satisfaction per theme key, as the results page shows it (a theme without
    answers left out)."""
    return {
        theme.key: satisfaction
        for theme, satisfaction, _importance, _values, _items in _core(campaign).themes
        if satisfaction is not None
    }


def _change(current: Estimate | None, previous: Estimate | None) -> Change | None:
    if current is None or previous is None:
        return None
    return Change(previous=previous, difference=difference(current, previous))


def _open_items(campaign: Campaign) -> list[OpenItemResult]:
    items = list(
        Item.objects.filter(version_id=campaign.version_id, kind=ItemKind.OPEN).order_by("position")
    )
    texts: dict[int, list[str]] = defaultdict(list)
    for item_id, text in (
        Answer.objects.filter(
            response__campaign=campaign,
            response__completed_at__isnull=False,
            item__in=items,
        )
        .exclude(text="")
        .order_by("response_id")
        .values_list("item_id", "text")
    ):
        texts[item_id].append(text)
    return [
        OpenItemResult(item=item, grouped=group_answers(texts.get(item.pk, []))) for item in items
    ]


def _importance_value(asked: Estimate | None, derived: DerivedImportance | None) -> float | None:
    if asked is not None:
        return asked.mean
    return derived.value if derived is not None else None


def campaign_results(campaign: Campaign) -> CampaignResults:
    """The campaign's weighted results (unweighted, weight 1, when it has no valid weights)."""
    core = _core(campaign)
    previous_core = _core(campaign.previous) if campaign.previous is not None else None
    previous_themes = (
        {theme.key: sat for theme, sat, _imp, _values, _items in previous_core.themes}
        if previous_core is not None
        else {}
    )
    provisional = []
    for theme, sat, imp, theme_sat, item_results in core.themes:
        derived = None
        if imp is None and sat is not None:
            derived = core.sample.correlation(theme_sat, core.overall_values)
        provisional.append((theme, sat, imp, derived, item_results))
    points = [
        (sat.mean, value)
        for _theme, sat, imp, derived, _items in provisional
        if sat is not None and (value := _importance_value(imp, derived)) is not None
    ]
    crosshair = (
        Crosshair(
            satisfaction=sum(s for s, _i in points) / len(points),
            importance=sum(i for _s, i in points) / len(points),
        )
        if points
        else None
    )
    themes = []
    for theme, sat, imp, derived, item_results in provisional:
        importance_value = _importance_value(imp, derived)
        quadrant = None
        if crosshair is not None and sat is not None and importance_value is not None:
            quadrant = quadrant_of(
                importance_value, sat.mean, crosshair.importance, crosshair.satisfaction
            )
        themes.append(
            ThemeResult(
                theme=theme,
                satisfaction=sat,
                importance=imp,
                derived=derived,
                quadrant=quadrant,
                change=_change(sat, previous_themes.get(theme.key)),
                items=item_results,
            )
        )
    return CampaignResults(
        campaign=campaign,
        n_complete=len(core.sample.index),
        n_dropouts=core.dropouts,
        weighted=core.sample.weighted,
        weights_stale=core.sample.stale,
        stratified=core.sample.strata is not None,
        overall=core.overall,
        overall_change=_change(
            core.overall, previous_core.overall if previous_core is not None else None
        ),
        themes=themes,
        crosshair=crosshair,
        open_items=_open_items(campaign),
        previous=campaign.previous,
    )
