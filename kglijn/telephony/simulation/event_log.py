"""The call-event log on the client side: the contract's event (`CallEvent`) and the service
levels computed straight from a list of events — the independent reference that kglijn's own
figures (kglijn.servicelevels.phone, from the stored call legs) must equal.

Definitions as domain.md and docs/telephony.md state them; see `service_levels`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kglijn.core.business_calendar import BRUSSELS

OFFICES = ("front", "pgjo", "childcare")
EVENT_TYPES = (
    "offered",
    "queued",
    "answered",
    "transferred",
    "ended",
    "abandoned",
    "outbound_started",
    "outbound_ended",
    "callback_requested",
)
# The contract's norm unless told otherwise: answered within 20 s; callers who hang up within
# less than 5 s are short abandons (excluded from offered and abandoned).
DEFAULT_TARGET_SECONDS = 20
DEFAULT_SHORT_ABANDON_SECONDS = 5


@dataclass(frozen=True)
class CallEvent:
    """One event of the telephony contract (POST /api/v1/telephony/events/)."""

    event_id: str
    type: str
    call_id: str
    occurred_at: dt.datetime  # aware, whole seconds, Europe/Brussels
    queue: str | None = None
    agent: str | None = None
    hold_seconds: int | None = None
    caller_number: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The event's JSON object, optional fields only when set."""
        body: dict[str, Any] = {
            "event_id": self.event_id,
            "type": self.type,
            "call_id": self.call_id,
            "occurred_at": self.occurred_at.isoformat(timespec="seconds"),
        }
        for key in ("queue", "agent", "hold_seconds", "caller_number"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> CallEvent:
        return cls(
            event_id=str(body["event_id"]),
            type=str(body["type"]),
            call_id=str(body["call_id"]),
            occurred_at=dt.datetime.fromisoformat(str(body["occurred_at"])),
            queue=body.get("queue"),
            agent=body.get("agent"),
            hold_seconds=body.get("hold_seconds"),
            caller_number=body.get("caller_number"),
        )


@dataclass(frozen=True)
class ServiceLevel:
    """Service-level figures of one office (and one hour, when asked by hour)."""

    office: str
    offered: int  # calls that reached the queue, short abandons excluded
    answered: int
    abandoned: int  # short abandons excluded
    short_abandoned: int
    callbacks: int  # asked a call-back from the queue: offered, neither answered nor abandoned
    answered_within_target: int
    target_seconds: int
    short_abandon_seconds: int
    total_wait_answered: float  # seconds, for ASA
    longest_wait: float  # seconds, of any call that waited (answered, abandoned, call-back)
    total_handling: float  # seconds answered -> transferred/ended (talk + hold), for AHT
    handled: int  # calls whose handling ended (with AHT)

    @property
    def service_level_pct(self) -> float | None:
        """answered within target ÷ offered (short abandons already left out) × 100."""
        return 100 * self.answered_within_target / self.offered if self.offered else None

    @property
    def asa_seconds(self) -> float | None:
        return self.total_wait_answered / self.answered if self.answered else None

    @property
    def aht_seconds(self) -> float | None:
        return self.total_handling / self.handled if self.handled else None

    @property
    def abandon_rate_pct(self) -> float | None:
        return 100 * self.abandoned / self.offered if self.offered else None


@dataclass
class _Tally:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short: int = 0
    callbacks: int = 0
    within: int = 0
    wait: float = 0.0
    longest: float = 0.0
    handling: float = 0.0
    handled: int = 0


def _seconds(later: dt.datetime, earlier: dt.datetime) -> float:
    return (later - earlier).total_seconds()


def service_levels(
    events: Iterable[CallEvent],
    *,
    target_seconds: int = DEFAULT_TARGET_SECONDS,
    short_abandon_seconds: int = DEFAULT_SHORT_ABANDON_SECONDS,
    by_hour: bool = False,
) -> dict[tuple[str, dt.datetime | None], ServiceLevel]:
    """Service levels per office (and per Brussels hour of queue entry with by_hour), computed
    from the events alone, in any order and with duplicates (deduplicated on event_id).

    A call is offered to an office when it enters that office's queue: `offered` (front office)
    or `transferred` to it (back office). Its wait is entry -> `answered` or -> `abandoned`.
    Short abandon: abandoned after waiting less than `short_abandon_seconds`; short abandons
    count in neither offered nor abandoned. Answered within target: wait <= target_seconds.
    A caller who asks to be called back from the queue counts as offered, neither answered nor
    abandoned. Service level = answered within target ÷ offered. ASA = mean wait of the answered
    calls.
    AHT = mean of answered -> transferred/ended (talk + hold). Longest wait: of any call that
    waited, answered or abandoned (short abandons too).
    """
    unique: dict[str, CallEvent] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    by_call: dict[str, list[CallEvent]] = defaultdict(list)
    for event in unique.values():
        by_call[event.call_id].append(event)
    tallies: dict[tuple[str, dt.datetime | None], _Tally] = defaultdict(_Tally)
    for call_events in by_call.values():
        _tally_call(call_events, tallies, target_seconds, short_abandon_seconds, by_hour)
    return {
        key: ServiceLevel(
            office=key[0],
            offered=t.offered,
            answered=t.answered,
            abandoned=t.abandoned,
            short_abandoned=t.short,
            callbacks=t.callbacks,
            answered_within_target=t.within,
            target_seconds=target_seconds,
            short_abandon_seconds=short_abandon_seconds,
            total_wait_answered=t.wait,
            longest_wait=t.longest,
            total_handling=t.handling,
            handled=t.handled,
        )
        for key, t in sorted(tallies.items(), key=_tally_order)
    }


def _moments(events: list[CallEvent], *kinds: str) -> list[dt.datetime]:
    return sorted(event.occurred_at for event in events if event.type in kinds)


def _tally_call(
    events: list[CallEvent],
    tallies: dict[tuple[str, dt.datetime | None], _Tally],
    target_seconds: int,
    short_abandon_seconds: int,
    by_hour: bool,
) -> None:
    """Add one call's queue entries to the tallies.

    The n-th `answered` belongs to the n-th queue entry (an answer comes after its entry and
    before the next transfer), which holds however the events of one second are ordered."""
    entries = sorted(
        (event.occurred_at, event.queue or "")
        for event in events
        if event.type in ("offered", "transferred")
    )
    answers = _moments(events, "answered")
    abandons = _moments(events, "abandoned")
    callbacks = _moments(events, "callback_requested")
    ends = _moments(events, "ended")
    for index, (entered, office) in enumerate(entries):
        hour = entered.astimezone(BRUSSELS).replace(minute=0, second=0) if by_hour else None
        tally = tallies[(office, hour)]
        if index < len(answers):
            answered = answers[index]
            wait = _seconds(answered, entered)
            tally.offered += 1
            tally.answered += 1
            tally.wait += wait
            tally.within += wait <= target_seconds
            tally.longest = max(tally.longest, wait)
            handled_until = entries[index + 1][0] if index + 1 < len(entries) else None
            if handled_until is None and ends:
                handled_until = ends[0]
            if handled_until is not None:
                tally.handling += _seconds(handled_until, answered)
                tally.handled += 1
        elif abandons:
            wait = _seconds(abandons[0], entered)
            tally.longest = max(tally.longest, wait)
            if wait < short_abandon_seconds:
                tally.short += 1
            else:
                tally.offered += 1
                tally.abandoned += 1
        elif callbacks:
            tally.offered += 1
            tally.callbacks += 1
            tally.longest = max(tally.longest, _seconds(callbacks[0], entered))


def _tally_order(item: tuple[tuple[str, dt.datetime | None], _Tally]) -> tuple[int, float]:
    (office, hour), _ = item
    return OFFICES.index(office), hour.timestamp() if hour else 0.0
