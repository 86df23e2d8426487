"""`kglijn opgroeipunt import locations FILE`: the fixed location import (docs/opgroeipunt.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kglijn.core.numbers import format_nl
from kglijn.opgroeipunt.services import LocationFileError, locations_import


class Command(BaseCommand):
    help = _("Opgroeipunt. Usage: kglijn opgroeipunt import locations FILE")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        imports = actions.add_parser("import", help=_("import master data"))
        what = imports.add_subparsers(dest="what", required=True)
        locations = what.add_parser(
            "locations", help=_("organisers and childcare locations from a CSV file")
        )
        locations.add_argument("file", type=Path, help=_("the .csv file"))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": path})
        try:
            result = locations_import(path=path)
        except LocationFileError as exc:
            raise CommandError(_("%(file)s: %(error)s") % {"file": path, "error": exc}) from exc
        for line, reason in result.rejections:
            self.stderr.write(_("line %(line)d: %(reasons)s") % {"line": line, "reasons": reason})
        self.stdout.write(
            _(
                "Locations: %(created)s created, %(changed)s changed, %(unchanged)s unchanged, "
                "%(rejected)s rejected"
            )
            % {
                "created": format_nl(result.created),
                "changed": format_nl(result.changed),
                "unchanged": format_nl(result.unchanged),
                "rejected": format_nl(result.rejected),
            }
        )
        if result.rejected:
            raise CommandError(
                _("%(count)s row(s) rejected; the other rows were imported")
                % {"count": format_nl(result.rejected)}
            )
