"""Erlang C (domain.md "Erlang C (staffing)"): waiting probability, average speed of answer,
service level and the agents needed for a target. Summed in log space, so contact-centre sizes
(hundreds of agents) do not overflow.
"""

from __future__ import annotations

import math

# The usual contact-centre norm: 80 % of the calls answered within 20 s.
DEFAULT_TARGET_SECONDS = 20
DEFAULT_TARGET_LEVEL = 0.80


def erlang_c_wait_probability(traffic: float, agents: int) -> float:
    """P(wait) of Erlang C for `traffic` Erlangs and `agents` agents (1.0 when agents <= traffic).

    Summed in log space: A^N/N! overflows floats long before contact-centre sizes."""
    if agents <= traffic:
        return 1.0
    if traffic <= 0:
        return 0.0
    log_a = math.log(traffic)
    log_terms = [k * log_a - math.lgamma(k + 1) for k in range(agents)]
    log_last = agents * log_a - math.lgamma(agents + 1) + math.log(agents / (agents - traffic))
    top = max(*log_terms, log_last)
    below = sum(math.exp(term - top) for term in log_terms)
    last = math.exp(log_last - top)
    return last / (below + last)


def erlang_c_asa(traffic: float, agents: int, aht: float) -> float:
    """Average speed of answer (seconds): P(wait) · AHT / (N − A)."""
    if agents <= traffic:
        return math.inf
    return erlang_c_wait_probability(traffic, agents) * aht / (agents - traffic)


def erlang_c_service_level(traffic: float, agents: int, aht: float, target_seconds: float) -> float:
    """Share of calls answered within the target: 1 − P(wait) · e^(−(N−A)·t/AHT)."""
    if agents <= traffic:
        return 0.0
    wait = erlang_c_wait_probability(traffic, agents)
    return 1.0 - wait * math.exp(-(agents - traffic) * target_seconds / aht)


def erlang_c_agents(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    target_seconds: float = DEFAULT_TARGET_SECONDS,
    target_level: float = DEFAULT_TARGET_LEVEL,
) -> int:
    """The fewest agents that answer `target_level` of `calls` within `target_seconds`."""
    traffic = calls * aht / interval_seconds
    agents = max(1, math.floor(traffic) + 1)
    while erlang_c_service_level(traffic, agents, aht, target_seconds) < target_level:
        agents += 1
    return agents
