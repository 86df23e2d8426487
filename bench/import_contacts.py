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
import random
import sys
import tempfile
import time
from pathlib import Path

PROVINCES = ["BE-VAN", "BE-VOV", "BE-VWV", "BE-VBR", "BE-VLI", "BE-BRU", "BE-WHT", "BE-WBR",
             "BE-WLG", "BE-WLX", "BE-WNA", ""]  # fmt: skip
REASONS = ["info-kg", "general", "care-report", "advice", "vaccination", "cb-appointment",
           "pregnancy-intro", "childcare-addresses", "childcare-qualification",
           "childcare-fees"]  # fmt: skip
REFERRALS = ["groeipakket", "consumentenombudsdienst", "zorginspectie", "fod-financien",
             "fod-waso", "gezinsbond", "one", "rsvz", "vertrouwenscentrum",
             "vlaamse-ombudsdienst"]  # fmt: skip
HEADER = ("external_id,received_at,channel,origin,direction,province,topic,reasons,referrals,"
          "office,anonymous\n")  # fmt: skip


def generate(path: Path, rows: int, *, seed: int) -> None:
    """Random contacts 2019-2023, received_at with the Brussels offset of the moment."""
    from zoneinfo import ZoneInfo

    brussels = ZoneInfo("Europe/Brussels")
    rng = random.Random(seed)
    start = int(dt.datetime(2019, 1, 1, tzinfo=dt.UTC).timestamp())
    span = 5 * 365 * 86400
    reason_cells = ["", *REASONS, *(f"{a}|{b}" for a in REASONS[:4] for b in REASONS[4:])]
    referral_cells = [""] * 8 + REFERRALS + [f"{REFERRALS[0]}|{REFERRALS[5]}"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        lines = []
        for number in range(rows):
            moment = dt.datetime.fromtimestamp(start + rng.randrange(span), brussels)
            channel = rng.choice(("phone", "phone", "phone", "email", "chat"))
            origin = rng.choice(("mailbox", "webform", "")) if channel == "email" else ""
            lines.append(
                f"bench-{number},{moment.isoformat()},{channel},{origin},"
                f"{'in' if rng.random() < 0.97 else 'out'},{rng.choice(PROVINCES)},"
                f"{rng.choice(('childcare', 'family_support', ''))},{rng.choice(reason_cells)},"
                f"{rng.choice(referral_cells)},{rng.choice(('front', 'pgjo', 'childcare'))},"
                f"{'true' if rng.random() < 0.8 else 'false'}\n"
            )
            if len(lines) >= 100_000:
                handle.writelines(lines)
                lines.clear()
        handle.writelines(lines)


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
        generate(path, args.rows, seed=args.seed)
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
