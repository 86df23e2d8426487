"""Issue 20 item 4: raking and post-stratification weights, and what happens when they cannot
be computed (the weights are cleared, the problems named in Dutch)."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest

from kglijn.campaigns.analysis.services import campaign_results, campaign_weights_compute
from kglijn.campaigns.analysis.weighting import WeightingError, rake
from kglijn.campaigns.models import PopulationCount, Response
from tests.campaigns.analysis_world import MARGINS, NOW, build_campaign

REPORT_KEYS = {
    "method",
    "variables",
    "n",
    "efficiency_pct",
    "deff_weights",
    "max_relative_error",
    "errors",
}


def _weighted_counts(campaign_id: int, variable: str) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for strata, weight in Response.objects.filter(
        campaign_id=campaign_id, completed_at__isnull=False
    ).values_list("strata", "weight"):
        totals[strata[variable]] += weight
    return totals


def test_raking_reproduces_every_margin_of_a_random_world() -> None:
    # given a random world of 400 respondents drawn unlike the population on three margins
    rng = random.Random(7)
    margins = {
        "region": {"a": 5000, "b": 3000, "c": 2000},
        "age": {"young": 2500, "middle": 4500, "old": 3000},
        "sex": {"f": 5200, "m": 4800},
    }
    rows = [
        {
            "region": rng.choices("abc", weights=[1, 3, 6])[0],
            "age": rng.choices(["young", "middle", "old"], weights=[5, 3, 2])[0],
            "sex": rng.choices("fm", weights=[7, 3])[0],
        }
        for _ in range(400)
    ]
    # when raked
    result = rake(rows, margins)
    # then every category's weighted count is its population count to 0.1 %
    for variable, counts in margins.items():
        for category, count in counts.items():
            weighted = sum(
                w for w, row in zip(result.weights, rows, strict=True) if row[variable] == category
            )
            assert weighted == pytest.approx(count, rel=0.001), (variable, category)
    assert result.max_relative_error <= 0.001
    assert sum(result.weights) == pytest.approx(10_000)


@pytest.mark.django_db
def test_campaign_weights_reproduce_the_stored_margins_and_report_them() -> None:
    # given a campaign with 3 margins in PopulationCount and 300 complete responses + drop-outs
    campaign, _version = build_campaign(n=300, dropouts=12)
    # when the weights are computed
    report = campaign_weights_compute(campaign, now=NOW)
    # then the report has exactly the model's keys and says raking over the three variables
    assert set(report) == REPORT_KEYS
    assert report["method"] == "raking"
    assert report["variables"] == ["age", "language", "province"]
    assert report["n"] == 300
    assert report["errors"] == []
    campaign.refresh_from_db()
    assert campaign.weighted_at == NOW
    assert campaign.weighting_report == report
    # and every margin is reproduced to 0.1 %
    for variable, counts in MARGINS.items():
        weighted = _weighted_counts(campaign.pk, variable)
        for category, count in counts.items():
            assert weighted[category] == pytest.approx(count, rel=0.001), (variable, category)
    # and drop-outs get no weight
    assert not Response.objects.filter(campaign=campaign, completed_at__isnull=True).exclude(
        weight=None
    )
    # and the efficiency and Kish's deff agree with the stored weights
    weights = list(
        Response.objects.filter(campaign=campaign, completed_at__isnull=False).values_list(
            "weight", flat=True
        )
    )
    n = len(weights)
    kish = n * sum(w * w for w in weights) / sum(weights) ** 2
    assert report["deff_weights"] == pytest.approx(kish, rel=1e-5)
    assert report["efficiency_pct"] == pytest.approx(100 / kish, rel=1e-5)


@pytest.mark.django_db
def test_one_margin_is_post_stratification_n_h_over_n_h() -> None:
    # given a campaign weighted on the province alone
    campaign, _version = build_campaign(n=250)
    campaign.weighting_variables = ["province"]
    campaign.save()
    # when the weights are computed
    report = campaign_weights_compute(campaign, now=NOW)
    # then it is post-stratification and every weight is N_h / n_h of its province
    assert report["method"] == "post-stratification"
    assert report["variables"] == ["province"]
    rows = list(
        Response.objects.filter(campaign=campaign, completed_at__isnull=False).values_list(
            "strata", "weight"
        )
    )
    sampled = Counter(strata["province"] for strata, _w in rows)
    for strata, weight in rows:
        province = strata["province"]
        assert weight == pytest.approx(MARGINS["province"][province] / sampled[province])


@pytest.mark.django_db
def test_a_category_without_respondents_clears_the_weights_and_names_it() -> None:
    # given a campaign that was weighted, then a population category nobody answered from
    campaign, _version = build_campaign(n=200)
    campaign_weights_compute(campaign, now=NOW)
    assert not Response.objects.filter(campaign=campaign, completed_at__isnull=False, weight=None)
    PopulationCount.objects.filter(campaign=campaign, variable="province").delete()
    PopulationCount.objects.bulk_create(
        PopulationCount(campaign=campaign, variable="province", category=c, count=k)
        for c, k in {**MARGINS["province"], "HENE": 0, "BXL": 400}.items()
    )
    PopulationCount.objects.filter(campaign=campaign, variable="province", category="ANT").update(
        count=2600
    )
    # when the weights are computed again
    report = campaign_weights_compute(campaign, now=NOW)
    # then every weight is cleared and the problem names the variable and the category, in Dutch
    assert set(report) == {"errors"}
    assert report["errors"] == ["province = BXL: populatie 400, maar geen enkele respondent"]
    assert not Response.objects.filter(campaign=campaign).exclude(weight=None).exists()
    campaign.refresh_from_db()
    assert campaign.weighted_at is None
    assert campaign.weighting_report == report
    # and the results fall back to weight 1, marked unweighted
    assert campaign_results(campaign).weighted is False


@pytest.mark.django_db
def test_a_respondent_category_the_population_lacks_is_named() -> None:
    campaign, _version = build_campaign(n=120)
    PopulationCount.objects.filter(
        campaign=campaign, variable="language", category="other"
    ).delete()
    PopulationCount.objects.filter(campaign=campaign, variable="language", category="nl").update(
        count=10_000
    )
    report = campaign_weights_compute(campaign, now=NOW)
    assert len(report["errors"]) == 1
    assert report["errors"][0].startswith("language = other: ")
    assert (
        "respondenten, maar die categorie ontbreekt in de populatiegegevens"
        in (report["errors"][0])
    )


@pytest.mark.django_db
def test_a_campaign_without_margins_stays_unweighted() -> None:
    # given a campaign without population counts
    campaign, _version = build_campaign(n=60, margins=None)
    # when the weights are computed
    report = campaign_weights_compute(campaign, now=NOW)
    # then no weight is set (never a silent weight 1) and the report says why
    assert report == {"errors": ["geen populatiegegevens"]}
    assert not Response.objects.filter(campaign=campaign).exclude(weight=None).exists()
    results = campaign_results(campaign)
    assert results.weighted is False
    assert results.overall is not None
    assert results.overall.deff_weights == pytest.approx(1.0)


@pytest.mark.django_db
def test_an_unknown_weighting_variable_is_refused_by_name() -> None:
    campaign, _version = build_campaign(n=60)
    campaign.weighting_variables = ["province", "mode"]
    campaign.save()
    report = campaign_weights_compute(campaign, now=NOW)
    assert report == {"errors": ["mode: geen populatiegegevens"]}


def test_margins_that_add_up_differently_are_refused() -> None:
    rows = [{"a": "x", "b": "y"}, {"a": "z", "b": "y"}]
    with pytest.raises(WeightingError) as caught:
        rake(rows, {"a": {"x": 5, "z": 5}, "b": {"y": 11}})
    assert [problem.kind for problem in caught.value.details] == ["totals_differ"]
