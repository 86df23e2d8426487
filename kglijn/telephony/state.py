"""A call's state derived from *all* its events — a pure function, no database.

The events are sorted by (occurred_at, type rank, event id) and replayed; the result is the
same whatever order they arrived in, and a redelivered event is not even seen twice (the event
table is unique on the event id). See docs/telephony.md "State derivation".

Rules, in short:
- A call starts with its earliest `offered`/`queued` (inbound) or `outbound_started` (outbound)
  event; without one the call is *pending* (nothing derived). Events stamped before the start
  (clock skew between platform components) count as happening at the start.
- Inbound: a *leg* is one wait in one office's queue. `answered` ends the current leg's wait;
  `transferred` (or an `offered`/`queued` naming another queue) closes the current leg and
  opens one in the target queue; `abandoned`, `callback_requested` and `ended` end the call.
  Events after the end are ignored, except that the first `ended` sets the end time and an
  `ended` carrying hold_seconds sets the hold time.
- Outbound: from `outbound_started` to the first `outbound_ended` (or `ended`); no legs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kglijn.core.vocabulary import Direction, Status
from kglijn.telephony.models import CallState, EventType, LegOutcome

# Order of events stamped with the same instant: the natural life of a call.
_RANK = {
    EventType.OFFERED: 0,
    EventType.OUTBOUND_STARTED: 0,
    EventType.QUEUED: 2,
    EventType.ANSWERED: 4,
    EventType.TRANSFERRED: 6,
    EventType.CALLBACK_REQUESTED: 8,
    EventType.ABANDONED: 8,
    EventType.ENDED: 10,
    EventType.OUTBOUND_ENDED: 10,
}
_INBOUND_STARTS = {EventType.OFFERED, EventType.QUEUED}
# The events that start a call: without one, a call is pending (nothing is derived yet).
STARTING_TYPES = frozenset({*_INBOUND_STARTS, EventType.OUTBOUND_STARTED})


@dataclass(frozen=True)
class EventFact:
    """What the derivation needs of one stored event."""

    event_id: str
    type: str
    occurred_at: dt.datetime
    queue: str = ""
    agent_id: int | None = None
    hold_seconds: int | None = None
    caller_number: str = ""

    def sort_key(self) -> tuple[dt.datetime, int, str]:
        return (self.occurred_at, _RANK[EventType(self.type)], self.event_id)


@dataclass(frozen=True)
class Leg:
    seq: int
    office: str
    offered_at: dt.datetime
    outcome: str = LegOutcome.WAITING
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    agent_id: int | None = None
    wait_seconds: float | None = None
    handle_seconds: float | None = None


@dataclass(frozen=True)
class DerivedCall:
    """Everything stored on Call and CallLeg for one call (see models.Call)."""

    state: str
    direction: str
    office: str  # "" for an outbound call without queue: the service picks the agent's office
    offered_at: dt.datetime
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    abandoned_at: dt.datetime | None = None
    waiting_since: dt.datetime | None = None
    transferred_to: str = ""
    agent_id: int | None = None
    queue_wait_seconds: float | None = None
    talk_seconds: float | None = None
    hold_seconds: int | None = None
    callback_requested: bool = False
    callback_number: str = ""
    legs: tuple[Leg, ...] = field(default=())


def _seconds(start: dt.datetime, end: dt.datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def derive_call(events: Iterable[EventFact]) -> DerivedCall | None:
    """The call's state from all its events (any order); None while no event starts it."""
    items = list(events)
    # An answer at the same instant as a transfer belongs after it (the back office picked up
    # within the second) when it names the transfer's queue, or when the call was answered
    # before (a transfer follows an answer; `queue` is optional on answers); otherwise the
    # type rank decides.
    transfers = {(e.occurred_at, e.queue) for e in items if e.type == EventType.TRANSFERRED}
    transfer_moments = {moment for moment, _queue in transfers}
    first_answer = min((e.occurred_at for e in items if e.type == EventType.ANSWERED), default=None)

    def key(fact: EventFact) -> tuple[dt.datetime, int, str]:
        moment, rank, event_id = fact.sort_key()
        if fact.type == EventType.ANSWERED and fact.occurred_at in transfer_moments:
            answered_before = first_answer is not None and first_answer < fact.occurred_at
            if answered_before or (fact.occurred_at, fact.queue) in transfers:
                rank = _RANK[EventType.TRANSFERRED] + 1
        return moment, rank, event_id

    ordered = sorted(items, key=key)
    start = next(
        (e for e in ordered if e.type in _INBOUND_STARTS or e.type == EventType.OUTBOUND_STARTED),
        None,
    )
    if start is None:
        return None
    rest = [e for e in ordered if e is not start]
    if start.type == EventType.OUTBOUND_STARTED:
        return _derive_outbound(start, rest)
    return _derive_inbound(start, rest)


def _derive_outbound(start: EventFact, rest: list[EventFact]) -> DerivedCall:
    t0 = start.occurred_at
    end = next((e for e in rest if e.type in (EventType.OUTBOUND_ENDED, EventType.ENDED)), None)
    holds = [e.hold_seconds for e in rest if e.hold_seconds is not None]
    hold = holds[-1] if holds else None
    ended_at = max(end.occurred_at, t0) if end is not None else None
    talk = max(0.0, _seconds(t0, ended_at) - (hold or 0)) if ended_at is not None else None
    return DerivedCall(
        state=CallState.ENDED if end is not None else CallState.CONNECTED,
        direction=Direction.OUT,
        office=start.queue,
        offered_at=t0,
        answered_at=t0,
        ended_at=ended_at,
        agent_id=start.agent_id,
        talk_seconds=talk,
        hold_seconds=hold,
    )


def _close_leg(leg: Leg, at: dt.datetime, outcome_if_waiting: str) -> Leg:
    """The leg ended at `at`: its wait ends (if it was waiting) or its conversation does."""
    if leg.outcome == LegOutcome.WAITING:
        return replace(
            leg,
            outcome=outcome_if_waiting,
            ended_at=at,
            wait_seconds=_seconds(leg.offered_at, at),
        )
    if leg.outcome == LegOutcome.ANSWERED and leg.ended_at is None:
        assert leg.answered_at is not None
        return replace(leg, ended_at=at, handle_seconds=_seconds(leg.answered_at, at))
    return leg


def _derive_inbound(start: EventFact, rest: list[EventFact]) -> DerivedCall:
    t0 = start.occurred_at
    legs: list[Leg] = [Leg(seq=1, office=start.queue, offered_at=t0)]
    over = False
    ended_at: dt.datetime | None = None
    abandoned_at: dt.datetime | None = None
    transferred_to = ""
    hold: int | None = None
    callback = False
    callback_number = ""

    for event in rest:
        at = max(event.occurred_at, t0)
        kind = event.type
        if event.hold_seconds is not None and kind == EventType.ENDED:
            hold = event.hold_seconds
        if kind == EventType.CALLBACK_REQUESTED:
            callback = True
            callback_number = event.caller_number or callback_number
        if over:
            if kind == EventType.ENDED and ended_at is not None and abandoned_at == ended_at:
                ended_at = at  # the platform's end after the caller hung up in the queue
            continue
        current = legs[-1]
        if kind in _INBOUND_STARTS or kind == EventType.TRANSFERRED:
            if kind != EventType.TRANSFERRED and current.office == event.queue:
                continue  # queued after offered (or re-queued): the same leg
            legs[-1] = _close_leg(current, at, LegOutcome.TRANSFERRED)
            legs.append(Leg(seq=len(legs) + 1, office=event.queue, offered_at=at))
            transferred_to = event.queue
        elif kind == EventType.ANSWERED:
            if current.outcome == LegOutcome.WAITING:
                legs[-1] = replace(
                    current,
                    outcome=LegOutcome.ANSWERED,
                    answered_at=at,
                    agent_id=event.agent_id,
                    wait_seconds=_seconds(current.offered_at, at),
                )
        elif kind == EventType.ABANDONED:
            if current.outcome == LegOutcome.WAITING:
                abandoned_at = at
            legs[-1] = _close_leg(current, at, LegOutcome.ABANDONED)
            over, ended_at = True, at
        elif kind == EventType.CALLBACK_REQUESTED:
            if current.outcome == LegOutcome.WAITING:
                legs[-1] = _close_leg(current, at, LegOutcome.CALLBACK)
                over, ended_at = True, at
        elif kind == EventType.ENDED:
            legs[-1] = _close_leg(current, at, LegOutcome.UNANSWERED)
            over, ended_at = True, at
        # outbound_* events on an inbound call carry nothing for it: ignored.

    last = legs[-1]
    if over:
        state = CallState.ENDED
    elif last.outcome == LegOutcome.WAITING:
        state = CallState.WAITING
    else:
        state = CallState.CONNECTED
    answered = [leg for leg in legs if leg.answered_at is not None]
    waits = [leg.wait_seconds for leg in legs if leg.wait_seconds is not None]
    handled = [leg.handle_seconds for leg in legs if leg.handle_seconds is not None]
    talk = max(0.0, sum(handled) - (hold or 0)) if handled else None
    return DerivedCall(
        state=state,
        direction=Direction.IN,
        office=last.office,
        offered_at=t0,
        answered_at=answered[0].answered_at if answered else None,
        ended_at=ended_at,
        abandoned_at=abandoned_at,
        waiting_since=last.offered_at if state == CallState.WAITING else None,
        transferred_to=transferred_to,
        agent_id=answered[-1].agent_id if answered else None,
        queue_wait_seconds=sum(waits) if waits else None,
        talk_seconds=talk,
        hold_seconds=hold,
        callback_requested=callback,
        callback_number=callback_number,
        legs=tuple(legs),
    )


@dataclass(frozen=True)
class ContactFacts:
    """What telephony sets on the call's contact; the desk owns everything else."""

    direction: str
    office: str
    received_at: dt.datetime
    answered_at: dt.datetime | None
    handler_id: int | None
    status: str
    closed_at: dt.datetime | None


def contact_due(call: DerivedCall) -> bool:
    """Whether the call has a contact yet: from its first answer, abandon, transfer, callback
    request or end (inbound) or from its start (outbound) — not while it only waits."""
    if call.direction == Direction.OUT:
        return True
    return call.state != CallState.WAITING or len(call.legs) > 1


def contact_facts(call: DerivedCall, *, office: str) -> ContactFacts:
    """The contact's telephony facts; `office` is the call's office, resolved if it was ""."""
    handler: int | None = None
    status: str = Status.OPEN
    closed_at: dt.datetime | None = None
    if call.direction == Direction.OUT:
        handler = call.agent_id
    else:
        last = call.legs[-1]
        ever_answered = call.answered_at is not None
        if last.outcome == LegOutcome.ANSWERED:
            handler = last.agent_id
        elif ever_answered:
            status = Status.ESCALATED  # handed to another office, not picked up there (yet)
        elif call.callback_requested or last.outcome == LegOutcome.WAITING:
            status = Status.OPEN  # in the office queue: someone calls back / will answer
        else:
            status = Status.CLOSED  # abandoned or ended before anyone answered
            closed_at = call.ended_at
    return ContactFacts(
        direction=call.direction,
        office=office,
        received_at=call.offered_at,
        answered_at=call.answered_at,
        handler_id=handler,
        status=status,
        closed_at=closed_at,
    )
