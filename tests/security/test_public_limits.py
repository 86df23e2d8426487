"""Public endpoints have limits: chat starts per client and in all, a client address that only a
trusted proxy may set, and counters shared through the cache (Redis when configured)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from kglijn.chat import services
from kglijn.chat.models import Chat, ChatStatus
from kglijn.core.ratelimit import once, ratelimit_hit, ratelimit_peek

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _own_cache(settings: Any) -> None:
    # A key prefix per test (cache.clear() on a shared Redis would flush the channel layer too).
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.KGLIJN_CHAT_HOURS = "always"


def _start(ip: str = "192.0.2.50", **extra: Any) -> Any:
    return Client().post("/chat/start/", {"first_name": "Sara"}, REMOTE_ADDR=ip, **extra)


# --- chat starts ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_chat_starts_are_limited_per_client(settings: Any) -> None:
    settings.KGLIJN_CHAT_START_LIMIT = 3

    answers = [_start().status_code for _ in range(5)]
    other = _start(ip="192.0.2.51")

    assert answers == [302, 302, 302, 429, 429]
    assert other.status_code == 302
    assert Chat.objects.count() == 4
    refused = _start()
    html = refused.content.decode()
    assert 'data-chat-state="busy"' in html
    assert "078 150 100" in html
    assert 'href="/contact/"' in html
    assert int(refused["Retry-After"]) > 0


@pytest.mark.django_db
def test_a_forwarded_header_is_not_a_new_client(settings: Any) -> None:
    settings.KGLIJN_CHAT_START_LIMIT = 1

    first = _start(HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = _start(HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert (first.status_code, second.status_code) == (302, 429)


@pytest.mark.django_db
def test_waiting_chats_have_a_global_cap(settings: Any) -> None:
    settings.KGLIJN_CHAT_START_LIMIT = 0  # no per-client limit: every start from another client
    settings.KGLIJN_CHAT_MAX_WAITING = 4

    answers = [_start(ip=f"192.0.2.{n}").status_code for n in range(6)]

    assert answers == [302, 302, 302, 302, 503, 503]
    assert Chat.objects.filter(status=ChatStatus.QUEUED).count() == 4
    html = _start(ip="192.0.2.99").content.decode()
    assert "078 150 100" in html
    assert 'data-chat-state="busy"' in html


@pytest.mark.django_db
def test_the_cap_counts_only_waiting_chats(settings: Any) -> None:
    settings.KGLIJN_CHAT_MAX_WAITING = 1
    from django.utils import timezone

    chat = services.chat_start(now=timezone.now())
    with pytest.raises(services.ChatQueueFull):
        services.chat_start(now=timezone.now())
    Chat.objects.filter(pk=chat.pk).update(status=ChatStatus.ENDED)

    assert services.chat_start(now=timezone.now()).status == ChatStatus.QUEUED


# --- the counter itself, on locmem and on Redis --------------------------------------------------


def _exercise_counter() -> None:
    client = f"198.51.100.{uuid.uuid4().int % 250}"
    hits = [
        ratelimit_hit(scope="t", client=client, limit=3, window=60, now=1_000.0).allowed
        for _ in range(5)
    ]
    assert hits == [True, True, True, False, False]
    assert ratelimit_peek(scope="t", client=client, limit=3, window=60, now=1_000.0).count == 5
    # The next window starts afresh; another client has its own counter.
    assert ratelimit_hit(scope="t", client=client, limit=3, window=60, now=1_060.0).count == 1
    assert ratelimit_hit(scope="t", client="other", limit=3, window=60, now=1_000.0).count == 1
    assert ratelimit_hit(scope="t", client=client, limit=0, window=60, now=1_000.0).allowed
    key = uuid.uuid4().hex
    assert once(scope="t", key=key, timeout=60) is True
    assert once(scope="t", key=key, timeout=60) is False


def test_counter_on_local_memory(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        }
    }
    _exercise_counter()


def _redis_up() -> bool:
    parts = urllib.parse.urlsplit(REDIS)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis at REDIS_URL or 127.0.0.1:6379")
def test_counter_on_redis_is_shared_between_cache_clients(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    _exercise_counter()
    # A second, independent connection (as another server process has) sees the same counter.
    first = caches.create_connection("default")
    ratelimit_hit(scope="shared", client="c", limit=1, window=60, now=5_000.0)
    from django.core.cache import cache

    assert cache is not first
    assert not ratelimit_hit(scope="shared", client="c", limit=1, window=60, now=5_000.0).allowed
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = first._cache.get_client().keys(f"{prefix}:*")  # type: ignore[attr-defined]
    assert any(b"kglijn:rl:shared:" in key for key in keys)
    assert not any(b"198.51.100" in key for key in keys)  # only a keyed hash of the address


# --- `kglijn serve` and X-Forwarded-For ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post_start(port: int, forwarded_for: str) -> int:
    """A parent's browser: the page for a CSRF cookie, then the start form, via 127.0.0.1."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/chat/")
    page = connection.getresponse()
    page.read()
    csrf = next(
        header.split("=", 1)[1].split(";", 1)[0]
        for header in page.headers.get_all("Set-Cookie") or []
        if header.startswith("csrftoken=")
    )
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "first_name": "Sara"})
    connection.request(
        "POST",
        "/chat/start/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "X-Forwarded-For": forwarded_for,
        },
    )
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer.status


def _serve_and_start_twice(env: dict[str, str], tmp_path: Path) -> list[int]:
    port = _free_port()
    kglijn = [sys.executable, "-m", "kglijn.cli"]
    log = (tmp_path / f"serve-{port}.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [*kglijn, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    try:
        for _ in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                time.sleep(0.25)
        else:
            raise AssertionError((tmp_path / f"serve-{port}.log").read_text())
        return [_post_start(port, "198.51.100.1"), _post_start(port, "198.51.100.2")]
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_kglijn_serve_believes_x_forwarded_for_only_from_trusted_proxies(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        KGLIJN_VAR_DIR=str(tmp_path),
        KGLIJN_CHAT_HOURS="always",
        KGLIJN_CHAT_START_LIMIT="1",
        FORWARDED_ALLOW_IPS="*",  # uvicorn's own default must not matter either
    )
    kglijn = [sys.executable, "-m", "kglijn.cli"]
    subprocess.run([*kglijn, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603

    # By default the header is ignored: both starts come from 127.0.0.1, the second is refused.
    assert _serve_and_start_twice(env, tmp_path) == [302, 429]
    # Behind a configured proxy (here 127.0.0.1) the header names two different parents.
    trusted = {**env, "KGLIJN_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"}
    assert _serve_and_start_twice(trusted, tmp_path) == [302, 302]
