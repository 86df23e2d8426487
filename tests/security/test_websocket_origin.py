"""The chat's websockets open only from our own pages: scheme, host and port all count."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from kglijn.chat.origin import parse_origin
from kglijn.chat.tokens import COOKIE_NAME, chat_token_make
from kglijn.config.asgi import application

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.CHANNEL_LAYERS = IN_MEMORY
    settings.ALLOWED_HOSTS = ["127.0.0.1", "kglijn.example"]
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.KGLIJN_ALLOWED_ORIGINS = []


def _opens(origin: str | None, host: str = "127.0.0.1:8102", scheme: str = "ws") -> bool:
    return bool(async_to_sync(_connect)(origin, host, scheme))


async def _connect(origin: str | None, host: str, scheme: str) -> bool:
    """Whether the parent socket opens (a valid chat cookie, so only the origin decides)."""
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    cookie = f"{COOKIE_NAME}={chat_token_make(chat_id=1)}"
    headers.append((b"cookie", cookie.encode()))
    socket = WebsocketCommunicator(application, "/chat/ws/parent/", headers=headers)
    socket.scope["scheme"] = scheme
    connected, _code = await socket.connect(timeout=3)
    await socket.disconnect()
    return bool(connected)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:8102.evil.example",
        "http://127.0.0.1.evil.example:8102",
        "http://evil.example",
        "http://127.0.0.1:8103",  # another port
        "http://127.0.0.1",  # port 80, not 8102
        "https://127.0.0.1:8102",  # another scheme
        "http://user@127.0.0.1:8102",
        "http://127.0.0.1:8102/path",
        "null",
        "",
        None,  # no Origin at all
    ],
)
def test_foreign_origins_are_refused(origin: str | None) -> None:
    assert _opens(origin) is False


@pytest.mark.django_db
def test_the_own_origin_is_accepted() -> None:
    assert _opens("http://127.0.0.1:8102") is True
    assert _opens("https://kglijn.example", host="kglijn.example", scheme="wss") is True


@pytest.mark.django_db
def test_a_host_outside_allowed_hosts_is_refused_even_when_origin_matches() -> None:
    assert _opens("http://evil.example:8102", host="evil.example:8102") is False


@pytest.mark.django_db
def test_configured_extra_origins(settings: Any) -> None:
    settings.KGLIJN_ALLOWED_ORIGINS = ["https://www.kindengezin.be"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.opgroeien.be"]

    assert _opens("https://www.kindengezin.be") is True
    assert _opens("https://chat.opgroeien.be") is True
    assert _opens("https://www.kindengezin.be:8443") is False
    assert _opens("http://www.kindengezin.be") is False
    assert _opens("https://opgroeien.be.evil.example") is False


def test_parse_origin() -> None:
    assert parse_origin("HTTPS://Kglijn.Example") == ("https", "kglijn.example", 443)
    assert parse_origin("http://[::1]:8000") == ("http", "::1", 8000)
    assert parse_origin("http://a:99999") is None
    assert parse_origin("ftp://a") is None
