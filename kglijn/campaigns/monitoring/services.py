"""Live response monitoring and the methodology of a campaign, computed from the stored rows
(docs/campaigns-monitoring.md has every definition).

- **Invited**: an invitation with at least one mail sent (`InvitationMail.sent_at`).
- **Complete**: a response with `completed_at`; a **drop-out** is one without it.
- **Response rate** = complete ÷ sample (the units drawn for the stratum, `StratumPlan.sample`;
  AAPOR RR1-like: every sampled unit counts, reached or not); complete ÷ invited is shown too.
  A stratum is **below the minimum** when its response rate < `min_response_rate_pct`.
- **Representativeness**: per variable with population margins, the complete respondents per
  category against n × the population share, with Pearson's chi-square goodness-of-fit test;
  categories whose expected count is below 5 are pooled before the test.
- **Weighted** means every complete response has a weight; when some lack one the weights are
  out of date and the campaign is treated as unweighted.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from kglijn.campaigns import strata as strata_keys
from kglijn.campaigns.analysis.estimates import (
    Difference,
    Estimate,
    EstimateError,
    difference,
    margin_of_error_pct,
    weighted_mean,
)
from kglijn.campaigns.models import (
    ActionStatus,
    Campaign,
    Design,
    ImprovementAction,
    Invitation,
    InvitationStatus,
    Item,
    ItemKind,
    Mode,
    PopulationCount,
    PopulationKind,
    Response,
    StratumPlan,
)

# The full stratum as a "variable" of the representativeness test (from StratumPlan).
FULL_STRATUM = "stratum"
# The smallest expected count of a category (or pooled group) in the chi-square test.
MIN_EXPECTED = 5.0
ALPHA = 0.05
# What a bureau reported, kept by the bureau import in population_criteria[REPORTED_KEY]:
# {"population": int, "sample": int, "invited": int, "complete": int, "dropouts": int,
#  "design": str}; every key optional.
REPORTED_KEY = "reported"
REPORTED_COUNTS = ("population", "sample", "invited", "complete", "dropouts")
STRATIFIED = (Design.STRATIFIED_PROPORTIONAL, Design.STRATIFIED_MINIMUM)


def _pct(part: float, whole: float | None) -> float | None:
    if not whole:
        return None
    return 100.0 * part / whole


def _stratum_of(value: str) -> str:
    return value or strata_keys.ALL


# --- Response per stratum, mode and position ---------------------------------------------------


@dataclass(frozen=True)
class StratumResponse:
    stratum: str
    population: int | None  # None: not known (no stratum plan, e.g. a bureau's campaign)
    sample: int | None
    invited: int
    complete: int
    dropouts: int
    opted_out: int
    response_rate_pct: float | None  # complete ÷ sample
    invited_rate_pct: float | None  # complete ÷ invited
    below_minimum: bool


def _invited_by_stratum(campaign: Campaign) -> Counter[str]:
    rows = (
        Invitation.objects.filter(campaign=campaign, mails__sent_at__isnull=False)
        .values("unit__stratum")
        .annotate(n=Count("id", distinct=True))
    )
    return Counter({_stratum_of(row["unit__stratum"]): row["n"] for row in rows})


def _opted_out_by_stratum(campaign: Campaign) -> Counter[str]:
    rows = (
        Invitation.objects.filter(campaign=campaign, status=InvitationStatus.OPTED_OUT)
        .values("unit__stratum")
        .annotate(n=Count("id"))
    )
    return Counter({_stratum_of(row["unit__stratum"]): row["n"] for row in rows})


def _responses_by_stratum(campaign: Campaign) -> tuple[Counter[str], Counter[str]]:
    complete: Counter[str] = Counter()
    dropouts: Counter[str] = Counter()
    rows = (
        Response.objects.filter(campaign=campaign)
        .values("stratum")
        .annotate(
            done=Count("id", filter=Q(completed_at__isnull=False)),
            open=Count("id", filter=Q(completed_at__isnull=True)),
        )
    )
    for row in rows:
        key = _stratum_of(row["stratum"])
        complete[key] += row["done"]
        dropouts[key] += row["open"]
    return complete, dropouts


def response_by_stratum(campaign: Campaign) -> list[StratumResponse]:
    """One row per stratum of the plan (then any stratum found only on responses or
    invitations, population and sample unknown)."""
    plans = {p.stratum: p for p in StratumPlan.objects.filter(campaign=campaign)}
    invited = _invited_by_stratum(campaign)
    opted_out = _opted_out_by_stratum(campaign)
    complete, dropouts = _responses_by_stratum(campaign)
    others = sorted((set(complete) | set(dropouts) | set(invited)) - set(plans))
    minimum = float(campaign.min_response_rate_pct)
    rows = []
    for key in [*sorted(plans), *others]:
        plan = plans.get(key)
        sample = plan.sample if plan else None
        rate = _pct(complete[key], sample)
        rows.append(
            StratumResponse(
                stratum=key,
                population=plan.population if plan else None,
                sample=sample,
                invited=invited[key],
                complete=complete[key],
                dropouts=dropouts[key],
                opted_out=opted_out[key],
                response_rate_pct=rate,
                invited_rate_pct=_pct(complete[key], invited[key]),
                below_minimum=rate is not None and rate < minimum,
            )
        )
    return rows


@dataclass(frozen=True)
class ModeResponse:
    mode: str
    label: str
    complete: int
    dropouts: int
    share_pct: float | None  # of the complete responses


def response_by_mode(campaign: Campaign) -> list[ModeResponse]:
    """Complete responses and drop-outs per mode (web, phone, paper); the share is of the
    complete responses."""
    rows = {
        row["mode"]: row
        for row in Response.objects.filter(campaign=campaign)
        .values("mode")
        .annotate(
            done=Count("id", filter=Q(completed_at__isnull=False)),
            open=Count("id", filter=Q(completed_at__isnull=True)),
        )
    }
    total = sum(row["done"] for row in rows.values())
    result = []
    for mode in Mode:
        row = rows.get(mode.value, {"done": 0, "open": 0})
        result.append(
            ModeResponse(
                mode=mode.value,
                label=str(mode.label),
                complete=row["done"],
                dropouts=row["open"],
                share_pct=_pct(row["done"], total),
            )
        )
    return result


@dataclass(frozen=True)
class DropoutPosition:
    position: int | None  # None: stopped before the first item
    item_key: str
    item_text: str
    dropouts: int
    share_pct: float | None  # of all drop-outs


def dropouts_by_position(campaign: Campaign) -> list[DropoutPosition]:
    """How many drop-outs stopped at each item position (`Response.last_position`, the last
    item reached), with the item of the campaign's questionnaire version at that position."""
    counts = Counter(
        dict(
            Response.objects.filter(campaign=campaign, completed_at__isnull=True)
            .values_list("last_position")
            .annotate(n=Count("id"))
            .values_list("last_position", "n")
        )
    )
    total = sum(counts.values())
    items = {
        item.position: item
        for item in Item.objects.filter(
            version_id=campaign.version_id, position__in=[p for p in counts if p is not None]
        )
    }
    result = []
    for position in sorted(counts, key=lambda p: -1 if p is None else p):
        item = items.get(position) if position is not None else None
        if position is None:
            text = _("(before the first item)")
        elif item is None:
            text = _("(no item at this position)")
        else:
            text = item.text_nl
        result.append(
            DropoutPosition(
                position=position,
                item_key=item.key if item else "",
                item_text=text,
                dropouts=counts[position],
                share_pct=_pct(counts[position], total),
            )
        )
    return result


@dataclass(frozen=True)
class ResponseTotals:
    population: int | None
    population_source: str  # "plan" | "margins" | "reported" | ""
    sample: int | None
    sample_source: str  # "plan" | "campaign" | "reported" | ""
    invited: int  # counted from the invitations
    complete: int
    dropouts: int
    opted_out: int
    response_rate_pct: float | None  # complete ÷ sample (or the bureau's invited)
    response_rate_basis: str  # "sample" | "reported_sample" | "reported_invited" | ""
    invited_rate_pct: float | None  # complete ÷ invited (counted)
    reported: dict[str, Any] = field(default_factory=dict)  # the bureau's own numbers
    strata_below_minimum: int = 0


def bureau_reported(campaign: Campaign) -> dict[str, Any]:
    """The numbers a bureau reported (population_criteria["reported"]), counts as ints."""
    raw = (campaign.population_criteria or {}).get(REPORTED_KEY)
    if not isinstance(raw, dict):
        return {}
    reported: dict[str, Any] = {}
    for key in REPORTED_COUNTS:
        value = raw.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            reported[key] = value
    if isinstance(raw.get("design"), str) and raw["design"].strip():
        reported["design"] = raw["design"].strip()
    return reported


def _margin_total(campaign: Campaign) -> int | None:
    totals = {
        row["variable"]: row["n"]
        for row in PopulationCount.objects.filter(campaign=campaign)
        .values("variable")
        .annotate(n=Sum("count"))
    }
    return max(totals.values()) if totals else None


def response_totals(
    campaign: Campaign, by_stratum: Sequence[StratumResponse] | None = None
) -> ResponseTotals:
    """The campaign's totals: population N, sample n, invited, complete, drop-outs, response
    rate; for a bureau's campaign also the numbers the bureau gave."""
    rows = list(by_stratum) if by_stratum is not None else response_by_stratum(campaign)
    reported = bureau_reported(campaign)
    planned = [r for r in rows if r.sample is not None]
    population: int | None
    if planned:
        population, population_source = sum(r.population or 0 for r in planned), "plan"
    elif (margins := _margin_total(campaign)) is not None:
        population, population_source = margins, "margins"
    elif "population" in reported:
        population, population_source = reported["population"], "reported"
    else:
        population, population_source = None, ""
    sample: int | None
    if planned:
        sample, sample_source = sum(r.sample or 0 for r in planned), "plan"
    elif campaign.sample_size:
        sample, sample_source = campaign.sample_size, "campaign"
    elif "sample" in reported:
        sample, sample_source = reported["sample"], "reported"
    else:
        sample, sample_source = None, ""
    complete = sum(r.complete for r in rows)
    invited = sum(r.invited for r in rows)
    if sample:
        rate = _pct(complete, sample)
        basis = "reported_sample" if sample_source == "reported" else "sample"
    elif reported.get("invited"):
        rate, basis = _pct(complete, reported["invited"]), "reported_invited"
    else:
        rate, basis = None, ""
    return ResponseTotals(
        population=population,
        population_source=population_source,
        sample=sample,
        sample_source=sample_source,
        invited=invited,
        complete=complete,
        dropouts=sum(r.dropouts for r in rows),
        opted_out=sum(r.opted_out for r in rows),
        response_rate_pct=rate,
        response_rate_basis=basis,
        invited_rate_pct=_pct(complete, invited),
        reported=reported,
        strata_below_minimum=sum(1 for r in rows if r.below_minimum),
    )


# --- Weights ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightState:
    weighted: bool  # every complete response has a weight
    complete: int
    with_weight: int
    outdated: bool  # some complete responses have a weight, not all
    deff_weights: float  # Kish: n Σw² / (Σw)² over the complete responses (1 when unweighted)
    efficiency_pct: float  # 100 / deff_weights
    n_effective: float  # complete / deff_weights


def weight_state(campaign: Campaign) -> WeightState:
    weights = list(
        Response.objects.filter(campaign=campaign, completed_at__isnull=False).values_list(
            "weight", flat=True
        )
    )
    n = len(weights)
    with_weight = sum(1 for w in weights if w is not None)
    weighted = n > 0 and with_weight == n
    if weighted:
        total = math.fsum(w for w in weights if w is not None)
        squares = math.fsum(w * w for w in weights if w is not None)
        deff = n * squares / total**2
    else:
        deff = 1.0
    return WeightState(
        weighted=weighted,
        complete=n,
        with_weight=with_weight,
        outdated=0 < with_weight < n,
        deff_weights=deff,
        efficiency_pct=100.0 / deff,
        n_effective=n / deff if n else 0.0,
    )


def weighting_variables(campaign: Campaign) -> list[str]:
    """The margins the weights were raked to (the weighting report's, else the campaign's)."""
    report = campaign.weighting_report or {}
    variables = report.get("variables")
    if isinstance(variables, list) and variables:
        return [str(v) for v in variables]
    return [str(v) for v in campaign.weighting_variables or []]


# --- Representativeness ----------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryShare:
    category: str
    population: int
    population_share_pct: float
    respondents: int
    respondent_share_pct: float | None
    expected: float  # n × population share
    weighted_share_pct: float | None  # None when the campaign is not weighted
    pooled: bool  # expected < 5: tested together with other small categories


@dataclass(frozen=True)
class RepresentativenessTest:
    variable: str
    categories: list[CategoryShare]
    n: int  # complete respondents in a category the population has
    unmatched: int  # complete respondents whose category the population lacks (left out)
    groups: int  # categories (after pooling) in the test
    chi2: float | None  # None: too few for a test
    df: int | None
    p_value: float | None
    weighted_on: bool  # the variable is one of the weighting margins
    verdict: str
    note: str = ""

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < ALPHA

    @property
    def pooled(self) -> list[str]:
        return [c.category for c in self.categories if c.pooled]


def pool_groups(expected: Sequence[float]) -> list[list[int]]:
    """Indexes of the categories grouped for the chi-square test: every category whose
    expected count is at least 5 on its own; those below 5 pooled into one group which, while
    still below 5, takes in the remaining category with the smallest expected count."""
    large = [i for i, e in enumerate(expected) if e >= MIN_EXPECTED]
    pool = [i for i, e in enumerate(expected) if e < MIN_EXPECTED]
    if pool:
        while sum(expected[i] for i in pool) < MIN_EXPECTED and large:
            smallest = min(large, key=lambda i: (expected[i], i))
            large.remove(smallest)
            pool.append(smallest)
    groups = [[i] for i in large]
    if pool:
        groups.append(sorted(pool))
    return groups


def chi_square(observed: Sequence[float], expected: Sequence[float]) -> tuple[float, int, float]:
    """Pearson's goodness-of-fit test (scipy.stats.chisquare): chi², degrees of freedom, p."""
    from scipy import stats  # late: SciPy takes a moment to import

    result = stats.chisquare(f_obs=list(observed), f_exp=list(expected))
    return float(result.statistic), len(observed) - 1, float(result.pvalue)


def _verdict(p_value: float | None, weighted: bool, weighted_on: bool) -> str:
    if p_value is None:
        return _(
            "Too few respondents for a test (fewer than two groups with an expected count of at "
            "least 5)."
        )
    if p_value >= ALPHA:
        return _("The respondents do not differ significantly from the population (p ≥ 0.05).")
    if weighted and weighted_on:
        return _(
            "The respondents differ significantly from the population (p < 0.05); the "
            "weighting corrects for this."
        )
    if weighted:
        return _(
            "The respondents differ significantly from the population (p < 0.05); this "
            "variable is not a weighting margin: the weighted shares show how far the weighting "
            "corrects for it."
        )
    return _(
        "The respondents differ significantly from the population (p < 0.05); the results are "
        "not weighted."
    )


def _test(
    variable: str,
    population: dict[str, int],
    values: Sequence[tuple[str, float | None]],
    *,
    weighted: bool,
    weighted_on: bool,
    note: str = "",
) -> RepresentativenessTest:
    big_n = sum(population.values())
    observed: Counter[str] = Counter()
    weight_sums: defaultdict[str, float] = defaultdict(float)
    unmatched = 0
    for category, weight in values:
        if category in population:
            observed[category] += 1
            weight_sums[category] += weight if weight is not None else 0.0
        else:
            unmatched += 1
    n = sum(observed.values())
    weight_total = math.fsum(weight_sums.values())
    names = list(population)
    expected = [n * population[c] / big_n if big_n else 0.0 for c in names]
    groups = pool_groups(expected) if n else []
    chi2: float | None = None
    df: int | None = None
    p_value: float | None = None
    if len(groups) >= 2:
        chi2, df, p_value = chi_square(
            [sum(observed[names[i]] for i in g) for g in groups],
            [sum(expected[i] for i in g) for g in groups],
        )
    pooled = {i for g in groups if len(g) > 1 for i in g} if len(groups) >= 2 else set()
    categories = [
        CategoryShare(
            category=name,
            population=population[name],
            population_share_pct=_pct(population[name], big_n) or 0.0,
            respondents=observed[name],
            respondent_share_pct=_pct(observed[name], n),
            expected=expected[i],
            weighted_share_pct=_pct(weight_sums[name], weight_total) if weighted else None,
            pooled=i in pooled,
        )
        for i, name in enumerate(names)
    ]
    return RepresentativenessTest(
        variable=variable,
        categories=categories,
        n=n,
        unmatched=unmatched,
        groups=len(groups),
        chi2=chi2,
        df=df,
        p_value=p_value,
        weighted_on=weighted_on,
        verdict=_verdict(p_value, weighted, weighted_on),
        note=note,
    )


def representativeness(campaign: Campaign) -> list[RepresentativenessTest]:
    """Per strata or weighting variable with population margins (then the full stratum when
    the campaign has a stratum plan): complete respondents against the population."""
    margins: dict[str, dict[str, int]] = defaultdict(dict)
    for row in PopulationCount.objects.filter(campaign=campaign).order_by("variable", "category"):
        margins[row.variable][row.category] = row.count
    variables: list[str] = []
    for name in [*(campaign.strata_variables or []), *(campaign.weighting_variables or [])]:
        if name in margins and name not in variables:
            variables.append(name)
    for name in weighting_variables(campaign):
        if name in margins and name not in variables:
            variables.append(name)
    plans = dict(
        StratumPlan.objects.filter(campaign=campaign)
        .order_by("stratum")
        .values_list("stratum", "population")
    )
    rows = list(
        Response.objects.filter(campaign=campaign, completed_at__isnull=False).values_list(
            "strata", "stratum", "weight"
        )
    )
    state_weighted = bool(rows) and all(w is not None for _s, _k, w in rows)
    margin_names = set(weighting_variables(campaign)) if state_weighted else set()
    tests = []
    for name in variables:
        values = [(str((s or {}).get(name, "")), w) for s, _k, w in rows]
        tests.append(
            _test(
                name,
                margins[name],
                values,
                weighted=state_weighted,
                weighted_on=name in margin_names,
            )
        )
    if plans:
        note = ""
        if campaign.design == Design.STRATIFIED_MINIMUM:
            note = _(
                "The design draws more than the proportional share in small strata (a minimum "
                "per stratum): a deviation per stratum is partly by design."
            )
        tests.append(
            _test(
                FULL_STRATUM,
                plans,
                [(_stratum_of(k), w) for _s, k, w in rows],
                weighted=state_weighted,
                weighted_on=FULL_STRATUM in margin_names,
                note=note,
            )
        )
    return tests


# --- Overall score, trend and the methodology -------------------------------------------------


@dataclass(frozen=True)
class OverallScore:
    estimate: Estimate | None  # None: no overall score answered
    weighted: bool
    stratified: bool
    item_text: str


def overall_score(campaign: Campaign) -> OverallScore:
    """The weighted mean of the overall score (0-10) over complete responses, weight 1 when the
    campaign is not weighted, stratified by the response's stratum when the design is."""
    state = weight_state(campaign)
    item = Item.objects.filter(version_id=campaign.version_id, kind=ItemKind.OVERALL).first()
    stratified = campaign.design in STRATIFIED
    if item is None:
        return OverallScore(None, state.weighted, stratified, "")
    rows = list(
        Response.objects.filter(
            campaign=campaign,
            completed_at__isnull=False,
            answers__item=item,
            answers__score__isnull=False,
        ).values_list("answers__score", "weight", "stratum")
    )
    values = [float(score) for score, _w, _s in rows]
    weights = [float(w) if state.weighted and w is not None else 1.0 for _v, w, _s in rows]
    labels = [_stratum_of(s) for _v, _w, s in rows] if stratified else None
    try:
        estimate: Estimate | None = weighted_mean(values, weights, labels)
    except EstimateError:
        estimate = None
    return OverallScore(estimate, state.weighted, stratified, item.text_nl)


@dataclass(frozen=True)
class Trend:
    previous: Campaign
    current: OverallScore
    before: OverallScore
    difference: Difference | None


def trend(campaign: Campaign, current: OverallScore | None = None) -> Trend | None:
    if campaign.previous_id is None:
        return None
    previous = Campaign.objects.select_related("version").get(pk=campaign.previous_id)
    now = current or overall_score(campaign)
    before = overall_score(previous)
    diff = None
    if now.estimate is not None and before.estimate is not None:
        diff = difference(now.estimate, before.estimate)
    return Trend(previous=previous, current=now, before=before, difference=diff)


@dataclass(frozen=True)
class Methodology:
    campaign: Campaign
    totals: ResponseTotals
    strata: list[StratumResponse]
    modes: list[ModeResponse]
    dropouts: list[DropoutPosition]
    weights: WeightState
    weighting_variables: list[str]
    weighting_method: str
    margin_of_error_pct: float | None
    overall: OverallScore
    representativeness: list[RepresentativenessTest]
    trend: Trend | None
    actions: list[tuple[str, str, int]]  # (status, label, count)
    cost_eur: Decimal | None
    cost_per_complete_eur: Decimal | None
    criteria: list[tuple[str, str]] = field(default_factory=list)

    @property
    def digital(self) -> int:
        return sum(m.complete for m in self.modes if m.mode == Mode.WEB)

    @property
    def physical(self) -> int:
        return sum(m.complete for m in self.modes if m.mode != Mode.WEB)

    @property
    def digital_pct(self) -> float | None:
        return _pct(self.digital, self.totals.complete)

    @property
    def physical_pct(self) -> float | None:
        return _pct(self.physical, self.totals.complete)

    @property
    def is_bureau(self) -> bool:
        return self.campaign.population_kind == PopulationKind.BUREAU

    @property
    def actions_total(self) -> int:
        return sum(count for _s, _l, count in self.actions)


def action_counts(campaign: Campaign) -> list[tuple[str, str, int]]:
    counts = dict(
        ImprovementAction.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [(s.value, str(s.label), counts.get(s.value, 0)) for s in ActionStatus]


def criteria_items(campaign: Campaign) -> list[tuple[str, str]]:
    """The population criteria as (name, value) lines (the bureau's reported numbers apart)."""
    items = []
    for key, value in sorted((campaign.population_criteria or {}).items()):
        if key == REPORTED_KEY:
            continue
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        items.append((str(key), text))
    return items


def methodology(campaign: Campaign) -> Methodology:
    """Everything the methodology page answers, computed from the stored rows."""
    strata = response_by_stratum(campaign)
    totals = response_totals(campaign, strata)
    weights = weight_state(campaign)
    variables = weighting_variables(campaign) if weights.weighted else []
    report = campaign.weighting_report or {}
    method = str(report.get("method", "")) if weights.weighted else ""
    moe = (
        margin_of_error_pct(weights.n_effective, totals.population)
        if weights.n_effective > 0
        else None
    )
    overall = overall_score(campaign)
    cost = campaign.cost_eur
    per_complete = (
        (cost / totals.complete).quantize(Decimal("0.01"))
        if cost is not None and totals.complete
        else None
    )
    return Methodology(
        campaign=campaign,
        totals=totals,
        strata=strata,
        modes=response_by_mode(campaign),
        dropouts=dropouts_by_position(campaign),
        weights=weights,
        weighting_variables=variables,
        weighting_method=method,
        margin_of_error_pct=moe if moe is not None and not math.isnan(moe) else None,
        overall=overall,
        representativeness=representativeness(campaign),
        trend=trend(campaign, overall),
        actions=action_counts(campaign),
        cost_eur=cost,
        cost_per_complete_eur=per_complete,
        criteria=criteria_items(campaign),
    )


def design_text(campaign: Campaign, reported: dict[str, Any] | None = None) -> str:
    """The design in a sentence, with the seed: "no self-selection" when drawn at random."""
    if campaign.population_kind == PopulationKind.BUREAU:
        reported = reported if reported is not None else bureau_reported(campaign)
        bureau = campaign.bureau or _("the bureau")
        if reported.get("design"):
            return _("As reported by %(bureau)s: %(design)s") % {
                "bureau": bureau,
                "design": reported["design"],
            }
        return _("Carried out by %(bureau)s; the bureau's file does not describe the design.") % {
            "bureau": bureau
        }
    if campaign.design == Design.CENSUS:
        base = _("A census: every member of the population was invited (no sample).")
    elif campaign.design == Design.SIMPLE_RANDOM:
        base = _("A simple random sample.")
    elif campaign.design == Design.STRATIFIED_PROPORTIONAL:
        base = _("A stratified random sample, proportional to the population per stratum.")
    else:
        base = _(
            "A stratified random sample with at least %(minimum)s units per stratum (small "
            "strata are over-represented; the weighting corrects for this)."
        ) % {"minimum": campaign.min_per_stratum or 0}
    if campaign.design == Design.CENSUS:
        return base + " " + _("No self-selection: nobody could sign up on their own.")
    if campaign.seed is None or campaign.drawn_at is None:
        return base + " " + _("The sample has not been drawn yet.")
    return (
        base
        + " "
        + _("No self-selection: the sample was drawn at random with seed %(seed)s.")
        % {"seed": campaign.seed}
    )
