"""`kglijn worker`: runs the registered background jobs in a loop (ADR 0008).

A job is a callable `job(*, now) -> int` named by dotted path in settings.KGLIJN_WORKER_JOBS;
it does a bounded batch of work and returns how many units it did. Jobs are idempotent and
commit each unit on its own, so stopping or dying between two units loses nothing. The loop
runs every job in turn, at once again while any of them found work, else after `interval`
seconds. SIGTERM or SIGINT asks for a clean stop: the unit in progress is finished, then the
worker exits (a job's loop asks `stop_requested()` between its units). A second signal stops
at once.

Nothing here imports an app: the jobs come from settings.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("kglijn.worker")

_stop = threading.Event()


def stop_requested() -> bool:
    """True once the worker was asked to stop: a job ends its batch after the current unit."""
    return _stop.is_set()


def stop_request() -> None:
    _stop.set()


@dataclass(frozen=True)
class Job:
    path: str
    run: Callable[..., int]


def jobs_load(paths: Sequence[str]) -> list[Job]:
    """Import every job up front: a wrong path stops the worker before it starts."""
    jobs = []
    for path in paths:
        try:
            run = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"KGLIJN_WORKER_JOBS: cannot import {path!r}: {exc}"
            ) from exc
        if not callable(run):
            raise ImproperlyConfigured(f"KGLIJN_WORKER_JOBS: {path!r} is not callable")
        jobs.append(Job(path=path, run=run))
    return jobs


def _release_connections() -> None:
    # A long-running process must not keep a broken or expired database connection; never
    # inside a transaction (a test's, or a caller's).
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def jobs_run_once(jobs: Sequence[Job]) -> tuple[int, int]:
    """Run each job once (until a stop is asked); (units of work done, jobs that failed).

    A failing job is logged and the others still run: one broken job must not stop the rest.
    """
    work = failures = 0
    for job in jobs:
        if stop_requested():
            break
        _release_connections()
        started = time.monotonic()
        try:
            done = int(job.run(now=timezone.now()))
        except Exception:
            failures += 1
            logger.exception("Job %s failed", job.path)
            continue
        finally:
            _release_connections()
        work += done
        if done:
            logger.info("Job %s: %d done in %.2f s", job.path, done, time.monotonic() - started)
    return work, failures


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM/SIGINT: stop after the current unit; a second signal: the default (at once)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only (a test may run the loop in a thread)
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handle(signum: int, frame: FrameType | None) -> None:
        logger.info(
            "%s received: stopping after the current unit of work", signal.strsignal(signum)
        )
        stop_request()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    for sig in previous:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def worker_run(jobs: Sequence[Job], *, interval: float = 5.0, once: bool = False) -> int:
    """The worker loop; returns the number of failed job runs of the last round (`--once`)
    or 0 after a clean stop."""
    _stop.clear()
    names = ", ".join(job.path for job in jobs) or "none"
    logger.info("Worker started (%s); jobs: %s", "once" if once else f"every {interval:g} s", names)
    failures = 0
    with _stop_on_signals():
        while not stop_requested():
            work, failures = jobs_run_once(jobs)
            if once:
                break
            if work == 0 or failures:
                _stop.wait(interval)
    logger.info("Worker stopped")
    return failures if once else 0
