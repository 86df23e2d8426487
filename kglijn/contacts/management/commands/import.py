"""`kglijn import contacts FILE`: bulk import of historical contacts (docs/import.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kglijn.contacts.importers import (
    ImportFileError,
    ImportResult,
    contacts_import,
    default_rejects_path,
)


class Command(BaseCommand):
    help = _("Import data into the register. Usage: kglijn import contacts FILE")

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="what", required=True)
        contacts = subparsers.add_parser(
            "contacts",
            help=_("historical contacts from a CSV or XLSX file (docs/import.md)"),
        )
        contacts.add_argument("file", type=Path, help=_("the .csv or .xlsx file"))
        contacts.add_argument(
            "--skip-invalid",
            action="store_true",
            help=_("import the good rows and write the bad ones to the rejects file"),
        )
        contacts.add_argument(
            "--rejects",
            type=Path,
            default=None,
            help=_("where --skip-invalid writes the bad rows (default: FILE.rejected.csv)"),
        )
        contacts.add_argument(
            "--dry-run", action="store_true", help=_("check everything, write nothing")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if options["rejects"] is not None and not options["skip_invalid"]:
            raise CommandError(_("--rejects only applies with --skip-invalid"))
        try:
            result = contacts_import(
                path=path,
                skip_invalid=options["skip_invalid"],
                rejects_path=options["rejects"] or default_rejects_path(path),
                dry_run=options["dry_run"],
                progress=options["verbosity"] > 0,
            )
        except ImportFileError as exc:
            raise CommandError(_("%(file)s: %(error)s") % {"file": path, "error": exc}) from exc
        self._report(result)
        if result.failed:
            raise CommandError(
                _("%(count)d bad row(s): nothing was imported") % {"count": result.rejected}
            )

    def _report(self, result: ImportResult) -> None:
        for message in result.messages:
            self.stderr.write(message)
        rest = result.rejected - len(result.messages)
        if rest > 0:
            if result.rejects_path is not None:
                self.stderr.write(
                    _("… and %(count)d more bad row(s), all listed in %(file)s")
                    % {"count": rest, "file": result.rejects_path}
                )
            else:
                self.stderr.write(
                    _("… and %(count)d more bad row(s) (use --skip-invalid to list them all)")
                    % {"count": rest}
                )
        if result.rejects_path is not None:
            self.stdout.write(
                _("Rejected rows with their reasons: %(file)s") % {"file": result.rejects_path}
            )
        imported = _("would import") if result.dry_run else _("imported")
        self.stdout.write(
            _(
                "%(file)s: read %(read)d, %(imported_label)s %(imported)d, already present "
                "%(present)d, rejected %(rejected)d in %(seconds).1f s (%(rate)s rows/s)"
            )
            % {
                "file": result.path.name,
                "read": result.read,
                "imported_label": imported,
                "imported": result.imported,
                "present": result.already_present,
                "rejected": result.rejected,
                "seconds": result.seconds,
                "rate": f"{result.rows_per_second:,.0f}",
            }
        )
