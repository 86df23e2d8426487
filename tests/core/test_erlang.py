"""Issue 19 item 5: Erlang C and Erlang A (kglijn.core.erlang) against the check value, an
independent Erlang B recursion, a discrete-event simulation and their limits."""

from __future__ import annotations

import heapq
import math
import random
from collections import deque

import pytest

from kglijn.core.erlang import (
    ErlangInputError,
    agents_needed,
    erlang_a,
    erlang_c,
    erlang_c_agents,
    erlang_c_wait_probability,
    queue_figures,
    scheduled_agents,
)


def test_erlang_c_check_value_of_domain_md() -> None:
    """360 calls per half hour, AHT 240 s, 55 agents, 15 s: A = 48, P(wait) 23.9 %,
    ASA 8.2 s, SL 84.6 %."""
    figures = erlang_c(calls=360, interval_seconds=1800, aht=240, agents=55, target_seconds=15)
    assert figures.traffic == pytest.approx(48.0)
    assert figures.wait_probability == pytest.approx(0.239, abs=0.0005)
    assert figures.asa_seconds == pytest.approx(8.2, abs=0.05)
    assert figures.service_level == pytest.approx(0.846, abs=0.0005)
    assert figures.occupancy == pytest.approx(48 / 55)


def _erlang_c_by_erlang_b(traffic: float, agents: int) -> float:
    """Independent: B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)); C = N·B / (N − A·(1 − B))."""
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return agents * b / (agents - traffic * (1 - b))


def test_erlang_c_agrees_with_the_erlang_b_recursion_up_to_1000_agents() -> None:
    rng = random.Random(19)
    cases = 0
    for _ in range(250):
        agents = rng.randint(1, 1000)
        # traffic from a light load up to just below N (P(wait) near 1)
        traffic = agents * rng.uniform(0.3, 0.999)
        expected = _erlang_c_by_erlang_b(traffic, agents)
        got = erlang_c_wait_probability(traffic, agents)
        assert math.isfinite(got)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-300), (traffic, agents)
        cases += 1
    # the largest sizes too: no overflow where A^N/N! is far beyond a float
    for agents in (1000, 1001, 1500):
        traffic = agents - 12.5
        got = erlang_c_wait_probability(traffic, agents)
        assert got == pytest.approx(_erlang_c_by_erlang_b(traffic, agents), rel=1e-9)
    assert cases == 250


def test_erlang_c_without_enough_agents_waits_forever() -> None:
    figures = erlang_c(calls=360, interval_seconds=1800, aht=240, agents=48, target_seconds=20)
    assert figures.wait_probability == 1.0
    assert figures.service_level == 0.0
    assert figures.asa_seconds == math.inf


@pytest.mark.parametrize(
    ("calls", "aht", "seconds", "level", "patience"),
    [
        (360, 240, 15, 0.846, None),
        (360, 240, 20, 0.80, None),
        (7500, 240, 20, 0.80, None),  # A = 1000
        (12, 300, 20, 0.80, None),
        (360, 240, 20, 0.80, 180),
        (7500, 240, 20, 0.90, 120),
        (40, 300, 30, 0.95, 60),
    ],
)
def test_agents_needed_is_the_smallest_number_meeting_the_target(
    calls: float, aht: float, seconds: float, level: float, patience: float | None
) -> None:
    needed = agents_needed(
        calls=calls,
        interval_seconds=1800,
        aht=aht,
        target_seconds=seconds,
        target_level=level,
        patience=patience,
    )
    assert needed.service_level >= level
    one_less = queue_figures(
        calls=calls,
        interval_seconds=1800,
        aht=aht,
        agents=needed.agents - 1,
        target_seconds=seconds,
        patience=patience,
    )
    assert one_less.service_level < level


def test_agents_needed_for_the_check_value_is_55_at_84_5_percent() -> None:
    needed = agents_needed(
        calls=360, interval_seconds=1800, aht=240, target_seconds=15, target_level=0.845
    )
    assert needed.agents == 55
    # the simulator's own search (linear, from A up) gives the same number
    assert (
        erlang_c_agents(
            calls=360, interval_seconds=1800, aht=240, target_seconds=15, target_level=0.845
        )
        == 55
    )


def test_no_calls_need_no_agents_and_bad_input_is_refused() -> None:
    assert agents_needed(calls=0, interval_seconds=1800, aht=240).agents == 0
    with pytest.raises(ErlangInputError):
        agents_needed(calls=10, interval_seconds=0, aht=240)
    with pytest.raises(ErlangInputError):
        agents_needed(calls=10, interval_seconds=1800, aht=-1)
    with pytest.raises(ErlangInputError):
        agents_needed(calls=10, interval_seconds=1800, aht=240, target_level=1.0)
    with pytest.raises(ErlangInputError):
        erlang_a(calls=10, interval_seconds=1800, aht=240, agents=2, target_seconds=20, patience=0)


def test_scheduled_agents_adds_shrinkage() -> None:
    assert scheduled_agents(55, 0.3) == 79  # 55 / 0.7 = 78.57
    assert scheduled_agents(38, 0.05) == 40  # exactly 40, not 41 from float noise
    assert scheduled_agents(10, 0.0) == 10
    with pytest.raises(ErlangInputError):
        scheduled_agents(10, 1.0)


# --- Erlang A ----------------------------------------------------------------------------------


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    for calls, agents in ((360, 55), (360, 50), (7500, 1013)):
        c = erlang_c(calls=calls, interval_seconds=1800, aht=240, agents=agents, target_seconds=15)
        a = erlang_a(
            calls=calls,
            interval_seconds=1800,
            aht=240,
            agents=agents,
            target_seconds=15,
            patience=1e10,
        )
        assert a.wait_probability == pytest.approx(c.wait_probability, rel=1e-5)
        assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
        assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-4)
        assert a.occupancy == pytest.approx(c.occupancy, rel=1e-5)
        assert a.abandon_probability < 1e-6


def test_erlang_a_is_stable_below_the_traffic_and_consistent() -> None:
    """With abandonment N < A works; answered + abandoned add up; occupancy is the carried
    load; 1000 agents do not overflow."""
    for agents in (30, 45, 55):
        a = erlang_a(
            calls=360, interval_seconds=1800, aht=240, agents=agents, target_seconds=20, patience=90
        )
        assert 0 < a.abandon_probability < 1
        assert a.occupancy == pytest.approx(48 * (1 - a.abandon_probability) / agents, rel=1e-9)
        assert 0 <= a.service_level <= 1 - a.abandon_probability
    big = erlang_a(
        calls=7500, interval_seconds=1800, aht=240, agents=1000, target_seconds=20, patience=180
    )
    assert all(
        math.isfinite(v) for v in (big.service_level, big.asa_seconds, big.abandon_probability)
    )


def _simulate(
    *, lam: float, aht: float, patience: float, agents: int, target: float, calls: int, seed: int
) -> tuple[float, float, float, float]:
    """M/M/N+M by discrete events (FCFS): P(abandon), SL (answered within t ÷ offered), ASA of
    the answered calls, P(wait). The first tenth of the calls warms up and is not counted."""
    rng = random.Random(seed)
    busy_until: list[float] = []  # heap of the busy agents' end times
    queue: deque[tuple[float, float]] = deque()  # (arrival, the moment it hangs up)
    now = 0.0
    warm = calls // 10
    counted = answered = within = abandoned = waited = 0
    wait_sum = 0.0

    def serve(arrival: float, at: float, index: int) -> None:
        nonlocal answered, within, wait_sum
        heapq.heappush(busy_until, at + rng.expovariate(1 / aht))
        if index >= warm:
            answered += 1
            wait_sum += at - arrival
            within += at - arrival <= target

    index_of: dict[float, int] = {}
    for index in range(calls):
        now += rng.expovariate(lam)
        # agents freed before this arrival take the waiting calls still there
        while busy_until and busy_until[0] <= now:
            free_at = heapq.heappop(busy_until)
            while queue:
                arrival, leaves = queue.popleft()
                if leaves > free_at:
                    serve(arrival, free_at, index_of.pop(arrival))
                    break
                if index_of.pop(arrival) >= warm:
                    abandoned += 1
        if index >= warm:
            counted += 1
        if len(busy_until) < agents:
            serve(now, now, index)
        else:
            if index >= warm:
                waited += 1
            index_of[now] = index
            queue.append((now, now + rng.expovariate(1 / patience)))
    # the calls still waiting at the end: decided by their patience or the next free agent
    while queue:
        arrival, leaves = queue.popleft()
        free_at = heapq.heappop(busy_until)
        if leaves > free_at:
            serve(arrival, free_at, index_of.pop(arrival))
        else:
            heapq.heappush(busy_until, free_at)
            if index_of.pop(arrival) >= warm:
                abandoned += 1
    return abandoned / counted, within / counted, wait_sum / answered, waited / counted


@pytest.mark.parametrize(
    ("calls", "agents", "patience", "target"),
    [
        (360, 50, 180, 20),  # around the norm
        (360, 44, 120, 20),  # fewer agents than Erlangs: only abandonment keeps the queue finite
    ],
)
def test_erlang_a_agrees_with_a_discrete_event_simulation(
    calls: int, agents: int, patience: float, target: float
) -> None:
    interval = 1800
    lam = calls / interval
    model = erlang_a(
        calls=calls,
        interval_seconds=interval,
        aht=240,
        agents=agents,
        target_seconds=target,
        patience=patience,
    )
    sim_abandon, sim_sl, sim_asa, sim_wait = _simulate(
        lam=lam, aht=240, patience=patience, agents=agents, target=target, calls=600_000, seed=5
    )
    assert sim_abandon == pytest.approx(model.abandon_probability, abs=0.005)
    assert sim_sl == pytest.approx(model.service_level, abs=0.01)
    assert sim_asa == pytest.approx(model.asa_seconds, rel=0.06)
    assert sim_wait == pytest.approx(model.wait_probability, abs=0.012)
