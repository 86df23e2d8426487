"""Jobs for the `kglijn worker` tests (named by dotted path, like KGLIJN_WORKER_JOBS)."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from kglijn.core.worker import stop_requested

CALLS: list[dt.datetime] = []


def slow_units(*, now: dt.datetime) -> int:
    """Units of 0.2 s, each written down when it starts and when it ends (WORKER_TEST_LOG)."""
    log = Path(os.environ["WORKER_TEST_LOG"])
    done = 0
    for unit in range(1000):
        if stop_requested():
            break
        with log.open("a") as out:
            out.write(f"start {unit}\n")
        time.sleep(0.2)
        with log.open("a") as out:
            out.write(f"end {unit}\n")
        done += 1
    return done


def counting(*, now: dt.datetime) -> int:
    CALLS.append(now)
    return 0


def failing(*, now: dt.datetime) -> int:
    raise RuntimeError("this job is broken")


NOT_CALLABLE = 42
