"""Benchmark of import and yearly report at volume, against DuckDB and django-helpdesk.

    .venv/bin/python bench/reports.py [--sizes 100000,1000000,10000000]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_reports] [--runs 20]
        [--peer-tickets 100000,1000000 | --peer-tickets ""]

For each size:
1. `bench/datagen.py` writes that many random contacts (import format) and their true yearly
   aggregates;
2. the PostgreSQL database of --database-url (default: `bench_reports` on the server of
   $BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/bench_reports) is dropped and
   created again - its name must start with "bench" - and migrated;
3. `kglijn import contacts FILE` loads the file (timed: rows/s);
4. `kglijn.reports.selectors.yearly_report()` runs in a fresh process: one cold call, then --runs
   warm calls (p50/p95); its answer must equal the truth, and so must the answer of
   `kglijn report yearly --format json` (run once, whole process timed);
5. DuckDB reads the same CSV into an in-memory table (load timed separately), then computes the
   same aggregates with five queries (incoming per channel and outgoing, provinces, topics,
   referrals, reasons per Brussels year; --runs warm runs, p50/p95); its answer must equal the
   truth too;
6. a markdown table goes to stdout and to bench/results/reports-<size>.md.
Then the peer: `bench/peers/setup_helpdesk.py` loads django-helpdesk (database `bench_helpdesk` on
the same server) with --peer-tickets tickets and times its statistics pages;
bench/results/reports-peers.md puts them next to our report.

Any difference from the truth is printed and makes the run exit with status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch  # noqa: E402

_load = scratch.load_average
_machine = scratch.machine
_on_server = scratch.on_server
_pg_args = scratch.pg_args
_recreate_database = scratch.recreate_database

from bench.datagen import (  # noqa: E402
    Truth,
    YearCounts,
    generate,
    report_differences,
    year_report,
)

RESULTS = ROOT / "bench" / "results"
KGLIJN = [sys.executable, "-m", "kglijn.cli"]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_reports"
YEARS = (2019, 2020, 2021, 2022, 2023)
DATE_FROM, DATE_TO = dt.date(2019, 1, 1), dt.date(2023, 12, 31)
CLIPPED_TO = dt.date(2023, 11, 15)


# --- helpers ------------------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _psql(url: str, sql: str) -> str:
    args, env, name = _pg_args(url)
    return subprocess.run(
        ["psql", *args, "-d", name, "-AtXc", sql],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.strip()


# --- our report, measured in its own process ----------------------------------------------------


def measure_report(runs: int) -> dict[str, Any]:
    """In this process (DATABASE_URL set by the caller): yearly_report() cold + warm runs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")
    import django

    django.setup()
    from kglijn.reports.selectors import yearly_report

    times = []
    report: dict[str, Any] = {}
    for _ in range(runs + 1):
        started = time.perf_counter()
        report = yearly_report(date_from=DATE_FROM, date_to=DATE_TO)
        times.append(time.perf_counter() - started)
    # The architecture contract's example period: whole years, then January–October 2023 from
    # month rows and 1–15 November from day rows (its correctness is tested in tests/reports).
    clipped = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        yearly_report(date_from=DATE_FROM, date_to=CLIPPED_TO)
        clipped.append(time.perf_counter() - started)
    return {
        "cold": times[0],
        "warm": times[1:],
        "clipped": clipped[1:],
        "report": report,
        "builder": _measure_builder(runs),
    }


BUILDER_CASES: dict[str, dict[str, Any]] = {
    "year × channel, incoming": {
        "dimensions": ("year", "channel"),
        "filters": {"direction": ("in",)},
    },
    "province × year, incoming": {
        "dimensions": ("province", "year"),
        "filters": {"direction": ("in",)},
    },
    "month × reason": {"dimensions": ("month", "reason")},
}


def _measure_builder(runs: int) -> str | dict[str, Any]:
    """The report builder (kglijn.reports.builder.report_run), a few definitions, warm runs.

    Also returns the "year × channel, incoming" table, which must equal the truth's incoming."""
    try:
        from kglijn.reports.builder import ReportDefinition, report_run
    except ImportError:
        return "not built yet (no kglijn.reports.builder.report_run)"
    figures: dict[str, Any] = {}
    for label, case in BUILDER_CASES.items():
        definition = ReportDefinition(
            measure="contacts", date_from=DATE_FROM, date_to=DATE_TO, **case
        )
        times = []
        result = None
        for _ in range(runs + 1):
            started = time.perf_counter()
            result = report_run(definition=definition)
            times.append(time.perf_counter() - started)
        entry: dict[str, Any] = {"cold": times[0], "warm": times[1:]}
        if result is not None and label.startswith("year × channel"):
            entry["table"] = {
                str(row): {
                    str(column): count
                    for column, count in zip(result.column_keys, counts, strict=True)
                }
                for row, counts in zip(result.row_keys, result.counts, strict=True)
            }
        figures[label] = entry
    return figures


# --- DuckDB reference ---------------------------------------------------------------------------

DUCKDB_LOAD = """
CREATE TABLE contacts AS
SELECT external_id,
       CAST(received_at AS TIMESTAMPTZ) AS received_at,
       channel,
       coalesce(origin, '') AS origin,
       direction,
       coalesce(province, '') AS province,
       coalesce(topic, '') AS topic,
       string_split(reasons, '|') AS reasons,
       CASE WHEN referrals IS NULL THEN []::VARCHAR[] ELSE string_split(referrals, '|') END
           AS referrals,
       office,
       anonymous = 'true' AS anonymous
FROM read_csv(?, header = true, all_varchar = true)
"""
# The Brussels calendar date of each contact, computed in the scan (ICU time zones).
_DAY = "CAST(timezone('Europe/Brussels', received_at) AS DATE)"
_IN_PERIOD = f"{_DAY} BETWEEN $from AND $to"
DUCKDB_QUERIES = {
    "channels": f"SELECT year({_DAY}), direction, channel, count(*) FROM contacts "
    f"WHERE {_IN_PERIOD} GROUP BY ALL",
    "provinces": f"SELECT year({_DAY}), province, count(*) FROM contacts "
    f"WHERE direction = 'in' AND {_IN_PERIOD} GROUP BY ALL",
    "topics": f"SELECT year({_DAY}), topic, count(*) FROM contacts "
    f"WHERE direction = 'in' AND topic <> '' AND {_IN_PERIOD} GROUP BY ALL",
    "referrals": f"SELECT y, code, count(*) FROM (SELECT year({_DAY}) AS y, "
    f"unnest(referrals) AS code FROM contacts WHERE direction = 'in' AND {_IN_PERIOD}) "
    "GROUP BY ALL",
    "reasons": f"SELECT y, code, count(*) FROM (SELECT year({_DAY}) AS y, "
    f"unnest(reasons) AS code FROM contacts WHERE direction = 'in' AND {_IN_PERIOD}) "
    "GROUP BY ALL",
}


def _duckdb_report(con: Any, day: str) -> dict[str, Any]:
    params = {"from": DATE_FROM, "to": DATE_TO}
    counts = {year: YearCounts() for year in YEARS}

    def rows(name: str) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = con.execute(
            DUCKDB_QUERIES[name].replace(_DAY, day), params
        ).fetchall()
        return found

    for year, direction, channel, n in rows("channels"):
        if direction == "in":
            counts[year].incoming[channel] += n
        else:
            counts[year].outgoing += n
    for name in ("provinces", "topics", "referrals", "reasons"):
        for year, key, n in rows(name):
            getattr(counts[year], name)[key] += n
    return {
        "from": DATE_FROM.isoformat(),
        "to": DATE_TO.isoformat(),
        "years": {str(year): year_report(c) for year, c in counts.items()},
    }


def _timed(runs: int, work: Any) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(runs + 1):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return times[0], times[1:], result


def measure_duckdb(csv_path: Path, runs: int) -> dict[str, Any]:
    """DuckDB in memory, two ways: the Brussels date computed per row in each scan (`tz`), and
    materialised once as a column after the load (`day`) - the fastest plain scan we know."""
    import duckdb

    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchone()
    started = time.perf_counter()
    con.execute(DUCKDB_LOAD, [str(csv_path)])
    load = time.perf_counter() - started
    tz_cold, tz_warm, tz_report = _timed(runs, lambda: _duckdb_report(con, _DAY))
    started = time.perf_counter()
    con.execute(f"CREATE TABLE dated AS SELECT *, {_DAY} AS day FROM contacts")
    con.execute("DROP TABLE contacts")
    con.execute("ALTER TABLE dated RENAME TO contacts")
    day_column = time.perf_counter() - started
    day_cold, day_warm, day_report = _timed(runs, lambda: _duckdb_report(con, "day"))
    con.close()
    return {
        "version": duckdb.__version__,
        "threads": threads[0] if threads else None,
        "load": load,
        "tz": {"cold": tz_cold, "warm": tz_warm, "report": tz_report},
        "day_column": day_column,
        "day": {"cold": day_cold, "warm": day_warm, "report": day_report},
    }


# --- one size -----------------------------------------------------------------------------------


def _measure_ours(
    figures: dict[str, Any], *, expected: dict[str, Any], url: str, env: dict[str, str], runs: int
) -> None:
    size: int = figures["size"]
    problems: list[str] = figures["problems"]
    stored = int(_psql(url, "SELECT count(*) FROM contacts_contact"))
    if stored != size:
        problems.append(f"import stored {stored:,} contacts, expected {size:,}")
    figures["database_mb"] = int(_psql(url, "SELECT pg_database_size(current_database())")) / 1e6
    print(f"imported in {figures['import']:.1f} s", file=sys.stderr, flush=True)

    measured = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure-report", "--runs", str(runs)],
        env=env,
        cwd=ROOT,
        check=False,
        stdout=subprocess.PIPE,
        text=True,
    )
    if measured.returncode != 0:
        problems.append("yearly_report() could not be measured (see the error above)")
    else:
        ours = json.loads(measured.stdout)
        figures["ours"] = ours
        for line in report_differences(expected, ours["report"]):
            problems.append(f"yearly_report() ≠ truth: {line}")
        builder = ours["builder"]
        if isinstance(builder, dict):
            table = builder["year × channel, incoming"].get("table", {})
            for year, entry in expected["years"].items():
                want = {k: v for k, v in entry["incoming"].items() if k != "total"}
                got = {k: v for k, v in table.get(year, {}).items() if k in want}
                if got != want:
                    problems.append(f"builder year × channel {year}: expected {want}, got {got}")

    started = time.perf_counter()
    cli = subprocess.run(
        [
            *KGLIJN,
            "report",
            "yearly",
            "--from",
            DATE_FROM.isoformat(),
            "--to",
            DATE_TO.isoformat(),
            "--format",
            "json",
        ],
        env=env,
        cwd=ROOT,
        check=False,
        stdout=subprocess.PIPE,
        text=True,
    )
    figures["cli"] = time.perf_counter() - started
    if cli.returncode != 0:
        problems.append(f"`kglijn report yearly` exited with {cli.returncode}")
    else:
        for line in report_differences(expected, json.loads(cli.stdout)):
            problems.append(f"`kglijn report yearly --format json` ≠ truth: {line}")


def run_size(size: int, *, url: str, runs: int, seed: int, workdir: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {"size": size, "load_before": _load(), "problems": []}
    problems: list[str] = figures["problems"]
    csv_path = workdir / f"contacts-{size}.csv"
    print(f"\n== {size:,} contacts ==", file=sys.stderr, flush=True)
    truth: Truth = generate(csv_path, size, seed, YEARS, progress=True)
    expected = truth.report()
    figures["generate"] = truth.seconds
    figures["csv_mb"] = csv_path.stat().st_size / 1e6
    print(f"generated in {truth.seconds:.1f} s", file=sys.stderr, flush=True)

    env = {**os.environ, "DATABASE_URL": url}
    _recreate_database(url)
    subprocess.run([*KGLIJN, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    started = time.perf_counter()
    imported = subprocess.run(
        [*KGLIJN, "import", "contacts", str(csv_path)], env=env, cwd=ROOT, check=False
    )
    figures["import"] = time.perf_counter() - started
    figures["import_ok"] = imported.returncode == 0
    if imported.returncode != 0:
        problems.append(f"`kglijn import contacts` exited with {imported.returncode}")
    else:
        _measure_ours(figures, expected=expected, url=url, env=env, runs=runs)

    duck = measure_duckdb(csv_path, runs)
    figures["duckdb"] = duck
    for variant in ("tz", "day"):
        for line in report_differences(expected, duck[variant]["report"]):
            problems.append(f"DuckDB ({variant}) ≠ truth: {line}")
    figures["load_after"] = _load()
    return figures


def size_markdown(f: dict[str, Any], *, database: str, runs: int) -> str:
    size = f["size"]
    lines = [
        f"## Yearly report at {size:,} contacts — {database}",
        "",
        f"- machine: {_machine()}; {dt.datetime.now():%Y-%m-%d %H:%M}",
        f"- load average (1/5/15 min) before: {f['load_before']}, after: "
        f"{f.get('load_after', '-')} (2 cores shared with other work)",
        f"- data: {size:,} random contacts 2019–2023 (bench/datagen.py), CSV "
        f"{f['csv_mb']:,.0f} MB, generated in {f['generate']:.1f} s",
        "",
        "| step | figure |",
        "|---|---:|",
    ]
    if "import" in f:
        rate = size / f["import"] if f["import"] else 0
        lines.append(
            f"| `kglijn import contacts` (whole process) | {f['import']:,.1f} s = "
            f"{rate:,.0f} rows/s{'' if f['import_ok'] else ' (FAILED)'} |"
        )
    if "database_mb" in f:
        lines.append(f"| database size after import | {f['database_mb']:,.0f} MB |")
    ours = f.get("ours")
    if ours:
        p50, p95 = _percentile(ours["warm"], 0.5), _percentile(ours["warm"], 0.95)
        lines.append(
            f"| `yearly_report()` 2019–2023, warm p50 / p95 ({runs} runs) | "
            f"{_ms(p50)} / {_ms(p95)} |"
        )
        if "clipped" in ours:
            c50, c95 = _percentile(ours["clipped"], 0.5), _percentile(ours["clipped"], 0.95)
            lines.append(
                f"| `yearly_report()` 2019-01-01..2023-11-15, warm p50 / p95 ({runs} runs) | "
                f"{_ms(c50)} / {_ms(c95)} |"
            )
        lines.append(f"| `yearly_report()` first call in a new process | {_ms(ours['cold'])} |")
    if "cli" in f:
        lines.append(
            f"| `kglijn report yearly --format json` (whole process, once) | {_ms(f['cli'])} |"
        )
    if ours:
        builder = ours["builder"]
        if isinstance(builder, str):
            lines.append(f"| report builder | {builder} |")
        else:
            for label, entry in builder.items():
                b50, b95 = _percentile(entry["warm"], 0.5), _percentile(entry["warm"], 0.95)
                lines.append(
                    f"| report builder `report_run()`: {label}, 2019–2023, warm p50 / p95 "
                    f"({runs} runs) | {_ms(b50)} / {_ms(b95)} |"
                )
    duck = f.get("duckdb")
    if duck:
        lines.append(
            f"| DuckDB {duck['version']}: CSV → in-memory table (once) | {_ms(duck['load'])} |"
        )
        for variant, what in (
            ("tz", "Brussels date computed per row in each scan"),
            ("day", "Brussels date materialised once as a column"),
        ):
            warm = duck[variant]["warm"]
            if variant == "day":
                lines.append(
                    f"| DuckDB: adding the Brussels date column (once) | "
                    f"{_ms(duck['day_column'])} |"
                )
            d50, d95 = _percentile(warm, 0.5), _percentile(warm, 0.95)
            lines.append(
                f"| DuckDB, same aggregates (5 queries, {duck['threads']} threads), {what}: "
                f"warm p50 / p95 ({runs} runs) | {_ms(d50)} / {_ms(d95)} |"
            )
            if ours:
                p50 = _percentile(ours["warm"], 0.5)
                lines.append(
                    f"| **ratio DuckDB p50 ({variant}) / our p50** (goal ≥ 10×) | "
                    f"**{d50 / p50:,.1f}×** |"
                )
    lines.append("")
    if f["problems"]:
        lines.append("**FAILED — differences from the generator's truth or errors:**")
        lines.append("")
        lines.extend(f"- {problem}" for problem in f["problems"][:40])
    else:
        lines.append(
            "Correctness: `yearly_report()`, `kglijn report yearly --format json`, the builder's "
            "year × channel table (when built) and DuckDB all equal the generator's truth "
            "(counts exact, shares within 0.01)."
        )
    lines.append("")
    return "\n".join(lines)


def peers_markdown(peer: dict[str, Any] | str, ours: dict[int, dict[str, Any]]) -> str:
    lines = ["## Peer: django-helpdesk's reports on the same number of rows", ""]
    if isinstance(peer, str):
        lines += [peer, ""]
        return "\n".join(lines)
    lines += [
        f"- django-helpdesk {peer['helpdesk']} on Django {peer['django']}, PostgreSQL, Django "
        "test client (whole view incl. template), staff user; tickets created uniformly "
        "2019–2023 with random status, priority, queue (3) and assignee (5); "
        f"date {dt.datetime.now():%Y-%m-%d %H:%M}, load average {_load()}",
        "",
        "| rows | page | helpdesk cold | helpdesk warm p50 | our yearly report p50 | ratio |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for size, entry in peer["sizes"].items():
        mine = ours.get(int(size), {}).get("ours")
        our_p50 = _percentile(mine["warm"], 0.5) if mine else None
        for label, page in entry["pages"].items():
            ratio = f"{page['p50_ms'] / (our_p50 * 1000):,.0f}×" if our_p50 else "-"
            lines.append(
                f"| {int(size):,} | {label} (`{page['url']}`) | {page['cold_ms']:,.0f} ms | "
                f"{page['p50_ms']:,.0f} ms ({page['runs']} runs) | "
                f"{_ms(our_p50) if our_p50 else 'not measured at this size'} | {ratio} |"
            )
    lines.append("")
    return "\n".join(lines)


def run_peer(tickets: str, runs: int, url: str) -> dict[str, Any] | str:
    script = ROOT / "bench" / "peers" / "setup_helpdesk.py"
    completed = subprocess.run(
        [
            sys.executable,
            str(script),
            "--tickets",
            tickets,
            "--runs",
            str(runs),
            "--database-url",
            _on_server(url, "bench_helpdesk"),
        ],
        check=False,
        stdout=subprocess.PIPE,
        text=True,
    )
    if completed.returncode != 0:
        return (
            f"django-helpdesk could not be measured: `{script.name}` exited with "
            f"{completed.returncode} (its error output is above)."
        )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument(
        "--database-url",
        default=_on_server(os.environ["BENCH_DATABASE_URL"], "bench_reports")
        if os.environ.get("BENCH_DATABASE_URL")
        else DEFAULT_URL,
        help="dropped and created again; default: database bench_reports on the server of "
        "$BENCH_DATABASE_URL, else " + DEFAULT_URL,
    )
    parser.add_argument("--runs", type=int, default=20, help="warm runs per measured report")
    parser.add_argument("--seed", type=int, default=20231106)
    parser.add_argument("--peer-tickets", default="100000,1000000", help='"" skips the peer')
    parser.add_argument("--peer-runs", type=int, default=3)
    parser.add_argument("--workdir", help="where the CSV files go (default: a temporary dir)")
    parser.add_argument("--measure-report", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_report:
        print(json.dumps(measure_report(args.runs)))
        return 0

    RESULTS.mkdir(parents=True, exist_ok=True)
    version = _psql(_on_server(args.database_url, "postgres"), "SHOW server_version")
    database = f"PostgreSQL {version}"
    sizes = [int(size) for size in args.sizes.split(",") if size]
    failed = False
    ours: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-reports-", dir=args.workdir) as work:
        for size in sizes:
            figures = run_size(
                size, url=args.database_url, runs=args.runs, seed=args.seed, workdir=Path(work)
            )
            (Path(work) / f"contacts-{size}.csv").unlink(missing_ok=True)
            ours[size] = figures
            text = size_markdown(figures, database=database, runs=args.runs)
            print(text, flush=True)
            (RESULTS / f"reports-{size}.md").write_text(text)
            if figures["problems"]:
                failed = True
                print(
                    f"\n!!! {size:,}: {len(figures['problems'])} problem(s) — see above !!!\n",
                    file=sys.stderr,
                )
    if args.peer_tickets:
        peer = run_peer(args.peer_tickets, args.peer_runs, args.database_url)
        text = peers_markdown(peer, ours)
        print(text)
        (RESULTS / "reports-peers.md").write_text(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
