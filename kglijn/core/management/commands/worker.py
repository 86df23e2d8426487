"""`kglijn worker`: the background jobs (survey invitations, ...) in a loop; see core/worker.py."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kglijn.core.worker import jobs_load, worker_run


class Command(BaseCommand):
    help = (
        "Run kglijn's background jobs (settings.KGLIJN_WORKER_JOBS) until SIGTERM/SIGINT; "
        "--once runs each job one time and exits (cron, tests)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run each job one time, then exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="seconds between rounds when no job found work (default 5)",
        )
        parser.add_argument(
            "--job",
            action="append",
            default=[],
            metavar="DOTTED.PATH",
            help="run this job instead of KGLIJN_WORKER_JOBS (repeatable)",
        )

    def handle(
        self, *args: Any, once: bool, interval: float, job: list[str], **options: Any
    ) -> None:
        if interval <= 0:
            raise CommandError("--interval must be positive")
        jobs = jobs_load(job or settings.KGLIJN_WORKER_JOBS)
        failures = worker_run(jobs, interval=interval, once=once)
        if failures:
            raise CommandError(f"{failures} job(s) failed; see the log above")
