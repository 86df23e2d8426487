"""Benchmark of Opgroeipunt's synchronisation and risk analysis (issue 18) at Flemish scale.

    .venv/bin/python bench/opgroeipunt_sync_risk.py [--locations 6800] [--visits 14000]
        [--events 2000] [--database-url postgresql://postgres@127.0.0.1:5432/any]

Without --database-url it runs on the configured database (``make bench`` gives it a throwaway
SQLite database in a temporary KGLIJN_VAR_DIR, already migrated); that database must hold no
locations yet (the run refuses otherwise). With --database-url (``make bench`` passes
$BENCH_DATABASE_URL) it recreates and migrates the database ``bench_opgroeipunt_sync`` on that
server and runs there.

1. Risk (first, so the scored locations are the generated ones only): a register of --locations
   locations with ~4.5 years of history and a planted risk structure
   (tests/opgroeipunt/risk_world.py: ~10 cases, ~3.4 inspection visits per location; bulk
   insert, not timed), then, timed: feature extraction (one snapshot of every location as of
   now, Dutch stemming of every case text of the last 24 months included), training
   (``risk_model_train()`` with its defaults: 4 half-yearly snapshots + the back-test snapshot,
   calibrated logistic regression, TF-IDF) and scoring every location with explanations
   (``risk_scores_compute()``).
2. Sync in, file drop (``sync_file``, each run one transaction): a dossier file of --locations
   locations (~4 per organiser) as CSV, then as JSON Lines (other ids): run 1 all new, run 2 the
   same file (all unchanged), run 3 with 5 % changed (places + 1). An inspection file of
   --visits visits on the CSV's locations (1–3 types, 0–3 findings with text, report reference
   and URL) as JSON Lines, the same three runs.
3. Sync in, HTTPS pull (``sync_pull``) against a local ThreadingHTTPServer (plain http to
   127.0.0.1, KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP=1; no TLS) serving pages of 500 records:
   the dossier records again under new ids (all new; 14 pages at 6,800).
4. Sync out: --events outgoing changes (``outgoing_case_created`` for existing cases; recorded,
   not timed) delivered to a local webhook receiver that checks every signature and
   deduplicates on the event id (tests/opgroeipunt/dossier_receiver.py), one event per
   claim -> POST -> mark as the worker does (``webhook_deliver`` until nothing is left); then
   the same events to the file drop (``file_deliver``: batches of 100, fsync per file).

Every run's counts are checked (new / changed / unchanged / delivered exactly once); any
difference exits 1. A markdown block goes to stdout and to bench/results/ (the caller's name).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch  # noqa: E402

KGLIJN = [sys.executable, "-m", "kglijn.cli"]
PG_DATABASE = "bench_opgroeipunt_sync"
PAGE_SIZE = 500
# Valid postcodes in the five Flemish provinces and Brussels.
POSTCODES = ["1000", "1800", "2000", "2018", "2800", "3000", "3500", "3800", "8000", "8500", "9000"]
INSPECTION_TYPES = [
    "regular",
    "complaint",
    "danger_situation",
    "follow_up_risk_enforcement",
    "dossier_review",
    "advice_enforcement",
]
THEMES = ["Veiligheid", "Begeleiding", "Hygiëne", "Gezondheid", "Infrastructuur"]
FINDING_TEXTS = [
    "Stopcontacten zonder afdekking in de speelruimte",
    "Te weinig begeleiders tijdens de middag",
    "Registratie van aanwezigheden onvolledig",
    "Slaapruimte niet voldoende verlucht",
    "Medicatie niet buiten bereik van de kinderen bewaard",
]


class Mismatch(RuntimeError):
    """A run did not do what the benchmark expects: its figures would mean nothing."""


# --- the database --------------------------------------------------------------------------------


def prepare(url: str | None) -> str:
    """Point Django at the database (a recreated bench database on the server of ``url``) and
    describe it; refuse a database that already holds locations."""
    os.environ["KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP"] = "1"
    os.environ["KGLIJN_OPGROEIPUNT_SYNC_BACKOFF"] = "0.1"
    if url:
        target = scratch.on_server(url, PG_DATABASE)
        scratch.recreate_database(target)
        env = {**os.environ, "DATABASE_URL": target}
        subprocess.run([*KGLIJN, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        os.environ["DATABASE_URL"] = target
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")
    import django

    django.setup()
    from django.db import connection

    from kglijn.opgroeipunt.models import Location

    if Location.objects.exists():
        raise SystemExit(
            "the database already holds locations: run this on an empty database (make bench "
            "gives it one; or pass --database-url for a recreated bench database)"
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]} (database {PG_DATABASE})"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (a file in a temporary directory)"


# --- the records ---------------------------------------------------------------------------------


def dossier_records(prefix: str, n: int, rng: random.Random) -> list[dict[str, Any]]:
    records = []
    for i in range(n):
        organiser = i // 4
        family = rng.random() < 0.35
        records.append(
            {
                "external_id": f"{prefix}-L{i:05d}",
                "organiser_external_id": f"{prefix}-O{organiser:05d}",
                "organiser_name": f"Vzw Kinderopvang {prefix} {organiser}",
                "name": f"Kinderopvang {prefix} {i}",
                "postcode": rng.choice(POSTCODES),
                "care_type": "family" if family else "group",
                "places": rng.randint(4, 8) if family else rng.randint(14, 60),
                "subsidy": rng.choice(["T0", "T1", "T2"]),
                "income_tariff": rng.random() < 0.6,
                "active": True,
            }
        )
    return records


def visit_records(
    prefix: str, n: int, location_ids: list[str], rng: random.Random
) -> list[dict[str, Any]]:
    first = dt.date(2023, 1, 1)
    records = []
    for i in range(n):
        visited = first + dt.timedelta(days=rng.randint(0, 1000))
        types = (
            ["regular"] if rng.random() < 0.6 else rng.sample(INSPECTION_TYPES, rng.randint(1, 3))
        )
        findings = [
            {
                "theme": rng.choice(THEMES),
                "severity": rng.choice(["minor", "minor", "major", "critical"]),
                "text": rng.choice(FINDING_TEXTS),
            }
            for _k in range(rng.randint(0, 3))
        ]
        published = visited + dt.timedelta(days=rng.randint(14, 60))
        records.append(
            {
                "external_id": f"{prefix}-V{i:06d}",
                "location_external_id": location_ids[i % len(location_ids)],
                "visited_on": visited.isoformat(),
                "types": types,
                "findings": findings,
                "report_reference": f"VR-{prefix}-{i:06d}",
                "report_url": f"https://www.zorginspectie.be/rapporten/VR-{prefix}-{i:06d}.pdf",
                "report_published_on": published.isoformat() if rng.random() < 0.8 else None,
                "active": True,
            }
        )
    return records


def changed(records: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
    """Every 20th record (5 %) changed in one field."""
    out = []
    for i, record in enumerate(records):
        if i % 20 == 0:
            record = dict(record)
            if source == "dossier":
                record["places"] += 1
            else:
                record["report_reference"] += "-B"
        out.append(record)
    return out


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, list) and value and isinstance(value[0], str):
        return "|".join(value)
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(list(records[0]))
            for record in records:
                writer.writerow([_cell(value) for value in record.values()])
    else:
        with path.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


# --- measuring -----------------------------------------------------------------------------------

ROWS: list[tuple[str, str, int, float, str]] = []  # part, what, records, seconds, outcome


def row(part: str, what: str, records: int, seconds: float, outcome: str) -> None:
    ROWS.append((part, what, records, seconds, outcome))
    print(f"  {part}: {what}: {records} in {seconds:.2f} s ({outcome})", file=sys.stderr)


def expect(run: Any, **counts: int) -> str:
    got = {
        "created": run.created,
        "changed": run.changed,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
    }
    if run.status != "succeeded" or any(got[key] != value for key, value in counts.items()):
        raise Mismatch(f"run {run.pk} ({run.status}, {run.error!r}): {got}, expected {counts}")
    return f"{run.created:,} new, {run.changed:,} changed, {run.unchanged:,} unchanged"


def sync_file_run(part: str, what: str, source: str, path: Path, **counts: int) -> None:
    from kglijn.opgroeipunt.sync.services import sync_file

    started = time.perf_counter()
    run = sync_file(source=source, path=path)
    seconds = time.perf_counter() - started
    outcome = expect(run, **counts)
    row(part, what, sum(counts.values()), seconds, outcome)


# --- 1. risk -------------------------------------------------------------------------------------


def risk(n_locations: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from kglijn.opgroeipunt.models import Case, InspectionVisit, RiskScore
    from kglijn.opgroeipunt.risk.features import TextCache, scoring_locations, snapshot
    from kglijn.opgroeipunt.risk.services import risk_model_train, risk_scores_compute
    from tests.opgroeipunt.risk_world import build_world

    started = time.perf_counter()
    build_world(n_locations=n_locations, seed=18)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    world = {
        "seconds": time.perf_counter() - started,
        "cases": Case.objects.count(),
        "visits": InspectionVisit.objects.count(),
    }
    print(f"  world: {world}", file=sys.stderr)

    started = time.perf_counter()
    ids = scoring_locations()
    snap = snapshot(cut=timezone.now(), location_ids=ids, cache=TextCache())
    seconds = time.perf_counter() - started
    if snap.matrix.shape[0] != n_locations:
        raise Mismatch(f"features of {snap.matrix.shape[0]} locations, expected {n_locations}")
    row(
        "risk",
        "feature extraction (one snapshot, texts stemmed)",
        n_locations,
        seconds,
        f"{snap.matrix.shape[1]} features",
    )

    started = time.perf_counter()
    model = risk_model_train()
    seconds = time.perf_counter() - started
    metrics = model.metrics
    row(
        "risk",
        "training (4 snapshots + back-test)",
        model.n_train + model.n_test,
        seconds,
        f"AUC {metrics['model']['auc']:.3f} vs baseline {metrics['baseline']['auc']:.3f}",
    )

    started = time.perf_counter()
    scored = risk_scores_compute()
    seconds = time.perf_counter() - started
    if scored != n_locations or RiskScore.objects.count() != n_locations:
        raise Mismatch(f"{scored} locations scored, expected {n_locations}")
    row("risk", "scoring with explanations", scored, seconds, f"{scored:,} scores written")
    return world


# --- 2. sync in: files ---------------------------------------------------------------------------


def sync_in_files(n_locations: int, n_visits: int, folder: Path, rng: random.Random) -> None:
    for fmt, prefix in (("csv", "BC"), ("jsonl", "BJ")):
        records = dossier_records(prefix, n_locations, rng)
        path = write(folder / f"dossier-{prefix}.{fmt}", records)
        what = f"dossier {fmt.upper()}"
        n = n_locations
        sync_file_run("sync in", f"{what}, run 1 (all new)", "dossier", path, created=n)
        sync_file_run("sync in", f"{what}, run 2 (all unchanged)", "dossier", path, unchanged=n)
        five = write(folder / f"dossier-{prefix}-5pc.{fmt}", changed(records, "dossier"))
        k = len(range(0, n, 20))
        sync_file_run(
            "sync in", f"{what}, run 3 (5 % changed)", "dossier", five, changed=k, unchanged=n - k
        )
    location_ids = [f"BC-L{i:05d}" for i in range(n_locations)]
    records = visit_records("VJ", n_visits, location_ids, rng)
    path = write(folder / "inspection.jsonl", records)
    n = n_visits
    sync_file_run("sync in", "inspection JSONL, run 1 (all new)", "inspection", path, created=n)
    sync_file_run(
        "sync in", "inspection JSONL, run 2 (all unchanged)", "inspection", path, unchanged=n
    )
    five = write(folder / "inspection-5pc.jsonl", changed(records, "inspection"))
    k = len(range(0, n, 20))
    sync_file_run(
        "sync in",
        "inspection JSONL, run 3 (5 % changed)",
        "inspection",
        five,
        changed=k,
        unchanged=n - k,
    )


# --- 3. sync in: HTTPS-pull-shaped ---------------------------------------------------------------


class _Feed(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        records: list[dict[str, Any]] = self.server.records  # type: ignore[attr-defined]
        number = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
        start = (number - 1) * PAGE_SIZE
        more = start + PAGE_SIZE < len(records)
        body = json.dumps(
            {
                "records": records[start : start + PAGE_SIZE],
                "next": f"/feed?page={number + 1}" if more else None,
                "cursor": "2026-12-07T00:00:00Z",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def feed(records: list[dict[str, Any]]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    server.daemon_threads = True
    server.records = records  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def pull_run(what: str, source: str, url: str, **counts: int) -> None:
    from kglijn.opgroeipunt.sync.services import sync_pull

    started = time.perf_counter()
    run = sync_pull(source=source, url=url)
    seconds = time.perf_counter() - started
    outcome = expect(run, **counts) + f"; {run.attempts} requests"
    row("sync in", what, sum(counts.values()), seconds, outcome)


def sync_in_pull(n_locations: int, rng: random.Random) -> None:
    records = dossier_records("BP", n_locations, rng)
    with feed(records) as url:
        pull_run(
            f"dossier pull, pages of {PAGE_SIZE} (all new)", "dossier", url, created=n_locations
        )


# --- 4. sync out ---------------------------------------------------------------------------------


def sync_out(n_events: int, folder: Path) -> None:
    from django.db import transaction
    from django.utils import timezone

    from kglijn.opgroeipunt.models import Case, OutgoingChange
    from kglijn.opgroeipunt.sync.outgoing import (
        file_deliver,
        outgoing_case_created,
        webhook_deliver,
    )
    from tests.opgroeipunt.dossier_receiver import DossierReceiver

    cases = list(Case.objects.order_by("pk").prefetch_related("locations")[:n_events])
    if len(cases) != n_events:
        raise Mismatch(f"only {len(cases)} cases to announce, expected {n_events}")
    with transaction.atomic():
        for case in cases:
            outgoing_case_created(case=case)
    secret = "bench-secret-0123456789abcdef"
    drop = folder / "drop"
    with DossierReceiver(secret) as receiver:
        os.environ["KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_URL"] = receiver.url
        os.environ["KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_SECRET"] = secret
        started = time.perf_counter()
        sent = 0
        while work := webhook_deliver(now=timezone.now()):
            sent += work
        seconds = time.perf_counter() - started
    delivered = OutgoingChange.objects.filter(webhook_state="delivered").count()
    if len(set(receiver.applied)) != n_events or delivered != n_events or receiver.rejected:
        raise Mismatch(
            f"webhook: {len(receiver.applied)} applied, {delivered} marked delivered, "
            f"{len(receiver.rejected)} rejected; expected {n_events}"
        )
    row(
        "sync out",
        "signed webhook, one event per claim → POST → mark",
        n_events,
        seconds,
        f"{len(receiver.applied):,} applied once, {len(receiver.requests):,} requests",
    )

    os.environ["KGLIJN_OPGROEIPUNT_DOSSIER_DROP_DIR"] = str(drop)
    started = time.perf_counter()
    while file_deliver(now=timezone.now()):
        pass
    seconds = time.perf_counter() - started
    files = sorted(drop.glob("*.jsonl"))
    lines = sum(len(path.read_bytes().splitlines()) for path in files)
    if lines != n_events:
        raise Mismatch(f"file drop: {lines} lines in {len(files)} files, expected {n_events}")
    row(
        "sync out",
        "file drop (JSON Lines, 100 per file, fsync)",
        n_events,
        seconds,
        f"{len(files)} files",
    )


# --- the report ----------------------------------------------------------------------------------


def report(database: str, world: dict[str, Any], args: argparse.Namespace, total: float) -> str:
    lines = [
        f"### Opgroeipunt sync and risk — {database}",
        "",
        f"{scratch.machine()}; load average (1/5/15 min) before: {args.load_before}, "
        f"after: {scratch.load_average()}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.",
        f"Risk world: {args.locations:,} locations, {world['cases']:,} cases, "
        f"{world['visits']:,} inspection visits (generated in {world['seconds']:.1f} s, not "
        f"timed); total run {total:.0f} s.",
        "",
        "| part | what | records | seconds | records/s | outcome |",
        "|---|---|---:|---:|---:|---|",
    ]
    for part, what, records, seconds, outcome in ROWS:
        rate = records / seconds if seconds else float("inf")
        lines.append(f"| {part} | {what} | {records:,} | {seconds:.2f} | {rate:,.0f} | {outcome} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=6800)
    parser.add_argument("--visits", type=int, default=14000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or None)
    args = parser.parse_args()
    args.load_before = scratch.load_average()
    begun = time.perf_counter()
    database = prepare(args.database_url)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-sync-") as scratch_dir:
        folder = Path(scratch_dir)
        try:
            world = risk(args.locations)
            sync_in_files(args.locations, args.visits, folder, rng)
            sync_in_pull(args.locations, rng)
            sync_out(args.events, folder)
        except Mismatch as exc:
            print(f"MISMATCH: {exc}", file=sys.stderr)
            return 1
    print(report(database, world, args, time.perf_counter() - begun))
    return 0


if __name__ == "__main__":
    sys.exit(main())
