"""`kglijn serve` (uvicorn) serves the chat's websockets: a real server process, a real client
(the `websockets` library), the parent's cookie from a real start of a chat over HTTP."""

from __future__ import annotations

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_kglijn_serve_serves_the_chat_websocket(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(KGLIJN_VAR_DIR=str(tmp_path), KGLIJN_CHAT_HOURS="always")
    kglijn = [sys.executable, "-m", "kglijn.cli"]
    subprocess.run([*kglijn, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [*kglijn, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for _ in range(120):
            try:
                page = opener.open(f"{base}/chat/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.25)
        else:
            raise AssertionError((tmp_path / "serve.log").read_text())
        assert "Chat met een verpleegkundige" in page
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "first_name": ""}).encode()
        opener.open(f"{base}/chat/start/", data=body, timeout=5)
        chat_cookie = next(c for c in jar if c.name == "kglijn_chat")
        with connect(
            f"ws://127.0.0.1:{port}/chat/ws/parent/",
            additional_headers={"Cookie": f"kglijn_chat={chat_cookie.value}"},
            origin=base,
            open_timeout=10,
        ) as websocket:
            websocket.send(json.dumps({"type": "hello", "last_seq": 0}))
            state = json.loads(websocket.recv(timeout=10))
        assert (state["type"], state["status"], state["position"]) == ("state", "queued", 1)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
