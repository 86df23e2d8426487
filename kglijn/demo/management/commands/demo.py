"""`kglijn demo`: demo contacts calibrated to the source tables, and the demo logins."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from kglijn.demo.open_work import demo_open_work_create
from kglijn.demo.opgroeipunt import opgroeipunt_demo_load
from kglijn.demo.opgroeipunt_risk import opgroeipunt_demo_risk
from kglijn.demo.plan import parse_years
from kglijn.demo.services import DEFAULT_SEED, DemoError, DemoResult, demo_load
from kglijn.demo.users import DemoUser, demo_users_ensure


class Command(BaseCommand):
    help = (
        "Load demo contacts for 2019-2023 whose yearly figures equal the parliamentary answer "
        "of 6 November 2023 (docs/demo.md), and ensure the demo users (password kglijn-demo; "
        "DEMO ONLY)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", default="2019-2023", help="e.g. 2019-2023, 2023, 2021,2023")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="fraction of the published counts (0.01)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--if-empty", action="store_true", help="load only when there are no contacts yet"
        )
        mode.add_argument(
            "--reset",
            action="store_true",
            help="delete all contacts (and demo customers) first",
        )
        mode.add_argument("--users-only", action="store_true", help="only the demo users")
        mode.add_argument(
            "--opgroeipunt-only",
            action="store_true",
            help="only the Opgroeipunt demo (organisers, locations, cases), replacing its rows",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            years = parse_years(options["years"])
            if options["scale"] <= 0:
                raise ValueError("--scale must be positive")
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        users = demo_users_ensure()
        if options["opgroeipunt_only"]:
            started = time.perf_counter()
            rows = opgroeipunt_demo_load(
                seed=options["seed"], reset=True, progress=options["verbosity"] > 0
            )
            for table, count in rows.items():
                self.stdout.write(f"wrote   {count:>9,} {table}")
            self.stdout.write(f"Opgroeipunt demo in {time.perf_counter() - started:.1f} s")
            self._risk()
        elif not options["users_only"]:
            try:
                result = demo_load(
                    years=years,
                    scale=options["scale"],
                    seed=options["seed"],
                    progress=options["verbosity"] > 0,
                    reset=options["reset"],
                    if_empty=options["if_empty"],
                )
            except DemoError as exc:
                raise CommandError(str(exc)) from exc
            self._summary(result)
            if result.rows.get("opgroeipunt locations"):  # Opgroeipunt's demo was (re)loaded
                self._risk()
            if not result.skipped:
                opened = demo_open_work_create()
                self.stdout.write(f"Open work for today: {len(opened)} contacts in the queues.")
                self._extras(years=years, scale=options["scale"], seed=options["seed"])
        self._logins(users)

    def _extras(self, *, years: tuple[int, ...], scale: float, seed: int) -> None:
        """The demos of apps above this one (settings.KGLIJN_DEMO_EXTRAS), after the register's."""
        for path in settings.KGLIJN_DEMO_EXTRAS:
            extra = import_string(path)
            self.stdout.write(extra(seed=seed, years=years, scale=scale))

    def _risk(self) -> None:
        """Train the risk model on the fresh Opgroeipunt demo and score every location."""
        self.stdout.write(opgroeipunt_demo_risk().summary())

    def _summary(self, result: DemoResult) -> None:
        if result.skipped:
            self.stdout.write("Demo contacts: the register already has contacts; none added.")
            for table, count in result.rows.items():
                self.stdout.write(f"wrote   {count:>9,} {table}")
            return
        for table, count in result.deleted.items():
            self.stdout.write(f"deleted {count:>9,} {table}")
        for table, count in result.rows.items():
            self.stdout.write(f"wrote   {count:>9,} {table}")
        rate = result.total_rows / result.seconds if result.seconds else 0.0
        self.stdout.write(
            f"Demo {', '.join(map(str, result.years))} (scale {result.scale:g}, seed "
            f"{result.seed}): {result.total_rows:,} rows in {result.seconds:.1f} s "
            f"({rate:,.0f} rows/s)"
        )

    def _logins(self, users: list[DemoUser]) -> None:
        width = max(len(user.username) for user in users)
        self.stdout.write("")
        self.stdout.write("Demo logins (DEMO ONLY - do not use on a real database):")
        self.stdout.write(f"  {'username':<{width}}  {'password':<12}  role")
        for user in users:
            self.stdout.write(f"  {user.username:<{width}}  {user.password:<12}  {user.role_label}")
