"""`kglijn report yearly --from D --to D [--format table|json|csv|xlsx] [--output F]`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kglijn.reports.exports import yearly_report_csv, yearly_report_table, yearly_report_xlsx
from kglijn.reports.selectors import yearly_report

MAX_YEARS = 50


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value}” is not a date (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "The yearly report (contacts per year, channel, province, topic, referral, reason)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=["yearly"])
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD, inclusive")
        parser.add_argument("--format", choices=["table", "json", "csv", "xlsx"], default="table")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = _date(options["date_from"]), _date(options["date_to"])
        if date_to < date_from:
            raise CommandError("--to lies before --from")
        if date_to.year - date_from.year >= MAX_YEARS:
            raise CommandError(f"choose a period of at most {MAX_YEARS} years")
        report = yearly_report(date_from=date_from, date_to=date_to)
        fmt = options["format"]
        output = options["output"]
        if fmt == "xlsx":
            if not output:
                raise CommandError("--format xlsx needs --output FILE")
            Path(output).write_bytes(yearly_report_xlsx(report))
            return
        if fmt == "json":
            text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        elif fmt == "csv":
            text = yearly_report_csv(report)
        else:
            text = yearly_report_table(report)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
