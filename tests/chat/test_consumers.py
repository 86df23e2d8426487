"""The websocket consumers through the whole ASGI stack (origin check, session, routing):
sequence numbers, reconnect resume, rate limit, opening hours, permissions, transfer."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.utils import timezone

from kglijn.chat import services
from kglijn.chat.models import Chat, ChatMessage, ChatStatus, EndedBy, Sender
from kglijn.core.models import ClosingDay
from tests.chat.conftest import (
    console_socket,
    drain,
    messages_of,
    parent_socket,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


def start_chat(first_name: str = "") -> Chat:
    return services.chat_start(first_name=first_name, now=timezone.now())


async def connect_parent(chat_id: int, last_seq: int = 0) -> tuple[Any, list[dict[str, Any]]]:
    socket = parent_socket(chat_id)
    connected, _code = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "hello", "last_seq": last_seq})
    return socket, await drain(socket)


async def connect_console(user: User, seen: dict[str, int] | None = None):
    socket = console_socket(await database_sync_to_async(session_cookie)(user))
    connected, _code = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "hello", "seen": seen or {}})
    return socket, await drain(socket)


def test_a_parent_without_a_valid_cookie_is_refused() -> None:
    async def scenario() -> list[tuple[bool, int | None]]:
        results = []
        for token in ("", "1", "1:forged:signature"):
            socket = parent_socket(1, token=token)
            results.append(await socket.connect())
            await socket.disconnect()
        return results

    assert async_to_sync(scenario)() == [(False, 4401)] * 3


def test_the_console_refuses_anonymous_users_and_other_roles(make_user: Any) -> None:
    agent = make_user("front_office", "agent")
    analyst = make_user("analyst", "analyst")

    async def scenario() -> list[tuple[bool, int | None]]:
        results = []
        for cookie in (
            "",
            await database_sync_to_async(session_cookie)(agent),
            await database_sync_to_async(session_cookie)(analyst),
        ):
            socket = console_socket(cookie)
            results.append(await socket.connect())
            await socket.disconnect()
        return results

    assert async_to_sync(scenario)() == [(False, 4403)] * 3


def test_a_foreign_origin_is_refused(nurse: User) -> None:
    from channels.testing import WebsocketCommunicator

    from kglijn.config.asgi import application

    async def scenario() -> tuple[bool, int | None]:
        cookie = await database_sync_to_async(session_cookie)(nurse)
        socket = WebsocketCommunicator(
            application,
            "/chat/ws/console/",
            headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie.encode())],
        )
        result = await socket.connect()
        await socket.disconnect()
        return result

    assert async_to_sync(scenario)()[0] is False


def test_messages_are_numbered_and_reach_the_other_side_once(nurse: User) -> None:
    chat = start_chat("Sara")

    async def scenario() -> dict[str, Any]:
        parent, hello = await connect_parent(chat.pk)
        console, console_hello = await connect_console(nurse)
        await console.send_json_to({"type": "accept", "chat": chat.pk})
        nurse_frames = await drain(console)
        parent_frames = await drain(parent)
        # one after the other, as people do (sent at the same moment, either may come first)
        for socket, frame in (
            (parent, {"body": "Mijn baby slaapt slecht", "client_id": "p1"}),
            (console, {"chat": chat.pk, "body": "Hoe oud is je baby?", "client_id": "n1"}),
            (parent, {"body": "Vier maanden", "client_id": "p2"}),
        ):
            await socket.send_json_to({"type": "message", **frame})
            nurse_frames += await drain(console)
            parent_frames += await drain(parent)
        await parent.disconnect()
        await console.disconnect()
        return {
            "hello": hello,
            "console_hello": console_hello,
            "nurse": nurse_frames,
            "parent": parent_frames,
        }

    frames = async_to_sync(scenario)()
    assert frames["hello"][0]["type"] == "state"
    assert frames["hello"][0]["status"] == "queued"
    assert frames["hello"][0]["position"] == 1
    queue = [f for f in frames["console_hello"] if f["type"] == "queue"]
    assert queue[0]["chats"][0]["id"] == chat.pk
    assert queue[0]["chats"][0]["first_name"] == "Sara"
    expected = [
        (1, "system", "Een verpleegkundige van de Kind en Gezin-Lijn chat nu met je."),
        (2, "parent", "Mijn baby slaapt slecht"),
        (3, "nurse", "Hoe oud is je baby?"),
        (4, "parent", "Vier maanden"),
    ]
    assert messages_of(frames["parent"]) == expected
    nurse_messages = messages_of(frames["nurse"])
    assert [seq for seq, _s, _b in nurse_messages] == [1, 2, 3, 4]
    assert [m for m in frames["nurse"] if m["type"] == "message"][1]["who"] == "Sara"
    stored = list(ChatMessage.objects.filter(chat=chat).values_list("seq", "sender", "client_id"))
    assert stored == [
        (1, "system", ""),
        (2, "parent", "p1"),
        (3, "nurse", "n1"),
        (4, "parent", "p2"),
    ]
    assert Chat.objects.get(pk=chat.pk).last_seq == 4


def test_a_reconnecting_parent_gets_exactly_what_it_missed(nurse: User) -> None:
    chat = start_chat()

    async def scenario() -> dict[str, Any]:
        console, _ = await connect_console(nurse)
        await console.send_json_to({"type": "accept", "chat": chat.pk})
        await drain(console)
        parent, first = await connect_parent(chat.pk)
        await parent.send_json_to({"type": "message", "body": "Vraag", "client_id": "p1"})
        first += await drain(parent)
        await parent.disconnect()  # the network drops
        for n in (1, 2):
            await console.send_json_to(
                {"type": "message", "chat": chat.pk, "body": f"Antwoord {n}", "client_id": f"n{n}"}
            )
        await drain(console)
        # The parent's page re-sends its unconfirmed message too: stored once.
        parent, resumed = await connect_parent(chat.pk, last_seq=2)
        await parent.send_json_to({"type": "message", "body": "Vraag", "client_id": "p1"})
        resumed += await drain(parent)
        await parent.disconnect()
        reloaded_socket, reloaded = await connect_parent(chat.pk, last_seq=0)
        await reloaded_socket.disconnect()
        await console.disconnect()
        return {"first": first, "resumed": resumed, "reloaded": reloaded}

    frames = async_to_sync(scenario)()
    assert [seq for seq, _s, _b in messages_of(frames["first"])] == [1, 2]
    assert messages_of(frames["resumed"]) == [
        (3, "nurse", "Antwoord 1"),
        (4, "nurse", "Antwoord 2"),
    ]
    assert [seq for seq, _s, _b in messages_of(frames["reloaded"])] == [1, 2, 3, 4]
    assert ChatMessage.objects.filter(chat=chat, client_id="p1").count() == 1


def test_a_late_push_is_filled_in_from_the_database_in_order(nurse: User) -> None:
    chat = start_chat()

    async def scenario() -> list[dict[str, Any]]:
        console, _ = await connect_console(nurse)
        await console.send_json_to({"type": "accept", "chat": chat.pk})
        await drain(console)
        parent, _hello = await connect_parent(chat.pk)  # has seq 1

        def store_without_push() -> None:
            # A message stored by another process whose push has not arrived yet.
            locked = Chat.objects.get(pk=chat.pk)
            locked.last_seq = 2
            locked.save(update_fields=["last_seq"])
            ChatMessage.objects.create(
                chat=locked,
                seq=2,
                sender=Sender.NURSE,
                author=nurse,
                body="eerst",
                sent_at=timezone.now(),
            )

        await database_sync_to_async(store_without_push)()
        await console.send_json_to({"type": "message", "chat": chat.pk, "body": "daarna"})
        frames = await drain(parent)
        await parent.disconnect()
        await console.disconnect()
        return frames

    assert messages_of(async_to_sync(scenario)()) == [(2, "nurse", "eerst"), (3, "nurse", "daarna")]


def test_a_flood_from_one_chat_is_rate_limited_politely(nurse: User) -> None:
    chat = start_chat()

    async def scenario() -> list[dict[str, Any]]:
        parent, _ = await connect_parent(chat.pk)
        for n in range(12):
            await parent.send_json_to(
                {"type": "message", "body": f"bericht {n}", "client_id": f"c{n}"}
            )
        frames = await drain(parent)
        await parent.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    assert [seq for seq, _s, _b in messages_of(frames)] == list(range(1, 11))
    refused = [f for f in frames if f["type"] == "rate_limited"]
    assert [f["client_id"] for f in refused] == ["c10", "c11"]
    assert refused[0]["message"].startswith("Je stuurt veel berichten kort na elkaar.")
    assert 1 <= refused[0]["retry_after"] <= 10
    assert ChatMessage.objects.filter(chat=chat).count() == 10


def test_a_waiting_chat_is_ended_politely_when_the_office_is_closed(settings: Any) -> None:
    chat = start_chat()
    settings.KGLIJN_CHAT_HOURS = "office"
    ClosingDay.objects.create(date=timezone.localdate(), name="Testsluiting")

    async def scenario() -> list[dict[str, Any]]:
        parent, frames = await connect_parent(chat.pk)
        frames += await drain(parent)
        await parent.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    state = [f for f in frames if f["type"] == "state"][-1]
    assert state["status"] == "ended"
    assert state["ended_by"] == "closing"
    assert messages_of(frames)[-1][2].startswith("De chat is gesloten voor een verpleegkundige")
    chat.refresh_from_db()
    assert (chat.status, chat.ended_by, chat.accepted_at) == (
        ChatStatus.ENDED,
        EndedBy.CLOSING,
        None,
    )


def test_a_running_chat_goes_on_after_closing_time(settings: Any, nurse: User) -> None:
    chat = start_chat()
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=timezone.now())
    settings.KGLIJN_CHAT_HOURS = "office"
    ClosingDay.objects.create(date=timezone.localdate(), name="Testsluiting")

    async def scenario() -> list[dict[str, Any]]:
        parent, frames = await connect_parent(chat.pk)
        await parent.send_json_to({"type": "message", "body": "Nog één vraag"})
        frames += await drain(parent)
        await parent.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    assert frames[0]["status"] == "active"
    assert messages_of(frames)[-1] == (2, "parent", "Nog één vraag")


def test_a_nurse_cannot_write_in_or_end_a_colleagues_chat(make_user: Any, nurse: User) -> None:
    other = make_user("pgjo_nurse", "other")
    chat = start_chat()
    services.chat_accept(chat_id=chat.pk, nurse=other, now=timezone.now())

    async def scenario() -> list[dict[str, Any]]:
        console, _ = await connect_console(nurse)
        await console.send_json_to({"type": "message", "chat": chat.pk, "body": "ik niet"})
        await console.send_json_to({"type": "end", "chat": chat.pk})
        await console.send_json_to({"type": "accept", "chat": chat.pk})
        frames = await drain(console)
        await console.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    assert [(f["type"], f["code"]) for f in frames if f["type"] == "error"] == [
        ("error", "not_yours"),
        ("error", "taken"),
    ]
    chat.refresh_from_db()
    assert (chat.status, chat.nurse_id, chat.last_seq) == (ChatStatus.ACTIVE, other.pk, 1)


def test_typing_is_relayed_both_ways_and_not_stored(nurse: User) -> None:
    chat = start_chat()

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        console, _ = await connect_console(nurse)
        await console.send_json_to({"type": "accept", "chat": chat.pk})
        await drain(console)
        parent, _ = await connect_parent(chat.pk)
        await parent.send_json_to({"type": "typing", "active": True})
        await console.send_json_to({"type": "typing", "chat": chat.pk, "active": True})
        nurse_frames = await drain(console)
        parent_frames = await drain(parent)
        await parent.disconnect()
        await console.disconnect()
        return nurse_frames, parent_frames

    nurse_frames, parent_frames = async_to_sync(scenario)()
    assert nurse_frames == [
        # The parent connected only after the accept: the nurse learns the parent is there.
        {"type": "presence", "chat": chat.pk, "present": True},
        {"type": "typing", "chat": chat.pk, "active": True},
    ]
    assert parent_frames == [{"type": "typing", "active": True}]
    assert ChatMessage.objects.filter(chat=chat).count() == 1  # the accept notice only


def test_waiting_parents_see_their_place_move_up(nurse: User) -> None:
    first, second = start_chat(), start_chat()

    async def scenario() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        console, _ = await connect_console(nurse)
        parent, hello = await connect_parent(second.pk)
        await console.send_json_to({"type": "accept", "chat": first.pk})
        await drain(console)
        frames = await drain(parent)
        await parent.disconnect()
        await console.disconnect()
        return hello[0], frames

    hello, frames = async_to_sync(scenario)()
    assert (hello["position"], hello["online"]) == (2, 1)
    queue = [f for f in frames if f["type"] == "queue"]
    assert queue[-1]["position"] == 1
    # 3 places, 1 taken: the next in line is answered at once.
    assert queue[-1]["wait_seconds"] == 0


def test_a_nurse_handles_several_chats_up_to_the_maximum(settings: Any, nurse: User) -> None:
    settings.KGLIJN_CHAT_MAX_PER_NURSE = 2
    chats = [start_chat() for _ in range(3)]

    async def scenario() -> list[dict[str, Any]]:
        console, _ = await connect_console(nurse)
        for chat in chats:
            await console.send_json_to({"type": "accept", "chat": chat.pk})
        frames = await drain(console)
        await console.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    opened = sorted({f["chat"] for f in frames if f["type"] == "chat"})
    assert opened == [chats[0].pk, chats[1].pk]
    errors = [f for f in frames if f["type"] == "error"]
    assert [(e["chat"], e["code"]) for e in errors] == [(chats[2].pk, "full")]
    assert Chat.objects.get(pk=chats[2].pk).status == ChatStatus.QUEUED


def test_a_chat_is_transferred_to_a_colleague_online(make_user: Any, nurse: User) -> None:
    colleague = make_user("pgjo_nurse", "colleague")
    chat = start_chat()

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        console, _ = await connect_console(nurse)
        other, _ = await connect_console(colleague)
        parent, _ = await connect_parent(chat.pk)
        await console.send_json_to({"type": "accept", "chat": chat.pk})
        await parent.send_json_to({"type": "message", "body": "Hallo", "client_id": "p1"})
        await drain(console)
        await drain(other)
        await console.send_json_to({"type": "transfer", "chat": chat.pk, "to": colleague.pk})
        mine = await drain(console)
        theirs = await drain(other)
        await other.send_json_to({"type": "message", "chat": chat.pk, "body": "Ik neem over"})
        theirs += await drain(other)
        parent_frames = await drain(parent)
        for socket in (console, other, parent):
            await socket.disconnect()
        return mine, theirs, parent_frames

    mine, theirs, parent_frames = async_to_sync(scenario)()
    assert {"type": "removed", "chat": chat.pk} in mine
    assert next(f["status"] for f in theirs if f["type"] == "chat") == "active"
    assert [seq for seq, _s, _b in messages_of(theirs)] == [1, 2, 3, 4]
    assert messages_of(parent_frames)[-2:] == [
        (3, "system", "Een collega neemt het gesprek over."),
        (4, "nurse", "Ik neem over"),
    ]
    chat.refresh_from_db()
    assert chat.nurse_id == colleague.pk


@pytest.mark.parametrize("body", [42, 4.5, ["hallo"], {"tekst": "hallo"}, None, True])
def test_a_body_that_is_not_text_is_refused_and_nothing_stored(body: Any) -> None:
    chat = start_chat()

    async def scenario() -> list[dict[str, Any]]:
        parent, _ = await connect_parent(chat.pk)
        await parent.send_json_to({"type": "message", "body": body, "client_id": "c1"})
        frames = await drain(parent)
        await parent.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    assert [(f["type"], f["code"], f["client_id"]) for f in frames] == [("error", "body", "c1")]
    assert ChatMessage.objects.filter(chat=chat).count() == 0


def test_a_client_id_that_is_not_text_is_refused() -> None:
    chat = start_chat()

    async def scenario() -> list[dict[str, Any]]:
        parent, _ = await connect_parent(chat.pk)
        await parent.send_json_to({"type": "message", "body": "hallo", "client_id": ["c1"]})
        frames = await drain(parent)
        await parent.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    assert [(f["type"], f["code"]) for f in frames] == [("error", "body")]
    assert ChatMessage.objects.filter(chat=chat).count() == 0


def test_a_nurse_body_that_is_not_text_is_refused(nurse: User) -> None:
    chat = start_chat()
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=timezone.now())

    async def scenario() -> list[dict[str, Any]]:
        console, _ = await connect_console(nurse)
        await console.send_json_to({"type": "message", "chat": chat.pk, "body": [1, 2]})
        frames = await drain(console)
        await console.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    errors = [f for f in frames if f["type"] == "error"]
    assert [(f["code"], f["chat"]) for f in errors] == [("body", chat.pk)]
    assert ChatMessage.objects.filter(chat=chat, sender=Sender.NURSE).count() == 0


def test_nul_and_lone_surrogates_are_stripped_and_length_is_bounded() -> None:
    chat = start_chat()

    async def scenario() -> list[dict[str, Any]]:
        parent, _ = await connect_parent(chat.pk)
        await parent.send_json_to(
            {"type": "message", "body": "hal\u0000lo\ud800!", "client_id": "c\u00001"}
        )
        await parent.send_json_to({"type": "message", "body": "a" * 2001, "client_id": "c2"})
        await parent.send_json_to({"type": "message", "body": "\u0000\udfff", "client_id": "c3"})
        frames = await drain(parent)
        await parent.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    assert [body for _seq, _sender, body in messages_of(frames)] == ["hallo!"]
    assert [(f["code"], f["client_id"]) for f in frames if f["type"] == "error"] == [
        ("too_long", "c2"),
        ("empty", "c3"),
    ]
    stored = ChatMessage.objects.get(chat=chat)
    assert (stored.body, stored.client_id) == ("hallo!", "c1")
