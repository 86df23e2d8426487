"""`make bench`: every benchmark in bench/, each on a throwaway database, figures to stdout and
bench/results/.

    make bench                                   # SQLite in a temporary directory
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench   # and PostgreSQL

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


def _run(name: str, env: dict[str, str], *extra: str) -> None:
    subprocess.run([*KGLIJN, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "demo.py"), *extra],
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
    base = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    with tempfile.TemporaryDirectory(prefix="kglijn-bench-") as scratch:
        _run("demo-sqlite", {**base, "KGLIJN_VAR_DIR": scratch})
    pg = os.environ.get("BENCH_DATABASE_URL")
    if pg:
        _run("demo-postgresql", {**base, "DATABASE_URL": pg}, "--reset")
    else:
        print("BENCH_DATABASE_URL not set: PostgreSQL benchmark not run.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
