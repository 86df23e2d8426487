"""Benchmark of steering the front office (issue 19) on the full demo register.

    .venv/bin/python bench/steering.py [--years 2022-2023] [--scale 1.0] [--repeat 3]
        [--database-url postgresql://postgres@127.0.0.1:5432/any]

Without --database-url it runs on the configured database (``make bench`` gives it a throwaway
SQLite database in a temporary KGLIJN_VAR_DIR, already migrated); that database must hold no
contacts yet (the demo refuses otherwise). With --database-url (``make bench`` passes
$BENCH_DATABASE_URL) it recreates and migrates the database ``bench_steering`` on that server and
runs there.

1. The register as ``kglijn demo --years 2022-2023`` loads it at full scale: ``demo_load()`` and
   the open work for today (not timed), then the steering demo
   (``kglijn.steering.demo.steering_demo_load``: the last year's front-office call legs, the
   illustrative contract, a 45-agent roster, a forecast per channel and the demo invoice), timed.
2. Timed, wall clock, the best of --repeat runs (the forecasts once each: every run stores one):
   ``statement_month(2023-10)``, ``statement_year(2023)`` (its extrapolated total beside the real
   2023 invoice, €981,788), ``invoice_check`` of the demo invoice, ``forecast_run`` per channel
   (phone, e-mail, chat; its back-test WAPE beside the seasonal-naive baseline's), the staffing
   grid of the forecast's first full week with Erlang C and with Erlang A, the reachability
   figures of the last 8 weeks with calls, and ``kglijn.core.erlang.agents_needed`` for 1,000
   Erlangs (7,500 calls per half hour at 240 s) by Erlang C and by Erlang A (patience 120 s).

Figures that are clearly wrong exit 1 after the table: the year's total is not the sum of the
months stated one by one, the 2023 extrapolation is more than 1 % from €981,788, the invoice
check does not find the demo's three planted differences, a back-test WAPE is missing or outside
0–100 %, a staffing grid needs nobody or more agent hours by Erlang A than by Erlang C, the
reachability figures have no day with calls, Erlang C gives 1,000 Erlangs at most 1,000 agents,
or Erlang A (callers hang up) needs more agents than Erlang C. A markdown block goes to stdout
and to bench/results/ (the caller's name).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import scratch  # noqa: E402

KGLIJN = [sys.executable, "-m", "kglijn.cli"]
PG_DATABASE = "bench_steering"
INVOICE_2023 = Decimal("981788")
# 1,000 Erlangs: 7,500 calls per half hour at an AHT of 240 s.
ERLANGS_CALLS, ERLANGS_INTERVAL, ERLANGS_AHT, PATIENCE = 7500.0, 1800.0, 240.0, 120.0
PLANTED_DIFFERENCES = 3  # kglijn/steering/demo.py: extra calls, no malus, an unknown line

T = TypeVar("T")


def prepare(url: str | None) -> str:
    """Point Django at the database (a recreated bench database on the server of ``url``) and
    describe it."""
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

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]} (database {PG_DATABASE})"
        cursor.execute("select sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]} (a file in a temporary directory)"


def best_of(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    """The shortest wall-clock time of `repeat` runs (ms) and the last run's result."""
    best = float("inf")
    result: T | None = None
    for _i in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, (time.perf_counter() - started) * 1000)
    assert result is not None
    return best, result


def euro(value: Decimal) -> str:
    return f"€{value:,.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", default="2022-2023")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    database = prepare(args.database_url)

    from django.utils import timezone

    from kglijn.core.erlang import agents_needed
    from kglijn.demo.open_work import demo_open_work_create
    from kglijn.demo.plan import parse_years
    from kglijn.demo.services import DEFAULT_SEED, demo_load
    from kglijn.steering.contract.invoices import invoice_check
    from kglijn.steering.contract.statement import statement_month, statement_year
    from kglijn.steering.demo import DEMO_INVOICE_REFERENCE, steering_demo_load
    from kglijn.steering.forecast.services import forecast_run
    from kglijn.steering.models import Invoice
    from kglijn.steering.reachability.figures import default_period, reachability
    from kglijn.steering.staffing.need import default_week, staffing_grid

    repeat = max(1, args.repeat)
    years = parse_years(args.years)
    year = max(years)
    problems: list[str] = []
    rows: list[tuple[str, str, str]] = []  # (what, ms, figures)

    # 1. The register (not timed), then the steering demo (timed).
    started = time.perf_counter()
    loaded = demo_load(years=years, scale=args.scale, seed=DEFAULT_SEED)
    demo_open_work_create()
    register_seconds = time.perf_counter() - started
    started = time.perf_counter()
    summary = steering_demo_load(seed=DEFAULT_SEED, years=years, scale=args.scale)
    rows.append(
        (
            "steering demo (`steering_demo_load`)",
            f"{(time.perf_counter() - started) * 1000:,.0f}",
            summary.replace("\n", " ").replace("|", "/"),
        )
    )

    # 2. The statements.
    october = dt.date(year, 10, 1)
    ms, month = best_of(repeat, lambda: statement_month(october))
    rows.append(
        (
            f"`statement_month({october:%Y-%m})`",
            f"{ms:,.0f}",
            f"total {euro(month.total)}, malus {euro(month.malus)}, {len(month.lines)} lines",
        )
    )
    ms, statement = best_of(repeat, lambda: statement_year(year))
    one_by_one = sum((statement_month(s.month).total for s in statement.months), Decimal("0.00"))
    if statement.total != one_by_one:
        problems.append(
            f"the year's total {statement.total} is not the sum of its months {one_by_one}"
        )
    figures = f"{len(statement.months)} months, stated {euro(statement.total)}"
    extrapolation = statement.extrapolation
    if extrapolation is None:
        problems.append(f"{year} has no extrapolation (the demo's data end on 15 November)")
    else:
        deviation = (extrapolation.total - INVOICE_2023) / INVOICE_2023 * 100
        figures += (
            f"; extrapolated ({extrapolation.covered_days} of {extrapolation.year_days} days) "
            f"**{euro(extrapolation.total)}** vs invoice {euro(INVOICE_2023)}: "
            f"**{deviation:+.2f} %**"
        )
        if year == 2023 and abs(deviation) > 1:
            problems.append(f"the {year} extrapolation is {deviation:+.2f} % from €981,788")
    rows.append((f"`statement_year({year})`", f"{ms:,.0f}", figures))

    # 3. The invoice check.
    invoice = Invoice.objects.get(reference=DEMO_INVOICE_REFERENCE)
    ms, check = best_of(repeat, lambda: invoice_check(invoice))
    rows.append(
        (
            f"`invoice_check` (demo invoice {invoice.month:%Y-%m})",
            f"{ms:,.0f}",
            f"{len(check.rows)} rows, {check.flagged_count} flagged, invoice − statement "
            f"{euro(check.total_difference)}",
        )
    )
    if check.flagged_count != PLANTED_DIFFERENCES:
        problems.append(
            f"the invoice check flags {check.flagged_count} rows, the demo planted "
            f"{PLANTED_DIFFERENCES}"
        )

    # 4. The forecasts, from the day after the data as the demo's (once each: every run stores).
    last_day = extrapolation.covered_to if extrapolation else timezone.localdate()
    forecast_day = last_day + dt.timedelta(days=1)
    for channel in ("phone", "email", "chat"):
        started = time.perf_counter()
        run = forecast_run(channel=channel, weeks=6, today=forecast_day)
        ms = (time.perf_counter() - started) * 1000
        wape, naive = run.backtest_wape_pct, run.baseline_wape_pct
        if wape is None or naive is None or not 0 <= wape < 100:
            problems.append(f"forecast {channel}: back-test WAPE {wape}, seasonal naive {naive}")
            text = f"WAPE {wape} vs seasonal naive {naive}"
        else:
            text = f"WAPE {wape:.1f} % vs seasonal naive {naive:.1f} %"
        rows.append((f"`forecast_run({channel})`, 6 weeks", f"{ms:,.0f}", text))

    # 5. The staffing grid of one week (the newest phone forecast's first full week).
    week = default_week(forecast_day)
    needs: dict[str, Decimal] = {}
    for label, erlang_a in (("Erlang C", False), ("Erlang A", True)):
        ms, grid = best_of(
            repeat,
            functools.partial(staffing_grid, week_start=week, erlang_a=erlang_a, today=last_day),
        )
        needed = sum((total.needed_hours for total in grid.totals), Decimal(0))
        planned = sum((total.planned_hours for total in grid.totals), Decimal(0))
        short = sum(total.short_slots for total in grid.totals)
        needs[label] = needed
        rows.append(
            (
                f"`staffing_grid` week of {week:%Y-%m-%d}, {label}",
                f"{ms:,.0f}",
                f"{len(grid.cells)} half hours; needed {needed:,.1f} h, planned {planned:,.1f} h, "
                f"{short} half hours short; AHT {grid.aht.value:.0f} s"
                + (f", patience {grid.patience.value:.0f} s" if grid.patience else ""),
            )
        )
        if needed <= 0:
            problems.append(f"the staffing grid ({label}) needs nobody in the week of {week}")
    if needs["Erlang A"] > needs["Erlang C"]:
        problems.append("Erlang A needs more agent hours than Erlang C")

    # 6. Reachability, the last 8 weeks with calls.
    date_from, date_to = default_period(forecast_day)
    ms, report = best_of(repeat, lambda: reachability(date_from=date_from, date_to=date_to))
    met = f"{report.met_pct:.0f} %" if report.met_pct is not None else "–"
    rows.append(
        (
            f"`reachability` {date_from:%Y-%m-%d} – {date_to:%Y-%m-%d}",
            f"{ms:,.0f}",
            f"{len(report.days)} days, {report.days_met} of {report.days_with_calls} with calls "
            f"voldoende bereikbaar ({met})",
        )
    )
    if not report.days_with_calls:
        problems.append("the reachability figures have no day with calls")

    # 7. Erlang at 1,000 Erlangs.
    agents: dict[str, int] = {}
    for label, patience in (("Erlang C", None), ("Erlang A", PATIENCE)):
        ms, queue = best_of(
            repeat,
            functools.partial(
                agents_needed,
                calls=ERLANGS_CALLS,
                interval_seconds=ERLANGS_INTERVAL,
                aht=ERLANGS_AHT,
                patience=patience,
            ),
        )
        rows.append(
            (
                f"`agents_needed` 1,000 Erlangs, {label}"
                + (f" (patience {PATIENCE:.0f} s)" if patience else ""),
                f"{ms:,.1f}",
                f"{queue.agents:,} agents, service level {queue.service_level * 100:.1f} % "
                f"within 20 s, ASA {queue.asa_seconds:.1f} s"
                + (f", abandoned {queue.abandon_probability * 100:.2f} %" if patience else ""),
            )
        )
        agents[label] = queue.agents
    # Erlang C needs more agents than Erlangs; Erlang A (callers hang up) may need fewer, but
    # never more than Erlang C.
    if agents["Erlang C"] <= 1000:
        problems.append(f"Erlang C: {agents['Erlang C']} agents for 1,000 Erlangs")
    if not 0 < agents["Erlang A"] <= agents["Erlang C"]:
        problems.append(f"Erlang A: {agents['Erlang A']} agents, Erlang C {agents['Erlang C']}")

    print(f"## Steering the front office on {database}")
    print()
    print(
        f"- machine: {scratch.machine()}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; load "
        f"average {scratch.load_average()} at the end"
    )
    print(
        f"- register: `demo_load` years {args.years}, scale {args.scale:g}, seed {DEFAULT_SEED}: "
        f"{loaded.total_rows:,} rows in {register_seconds:.1f} s (not timed below)"
    )
    print(f"- wall clock, best of {repeat} runs; the forecasts and the steering demo run once")
    print()
    print("| what | ms | figures |")
    print("|---|---:|---|")
    for what, ms_text, text in rows:
        print(f"| {what} | {ms_text} | {text} |")
    print()
    if problems:
        print("**Figures that are wrong:**")
        for problem in problems:
            print(f"- {problem}")
        sys.stdout.flush()
        for problem in problems:
            print(f"wrong: {problem}", file=sys.stderr)
        return 1
    print("All checks passed (year = sum of months, extrapolation within 1 %, invoice check, ...).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
