"""`kglijn contract statement --month YYYY-MM | --year YYYY --format json|xlsx [--output F]`.

JSON goes to stdout (amounts as decimal strings, docs/steering-contract.md); xlsx is written to
--output (default afrekening-YYYY-MM.xlsx / afrekening-YYYY.xlsx in the current directory) and
its path printed. A bad month or year exits with status 2, a month without contract with 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.steering.contract.exports import statement_xlsx, year_xlsx
from kglijn.steering.contract.forms import parse_month
from kglijn.steering.contract.statement import NoContract, statement_month, statement_year

USAGE_ERROR = 2
MIN_YEAR = 2000


class Command(BaseCommand):
    help = _("The front office's contract: the monthly or yearly statement (issue 19).")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        statement = actions.add_parser("statement", help=_("the statement of a month or a year"))
        which = statement.add_mutually_exclusive_group(required=True)
        which.add_argument("--month", help=_("the month, YYYY-MM"))
        which.add_argument("--year", help=_("the year, YYYY"))
        statement.add_argument("--format", choices=["json", "xlsx"], default="json")
        statement.add_argument("--output", help=_("the xlsx file to write"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["month"] is not None:
            self._month(options)
        else:
            self._year(options)

    def _write(self, content: bytes, options: dict[str, Any], default: str) -> None:
        path = Path(options["output"] or default)
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        self.stdout.write(str(path.resolve()))

    def _month(self, options: dict[str, Any]) -> None:
        try:
            month = parse_month(options["month"])
        except ValidationError as exc:
            raise CommandError(
                "--month: " + " ".join(exc.messages), returncode=USAGE_ERROR
            ) from None
        try:
            statement = statement_month(month)
        except NoContract as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(statement.as_json(), ensure_ascii=False, indent=2))
        else:
            self._write(statement_xlsx(statement), options, f"afrekening-{month:%Y-%m}.xlsx")

    def _year(self, options: dict[str, Any]) -> None:
        value = str(options["year"]).strip()
        last = timezone.localdate().year + 1
        if not value.isdigit() or not MIN_YEAR <= int(value) <= last:
            raise CommandError(
                _("--year: choose a year from %(first)d to %(last)d")
                % {"first": MIN_YEAR, "last": last},
                returncode=USAGE_ERROR,
            )
        result = statement_year(int(value))
        if not result.months:
            raise CommandError(
                _("No month of %(year)s can be stated (no contract version or no data).")
                % {"year": value}
            )
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        else:
            self._write(year_xlsx(result), options, f"afrekening-{value}.xlsx")
