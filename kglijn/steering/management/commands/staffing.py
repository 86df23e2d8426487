"""`kglijn staffing erlang ...`: the agents needed for a service-level target (Erlang C/A).

The options and the JSON contract are in kglijn/steering/staffing/cli.py and
docs/steering-staffing.md; a wrong option exits with status 2 and says why in Dutch.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kglijn.steering.staffing.cli import erlang_parser_add, staffing_handle


class Command(BaseCommand):
    help = _(
        "Staffing. Usage: kglijn staffing erlang --calls N --interval-seconds S --aht S "
        "--target-pct P --target-seconds T [--shrinkage F] [--patience S] [--format text|json]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        erlang_parser_add(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        staffing_handle(self.stdout, options)
