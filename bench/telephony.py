"""Benchmark of call-event ingestion: signed events into `kglijn serve` (several workers) on
PostgreSQL, as the telephony platform would post them.

    .venv/bin/python bench/telephony.py [--database-url postgres://…/bench_telephony]
        [--workers 4] [--clients 16] [--seconds 30] [--day 2023-03-06]

1. the PostgreSQL database of --database-url (default: `bench_telephony` on the server of
   $BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/bench_telephony) is dropped and
   created again - its name must start with "bench" - migrated, and given the demo users;
2. `kglijn serve --workers N` starts on a free port, deployed settings (KGLIJN_ENV=production,
   DEBUG off; plain HTTP on loopback, so SECURE_SSL_REDIRECT=0), a random telephony secret;
3. warm-up: a few hundred events of another day;
4. a whole simulated Monday (`kglijn.telephony.simulation.simulator`, seed 1) is posted as fast as
   the server takes it, one signed event per request from --clients connections (the events of one
   call in order over one connection); the next Monday in batches of 100; the first Monday once
   more in batches of 100 (all duplicates: idempotency under load);
5. two sustained streams of signed single events of fresh simulated days, --seconds each, over
   --clients connections: first paced at the goal's 500 events/s, then as fast as the server
   answers; events/s and the p50/p95/p99 latency of the requests;
6. the server's background applier (KGLIJN_TELEPHONY_APPLY=background, production's default)
   must apply every stored event within 120 s of the stream's end: how far behind it was;
7. checks from the database, for both Mondays: every call has its call row and contact, every
   event was stored once; the service levels kglijn computes (kglijn.servicelevels.phone)
   equal the simulator's reference computed from the event log.

A markdown block goes to stdout and to bench/results/telephony.md. A failed check exits with 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch  # noqa: E402

_load = scratch.load_average
_machine = scratch.machine
_on_server = scratch.on_server
_recreate_database = scratch.recreate_database


RESULTS = ROOT / "bench" / "results"
KGLIJN = [sys.executable, "-m", "kglijn.cli"]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_telephony"
GOAL_RATE = 500  # events/s (issue 4)
GOAL_P99_MS = 50.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Until the webhook answers (an unsigned empty POST: 401 proves it is there)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"kglijn serve stopped:\n{log.read_text()[-3000:]}")
        request = urllib.request.Request(url, data=b"{}", method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # 401 / 400: the server answers
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"kglijn serve did not answer within 90 s:\n{log.read_text()[-3000:]}")


def _events_of_days(after: dt.date, count: int) -> list[dict[str, Any]]:
    """The events of `count` simulated working days after `after` (other days than the
    measured Monday, so its service levels stay its own)."""
    from kglijn.telephony.simulation.day_setup import calendar_hours
    from kglijn.telephony.simulation.simulator import simulate_day

    events: list[dict[str, Any]] = []
    day = after
    while count:
        day += dt.timedelta(days=1)
        hours = calendar_hours(day)
        if "front" in hours:
            events.extend(e.as_json() for e in simulate_day(day, hours=hours, seed=1).events)
            count -= 1
    return events


def _unapplied() -> int:
    from kglijn.telephony.models import CallEvent

    return CallEvent.objects.filter(applied=False).count()


def _applied_within(server: subprocess.Popen[bytes], limit: float) -> tuple[int | None, float]:
    """The events still unapplied when the stream stopped, and the seconds until the server's
    background applier had applied them all (None: not within `limit`)."""
    started = time.perf_counter()
    backlog = _unapplied()
    while _unapplied():
        if time.perf_counter() - started > limit or server.poll() is not None:
            return None, time.perf_counter() - started
        time.sleep(0.1)
    return backlog, time.perf_counter() - started


def _row(label: str, result: Any, planned: int) -> str:
    rate = result.events_per_second
    return (
        f"| {label} | {result.sent:,} / {planned:,} | {result.requests:,} | {result.seconds:.1f} s "
        f"| {rate:,.0f} | {result.percentile_ms(0.5):.1f} / {result.percentile_ms(0.95):.1f} / "
        f"{result.percentile_ms(0.99):.1f} | {result.accepted:,} / {result.duplicates:,} / "
        f"{result.errors:,} |"
    )


def _check_database(monday: Any, problems: list[str]) -> list[str]:
    """Compare what the server stored for a simulated day with the simulation (this process
    reads the same database)."""
    from kglijn.telephony.models import Call, CallEvent
    from kglijn.telephony.simulation.event_log import OFFICES, service_levels

    lines = []
    call_ids = monday.call_ids
    calls = Call.objects.filter(call_id__in=call_ids)
    stored_calls = calls.count()
    with_contact = calls.filter(contact__isnull=False).count()
    stored_events = CallEvent.objects.filter(call__call_id__in=call_ids).count()
    lines.append(
        f"- stored for {monday.day}: {stored_calls:,} calls ({with_contact:,} with their contact) "
        f"of {len(call_ids):,}; {stored_events:,} events of {len(monday.events):,}"
    )
    if stored_calls != len(call_ids) or with_contact != len(call_ids):
        problems.append(f"{monday.day}: not every call has its call row and contact")
    if stored_events != len(monday.events):
        problems.append(f"{monday.day}: stored events differ from the events sent")
    from kglijn.servicelevels.phone import service_levels as server_levels

    server = server_levels(date_from=monday.day, date_to=monday.day).totals
    reference = service_levels(monday.events)
    for office in OFFICES:
        if (office, None) not in reference:
            continue
        difference = _level_difference(server[office], reference[(office, None)])
        if difference:
            problems.append(
                f"service level {monday.day} {office}: kglijn vs reference: {difference}"
            )
    differs = any(p.startswith(f"service level {monday.day}") for p in problems)
    same = "DIFFER" if differs else "equal"
    lines.append(
        f"- service levels of {monday.day}, kglijn (`service_levels()`) vs the simulator's "
        f"reference from the event log: {same} for "
        + ", ".join(
            f"{office} SL {reference[(office, None)].service_level_pct:.1f} %"
            for office in OFFICES
            if (office, None) in reference
        )
    )
    return lines


def _level_difference(server: Any, reference: Any) -> str:
    pairs = {
        "offered": (server.offered, reference.offered),
        "answered": (server.answered, reference.answered),
        "abandoned": (server.abandoned, reference.abandoned),
        "short abandons": (server.short_abandons, reference.short_abandoned),
        "answered in target": (server.answered_in_target, reference.answered_within_target),
        "ASA": (round(server.asa_seconds or 0, 6), round(reference.asa_seconds or 0, 6)),
        "AHT": (round(server.aht_seconds or 0, 6), round(reference.aht_seconds or 0, 6)),
        "longest wait": (server.longest_wait_seconds or 0, reference.longest_wait),
    }
    return ", ".join(f"{k} {a} vs {b}" for k, (a, b) in pairs.items() if a != b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=_on_server(os.environ["BENCH_DATABASE_URL"], "bench_telephony")
        if os.environ.get("BENCH_DATABASE_URL")
        else DEFAULT_URL,
        help="dropped and created again; default: database bench_telephony on the server of "
        "$BENCH_DATABASE_URL, else " + DEFAULT_URL,
    )
    parser.add_argument("--workers", type=int, default=2, help="kglijn serve --workers")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=30.0, help="sustained stream length")
    parser.add_argument(
        "--day",
        type=dt.date.fromisoformat,
        default=dt.date(2023, 3, 6),
        help="the Monday posted one event a request (the next one goes in batches)",
    )
    parser.add_argument(
        "--pool-size", default="8", help="DB_POOL_MAX_SIZE: connections per server process"
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")
    import django

    django.setup()
    from django.db import connection

    from kglijn.telephony.simulation.day_setup import calendar_hours
    from kglijn.telephony.simulation.replay import EVENTS_PATH, delivery_plan, replay
    from kglijn.telephony.simulation.simulator import simulate_day

    _recreate_database(args.database_url)
    secret = secrets.token_hex(32)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-telephony-") as scratch:
        env = {
            **{k: v for k, v in os.environ.items() if k != "BENCH_DATABASE_URL"},
            "DATABASE_URL": args.database_url,
            "KGLIJN_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "KGLIJN_TELEPHONY_SECRET": secret,
            "KGLIJN_VAR_DIR": scratch,
            # kglijn uses a connection pool per process on PostgreSQL (settings.py).
            "DB_POOL_MAX_SIZE": args.pool_size,
        }
        for step in (["migrate", "--noinput", "-v0"], ["demo", "--users-only"]):
            subprocess.run([*KGLIJN, *step], env=env, check=True, cwd=ROOT, stdout=sys.stderr)
        subprocess.run(
            [*KGLIJN, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT
        )
        hours = calendar_hours(args.day)
        if "front" not in hours:
            raise SystemExit(f"{args.day} is not a working day: no calls to post")
        monday = simulate_day(args.day, hours=hours, seed=1)
        monday_events = [event.as_json() for event in monday.events]
        warmup = _events_of_days(args.day - dt.timedelta(days=8), 1)[:400]
        next_monday = args.day + dt.timedelta(days=7)
        next_hours = calendar_hours(next_monday)
        if "front" not in next_hours:
            raise SystemExit(f"{next_monday} is not a working day: pick another --day")
        batch_sim = simulate_day(next_monday, hours=next_hours, seed=1)
        batch_day = [event.as_json() for event in batch_sim.events]
        stream = _events_of_days(next_monday, max(4, int(args.seconds / 2)))

        log = Path(scratch) / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [*KGLIJN, "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", str(args.workers)],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            _wait_until_up(base_url + EVENTS_PATH, server, log)
            load_before = _load()
            post = {"url": base_url, "secret": secret, "concurrency": args.clients}
            replay(delivery_plan(warmup), **post)
            plan = delivery_plan(monday_events)
            single = replay(plan, **post)
            batch_plan = delivery_plan(batch_day)
            batched = replay(batch_plan, batch=100, **post)
            again = replay(plan, batch=100, **post)  # all duplicates now: idempotency at load
            stream_plan = delivery_plan(stream)
            paced_events = _events_of_days(
                next_monday + dt.timedelta(days=60), max(4, int(args.seconds / 2))
            )
            paced_plan = delivery_plan(paced_events)
            # The streams start with the applier idle: the batch runs above leave it ~7,000
            # events to apply, whose work would otherwise land on the stream's first seconds.
            _applied_within(server, 120.0)
            paced = replay(paced_plan, duration=args.seconds, rate=GOAL_RATE, **post)
            paced_backlog, paced_catch_up = _applied_within(server, 120.0)
            sustained = replay(stream_plan, duration=args.seconds, **post)
            load_after = _load()
            backlog, catch_up = _applied_within(server, 120.0)
            if backlog is None or paced_backlog is None:
                problems.append("the applier did not apply every event within 120 s")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if single.errors or batched.errors or again.errors or sustained.errors:
            print(f"kglijn serve's log (end):\n{log.read_text()[-4000:]}", file=sys.stderr)
            problems.append(
                "the server refused events: "
                + "; ".join(
                    (single.error_messages + batched.error_messages + sustained.error_messages)[:5]
                )
            )
        if single.accepted != len(monday_events):
            problems.append(f"Monday: {single.accepted} accepted of {len(monday_events)}")
        if batched.accepted != len(batch_day):
            problems.append(f"next Monday: {batched.accepted} accepted of {len(batch_day)}")
        if again.duplicates != len(monday_events):
            problems.append(f"Monday again: {again.duplicates} duplicates of {len(monday_events)}")
        checks = _check_database(monday, problems) + _check_database(batch_sim, problems)
        with connection.cursor() as cursor:
            cursor.execute("show server_version")
            version = cursor.fetchone()[0]
    connection.close()

    met = sustained.events_per_second >= GOAL_RATE and sustained.percentile_ms(0.99) < GOAL_P99_MS
    paced_met = (
        paced.events_per_second >= GOAL_RATE * 0.98 and paced.percentile_ms(0.99) < GOAL_P99_MS
    )
    lines = [
        f"## Telephony event ingestion — PostgreSQL {version}, `kglijn serve --workers "
        f"{args.workers}`",
        "",
        f"- machine: {_machine()}; {dt.datetime.now():%Y-%m-%d %H:%M}",
        f"- load average (1/5/15 min) before: {load_before}, after: {load_after} "
        "(server, PostgreSQL and the load generator share the machine)",
        f"- server: KGLIJN_ENV=production, connection pool of {args.pool_size} per process; "
        f"{args.clients} concurrent keep-alive connections (Python threads, http.client), "
        "every request signed (HMAC-SHA256); the events of one call in order on one connection",
        f"- Monday {args.day}: {len(monday.call_ids):,} calls, {len(monday_events):,} events "
        f"(simulator seed 1); sustained stream: the following simulated working days, "
        f"{args.seconds:.0f} s",
        "",
        "| run | events sent / planned | requests | time | events/s | latency p50 / p95 / p99 "
        "(ms) | accepted / duplicates / errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
        _row("Monday, one event per request", single, len(plan)),
        _row(f"next Monday ({next_monday}), batches of 100", batched, len(batch_plan)),
        _row("first Monday again, batches of 100 (all duplicates)", again, len(plan)),
        _row(
            f"paced stream, single events at {GOAL_RATE}/s, {args.seconds:.0f} s",
            paced,
            len(paced_plan),
        ),
        _row(
            f"sustained stream, single events as fast as answered, {args.seconds:.0f} s",
            sustained,
            len(stream_plan),
        ),
        "",
        *checks,
        f"- goal ≥ {GOAL_RATE} events/s with p99 < {GOAL_P99_MS:.0f} ms: as fast as answered "
        + ("**met**" if met else "**not met**")
        + f"; paced at {GOAL_RATE}/s "
        + ("**met**" if paced_met else "**not met**"),
        f"- a whole Monday in {single.seconds:.1f} s (goal: under a minute)",
        f"- background applier (ADR 0009), events not yet applied when a stream stopped: "
        f"paced {paced_backlog if paced_backlog is not None else '?'} (all applied "
        f"{paced_catch_up:.1f} s later), as fast as answered "
        f"{backlog if backlog is not None else '?'} (all applied {catch_up:.1f} s later)",
    ]
    if problems:
        lines += ["", "Problems:", *(f"- {problem}" for problem in problems)]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "telephony.md").write_text(text)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
