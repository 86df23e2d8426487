"""`kglijn forecast run --channel phone|email|chat [--weeks N] [--today YYYY-MM-DD]
[--format text|json]`: back-test and store a new volume forecast (docs/steering-forecast.md).

Prints the run's id, method, the back-test WAPE beside the seasonal-naive baseline and the first
days' totals. Too little history: exit status 1 with how much is needed; a bad argument: 2.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kglijn.steering.forecast.cli import forecast_handle, forecast_parser_add


class Command(BaseCommand):
    help = _("Volume forecast per channel and half hour, with its back-test.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        forecast_parser_add(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        forecast_handle(self.stdout, options)
