"""The enforcement track per location (issue 17 item 6): the one transition table, walked pair
by pair; two consecutive positive evaluations close a track; the licence status follows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from kglijn.opgroeipunt.decisions.services import ProposalRefused, proposal_approve
from kglijn.opgroeipunt.enforcement.selectors import location_enforcement, location_history
from kglijn.opgroeipunt.enforcement.transitions import (
    ENFORCEMENT_KINDS,
    KEEPS_STATE,
    TRANSITIONS,
    TransitionRefused,
    allowed,
    derive,
    licence_for,
)
from kglijn.opgroeipunt.models import (
    DecisionKind,
    EnforcementState,
    EnforcementTrack,
    LocationVersion,
    Proposal,
)
from tests.opgroeipunt.test_decisions import make_case, make_location, propose, step

K, S = DecisionKind, EnforcementState

# The live decisions that bring a location from "none" into each state.
PATH_TO: dict[S, list[K]] = {
    S.NONE: [],
    S.IMPROVEMENT_TRACK: [K.ENFORCEMENT_STARTED],
    S.WARNING: [K.WARNING],
    S.INTENTION: [K.WARNING, K.INTENTION],
    S.SUSPENDED: [K.WARNING, K.SUSPENSION],
    S.REVOKED: [K.WARNING, K.REVOCATION],
}


@pytest.fixture
def managers(make_user: Callable[..., User]) -> tuple[User, User]:
    return make_user("childcare_customer_manager", "anna"), make_user(
        "opgroeipunt_team_lead", "bert"
    )


# --- the pure table ----------------------------------------------------------------------------


def test_the_scenario_of_the_issue_closes_only_at_the_end() -> None:
    kinds = [K.WARNING, K.SUSPENSION, K.EVALUATION_POSITIVE, K.EVALUATION_NEGATIVE]
    kinds += [K.EVALUATION_POSITIVE]
    track = derive(kinds)
    assert (track.state, track.positive_evaluations, track.closed) == (S.SUSPENDED, 1, False)
    track = derive([*kinds, K.EVALUATION_POSITIVE])
    assert (track.state, track.closed, track.closed_from) == (S.NONE, True, S.SUSPENDED)
    assert licence_for(track) == "active"


def test_a_revoked_licence_stays_revoked_when_the_track_closes() -> None:
    track = derive([K.WARNING, K.REVOCATION, K.ENFORCEMENT_CLOSED])
    assert (track.state, track.closed) == (S.NONE, True)
    assert licence_for(track) == "revoked"


def test_strict_derive_refuses_what_lenient_keeps_as_a_warning() -> None:
    with pytest.raises(TransitionRefused):
        derive([K.SUSPENSION])
    track = derive([K.SUSPENSION, K.EVALUATION_POSITIVE], strict=False)
    assert track.state == S.SUSPENDED
    assert len(track.warnings) == 1


# --- every pair through the four eyes ----------------------------------------------------------


@pytest.mark.parametrize("state", list(PATH_TO), ids=str)
def test_every_pair_of_the_table_is_walked(managers: tuple[User, User], state: S) -> None:
    anna, bert = managers
    for number, kind in enumerate(sorted(ENFORCEMENT_KINDS)):
        location = make_location(f"{state}-{number}")
        for earlier in PATH_TO[state]:
            step(location, earlier, anna, bert)
        assert location_enforcement(location)[0] == state
        if allowed(state, kind):
            step(location, kind, anna, bert)
            expected = TRANSITIONS.get((state, kind), state)
            assert location_enforcement(location)[0] == expected, (state, kind)
        else:
            assert (state, kind) not in TRANSITIONS
            assert state not in KEEPS_STATE.get(kind, frozenset())
            with translation.override("en"):
                with pytest.raises(ProposalRefused) as refused:
                    propose(anna, kind, location=location)
                label = str(S(state).label)
            message = str(refused.value)
            assert f"is not allowed while the location's enforcement is '{label}'" in message
            assert not Proposal.objects.filter(location=location, status="proposed").exists()


def test_the_scenario_through_the_four_eyes(managers: tuple[User, User]) -> None:
    anna, bert = managers
    location = make_location()
    states = []
    for kind in ("warning", "suspension", "evaluation_positive", "evaluation_negative"):
        step(location, kind, anna, bert)
        states.append(location_enforcement(location))
    step(location, "evaluation_positive", bert, anna)
    states.append(location_enforcement(location))
    location.refresh_from_db()
    assert location.licence_status == "suspended"
    last = step(location, "evaluation_positive", anna, bert)
    states.append(location_enforcement(location))
    assert states == [
        (S.WARNING, 0),
        (S.SUSPENDED, 0),
        (S.SUSPENDED, 1),
        (S.SUSPENDED, 0),
        (S.SUSPENDED, 1),
        (S.NONE, 0),
    ]
    track = EnforcementTrack.objects.get(location=location)
    assert track.closed_at == last.decided_at
    assert (track.state, track.positive_evaluations) == (S.NONE, 2)
    assert track.decisions.count() == 6
    location.refresh_from_db()
    assert location.licence_status == "active"
    versions = LocationVersion.objects.filter(location=location, changes__has_key="licence_status")
    assert [(v.changes["licence_status"], v.changed_by) for v in versions] == [
        (["active", "suspended"], bert),
        (["suspended", "active"], bert),
    ]
    assert versions[0].source.startswith("decision:")
    # A new finding opens a new track.
    step(location, "enforcement_started", anna, bert)
    assert EnforcementTrack.objects.filter(location=location).count() == 2
    assert location_enforcement(location) == (S.IMPROVEMENT_TRACK, 0)


def test_advice_without_a_track_opens_none(managers: tuple[User, User]) -> None:
    anna, bert = managers
    location = make_location()
    decision = step(location, "inspection_advice", anna, bert)
    assert decision.track is None
    assert not EnforcementTrack.objects.exists()


def test_the_history_holds_everything_in_time_order(managers: tuple[User, User]) -> None:
    anna, bert = managers
    location = make_location()
    case = make_case("danger", urgent=True)
    case.locations.add(location)
    step(location, "warning", anna, bert)
    proposal = propose(anna, "intention", location=location)
    proposal_approve(proposal_id=proposal.pk, approver=bert)
    step(location, "enforcement_closed", anna, bert)
    whats = [item.what for item in location_history(location)]
    assert whats == [
        "case",
        "proposal",
        "track_started",
        "decision",
        "proposal",
        "decision",
        "proposal",
        "decision",
        "track_closed",
    ]
    assert location_enforcement(location) == (S.NONE, 0)
