"""Chat test helpers: websocket clients through the whole ASGI stack, on a known channel layer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client

from kglijn.chat.tokens import COOKIE_NAME, chat_token_make
from kglijn.config.asgi import application

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")
# A Wednesday during office hours (Brussels), not a holiday.
OPEN_MOMENT = dt.datetime.fromisoformat("2024-03-06T10:00:00+01:00")


@pytest.fixture(autouse=True)
def _chat_settings(settings: Any) -> None:
    # Independent of the machine's REDIS_URL and of the hour the tests run at: the in-memory
    # layer, and the chat open round the clock unless a test asks for the office hours.
    settings.CHANNEL_LAYERS = IN_MEMORY
    settings.KGLIJN_CHAT_HOURS = "always"
    settings.KGLIJN_CHAT_MAX_PER_NURSE = 3
    # Rate-limit counters per test: a key prefix of its own (cache.clear() on a shared Redis
    # would flush everything else in it).
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


def parent_socket(chat_id: int, *, token: str | None = None) -> WebsocketCommunicator:
    cookie = f"{COOKIE_NAME}={token if token is not None else chat_token_make(chat_id=chat_id)}"
    return WebsocketCommunicator(
        application, "/chat/ws/parent/", headers=[ORIGIN, HOST, (b"cookie", cookie.encode())]
    )


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def console_socket(cookie: str = "") -> WebsocketCommunicator:
    headers = [ORIGIN, HOST]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, "/chat/ws/console/", headers=headers)


async def drain(socket: WebsocketCommunicator, quiet: float = 0.5) -> list[dict[str, Any]]:
    """Every frame until the socket has been quiet for `quiet` seconds."""
    frames = []
    while not await socket.receive_nothing(timeout=quiet):
        frames.append(await socket.receive_json_from())
    return frames


def messages_of(frames: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    return [(f["seq"], f["sender"], f["body"]) for f in frames if f["type"] == "message"]
