"""Queueing maths for staffing: Erlang C (M/M/N) and Erlang A (M/M/N+M). Pure functions.

Formulas and sources: docs/steering-staffing.md. Everything is summed in log space, so sizes of
a thousand agents and more neither overflow nor lose precision.

Notation: λ arrivals per second (calls ÷ interval), AHT the mean handling time in seconds
(μ = 1/AHT), A = λ·AHT the offered traffic in Erlangs, N agents, t the target time in seconds,
and for Erlang A the callers' mean patience in seconds (θ = 1/patience, exponential).

Erlang C (domain.md): nobody hangs up, so with N <= A the queue grows without end.
- P(wait) = [Aᴺ/N! · N/(N−A)] / [Σₖ₌₀ᴺ⁻¹ Aᵏ/k! + Aᴺ/N! · N/(N−A)]
- ASA = P(wait) · AHT / (N − A); SL(t) = 1 − P(wait) · e^(−(N−A)·t/AHT); occupancy = A/N.

Erlang A: waiting callers hang up at rate θ each. The number of calls in the system is a
birth-death chain (birth λ; death n·μ up to N, then N·μ + (n−N)·θ), stable for every N; its
stationary distribution πₙ is computed exactly in log space, the tail cut where it is below
e^-46 of the largest state. An arriving call sees πₙ (PASTA). A call that finds j calls waiting
ahead of it moves up at rate rₖ = N·μ + k·θ (k ahead: a service ends or one of them hangs up)
and hangs up itself at rate θ; whether it is answered within t is the absorption probability of
that small chain by time t, one sparse matrix exponential (scipy's expm_multiply) for all j.
- P(wait) = Σₙ≥N πₙ; P(abandon) = θ · E[queue] / λ
- SL(t) = share of *offered* calls answered within t: P(n < N) + Σⱼ π_{N+j} · P(answered by t | j)
  (a call that hangs up counts as not answered in time, as in domain.md's service level)
- ASA = mean wait of the *answered* calls: Σⱼ π_{N+j} · Πₖ₌₀ʲ rₖ/(rₖ+θ) · Σₖ₌₀ʲ 1/(rₖ+θ)
  ÷ P(answered)
- occupancy = E[busy agents] / N = λ · (1 − P(abandon)) · AHT / N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

# The usual contact-centre norm: 80 % of the calls answered within 20 s.
DEFAULT_TARGET_SECONDS = 20
DEFAULT_TARGET_LEVEL = 0.80

ERLANG_C = "erlang_c"
ERLANG_A = "erlang_a"

# Queue states below e^-46 (~1e-20) of the largest state are left out of the Erlang A chain.
_NEGLIGIBLE_LOG = -46.0
# A guard: an Erlang A chain whose tail is not negligible after this many waiting calls is
# refused (an absurd patience with N far below A; use Erlang C's "not enough agents" then).
MAX_QUEUE_STATES = 200_000
# The agent search never looks beyond this many agents.
MAX_AGENTS = 100_000


class ErlangInputError(ValueError):
    """Input outside the model's domain (non-positive AHT, negative calls, …)."""


@dataclass(frozen=True)
class QueueFigures:
    """The steady-state figures of one interval for a number of agents.

    service_level and the probabilities are fractions (0..1); asa_seconds is math.inf when
    Erlang C has N <= A, and math.nan when no call is answered (Erlang A with 0 agents)."""

    model: str
    traffic: float  # A in Erlangs
    agents: int
    wait_probability: float
    service_level: float
    asa_seconds: float
    occupancy: float
    abandon_probability: float = 0.0


# --- Erlang C ----------------------------------------------------------------------------------


def _log_sum_exp(values: np.ndarray) -> float:
    top = float(values.max())
    return top + math.log(float(np.exp(values - top).sum()))


def erlang_c_wait_probability(traffic: float, agents: int) -> float:
    """P(wait) of Erlang C for `traffic` Erlangs and `agents` agents (1.0 when agents <= traffic).

    Summed in log space: A^N/N! overflows floats long before contact-centre sizes."""
    if agents <= traffic:
        return 1.0
    if traffic <= 0:
        return 0.0
    log_a = math.log(traffic)
    k = np.arange(agents, dtype=float)
    log_terms = k * log_a - gammaln(k + 1)
    log_last = agents * log_a - math.lgamma(agents + 1) + math.log(agents / (agents - traffic))
    log_below = _log_sum_exp(log_terms)
    # last / (below + last) = 1 / (1 + e^(log_below − log_last))
    return 1.0 / (1.0 + math.exp(log_below - log_last))


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


def _check(calls: float, interval_seconds: float, aht: float, target_seconds: float) -> float:
    for name, value in (("interval_seconds", interval_seconds), ("aht", aht)):
        if not math.isfinite(value) or value <= 0:
            raise ErlangInputError(f"{name} must be a positive number")
    if not math.isfinite(calls) or calls < 0:
        raise ErlangInputError("calls must be zero or more")
    if not math.isfinite(target_seconds) or target_seconds < 0:
        raise ErlangInputError("target_seconds must be zero or more")
    return calls * aht / interval_seconds


def erlang_c(
    *, calls: float, interval_seconds: float, aht: float, agents: int, target_seconds: float
) -> QueueFigures:
    """Erlang C's figures for `calls` arriving in `interval_seconds` with `agents` agents."""
    traffic = _check(calls, interval_seconds, aht, target_seconds)
    if agents < 0:
        raise ErlangInputError("agents must be zero or more")
    if traffic == 0:
        return QueueFigures(ERLANG_C, 0.0, agents, 0.0, 1.0, 0.0, 0.0)
    return QueueFigures(
        model=ERLANG_C,
        traffic=traffic,
        agents=agents,
        wait_probability=erlang_c_wait_probability(traffic, agents),
        service_level=erlang_c_service_level(traffic, agents, aht, target_seconds),
        asa_seconds=erlang_c_asa(traffic, agents, aht),
        occupancy=min(1.0, traffic / agents) if agents else 1.0,
    )


# --- Erlang A ----------------------------------------------------------------------------------


def _erlang_a_log_weights(lam: float, mu: float, theta: float, agents: int) -> np.ndarray:
    """log πₙ (unnormalised) for n = 0 .. N + J, the tail cut where it is negligible."""
    traffic = lam / mu
    n = np.arange(agents + 1, dtype=float)
    head = n * math.log(traffic) - gammaln(n + 1)  # n ≤ N: Aⁿ/n!
    blocks = [head]
    last = float(head[-1])
    top = float(head.max())
    queued = 0
    block = 1024
    while True:
        j = np.arange(queued + 1, queued + block + 1, dtype=float)
        steps = math.log(lam) - np.log(agents * mu + j * theta)
        tail = last + np.cumsum(steps)
        blocks.append(tail)
        top = max(top, float(tail.max()))
        queued += block
        last = float(tail[-1])
        # Done when the terms fall (death rate > λ) and are negligible.
        if steps[-1] < 0 and last < top + _NEGLIGIBLE_LOG:
            break
        if queued >= MAX_QUEUE_STATES:
            raise ErlangInputError(
                "the queue does not settle within the state limit: the patience is too long "
                "for this load (use Erlang C)"
            )
        block = min(block * 2, MAX_QUEUE_STATES)
    weights = np.concatenate(blocks)
    keep = int(np.nonzero(weights >= top + _NEGLIGIBLE_LOG)[0].max()) + 1
    return weights[: max(keep, agents + 1)]


def _answered_within(
    agents: int, mu: float, theta: float, queued: int, target_seconds: float
) -> np.ndarray:
    """P(answered within t | j calls waiting ahead) for j = 0 .. queued − 1."""
    # Imported here: scipy.sparse.linalg costs ~0.3 s to import, which the staffing page's URL
    # conf (and so every process's first request) paid; only Erlang A's service level needs it.
    from scipy.sparse import csr_matrix
    from scipy.sparse.linalg import expm_multiply

    if queued == 0:
        return np.zeros(0)
    # States 0..J−1: calls ahead; state J: answered (absorbing). Hanging up leaves the chain.
    k = np.arange(queued, dtype=float)
    moves = agents * mu + k * theta
    size = queued + 1
    rows = np.concatenate([np.arange(queued), np.arange(1, queued), [0]])
    cols = np.concatenate([np.arange(queued), np.arange(0, queued - 1), [queued]])
    vals = np.concatenate([-(moves + theta), moves[1:], [moves[0]]])
    generator = csr_matrix((vals, (rows, cols)), shape=(size, size))
    if target_seconds == 0:
        return np.zeros(queued)
    target = np.zeros(size)
    target[queued] = 1.0
    reached = expm_multiply(generator * target_seconds, target)
    result: np.ndarray = np.clip(np.asarray(reached[:queued], dtype=float), 0.0, 1.0)
    return result


def erlang_a(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    agents: int,
    target_seconds: float,
    patience: float,
) -> QueueFigures:
    """Erlang A's figures (M/M/N+M) with callers' mean patience `patience` seconds."""
    traffic = _check(calls, interval_seconds, aht, target_seconds)
    if not math.isfinite(patience) or patience <= 0:
        raise ErlangInputError("patience must be a positive number")
    if agents < 0:
        raise ErlangInputError("agents must be zero or more")
    if traffic == 0:
        return QueueFigures(ERLANG_A, 0.0, agents, 0.0, 1.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return QueueFigures(ERLANG_A, traffic, 0, 1.0, 0.0, math.nan, 0.0, 1.0)
    lam = calls / interval_seconds
    mu = 1.0 / aht
    theta = 1.0 / patience
    log_w = _erlang_a_log_weights(lam, mu, theta, agents)
    top = float(log_w.max())
    pi = np.exp(log_w - top)
    pi /= math.fsum(pi)
    below = pi[:agents]
    waiting = pi[agents:]  # j = 0 .. J−1 calls waiting ahead of an arrival
    queued = waiting.size
    j = np.arange(queued, dtype=float)
    moves = agents * mu + j * theta  # r_j
    # P(answered | j ahead) = Π_{k≤j} r_k/(r_k+θ); the answered calls' mean wait adds Σ 1/(r_k+θ).
    log_keep = np.cumsum(np.log(moves) - np.log(moves + theta))
    answered_given = np.exp(log_keep)
    mean_wait_given = np.cumsum(1.0 / (moves + theta))
    p_wait = float(math.fsum(waiting))
    busy = float(math.fsum(np.arange(agents) * below)) + agents * p_wait
    mean_queue = float(math.fsum(j * waiting))
    p_abandon = min(1.0, theta * mean_queue / lam)
    p_answered = 1.0 - p_abandon
    within = _answered_within(agents, mu, theta, queued, target_seconds)
    service_level = float(math.fsum(below)) + float(math.fsum(waiting * within))
    answered_wait = float(math.fsum(waiting * answered_given * mean_wait_given))
    asa = answered_wait / p_answered if p_answered > 0 else math.nan
    return QueueFigures(
        model=ERLANG_A,
        traffic=traffic,
        agents=agents,
        wait_probability=p_wait,
        service_level=min(1.0, service_level),
        asa_seconds=asa,
        occupancy=min(1.0, busy / agents),
        abandon_probability=p_abandon,
    )


# --- The agents needed -------------------------------------------------------------------------


def queue_figures(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    agents: int,
    target_seconds: float,
    patience: float | None = None,
) -> QueueFigures:
    """Erlang A when a patience is given, else Erlang C."""
    if patience is None:
        return erlang_c(
            calls=calls,
            interval_seconds=interval_seconds,
            aht=aht,
            agents=agents,
            target_seconds=target_seconds,
        )
    return erlang_a(
        calls=calls,
        interval_seconds=interval_seconds,
        aht=aht,
        agents=agents,
        target_seconds=target_seconds,
        patience=patience,
    )


def agents_needed(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    target_seconds: float = DEFAULT_TARGET_SECONDS,
    target_level: float = DEFAULT_TARGET_LEVEL,
    patience: float | None = None,
) -> QueueFigures:
    """The figures of the fewest agents whose service level reaches `target_level` (0..1).

    The service level rises with every agent added, so the search doubles up from A and then
    bisects: N meets the target and N − 1 does not. No calls need no agents."""
    if not 0 < target_level < 1:
        raise ErlangInputError("target_level must lie between 0 and 1 (exclusive)")
    traffic = _check(calls, interval_seconds, aht, target_seconds)

    def figures(n: int) -> QueueFigures:
        return queue_figures(
            calls=calls,
            interval_seconds=interval_seconds,
            aht=aht,
            agents=n,
            target_seconds=target_seconds,
            patience=patience,
        )

    if traffic == 0:
        return figures(0)
    low = 0  # fails: no agent answers no call
    high = max(1, math.floor(traffic) + 1)
    best = figures(high)
    while best.service_level < target_level:
        low = high
        high = min(MAX_AGENTS, max(high + 1, high * 2 if high < 16 else high + high // 4))
        if low >= MAX_AGENTS:
            raise ErlangInputError(f"the target needs more than {MAX_AGENTS} agents")
        best = figures(high)
    while high - low > 1:
        middle = (low + high) // 2
        trial = figures(middle)
        if trial.service_level >= target_level:
            high, best = middle, trial
        else:
            low = middle
    return best


def erlang_c_agents(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    target_seconds: float = DEFAULT_TARGET_SECONDS,
    target_level: float = DEFAULT_TARGET_LEVEL,
) -> int:
    """The fewest agents (at least 1) that answer `target_level` of `calls` within
    `target_seconds` by Erlang C (the telephony simulator's staffing)."""
    traffic = calls * aht / interval_seconds
    agents = max(1, math.floor(traffic) + 1)
    while erlang_c_service_level(traffic, agents, aht, target_seconds) < target_level:
        agents += 1
    return agents


def scheduled_agents(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that `agents` are on the phones: ⌈agents ÷ (1 − shrinkage)⌉."""
    if not 0 <= shrinkage < 1:
        raise ErlangInputError("shrinkage must lie in [0, 1)")
    # round() first: 38 / 0.95 must not become 40.00000000001 → 41.
    return math.ceil(round(agents / (1.0 - shrinkage), 9))
