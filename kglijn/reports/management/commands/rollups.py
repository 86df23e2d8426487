"""`kglijn rollups rebuild|check`: rebuild the report rollups, or prove they equal the data.

The operator reads it: Dutch, with nl-BE numbers (docs/voice.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kglijn.contacts.rollups.services import rollups_check, rollups_rebuild
from kglijn.core.numbers import format_nl

SHOWN = 50


class Command(BaseCommand):
    help = "Rebuild the report rollups from the contacts, or check them (exit 1 on a difference)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "check"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["action"] == "rebuild":
            rollups_rebuild(progress=options["verbosity"] > 0)
            seconds = format_nl(time.perf_counter() - started, 1)
            self.stdout.write(_("rollups rebuilt in %(seconds)s s") % {"seconds": seconds})
            return
        problems = rollups_check()
        seconds = format_nl(time.perf_counter() - started, 1)
        if not problems:
            self.stdout.write(
                _("rollups consistent with the contacts (%(seconds)s s)") % {"seconds": seconds}
            )
            return
        for problem in problems[:SHOWN]:
            self.stderr.write(problem)
        if len(problems) > SHOWN:
            more = format_nl(len(problems) - SHOWN)
            self.stderr.write(_("… and %(count)s more") % {"count": more})
        self.stderr.write(
            ngettext(
                "%(count)s difference between rollups and contacts",
                "%(count)s differences between rollups and contacts",
                len(problems),
            )
            % {"count": format_nl(len(problems))}
        )
        raise SystemExit(1)
