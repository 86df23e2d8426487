"""Upload of the planned staff: a CSV or XLSX file becomes a StaffPlan with its half hours.

Two layouts, told apart by the header (docs/steering-staffing.md, docs/examples/):
- counts per half hour: ``datum;tijd;medewerkers`` (e.g. ``2023-11-20;09:00;38``);
- shifts per agent: ``medewerker;datum;begin;einde``; a shift covers every half hour from
  begin up to einde (09:00–12:30 covers 09:00 … 12:00).
CSV: UTF-8, separated by ``;`` or ``,``. Every row is checked and every problem named by row and
column, in Dutch; one problem and nothing is written. The plan covers its first to its last date:
a half hour of those days that the file leaves out has 0 agents planned.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.dates import FIRST_DATE, date_in_bounds, last_date
from kglijn.core.vocabulary import Office
from kglijn.steering.models import PlannedStaff, StaffPlan

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_AGENTS = Decimal(500)
MAX_DAYS = 366  # one plan covers at most a year
MAX_ERRORS = 50  # the first problems are shown; the count says how many there are

COUNT_COLUMNS = ("datum", "tijd", "medewerkers")
SHIFT_COLUMNS = ("medewerker", "datum", "begin", "einde")
_TIME = re.compile(r"^(\d{1,2})[:.u](\d{2})(?::00)?$")
_DATE_BE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class RosterError(Exception):
    """The file cannot be used; `problems` names each row and column."""

    def __init__(self, problems: list[str], total: int | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.total = total if total is not None else len(problems)


@dataclass
class Roster:
    layout: str  # "counts" | "shifts"
    slots: dict[dt.datetime, Decimal] = field(default_factory=dict)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    rows: int = 0


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time.min:
            return value.date().isoformat()
        return value.strftime("%H:%M") if value.date() <= dt.date(1900, 1, 1) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_rows(content: bytes, name: str) -> list[list[str]]:
    if b"\x00" in content and not name.lower().endswith(".xlsx"):
        raise RosterError([_("The file contains NUL characters: it is no CSV text file.")])
    if name.lower().endswith(".xlsx"):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise RosterError([_("The file cannot be read as an XLSX workbook.")]) from exc
        try:
            rows = []
            for values in book.worksheets[0].iter_rows(values_only=True):
                rows.append([_cell(value).strip() for value in values])
                if len(rows) > MAX_ROWS + 1:
                    break
        finally:
            book.close()
        return rows
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError([_("The file is not UTF-8 text: save it as CSV UTF-8.")]) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        return [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
        ]
    except csv.Error as exc:
        raise RosterError([_("The CSV file is malformed: %(error)s") % {"error": exc}]) from exc


def _date(text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        match = _DATE_BE.match(text)
        if not match:
            return None
        try:
            day = dt.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            return None
    return day


def _time(text: str, *, end: bool = False) -> tuple[int, str | None]:
    """Minutes after midnight of a half hour (24:00 only as an end), or the problem."""
    match = _TIME.match(text)
    if not match:
        return 0, _("“%(value)s” is no time (use HH:MM, e.g. 09:30)") % {"value": text[:20]}
    hours, minutes = int(match[1]), int(match[2])
    if minutes >= 60 or hours > 24 or (hours == 24 and (minutes or not end)):
        return 0, _("“%(value)s” is no time of day") % {"value": text[:20]}
    if minutes not in (0, 30):
        return 0, _("“%(value)s” is not on a half hour (use :00 or :30)") % {"value": text[:20]}
    return hours * 60 + minutes, None


def _moment(day: dt.date, minutes: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=BRUSSELS)


def roster_parse(content: bytes, name: str, *, today: dt.date | None = None) -> Roster:
    """Check a roster file and return its half hours; RosterError lists every problem."""
    if len(content) > MAX_FILE_BYTES:
        raise RosterError(
            [_("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}]
        )
    rows = _read_rows(content, name)
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise RosterError([_("The file is empty: the first row must be the header.")])
    header = [cell.lower() for cell in rows[0]]
    while header and header[-1] == "":
        header.pop()
    if tuple(header) == COUNT_COLUMNS:
        layout = "counts"
    elif tuple(header) == SHIFT_COLUMNS:
        layout = "shifts"
    else:
        raise RosterError(
            [
                _(
                    "Row 1: unknown header “%(header)s”. Use “%(counts)s” (counts per half hour) "
                    "or “%(shifts)s” (shifts per agent)."
                )
                % {
                    "header": ";".join(header)[:100],
                    "counts": ";".join(COUNT_COLUMNS),
                    "shifts": ";".join(SHIFT_COLUMNS),
                }
            ]
        )
    if len(rows) - 1 > MAX_ROWS:
        raise RosterError([_("The file has more than %(max)d rows.") % {"max": MAX_ROWS}])
    columns = COUNT_COLUMNS if layout == "counts" else SHIFT_COLUMNS
    problems: list[str] = []
    total_problems = 0

    def problem(row: int, column: str, message: str) -> None:
        nonlocal total_problems
        total_problems += 1
        if len(problems) < MAX_ERRORS:
            problems.append(
                _("Row %(row)d, column “%(column)s”: %(message)s")
                % {"row": row, "column": column, "message": message}
            )

    def day_of(row: int, text: str) -> dt.date | None:
        day = _date(text)
        if day is None:
            problem(
                row, "datum", _("“%(value)s” is no date (use YYYY-MM-DD)") % {"value": text[:20]}
            )
            return None
        if not date_in_bounds(day, today=today):
            problem(
                row,
                "datum",
                _("%(value)s lies outside %(first)s to %(last)s")
                % {
                    "value": day.isoformat(),
                    "first": FIRST_DATE.isoformat(),
                    "last": last_date(today=today).isoformat(),
                },
            )
            return None
        return day

    roster = Roster(layout=layout)
    counts: dict[dt.datetime, Decimal] = defaultdict(Decimal)
    first_row: dict[dt.datetime, int] = {}
    shifts: dict[str, list[tuple[dt.date, int, int, int]]] = defaultdict(list)
    days: set[dt.date] = set()
    for number, raw in enumerate(rows[1:], start=2):
        if not any(raw):
            continue
        roster.rows += 1
        cells = [*raw, *[""] * len(columns)]
        if any(cells[len(columns) :]):
            problem(number, columns[-1], _("more cells than the header has columns"))
            continue
        if layout == "counts":
            day = day_of(number, cells[0])
            minutes, error = _time(cells[1])
            if error:
                problem(number, "tijd", error)
            agents = _agents(cells[2])
            if isinstance(agents, str):
                problem(number, "medewerkers", agents)
            if day is None or error or isinstance(agents, str):
                continue
            moment = _moment(day, minutes)
            if moment in first_row:
                problem(
                    number,
                    "tijd",
                    _("%(day)s %(time)s is already on row %(row)d")
                    % {"day": day.isoformat(), "time": cells[1], "row": first_row[moment]},
                )
                continue
            first_row[moment] = number
            counts[moment] = agents
            days.add(day)
        else:
            agent = cells[0]
            if not agent:
                problem(number, "medewerker", _("empty: name the agent"))
            elif len(agent) > 100:
                problem(number, "medewerker", _("longer than 100 characters"))
            day = day_of(number, cells[1])
            begin, begin_error = _time(cells[2])
            if begin_error:
                problem(number, "begin", begin_error)
            end, end_error = _time(cells[3], end=True)
            if end_error:
                problem(number, "einde", end_error)
            elif not begin_error and end <= begin:
                problem(number, "einde", _("the shift must end after it begins"))
                continue
            if day is None or begin_error or end_error or not agent or len(agent) > 100:
                continue
            overlap = next(
                (
                    other_row
                    for other_day, other_begin, other_end, other_row in shifts[agent]
                    if other_day == day and begin < other_end and other_begin < end
                ),
                None,
            )
            if overlap is not None:
                problem(
                    number,
                    "begin",
                    _("this shift overlaps the shift of %(agent)s on row %(row)d")
                    % {"agent": agent, "row": overlap},
                )
                continue
            shifts[agent].append((day, begin, end, number))
            days.add(day)
            for minutes in range(begin, end, 30):
                moment = _moment(day, minutes)
                counts[moment] += 1
                first_row.setdefault(moment, number)
    if roster.rows == 0 and not problems:
        problems.append(_("The file has a header but no rows."))
        total_problems += 1
    for moment, agents in sorted(counts.items()):
        if agents > MAX_AGENTS and layout == "shifts":
            problem(
                first_row[moment],
                "begin",
                _("more than %(max)d agents at %(moment)s")
                % {"max": MAX_AGENTS, "moment": moment.strftime("%Y-%m-%d %H:%M")},
            )
    if days and (max(days) - min(days)).days + 1 > MAX_DAYS:
        problem(2, "datum", _("the plan covers more than %(days)d days") % {"days": MAX_DAYS})
    if problems:
        raise RosterError(problems, total_problems)
    roster.slots = dict(sorted(counts.items()))
    roster.date_from, roster.date_to = min(days), max(days)
    return roster


def _agents(text: str) -> Decimal | str:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return _("“%(value)s” is no number") % {"value": text[:20]}
    if not value.is_finite() or value < 0:
        return _("“%(value)s” must be 0 or more") % {"value": text[:20]}
    if value > MAX_AGENTS:
        return _("at most %(max)d agents per half hour") % {"max": MAX_AGENTS}
    if value != value.quantize(Decimal("0.01")):
        return _("at most 2 decimals")
    return value


@transaction.atomic
def roster_import(
    *, content: bytes, name: str, user: User | None, office: str = Office.FRONT
) -> StaffPlan:
    """Check the file, then store it as a new StaffPlan in one transaction (all or nothing)."""
    roster = roster_parse(content, name)
    assert roster.date_from is not None
    assert roster.date_to is not None
    plan = StaffPlan.objects.create(
        office=office,
        file_name=name[:255],
        date_from=roster.date_from,
        date_to=roster.date_to,
        uploaded_by=user,
    )
    PlannedStaff.objects.bulk_create(
        [
            PlannedStaff(plan=plan, office=office, slot_start=moment, agents=agents)
            for moment, agents in roster.slots.items()
        ],
        batch_size=1000,
    )
    return plan
