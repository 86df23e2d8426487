"""The derivation of a call from its events: a pure function, independent of arrival order."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from kglijn.telephony.state import EventFact, contact_due, contact_facts, derive_call
from tests.telephony.calls import BRUSSELS

T0 = dt.datetime(2023, 3, 6, 10, 0, tzinfo=BRUSSELS)


def fact(n: int, kind: str, seconds: float, **extra) -> EventFact:
    return EventFact(f"e{n}", kind, T0 + dt.timedelta(seconds=seconds), **extra)


ANSWERED_CALL = [
    fact(1, "offered", 0, queue="front"),
    fact(2, "queued", 0, queue="front"),
    fact(3, "answered", 12, agent_id=7, queue="front"),
    fact(4, "ended", 312, hold_seconds=30),
]


def test_an_answered_call() -> None:
    call = derive_call(ANSWERED_CALL)
    assert call is not None
    assert (call.state, call.direction, call.office) == ("ended", "in", "front")
    assert call.offered_at == T0
    assert call.answered_at == T0 + dt.timedelta(seconds=12)
    assert call.ended_at == T0 + dt.timedelta(seconds=312)
    assert (call.agent_id, call.queue_wait_seconds, call.hold_seconds) == (7, 12.0, 30)
    assert call.talk_seconds == 270.0  # 300 s connected, 30 of them on hold
    assert [
        (leg.office, leg.outcome, leg.wait_seconds, leg.handle_seconds) for leg in call.legs
    ] == [("front", "answered", 12.0, 300.0)]


def test_every_arrival_order_gives_the_same_call() -> None:
    expected = derive_call(ANSWERED_CALL)
    for order in itertools.permutations(ANSWERED_CALL):
        assert derive_call(order) == expected


def test_no_start_event_means_pending() -> None:
    assert derive_call([fact(3, "answered", 12, agent_id=7), fact(4, "ended", 300)]) is None


def test_a_transfer_opens_a_leg_in_the_back_office() -> None:
    call = derive_call(
        [
            fact(1, "offered", 0, queue="front"),
            fact(2, "answered", 5, agent_id=1, queue="front"),
            fact(3, "transferred", 65, queue="pgjo", agent_id=1),
            # the nurse picks up within the same second: still after the transfer
            fact(4, "answered", 65, agent_id=2, queue="pgjo"),
            fact(5, "ended", 365),
        ]
    )
    assert call is not None
    assert (call.office, call.transferred_to, call.agent_id) == ("pgjo", "pgjo", 2)
    assert call.answered_at == T0 + dt.timedelta(seconds=5)
    assert [
        (leg.office, leg.outcome, leg.wait_seconds, leg.handle_seconds) for leg in call.legs
    ] == [
        ("front", "answered", 5.0, 60.0),
        ("pgjo", "answered", 0.0, 300.0),
    ]
    assert call.queue_wait_seconds == 5.0
    facts = contact_facts(call, office=call.office)
    assert (facts.office, facts.handler_id, facts.status) == ("pgjo", 2, "open")


def test_a_back_office_answer_in_the_transfers_second_without_a_queue_follows_it() -> None:
    # `queue` is optional on answered events: the earlier front-office answer tells them apart.
    events = [
        fact(1, "offered", 0, queue="front"),
        fact(2, "answered", 5, agent_id=1),
        fact(3, "transferred", 65, queue="pgjo", agent_id=1),
        fact(0, "answered", 65, agent_id=2),  # event id sorts before the transfer's
        fact(5, "ended", 365),
    ]
    for order in itertools.permutations(events):
        call = derive_call(order)
        assert call is not None
        assert (call.office, call.agent_id) == ("pgjo", 2)
        assert [(leg.office, leg.outcome) for leg in call.legs] == [
            ("front", "answered"),
            ("pgjo", "answered"),
        ]


def test_abandoned_in_the_back_office_leaves_the_contact_escalated() -> None:
    call = derive_call(
        [
            fact(1, "offered", 0, queue="front"),
            fact(2, "answered", 5, agent_id=1),
            fact(3, "transferred", 65, queue="childcare"),
            fact(4, "abandoned", 125),
            fact(5, "ended", 126),
        ]
    )
    assert call is not None
    assert [(leg.office, leg.outcome, leg.wait_seconds) for leg in call.legs] == [
        ("front", "answered", 5.0),
        ("childcare", "abandoned", 60.0),
    ]
    assert call.abandoned_at == T0 + dt.timedelta(seconds=125)
    assert call.ended_at == T0 + dt.timedelta(seconds=126)
    facts = contact_facts(call, office=call.office)
    assert (facts.office, facts.handler_id, facts.status) == ("childcare", None, "escalated")


@pytest.mark.parametrize(
    ("last", "status", "outcome"),
    [
        ("abandoned", "closed", "abandoned"),
        ("ended", "closed", "unanswered"),
        ("callback_requested", "open", "callback"),
    ],
)
def test_unanswered_calls(last: str, status: str, outcome: str) -> None:
    call = derive_call([fact(1, "offered", 0, queue="front"), fact(2, last, 40)])
    assert call is not None
    assert call.state == "ended"
    assert call.answered_at is None
    assert [(leg.outcome, leg.wait_seconds) for leg in call.legs] == [(outcome, 40.0)]
    facts = contact_facts(call, office="front")
    assert (facts.status, facts.handler_id) == (status, None)
    assert facts.closed_at == (T0 + dt.timedelta(seconds=40) if status == "closed" else None)


def test_a_waiting_call_has_no_contact_yet_and_knows_since_when_it_waits() -> None:
    call = derive_call([fact(1, "offered", 0, queue="pgjo")])
    assert call is not None
    assert (call.state, call.waiting_since, contact_due(call)) == ("waiting", T0, False)
    answered = derive_call(
        [fact(1, "offered", 0, queue="pgjo"), fact(2, "answered", 3, agent_id=4)]
    )
    assert answered is not None
    assert (answered.state, answered.waiting_since, contact_due(answered)) == (
        "connected",
        None,
        True,
    )


def test_events_stamped_before_the_start_count_from_the_start() -> None:
    # the platform's components disagree by a second: the answer seems to precede the offer
    call = derive_call([fact(1, "offered", 1, queue="front"), fact(2, "answered", 0, agent_id=3)])
    assert call is not None
    assert call.answered_at == call.offered_at == T0 + dt.timedelta(seconds=1)
    assert call.legs[0].wait_seconds == 0.0


def test_events_after_the_end_change_nothing() -> None:
    base = [fact(1, "offered", 0, queue="front"), fact(2, "abandoned", 9)]
    late = [*base, fact(3, "answered", 20, agent_id=5), fact(4, "transferred", 30, queue="pgjo")]
    assert derive_call(late) == derive_call(base)


def test_an_outbound_call() -> None:
    call = derive_call(
        [
            fact(1, "outbound_started", 0, agent_id=8),
            fact(2, "outbound_ended", 200, hold_seconds=20),
        ]
    )
    assert call is not None
    assert (call.direction, call.state, call.office, call.agent_id) == ("out", "ended", "", 8)
    assert call.answered_at == call.offered_at == T0
    assert (call.talk_seconds, call.hold_seconds, call.legs) == (180.0, 20, ())
    facts = contact_facts(call, office="front")
    assert (facts.direction, facts.handler_id, facts.status) == ("out", 8, "open")


def test_random_orders_of_many_calls() -> None:
    rng = random.Random(5)
    events = [
        fact(1, "offered", 0, queue="front"),
        fact(2, "queued", 0, queue="front"),
        fact(3, "answered", 0, agent_id=1, queue="front"),
        fact(4, "transferred", 100, queue="pgjo"),
        fact(5, "answered", 130, agent_id=2, queue="pgjo"),
        fact(6, "transferred", 200, queue="childcare"),
        fact(7, "callback_requested", 260, caller_number="+3231234567"),
        fact(8, "ended", 261),
    ]
    expected = derive_call(events)
    assert expected is not None
    assert [leg.outcome for leg in expected.legs] == ["answered", "answered", "callback"]
    assert expected.callback_number == "+3231234567"
    for _ in range(200):
        shuffled = events[:]
        rng.shuffle(shuffled)
        assert derive_call(shuffled) == expected
