"""The parent's presence (docs/chat.md "Presence"): a parent who closes the browser leaves the
queue (or their running chat ends) after KGLIJN_CHAT_PRESENCE_TIMEOUT; a reload or a short drop
does not; the nurse is told when the parent of their chat goes and comes back."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import timezone

from kglijn.chat import jobs, selectors, services
from kglijn.chat.models import Chat, ChatMessage, ChatStatus, EndedBy, Sender, SystemEvent
from kglijn.contacts.models import Contact
from tests.chat.conftest import drain
from tests.chat.test_consumers import connect_console, connect_parent, start_chat

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 30


@pytest.fixture(autouse=True)
def _timeout(settings: Any) -> None:
    settings.KGLIJN_CHAT_PRESENCE_TIMEOUT = TIMEOUT


def seconds(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=n)


def visit_and_leave(chat_id: int) -> None:
    """The parent's page opens its socket, then the browser is closed."""

    async def scenario() -> None:
        parent, _frames = await connect_parent(chat_id)
        await parent.disconnect()

    async_to_sync(scenario)()


def test_a_waiting_parent_who_closes_the_browser_leaves_the_queue_after_the_timeout() -> None:
    stays = start_chat("Blijft")
    leaves = start_chat("Vertrekt")
    visit_and_leave(leaves.pk)
    leaves.refresh_from_db()
    assert leaves.parent_connections == 0
    left_at = leaves.parent_seen_at
    assert left_at is not None
    # The other parent's page stays open (its heartbeat keeps it fresh).
    services.chat_parent_seen(chat_id=stays.pk, now=left_at + seconds(TIMEOUT))

    # Within the timeout (a reload, a network blip) nothing happens.
    assert services.chat_presence_sweep(now=left_at + seconds(TIMEOUT - 1)) == 0
    assert selectors.queue_snapshot(now=left_at).order == [stays.pk, leaves.pk]

    assert services.chat_presence_sweep(now=left_at + seconds(TIMEOUT + 1)) == 1
    leaves.refresh_from_db()
    assert (leaves.status, leaves.ended_by, leaves.ended_at) == (
        ChatStatus.ENDED,
        EndedBy.LEFT,
        left_at + seconds(TIMEOUT + 1),
    )
    assert selectors.queue_snapshot(now=left_at).order == [stays.pk]
    # Nobody answered it: no contact, no survey; the transcript says what happened.
    assert (leaves.contact_id, leaves.handle_seconds) == (None, None)
    last = ChatMessage.objects.filter(chat=leaves).order_by("-seq").first()
    assert last is not None
    assert (last.sender, last.body) == (Sender.SYSTEM, SystemEvent.ENDED_LEFT)
    # Idempotent (a second process or the worker sweeping too): nothing more.
    assert services.chat_presence_sweep(now=left_at + seconds(TIMEOUT + 2)) == 0
    assert ChatMessage.objects.filter(chat=leaves).count() == 1


def test_a_parent_who_never_opens_the_socket_times_out_from_the_start() -> None:
    chat = start_chat()
    assert chat.parent_seen_at == chat.created_at
    assert jobs.chat_presence_sweep(now=chat.created_at + seconds(TIMEOUT - 1)) == 0
    assert jobs.chat_presence_sweep(now=chat.created_at + seconds(TIMEOUT + 1)) == 1
    assert "kglijn.chat.jobs.chat_presence_sweep" in django_settings.KGLIJN_WORKER_JOBS


def test_a_parent_who_reconnects_within_the_timeout_stays_in_the_queue(settings: Any) -> None:
    # A short timeout so that the socket's server-side heartbeat (every timeout / 3 s, at least
    # 1 s) runs within the test.
    settings.KGLIJN_CHAT_PRESENCE_TIMEOUT = 3
    stays = start_chat("Herlaadt")
    gone = start_chat("Weg")

    async def seen(chat: Chat) -> dt.datetime:
        value = (await Chat.objects.aget(pk=chat.pk)).parent_seen_at
        assert value is not None
        return value

    async def scenario() -> int:
        first, _ = await connect_parent(stays.pk)
        other, _ = await connect_parent(gone.pk)
        await first.disconnect()  # the page reloads ...
        await other.disconnect()  # ... and this browser is closed
        again, _ = await connect_parent(stays.pk)
        reconnected = await seen(stays)
        await asyncio.sleep(1.5)  # one heartbeat of the reconnected socket
        assert await seen(stays) - reconnected >= seconds(0.9)
        # Past the timeout counted from the reload's disconnect: only the closed browser goes.
        swept = await database_sync_to_async(services.chat_presence_sweep)(
            now=await seen(gone) + seconds(3.2)
        )
        await again.disconnect()
        return swept

    assert async_to_sync(scenario)() == 1
    stays.refresh_from_db()
    gone.refresh_from_db()
    assert (stays.status, gone.status, gone.ended_by) == (
        ChatStatus.QUEUED,
        ChatStatus.ENDED,
        EndedBy.LEFT,
    )


def test_the_nurse_is_told_when_the_parent_goes_and_comes_back(nurse: User) -> None:
    chat = start_chat("Ann")
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=timezone.now())

    async def scenario() -> tuple[list[list[dict[str, Any]]], Any]:
        parent, _ = await connect_parent(chat.pk, last_seq=1)
        console, hello = await connect_console(nurse)
        summary = next(f for f in hello if f["type"] == "chat")
        assert summary["parent_present"] is True
        steps = []
        await parent.disconnect()
        steps.append(await drain(console))
        parent, _ = await connect_parent(chat.pk, last_seq=1)
        steps.append(await drain(console))
        await parent.disconnect()
        steps.append(await drain(console))
        left = await Chat.objects.aget(pk=chat.pk)
        # The console's own ping sweeps; here the sweep is driven with an explicit time.
        assert left.parent_seen_at is not None
        swept = await database_sync_to_async(services.chat_presence_sweep)(
            now=left.parent_seen_at + seconds(TIMEOUT + 1)
        )
        steps.append(await drain(console))
        await console.disconnect()
        return steps, swept

    (gone, back, gone_again, ended), swept = async_to_sync(scenario)()
    assert gone == [{"type": "presence", "chat": chat.pk, "present": False}]
    assert back == [{"type": "presence", "chat": chat.pk, "present": True}]
    assert gone_again == [{"type": "presence", "chat": chat.pk, "present": False}]
    assert swept == 1
    summary = next(f for f in ended if f["type"] == "chat")
    assert (summary["status"], summary["ended_by"]) == ("ended", "left")
    notice = next(f for f in ended if f["type"] == "message")
    assert notice["sender"] == "system"
    assert notice["body"] == "De ouder heeft het gesprek verlaten (niet meer verbonden)."

    # The nurse wraps it up: one closed chat contact, as for any answered chat.
    chat.refresh_from_db()
    assert chat.handle_seconds is not None
    contact = services.chat_wrap_up(
        chat_id=chat.pk,
        by=nurse,
        now=timezone.now(),
        province="BE-VAN",
        topic="family_support",
        notes="Ouder weg",
    )
    assert contact.closed_at == chat.ended_at
    assert Contact.objects.filter(external_id=f"chat-{chat.pk}").count() == 1


def test_a_running_chat_is_not_ended_while_the_parent_is_connected(nurse: User) -> None:
    chat = start_chat()
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=timezone.now())

    async def scenario() -> int:
        parent, _ = await connect_parent(chat.pk)
        await parent.send_json_to({"type": "ping"})
        await drain(parent, quiet=0.2)
        seen = (await Chat.objects.aget(pk=chat.pk)).parent_seen_at
        assert seen is not None
        swept = await database_sync_to_async(services.chat_presence_sweep)(
            now=seen + seconds(TIMEOUT - 1)
        )
        await parent.disconnect()
        return swept

    assert async_to_sync(scenario)() == 0
    chat.refresh_from_db()
    assert (chat.status, chat.parent_connections) == (ChatStatus.ACTIVE, 0)
