"""Reads of the phone channel: the wallboard's live figures and the agent's current call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Max, Min, Q

from kglijn.contacts.models import Office, Status
from kglijn.core.business_calendar import BRUSSELS
from kglijn.telephony.models import Call, CallEvent, CallState
from kglijn.telephony.service_levels import ServiceLevelRow, norm_on, norms, service_level_today


@dataclass(frozen=True)
class OfficeBoard:
    office: str
    label: str
    waiting: int
    longest_wait_seconds: float | None
    agents_talking: int
    today: ServiceLevelRow

    @property
    def target_pct(self) -> float | None:
        return float(self.today.target_pct) if self.today.target_pct is not None else None

    @property
    def below_target(self) -> bool:
        return self.today.below_target


# Events stored but not applied for longer than this: the background applier is not keeping
# up or not running (ADR 0009), and the board says its figures lag.
APPLY_LAG_ALARM_SECONDS = 30


@dataclass(frozen=True)
class Wallboard:
    at: dt.datetime
    offices: list[OfficeBoard]
    # Seconds the oldest stored-but-unapplied call event has waited (None: nothing waits).
    apply_lag_seconds: float | None = None

    @property
    def lagging(self) -> bool:
        return (
            self.apply_lag_seconds is not None and self.apply_lag_seconds > APPLY_LAG_ALARM_SECONDS
        )

    @property
    def waiting(self) -> int:
        return sum(office.waiting for office in self.offices)


def _start_of_day(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.astimezone(BRUSSELS).date(), dt.time(), BRUSSELS)


def wallboard_figures(*, now: dt.datetime) -> Wallboard:
    """Per office: calls waiting now and the longest current wait, agents talking now, and
    today's service level against the norm. Only today's calls count as live: a call whose
    end never arrived does not haunt the board after midnight. Three small queries."""
    since = _start_of_day(now)
    live = Call.objects.filter(
        state__in=[CallState.WAITING, CallState.CONNECTED], offered_at__gte=since
    )
    waiting: dict[str, dict[str, Any]] = {
        row["office"]: dict(row)
        for row in live.filter(state=CallState.WAITING)
        .values("office")
        .annotate(count=Count("id"), oldest=Min("waiting_since"))
        .order_by()
    }
    talking = {
        row["office"]: row["agents"]
        for row in live.filter(state=CallState.CONNECTED, agent__isnull=False)
        .values("office")
        .annotate(agents=Count("agent", distinct=True))
        .order_by()
    }
    today = service_level_today(now=now)
    all_norms = norms()
    labels = dict(Office.choices)
    boards = []
    for office in Office.values:
        oldest = waiting.get(office, {}).get("oldest")
        row = today[office]
        if row.target_pct is None:
            norm = norm_on(all_norms, office, now.astimezone(BRUSSELS).date())
            row.target_pct, row.target_seconds = norm.target_pct, norm.target_seconds
        boards.append(
            OfficeBoard(
                office=office,
                label=str(labels[office]),
                waiting=waiting.get(office, {}).get("count", 0),
                longest_wait_seconds=(
                    max(0.0, (now - oldest).total_seconds()) if oldest is not None else None
                ),
                agents_talking=talking.get(office, 0),
                today=row,
            )
        )
    # Held events (set aside after failing to apply) are listed on their own page; they do
    # not mean the applier lags.
    oldest_unapplied = CallEvent.objects.filter(applied=False, held_at__isnull=True).aggregate(
        Min("received_at")
    )
    received = oldest_unapplied["received_at__min"]
    lag = max(0.0, (now - received).total_seconds()) if received is not None else None
    return Wallboard(at=now, offices=boards, apply_lag_seconds=lag)


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
