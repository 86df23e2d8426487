"""The webhook's store on PostgreSQL in background mode: one statement, no transaction block.

Creating missing calls, inserting the new events and telling new from redelivered events and
known from pending calls is one `INSERT … ON CONFLICT DO NOTHING` statement with data-modifying
CTEs (ADR 0009): one round trip instead of five (BEGIN, three statements, COMMIT), and no row
lock — the webhook never waits for the applier.

One race is handled explicitly. A call or event inserted by a concurrent request that commits
after this statement's snapshot was taken is skipped by ON CONFLICT (it exists) but is not
visible to the statement's reads. Such events come back as neither new nor stored and are
sent again in a fresh statement, which sees the other request's rows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import connection

from kglijn.telephony.events import EventInput
from kglijn.telephony.models import Call, CallEvent, CallState
from kglijn.telephony.state import STARTING_TYPES

_RETRIES = 3


@dataclass(frozen=True)
class StoredEvent:
    new: bool  # inserted by this request
    call_known: bool  # some stored event starts its call


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@functools.lru_cache(maxsize=64)
def _statement(rows: int) -> str:
    """The statement for `rows` events (built once per batch size, like its prepared plan)."""
    call = _q(Call._meta.db_table)
    event = _q(CallEvent._meta.db_table)
    starts = ", ".join(f"'{kind}'" for kind in sorted(STARTING_TYPES))
    values = ", ".join(
        ["(%s::integer, %s, %s, %s, %s::timestamptz, %s, %s::integer, %s, %s::integer, %s)"] * rows
    )
    return f"""
WITH input (ord, event_id, call_key, type, occurred_at, queue, agent_id, agent_ref,
            hold_seconds, caller_number) AS (VALUES {values}),
new_calls AS (
    INSERT INTO {call} (call_id, state, direction, office, transferred_to, callback_requested,
                        callback_number, updated_at)
    SELECT DISTINCT call_key, '{CallState.PENDING}', 'in', '', '', false, '', %s::timestamptz
    FROM input ORDER BY call_key
    ON CONFLICT (call_id) DO NOTHING
    RETURNING id, call_id
),
calls AS (
    SELECT id, call_id FROM new_calls
    UNION ALL
    SELECT id, call_id FROM {call} WHERE call_id IN (SELECT call_key FROM input)
),
new_events AS (
    INSERT INTO {event} (event_id, call_id, type, occurred_at, queue, agent_id, agent_ref,
                         hold_seconds, caller_number, received_at, applied)
    SELECT DISTINCT ON (i.event_id) i.event_id, c.id, i.type, i.occurred_at, i.queue,
           i.agent_id, i.agent_ref, i.hold_seconds, i.caller_number, %s::timestamptz, false
    FROM input i JOIN calls c ON c.call_id = i.call_key
    ORDER BY i.event_id, i.ord
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
)
SELECT i.ord,
       EXISTS (SELECT 1 FROM new_events n WHERE n.event_id = i.event_id),
       EXISTS (SELECT 1 FROM {event} e WHERE e.event_id = i.event_id),
       EXISTS (SELECT 1 FROM input s WHERE s.call_key = i.call_key AND s.type IN ({starts}))
       OR EXISTS (SELECT 1 FROM {event} e JOIN calls c ON c.id = e.call_id
                  WHERE c.call_id = i.call_key AND e.type IN ({starts}))
FROM input i
ORDER BY i.ord
"""  # noqa: S608 - table names from the models, values as parameters


def _execute_prepared(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run the statement as a server-side prepared statement on the connection's psycopg
    connection: Django binds parameters client-side, so PostgreSQL would parse and plan this
    statement on every request (it was half of PostgreSQL's time per event). psycopg keeps
    the prepared statement per connection (the pool keeps the connections)."""
    connection.ensure_connection()
    raw = connection.connection
    with psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


def events_store(
    events: Sequence[EventInput], agents: dict[str, int], now: dt.datetime
) -> list[StoredEvent]:
    """Store the events (autocommit); per event in order: new or not, call known or not.

    The same event id twice in one request: the first is new (if it was not stored before),
    the second a duplicate.
    """
    outcome: dict[int, StoredEvent] = {}
    todo = list(range(len(events)))
    first_of: dict[str, int] = {}
    for position, event in enumerate(events):
        first_of.setdefault(event.event_id, position)
    stamp = connection.ops.adapt_datetimefield_value(now)
    for _attempt in range(_RETRIES):
        params: list[Any] = []
        for position in todo:
            event = events[position]
            params += [
                position,
                event.event_id,
                event.call_id,
                event.type,
                connection.ops.adapt_datetimefield_value(event.occurred_at),
                event.queue,
                agents.get(event.agent) if event.agent else None,
                event.agent,
                event.hold_seconds,
                event.caller_number,
            ]
        params += [stamp, stamp]
        rows = _execute_prepared(_statement(len(todo)), params)
        again = []
        for position, inserted, stored, started in rows:
            if inserted or stored:
                new = bool(inserted) and first_of[events[position].event_id] == position
                outcome[position] = StoredEvent(new=new, call_known=bool(started))
            else:  # a concurrent request's uncommitted call or event: ask again
                again.append(position)
        if not again:
            break
        todo = again
    else:
        raise RuntimeError(f"{len(todo)} call events could not be stored after {_RETRIES} tries")
    return [outcome[position] for position in range(len(events))]
