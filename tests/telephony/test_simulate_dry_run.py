"""`kglijn simulate calls --dry-run` needs no database (issue 13, item 10)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_a_dry_run_works_without_a_migrated_database(tmp_path: Path) -> None:
    # Given a fresh var dir: its SQLite database is created empty, never migrated
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KGLIJN_ENV")}
    env |= {"KGLIJN_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kglijn.config.settings"}

    # When the simulator makes a dry run of a working day
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kglijn.cli",
            "simulate",
            "--verbosity",
            "0",
            "calls",
            "--day",
            "2023-03-06",
            "--scale",
            "0.05",
            "--dry-run",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # Then it reports the day (from the public holidays alone) instead of crashing
    assert done.returncode == 0, done.stderr[-2000:]
    assert "2023-03-06, seed 1:" in done.stdout
    assert "no such table" not in done.stderr


def test_a_dry_run_on_a_public_holiday_without_database_says_it_is_closed(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KGLIJN_ENV")}
    env |= {"KGLIJN_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kglijn.config.settings"}

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kglijn.cli",
            "simulate",
            "--verbosity",
            "0",
            "calls",
            "--day",
            "2023-12-25",
            "--dry-run",
        ],
        env={**env, "LANGUAGE": "en"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode != 0
    assert "2023-12-25" in done.stderr
    assert "no such table" not in done.stderr
