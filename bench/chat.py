"""Benchmark of the chat: concurrent chat sessions over websockets into `kglijn serve` (several
workers) on PostgreSQL with the Redis channel layer, as in production.

    .venv/bin/python bench/chat.py [--database-url postgres://…/bench_chat] [--workers 2]
        [--sessions 200] [--nurses 20] [--seconds 30] [--interval 5.0]
        [--redis-url redis://127.0.0.1:6379/8]

1. the PostgreSQL database of --database-url (default: `bench_chat` on the server of
   $BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/bench_chat) is dropped and
   created again - its name must start with "bench" - and migrated; --nurses PGJO nurses are
   made, each with a database session (their console's login);
2. `kglijn serve --workers N` starts on a free port with deployed settings (KGLIJN_ENV=production,
   DEBUG off; plain HTTP on loopback, so SECURE_SSL_REDIRECT=0), REDIS_URL set (the Redis
   channel layer), KGLIJN_CHAT_HOURS=always (the benchmark may run at night) and room for
   sessions / nurses chats per nurse;
3. every nurse opens the console (a websocket); --sessions parents start a chat over HTTP (the
   page, then the start form with its CSRF token: the signed chat cookie) and open the widget's
   websocket; the nurses accept the chats, spread evenly;
4. for --seconds every parent sends a message every --interval seconds (jittered) and its nurse
   answers each one at once: the delivery latency of every message is measured from the send
   on one side to its arrival on the other (one clock: all clients live in this process);
5. resume check: a tenth of the parents drop their connection, their nurse writes to them, they
   reconnect with the last number they saw and must get exactly the missed messages;
6. checks: every message sent was stored once, every stored message reached both sides exactly
   once and in order (numbers 1..n without gaps), no message was refused.

A markdown block goes to stdout and to bench/results/chat.md. A failed check exits with 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch  # noqa: E402

RESULTS = ROOT / "bench" / "results"
KGLIJN = [sys.executable, "-m", "kglijn.cli"]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_chat"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"
GOAL_P99_MS = 100.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def _start_chat(port: int, n: int) -> str:
    """What a parent's browser does: open the page, post the start form. The chat cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/chat/")
    page = connection.getresponse()
    page.read()
    csrf = _cookies(page)["csrftoken"]
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "first_name": f"Ouder{n}"})
    connection.request(
        "POST",
        "/chat/start/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
        },
    )
    started = connection.getresponse()
    started.read()
    connection.close()
    if started.status != 302:
        raise RuntimeError(f"start of chat {n}: HTTP {started.status}")
    return _cookies(started)["kglijn_chat"]


@dataclass
class Side:
    """One websocket client (a parent or a nurse console) and what it received."""

    name: str
    cookie: str
    socket: Any = None
    seqs: dict[int, list[int]] = field(default_factory=dict)  # chat -> numbers received
    frames: int = 0
    errors: list[str] = field(default_factory=list)
    chat_id: int | None = None
    status: str = ""


@dataclass
class Run:
    base: str
    sent: dict[str, float] = field(default_factory=dict)  # client_id -> send time
    parent_to_nurse: list[float] = field(default_factory=list)  # ms
    nurse_to_parent: list[float] = field(default_factory=list)
    measuring: bool = False
    sent_count: int = 0
    nurse_of_chat: dict[int, Side] = field(default_factory=dict)


async def _open(run: Run, side: Side, path: str) -> None:
    from websockets.asyncio.client import connect

    side.socket = await connect(
        run.base.replace("http://", "ws://") + path,
        additional_headers={"Cookie": side.cookie},
        origin=run.base,
        open_timeout=30,
        max_queue=None,
    )


def _record(side: Side, frame: dict[str, Any]) -> None:
    chat = int(frame["chat"])
    seen = side.seqs.setdefault(chat, [])
    seen.append(int(frame["seq"]))


async def _parent_reader(run: Run, side: Side) -> None:
    async for raw in side.socket:
        frame = json.loads(raw)
        side.frames += 1
        kind = frame["type"]
        if kind == "state":
            side.chat_id = frame["chat"]
            side.status = frame["status"]
        elif kind == "message":
            _record(side, frame)
            if frame["sender"] == "nurse" and frame["client_id"] in run.sent:
                started = run.sent.pop(frame["client_id"])
                if run.measuring:
                    run.nurse_to_parent.append((time.perf_counter() - started) * 1000)
        elif kind in ("error", "rate_limited"):
            side.errors.append(f"{kind}: {frame.get('message')}")


async def _nurse_reader(run: Run, side: Side) -> None:
    async for raw in side.socket:
        frame = json.loads(raw)
        side.frames += 1
        kind = frame["type"]
        if kind == "message":
            _record(side, frame)
            client_id = frame["client_id"]
            if frame["sender"] == "parent" and client_id in run.sent:
                started = run.sent.pop(client_id)
                if run.measuring:
                    run.parent_to_nurse.append((time.perf_counter() - started) * 1000)
                reply = "n" + client_id[1:]
                run.sent[reply] = time.perf_counter()
                run.sent_count += 1
                await side.socket.send(
                    json.dumps(
                        {
                            "type": "message",
                            "chat": frame["chat"],
                            "body": f"Antwoord op {frame['body']}",
                            "client_id": reply,
                        }
                    )
                )
        elif kind in ("error", "rate_limited"):
            side.errors.append(f"{kind}: {frame.get('message')}")


async def _wait(predicate: Any, timeout: float, what: Any) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what() if callable(what) else what}")
        await asyncio.sleep(0.05)


async def _parent_loop(run: Run, side: Side, stop_at: float, interval: float) -> None:
    await asyncio.sleep(random.uniform(0, interval))
    n = 0
    while time.perf_counter() < stop_at:
        n += 1
        client_id = f"p-{side.chat_id}-{n}"
        run.sent[client_id] = time.perf_counter()
        run.sent_count += 1
        await side.socket.send(
            json.dumps({"type": "message", "body": f"vraag {n}", "client_id": client_id})
        )
        await asyncio.sleep(interval * random.uniform(0.8, 1.2))


async def _scenario(args: argparse.Namespace, run: Run, port: int, nurses: list[Side]) -> dict:
    loop = asyncio.get_running_loop()
    # 1. consoles
    for nurse in nurses:
        await _open(run, nurse, "/chat/ws/console/")
        await nurse.socket.send(json.dumps({"type": "hello", "seen": {}}))
    nurse_tasks = [asyncio.create_task(_nurse_reader(run, n)) for n in nurses]
    # 2. parents start their chats over HTTP, then open the widget
    with ThreadPoolExecutor(max_workers=16) as pool:
        cookies = await asyncio.gather(
            *(loop.run_in_executor(pool, _start_chat, port, n) for n in range(args.sessions))
        )
    parents = [Side(f"parent{n}", f"kglijn_chat={c}") for n, c in enumerate(cookies)]
    for parent in parents:
        await _open(run, parent, "/chat/ws/parent/")
        await parent.socket.send(json.dumps({"type": "hello", "last_seq": 0}))
    parent_tasks = {id(p): asyncio.create_task(_parent_reader(run, p)) for p in parents}
    await _wait(lambda: all(p.chat_id for p in parents), 60, "the parents' state")
    # 3. accept, spread over the nurses
    accept_started = time.perf_counter()
    for index, parent in enumerate(parents):
        nurse = nurses[index % len(nurses)]
        run.nurse_of_chat[int(parent.chat_id)] = nurse
        await nurse.socket.send(json.dumps({"type": "accept", "chat": parent.chat_id}))
        await asyncio.sleep(1 / args.accept_rate)
    await _wait(lambda: all(p.status == "active" for p in parents), 120, "all chats accepted")
    accept_seconds = time.perf_counter() - accept_started
    # 4. the measured exchange
    await asyncio.sleep(1)
    run.measuring = True
    started = time.perf_counter()
    stop_at = started + args.seconds
    await asyncio.gather(*(_parent_loop(run, p, stop_at, args.interval) for p in parents))
    await _wait(
        lambda: not run.sent,
        30,
        lambda: f"the last answers ({len(run.sent)} missing: {list(run.sent)[:5]})",
    )
    exchange_seconds = time.perf_counter() - started
    run.measuring = False
    # 5. resume: a tenth of the parents drop, their nurse writes, they come back
    droppers = parents[: max(1, args.sessions // 10)]
    last_seen = {}
    for parent in droppers:
        last_seen[id(parent)] = max(parent.seqs.get(int(parent.chat_id), [0]))
        parent_tasks[id(parent)].cancel()
        await parent.socket.close()
    for parent in droppers:
        nurse = run.nurse_of_chat[int(parent.chat_id)]
        for k in (1, 2):
            await nurse.socket.send(
                json.dumps(
                    {
                        "type": "message",
                        "chat": parent.chat_id,
                        "body": f"terwijl je weg was {k}",
                        "client_id": f"r-{parent.chat_id}-{k}",
                    }
                )
            )
    await asyncio.sleep(1)
    missed: dict[int, list[int]] = {}
    for parent in droppers:
        before = len(parent.seqs.get(int(parent.chat_id), []))
        await _open(run, parent, "/chat/ws/parent/")
        await parent.socket.send(json.dumps({"type": "hello", "last_seq": last_seen[id(parent)]}))
        parent_tasks[id(parent)] = asyncio.create_task(_parent_reader(run, parent))
        missed[id(parent)] = [before]
    await asyncio.sleep(1.5)
    for side in [*parents, *nurses]:
        await side.socket.close()
    for task in [*nurse_tasks, *parent_tasks.values()]:
        task.cancel()
    return {
        "parents": parents,
        "accept_seconds": accept_seconds,
        "exchange_seconds": exchange_seconds,
        "droppers": droppers,
        "last_seen": last_seen,
    }


def _checks(result: dict, nurses: list[Side], run: Run) -> tuple[list[str], list[str]]:
    from kglijn.chat.models import Chat, ChatMessage

    problems: list[str] = []
    lines: list[str] = []
    stored = {
        chat.pk: chat.last_seq for chat in Chat.objects.filter(status="active").only("last_seq")
    }
    messages = ChatMessage.objects.count()
    client_messages = ChatMessage.objects.exclude(client_id="").count()
    sent = run.sent_count + 2 * len(result["droppers"])
    lines.append(
        f"- stored: {messages:,} messages in {len(stored)} chats; {client_messages:,} with a "
        f"client id of {sent:,} sent by the clients"
    )
    if client_messages != sent:
        problems.append(f"messages sent {sent} but stored {client_messages}")
    parents: list[Side] = result["parents"]
    bad_parent = bad_nurse = 0
    for parent in parents:
        chat = int(parent.chat_id)
        if sorted(parent.seqs.get(chat, [])) != list(range(1, stored.get(chat, -1) + 1)):
            bad_parent += 1
        if parent.seqs.get(chat, []) != sorted(parent.seqs.get(chat, [])):
            bad_parent += 1
        nurse_seen = run.nurse_of_chat[chat].seqs.get(chat, [])
        if nurse_seen != list(range(1, stored.get(chat, -1) + 1)):
            bad_nurse += 1
    lines.append(
        f"- every stored message reached the parent exactly once and in order: "
        f"{len(parents) - bad_parent} of {len(parents)} chats; the nurse: "
        f"{len(parents) - bad_nurse} of {len(parents)}"
    )
    if bad_parent or bad_nurse:
        problems.append(f"delivery: {bad_parent} parents and {bad_nurse} nurses missed or doubled")
    errors = [e for side in [*parents, *nurses] for e in side.errors]
    if errors:
        problems.append(f"{len(errors)} refusals, e.g. {errors[:3]}")
    return lines, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=scratch.on_server(os.environ["BENCH_DATABASE_URL"], "bench_chat")
        if os.environ.get("BENCH_DATABASE_URL")
        else DEFAULT_URL,
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--workers", type=int, default=2, help="kglijn serve --workers")
    parser.add_argument("--sessions", type=int, default=200, help="concurrent chats")
    parser.add_argument("--nurses", type=int, default=20, help="nurse consoles")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured exchange")
    parser.add_argument(
        "--interval",
        type=float,
        default=5.0,
        help="s between a parent's messages (people: 15-60 s)",
    )
    parser.add_argument(
        "--accept-rate", type=float, default=50.0, help="accepts per second (all nurses)"
    )
    parser.add_argument("--pool-size", default="8", help="DB_POOL_MAX_SIZE per server process")
    args = parser.parse_args()

    scratch.recreate_database(args.database_url)
    import redis

    # The benchmark's own Redis database: empty, so no group of an earlier run (chat ids start
    # at 1 again) holds dead channels.
    redis.Redis.from_url(args.redis_url).flushdb()
    per_nurse = -(-args.sessions // args.nurses)
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-chat-") as scratch_dir:
        env = {
            **{k: v for k, v in os.environ.items() if k != "BENCH_DATABASE_URL"},
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "KGLIJN_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "KGLIJN_TELEPHONY_SECRET": secrets.token_hex(32),
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "KGLIJN_VAR_DIR": scratch_dir,
            "KGLIJN_CHAT_HOURS": "always",
            "KGLIJN_CHAT_MAX_PER_NURSE": str(per_nurse),
            # All chats start from this one client and wait at once: no public limits here.
            "KGLIJN_CHAT_START_LIMIT": "0",
            "KGLIJN_CHAT_MAX_WAITING": "0",
            "DB_POOL_MAX_SIZE": args.pool_size,
        }
        os.environ.update(env)  # this process reads the same database with the same keys
        subprocess.run([*KGLIJN, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [*KGLIJN, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")
        import django

        django.setup()
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.auth.hashers import make_password
        from django.contrib.sessions.backends.db import SessionStore
        from django.db import connection

        from kglijn.accounts.services import user_create_with_role

        nurses = []
        for n in range(args.nurses):
            user = user_create_with_role(
                username=f"bench-nurse-{n:02d}",
                password=secrets.token_urlsafe(16),
                role_slug="pgjo_nurse",
                first_name=f"Nurse{n}",
            )
            user.password = make_password(None)  # no login by password in the benchmark
            user.save(update_fields=["password"])
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            nurses.append(Side(user.username, f"sessionid={session.session_key}"))
        connection.close()

        port = _free_port()
        run = Run(base=f"http://127.0.0.1:{port}")
        log = Path(scratch_dir) / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [*KGLIJN, "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", str(args.workers)],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the workers stop with it
            )  # fmt: skip
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        tail = log.read_text()[-3000:]
                        raise SystemExit(f"kglijn serve did not start:\n{tail}") from None
                    time.sleep(0.3)
            time.sleep(1)  # every worker up
            load_before = scratch.load_average()
            result = asyncio.run(_scenario(args, run, port, nurses))
            load_after = scratch.load_average()
        except BaseException:
            print(f"kglijn serve's log (end):\n{log.read_text()[-3000:]}", file=sys.stderr)
            raise
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=30)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)  # any worker still shutting down
        checks, problems = _checks(result, nurses, run)
        with connection.cursor() as cursor:
            cursor.execute("show server_version")
            version = cursor.fetchone()[0]
        connection.close()
        if problems:
            print(f"kglijn serve's log (end):\n{log.read_text()[-3000:]}", file=sys.stderr)

    both = run.parent_to_nurse + run.nurse_to_parent
    p99 = _percentile(both, 0.99)
    met = p99 < GOAL_P99_MS and not problems

    def row(label: str, values: list[float]) -> str:
        return (
            f"| {label} | {len(values):,} | {_percentile(values, 0.5):.1f} | "
            f"{_percentile(values, 0.95):.1f} | {_percentile(values, 0.99):.1f} | "
            f"{max(values) if values else float('nan'):.1f} | "
            f"{statistics.fmean(values) if values else float('nan'):.1f} |"
        )

    rate = len(both) / result["exchange_seconds"] if result["exchange_seconds"] else 0
    lines = [
        f"## Chat delivery latency — PostgreSQL {version}, Redis channel layer, "
        f"`kglijn serve --workers {args.workers}`",
        "",
        f"- machine: {scratch.machine()}; {dt.datetime.now():%Y-%m-%d %H:%M}",
        f"- load average (1/5/15 min) before: {load_before}, after: {load_after} "
        "(server, PostgreSQL, Redis and the load generator share the machine)",
        f"- {args.sessions} concurrent chat sessions (parent websockets, `websockets` library, "
        f"asyncio, one process) with {args.nurses} nurse consoles ({per_nurse} chats each); "
        f"chats started over HTTP like a browser (page + start form), accepted in "
        f"{result['accept_seconds']:.1f} s",
        f"- {args.seconds:.0f} s of exchange: every parent writes every {args.interval:g} s "
        f"(±20 %), its nurse answers each message at once; {rate:,.0f} messages/s stored and "
        "delivered (each one persisted with its number before delivery)",
        "- latency = send on one side → arrival on the other side (the stored, numbered copy)",
        "",
        "| direction | messages | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | mean (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row("parent → nurse", run.parent_to_nurse),
        row("nurse → parent", run.nurse_to_parent),
        row("both", both),
        "",
        *checks,
        f"- resume: {len(result['droppers'])} parents dropped their connection, got 2 messages "
        "while away and reconnected with the last number they had seen (counted in the "
        "delivery check above)",
        f"- goal p99 < {GOAL_P99_MS:.0f} ms: " + ("**met**" if met else "**not met**"),
    ]
    if problems:
        lines += ["", "Problems:", *(f"- {p}" for p in problems)]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "chat.md").write_text(text)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
