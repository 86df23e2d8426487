"""`kglijn rollups rebuild|check`: rebuild the report rollups, or prove they equal the data."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kglijn.contacts.rollups.services import rollups_check, rollups_rebuild

SHOWN = 50


class Command(BaseCommand):
    help = "Rebuild the report rollups from the contacts, or check them (exit 1 on a difference)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "check"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["action"] == "rebuild":
            rollups_rebuild(progress=options["verbosity"] > 0)
            self.stdout.write(f"rollups rebuilt in {time.perf_counter() - started:.1f} s")
            return
        problems = rollups_check()
        seconds = time.perf_counter() - started
        if not problems:
            self.stdout.write(f"rollups consistent with the contacts ({seconds:.1f} s)")
            return
        for problem in problems[:SHOWN]:
            self.stderr.write(problem)
        if len(problems) > SHOWN:
            self.stderr.write(f"… and {len(problems) - SHOWN} more")
        self.stderr.write(f"{len(problems)} difference(s) between rollups and contacts")
        raise SystemExit(1)
