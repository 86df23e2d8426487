"""Test helpers: signed posts to the webhook and a deterministic plan of realistic calls.

The plan records what each call *should* become (answer time, handler, office, status) as it
generates the events, so tests compare kglijn's derivation with the generator's own knowledge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.test import Client

BRUSSELS = ZoneInfo("Europe/Brussels")
URL = "/api/v1/telephony/events/"
# A Monday; Brussels is UTC+01:00 on it.
DAY = dt.date(2023, 3, 6)


def sign(body: bytes, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.KGLIJN_TELEPHONY_SECRET).encode()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def post(client: Client, payload: Any, *, secret: str | None = None, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(payload).encode()
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        HTTP_X_KGLIJN_SIGNATURE=sign(body, secret),
        HTTP_ACCEPT_LANGUAGE="en",  # the messages the assertions read
    )


def at(moment: dt.datetime) -> str:
    return moment.astimezone(BRUSSELS).isoformat()


def event(
    event_id: str, kind: str, call_id: str, moment: dt.datetime, **extra: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": kind,
        "call_id": call_id,
        "occurred_at": at(moment),
        **extra,
    }


@dataclass
class PlannedCall:
    call_id: str
    events: list[dict[str, Any]]
    received_at: dt.datetime
    answered_at: dt.datetime | None
    handler: str | None
    office: str
    status: str
    direction: str = "in"
    legs: list[tuple[str, float, str]] = field(default_factory=list)  # office, wait, outcome


AGENTS = [f"agent{n:02d}" for n in range(1, 7)]
NURSES = ["nurse01", "nurse02"]
HANDLERS = ["handler01"]


def plan_calls(count: int, *, seed: int, day: dt.date = DAY) -> list[PlannedCall]:
    """`count` calls offered between 08:00 and 20:00 of `day`: answered, abandoned (some
    short), callbacks, transfers to a back office, and a few outbound calls."""
    rng = random.Random(seed)
    opening = dt.datetime.combine(day, dt.time(8), BRUSSELS)
    calls = []
    for number in range(count):
        call_id = f"call-{seed}-{number:05d}"
        t0 = opening + dt.timedelta(seconds=rng.randrange(12 * 3600 - 3600))
        ids = iter(f"{call_id}-e{k}" for k in range(20))
        events: list[dict[str, Any]] = []

        def add(kind: str, moment: dt.datetime, **extra: Any) -> None:
            events.append(event(next(ids), kind, call_id, moment, **extra))  # noqa: B023

        draw = rng.random()
        if draw < 0.03:  # outbound
            agent = rng.choice(AGENTS)
            talk = rng.randint(30, 400)
            add("outbound_started", t0, agent=agent)
            add("outbound_ended", t0 + dt.timedelta(seconds=talk))
            calls.append(PlannedCall(call_id, events, t0, t0, agent, "front", "open", "out"))
            continue
        add("offered", t0, queue="front")
        if rng.random() < 0.5:
            add("queued", t0, queue="front")
        wait = rng.randint(0, 75)
        t1 = t0 + dt.timedelta(seconds=wait)
        if draw < 0.15:  # abandoned (about a third of them short, under 5 s)
            wait = rng.randint(0, 4) if rng.random() < 0.35 else wait
            t1 = t0 + dt.timedelta(seconds=wait)
            add("abandoned", t1)
            if rng.random() < 0.5:
                add("ended", t1 + dt.timedelta(seconds=1))
            legs = [("front", float(wait), "abandoned")]
            calls.append(PlannedCall(call_id, events, t0, None, None, "front", "closed", legs=legs))
            continue
        if draw < 0.19:  # callback request instead of waiting
            add("callback_requested", t1, caller_number="+3231234567")
            add("ended", t1 + dt.timedelta(seconds=2))
            legs = [("front", float(wait), "callback")]
            calls.append(PlannedCall(call_id, events, t0, None, None, "front", "open", legs=legs))
            continue
        agent = rng.choice(AGENTS)
        add("answered", t1, agent=agent, queue="front")
        talk = rng.randint(20, 500)
        t2 = t1 + dt.timedelta(seconds=talk)
        legs = [("front", float(wait), "answered")]
        if draw < 0.31:  # transferred to a back office
            office = rng.choice(["pgjo", "childcare"])
            add("transferred", t2, queue=office, agent=agent)
            wait2 = rng.randint(0, 240)
            t3 = t2 + dt.timedelta(seconds=wait2)
            if rng.random() < 0.8:
                handler = rng.choice(NURSES if office == "pgjo" else HANDLERS)
                add("answered", t3, agent=handler, queue=office)
                add("ended", t3 + dt.timedelta(seconds=rng.randint(30, 900)))
                legs.append((office, float(wait2), "answered"))
                calls.append(
                    PlannedCall(call_id, events, t0, t1, handler, office, "open", legs=legs)
                )
            else:
                add("abandoned", t3)
                legs.append((office, float(wait2), "abandoned"))
                calls.append(
                    PlannedCall(call_id, events, t0, t1, None, office, "escalated", legs=legs)
                )
            continue
        hold = rng.choice([None, 0, rng.randint(1, 60)])
        add("ended", t2, **({"hold_seconds": hold} if hold is not None else {}))
        calls.append(PlannedCall(call_id, events, t0, t1, agent, "front", "open", legs=legs))
    return calls


def delivery(
    calls: list[PlannedCall], *, seed: int, redeliver: float, disorder: float
) -> list[dict[str, Any]]:
    """All events of the calls in time order, then `disorder` of them moved later (so some
    arrive before their call's start) and `redeliver` of them sent a second time later on."""
    rng = random.Random(seed)
    stream = sorted(
        (e for call in calls for e in call.events), key=lambda e: (e["occurred_at"], e["event_id"])
    )
    moved = rng.sample(range(len(stream)), int(len(stream) * disorder))
    for index in sorted(moved, reverse=True):
        item = stream.pop(index)
        stream.insert(min(len(stream), index + rng.randint(1, 40)), item)
    for item in rng.sample(list(stream), int(len(stream) * redeliver)):
        position = stream.index(item)
        stream.insert(rng.randint(position + 1, len(stream)), dict(item))
    return stream


# --- an independent service-level computation from the raw event log -------------------------


def independent_service_levels(
    events: list[dict[str, Any]], *, target: float = 20, short: float = 5
) -> dict[str, dict[str, float]]:
    """Per office: offered (without short abandons), answered within target, abandoned,
    service level %, ASA — straight from the event log, by another route than kglijn's: a
    call's wait in an office starts at its offered/queued (front) or transferred event naming
    that queue and ends at the answered event naming that queue, else at the call's terminal
    event (abandoned, callback_requested, ended) in the last office it reached."""
    per_call: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for item in events:
        per_call[item["call_id"]][item["event_id"]] = item  # redeliveries collapse here
    figures: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for items in per_call.values():
        if any(item["type"] == "outbound_started" for item in items.values()):
            continue
        starts: dict[str, dt.datetime] = {}
        answers: dict[str, dt.datetime] = {}
        hang_ups: list[tuple[dt.datetime, str]] = []
        ends: list[dt.datetime] = []
        for item in items.values():
            moment = dt.datetime.fromisoformat(item["occurred_at"])
            kind = item["type"]
            if kind in ("offered", "queued", "transferred"):
                starts[item["queue"]] = min(moment, starts.get(item["queue"], moment))
            elif kind == "answered":
                answers[item["queue"]] = min(moment, answers.get(item["queue"], moment))
            elif kind in ("abandoned", "callback_requested"):
                hang_ups.append((moment, kind))
            elif kind == "ended":
                ends.append(moment)
        terminal = min(hang_ups) if hang_ups else (min(ends), "ended") if ends else None
        last = max(starts, key=lambda office: starts[office])
        for office, begun in starts.items():
            if office in answers:
                wait = (answers[office] - begun).total_seconds()
                figures[office]["offered"] += 1
                figures[office]["answered"] += 1
                figures[office]["wait_answered"] += wait
                figures[office]["in_target"] += wait <= target
            elif office == last and terminal is not None:
                wait = (terminal[0] - begun).total_seconds()
                if terminal[1] == "abandoned" and wait < short:
                    figures[office]["short"] += 1
                else:
                    figures[office]["offered"] += 1
                    figures[office]["abandoned"] += terminal[1] == "abandoned"
    result = {}
    for office, values in figures.items():
        result[office] = {
            **values,
            "service_level": 100 * values["in_target"] / values["offered"],
            "asa": values["wait_answered"] / values["answered"] if values["answered"] else 0.0,
        }
    return result
