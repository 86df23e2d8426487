"""Issue 13, item 9: with the database unreachable a request fails fast, with a Dutch page.

A "black hole" stands in for PostgreSQL: a socket that accepts TCP connections and never
answers, the worst case (a closed port is refused at once). Before the fix a login waited for
the pool's 10 s (production) or much longer, and the development default showed Django's
debug page with settings and paths.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.utils.translation import gettext

ROOT = Path(__file__).resolve().parents[2]
KGLIJN = Path(sys.executable).with_name("kglijn")
FAST_ENOUGH_SECONDS = 8.0

_CLIENT_SCRIPT = """
import json, time
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(raise_request_exception=False)
started = time.monotonic()
response = client.post("/login/", {"username": "an", "password": "secret-pass"})
print(json.dumps({
    "seconds": time.monotonic() - started,
    "status": response.status_code,
    "body": response.content.decode(),
    "debug": settings.DEBUG,
}))
"""


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A TCP port that accepts connections (the kernel does) and never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


def _env(tmp_path: Path, port: int, **overrides: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(
        PYTHONDONTWRITEBYTECODE="1",
        DJANGO_SETTINGS_MODULE="kglijn.config.settings",
        DATABASE_URL=f"postgres://kglijn@127.0.0.1:{port}/kglijn",
        KGLIJN_VAR_DIR=str(tmp_path),
    )
    env.update(overrides)
    return env


def _assert_dutch_page_without_secrets(body: str) -> None:
    assert 'lang="nl-be"' in body
    assert gettext("Temporarily unavailable") in body or gettext("Something went wrong") in body
    for leak in ("SECRET_KEY", "DATABASES", "Traceback", "settings.py", str(ROOT), "psycopg"):
        assert leak not in body, leak


def test_a_login_with_the_database_down_fails_fast_with_the_dutch_page(
    tmp_path: Path, black_hole: int
) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed script
        [sys.executable, "-c", _CLIENT_SCRIPT],
        cwd=ROOT,
        env=_env(tmp_path, black_hole),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["debug"] is False  # the development default: no debug page
    assert answer["seconds"] < FAST_ENOUGH_SECONDS
    assert answer["status"] == 503
    _assert_dutch_page_without_secrets(answer["body"])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_kglijn_serve_with_the_database_down_answers_fast_without_settings(
    tmp_path: Path, black_hole: int
) -> None:
    # given `kglijn serve` as `make run` starts it (no DEBUG set), the database unreachable
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own console script
        [str(KGLIJN), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=_env(tmp_path, black_hole),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        deadline = time.monotonic() + 60
        while True:
            try:
                page = opener.open(f"{base}/login/", timeout=30).read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": "an", "password": "secret-pass"}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - http to our own test server
            f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"}
        )
        # when someone logs in
        started = time.monotonic()
        with pytest.raises(urllib.error.HTTPError) as failure:
            opener.open(request, timeout=60)
        seconds = time.monotonic() - started
        # then the answer comes within seconds, as a Dutch page without settings or paths
        assert seconds < FAST_ENOUGH_SECONDS
        assert failure.value.code in (500, 503)
        _assert_dutch_page_without_secrets(failure.value.read().decode())
    finally:
        server.terminate()
        server.wait(timeout=30)
