"""The enforcement track's one transition table, and the pure function that derives a track.

``TRANSITIONS`` is the only place that says which decision may follow which state (ADR 0015,
issue 17 item 6). Decisions not in ``STATE_CHANGES`` (advice, protective measures, priority
support, civil-party proceedings, evaluations) do not move the state; ``ALLOWED`` says from
which states they may be taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kglijn.opgroeipunt.models import DecisionKind as K
from kglijn.opgroeipunt.models import EnforcementState as S
from kglijn.opgroeipunt.models import LicenceStatus

# (state, decision kind) -> next state. Closing returns the location to "none".
TRANSITIONS: dict[tuple[S, K], S] = {
    (S.NONE, K.ENFORCEMENT_STARTED): S.IMPROVEMENT_TRACK,
    (S.NONE, K.WARNING): S.WARNING,  # a serious finding may start with a warning at once
    (S.IMPROVEMENT_TRACK, K.WARNING): S.WARNING,
    (S.IMPROVEMENT_TRACK, K.ENFORCEMENT_CLOSED): S.NONE,
    (S.WARNING, K.INTENTION): S.INTENTION,
    (S.WARNING, K.SUSPENSION): S.SUSPENDED,  # immediate suspension when children are in danger
    (S.WARNING, K.REVOCATION): S.REVOKED,
    (S.WARNING, K.ENFORCEMENT_CLOSED): S.NONE,
    (S.INTENTION, K.SUSPENSION): S.SUSPENDED,
    (S.INTENTION, K.REVOCATION): S.REVOKED,
    (S.INTENTION, K.ENFORCEMENT_CLOSED): S.NONE,
    (S.SUSPENDED, K.REVOCATION): S.REVOKED,
    (S.SUSPENDED, K.ENFORCEMENT_CLOSED): S.NONE,
    (S.REVOKED, K.ENFORCEMENT_CLOSED): S.NONE,
}

# Decisions on an open track that keep its state.
_OPEN = frozenset(set(S) - {S.NONE})
KEEPS_STATE: dict[K, frozenset[S]] = {
    K.INSPECTION_ADVICE_REQUESTED: frozenset(S),
    K.INSPECTION_ADVICE: frozenset(S),
    K.PROTECTIVE_MEASURE: _OPEN,
    K.PRIORITY_SUPPORT: frozenset({S.WARNING, S.INTENTION, S.SUSPENDED}),
    K.CIVIL_PARTY: frozenset(S),
    K.EVALUATION_POSITIVE: _OPEN - {S.REVOKED},
    K.EVALUATION_NEGATIVE: _OPEN - {S.REVOKED},
}

ENFORCEMENT_KINDS = frozenset({kind for _state, kind in TRANSITIONS} | set(KEEPS_STATE))

# Two consecutive positive evaluations close the track (source 002).
POSITIVE_EVALUATIONS_TO_CLOSE = 2

LICENCE_FOR_STATE: dict[S, LicenceStatus] = {
    S.NONE: LicenceStatus.ACTIVE,
    S.IMPROVEMENT_TRACK: LicenceStatus.ACTIVE,
    S.WARNING: LicenceStatus.ACTIVE,
    S.INTENTION: LicenceStatus.ACTIVE,
    S.SUSPENDED: LicenceStatus.SUSPENDED,
    S.REVOKED: LicenceStatus.REVOKED,
}


class TransitionRefused(ValueError):
    """A decision that the table does not allow from the current state."""


def allowed(state: S, kind: K) -> bool:
    return (state, kind) in TRANSITIONS or state in KEEPS_STATE.get(kind, frozenset())


def next_state(state: S, kind: K) -> S:
    """The state after ``kind``; raises TransitionRefused (with the reason) when not allowed."""
    if (state, kind) in TRANSITIONS:
        return TRANSITIONS[(state, kind)]
    if state in KEEPS_STATE.get(kind, frozenset()):
        return state
    raise TransitionRefused(f"{K(kind).label} is not allowed in state {S(state).label}")


@dataclass
class Derived:
    """A track as its decisions make it."""

    state: S = S.NONE
    positive_evaluations: int = 0
    closed: bool = False
    # The state the track was in when it closed: a revoked licence stays revoked after closing.
    closed_from: S | None = None
    warnings: list[str] = field(default_factory=list)


def derive(kinds: Iterable[K], *, strict: bool = True) -> Derived:
    """Fold decisions (in date order) into the track's state.

    Two consecutive positive evaluations close the track; a negative one resets the count.
    ``strict=False`` (imported history) keeps a step the table does not allow as a warning and
    applies it as best it can instead of refusing it.
    """
    track = Derived()
    for kind in kinds:
        kind = K(kind)
        if track.closed:
            message = f"{kind.label} after the track was closed"
            if strict:
                raise TransitionRefused(message)
            track.warnings.append(message)
            continue
        before = track.state
        try:
            state = next_state(track.state, kind)
        except TransitionRefused as exc:
            if strict:
                raise
            track.warnings.append(str(exc))
            state = _lenient(track.state, kind)
        track.state = state
        if kind == K.EVALUATION_POSITIVE:
            track.positive_evaluations += 1
        elif kind == K.EVALUATION_NEGATIVE:
            track.positive_evaluations = 0
        if kind == K.ENFORCEMENT_CLOSED or (
            track.positive_evaluations >= POSITIVE_EVALUATIONS_TO_CLOSE
        ):
            track.closed_from = before if kind == K.ENFORCEMENT_CLOSED else state
            track.state = S.NONE
            track.closed = True
    return track


def licence_for(track: Derived) -> LicenceStatus:
    """The licence status a track gives its location (``LICENCE_FOR_STATE``).

    Closing a track returns the location to "none", but a revocation is final: a track closed
    from "revoked" leaves the licence revoked.
    """
    if track.closed and track.closed_from == S.REVOKED:
        return LicenceStatus.REVOKED
    return LICENCE_FOR_STATE[track.state]


def allowed_kinds(state: S) -> list[K]:
    """The enforcement decisions the table allows from ``state``, in the order of DecisionKind."""
    return [kind for kind in K if kind in ENFORCEMENT_KINDS and allowed(state, kind)]


def _lenient(state: S, kind: K) -> S:
    """Imported history that breaks the table: take the step's own state where it has one."""
    targets = {target for (_from, k), target in TRANSITIONS.items() if k == kind}
    if len(targets) == 1:
        return targets.pop()
    return state
