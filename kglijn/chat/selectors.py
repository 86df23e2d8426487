"""Reads of the chat channel: the queue and its wait estimate, messages after a number, the
console's state, and the transcript for staff (permission-checked and audited here, once)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from kglijn.chat.models import Chat, ChatMessage, ChatStatus, NursePresence
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.core.provinces import province_label

AUDIT_TRANSCRIPT = "chat_transcript"
# A console that has not said anything for this long is taken as gone (it pings every 25 s).
PRESENCE_FRESH = dt.timedelta(seconds=90)
# The handling-time average of the wait estimate: the last chats, at most this many, of the
# last week; without any, this default (a first guess from a PGJO chat of ~10 minutes).
HANDLE_SAMPLE = 50
HANDLE_WINDOW = dt.timedelta(days=7)
DEFAULT_HANDLE_SECONDS = 600

AnyUser = User | AnonymousUser


def chat_get(*, chat_id: int) -> Chat | None:
    return Chat.objects.select_related("nurse").filter(pk=chat_id).first()


def chat_messages_after(*, chat_id: int, after: int) -> list[ChatMessage]:
    """The chat's messages numbered above `after`, in order (what a reconnecting client missed)."""
    return list(
        ChatMessage.objects.filter(chat_id=chat_id, seq__gt=after)
        .select_related("author")
        .order_by("seq")
    )


def max_per_nurse() -> int:
    return max(1, int(settings.KGLIJN_CHAT_MAX_PER_NURSE))


def nurses_online(*, now: dt.datetime) -> list[User]:
    """Nurses with a fresh console, by name."""
    ids = (
        NursePresence.objects.filter(seen_at__gte=now - PRESENCE_FRESH)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("first_name", "username"))


def recent_handle_seconds(*, now: dt.datetime) -> float:
    """Average handling time (accept → end) of the last chats of the past week."""
    ids = list(
        Chat.objects.filter(handle_seconds__isnull=False, ended_at__gte=now - HANDLE_WINDOW)
        .order_by("-ended_at")
        .values_list("pk", flat=True)[:HANDLE_SAMPLE]
    )
    if not ids:
        return float(DEFAULT_HANDLE_SECONDS)
    average = Chat.objects.filter(pk__in=ids).aggregate(avg=Avg("handle_seconds"))["avg"]
    return float(average or DEFAULT_HANDLE_SECONDS)


@dataclass(frozen=True)
class QueueSnapshot:
    """The queue as one read: who waits in which order, and the figures of the estimate."""

    order: list[int]  # queued chat ids, first in line first
    online: int  # nurses with a fresh console
    active: int  # chats in conversation
    capacity: int  # online nurses x chats per nurse
    handle_seconds: float  # recent average handling time

    def position(self, chat_id: int) -> int | None:
        """1 for the first in line; None when the chat is not waiting."""
        try:
            return self.order.index(chat_id) + 1
        except ValueError:
            return None

    def as_event(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "online": self.online,
            "active": self.active,
            "capacity": self.capacity,
            "handle_seconds": self.handle_seconds,
        }

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> QueueSnapshot:
        return cls(
            order=[int(pk) for pk in event["order"]],
            online=int(event["online"]),
            active=int(event["active"]),
            capacity=int(event["capacity"]),
            handle_seconds=float(event["handle_seconds"]),
        )


def queue_snapshot(*, now: dt.datetime) -> QueueSnapshot:
    order = list(
        Chat.objects.filter(status=ChatStatus.QUEUED)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )
    online = len(nurses_online(now=now))
    active = Chat.objects.filter(status=ChatStatus.ACTIVE).count()
    return QueueSnapshot(
        order=order,
        online=online,
        active=active,
        capacity=online * max_per_nurse(),
        handle_seconds=recent_handle_seconds(now=now),
    )


def expected_wait_seconds(*, snapshot: QueueSnapshot, position: int) -> int | None:
    """A simple estimate of the wait for the chat at `position` (1 = next), ADR 0011 §4.

    Free places (capacity - active chats) take the first waiting chats at once (0 s). Beyond
    them, a place frees up every handle_seconds / capacity seconds on average, so the chat at
    position p waits (p - free) * handle_seconds / capacity. None when no nurse is online: then
    nobody can say.
    """
    if snapshot.capacity <= 0:
        return None
    free = max(0, snapshot.capacity - snapshot.active)
    if position <= free:
        return 0
    return math.ceil((position - free) * snapshot.handle_seconds / snapshot.capacity)


@dataclass(frozen=True)
class QueueEntry:
    chat_id: int
    created_at: dt.datetime
    first_name: str
    province: str


def console_queue(*, user: AnyUser) -> list[QueueEntry]:
    """The waiting chats, first in line first, for a user who may answer chats."""
    if not user.has_perm("chat.handle_chat"):
        return []
    rows = (
        Chat.objects.filter(status=ChatStatus.QUEUED)
        .order_by("created_at", "id")
        .values_list("pk", "created_at", "first_name", "province")[:QUEUE_SHOWN]
    )
    return [QueueEntry(pk, created, name, province) for pk, created, name, province in rows]


QUEUE_SHOWN = 50  # waiting chats a console lists (the first in line); the count is complete


def console_queue_entries() -> list[dict[str, Any]]:
    """The first waiting chats as the consoles show them (pushed to the console group only)."""
    rows = (
        Chat.objects.filter(status=ChatStatus.QUEUED)
        .order_by("created_at", "id")
        .values_list("pk", "created_at", "first_name", "province")[:QUEUE_SHOWN]
    )
    return [queue_entry_json(QueueEntry(*row)) for row in rows]


def queue_waiting_count() -> int:
    return Chat.objects.filter(status=ChatStatus.QUEUED).count()


def queue_entry_json(entry: QueueEntry) -> dict[str, Any]:
    return {
        "id": entry.chat_id,
        "created_at": entry.created_at.isoformat(),
        "first_name": entry.first_name,
        "province": province_label(entry.province) if entry.province else "",
    }


def nurse_open_chats(*, user: User) -> QuerySet[Chat]:
    """The chats this nurse is in conversation with, or has ended but not wrapped up."""
    return Chat.objects.filter(
        nurse=user, status__in=[ChatStatus.ACTIVE, ChatStatus.ENDED], accepted_at__isnull=False
    ).order_by("created_at", "id")


def nurse_active_count(*, user_id: int) -> int:
    return Chat.objects.filter(nurse_id=user_id, status=ChatStatus.ACTIVE).count()


@dataclass(frozen=True)
class Colleague:
    user_id: int
    name: str
    active: int  # chats in conversation now


def colleagues_online(*, user: User, now: dt.datetime) -> list[Colleague]:
    """Other nurses online who could take over a chat (with their current load)."""
    online = [
        u for u in nurses_online(now=now) if u.pk != user.pk and u.has_perm("chat.handle_chat")
    ]
    loads = dict(
        Chat.objects.filter(nurse__in=online, status=ChatStatus.ACTIVE)
        .values_list("nurse_id")
        .annotate(n=Count("id"))
        .values_list("nurse_id", "n")
    )
    return [Colleague(u.pk, u.get_full_name() or u.username, loads.get(u.pk, 0)) for u in online]


def chat_recent_wrapped(*, user: User, limit: int = 10) -> QuerySet[Chat]:
    return Chat.objects.filter(nurse=user, status=ChatStatus.WRAPPED).order_by("-wrapped_at")[
        :limit
    ]


def can_view_transcript(*, user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm("chat.view_transcript")


def transcript_get_for_user(*, user: AnyUser, chat_id: int) -> tuple[Chat, list[ChatMessage]]:
    """A chat's transcript for staff: PGJO roles only (404 for anyone else, nothing logged);
    every read writes one 'view' audit event with the reader as actor."""
    if not can_view_transcript(user=user):
        raise Http404
    chat = Chat.objects.select_related("nurse", "contact").filter(pk=chat_id).first()
    if chat is None:
        raise Http404
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        object_type=AUDIT_TRANSCRIPT,
        object_id=chat.pk,
        detail={"contact": chat.contact_id},
    )
    return chat, chat_messages_after(chat_id=chat.pk, after=0)


def transcript_chat_for_contact(*, user: AnyUser, contact_id: int) -> int:
    """The id of the chat a contact came from (for PGJO roles); 404 otherwise."""
    if not can_view_transcript(user=user):
        raise Http404
    chat_id = Chat.objects.filter(contact_id=contact_id).values_list("pk", flat=True).first()
    if chat_id is None:
        raise Http404
    return int(chat_id)


def chats_to_purge(*, now: dt.datetime, limit: int) -> list[int]:
    """Ended chats older than the retention whose transcript still exists (oldest first)."""
    cutoff = now - dt.timedelta(days=int(settings.KGLIJN_CHAT_RETENTION_DAYS))
    return list(
        Chat.objects.filter(
            Q(ended_at__lt=cutoff) | Q(ended_at__isnull=True, created_at__lt=cutoff),
            transcript_deleted_at__isnull=True,
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
