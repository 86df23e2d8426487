"""`kglijn simulate calls`: replay a realistic day of calls against a running kglijn server."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.numbers import format_nl
from kglijn.core.vocabulary import Office
from kglijn.telephony.simulation.day_setup import calendar_hours, expected_calls
from kglijn.telephony.simulation.event_log import (
    DEFAULT_SHORT_ABANDON_SECONDS,
    DEFAULT_TARGET_SECONDS,
    CallEvent,
    ServiceLevel,
)
from kglijn.telephony.simulation.event_log import service_levels as reference_service_levels
from kglijn.telephony.simulation.replay import (
    MAX_BATCH,
    ReplayError,
    ReplayResult,
    delivery_plan,
    live_events,
    replay,
)
from kglijn.telephony.simulation.simulator import DEFAULT_SEED, simulate_day

DEFAULT_URL = "http://127.0.0.1:8000"  # `make run`'s address; KGLIJN_URL overrides it
INTERRUPTED = 130  # the shell's exit status after Ctrl+C (128 + SIGINT)
YES = frozenset({"y", "yes", "j", "ja"})


def _day(value: str) -> dt.date:
    if value == "today":
        return dt.datetime.now(BRUSSELS).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("%(value)r is not a date (YYYY-MM-DD or 'today')") % {"value": value}
        ) from exc


def _fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(
            _("%(value)r is not a fraction between 0 and 1") % {"value": value}
        )
    return number


def _secret() -> str:
    secret = getattr(settings, "KGLIJN_TELEPHONY_SECRET", "") or os.environ.get(
        "KGLIJN_TELEPHONY_SECRET", ""
    )
    return str(secret)


class Command(BaseCommand):
    help = _("Simulate traffic. Usage: kglijn simulate calls --day 2023-03-06 [--speed N]")

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="what", required=True)
        calls = subparsers.add_parser(
            "calls",
            help=_("replay a realistic day of call events, signed, to a running kglijn"),
        )
        calls.add_argument(
            "--day", type=_day, default="today", help=_("the day, YYYY-MM-DD (default: today)")
        )
        calls.add_argument(
            "--speed",
            type=float,
            default=0.0,
            help=_("N seconds of the day per second (60: a minute a second); 0 = at once"),
        )
        calls.add_argument(
            "--url",
            default=os.environ.get("KGLIJN_URL") or DEFAULT_URL,
            help=_(
                "the running kglijn server (default: %(default)s, from KGLIJN_URL when set; "
                "e.g. http://127.0.0.1:8001 after `make run PORT=8001`)"
            ),
        )
        calls.add_argument("--seed", type=int, default=DEFAULT_SEED)
        calls.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_("times the day's expected volume (e.g. 0.1 for a small day)"),
        )
        calls.add_argument(
            "--batch",
            type=int,
            default=1,
            help=_("events per request, 1-%(max)d (1: one JSON object a request)")
            % {"max": MAX_BATCH},
        )
        calls.add_argument(
            "--concurrency", type=int, default=4, help=_("parallel connections (default 4)")
        )
        calls.add_argument(
            "--redeliver",
            type=_fraction,
            default=0.0,
            help=_("fraction of events sent a second time, later (e.g. 0.1)"),
        )
        calls.add_argument(
            "--shuffle",
            type=_fraction,
            default=0.0,
            help=_("fraction of events sent some minutes late, out of order (e.g. 0.1)"),
        )
        calls.add_argument(
            "--live",
            action="store_true",
            help=_(
                "stamp the events with the wall clock as they are sent (new call ids each run; "
                "durations shrink by --speed too): for the wallboard; needs --speed > 0"
            ),
        )
        calls.add_argument(
            "--into-register",
            action="store_true",
            help=_(
                "without --live the calls keep the day's own times and become phone contacts of "
                "that day in the register, changing its figures (reports, service levels) for "
                "good: this says yes to that (in a terminal you are asked; elsewhere it is "
                "refused without this)"
            ),
        )
        calls.add_argument(
            "--target-seconds", type=int, default=DEFAULT_TARGET_SECONDS, help=_("for the report")
        )
        calls.add_argument(
            "--short-abandon-seconds",
            type=int,
            default=DEFAULT_SHORT_ABANDON_SECONDS,
            help=_("for the report"),
        )
        calls.add_argument(
            "--events-out", type=Path, default=None, help=_("also write the events (JSON lines)")
        )
        calls.add_argument(
            "--dry-run", action="store_true", help=_("generate and report, post nothing")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._sent = 0
        try:
            self._simulate(options)
        except KeyboardInterrupt:
            # Ctrl+C: one line, no traceback, the shell's usual exit status.
            self.stderr.write(
                _("Interrupted (Ctrl+C): %(sent)d events were sent; they stay in kglijn.")
                % {"sent": self._sent}
            )
            raise SystemExit(INTERRUPTED) from None

    def _simulate(self, options: dict[str, Any]) -> None:
        day: dt.date = options["day"]
        speed: float = options["speed"]
        if speed < 0:
            raise CommandError(_("--speed must be 0 or more"))
        if not 1 <= options["batch"] <= MAX_BATCH:
            raise CommandError(_("--batch must be between 1 and %(max)d") % {"max": MAX_BATCH})
        if options["live"] and speed <= 0:
            raise CommandError(_("--live needs --speed > 0 (1 = real time)"))
        if options["scale"] <= 0:
            raise CommandError(_("--scale must be more than 0"))
        hours = calendar_hours(day)
        if "front" not in hours:
            raise CommandError(
                _("%(day)s is not a working day: the line is closed, there are no calls")
                % {"day": day.isoformat()}
            )
        simulated = simulate_day(
            day,
            hours=hours,
            seed=options["seed"],
            expected=expected_calls(day) * options["scale"],
        )
        events = [event.as_json() for event in simulated.events]
        if options["live"]:
            tag = f"live{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}"
            events = live_events(events, speed=speed, start=dt.datetime.now(BRUSSELS), tag=tag)
        if options["events_out"] is not None:
            with options["events_out"].open("w", encoding="utf-8") as handle:
                for event in events:
                    handle.write(json.dumps(event) + "\n")
        calls = len({event["call_id"] for event in events})
        self.stdout.write(
            _(
                "%(day)s, seed %(seed)d: %(calls)s calls, %(events)s events "
                "(expected volume %(exp)s)"
            )
            % {
                "day": day.isoformat(),
                "seed": options["seed"],
                "calls": format_nl(calls),
                "events": format_nl(len(events)),
                "exp": format_nl(simulated.expected_calls),
            }
        )
        if not options["dry_run"]:
            if not options["live"] and not options["into_register"]:
                self._confirm_into_register(day=day, calls=calls)
            self._post(events, options)
        self._report_levels(
            reference_service_levels(
                [CallEvent.from_json(event) for event in events],
                target_seconds=options["target_seconds"],
                short_abandon_seconds=options["short_abandon_seconds"],
            )
        )

    def _confirm_into_register(self, *, day: dt.date, calls: int) -> None:
        """Without --live the calls land in the register on their own day: only when asked to."""
        if not sys.stdin.isatty():
            raise CommandError(
                _(
                    "without --live the calls become phone contacts of %(day)s in the register "
                    "and change that day's figures for good: add --into-register to do that, "
                    "--live to show them as today's calls on the wallboard, or --dry-run to "
                    "post nothing"
                )
                % {"day": day.isoformat()}
            )
        question = _(
            "Without --live these %(calls)d calls keep their times of %(day)s: they become "
            "phone contacts of that day in the register and change its figures (reports, "
            "service levels) for good. Continue? [y/N] "
        ) % {"calls": calls, "day": day.isoformat()}
        try:
            answer = input(question)
        except EOFError:  # Ctrl+D: no
            answer = ""
        if answer.strip().lower() not in YES:
            raise CommandError(_("nothing sent"))

    def _post(self, events: list[dict[str, Any]], options: dict[str, Any]) -> None:
        secret = _secret()
        if not secret:
            raise CommandError(
                _("KGLIJN_TELEPHONY_SECRET is not set: the server would refuse every event")
            )
        plan = delivery_plan(
            events,
            redeliver=options["redeliver"],
            shuffle=options["shuffle"],
            seed=options["seed"],
        )
        lock = threading.Lock()
        with tqdm(
            total=len(plan),
            unit="event",
            disable=options["verbosity"] == 0,
            desc=_("posting"),
        ) as bar:

            def progress(count: int) -> None:
                with lock:
                    self._sent += count
                    bar.update(count)

            try:
                result = replay(
                    plan,
                    url=options["url"],
                    secret=secret,
                    # Live events carry wall-clock times already: sent as they fall due.
                    speed=1.0 if options["live"] else options["speed"],
                    batch=options["batch"],
                    concurrency=options["concurrency"],
                    on_progress=progress,
                )
            except ReplayError as exc:
                raise CommandError(str(exc)) from exc
        self._report_replay(result, planned=len(plan))
        if result.errors:
            raise CommandError(
                _("the server refused %(count)d event(s)") % {"count": result.errors}
            )

    def _report_replay(self, result: ReplayResult, *, planned: int) -> None:
        for message in result.error_messages[:10]:
            self.stderr.write(message)
        self.stdout.write(
            _(
                "sent %(sent)d of %(planned)d events in %(requests)d requests: accepted "
                "%(accepted)d, duplicates %(duplicates)d, errors %(errors)d, early (before "
                "their call's start, kept: HTTP 409) %(pending)d; %(seconds).1f s, "
                "%(rate)s events/s, latency p50 %(p50).1f ms, p99 %(p99).1f ms"
            )
            % {
                "sent": result.sent,
                "planned": planned,
                "requests": result.requests,
                "accepted": result.accepted,
                "duplicates": result.duplicates,
                "pending": result.pending,
                "errors": result.errors,
                "seconds": result.seconds,
                "rate": format_nl(result.events_per_second),
                "p50": result.percentile_ms(0.50),
                "p99": result.percentile_ms(0.99),
            }
        )

    def _report_levels(self, levels: dict[tuple[str, dt.datetime | None], ServiceLevel]) -> None:
        self.stdout.write(_("Service levels computed from the events (reference):"))
        # Dutch words and nl-BE numbers: an operator reads this (docs/voice.md).
        header = [
            _("office"),
            _("offered"),
            _("answered"),
            _("abandoned"),
            _("short"),
            _("call-back"),
            _("SL %"),
            _("ASA s"),
            _("AHT s"),
            _("longest s"),
        ]
        rows = [
            [
                str(Office(office).label) if office in Office.values else office,
                format_nl(level.offered),
                format_nl(level.answered),
                format_nl(level.abandoned),
                format_nl(level.short_abandoned),
                format_nl(level.callbacks),
                format_nl(level.service_level_pct, 1),
                format_nl(level.asa_seconds, 1),
                format_nl(level.aht_seconds),
                format_nl(level.longest_wait),
            ]
            for (office, _hour), level in levels.items()
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                " ".join(
                    cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                    for i, cell in enumerate(row)
                )
            )
        if levels:
            level = next(iter(levels.values()))
            self.stdout.write(
                _(
                    "SL = answered within %(target)d s ÷ offered; short abandons "
                    "(< %(short)d s) excluded"
                )
                % {"target": level.target_seconds, "short": level.short_abandon_seconds}
            )
