"""Issue 20 item 4: weighted means, standard errors, intervals, design effects and the
comparison, each against an independent computation written here from the formulas (plain
loops and closed forms, never estimates.py's own code)."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from statistics import NormalDist

import pytest

from kglijn.campaigns.analysis.estimates import difference, weighted_mean
from kglijn.campaigns.analysis.services import campaign_results, campaign_weights_compute
from kglijn.campaigns.models import Answer, Design, Response
from tests.campaigns.analysis_world import NOW, build_campaign

Z = NormalDist().inv_cdf(0.975)


def linearised(values: list[float], weights: list[float], strata: list[str] | None) -> dict:
    """The Taylor-linearised variance of the ratio mean, as a textbook loop:
    u_i = w_i (y_i - ybar) / W; V = sum_h n_h/(n_h-1) sum_i (u_i - mean_h(u))^2."""
    W = 0.0
    S = 0.0
    for y, w in zip(values, weights, strict=True):
        W += w
        S += w * y
    mean = S / W
    groups: dict[str, list[float]] = defaultdict(list)
    for index, (y, w) in enumerate(zip(values, weights, strict=True)):
        label = strata[index] if strata else "all"
        groups[label].append(w * (y - mean) / W)
    variance = 0.0
    for us in groups.values():
        nh = len(us)
        if nh < 2:
            continue
        ubar = sum(us) / nh
        variance += nh / (nh - 1) * sum((u - ubar) ** 2 for u in us)
    n = len(values)
    s2 = sum(w * (y - mean) ** 2 for y, w in zip(values, weights, strict=True)) / W * n / (n - 1)
    return {
        "mean": mean,
        "se": math.sqrt(variance),
        "deff": variance / (s2 / n),
        "kish": n * sum(w * w for w in weights) / W**2,
    }


def test_weighted_stratified_mean_matches_a_loop_implementation() -> None:
    rng = random.Random(11)
    values = [float(rng.randint(0, 10)) for _ in range(240)]
    weights = [rng.uniform(5, 60) for _ in range(240)]
    strata = [rng.choice(["a", "b", "c", "d"]) for _ in range(240)]
    expected = linearised(values, weights, strata)
    estimate = weighted_mean(values, weights, strata)
    assert estimate.mean == pytest.approx(expected["mean"], rel=1e-12)
    assert estimate.se == pytest.approx(expected["se"], rel=1e-10)
    assert estimate.ci_low == pytest.approx(expected["mean"] - Z * expected["se"], rel=1e-10)
    assert estimate.ci_high == pytest.approx(expected["mean"] + Z * expected["se"], rel=1e-10)
    assert estimate.deff == pytest.approx(expected["deff"], rel=1e-10)
    assert estimate.deff_weights == pytest.approx(expected["kish"], rel=1e-12)
    assert estimate.n_effective == pytest.approx(240 / expected["kish"], rel=1e-12)
    assert estimate.n == 240


def test_equal_weights_without_strata_is_the_simple_random_sample_case() -> None:
    # closed form: SE = s / sqrt(n), deff = 1
    values = [3.0, 7.0, 8.0, 9.0, 5.0, 10.0, 6.0, 8.0]
    n = len(values)
    mean = sum(values) / n
    s = math.sqrt(sum((y - mean) ** 2 for y in values) / (n - 1))
    estimate = weighted_mean(values, [4.0] * n)
    assert estimate.mean == pytest.approx(7.0)
    assert estimate.se == pytest.approx(s / math.sqrt(n), rel=1e-12)
    assert estimate.deff == pytest.approx(1.0, rel=1e-12)
    assert estimate.deff_weights == pytest.approx(1.0)
    assert estimate.ci_low == pytest.approx(7.0 - Z * s / math.sqrt(n))


def test_stratified_sample_with_expansion_weights_is_the_textbook_formula() -> None:
    # V(ybar_st) = sum_h (N_h / N)^2 s_h^2 / n_h when w_i = N_h / n_h (with replacement)
    strata_values = {
        "ant": [6.0, 8.0, 9.0, 7.0, 5.0],
        "lim": [9.0, 10.0, 8.0],
        "ovl": [4.0, 6.0, 7.0, 8.0, 8.0, 9.0],
    }
    population = {"ant": 5000, "lim": 1500, "ovl": 3500}
    N = sum(population.values())
    values, weights, strata = [], [], []
    expected_mean = 0.0
    expected_variance = 0.0
    for h, ys in strata_values.items():
        nh = len(ys)
        mean_h = sum(ys) / nh
        s2_h = sum((y - mean_h) ** 2 for y in ys) / (nh - 1)
        expected_mean += population[h] / N * mean_h
        expected_variance += (population[h] / N) ** 2 * s2_h / nh
        values += ys
        weights += [population[h] / nh] * nh
        strata += [h] * nh
    estimate = weighted_mean(values, weights, strata)
    assert estimate.mean == pytest.approx(expected_mean, rel=1e-12)
    assert estimate.se == pytest.approx(math.sqrt(expected_variance), rel=1e-10)


def test_the_comparison_is_a_two_sided_z_test_by_hand() -> None:
    current = weighted_mean([8.0, 9.0, 7.0, 8.0, 10.0, 9.0], [1.0] * 6)
    previous = weighted_mean([6.0, 7.0, 8.0, 6.0, 7.0, 5.0, 8.0], [1.0] * 7)
    # by hand: means 8.5 and 6.714..., SE^2 = s^2 / n
    se_c2 = sum((y - 8.5) ** 2 for y in [8, 9, 7, 8, 10, 9]) / 5 / 6
    prev = [6, 7, 8, 6, 7, 5, 8]
    m_p = sum(prev) / 7
    se_p2 = sum((y - m_p) ** 2 for y in prev) / 6 / 7
    z = (8.5 - m_p) / math.sqrt(se_c2 + se_p2)
    p = 2 * (1 - NormalDist().cdf(abs(z)))
    change = difference(current, previous)
    assert change.difference == pytest.approx(8.5 - m_p)
    assert change.z == pytest.approx(z, rel=1e-10)
    assert change.p_value == pytest.approx(p, rel=1e-8)
    assert change.significant is (p < 0.05)
    assert change.significant is True


@pytest.mark.django_db
def test_campaign_results_equal_an_independent_computation_on_the_stored_answers() -> None:
    # given a weighted, stratified campaign
    campaign, version = build_campaign(n=220, design=Design.STRATIFIED_MINIMUM)
    campaign_weights_compute(campaign, now=NOW)
    results = campaign_results(campaign)
    assert results.weighted is True
    assert results.stratified is True
    # the overall score from the stored rows, computed here
    weight = {}
    stratum = {}
    for pk, w, s in Response.objects.filter(
        campaign=campaign, completed_at__isnull=False
    ).values_list("pk", "weight", "stratum"):
        weight[pk] = w
        stratum[pk] = s
    overall = list(
        Answer.objects.filter(item=version.overall, response__campaign=campaign).values_list(
            "response_id", "score"
        )
    )
    ids = [rid for rid, _ in overall]
    expected = linearised(
        [float(score) for _, score in overall], [weight[i] for i in ids], [stratum[i] for i in ids]
    )
    assert results.overall is not None
    assert results.overall.mean == pytest.approx(expected["mean"], rel=1e-10)
    assert results.overall.se == pytest.approx(expected["se"], rel=1e-8)
    assert results.overall.deff == pytest.approx(expected["deff"], rel=1e-8)
    # a theme: each respondent's mean of their answered items in it
    theme_items = [item.pk for item in version.rated["website"]]
    per: dict[int, list[int]] = defaultdict(list)
    for rid, sat in Answer.objects.filter(item_id__in=theme_items).values_list(
        "response_id", "satisfaction"
    ):
        per[rid].append(sat)
    ids = sorted(per)
    expected = linearised(
        [sum(per[i]) / len(per[i]) for i in ids],
        [weight[i] for i in ids],
        [stratum[i] for i in ids],
    )
    website = next(t for t in results.themes if t.theme.key == "website")
    assert website.satisfaction is not None
    assert website.satisfaction.mean == pytest.approx(expected["mean"], rel=1e-10)
    assert website.satisfaction.se == pytest.approx(expected["se"], rel=1e-8)


@pytest.mark.django_db
def test_a_respondent_without_answers_in_a_theme_is_left_out_of_it() -> None:
    campaign, version = build_campaign(n=40, margins=None)
    first = Response.objects.filter(campaign=campaign).order_by("pk").first()
    assert first is not None
    # one item of the theme unanswered: their theme value is the other item's score
    Answer.objects.filter(response=first, item=version.rated["website"][0]).update(
        satisfaction=None
    )
    # another respondent answers nothing in the theme
    second = Response.objects.filter(campaign=campaign).order_by("pk")[1]
    Answer.objects.filter(response=second, item__in=version.rated["website"]).update(
        satisfaction=None
    )
    results = campaign_results(campaign)
    website = next(t for t in results.themes if t.theme.key == "website")
    assert website.satisfaction is not None
    assert website.satisfaction.n == 39
    values = []
    for response in Response.objects.filter(campaign=campaign, completed_at__isnull=False):
        scores = [
            a.satisfaction
            for a in Answer.objects.filter(response=response, item__in=version.rated["website"])
            if a.satisfaction is not None
        ]
        if scores:
            values.append(sum(scores) / len(scores))
    assert website.satisfaction.mean == pytest.approx(sum(values) / len(values))
    item = website.items[0]
    assert item.satisfaction is not None
    assert item.satisfaction.n == 38


@pytest.mark.django_db
def test_comparison_with_the_previous_campaign_matches_themes_by_key() -> None:
    previous, _v1 = build_campaign(name="Ouders 2019", seed=5, shift=-1.0, n=150)
    campaign, _v2 = build_campaign(name="Ouders 2023", seed=6, previous=previous, n=150)
    results = campaign_results(campaign)
    before = campaign_results(previous)
    assert results.overall_change is not None
    assert results.overall is not None
    assert before.overall is not None
    hand = (results.overall.mean - before.overall.mean) / math.sqrt(
        results.overall.se**2 + before.overall.se**2
    )
    assert results.overall_change.difference.z == pytest.approx(hand)
    for theme in results.themes:
        old = next(t for t in before.themes if t.theme.key == theme.theme.key)
        assert theme.theme.pk != old.theme.pk  # another version: matched by key
        assert theme.change is not None
        assert old.satisfaction is not None
        assert theme.change.previous.mean == pytest.approx(old.satisfaction.mean)
        assert theme.change.significant
        assert theme.change.direction == "up"
