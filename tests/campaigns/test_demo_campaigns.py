"""The survey campaigns' demo (issue 20 item 7): the source's counts (exact at scale 1, through
demo_counts at other scales), the weighted overall scores 8.2 and 6.8 recomputed from the stored
answers and weights and re-raked independently, the actions and the cost, and safe reruns."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import numpy as np
import pytest
from django.db.models import Sum

from kglijn.campaigns.analysis.estimates import weighted_mean
from kglijn.campaigns.analysis.weighting import rake
from kglijn.campaigns.demo import (
    ORGANISERS_CAMPAIGN,
    PARENTS_CAMPAIGN,
    allocate,
    campaigns_demo_load,
    campaigns_demo_run,
    demo_counts,
)
from kglijn.campaigns.models import (
    Answer,
    Campaign,
    ImprovementAction,
    Invitation,
    InvitationMail,
    Mode,
    PopulationCount,
    Response,
    ResponseSource,
    StratumPlan,
)
from kglijn.demo.users import demo_users_ensure

pytestmark = pytest.mark.django_db
SEED = 7
SMALL = 0.02


def test_the_counts_are_the_sources_at_scale_one() -> None:
    counts = demo_counts(1.0)
    assert (counts.parents_complete, counts.parents_dropouts) == (7525, 743)
    assert counts.organisers_invited > 2600
    assert counts.organisers_complete == 1445
    assert counts.organisers_invited == 2634
    small = demo_counts(SMALL)
    assert (small.parents_complete, small.parents_dropouts) == (150, 15)
    assert small.organisers_complete == 29
    tiny = demo_counts(0.0001)  # the floors keep every stratum populated
    assert tiny.parents_complete == 72
    assert tiny.organisers_complete == 24
    with pytest.raises(ValueError, match="positive"):
        demo_counts(0)


def test_allocate_respects_total_minimum_and_caps() -> None:
    result = allocate([100, 10, 1], 30, minimum=5)
    assert sum(result) == 30
    assert min(result) >= 5
    assert allocate([1, 1, 1], 10) == [4, 3, 3]
    assert allocate([10, 1], 5, caps=[2, 10]) == [2, 3]
    with pytest.raises(ValueError, match="cannot allocate"):
        allocate([1, 1], 5, caps=[2, 2])


def _overall(campaign: Campaign) -> tuple[list[float], list[float], list[dict[str, str]]]:
    rows = (
        Answer.objects.filter(
            response__campaign=campaign, response__completed_at__isnull=False, item__key="algemeen"
        )
        .order_by("response_id")
        .values_list("score", "response__weight", "response__strata")
    )
    scores, weights, strata = [], [], []
    for score, weight, values in rows:
        scores.append(float(score))
        weights.append(weight)
        strata.append(values)
    return scores, weights, strata


def _check_campaign(campaign: Campaign, target: float) -> None:
    scores, weights, strata = _overall(campaign)
    assert all(w is not None and w > 0 for w in weights)
    assert round(weighted_mean(scores, weights).mean, 1) == target
    # Re-rake independently over the stored margins: the same weights.
    margins: dict[str, dict[str, int]] = defaultdict(dict)
    for margin in PopulationCount.objects.filter(campaign=campaign):
        margins[margin.variable][margin.category] = margin.count
    again = rake(strata, margins).weights
    assert np.allclose(again, weights, rtol=1e-6)
    for variable, counts in margins.items():  # every margin reproduced to 0.1 %
        for category, count in counts.items():
            weighted = sum(
                w for w, s in zip(weights, strata, strict=True) if s[variable] == category
            )
            assert abs(weighted - count) <= 0.001 * count
    report = campaign.weighting_report
    assert report["method"] == "raking"
    assert report["n"] == len(scores)
    assert report["variables"] == list(campaign.weighting_variables)
    assert campaign.weighted_at is not None


def _check_demo(scale: float) -> None:
    counts = demo_counts(scale)
    parents = Campaign.objects.get(name=PARENTS_CAMPAIGN)
    organisers = Campaign.objects.get(name=ORGANISERS_CAMPAIGN)
    responses = Response.objects.filter(campaign=parents)
    assert responses.filter(completed_at__isnull=False).count() == counts.parents_complete
    assert responses.filter(completed_at__isnull=True).count() == counts.parents_dropouts
    assert set(responses.values_list("source", flat=True)) == {ResponseSource.APP}
    assert set(responses.values_list("mode", flat=True)) == {Mode.WEB, Mode.PHONE}
    assert Invitation.objects.filter(campaign=parents).count() == counts.parents_sample
    plan = StratumPlan.objects.filter(campaign=parents)
    assert plan.count() == 36
    assert plan.aggregate(n=Sum("sample"))["n"] == counts.parents_sample
    assert min(plan.values_list("sample", flat=True)) >= counts.parents_min_per_stratum
    assert not responses.filter(completed_at__isnull=True, weight__isnull=False).exists()
    assert (
        InvitationMail.objects.filter(invitation__campaign=parents, sequence=0).count()
        == counts.parents_sample
    )
    bureau = Response.objects.filter(campaign=organisers)
    assert bureau.filter(completed_at__isnull=False).count() == counts.organisers_complete
    assert set(bureau.values_list("source", flat=True)) == {ResponseSource.BUREAU}
    invited = StratumPlan.objects.filter(campaign=organisers).aggregate(n=Sum("sample"))["n"]
    assert invited == organisers.sample_size == counts.organisers_invited
    _check_campaign(parents, 8.2)
    _check_campaign(organisers, 6.8)
    assert sum(c.cost_eur or 0 for c in Campaign.objects.all()) == Decimal("81957")
    actions = ImprovementAction.objects.select_related("owner")
    assert actions.count() == 5
    assert {a.owner.username for a in actions} == {"lead", "infomanager", "klantenbeheer1"}
    assert {a.theme_key for a in actions.filter(campaign=parents)} == {
        "portaal-kg-lijn",
        "consultatiebureau",
        "informatie-advies",
    }
    next_parents = Campaign.objects.get(previous=parents)
    from kglijn.campaigns.actions.services import actions_by_theme_key

    assert set(actions_by_theme_key(next_parents)) == {
        "portaal-kg-lijn",
        "consultatiebureau",
        "informatie-advies",
    }


def test_a_small_demo_and_its_rerun() -> None:
    demo_users_ensure()
    summary = campaigns_demo_load(seed=SEED, years=(2023,), scale=SMALL)
    assert "150 complete + 15 drop-outs" in summary
    _check_demo(SMALL)
    before = sorted(
        Answer.objects.filter(response__campaign__name=PARENTS_CAMPAIGN).values_list(
            "item__key", "satisfaction", "score", "choice"
        )
    )
    campaigns_demo_run(seed=SEED, scale=SMALL)  # replaces its own rows, same result
    _check_demo(SMALL)
    assert Campaign.objects.count() == 4
    assert before == sorted(
        Answer.objects.filter(response__campaign__name=PARENTS_CAMPAIGN).values_list(
            "item__key", "satisfaction", "score", "choice"
        )
    )


def test_the_full_scale_demo_has_the_sources_counts_and_scores() -> None:
    demo_users_ensure()
    result = campaigns_demo_run(seed=SEED, scale=1.0)
    assert round(result.parents_score, 1) == 8.2
    assert round(result.organisers_score, 1) == 6.8
    _check_demo(1.0)
    parents = Campaign.objects.get(name=PARENTS_CAMPAIGN)
    assert Response.objects.filter(campaign=parents, completed_at__isnull=False).count() == 7525
    assert Response.objects.filter(campaign=parents, completed_at__isnull=True).count() == 743
    organisers = Campaign.objects.get(name=ORGANISERS_CAMPAIGN)
    assert Response.objects.filter(campaign=organisers, completed_at__isnull=False).count() == 1445
    assert organisers.sample_size is not None
    assert organisers.sample_size > 2600
