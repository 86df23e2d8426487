"""Benchmark of the Opgroeipunt figures (issue 17): `opgroeipunt_figures()` at 1 M cases, side by
side with a plain SQL recount, on PostgreSQL.

    .venv/bin/python bench/opgroeipunt_figures.py [--cases 1000000] [--runs 20] [--seed 17]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench_opgroeipunt] [--reset]

1. The database of --database-url (default: `bench_opgroeipunt` on the server of
   $BENCH_DATABASE_URL) is migrated. A database whose name starts with "bench" is dropped and
   created again first; any other must be a scratch database and is only emptied of Opgroeipunt's
   rows with --reset (refused when it holds some and --reset is not given).
2. --cases random historical cases (2019-01-01 … 2024-12-31) of --mix "002" (the default:
   002's yearly danger situations and complaints at 1 M cases in six years: 0.2 % danger
   situations, 1.1 % complaints of which half admissible, the rest signals, reports, feedback
   and staff-shortage reports) or "heavy" (3 % danger situations, 7 % complaints: 15x the
   danger situations, a stress case); 0–3 locations each, 1.0 on average, over 20,000
   locations (per 1 M cases), and enforcement history: a quarter of the locations get 1–3
   tracks (start, warning, intention, suspension or revocation, evaluations, close; the last
   one often still open) and Zorginspectie advice and civil-party proceedings beside them —
   ~60,000 decisions and ~7,000 tracks per 1 M cases. Loaded with COPY (kglijn/core/bulk.py),
   then VACUUM ANALYZE (as autovacuum would; shown apart, not in the figures' times).
3. For each period: one cold call, then --runs warm calls of `opgroeipunt_figures()` (median,
   p95, queries per call) and of the plain SQL recount (one query per figure and year, Brussels
   dates by `AT TIME ZONE` in every row, no index designed for it); both answers must be equal,
   any difference exits 1.

A markdown block goes to stdout and to bench/results/opgroeipunt-figures-<mix>.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch  # noqa: E402

RESULTS = ROOT / "bench" / "results"
KGLIJN = [sys.executable, "-m", "kglijn.cli"]
GOAL_MS = 100.0
FIRST_DAY, LAST_DAY = dt.date(2019, 1, 1), dt.date(2024, 12, 31)
PERIODS = [
    ("2022, a whole year", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
    ("002's table: 2021-01-01 … 2023-06-05", dt.date(2021, 1, 1), dt.date(2023, 6, 5)),
    ("all six years 2019 … 2024", dt.date(2019, 1, 1), dt.date(2024, 12, 31)),
    ("one month (March 2023)", dt.date(2023, 3, 1), dt.date(2023, 3, 31)),
    ("one day (2022-03-15)", dt.date(2022, 3, 15), dt.date(2022, 3, 15)),
    ("a year boundary (2022-12-31 … 2023-01-01)", dt.date(2022, 12, 31), dt.date(2023, 1, 1)),
]
CASE_KINDS = ["signal", "report", "feedback", "complaint", "danger", "staff_shortage"]
# Per 1,000 cases. "002": 002's yearly danger situations (~345) and complaints (~1,850, half
# admissible) at 1 M cases in six years (167,000 a year); "heavy": 15x the danger situations.
MIXES = {
    "002": [400, 350, 180, 11, 2, 57],
    "heavy": [350, 300, 150, 70, 30, 100],
}
TABLES = (
    "opgroeipunt_decision",
    "opgroeipunt_enforcementtrack",
    "opgroeipunt_case_locations",
    "opgroeipunt_caseevent",
    "opgroeipunt_reporter",
    "opgroeipunt_proposal",
    "opgroeipunt_case",
    "opgroeipunt_locationversion",
    "opgroeipunt_location",
    "opgroeipunt_organiser",
)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


# --- the database --------------------------------------------------------------------------------


def prepare(url: str, reset: bool) -> str:
    """Migrate the database (recreated when it is a bench database); its server version."""
    _args, _env, name = scratch.pg_args(url)
    if name.startswith("bench"):
        scratch.recreate_database(url)
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([*KGLIJN, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM opgroeipunt_case")
        (cases,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM opgroeipunt_location")
        (locations,) = cursor.fetchone()
        if cases or locations:
            if not reset:
                raise SystemExit(
                    f"{name} holds {cases} cases and {locations} locations: "
                    "pass --reset to empty Opgroeipunt's tables (a scratch database only)"
                )
            cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


# --- the data ------------------------------------------------------------------------------------


def _moment(rng: random.Random, first: dt.datetime, seconds: float) -> dt.datetime:
    return first + dt.timedelta(seconds=int(rng.random() * seconds))


def load(cases: int, seed: int, mix: str) -> dict[str, Any]:
    """Write organisers, locations, cases with their locations, tracks and decisions by COPY."""
    from django.conf import settings
    from django.db import connection, transaction

    from kglijn.core.bulk import BulkWriter, m2m_spec, table_spec
    from kglijn.opgroeipunt.models import (
        Case,
        Decision,
        EnforcementTrack,
        Location,
        Organiser,
    )

    rng = random.Random(seed)
    utc = dt.UTC
    first = dt.datetime(2019, 1, 1, tzinfo=utc) - dt.timedelta(hours=1)
    span = (dt.datetime(2025, 1, 1, tzinfo=utc) - first).total_seconds() - 3600
    urgent_hours = dt.timedelta(hours=settings.KGLIJN_OPGROEIPUNT_URGENT_HOURS)
    n_locations = max(100, cases // 50)
    n_organisers = max(10, n_locations // 4)
    began = time.perf_counter()
    organisers = [(i, f"ORG{i}", f"Organisator {i}") for i in range(1, n_organisers + 1)]
    postcodes = [
        ("9000", "BE-VOV"),
        ("2000", "BE-VAN"),
        ("3000", "BE-VBR"),
        ("8000", "BE-VWV"),
        ("3500", "BE-VLI"),
        ("1000", "BE-BRU"),
    ]
    locations = [
        (
            i,
            f"LOC{i}",
            rng.randint(1, n_organisers),
            f"Opvang {i}",
            *rng.choice(postcodes),
            rng.choice(["group", "family"]),
            rng.randint(4, 80),
            rng.choice(["T0", "T1", "T2"]),
            rng.random() < 0.6,
        )
        for i in range(1, n_locations + 1)
    ]
    case_rows = []
    links = []
    link_id = 0
    kinds = rng.choices(CASE_KINDS, MIXES[mix], k=cases)
    for i, kind in enumerate(kinds, start=1):
        received = _moment(rng, first, span)
        urgent = kind == "danger"
        admissible = (rng.random() < 0.5) if kind == "complaint" else None
        case_rows.append(
            (
                i,
                kind,
                "import",
                "closed",
                received,
                urgent,
                received + urgent_hours if urgent else None,
                admissible,
            )
        )
        count = rng.choices((0, 1, 2, 3), (20, 65, 10, 5))[0]
        for location in rng.sample(range(1, n_locations + 1), count) if count else ():
            link_id += 1
            links.append((link_id, i, location))
    tracks = []
    decisions = []
    states = ["warning", "intention", "suspension", "revocation"]
    for location in rng.sample(range(1, n_locations + 1), n_locations // 4):
        moment = _moment(rng, first, span * 0.4)
        for _ in range(rng.choice((1, 1, 2, 3))):
            steps = ["enforcement_started"]
            steps += states[: rng.choice((0, 1, 1, 2, 3))]
            if rng.random() < 0.15:
                steps.append(rng.choice(("suspension", "revocation")))
            steps += rng.choices(
                ("evaluation_positive", "evaluation_negative"), k=rng.randint(0, 3)
            )
            closes = rng.random() < 0.7
            if closes:
                steps.append("enforcement_closed")
            track_id = len(tracks) + 1
            times = []
            for kind in steps:
                moment += dt.timedelta(days=rng.randint(5, 120), seconds=rng.randint(0, 86_399))
                times.append(moment)
                decisions.append(
                    [len(decisions) + 1, kind, "import", location, track_id, moment, moment.date()]
                )
            if times[-1] >= dt.datetime(2025, 1, 1, tzinfo=utc):  # keep inside the window
                del decisions[len(decisions) - len(steps) :]
                break
            tracks.append(
                (
                    track_id,
                    location,
                    times[0],
                    times[-1] if closes else None,
                    "none" if closes else "warning",
                    0,
                )
            )
            if not closes:
                break
            moment += dt.timedelta(days=rng.randint(30, 400))
    for _ in range(cases // 40):  # advice and civil-party proceedings, on tracks or not
        location = rng.randint(1, n_locations)
        moment = _moment(rng, first, span)
        kind = "inspection_advice" if rng.random() < 0.8 else "civil_party"
        decisions.append(
            [len(decisions) + 1, kind, "import", location, None, moment, moment.date()]
        )
    generated = time.perf_counter() - began

    began = time.perf_counter()
    writer = BulkWriter(connection)
    with transaction.atomic():
        writer.write(
            table_spec(Organiser, ["id", "external_id", "name"], connection=connection), organisers
        )
        writer.write(
            table_spec(
                Location,
                [
                    "id",
                    "external_id",
                    "organiser_id",
                    "name",
                    "postcode",
                    "province",
                    "care_type",
                    "places",
                    "subsidy",
                    "income_tariff",
                ],
                connection=connection,
            ),
            locations,
        )
        writer.write(
            table_spec(
                Case,
                [
                    "id",
                    "kind",
                    "source",
                    "status",
                    "received_at",
                    "urgent",
                    "urgent_due_at",
                    "admissible",
                ],
                connection=connection,
                constants={
                    "subject": "",
                    "description": "",
                    "admissibility_reason": "",
                    "conciliation": "",
                },
            ),
            case_rows,
        )
        writer.write(m2m_spec(Case, "locations", connection=connection), links)
        writer.write(
            table_spec(
                EnforcementTrack,
                ["id", "location_id", "started_at", "closed_at", "state", "positive_evaluations"],
                connection=connection,
            ),
            tracks,
        )
        writer.write(
            table_spec(
                Decision,
                ["id", "kind", "source", "location_id", "track_id", "decided_at", "effective_from"],
                connection=connection,
                constants={"motivation": ""},
            ),
            [tuple(row) for row in decisions],
        )
        writer.finish()
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    analysed = time.perf_counter() - began
    return {
        "organisers": len(organisers),
        "locations": len(locations),
        "cases": len(case_rows),
        "danger": kinds.count("danger"),
        "complaints": kinds.count("complaint"),
        "links": len(links),
        "tracks": len(tracks),
        "decisions": len(decisions),
        "generated": generated,
        "loaded": loaded,
        "analysed": analysed,
    }


# --- the plain SQL recount ------------------------------------------------------------------------

_DAY = "(({column} AT TIME ZONE 'Europe/Brussels')::date)"


def _day(column: str) -> str:
    return _DAY.format(column=column)


PLAIN_SQL = {
    "danger_situations": f"""
        SELECT count(*) FROM opgroeipunt_case
        WHERE kind = 'danger' AND {_day("received_at")} BETWEEN %(a)s AND %(b)s""",
    "danger_situations_locations": f"""
        SELECT count(DISTINCT cl.location_id)
        FROM opgroeipunt_case c JOIN opgroeipunt_case_locations cl ON cl.case_id = c.id
        WHERE c.kind = 'danger' AND {_day("c.received_at")} BETWEEN %(a)s AND %(b)s""",
    "danger_situations_enforcement_started": f"""
        SELECT count(DISTINCT cl.location_id)
        FROM opgroeipunt_case c JOIN opgroeipunt_case_locations cl ON cl.case_id = c.id
        WHERE c.kind = 'danger' AND {_day("c.received_at")} BETWEEN %(a)s AND %(b)s
          AND EXISTS (
            SELECT 1 FROM opgroeipunt_decision d
            WHERE d.location_id = cl.location_id AND d.kind = 'enforcement_started'
              AND d.decided_at >= c.received_at AND {_day("d.decided_at")} <= %(b)s)""",
    "admissible_complaints": f"""
        SELECT count(*) FROM opgroeipunt_case
        WHERE kind = 'complaint' AND admissible
          AND {_day("received_at")} BETWEEN %(a)s AND %(b)s""",
    "inspection_enforcement_advices": f"""
        SELECT count(*) FROM opgroeipunt_decision
        WHERE kind = 'inspection_advice' AND {_day("decided_at")} BETWEEN %(a)s AND %(b)s""",
    "enforcement_locations": f"""
        SELECT count(DISTINCT location_id) FROM opgroeipunt_enforcementtrack
        WHERE {_day("started_at")} <= %(b)s
          AND (closed_at IS NULL OR {_day("closed_at")} >= %(a)s)""",
    "suspension_decisions": f"""
        SELECT count(*) FROM opgroeipunt_decision
        WHERE kind = 'suspension' AND {_day("decided_at")} BETWEEN %(a)s AND %(b)s""",
    "revocation_decisions": f"""
        SELECT count(*) FROM opgroeipunt_decision
        WHERE kind = 'revocation' AND {_day("decided_at")} BETWEEN %(a)s AND %(b)s""",
    "civil_party_proceedings": f"""
        SELECT count(*) FROM opgroeipunt_decision
        WHERE kind = 'civil_party' AND {_day("decided_at")} BETWEEN %(a)s AND %(b)s""",
}


def plain_recount(start: dt.date, end: dt.date) -> dict[str, Any]:
    from django.db import connection

    years: dict[str, dict[str, int]] = {}
    with connection.cursor() as cursor:
        for year in range(start.year, end.year + 1):
            a, b = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
            figures = {}
            for name, sql in PLAIN_SQL.items():
                cursor.execute(sql, {"a": a, "b": b})
                figures[name] = cursor.fetchone()[0]
            years[str(year)] = figures
    return {"from": start.isoformat(), "to": end.isoformat(), "years": years}


# --- measuring -----------------------------------------------------------------------------------


def _timed(runs: int, work: Any) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(runs + 1):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return times[0], times[1:], result


def measure(runs: int) -> tuple[list[str], bool]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kglijn.opgroeipunt.figures.selectors import opgroeipunt_figures

    lines = [
        "| period | figures(): cold | median | p95 | queries "
        "| plain SQL: median | p95 | queries | equal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    ok = True
    for label, start, end in PERIODS:
        with CaptureQueriesContext(connection) as queries:
            opgroeipunt_figures(start=start, end=end)
        ours_queries = len(queries)
        cold, warm, ours = _timed(runs, lambda s=start, e=end: opgroeipunt_figures(start=s, end=e))
        _plain_cold, plain_warm, plain = _timed(
            max(3, runs // 4), lambda s=start, e=end: plain_recount(s, e)
        )
        equal = ours == plain
        if not equal:
            ok = False
            print(f"DIFFERENT for {label}:\n ours  {ours}\n plain {plain}", file=sys.stderr)
        plain_queries = len(PLAIN_SQL) * (end.year - start.year + 1)
        lines.append(
            f"| {label} | {_ms(cold)} | **{_ms(statistics.median(warm))}** | "
            f"{_ms(_percentile(warm, 0.95))} | {ours_queries} | "
            f"{_ms(statistics.median(plain_warm))} | {_ms(_percentile(plain_warm, 0.95))} | "
            f"{plain_queries} | {'yes' if equal else '**NO**'} |"
        )
    return lines, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--database-url")
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--mix", choices=sorted(MIXES), default="002")
    args = parser.parse_args()
    url = args.database_url
    if not url:
        server = os.environ.get("BENCH_DATABASE_URL")
        if not server:
            raise SystemExit("give --database-url or set BENCH_DATABASE_URL (PostgreSQL)")
        url = scratch.on_server(server, "bench_opgroeipunt")
    database = prepare(url, args.reset)
    load_before = scratch.load_average()
    counts = load(args.cases, args.seed, args.mix)
    lines, ok = measure(args.runs)
    load_after = scratch.load_average()
    out = [
        f"## Opgroeipunt figures at {counts['cases']:,} cases, mix {args.mix} — "
        "`bench/opgroeipunt_figures.py`",
        "",
        f"- {database}, {scratch.machine()}; {dt.datetime.now():%Y-%m-%d %H:%M}; load average "
        f"(1/5/15 min) {load_before} before, {load_after} after",
        f"- data: {counts['organisers']:,} organisers, {counts['locations']:,} locations, "
        f"{counts['cases']:,} cases ({counts['danger']:,} danger situations, "
        f"{counts['complaints']:,} complaints) with {counts['links']:,} case–location links, "
        f"{counts['tracks']:,} enforcement tracks, {counts['decisions']:,} decisions "
        f"(generated in {counts['generated']:.1f} s, COPY {counts['loaded']:.1f} s, "
        f"VACUUM ANALYZE {counts['analysed']:.1f} s)",
        f"- {args.runs} warm runs per period after one cold call; the plain SQL recount "
        f"{max(3, args.runs // 4)} warm runs; goal: figures for any period under "
        f"{GOAL_MS:.0f} ms",
        "",
        *lines,
        "",
    ]
    text = "\n".join(out)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"opgroeipunt-figures-{args.mix}.md").write_text(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
