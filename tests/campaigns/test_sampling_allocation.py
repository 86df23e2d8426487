"""Allocation of a sample over strata, and the draw itself, as pure functions."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.utils import translation

from kglijn.campaigns.models import Design
from kglijn.campaigns.sampling.allocation import (
    AllocationError,
    allocate_minimum,
    allocate_proportional,
    capped_largest_remainder,
)
from kglijn.campaigns.sampling.services import draw_units


def test_proportional_uses_the_largest_remainder_and_sums_to_n() -> None:
    # Quotas 100·N_h/N: 47.5, 31.67, 15.83, 5.0 -> whole parts 47+31+15+5 = 98; the two units
    # left go to the largest remainders, 0.83 (c) and 0.67 (b); a's 0.5 gets nothing.
    populations = {"a": 570, "b": 380, "c": 190, "d": 60}
    assert allocate_proportional(populations, 100) == {"a": 47, "b": 32, "c": 16, "d": 5}


def test_proportional_ties_go_by_stratum_key_and_are_reproducible() -> None:
    populations = {"b": 1, "a": 1, "c": 1}
    assert allocate_proportional(populations, 2) == {"a": 1, "b": 1, "c": 0}


@pytest.mark.parametrize("seed", range(30))
def test_proportional_never_exceeds_a_stratum_and_always_sums_to_n(seed: int) -> None:
    rng = random.Random(seed)
    populations = {f"s{i}": rng.randint(0, 300) for i in range(rng.randint(1, 12))}
    total = sum(populations.values())
    n = rng.randint(0, total)
    sizes = allocate_proportional(populations, n)
    assert sum(sizes.values()) == n
    for key, size in sizes.items():
        assert 0 <= size <= populations[key]
        assert abs(size - n * populations[key] / total) < 1 if total else size == 0


def test_a_sample_larger_than_the_population_is_refused() -> None:
    with translation.override("en"), pytest.raises(AllocationError, match=r"\(8\) is larger"):
        allocate_proportional({"a": 3, "b": 4}, 8)


def test_the_minimum_per_stratum_is_respected_and_the_rest_is_proportional() -> None:
    # Minimum 30: a 30, b 30, c 30 (90); rest 110 over the remaining 870, 170, 20 (of 1060):
    # quotas 90.28, 17.64, 2.08 -> 90 + 17 + 2 = 109, the last unit to b (0.64 > 0.28, 0.08).
    populations = {"a": 900, "b": 200, "c": 50}
    sizes = allocate_minimum(populations, 200, 30)
    assert sizes == {"a": 120, "b": 48, "c": 32}
    assert sum(sizes.values()) == 200
    assert min(sizes.values()) >= 30


def test_a_stratum_smaller_than_the_minimum_is_taken_whole_and_the_rest_redistributed() -> None:
    # c has only 4 (< 10): all 4; base 10 + 10 + 4 = 24, the other 26 over the remaining
    # 290 and 90: quotas 19.84 and 6.16 -> 19 + 6, the last unit to a (0.84 > 0.16).
    populations = {"a": 300, "b": 100, "c": 4}
    sizes = allocate_minimum(populations, 50, 10)
    assert sizes == {"a": 10 + 20, "b": 10 + 6, "c": 4}
    assert sum(sizes.values()) == 50


def test_the_minimum_over_all_strata_may_not_exceed_the_sample() -> None:
    with translation.override("en"), pytest.raises(AllocationError, match="asks for 60 units"):
        allocate_minimum({"a": 100, "b": 100, "c": 100}, 50, 20)


def test_capped_strata_give_what_they_cannot_take_to_the_others() -> None:
    # Weights 8:1:1 of 50 would give a 40, but a can take only 10: a 10, the 40 left are split
    # over b and c (20 each).
    sizes = capped_largest_remainder(50, {"a": 8, "b": 1, "c": 1}, {"a": 10, "b": 100, "c": 100})
    assert sizes == {"a": 10, "b": 20, "c": 20}
    # A cascade: b is then full too.
    sizes = capped_largest_remainder(50, {"a": 8, "b": 1, "c": 1}, {"a": 10, "b": 15, "c": 100})
    assert sizes == {"a": 10, "b": 15, "c": 25}


def _frame() -> dict[str, str]:
    return {f"u{i:03d}": f"province={'ABC'[i % 3]}" for i in range(90)}


def test_the_same_seed_draws_the_same_units_whatever_the_order() -> None:
    units = _frame()
    sizes = {"province=A": 5, "province=B": 10, "province=C": 3}
    first = draw_units(
        design=Design.STRATIFIED_PROPORTIONAL, units=units, sizes=sizes, n=18, seed=42
    )
    items = list(units.items())
    random.Random(7).shuffle(items)
    again = draw_units(
        design=Design.STRATIFIED_PROPORTIONAL, units=dict(items), sizes=sizes, n=18, seed=42
    )
    assert first == again
    assert Counter(units[key] for key in first) == sizes
    other = draw_units(
        design=Design.STRATIFIED_PROPORTIONAL, units=units, sizes=sizes, n=18, seed=43
    )
    assert other != first


def test_simple_random_and_census() -> None:
    units = _frame()
    drawn = draw_units(design=Design.SIMPLE_RANDOM, units=units, sizes=None, n=20, seed=1)
    assert len(drawn) == 20
    assert drawn == draw_units(
        design=Design.SIMPLE_RANDOM, units=dict(reversed(units.items())), sizes=None, n=20, seed=1
    )
    assert draw_units(design=Design.CENSUS, units=units, sizes=None, n=0, seed=1) == set(units)
