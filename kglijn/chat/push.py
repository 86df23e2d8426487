"""Websocket pushes through the channel layer, sent only after the transaction commits.

Persist first, deliver after: a message reaches a browser only once it is stored with its
number, so a client that reconnects and asks for "everything after n" can never miss one.
Groups: one per chat (its parent and nurse consoles), one per nurse (all their consoles), the
console group (every nurse console: the queue) and the waiting parents (queue positions).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("kglijn.chat")

CONSOLE_GROUP = "chat.console"
WAITING_GROUP = "chat.waiting"


def chat_group(chat_id: int) -> str:
    return f"chat.{chat_id}"


def nurse_group(user_id: int) -> str:
    return f"chat.nurse.{user_id}"


class _Outbox(threading.local):
    events: list[tuple[str, dict[str, Any]]] | None = None


_outbox = _Outbox()


@contextmanager
def collected() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Collect the pushes of the transactions committed inside, instead of sending them.

    A consumer calls services in a database thread and sends the collected events itself on its
    event loop afterwards (push_collected): sending from the database thread would hold that
    thread - one per server process - until the event loop got round to it.
    """
    previous, _outbox.events = _outbox.events, []
    try:
        yield _outbox.events
    finally:
        _outbox.events = previous


async def push_collected(events: list[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group, event in events:
        try:
            await layer.group_send(group, event)
        except Exception:
            logger.exception("chat push to %s failed", group)


def _send(group: str, event: dict[str, Any]) -> None:
    if _outbox.events is not None:
        _outbox.events.append((group, event))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        # The data is stored: a browser that missed this push gets it on its next (re)connect.
        logger.exception("chat push to %s failed", group)


def push(group: str, event: dict[str, Any]) -> None:
    """Send `event` to `group` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _send(group, event))


def push_queue_changed() -> None:
    """After commit: the queue's new order and estimate figures to waiting parents and consoles."""

    def send() -> None:
        from kglijn.chat.selectors import console_queue_entries, queue_snapshot

        snapshot = queue_snapshot(now=timezone.now())
        # Parents get the order only; the consoles (staff) the waiting chats' first names too.
        _send(WAITING_GROUP, {"type": "queue.changed", **snapshot.as_event()})
        _send(
            CONSOLE_GROUP,
            {
                "type": "queue.entries",
                "chats": console_queue_entries(),
                "waiting": len(snapshot.order),
            },
        )

    transaction.on_commit(send)
