"""The websocket ends of the chat: the parent's widget and the nurse's console.

Both follow one protocol (docs/chat.md): after connecting, the browser says `hello` with the
last message number it has seen per chat; the consumer sends the state and every stored message
after that number, then live messages. A live message whose number is not the next one makes the
consumer read the missing ones from the database first, and numbers already sent are dropped:
the browser gets every message exactly once and in order, whatever the order in which the
channel layer delivers them. Consumers only call services and selectors.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kglijn.chat import push, selectors, services
from kglijn.chat.hours import chat_opening
from kglijn.chat.models import Chat, ChatStatus, EndedBy, Sender
from kglijn.chat.presenters import RawMessage, message_payload
from kglijn.chat.tokens import COOKIE_NAME, chat_token_read
from kglijn.core.provinces import province_label

logger = logging.getLogger("kglijn.chat")

PARENT_LANGUAGE = "nl-be"  # the public widget is Dutch, like the other public pages
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
MAX_FRAME = 16_000  # characters of one incoming frame; a message has at most 2,000
TYPING_INTERVAL = 1.0  # seconds between two relayed "is typing" signals of one connection
HEARTBEAT_MAX = 15.0  # seconds between two "the parent is still here" writes of a parent socket


def heartbeat_interval() -> float:
    """How often an open parent socket refreshes the parent's last-seen time: well within the
    presence timeout, from the server (a background tab's timers may run once a minute)."""
    return max(1.0, min(HEARTBEAT_MAX, settings.KGLIJN_CHAT_PRESENCE_TIMEOUT / 3))


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _text(content: dict[str, Any], name: str) -> str | None:
    """A text field of a frame: "" when absent, None when it is there but not a string."""
    value = content.get(name)
    if value is None and name not in content:
        return ""
    return value if isinstance(value, str) else None


def _db(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run ORM code off the event loop. On PostgreSQL in a thread pool, so commits overlap
    (each waits for its WAL flush, ~5 ms here; one database thread per process would queue
    them all); SQLite has a single writer anyway and keeps Channels' one database thread."""
    return database_sync_to_async(function, thread_sensitive=connection.vendor == "sqlite")


async def _write(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a service in the database thread; send its pushes from here, after its commit."""

    def collecting() -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
        with push.collected() as events:
            result = function(*args, **kwargs)
        return result, list(events)

    result, events = await _db(collecting)()
    await push.push_collected(events)
    return result


class _ChatSocket(AsyncJsonWebsocketConsumer):
    language = PARENT_LANGUAGE

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch runs close_old_connections in a thread before every handler; ours
        # reach the database only through database_sync_to_async, which does that itself. Without
        # the extra thread hop a fan-out event (the queue, typing) costs no database thread time.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.send_json({"type": "error", "code": "frame", "message": ""})
            return
        try:
            await super().receive(text_data=text_data)
        except ValueError:  # not JSON
            await self.send_json({"type": "error", "code": "frame", "message": ""})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        handler = getattr(self, f"on_{content.get('type')}", None)
        if handler is not None:
            with translation.override(self.language):
                await handler(content)

    async def _not_text(self, content: dict[str, Any], **extra: Any) -> bool:
        """Refuse a message whose body or client id is not a string (a number, list, object or
        null would otherwise be stored as Python's text of it). True when refused."""
        client_id = _text(content, "client_id")
        if _text(content, "body") is not None and client_id is not None:
            return False
        error = services.ChatError(_("A message must be text."), code="body")
        await self._refused(error, client_id=client_id or "", **extra)
        return True

    async def _refused(self, error: services.ChatError, **extra: Any) -> None:
        payload: dict[str, Any] = {"type": "error", "code": error.code, "message": error.message}
        if isinstance(error, services.ChatRateLimited):
            payload.update(type="rate_limited", retry_after=error.retry_after)
        await self.send_json({**payload, **extra})


# --- the parent ---------------------------------------------------------------------------------


def _parent_state(chat_id: int) -> dict[str, Any]:
    with translation.override(PARENT_LANGUAGE):
        chat = selectors.chat_get(chat_id=chat_id)
        if chat is None:
            return {"type": "state", "chat": chat_id, "status": "gone"}
        state: dict[str, Any] = {
            "type": "state",
            "chat": chat.pk,
            "status": chat.status,
            "ended_by": chat.ended_by,
            "nurse": (chat.nurse.first_name if chat.nurse else "") or "",
            "survey": _survey_state(chat),
        }
        if chat.status == ChatStatus.QUEUED:
            snapshot = selectors.queue_snapshot(now=timezone.now())
            state.update(_queue_figures(snapshot, chat.pk))
        return state


def _survey_state(chat: Chat) -> str:
    if chat.accepted_at is None or chat.status not in (ChatStatus.ENDED, ChatStatus.WRAPPED):
        return "none"
    return "answered" if chat.survey_answered_at is not None else "open"


def _queue_figures(snapshot: selectors.QueueSnapshot, chat_id: int) -> dict[str, Any]:
    position = snapshot.position(chat_id)
    wait = (
        selectors.expected_wait_seconds(snapshot=snapshot, position=position)
        if position is not None
        else None
    )
    return {"position": position, "wait_seconds": wait, "online": snapshot.online}


def _close_if_after_hours(chat_id: int) -> None:
    """A chat still waiting when the office closes is ended: nobody will answer it today."""
    chat = selectors.chat_get(chat_id=chat_id)
    if chat is None or chat.status != ChatStatus.QUEUED:
        return
    now = timezone.now()
    if not chat_opening(now=now).open:
        services.chat_end(chat_id=chat_id, ended_by=EndedBy.CLOSING, now=now)


def _parent_post(chat_id: int, body: str, client_id: str) -> RawMessage:
    with translation.override(PARENT_LANGUAGE):
        message, _created = services.chat_message_post(
            chat_id=chat_id,
            sender=Sender.PARENT,
            body=body,
            client_id=client_id,
            now=timezone.now(),
        )
        return RawMessage.of(message)


def _messages_after(chat_id: int, after: int) -> list[RawMessage]:
    return [RawMessage.of(m) for m in selectors.chat_messages_after(chat_id=chat_id, after=after)]


class ParentConsumer(_ChatSocket):
    """The parent's widget. The signed chat cookie is the only key (no login, no IP stored)."""

    chat_id: int
    ready: bool = False
    last_sent: int = 0
    status: str = ""
    typing_at: float = 0.0
    heartbeat: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        chat_id = chat_token_read(self.scope.get("cookies", {}).get(COOKIE_NAME))
        if chat_id is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.chat_id = chat_id
        await self.channel_layer.group_add(push.chat_group(chat_id), self.channel_name)
        await self.channel_layer.group_add(push.WAITING_GROUP, self.channel_name)
        await _write(services.chat_parent_connected, chat_id=chat_id, now=timezone.now())
        self.heartbeat = asyncio.create_task(self._beat())
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "chat_id"):
            if self.heartbeat is not None:
                self.heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self.heartbeat
                self.heartbeat = None
                # Only a socket that counted itself in counts itself out.
                await _write(
                    services.chat_parent_disconnected, chat_id=self.chat_id, now=timezone.now()
                )
            await self.channel_layer.group_discard(push.chat_group(self.chat_id), self.channel_name)
            await self.channel_layer.group_discard(push.WAITING_GROUP, self.channel_name)

    async def _beat(self) -> None:
        """While this socket is open the parent is present: refresh the last-seen time (in the
        database, so every server process and the sweeper see it; a dead process stops it)."""
        interval = heartbeat_interval()
        while True:
            await asyncio.sleep(interval)
            try:
                await _db(services.chat_parent_seen)(chat_id=self.chat_id, now=timezone.now())
            except Exception:  # a database hiccup must not end the heartbeat
                logger.exception("chat %s: parent heartbeat failed", self.chat_id)

    async def _send_state(self) -> None:
        state = await _db(_parent_state)(self.chat_id)
        self.status = str(state["status"])
        if self.status != ChatStatus.QUEUED:
            # Answered or ended: queue positions no longer concern this parent.
            await self.channel_layer.group_discard(push.WAITING_GROUP, self.channel_name)
        await self.send_json(state)

    async def _deliver(self, raw: RawMessage) -> None:
        """Send one message in order, exactly once (gaps are filled from the database)."""
        if raw.seq <= self.last_sent:
            return
        batch = [raw]
        if raw.seq > self.last_sent + 1:
            batch = await _db(_messages_after)(self.chat_id, self.last_sent)
        for item in batch:
            if item.seq > self.last_sent:
                await self.send_json(message_payload(item, viewer="parent"))
                self.last_sent = item.seq

    async def on_hello(self, content: dict[str, Any]) -> None:
        self.last_sent = _int(content.get("last_seq")) or 0
        await _write(_close_if_after_hours, self.chat_id)
        await self._send_state()
        for raw in await _db(_messages_after)(self.chat_id, self.last_sent):
            await self._deliver(raw)
        self.ready = True

    async def on_ping(self, content: dict[str, Any]) -> None:
        """Every 30 s: closing time for a waiting chat, and a catch-up from the database of
        whatever the channel layer did not deliver (it drops events for a full channel)."""
        if not self.ready:
            return
        await _db(services.chat_parent_seen)(chat_id=self.chat_id, now=timezone.now())
        if self.status == ChatStatus.QUEUED:
            await _write(_close_if_after_hours, self.chat_id)
            # Waiting parents keep the queue honest even when no console is open.
            await _write(services.chat_presence_sweep, now=timezone.now())
        status = self.status
        await self._send_state()
        if self.status != status:
            return  # the page follows the new state
        for raw in await _db(_messages_after)(self.chat_id, self.last_sent):
            await self._deliver(raw)

    async def on_message(self, content: dict[str, Any]) -> None:
        if await self._not_text(content):
            return
        client_id = str(content.get("client_id") or "")
        try:
            raw = await _write(_parent_post, self.chat_id, _text(content, "body") or "", client_id)
        except services.ChatError as error:
            await self._refused(error, client_id=client_id)
            return
        if self.ready:
            await self._deliver(raw)  # the push may come later; never twice

    async def on_typing(self, content: dict[str, Any]) -> None:
        active = bool(content.get("active"))
        now = time.monotonic()
        if active and now - self.typing_at < TYPING_INTERVAL:
            return
        self.typing_at = now if active else 0.0
        await self.channel_layer.group_send(
            push.chat_group(self.chat_id),
            {"type": "chat.typing", "chat": self.chat_id, "role": "parent", "active": active},
        )

    # channel layer events
    async def chat_message(self, event: dict[str, Any]) -> None:
        if self.ready:
            await self._deliver(RawMessage.from_event(event))

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event.get("role") == "nurse":
            await self.send_json({"type": "typing", "active": bool(event.get("active"))})

    async def chat_status(self, event: dict[str, Any]) -> None:
        if self.ready:
            await self._send_state()

    async def chat_presence(self, event: dict[str, Any]) -> None:
        """The parent's own presence: nothing to show to the parent."""

    async def queue_changed(self, event: dict[str, Any]) -> None:
        if self.ready and self.status == ChatStatus.QUEUED:
            snapshot = selectors.QueueSnapshot.from_event(event)
            if snapshot.position(self.chat_id) is not None:
                await self.send_json({"type": "queue", **_queue_figures(snapshot, self.chat_id)})


# --- the nurse ----------------------------------------------------------------------------------


@dataclass
class _OpenChat:
    last_sent: int
    parent_name: str


def _may_handle(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("chat.handle_chat"))


def _chat_summary(chat: Chat, language: str) -> dict[str, Any]:
    with translation.override(language):
        return {
            "type": "chat",
            "chat": chat.pk,
            "status": chat.status,
            "first_name": chat.first_name,
            "province": province_label(chat.province) if chat.province else "",
            "created_at": chat.created_at.isoformat(),
            "accepted_at": chat.accepted_at.isoformat() if chat.accepted_at else None,
            "wait_seconds": chat.wait_seconds,
            "ended_by": chat.ended_by,
            "parent_present": chat.parent_connections > 0,
            "wrapup_url": f"/chat/console/{chat.pk}/wrap-up/",
        }


def _console_queue(user: User, language: str) -> dict[str, Any]:
    with translation.override(language):
        entries = selectors.console_queue(user=user)
        return {
            "type": "queue",
            "chats": [selectors.queue_entry_json(entry) for entry in entries],
            "waiting": selectors.queue_waiting_count(),
        }


def _colleagues(user: User) -> dict[str, Any]:
    now = timezone.now()
    return {
        "type": "colleagues",
        "max": selectors.max_per_nurse(),
        "mine": selectors.nurse_active_count(user_id=user.pk),
        "colleagues": [
            {"id": c.user_id, "name": c.name, "active": c.active}
            for c in selectors.colleagues_online(user=user, now=now)
        ],
    }


def _nurse_chat(user: User, chat_id: int, language: str) -> dict[str, Any] | None:
    chat = selectors.chat_get(chat_id=chat_id)
    if chat is None or chat.nurse_id != user.pk:
        return None
    return _chat_summary(chat, language)


def _my_chat_ids(user: User) -> list[int]:
    return list(selectors.nurse_open_chats(user=user).values_list("pk", flat=True))


class ConsoleConsumer(_ChatSocket):
    """A nurse's console: the queue, their chats (several at once), transfer and end."""

    user: User
    ready: bool = False
    chats: dict[int, _OpenChat]
    typing_at: float = 0.0

    async def connect(self) -> None:
        user: Any = self.scope.get("user")
        if user is None or not await _db(_may_handle)(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = cast(User, user)
        self.chats = {}
        cookies = self.scope.get("cookies", {})
        language = cookies.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        self.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        await self.channel_layer.group_add(push.CONSOLE_GROUP, self.channel_name)
        await self.channel_layer.group_add(push.nurse_group(user.pk), self.channel_name)
        await _write(
            services.presence_enter, user=user, channel_name=self.channel_name, now=timezone.now()
        )
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "user"):
            return
        await _write(services.presence_leave, channel_name=self.channel_name)
        await self.channel_layer.group_discard(push.CONSOLE_GROUP, self.channel_name)
        await self.channel_layer.group_discard(push.nurse_group(self.user.pk), self.channel_name)
        for chat_id in list(self.chats):
            await self.channel_layer.group_discard(push.chat_group(chat_id), self.channel_name)

    async def _open(self, chat_id: int, last_seen: int) -> None:
        """Follow one of my chats: its summary, then its messages after `last_seen`."""
        summary = await _db(_nurse_chat)(self.user, chat_id, self.language)
        if summary is None:
            return
        if chat_id not in self.chats:
            await self.channel_layer.group_add(push.chat_group(chat_id), self.channel_name)
            self.chats[chat_id] = _OpenChat(last_sent=last_seen, parent_name=summary["first_name"])
        await self.send_json(summary)
        for raw in await _db(_messages_after)(chat_id, last_seen):
            await self._deliver(raw)

    async def _deliver(self, raw: RawMessage) -> None:
        state = self.chats.get(raw.chat_id)
        if state is None or raw.seq <= state.last_sent:
            return
        batch = [raw]
        if raw.seq > state.last_sent + 1:
            batch = await _db(_messages_after)(raw.chat_id, state.last_sent)
        with translation.override(self.language):
            for item in batch:
                if item.seq > state.last_sent:
                    await self.send_json(
                        message_payload(
                            item,
                            viewer="staff",
                            viewer_id=self.user.pk,
                            parent_name=state.parent_name,
                        )
                    )
                    state.last_sent = item.seq

    async def on_hello(self, content: dict[str, Any]) -> None:
        seen_raw = content.get("seen")
        seen = seen_raw if isinstance(seen_raw, dict) else {}
        await _write(services.chat_presence_sweep, now=timezone.now())
        await self.send_json(await _db(_console_queue)(self.user, self.language))
        await self.send_json(await _db(_colleagues)(self.user))
        mine = await _db(_my_chat_ids)(self.user)
        for chat_id in mine:
            await self._open(chat_id, _int(seen.get(str(chat_id))) or 0)
        self.ready = True

    async def on_ping(self, content: dict[str, Any]) -> None:
        """Every 25 s: still online, the colleagues, and a catch-up from the database of my
        chats and their messages (the channel layer drops events for a full channel)."""
        await _db(services.presence_touch)(channel_name=self.channel_name, now=timezone.now())
        # Parents gone longer than the presence timeout leave the queue / their chat ends.
        await _write(services.chat_presence_sweep, now=timezone.now())
        await self.send_json(await _db(_colleagues)(self.user))
        if not self.ready:
            return
        mine = await _db(_my_chat_ids)(self.user)
        for chat_id in list(self.chats):
            if chat_id not in mine:
                await self.nurse_unassigned({"chat": chat_id})
        for chat_id in mine:
            if chat_id in self.chats:
                for raw in await _db(_messages_after)(chat_id, self.chats[chat_id].last_sent):
                    await self._deliver(raw)
            else:
                await self._open(chat_id, 0)

    async def on_colleagues(self, content: dict[str, Any]) -> None:
        await self.send_json(await _db(_colleagues)(self.user))

    async def _call(self, content: dict[str, Any], action: Any, **kwargs: Any) -> Any:
        chat_id = _int(content.get("chat"))
        if chat_id is None:
            return None
        try:
            return await _write(action, chat_id=chat_id, now=timezone.now(), **kwargs)
        except services.ChatError as error:
            await self._refused(error, chat=chat_id, client_id=str(content.get("client_id") or ""))
        return None

    async def on_accept(self, content: dict[str, Any]) -> None:
        # The nurse.assigned push opens the chat on every console of this nurse.
        await self._call(content, services.chat_accept, nurse=self.user)

    async def on_message(self, content: dict[str, Any]) -> None:
        chat_id = _int(content.get("chat"))
        if chat_id is None or chat_id not in self.chats:
            return
        if await self._not_text(content, chat=chat_id):
            return
        result = await self._call(
            content,
            services.chat_message_post,
            sender=Sender.NURSE,
            author=self.user,
            body=_text(content, "body") or "",
            client_id=str(content.get("client_id") or ""),
        )
        if result is not None:
            message, _created = result
            await self._deliver(RawMessage.of(message))

    async def on_typing(self, content: dict[str, Any]) -> None:
        chat_id = _int(content.get("chat"))
        if chat_id is None or chat_id not in self.chats:
            return
        active = bool(content.get("active"))
        now = time.monotonic()
        if active and now - self.typing_at < TYPING_INTERVAL:
            return
        self.typing_at = now if active else 0.0
        await self.channel_layer.group_send(
            push.chat_group(chat_id),
            {"type": "chat.typing", "chat": chat_id, "role": "nurse", "active": active},
        )

    async def on_transfer(self, content: dict[str, Any]) -> None:
        to = _int(content.get("to"))
        if to is None:
            return
        await self._call(content, services.chat_transfer, by=self.user, to_user_id=to)

    async def on_end(self, content: dict[str, Any]) -> None:
        await self._call(content, services.chat_end, ended_by=EndedBy.NURSE, nurse=self.user)

    # channel layer events
    async def chat_message(self, event: dict[str, Any]) -> None:
        if self.ready:
            await self._deliver(RawMessage.from_event(event))

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event.get("role") == "parent" and int(event.get("chat", 0) or 0) in self.chats:
            await self.send_json(
                {"type": "typing", "chat": event["chat"], "active": bool(event.get("active"))}
            )

    async def chat_status(self, event: dict[str, Any]) -> None:
        chat_id = int(event["chat"])
        if self.ready and chat_id in self.chats:
            summary = await _db(_nurse_chat)(self.user, chat_id, self.language)
            if summary is not None:
                await self.send_json(summary)

    async def chat_presence(self, event: dict[str, Any]) -> None:
        """The parent of one of my chats lost or regained their connection."""
        chat_id = int(event["chat"])
        if self.ready and chat_id in self.chats:
            await self.send_json(
                {"type": "presence", "chat": chat_id, "present": bool(event.get("present"))}
            )

    async def queue_entries(self, event: dict[str, Any]) -> None:
        if self.ready:
            await self.send_json(
                {"type": "queue", "chats": event["chats"], "waiting": event.get("waiting")}
            )

    async def nurse_assigned(self, event: dict[str, Any]) -> None:
        chat_id = int(event["chat"])
        if self.ready and chat_id not in self.chats:
            await self._open(chat_id, 0)

    async def nurse_unassigned(self, event: dict[str, Any]) -> None:
        chat_id = int(event["chat"])
        if chat_id in self.chats:
            del self.chats[chat_id]
            await self.channel_layer.group_discard(push.chat_group(chat_id), self.channel_name)
            await self.send_json({"type": "removed", "chat": chat_id})
