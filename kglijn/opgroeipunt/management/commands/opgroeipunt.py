"""`kglijn opgroeipunt import locations|cases|decisions FILE`, `kglijn opgroeipunt figures` and
`kglijn opgroeipunt sync dossier|inspection [FILE|URL] [--skip-bad-rows]`.

The fixed formats are in docs/opgroeipunt.md. Imports: bad rows go to stderr with their line and
reason (the exit code is not 0 then; the good rows are in), warnings (history kept as given)
to stdout. Figures: ``--from D --to D --format table|json|xlsx [--output F]``; a bad argument
exits with status 2. Sync (docs/opgroeipunt-sync.md): without FILE|URL the configured source;
prints the run's summary and rejections; a failed run exits with status 1.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kglijn.core.dates import FIRST_DATE, last_date
from kglijn.core.numbers import format_nl
from kglijn.opgroeipunt.figures.exports import figures_table, figures_xlsx
from kglijn.opgroeipunt.figures.selectors import MAX_YEARS, opgroeipunt_figures
from kglijn.opgroeipunt.imports import ImportResult, cases_import, decisions_import
from kglijn.opgroeipunt.models import SyncRun, SyncRunStatus, SyncSource
from kglijn.opgroeipunt.risk.cli import risk_handle, risk_parser_add  # issue 18 item 3
from kglijn.opgroeipunt.services import ImportFileError, LocationFileError, locations_import
from kglijn.opgroeipunt.sync.services import (
    NotConfigured,
    SyncBusy,
    drop_dir,
    sync_configured,
    sync_file,
    sync_pull,
)

USAGE_ERROR = 2


def _date(value: str, option: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(option)s: '%(value)s' is not a date (use YYYY-MM-DD)")
            % {"option": option, "value": value[:40]},
            returncode=USAGE_ERROR,
        ) from None
    if not FIRST_DATE <= day <= last_date():
        raise CommandError(
            _("%(option)s: choose a date between %(first)s and %(last)s")
            % {"option": option, "first": FIRST_DATE.isoformat(), "last": last_date().isoformat()},
            returncode=USAGE_ERROR,
        )
    return day


class Command(BaseCommand):
    help = _(
        "Opgroeipunt. Usage: kglijn opgroeipunt import locations|cases|decisions FILE; "
        "kglijn opgroeipunt figures --from D --to D [--format table|json|xlsx] [--output F]; "
        "kglijn opgroeipunt sync dossier|inspection [FILE|URL] [--skip-bad-rows]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        imports = actions.add_parser("import", help=_("import master data and history"))
        what = imports.add_subparsers(dest="what", required=True)
        locations = what.add_parser(
            "locations", help=_("organisers and childcare locations from a CSV file")
        )
        locations.add_argument("file", type=Path, help=_("the .csv file"))
        cases = what.add_parser("cases", help=_("historical cases from a CSV file"))
        cases.add_argument("file", type=Path, help=_("the .csv file"))
        decisions = what.add_parser(
            "decisions", help=_("historical, already approved decisions from a CSV file")
        )
        decisions.add_argument("file", type=Path, help=_("the .csv file"))
        figures = actions.add_parser("figures", help=_("the yearly figures for a period"))
        figures.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        figures.add_argument("--to", dest="date_to", required=True, help=_("YYYY-MM-DD, inclusive"))
        figures.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
        figures.add_argument("--output", type=Path, help=_("file to write"))
        sync = actions.add_parser(
            "sync", help=_("synchronise with the dossier or inspection system")
        )
        sync.add_argument("source", choices=SyncSource.values)
        sync.add_argument(
            "origin",
            nargs="?",
            default="",
            help=_("a .csv or .jsonl file, or an https:// address; default: the configured source"),
        )
        sync.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help=_("apply the good records and list the bad ones (default: all or nothing)"),
        )
        # --- issue 18 item 3: `risk train|score|report` (kglijn/opgroeipunt/risk/cli.py) ---
        risk_parser_add(actions)
        # --- end of the risk block ---

    def handle(self, *args: Any, **options: Any) -> None:
        # --- issue 18 item 3: the risk subcommand ---
        if options["action"] == "risk":
            risk_handle(self.stdout, options)
            return
        # --- end of the risk block ---
        if options["action"] == "figures":
            self._figures(options)
            return
        if options["action"] == "sync":
            self._sync(options["source"], options["origin"], skip=options["skip_bad_rows"])
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": path})
        if options["what"] == "locations":
            self._locations(path)
        else:
            self._history(path, options["what"])

    def _locations(self, path: Path) -> None:
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

    def _history(self, path: Path, what: str) -> None:
        result: ImportResult
        run = cases_import if what == "cases" else decisions_import
        try:
            result = run(path=path)
        except ImportFileError as exc:
            raise CommandError(_("%(file)s: %(error)s") % {"file": path, "error": exc}) from exc
        for line, reason in result.rejections:
            self.stderr.write(_("line %(line)d: %(reasons)s") % {"line": line, "reasons": reason})
        for line, warning in result.warnings:
            if line:
                self.stdout.write(
                    _("warning: line %(line)d: %(warning)s") % {"line": line, "warning": warning}
                )
            else:
                self.stdout.write(_("warning: %(warning)s") % {"warning": warning})
        numbers = {
            "created": format_nl(result.created),
            "changed": format_nl(result.changed),
            "unchanged": format_nl(result.unchanged),
            "rejected": format_nl(result.rejected),
            "warnings": format_nl(len(result.warnings)),
            "tracks": format_nl(result.tracks),
            "locations": format_nl(result.locations),
        }
        if what == "cases":
            summary = _(
                "Cases: %(created)s created, %(changed)s changed, %(unchanged)s unchanged, "
                "%(rejected)s rejected, %(warnings)s warning(s)"
            )
        else:
            summary = _(
                "Decisions: %(created)s created, %(unchanged)s unchanged, %(rejected)s "
                "rejected; %(tracks)s enforcement track(s) built for %(locations)s "
                "location(s), %(warnings)s warning(s)"
            )
        self.stdout.write(summary % numbers)
        if result.rejected:
            raise CommandError(
                _("%(count)s row(s) rejected; the other rows were imported")
                % {"count": format_nl(result.rejected)}
            )

    def _figures(self, options: dict[str, Any]) -> None:
        start = _date(options["date_from"], "--from")
        end = _date(options["date_to"], "--to")
        if end < start:
            raise CommandError(_("--to lies before --from"), returncode=USAGE_ERROR)
        if end.year - start.year >= MAX_YEARS:
            raise CommandError(
                _("choose a period of at most %(years)d years") % {"years": MAX_YEARS},
                returncode=USAGE_ERROR,
            )
        fmt = options["format"]
        output: Path | None = options["output"]
        if output is not None and output.is_dir():
            raise CommandError(
                _("--output %(file)s is a directory") % {"file": output}, returncode=USAGE_ERROR
            )
        figures = opgroeipunt_figures(start=start, end=end)
        if fmt == "xlsx":
            output = output or Path(f"opgroeipunt-cijfers-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
            output.write_bytes(figures_xlsx(figures))
            self.stdout.write(_("Written: %(file)s") % {"file": output})
            return
        if fmt == "json":
            text = json.dumps(figures, ensure_ascii=False, indent=2) + "\n"
        else:
            text = figures_table(figures)
        if output is not None:
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _sync(self, source: str, origin: str, *, skip: bool) -> None:
        try:
            if origin.startswith(("https://", "http://")):
                runs = [sync_pull(source=source, url=origin, skip_bad_rows=skip)]
            elif origin:
                path = Path(origin)
                if not path.is_file():
                    raise CommandError(_("%(file)s: no such file") % {"file": path})
                runs = [sync_file(source=source, path=path, skip_bad_rows=skip)]
            else:
                runs = sync_configured(source=source, skip_bad_rows=skip)
        except (NotConfigured, SyncBusy) as exc:
            raise CommandError(str(exc)) from exc
        if not runs:
            self.stdout.write(
                _("No file waiting in %(folder)s: nothing to do") % {"folder": drop_dir(source)}
            )
        for run in runs:
            self._run_summary(run)
        failed = [run for run in runs if run.status == SyncRunStatus.FAILED]
        if failed:
            raise CommandError(
                _("%(count)d run(s) failed, nothing of them was applied") % {"count": len(failed)}
            )

    def _run_summary(self, run: SyncRun) -> None:
        for rejection in run.rejections:
            self.stderr.write(
                _("line %(line)d: %(id)s %(reason)s")
                % {"line": rejection["line"], "id": rejection["id"], "reason": rejection["reason"]}
            )
        self.stdout.write(
            _(
                "Run %(run)d (%(source)s, %(origin)s): %(status)s; %(created)s new, %(changed)s "
                "changed, %(unchanged)s unchanged, %(deactivated)s deactivated, %(rejected)s "
                "rejected; %(attempts)s request(s)"
            )
            % {
                "run": run.pk,
                "source": run.source,
                "origin": run.origin,
                "status": run.get_status_display(),
                "created": format_nl(run.created),
                "changed": format_nl(run.changed),
                "unchanged": format_nl(run.unchanged),
                "deactivated": format_nl(run.deactivated),
                "rejected": format_nl(run.rejected),
                "attempts": format_nl(run.attempts),
            }
        )
        if run.error:
            self.stderr.write(run.error)
