"""`kglijn telephony held` / `kglijn telephony retry-held`: call events set aside because
applying them failed (issue 13; docs/telephony.md §2a). `kglijn telephony unmapped-agents`:
the platform's agent ids that are no kglijn user, with their calls (issue 15)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kglijn.telephony.selectors import agent_refs_unmapped, call_events_held
from kglijn.telephony.services import call_events_retry_held


class Command(BaseCommand):
    help = _("List or retry the call events held because applying them failed.")

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="what", required=True)
        subparsers.add_parser("held", help=_("list the held call events with their error"))
        subparsers.add_parser("retry-held", help=_("apply the held call events again"))
        subparsers.add_parser(
            "unmapped-agents", help=_("agent ids of the platform without a kglijn user")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "unmapped-agents":
            for row in agent_refs_unmapped():
                self.stdout.write(f"{row.agent_ref}\t{row.calls}\t{row.last_seen.isoformat()}")
            return
        if options["what"] == "held":
            for event in call_events_held():
                self.stdout.write(
                    f"{event.event_id}\t{event.call.call_id}\t{event.type}\t"
                    f"{event.occurred_at.isoformat()}\t{event.apply_error}"
                )
            return
        result = call_events_retry_held()
        self.stdout.write(
            _("%(applied)d held event(s) applied, %(held)d still held.")
            % {"applied": result.applied, "held": result.held}
        )
