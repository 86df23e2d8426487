"""The monitoring services against figures recomputed here from the stored rows."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from scipy import stats

from kglijn.campaigns.models import (
    Invitation,
    InvitationMail,
    InvitationStatus,
    Mode,
    Response,
    StratumPlan,
)
from kglijn.campaigns.monitoring import services
from tests.campaigns.monitoring_world import (
    MARGINS,
    PLAN,
    build_bureau_world,
    build_campaign_world,
)

pytestmark = pytest.mark.django_db


def _by_stratum(rows: list[services.StratumResponse]) -> dict[str, services.StratumResponse]:
    return {row.stratum: row for row in rows}


def test_response_per_stratum_recomputes_from_the_rows() -> None:
    world = build_campaign_world()
    campaign = world.campaign
    rows = _by_stratum(services.response_by_stratum(campaign))
    plans = {p.stratum: p for p in StratumPlan.objects.filter(campaign=campaign)}
    assert set(rows) == set(plans)
    sent_invitations = {
        mail.invitation_id
        for mail in InvitationMail.objects.filter(invitation__campaign=campaign)
        if mail.sent_at is not None
    }
    for key, plan in plans.items():
        row = rows[key]
        invitations = list(Invitation.objects.filter(campaign=campaign, unit__stratum=key))
        responses = list(Response.objects.filter(campaign=campaign, stratum=key))
        complete = sum(1 for r in responses if r.completed_at is not None)
        dropouts = sum(1 for r in responses if r.completed_at is None)
        invited = sum(1 for i in invitations if i.pk in sent_invitations)
        opted = sum(1 for i in invitations if i.status == InvitationStatus.OPTED_OUT)
        assert (row.population, row.sample) == (plan.population, plan.sample)
        assert (row.invited, row.complete, row.dropouts, row.opted_out) == (
            invited,
            complete,
            dropouts,
            opted,
        )
        assert row.response_rate_pct == pytest.approx(100 * complete / plan.sample)
        assert row.invited_rate_pct == pytest.approx(100 * complete / invited)
        assert row.below_minimum == (100 * complete / plan.sample < 30)
    # The world's plan, spelled out: only VBR 0-1 (4 of 20 = 20 %) is below the 30 % minimum.
    flagged = [key for key, row in rows.items() if row.below_minimum]
    assert flagged == ["province=VBR | age=0-1"]
    assert rows["province=ANT | age=0-1"].invited == 38  # 40 drawn, 2 mails never sent
    assert rows["province=ANT | age=0-1"].response_rate_pct == pytest.approx(50.0)


def test_the_minimum_moves_the_flag() -> None:
    campaign = build_campaign_world().campaign
    campaign.min_response_rate_pct = 45
    campaign.save(update_fields=["min_response_rate_pct"])
    flagged = {r.stratum for r in services.response_by_stratum(campaign) if r.below_minimum}
    assert flagged == {"province=ANT | age=2-3", "province=VBR | age=0-1"}  # 40 % and 20 %
    campaign.min_response_rate_pct = 0
    campaign.save(update_fields=["min_response_rate_pct"])
    assert not any(r.below_minimum for r in services.response_by_stratum(campaign))


def test_totals_modes_and_dropouts() -> None:
    campaign = build_campaign_world().campaign
    totals = services.response_totals(campaign)
    complete = sum(plan[2] for plan in PLAN.values())
    dropouts = sum(plan[3] for plan in PLAN.values())
    sample = sum(plan[1] for plan in PLAN.values())
    assert totals.population == sum(plan[0] for plan in PLAN.values())
    assert (totals.sample, totals.complete, totals.dropouts) == (sample, complete, dropouts)
    assert totals.invited == sample - sum(plan[4] for plan in PLAN.values())
    assert totals.response_rate_pct == pytest.approx(100 * complete / sample)
    assert totals.response_rate_basis == "sample"
    assert totals.strata_below_minimum == 1

    modes = {m.mode: m for m in services.response_by_mode(campaign)}
    stored = Counter(
        Response.objects.filter(campaign=campaign, completed_at__isnull=False).values_list(
            "mode", flat=True
        )
    )
    assert {k: m.complete for k, m in modes.items()} == {
        mode.value: stored.get(mode.value, 0) for mode in Mode
    }
    assert sum(m.share_pct or 0 for m in modes.values()) == pytest.approx(100)
    assert modes["web"].share_pct == pytest.approx(100 * stored["web"] / complete)

    positions = services.dropouts_by_position(campaign)
    expected = Counter(
        Response.objects.filter(campaign=campaign, completed_at__isnull=True).values_list(
            "last_position", flat=True
        )
    )
    assert {p.position: p.dropouts for p in positions} == dict(expected)
    assert positions[0].position is None  # before the first item comes first
    texts = {p.position: p.item_text for p in positions}
    assert texts[2] == "Hoe tevreden ben je over de openingsuren van het consultatiebureau?"
    assert sum(p.share_pct or 0 for p in positions) == pytest.approx(100)


def _chi2_by_hand(observed: Sequence[float], expected: Sequence[float]) -> float:
    return sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))


def test_representativeness_chi_square_by_hand_and_scipy() -> None:
    campaign = build_campaign_world().campaign
    tests = {t.variable: t for t in services.representativeness(campaign)}
    assert list(tests) == ["province", "age", services.FULL_STRATUM]
    rows = list(
        Response.objects.filter(campaign=campaign, completed_at__isnull=False).values_list(
            "strata", "weight"
        )
    )
    n = len(rows)
    for variable, counts in MARGINS.items():
        test = tests[variable]
        big_n = sum(counts.values())
        observed = [sum(1 for s, _w in rows if s[variable] == c) for c in counts]
        expected = [n * counts[c] / big_n for c in counts]
        assert all(e >= 5 for e in expected)  # nothing pooled in this world
        chi2 = _chi2_by_hand(observed, expected)
        assert test.chi2 == pytest.approx(chi2)
        assert test.chi2 == pytest.approx(stats.chisquare(observed, expected).statistic)
        assert test.df == len(counts) - 1
        assert test.p_value == pytest.approx(float(stats.chi2.sf(chi2, len(counts) - 1)))
        weight_total = sum(w or 0.0 for _s, w in rows)
        for category, share in zip(test.categories, observed, strict=True):
            assert category.population_share_pct == pytest.approx(
                100 * counts[category.category] / big_n
            )
            assert category.respondent_share_pct == pytest.approx(100 * share / n)
            weighted = sum(w or 0.0 for s, w in rows if s[variable] == category.category)
            assert category.weighted_share_pct == pytest.approx(100 * weighted / weight_total)
            # Post-stratified to the strata, the weights reproduce every margin.
            assert category.weighted_share_pct == pytest.approx(category.population_share_pct)
        assert test.weighted_on
    # The full stratum: expected 16.4, 12.3, 8.2 and 4.1 (41 × N_h / 1000); VBR 2-3 (4.1 < 5)
    # is pooled with the smallest other cell, VBR 0-1: three groups, 2 df.
    full = tests[services.FULL_STRATUM]
    assert [c.expected for c in full.categories] == pytest.approx([16.4, 12.3, 8.2, 4.1])
    assert full.pooled == ["province=VBR | age=0-1", "province=VBR | age=2-3"]
    observed = [20, 12, 4 + 5]
    expected = [16.4, 12.3, 8.2 + 4.1]
    assert full.chi2 == pytest.approx(_chi2_by_hand(observed, expected))
    assert full.chi2 == pytest.approx(stats.chisquare(observed, expected).statistic)
    assert full.df == 2


def test_small_expected_counts_are_pooled() -> None:
    # Expected 0.5, 1.5 and 3 are pooled (5.0); 20 and 25 stay on their own.
    assert services.pool_groups([20, 0.5, 1.5, 3, 25]) == [[0], [4], [1, 2, 3]]
    # A pool still below 5 takes in the smallest remaining category.
    assert services.pool_groups([20, 1, 2, 6, 30]) == [[0], [4], [1, 2, 3]]
    assert services.pool_groups([2, 1]) == [[0, 1]]  # one group: no test


def test_pooled_test_in_the_data() -> None:
    campaign = build_bureau_world()
    (test,) = services.representativeness(campaign)
    # 32 respondents: groep 22, gezins 8, school 2 against 120/60/20 of 200:
    # expected 19.2, 9.6 and 3.2: "school" (3.2) is pooled with the smallest other (gezins).
    assert [c.category for c in test.categories] == ["gezins", "groep", "school"]
    assert test.pooled == ["gezins", "school"]
    observed, expected = [22, 8 + 2], [19.2, 9.6 + 3.2]
    assert test.groups == 2
    assert test.df == 1
    assert test.chi2 == pytest.approx(_chi2_by_hand(observed, expected))
    assert test.p_value == pytest.approx(float(stats.chisquare(observed, expected).pvalue))
    assert test.categories[2].expected == pytest.approx(3.2)


def test_verdicts() -> None:
    differ = "De respondenten wijken significant af van de populatie (p < 0,05); "
    assert services._verdict(0.01, True, True) == differ + "de weging corrigeert hiervoor."
    assert "niet rechtstreeks op deze variabele" in services._verdict(0.01, True, False)
    assert services._verdict(0.01, False, False) == differ + "de resultaten zijn niet gewogen."
    assert services._verdict(0.05, True, True) == (
        "De respondenten wijken niet significant af van de populatie (p ≥ 0,05)."
    )
    assert services._verdict(None, True, True).startswith("Te weinig respondenten")
    campaign = build_campaign_world().campaign
    tests = {t.variable: t for t in services.representativeness(campaign)}
    full = tests[services.FULL_STRATUM]
    assert full.verdict == services._verdict(full.p_value, True, False)


def test_unweighted_campaign() -> None:
    campaign = build_campaign_world(weighted=False).campaign
    state = services.weight_state(campaign)
    assert not state.weighted
    assert state.deff_weights == 1.0
    assert state.n_effective == state.complete == 41
    for test in services.representativeness(campaign):
        assert all(c.weighted_share_pct is None for c in test.categories)
        assert not test.weighted_on
        if test.significant:
            assert test.verdict.endswith("de resultaten zijn niet gewogen.")
    report = services.methodology(campaign)
    assert report.weighting_variables == []
    assert report.weighting_method == ""
    n, big_n = 41, 1000
    moe = 100 * 1.959963984540054 * math.sqrt(0.25 / n * (big_n - n) / (big_n - 1))
    assert report.margin_of_error_pct == pytest.approx(moe)


def test_outdated_weights_count_as_unweighted() -> None:
    campaign = build_campaign_world().campaign
    one = Response.objects.filter(campaign=campaign, completed_at__isnull=False).first()
    assert one is not None
    Response.objects.filter(pk=one.pk).update(weight=None)
    state = services.weight_state(campaign)
    assert state.outdated
    assert not state.weighted
    assert state.with_weight == state.complete - 1


def test_bureau_campaign_without_a_plan() -> None:
    campaign = build_bureau_world()
    rows = services.response_by_stratum(campaign)
    assert [r.stratum for r in rows] == ["type=gezins", "type=groep", "type=school"]
    assert all(r.population is None and r.sample is None for r in rows)
    assert all(r.response_rate_pct is None and not r.below_minimum for r in rows)
    assert {r.stratum: (r.complete, r.dropouts) for r in rows} == {
        "type=gezins": (8, 0),
        "type=groep": (22, 1),
        "type=school": (2, 0),
    }
    totals = services.response_totals(campaign)
    assert totals.population == 200
    assert totals.population_source == "margins"
    assert totals.sample is None
    assert totals.invited == 0
    assert totals.reported == {"invited": 60, "design": "census of all organisers by mail"}
    assert totals.response_rate_basis == "reported_invited"
    assert totals.response_rate_pct == pytest.approx(100 * 32 / 60)
    assert "census of all organisers" in services.design_text(campaign)


def test_bureau_reported_ignores_what_is_not_a_count() -> None:
    campaign = build_bureau_world()
    campaign.population_criteria = {
        "reported": {"invited": "2600", "sample": -4, "complete": True, "dropouts": 743}
    }
    assert services.bureau_reported(campaign) == {"dropouts": 743}
    campaign.population_criteria = {"reported": ["not", "a", "dict"]}
    assert services.bureau_reported(campaign) == {}


def _weighted_mean_by_hand(
    values: list[float], weights: Sequence[float | None], strata: list[str] | None
) -> dict[str, Any]:
    """ȳ = Σwy/Σw; V = Σ_h n_h/(n_h−1) Σ (z − z̄_h)² with z = w(y − ȳ)/Σw (docs/campaigns.md)."""
    y, w = np.array(values), np.array(weights, dtype=float)
    total = w.sum()
    mean = float((w * y).sum() / total)
    z = w * (y - mean) / total
    labels = strata or ["all"] * len(values)
    variance = 0.0
    for label in set(labels):
        zh = np.array([z[i] for i in range(len(z)) if labels[i] == label])
        if len(zh) > 1:
            variance += len(zh) / (len(zh) - 1) * float(((zh - zh.mean()) ** 2).sum())
    se = math.sqrt(variance)
    return {
        "mean": mean,
        "low": mean - 1.959963984540054 * se,
        "high": mean + 1.959963984540054 * se,
    }


def test_overall_score_recomputes_from_the_answers() -> None:
    world = build_campaign_world()
    rows = list(
        Response.objects.filter(
            campaign=world.campaign,
            completed_at__isnull=False,
            answers__item=world.items["totaal"],
        ).values_list("answers__score", "weight", "stratum")
    )
    by_hand = _weighted_mean_by_hand(
        [float(s) for s, _w, _k in rows], [w for _s, w, _k in rows], [k for _s, _w, k in rows]
    )
    overall = services.overall_score(world.campaign)
    assert overall.estimate is not None
    assert overall.stratified
    assert overall.weighted
    assert overall.estimate.mean == pytest.approx(by_hand["mean"])
    assert overall.estimate.ci_low == pytest.approx(by_hand["low"])
    assert overall.estimate.ci_high == pytest.approx(by_hand["high"])
