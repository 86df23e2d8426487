"""Benchmark of `kglijn import contacts`: N random rows in the documented CSV format, imported
into a throwaway database.

    .venv/bin/python bench/import_contacts.py [--rows 1000000] [--seed 7]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/import_contacts.py --reset

SQLite: a fresh database in a temporary directory. PostgreSQL (BENCH_DATABASE_URL): that
database is migrated and, with --reset, its contacts are deleted first (point it at a scratch
database). The rows are random (not the demo distribution); writing the file is not timed.
Prints the machine, load average, rows, seconds and rows/s of the import (rollup refresh and
commit included, shown separately too) and of a re-import of the same file (all rows already
present).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.datagen import generate  # noqa: E402  (the same random rows as bench/reports.py)


def _load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def _setup(scratch: str, reset: bool) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["KGLIJN_VAR_DIR"] = scratch
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kglijn.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--noinput", verbosity=0)
    if reset:
        from kglijn.demo.services import demo_reset

        demo_reset()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reset", action="store_true", help="delete the contacts first")
    parser.add_argument("--no-reimport", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-import-") as scratch:
        database = _setup(scratch, args.reset)
        from kglijn.contacts.importers import contacts_import
        from kglijn.contacts.models import Contact

        path = Path(scratch) / "contacts.csv"
        began = time.perf_counter()
        generate(path, args.rows, args.seed)
        generated = time.perf_counter() - began
        before = Contact.objects.count()
        load_before = _load_average()
        result = contacts_import(path=path, progress=True)
        load_after = _load_average()
        assert not result.failed, result.messages
        assert Contact.objects.count() == before + result.imported == before + args.rows
        print(f"## kglijn import contacts on {database}")
        print()
        print(
            f"- machine: {os.cpu_count()} CPUs, {platform.platform()}, Python "
            f"{platform.python_version()}; {dt.datetime.now():%Y-%m-%d %H:%M}; load average "
            f"(1/5/15 min) {load_before} before, {load_after} after"
        )
        print(
            f"- file: {args.rows:,} random rows, {path.stat().st_size / 1e6:.0f} MB CSV "
            f"(written in {generated:.1f} s, not timed)"
        )
        import_only = result.seconds - result.rollup_seconds
        print(
            f"- import: {result.imported:,} contacts in {result.seconds:.1f} s "
            f"({result.rows_per_second:,.0f} rows/s), commit and adding them to the rollups "
            f"({result.rollup_rows:,} rollup rows, {result.rollup_seconds:.1f} s) included; "
            f"without the rollups {import_only:.1f} s ({result.read / import_only:,.0f} rows/s)"
        )
        if not args.no_reimport:
            again = contacts_import(path=path, progress=True)
            assert again.imported == 0
            assert again.already_present == args.rows
            print(
                f"- re-import of the same file: 0 new, {again.already_present:,} already present "
                f"in {again.seconds:.1f} s ({again.rows_per_second:,.0f} rows/s)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
