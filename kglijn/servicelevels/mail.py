"""Service level of the e-mail channel: incoming e-mails answered within N working days.

Definitions (docs/knowledge.md, "E-mail service level"):
- Counted: incoming e-mail contacts (mailbox and web form), by the office that holds them now
  (an escalated e-mail counts for the back office that answers it) and the Brussels day or month
  they were received.
- Working days come from the one business calendar (kglijn.core.business_calendar: weekends,
  Belgian public holidays, 11 July and the closing days kept in the app). Day 0 is the day of
  receipt, or the next working day when it came in on a closed day; the time to answer is the
  number of working days after day 0 up to the day of the answer. Within the norm = answered on
  or before working day N (settings.KGLIJN_EMAIL_NORM_WORKING_DAYS, default 2: the Flemish
  government's 1700 line answers e-mails within 2 working days, domain.md).
- answered: answered_at is set. Still open beyond the norm: not answered, not closed, and today
  is past working day N. Closed without an answer (spam, a duplicate, forwarded by phone) counts
  as received only.
- % within norm = answered within the norm ÷ (answered + open beyond the norm): the e-mails whose
  outcome against the norm is known; open e-mails still inside their term are not counted yet.
- average and maximum working days to answer: over the answered e-mails.

The database groups the e-mails by office, day of receipt, day of answer and closed-or-not (one
query); the calendar arithmetic then runs over those distinct day pairs, not over the e-mails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kglijn.contacts.models import Channel, Contact, Direction, Office, Status
from kglijn.core.business_calendar import BRUSSELS, WorkingDays
from kglijn.core.excel import INTEGER, ONE_DECIMAL, ExcelWorkbook
from kglijn.core.periods import month_start

DEFAULT_NORM_WORKING_DAYS = 2
SHEET_NAME = "E-mail"


def norm_working_days() -> int:
    return int(getattr(settings, "KGLIJN_EMAIL_NORM_WORKING_DAYS", DEFAULT_NORM_WORKING_DAYS))


@dataclass
class EmailServiceLevelRow:
    start: dt.date | None  # first day of the period; None for a total
    office: str  # "" = all offices
    received: int = 0
    answered: int = 0
    answered_within_norm: int = 0
    open_within_norm: int = 0
    open_beyond_norm: int = 0
    closed_unanswered: int = 0
    working_days_total: int = 0
    max_working_days: int | None = None

    @property
    def decided(self) -> int:
        return self.answered + self.open_beyond_norm

    @property
    def pct_within_norm(self) -> float | None:
        if not self.decided:
            return None
        return round(100 * self.answered_within_norm / self.decided, 1)

    @property
    def avg_working_days(self) -> float | None:
        if not self.answered:
            return None
        return round(self.working_days_total / self.answered, 2)

    def add(self, other: EmailServiceLevelRow) -> None:
        self.received += other.received
        self.answered += other.answered
        self.answered_within_norm += other.answered_within_norm
        self.open_within_norm += other.open_within_norm
        self.open_beyond_norm += other.open_beyond_norm
        self.closed_unanswered += other.closed_unanswered
        self.working_days_total += other.working_days_total
        if other.max_working_days is not None:
            self.max_working_days = max(self.max_working_days or 0, other.max_working_days)


@dataclass
class EmailServiceLevelReport:
    date_from: dt.date
    date_to: dt.date
    period: str  # "day" | "month"
    norm_days: int
    today: dt.date
    offices: list[str]
    rows: dict[str, list[EmailServiceLevelRow]] = field(default_factory=dict)
    totals: dict[str, EmailServiceLevelRow] = field(default_factory=dict)
    combined_total: EmailServiceLevelRow | None = None


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(BRUSSELS).date()
    assert isinstance(value, dt.date)
    return value


def _period_start(day: dt.date, period: str) -> dt.date:
    return month_start(day) if period == "month" else day


def email_service_levels(
    *,
    date_from: dt.date,
    date_to: dt.date,
    period: str = "day",
    offices: Sequence[str] | None = None,
    today: dt.date | None = None,
    norm_days: int | None = None,
) -> EmailServiceLevelReport:
    """The e-mail service level per office and Brussels day or month of receipt, date_from..
    date_to inclusive, with totals per office and for all offices. Any other period (the phone
    page's "hour") is shown per day."""
    period = "month" if period == "month" else "day"
    today = today or timezone.localdate()
    norm = norm_working_days() if norm_days is None else norm_days
    chosen = [office for office in Office.values if offices is None or office in offices]
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=BRUSSELS)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=BRUSSELS)
    grouped = (
        Contact.objects.filter(
            channel=Channel.EMAIL,
            direction=Direction.IN,
            received_at__gte=start,
            received_at__lt=end,
            office__in=chosen,
        )
        .annotate(
            received_day=TruncDate("received_at", tzinfo=BRUSSELS),
            answered_day=TruncDate("answered_at", tzinfo=BRUSSELS),
            closed=Case(
                When(Q(status=Status.CLOSED), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values("office", "received_day", "answered_day", "closed")
        .annotate(n=Count("id"))
        .order_by()
    )
    report = EmailServiceLevelReport(
        date_from=date_from,
        date_to=date_to,
        period=period,
        norm_days=norm,
        today=today,
        offices=chosen,
    )
    groups = list(grouped)
    answered_days = [_as_date(g["answered_day"]) for g in groups]
    last = max([date_to, today, *[d for d in answered_days if d is not None]])
    calendar = WorkingDays(min(date_from, today), last)
    cells: dict[tuple[str, dt.date], EmailServiceLevelRow] = {}
    for group, answered_day in zip(groups, answered_days, strict=True):
        received_day = _as_date(group["received_day"])
        assert received_day is not None
        office, count = group["office"], group["n"]
        key = (office, _period_start(received_day, period))
        row = cells.setdefault(key, EmailServiceLevelRow(start=key[1], office=office))
        row.received += count
        if answered_day is not None:
            days = calendar.elapsed(received_day, answered_day)
            row.answered += count
            row.working_days_total += days * count
            row.max_working_days = max(row.max_working_days or 0, days)
            if days <= norm:
                row.answered_within_norm += count
        elif group["closed"]:
            row.closed_unanswered += count
        elif calendar.elapsed(received_day, today) > norm:
            row.open_beyond_norm += count
        else:
            row.open_within_norm += count
    combined = EmailServiceLevelRow(start=None, office="")
    for office in chosen:
        rows = sorted(
            (row for (row_office, _start), row in cells.items() if row_office == office),
            key=lambda row: row.start or date_from,
        )
        report.rows[office] = rows
        total = EmailServiceLevelRow(start=None, office=office)
        for row in rows:
            total.add(row)
        report.totals[office] = total
        combined.add(total)
    report.combined_total = combined
    return report


# --- presentation ----------------------------------------------------------------------------


def period_label(start: dt.date, period: str) -> str:
    return date_format(start, "F Y") if period == "month" else date_format(start, "D d/m/Y")


def columns() -> list[str]:
    return [
        _("Period"),
        _("Office"),
        _("Received"),
        _("Answered"),
        _("Answered within norm"),
        _("Within norm (%)"),
        _("Average working days to answer"),
        _("Most working days to answer"),
        _("Open beyond norm"),
        _("Open within norm"),
        _("Closed without answer"),
    ]


def row_values(row: EmailServiceLevelRow) -> list[float | int | None]:
    return [
        row.received,
        row.answered,
        row.answered_within_norm,
        row.pct_within_norm,
        row.avg_working_days,
        row.max_working_days,
        row.open_beyond_norm,
        row.open_within_norm,
        row.closed_unanswered,
    ]


@dataclass(frozen=True)
class TableRow:
    label: str
    office: str
    values: list[float | int | None]
    total: bool


def table_rows(report: EmailServiceLevelReport) -> list[TableRow]:
    """The rows of the page's table and the Excel sheet, totals after each office."""
    labels = dict(Office.choices)
    rows: list[TableRow] = []

    for office in report.offices:
        for row in report.rows[office]:
            assert row.start is not None
            rows.append(
                TableRow(
                    period_label(row.start, report.period),
                    str(labels[office]),
                    row_values(row),
                    False,
                )
            )
        total = report.totals[office]
        rows.append(TableRow(_("Total"), str(labels[office]), row_values(total), True))
    if len(report.offices) > 1 and report.combined_total is not None:
        combined = report.combined_total
        rows.append(TableRow(_("Total"), _("All offices"), row_values(combined), True))
    return rows


def email_service_levels_sheet(book: ExcelWorkbook, report: EmailServiceLevelReport) -> None:
    """Add the e-mail service level as a sheet to a workbook (kglijn.core.excel)."""
    heading = book.formats.heading
    header = book.formats.header
    count = book.formats.number(INTEGER)
    decimal = book.formats.number(ONE_DECIMAL)
    bold = book.formats.total_label
    bold_count = book.formats.total_number(INTEGER)
    bold_decimal = book.formats.total_number(ONE_DECIMAL)
    sheet = book.workbook.add_worksheet(SHEET_NAME)
    sheet.write_string(0, 0, _("E-mail service level"), heading)
    sheet.write_string(
        1,
        0,
        _("%(first)s to %(last)s, per %(period)s; norm: answered within %(days)d working days")
        % {
            "first": date_format(report.date_from, "d/m/Y"),
            "last": date_format(report.date_to, "d/m/Y"),
            "period": _("month") if report.period == "month" else _("day"),
            "days": report.norm_days,
        },
    )
    sheet.write_string(
        2,
        0,
        _(
            "Within norm (%) = answered within the norm ÷ (answered + open beyond the norm); "
            "open e-mails still within their term are not counted yet."
        ),
    )
    header_row = 4
    sheet.write_row(header_row, 0, columns(), header)
    for line, row in enumerate(table_rows(report), start=header_row + 1):
        sheet.write_string(line, 0, row.label, bold if row.total else None)
        sheet.write_string(line, 1, row.office, bold if row.total else None)
        for col, value in enumerate(row.values, start=2):
            is_decimal = col in (5, 6)
            fmt = (
                (bold_decimal if is_decimal else bold_count)
                if row.total
                else (decimal if is_decimal else count)
            )
            if value is None:
                sheet.write_blank(line, col, None, fmt)
            else:
                sheet.write_number(line, col, value, fmt)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 10, 13)
    sheet.freeze_panes(header_row + 1, 2)


def email_service_levels_xlsx(report: EmailServiceLevelReport) -> bytes:
    """The e-mail sheet alone, as a workbook (tests and a stand-alone download)."""
    book = ExcelWorkbook()
    email_service_levels_sheet(book, report)
    return book.close()


def email_service_levels_for(phone_report: Any) -> EmailServiceLevelReport:
    """The e-mail service level for the same days, period and offices as a phone report
    (kglijn.servicelevels.phone.ServiceLevelReport): per day when that one is per hour."""
    return email_service_levels(
        date_from=phone_report.date_from,
        date_to=phone_report.date_to,
        period=str(phone_report.period),
        offices=list(phone_report.offices),
    )
