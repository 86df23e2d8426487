"""Every write of the phone channel: storing call events, deriving calls and their contacts.

`call_events_ingest` is idempotent on the event id: the event table's unique key decides, with
`INSERT … ON CONFLICT DO NOTHING`, so a redelivered event (even two deliveries racing in two
server processes) is stored once and changes nothing. Each call touched by a new event is
re-derived from all its stored events (kglijn.telephony.state) and written only where the
result differs: a handful of statements per event, independent of the call history's size.
The calls' contacts are written by kglijn.telephony.call_contacts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from kglijn.accounts.selectors import user_home_office
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.core.vocabulary import Direction, Office
from kglijn.telephony.call_contacts import contact_sync, contacts_for_calls, escalations_record
from kglijn.telephony.events import EventInput
from kglijn.telephony.models import AgentMapping, Call, CallEvent, CallLeg, CallState
from kglijn.telephony.state import (
    STARTING_TYPES,
    ContactFacts,
    DerivedCall,
    EventFact,
    Leg,
    contact_due,
    contact_facts,
    derive_call,
)
from kglijn.telephony.store_pg import events_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventOutcome:
    index: int
    event_id: str
    call_id: str
    new: bool  # False: a redelivery of a stored event (changed nothing)
    call_known: bool  # False: no event starts this call yet; kept, applies when one arrives


@dataclass(frozen=True)
class IngestResult:
    outcomes: list[EventOutcome]
    # False: stored and acknowledged; the background applier derives the calls (ADR 0009).
    applied: bool = True
    # Inline mode: event ids stored but set aside because applying them failed (issue 13).
    held: tuple[str, ...] = ()

    @property
    def accepted(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.new)

    @property
    def duplicates(self) -> int:
        return sum(1 for outcome in self.outcomes if not outcome.new)

    @property
    def pending(self) -> list[EventOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.call_known]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def agents_resolve(refs: set[str]) -> dict[str, int]:
    """Platform agent id -> kglijn user id, for the ids that resolve: the administrator's
    AgentMapping first, else an active user with that username. Unresolved ids are absent:
    their events are stored and applied without a user (never refused: the platform cannot
    fix them, and refusing lost the answer — the call then counted as not answered)."""
    if not refs:
        return {}
    found: dict[str, int] = dict(
        User.objects.filter(username__in=refs, is_active=True).values_list("username", "id")
    )
    found.update(AgentMapping.objects.filter(agent_ref__in=refs).values_list("agent_ref", "user"))
    return found


def _agents(events: Sequence[EventInput]) -> dict[str, int]:
    """Agent id as sent -> user id of every agent of the events that resolves to a user."""
    return agents_resolve({event.agent for event in events if event.agent})


@dataclass(frozen=True)
class _CallRow:
    """What the applier reads of a locked call row."""

    pk: int
    call_id: str
    state: str
    contact_id: int | None


def _ensure_calls(call_ids: Sequence[str], now: dt.datetime) -> dict[str, int]:
    """Call id -> call pk; missing calls are created pending. Takes no row lock: the webhook
    never waits for the applier (which holds call rows locked while it derives them)."""
    table = _q(Call._meta.db_table)
    columns = [
        "call_id",
        "state",
        "direction",
        "office",
        "transferred_to",
        "callback_requested",
        "callback_number",
        "updated_at",
    ]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list[Any] = []
    stamp = connection.ops.adapt_datetimefield_value(now)
    for call_id in call_ids:
        params += [call_id, CallState.PENDING, Direction.IN, "", "", False, "", stamp]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(_q(c) for c in columns)}) "  # noqa: S608
            f"VALUES {', '.join([row] * len(call_ids))} "
            f"ON CONFLICT ({_q('call_id')}) DO NOTHING RETURNING {_q('id')}, {_q('call_id')}",
            params,
        )
        found = {str(call_id): int(pk) for pk, call_id in cursor.fetchall()}
    missing = [call_id for call_id in call_ids if call_id not in found]
    if missing:  # existing calls (or created a moment ago by a concurrent request)
        found.update(Call.objects.filter(call_id__in=missing).values_list("call_id", "pk"))
    return found


def _insert_events(
    events: Sequence[EventInput],
    calls: dict[str, int],
    agents: dict[str, int],
    now: dt.datetime,
) -> dict[str, int]:
    """Store the events that are not stored yet (unapplied); event id -> pk of those inserted."""
    table = _q(CallEvent._meta.db_table)
    columns = [
        "event_id",
        "call_id",
        "type",
        "occurred_at",
        "queue",
        "agent_id",
        "agent_ref",
        "hold_seconds",
        "caller_number",
        "received_at",
        "applied",
    ]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    for event in events:
        params += [
            event.event_id,
            calls[event.call_id],
            event.type,
            adapt(event.occurred_at),
            event.queue,
            agents.get(event.agent) if event.agent else None,
            event.agent,
            event.hold_seconds,
            event.caller_number,
            adapt(now),
            False,
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(_q(c) for c in columns)}) "  # noqa: S608
            f"VALUES {', '.join([row] * len(events))} "
            f"ON CONFLICT ({_q('event_id')}) DO NOTHING RETURNING {_q('event_id')}, {_q('id')}",
            params,
        )
        return {str(event_id): int(pk) for event_id, pk in cursor.fetchall()}


def _started_calls(events: Sequence[EventInput], calls: dict[str, int]) -> set[str]:
    """The call ids of the request that some stored event starts (offered, queued, outbound
    started): in this request, or stored before."""
    started = {event.call_id for event in events if event.type in STARTING_TYPES}
    rest = {calls[call_id]: call_id for call_id in calls if call_id not in started}
    if rest:
        stored = CallEvent.objects.filter(call_id__in=list(rest), type__in=STARTING_TYPES)
        started |= {rest[pk] for pk in stored.values_list("call_id", flat=True).distinct()}
    return started


def call_events_ingest(
    *, events: Sequence[EventInput], now: dt.datetime | None = None
) -> IngestResult:
    """Store call events; apply them now (inline) or leave them to the applier (background).

    Idempotent on event_id (a redelivery changes nothing); order of arrival does not matter
    (a call is derived from all its events); an event for a call that nothing has started yet
    is kept and reported as pending (it applies once the start arrives). An agent id that
    is no kglijn user is kept as sent (`agent_ref`) and the event applies without a user.
    """
    now = now or timezone.now()
    inline = settings.KGLIJN_TELEPHONY_APPLY == "inline"
    if not inline and connection.vendor == "postgresql":
        # The hot path as deployed: one statement, no lock, no transaction block (ADR 0009).
        agents = _agents(events)
        stored = events_store(events, agents, now)
        return IngestResult(
            [
                EventOutcome(
                    index=event.index,
                    event_id=event.event_id,
                    call_id=event.call_id,
                    new=outcome.new,
                    call_known=outcome.call_known,
                )
                for event, outcome in zip(events, stored, strict=True)
            ],
            applied=False,
        )
    with transaction.atomic():
        agents = _agents(events)
        unique: dict[str, EventInput] = {}
        for event in events:
            unique.setdefault(event.event_id, event)  # the same id twice in a batch: first wins
        calls = _ensure_calls(sorted({event.call_id for event in events}), now)
        inserted = _insert_events(list(unique.values()), calls, agents, now)
        started = _started_calls(events, calls)
        held_pks = _apply_isolated(sorted(inserted.values()), now=now) if inline else []
    held = set(held_pks)
    new_index = {unique[event_id].index for event_id in inserted}
    return IngestResult(
        [
            EventOutcome(
                index=event.index,
                event_id=event.event_id,
                call_id=event.call_id,
                new=event.index in new_index,
                call_known=event.call_id in started,
            )
            for event in events
        ],
        applied=inline and not held,
        held=tuple(event_id for event_id, pk in inserted.items() if pk in held),
    )


def call_events_apply(*, event_pks: Sequence[int]) -> None:
    """Bring the calls of these stored, unapplied events up to date with them, and mark them
    applied — in the caller's transaction.

    Each call is locked (in pk order: two appliers cannot deadlock on calls) and derived
    from its applied events plus these; its row, legs and contact are written where that
    derivation differs from the one of its applied events alone, which is what the rows hold.
    Events stored meanwhile and not in `event_pks` wait for their own turn.
    """
    rows = list(
        CallEvent.objects.filter(pk__in=event_pks, applied=False).values_list(
            "pk", "call_id", "event_id"
        )
    )
    if not rows:
        return
    pks = [pk for pk, _call, _event in rows]
    calls = _lock_calls(sorted({call_pk for _pk, call_pk, _event in rows}))
    _derive_and_apply(calls, new_ids={event_id for _pk, _call, event_id in rows}, new_pks=pks)
    CallEvent.objects.filter(pk__in=pks).update(applied=True)


def call_events_apply_pending(*, limit: int = 500, now: dt.datetime | None = None) -> int:
    """Apply up to `limit` unapplied events, oldest first, in one transaction; how many were
    taken (applied, or held when applying them failed).

    Safe with several appliers at once: each takes different events (SKIP LOCKED) and the
    calls serialise on their row locks. Held events are skipped: one bad event never stops
    the stream. Run by the applier thread of `kglijn serve` when KGLIJN_TELEPHONY_APPLY is
    "background".
    """
    with transaction.atomic():
        pending = CallEvent.objects.filter(applied=False, held_at__isnull=True).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True, of=("self",))
        pks = list(pending.values_list("pk", flat=True)[:limit])
        if pks:
            _apply_isolated(pks, now=now or timezone.now())
    return len(pks)


# Errors of the connection or of concurrency (lost connection, deadlock, lock or statement
# timeout): not the event's fault, so the whole batch rolls back and is tried again later.
_TRANSIENT = (OperationalError, InterfaceError)
MAX_APPLY_ERROR_LENGTH = 2000


def _apply_isolated(event_pks: Sequence[int], *, now: dt.datetime) -> list[int]:
    """Apply the events in the caller's transaction; the pks of those set aside (held).

    The whole set is applied under one savepoint. Should that fail for anything but a
    transient database error, it is applied again call by call, each under its own savepoint,
    and the events of a call that still fails are held with the error: the other calls, and
    every event stored later, go on (issue 13 — one bad event once stopped the applier).
    """
    if not event_pks:
        return []
    try:
        with transaction.atomic():
            call_events_apply(event_pks=event_pks)
        return []
    except _TRANSIENT:
        raise
    except Exception:  # isolated per call below
        logger.warning("applying %d call events failed; isolating per call", len(event_pks))
    by_call: dict[int, list[int]] = defaultdict(list)
    rows = CallEvent.objects.filter(pk__in=event_pks, applied=False).values_list("pk", "call_id")
    for pk, call_pk in rows:
        by_call[call_pk].append(pk)
    held: list[int] = []
    for call_pk in sorted(by_call):
        pks = sorted(by_call[call_pk])
        try:
            with transaction.atomic():
                call_events_apply(event_pks=pks)
        except _TRANSIENT:
            raise
        except Exception as exc:  # held with its error, for the team lead
            logger.exception("call events %s could not be applied; held", pks)
            error = f"{type(exc).__name__}: {exc}"[:MAX_APPLY_ERROR_LENGTH]
            CallEvent.objects.filter(pk__in=pks).update(held_at=now, apply_error=error)
            held += pks
    return held


@dataclass(frozen=True)
class RetryResult:
    applied: int  # held events applied now
    held: int  # still held (applying failed again; the error is updated)


def call_events_retry_held(
    *, event_pks: Sequence[int] | None = None, now: dt.datetime | None = None
) -> RetryResult:
    """Apply held events again (all, or these), in both apply modes; those that fail again
    stay held with the new error and time. Safe to run twice and next to the applier."""
    now = now or timezone.now()
    applied = held = 0
    last = 0
    while True:
        with transaction.atomic():
            batch = CallEvent.objects.filter(
                applied=False, held_at__isnull=False, pk__gt=last
            ).order_by("pk")
            if event_pks is not None:
                batch = batch.filter(pk__in=event_pks)
            if connection.features.has_select_for_update_skip_locked:
                batch = batch.select_for_update(skip_locked=True, of=("self",))
            pks = list(batch.values_list("pk", flat=True)[:500])
            if not pks:
                break
            CallEvent.objects.filter(pk__in=pks).update(held_at=None, apply_error="")
            still = _apply_isolated(pks, now=now)
        applied += len(pks) - len(still)
        held += len(still)
        last = pks[-1]
    return RetryResult(applied=applied, held=held)


def _lock_calls(pks: Sequence[int]) -> list[_CallRow]:
    # NO KEY UPDATE, not UPDATE: the webhook's event insert checks its foreign key to the call
    # with FOR KEY SHARE, which FOR UPDATE blocks. Measured: with FOR UPDATE an applier that
    # keeps up (locking the calls that are ringing right now) held the next event of such a
    # call for the rest of its batch — p99 137-149 ms at 500 events/s against 22 ms when it
    # lagged behind on older calls. Two appliers still exclude each other per call.
    rows = (
        Call.objects.filter(pk__in=pks)
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", "call_id", "state", "contact_id")
    )
    return [_CallRow(pk, call_id, state, contact_id) for pk, call_id, state, contact_id in rows]


def _events_by_call(pks: Sequence[int], new_pks: Sequence[int]) -> dict[int, list[EventFact]]:
    """The applied events of these calls, and the new ones being applied."""
    by_call: dict[int, list[EventFact]] = defaultdict(list)
    rows = CallEvent.objects.filter(
        Q(applied=True) | Q(pk__in=new_pks), call_id__in=pks
    ).values_list(
        "call_id",
        "event_id",
        "type",
        "occurred_at",
        "queue",
        "agent_id",
        "hold_seconds",
        "caller_number",
    )
    for call_pk, event_id, kind, occurred_at, queue, agent_id, hold, caller in rows:
        by_call[call_pk].append(
            EventFact(event_id, kind, occurred_at, queue, agent_id, hold, caller)
        )
    return by_call


@dataclass
class _Plan:
    """One touched call: its derivation now and before this request, and its contact facts."""

    call: _CallRow
    derived: DerivedCall
    before: DerivedCall | None
    facts: ContactFacts | None  # None while the call needs no contact yet
    contact_id: int | None


def _plan(call: _CallRow, facts: list[EventFact], before_facts: list[EventFact]) -> _Plan | None:
    """The call derived from `facts`, against the derivation the rows hold (`before_facts`)."""
    derived = derive_call(facts)
    if derived is None:
        return None  # still pending: nothing starts this call yet
    before = derive_call(before_facts)
    if derived.direction == Direction.OUT and derived.office == "":
        derived = _with_outbound_office(derived)
        if before is not None and before.office == "":
            # The agent decides an outbound call's office: a mapping saved later may change it.
            same_agent = before.agent_id == derived.agent_id
            before = (
                replace(before, office=derived.office)
                if same_agent
                else _with_outbound_office(before)
            )
    contact = contact_facts(derived, office=derived.office) if contact_due(derived) else None
    return _Plan(call, derived, before, contact, call.contact_id)


def _derive_and_apply(
    calls: list[_CallRow], *, new_ids: set[str], new_pks: Sequence[int]
) -> set[str]:
    """Re-derive each call from its applied and new events and write what differs from the
    derivation of the applied ones alone (which is what the rows hold: Call and CallLeg are a
    pure function of the applied events, written only here, under the call's row lock).
    Returns the call ids that are started (not pending)."""
    events = _events_by_call([call.pk for call in calls], new_pks)
    plans = [
        plan
        for call in calls
        if (
            plan := _plan(
                call,
                events[call.pk],
                [fact for fact in events[call.pk] if fact.event_id not in new_ids],
            )
        )
    ]
    _write_plans(plans)
    return {plan.call.call_id for plan in plans}


def _write_plans(plans: list[_Plan]) -> None:
    """Write each plan's differences: new contacts, the call row, its legs, its contact's
    telephony facts and escalations for new transfer legs."""
    wanted = {
        plan.call.pk: (plan.call.call_id, plan.facts)
        for plan in plans
        if plan.facts is not None and plan.contact_id is None
    }
    created = contacts_for_calls(wanted)
    for plan in plans:
        plan.contact_id = plan.contact_id or created.get(plan.call.pk)
    new_legs: list[CallLeg] = []
    for plan in plans:
        stored = plan.before.legs if plan.before else ()
        new_legs += _apply_legs(plan.call.pk, plan.derived.legs, stored)
        _apply_call(plan)
        if plan.facts is not None and plan.call.contact_id is not None:
            old = (
                contact_facts(plan.before, office=plan.before.office)
                if plan.before is not None and contact_due(plan.before)
                else None
            )
            contact_sync(contact_id=plan.call.contact_id, facts=plan.facts, old_facts=old)
        transfers = [
            (plan.derived.legs[leg.seq - 2], leg)
            for leg in plan.derived.legs[max(1, len(stored)) :]
            if leg.office != plan.derived.legs[leg.seq - 2].office
        ]
        if transfers and plan.contact_id is not None:
            escalations_record(contact_id=plan.contact_id, transfers=transfers)
    if new_legs:
        CallLeg.objects.bulk_create(new_legs)


def _with_outbound_office(derived: DerivedCall) -> DerivedCall:
    """An outbound call without queue belongs to its agent's office (else the front office)."""
    office: str = Office.FRONT
    if derived.agent_id is not None:
        agent = User.objects.filter(pk=derived.agent_id).first()
        office = (user_home_office(user=agent) if agent else None) or Office.FRONT
    return replace(derived, office=office)


_CALL_FIELDS = (
    "state",
    "direction",
    "office",
    "offered_at",
    "answered_at",
    "ended_at",
    "abandoned_at",
    "waiting_since",
    "transferred_to",
    "agent_id",
    "queue_wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "callback_requested",
    "callback_number",
)


def _apply_call(plan: _Plan) -> None:
    derived, before = plan.derived, plan.before
    changes = {
        name: getattr(derived, name)
        for name in _CALL_FIELDS
        if before is None or getattr(before, name) != getattr(derived, name)
    }
    if plan.contact_id != plan.call.contact_id:
        changes["contact_id"] = plan.contact_id
    if changes:
        Call.objects.filter(pk=plan.call.pk).update(**changes, updated_at=timezone.now())


_LEG_FIELDS = (
    "office",
    "offered_at",
    "answered_at",
    "ended_at",
    "outcome",
    "agent_id",
    "wait_seconds",
    "handle_seconds",
)


def _apply_legs(call_pk: int, derived: Sequence[Leg], stored: Sequence[Leg]) -> list[CallLeg]:
    """Update the legs that changed, delete vanished ones; the legs still to be created."""
    to_create: list[CallLeg] = []
    for leg in derived:
        if leg.seq > len(stored):
            to_create.append(
                CallLeg(call_id=call_pk, seq=leg.seq, **{n: getattr(leg, n) for n in _LEG_FIELDS})
            )
            continue
        old = stored[leg.seq - 1]
        changes = {n: getattr(leg, n) for n in _LEG_FIELDS if getattr(old, n) != getattr(leg, n)}
        if changes:
            CallLeg.objects.filter(call_id=call_pk, seq=leg.seq).update(**changes)
    if len(stored) > len(derived):
        CallLeg.objects.filter(call_id=call_pk, seq__gt=len(derived)).delete()
    return to_create


@dataclass(frozen=True)
class AgentAssignResult:
    events: int  # stored events of the agent id pointed at the (new) user
    calls: int  # calls re-derived


def _agent_events_assign(*, agent_ref: str, user_id: int | None) -> AgentAssignResult:
    """Point every stored event of this platform agent id at `user_id` and re-derive the
    applied calls among them, writing only what the agent changes (legs' and call's agent,
    the contact's handler — or an outbound call's office), never undoing the desk's work.
    Unapplied events take the user when they apply."""
    stored = CallEvent.objects.filter(agent_ref=agent_ref)
    call_pks = sorted(set(stored.exclude(agent_id=user_id).values_list("call_id", flat=True)))
    if not call_pks:
        return AgentAssignResult(events=0, calls=0)
    calls = _lock_calls(call_pks)
    before = _events_by_call(call_pks, new_pks=())
    events = stored.exclude(agent_id=user_id).update(agent_id=user_id)
    after = _events_by_call(call_pks, new_pks=())
    plans = [plan for call in calls if (plan := _plan(call, after[call.pk], before[call.pk]))]
    _write_plans(plans)
    return AgentAssignResult(events=events, calls=len(plans))


@transaction.atomic
def agent_mapping_save(*, agent_ref: str, user: User, by: User | None) -> AgentAssignResult:
    """Map a platform agent id to a kglijn user (create or change) and give the calls of
    that id the user: their legs, and the contacts telephony made, get the agent. Audited."""
    agent_ref = agent_ref.strip()
    if not agent_ref:
        raise ValueError("agent_ref is required")
    mapping, created = AgentMapping.objects.update_or_create(
        agent_ref=agent_ref, defaults={"user": user}
    )
    result = _agent_events_assign(agent_ref=agent_ref, user_id=user.pk)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.CHANGE,
        object_type="agent_mapping",
        object_id=mapping.pk,
        detail={"agent_ref": agent_ref, "user": user.username, "calls": result.calls},
    )
    return result


@transaction.atomic
def agent_mapping_delete(*, mapping: AgentMapping, by: User | None) -> AgentAssignResult:
    """Remove a mapping: the id's events go back to the user of the same username, if any
    (else to none), and their calls are re-derived. Audited."""
    agent_ref, pk = mapping.agent_ref, mapping.pk
    AgentMapping.objects.filter(pk=pk).delete()
    user_id = agents_resolve({agent_ref}).get(agent_ref)
    result = _agent_events_assign(agent_ref=agent_ref, user_id=user_id)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CHANGE,
        object_type="agent_mapping",
        object_id=pk,
        detail={"agent_ref": agent_ref, "deleted": True, "calls": result.calls},
    )
    return result
