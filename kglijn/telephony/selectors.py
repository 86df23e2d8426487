"""Reads of the phone channel: the agent's current call, held events (wallboard: servicelevels)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Max, Q

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.vocabulary import Status
from kglijn.telephony.models import Call, CallEvent, CallState


def _start_of_day(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.astimezone(BRUSSELS).date(), dt.time(), BRUSSELS)


def call_current_for_agent(*, user: User | AnonymousUser, now: dt.datetime) -> Call | None:
    """The call this agent is talking on now; else their latest call of today whose contact
    still waits for its wrap-up (open and theirs) — what the desk offers to complete."""
    if not user.is_authenticated:
        return None
    since = _start_of_day(now)
    mine = Call.objects.filter(agent_id=user.pk, offered_at__gte=since).select_related("contact")
    current = mine.filter(state=CallState.CONNECTED).order_by("-answered_at", "-id").first()
    if current is not None:
        return current
    return (
        mine.filter(
            Q(state=CallState.ENDED),
            contact__handler_id=user.pk,
            contact__status=Status.OPEN,
        )
        .order_by("-ended_at", "-id")
        .first()
    )


def call_events_held(*, limit: int = 500) -> list[CallEvent]:
    """Events set aside because applying them failed, oldest first (team lead's page)."""
    return list(
        CallEvent.objects.filter(applied=False, held_at__isnull=False)
        .select_related("call", "agent")
        .order_by("pk")[:limit]
    )


@dataclass(frozen=True)
class UnmappedAgent:
    agent_ref: str
    calls: int
    last_seen: dt.datetime


def agent_refs_unmapped() -> list[UnmappedAgent]:
    """The platform's agent ids that resolve to no kglijn user, with their number of calls
    and their latest event; most calls first (a partial index holds only these events)."""
    rows = (
        CallEvent.objects.filter(agent__isnull=True)
        .exclude(agent_ref="")
        .values("agent_ref")
        .annotate(calls=Count("call", distinct=True), last_seen=Max("occurred_at"))
        .order_by("-calls", "agent_ref")
    )
    return [UnmappedAgent(row["agent_ref"], row["calls"], row["last_seen"]) for row in rows]
