"""`make bench`: every benchmark in bench/, each on a throwaway database, figures to stdout and
bench/results/.

    make bench                                   # SQLite in a temporary directory
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench   # and PostgreSQL

Environment: BENCH_IMPORT_ROWS (default 1000000), BENCH_REPORT_SIZES (default 1000000; the
issue's full run is 1000000,10000000 and takes about 45 minutes).

The PostgreSQL run replaces the contacts of that database (it loads the full demo with --reset):
point it at a scratch database, never at one people use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
KGLIJN = [sys.executable, "-m", "kglijn.cli"]


def _run(name: str, script: str, env: dict[str, str], *extra: str) -> None:
    subprocess.run([*KGLIJN, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *extra],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    print(completed.stdout)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(completed.stdout)


def main() -> int:
    # Each run gets its database explicitly; an inherited one would point a run elsewhere.
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "BENCH_DATABASE_URL")
    }
    rows = os.environ.get("BENCH_IMPORT_ROWS", "1000000")
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-") as scratch:
        _run("demo-sqlite", "demo.py", {**base, "KGLIJN_VAR_DIR": scratch})
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-") as scratch:
        _run(
            "import-sqlite",
            "import_contacts.py",
            {**base, "KGLIJN_VAR_DIR": scratch},
            "--rows",
            rows,
        )
    # Opgroeipunt's sync in/out and risk analysis at 6,800 locations (~2-3 min per database).
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-") as scratch:
        _run(
            "opgroeipunt-sync-risk-sqlite",
            "opgroeipunt_sync_risk.py",
            {**base, "KGLIJN_VAR_DIR": scratch},
        )
    # Steering the front office (issue 19) on the 2022-2023 demo at full scale (~2 min).
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-") as scratch:
        _run("steering-sqlite", "steering.py", {**base, "KGLIJN_VAR_DIR": scratch})
    # Survey campaigns (issue 20): the demo, a bureau's import of 7,525 + 743, raking (~1 min).
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-") as scratch:
        _run("campaigns-sqlite", "campaigns.py", {**base, "KGLIJN_VAR_DIR": scratch})
    pg = os.environ.get("BENCH_DATABASE_URL")
    # Knowledge-base search, 5,000 articles: SQLite, and PostgreSQL (database bench_knowledge on
    # that server) when BENCH_DATABASE_URL is set; writes bench/results/knowledge.md (~30 s).
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "knowledge.py")],
        env={**base, **({"BENCH_DATABASE_URL": pg} if pg else {})},
        check=True,
        cwd=ROOT,
    )
    if pg:
        _run("demo-postgresql", "demo.py", {**base, "DATABASE_URL": pg}, "--reset")
        pg_env = {**base, "DATABASE_URL": pg, "BENCH_DATABASE_URL": pg}
        _run("import-postgresql", "import_contacts.py", pg_env, "--reset", "--rows", rows)
        # Yearly report / builder latency, the DuckDB reference scan and the django-helpdesk
        # peer, in databases bench_reports and bench_helpdesk on the same server (~15 min).
        sizes = os.environ.get("BENCH_REPORT_SIZES", "1000000")
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "reports.py"), "--sizes", sizes],
            env=pg_env,
            check=True,
            cwd=ROOT,
        )
        # Signed call events into `kglijn serve --workers 2`, database bench_telephony (~3 min).
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "telephony.py")],
            env=pg_env,
            check=True,
            cwd=ROOT,
        )
        # Opgroeipunt's figures at 1 M cases beside a plain SQL recount, database
        # bench_opgroeipunt on the same server (recreated; ~3 min).
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "opgroeipunt_figures.py")],
            env=pg_env,
            check=True,
            cwd=ROOT,
        )
        # Opgroeipunt's sync in/out and risk analysis, database bench_opgroeipunt_sync on the
        # same server (recreated; ~2-3 min).
        completed = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "opgroeipunt_sync_risk.py"),
                "--database-url",
                pg,
            ],
            env=base,
            check=True,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        print(completed.stdout)
        (RESULTS / "opgroeipunt-sync-risk-postgresql.md").write_text(completed.stdout)
        # Steering the front office (issue 19), database bench_steering on the same server
        # (recreated; ~3 min).
        completed = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "steering.py"), "--database-url", pg],
            env=base,
            check=True,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        print(completed.stdout)
        (RESULTS / "steering-postgresql.md").write_text(completed.stdout)
        # Survey campaigns (issue 20), database bench_campaigns on the same server (~1 min).
        completed = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "campaigns.py"), "--database-url", pg],
            env=base,
            check=True,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        print(completed.stdout)
        (RESULTS / "campaigns-postgresql.md").write_text(completed.stdout)
        # 200 chat sessions over websockets into `kglijn serve --workers 2` with the Redis
        # channel layer (BENCH_REDIS_URL, default local database 8, emptied), bench_chat (~2 min).
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "chat.py")], env=pg_env, check=True, cwd=ROOT
        )
    else:
        print("BENCH_DATABASE_URL not set: PostgreSQL benchmark not run.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
