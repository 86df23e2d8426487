"""Benchmark of `kglijn demo` on the configured database, plus the figures table of docs/demo.md.

    .venv/bin/python bench/demo.py [--reset] [--years 2019-2023] [--scale 1.0]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/demo.py --reset

Loads the demo (refuses a register with contacts unless --reset, which replaces them), then
prints the machine, rows, seconds, rows/s and, measured from the database with ORM aggregates,
every cell of the source tables next to what was loaded (markdown).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
from pathlib import Path


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    return "RAM unknown"


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import translation

    from kglijn.demo.plan import parse_years
    from kglijn.demo.selectors import demo_figures_markdown
    from kglijn.demo.services import DEFAULT_SEED, demo_load

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", default="2019-2023")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--reset", action="store_true", help="replace existing contacts")
    args = parser.parse_args()

    result = demo_load(
        years=parse_years(args.years),
        scale=args.scale,
        seed=args.seed,
        progress=True,
        reset=args.reset,
    )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("show server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    print(f"## kglijn demo on {database}")
    print()
    print(
        f"- machine: {os.cpu_count()} CPUs, {_memory()}, {platform.platform()}, "
        f"Python {platform.python_version()}; {dt.datetime.now():%Y-%m-%d %H:%M}"
    )
    print(f"- years {args.years}, scale {args.scale:g}, seed {args.seed}")
    for table, count in result.rows.items():
        print(f"- {table}: {count:,} rows")
    rate = result.total_rows / result.seconds if result.seconds else 0
    print(
        f"- total {result.total_rows:,} rows in {result.seconds:.1f} s ({rate:,.0f} rows/s), "
        "demo users and commit included"
    )
    print()
    with translation.override("nl-be"):
        print(demo_figures_markdown(plans=result.plans))
    return 0


if __name__ == "__main__":
    sys.exit(main())
