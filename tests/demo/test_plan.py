"""The demo's plan: exact counts from the source tables, computed without a database."""

from __future__ import annotations

import json

import pytest

from kglijn.contacts.catalogue_seed import INITIAL_REFERRALS
from kglijn.core.provinces import province_for_postcode
from kglijn.demo.figures import SEED_FIGURES_PATH, top_referrals_2023, year_figures
from kglijn.demo.plan import (
    REFERRAL_WEIGHTS,
    apportion_shares,
    largest_remainder,
    parse_years,
    rounded_share,
    scaled,
    year_plan,
)
from kglijn.demo.vocabulary import POSTCODES

SOURCE = json.loads(SEED_FIGURES_PATH.read_text(encoding="utf-8"))
YEARS = [2019, 2020, 2021, 2022, 2023]
# The documented deviations (docs/demo.md): the only cells that differ from the table.
DEVIATIONS = {
    (2019, "province", ""): 37.41,  # 2019 adds up to 97.59 %: the missing 2.41 % not registered
    (2022, "topic", "childcare"): 19.06,  # 2022 adds up to 98.31 %: normalised
    (2022, "topic", "family_support"): 80.94,
}


@pytest.mark.parametrize("year", YEARS)
def test_plan_reproduces_every_cell_of_the_tables(year: int) -> None:
    plan = year_plan(year)

    for channel in ("chat", "phone", "email"):
        assert plan.incoming[channel] == SOURCE["incoming"][channel][str(year)]
    assert plan.incoming_total == SOURCE["incoming"]["total"][str(year)]
    assert plan.outgoing == (SOURCE["outgoing"][str(year)] or 0)
    assert sum(plan.province_counts.values()) == plan.incoming_total
    for key, by_year in SOURCE["province_share_pct"].items():
        code = "" if key == "unregistered" else key
        expected = DEVIATIONS.get((year, "province", code), by_year[str(year)])
        assert plan.province_share(code) == expected, code
    for topic, by_year in SOURCE["topic_share_pct"].items():
        expected = DEVIATIONS.get((year, "topic", topic), by_year[str(year)])
        assert plan.topic_share(topic) == expected, topic
    assert plan.with_topic + plan.topic_counts[""] == plan.incoming_total


def test_deviations_are_the_documented_ones() -> None:
    assert year_plan(2019).adjustments == [
        "province shares add up to 97.59 %: the missing 2.41 % goes to 'not registered' "
        "(35.00 % -> 37.41 %)"
    ]
    assert year_plan(2022).adjustments == [
        "topic split adds up to 98.31 %: normalised to 19.06 % / 80.94 %"
    ]
    assert [year for year in YEARS if year_plan(year).adjustments] == [2019, 2022]


def test_2023_top_ten_referrals_are_the_ten_of_the_source_in_the_initial_catalogue() -> None:
    plan = year_plan(2023)
    ranked = sorted(plan.referral_counts, key=lambda code: (-plan.referral_counts[code], code))

    assert set(ranked[:10]) == {code for code, _ in INITIAL_REFERRALS}
    assert sorted(name for _, name in INITIAL_REFERRALS) == sorted(top_referrals_2023())
    assert plan.referral_counts[ranked[9]] > plan.referral_counts[ranked[10]]
    assert sum(plan.referral_counts.values()) == 4311
    assert set(REFERRAL_WEIGHTS) - {code for code, _ in INITIAL_REFERRALS} == {
        "caw",
        "huis-van-het-kind",
        "child-focus",
        "awel",
        "ocmw",
    }


def test_scale_rounds_each_published_count_half_up() -> None:
    plan = year_plan(2023, scale=0.01)

    assert plan.incoming == {"chat": 97, "phone": 1388, "email": 239}
    assert plan.outgoing == 6  # 5.63
    assert sum(plan.province_counts.values()) == 1724
    assert scaled(5, 0.1) == 1  # 0.5 rounds up
    assert scaled(4, 0.1) == 0


def test_scale_must_be_positive() -> None:
    with pytest.raises(ValueError, match="scale must be positive"):
        year_plan(2023, scale=0)


def test_year_figures_2023_ends_on_15_november() -> None:
    figures = year_figures(2023)

    assert (figures.first_day.isoformat(), figures.last_day.isoformat()) == (
        "2023-01-01",
        "2023-11-15",
    )
    assert figures.outgoing == 563
    assert year_figures(2019).outgoing is None


def test_apportion_shares_hits_every_rounded_share_when_possible() -> None:
    counts = apportion_shares(100_000, {"a": 33.33, "b": 33.33, "c": 33.33})

    assert sum(counts.values()) == 100_000
    assert {key: rounded_share(count, 100_000) for key, count in counts.items()} == {
        "a": 33.33,
        "b": 33.33,
        "c": 33.33,
    }


def test_apportion_shares_falls_back_to_largest_remainder_when_impossible() -> None:
    # With 10,000 contacts only 3,333 rounds to 33.33 %, and 3 x 3,333 is not 10,000.
    assert apportion_shares(10_000, {"a": 33.33, "b": 33.33, "c": 33.33}) == {
        "a": 3334,
        "b": 3333,
        "c": 3333,
    }


def test_largest_remainder_gives_leftovers_to_the_largest_remainders() -> None:
    assert largest_remainder(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert largest_remainder(0, {"a": 1}) == {"a": 0}


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2019-2023", (2019, 2020, 2021, 2022, 2023)),
        ("2023", (2023,)),
        ("2021-2023", (2021, 2022, 2023)),
        ("2023,2019", (2019, 2023)),
    ],
)
def test_parse_years(text: str, years: tuple[int, ...]) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize("text", ["2018", "2019-2024", "twenty", "2023-2021", ""])
def test_parse_years_refuses_years_outside_the_tables(text: str) -> None:
    with pytest.raises(ValueError, match=r"year|2019-2023"):
        parse_years(text)


def test_demo_postcodes_lie_in_their_province() -> None:
    for code, postcodes in POSTCODES.items():
        for postcode in postcodes:
            assert province_for_postcode(postcode) == code, postcode
