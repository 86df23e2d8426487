"""The yearly complaints report (Bestuursdecreet: before 10 February), as a page and as Excel.

Counts for the cases received in the year (Brussels dates): every kind per month; complaints
admissible / not admissible (per reason) / undecided and without a known complainant; each
complaint term on time / late / far too late (a term still open is measured against today, and
counted apart as open); conciliatory handling, handler not involved, Vlaamse Ombudsdienst.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.excel import INTEGER, ExcelWorkbook
from kglijn.opgroeipunt.cases.selectors import refused_at_subquery
from kglijn.opgroeipunt.models import Case, CaseKind, NotAdmissibleReason, Reporter
from kglijn.opgroeipunt.terms import (
    COMPLAINT_RULES,
    TERM_STATUS_LABELS,
    Calendar,
    TermKind,
    TermStatus,
    case_terms,
    local_date,
)

MONTHS = range(1, 13)


@dataclass
class TermCounts:
    label: Promise
    on_time: int = 0
    late: int = 0
    far_too_late: int = 0
    open: int = 0  # of the above, still open today

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.far_too_late


@dataclass
class ComplaintsReport:
    year: int
    made_at: dt.datetime
    # kind value -> [count per month 1..12]
    per_kind_month: dict[str, list[int]] = field(default_factory=dict)
    complaints: int = 0
    admissible: int = 0
    not_admissible: int = 0
    undecided: int = 0
    anonymous: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # reason value -> count
    terms: dict[str, TermCounts] = field(default_factory=dict)
    conciliation: int = 0
    handler_not_involved: int = 0
    ombudsman_informed: int = 0

    @property
    def kind_rows(self) -> list[tuple[str, list[int], int]]:
        labels = dict(CaseKind.choices)
        return [
            (str(labels[kind]), months, sum(months)) for kind, months in self.per_kind_month.items()
        ]

    @property
    def month_totals(self) -> list[int]:
        return [sum(months[i] for months in self.per_kind_month.values()) for i in range(12)]

    @property
    def reason_rows(self) -> list[tuple[str, int]]:
        labels = dict(NotAdmissibleReason.choices)
        return [
            (str(labels.get(key, key or _("no reason given"))), n)
            for key, n in self.reasons.items()
        ]


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime(year, 1, 1, tzinfo=BRUSSELS),
        dt.datetime(year + 1, 1, 1, tzinfo=BRUSSELS),
    )


def complaints_report(*, year: int, now: dt.datetime | None = None) -> ComplaintsReport:
    now = now or timezone.now()
    start, end = _year_bounds(year)
    report = ComplaintsReport(year=year, made_at=now)
    in_year = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    report.per_kind_month = {kind: [0] * 12 for kind in CaseKind.values}
    rows = (
        in_year.annotate(month=ExtractMonth("received_at", tzinfo=BRUSSELS))
        .values("kind", "month")
        .annotate(n=Count("id"))
    )
    for row in rows:
        report.per_kind_month[row["kind"]][row["month"] - 1] = row["n"]
    complaints = in_year.filter(kind=CaseKind.COMPLAINT)
    summary = complaints.aggregate(
        n_total=Count("id"),
        n_admissible=Count("id", filter=Q(admissible=True)),
        n_not_admissible=Count("id", filter=Q(admissible=False)),
        n_conciliation=Count("id", filter=~Q(conciliation="")),
        n_not_involved=Count("id", filter=Q(handler_not_involved=True)),
        n_ombudsman=Count("id", filter=Q(ombudsman_informed=True)),
    )
    report.complaints = summary["n_total"]
    report.admissible = summary["n_admissible"]
    report.not_admissible = summary["n_not_admissible"]
    report.undecided = report.complaints - report.admissible - report.not_admissible
    report.conciliation = summary["n_conciliation"]
    report.handler_not_involved = summary["n_not_involved"]
    report.ombudsman_informed = summary["n_ombudsman"]
    report.anonymous = complaints.exclude(
        Exists(Reporter.objects.filter(case_id=OuterRef("pk")))
    ).count()
    for reason in NotAdmissibleReason.values:
        report.reasons[reason] = 0
    for reason, count in (
        complaints.filter(admissible=False)
        .values("admissibility_reason")
        .annotate(n=Count("id"))
        .order_by("admissibility_reason")
        .values_list("admissibility_reason", "n")
    ):
        report.reasons[reason] = count
    report.terms = {kind: TermCounts(rule.label) for kind, rule in COMPLAINT_RULES.items()}
    calendar = Calendar.covering(dt.date(year, 1, 1), max(local_date(now), dt.date(year, 12, 31)))
    for case in complaints.annotate(refused_at=refused_at_subquery()).iterator(chunk_size=2000):
        for term in case_terms(
            case, now=now, refused_at=getattr(case, "refused_at", None), calendar=calendar
        ):
            if term.kind == TermKind.URGENT:
                continue
            counts = report.terms[term.kind]
            setattr(counts, term.status.value, getattr(counts, term.status.value) + 1)
            if term.open:
                counts.open += 1
    return report


def complaints_report_xlsx(report: ComplaintsReport) -> bytes:
    book = ExcelWorkbook()
    formats = book.formats
    integer = formats.number(INTEGER)
    sheet = book.workbook.add_worksheet(_("Complaints report")[:31])
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 14, 10)
    row = 0
    sheet.write(row, 0, _("Complaints report %(year)d") % {"year": report.year}, formats.heading)
    row += 1
    made = report.made_at.astimezone(BRUSSELS).strftime("%d/%m/%Y %H:%M")
    sheet.write(
        row, 0, _("Made on %(date)s; open terms measured against that day.") % {"date": made}
    )
    row += 2
    sheet.write(row, 0, _("Cases received per kind and month"), formats.bold)
    row += 1
    sheet.write(row, 0, _("Kind"), formats.header)
    for month in MONTHS:
        sheet.write(row, month, f"{month:02d}/{report.year}", formats.header)
    sheet.write(row, 13, _("Total"), formats.header)
    row += 1
    for label, months, total in report.kind_rows:
        sheet.write(row, 0, label)
        for index, count in enumerate(months, start=1):
            sheet.write_number(row, index, count, integer)
        sheet.write_number(row, 13, total, integer)
        row += 1
    sheet.write(row, 0, _("Total"), formats.total_label)
    for index, count in enumerate(report.month_totals, start=1):
        sheet.write_number(row, index, count, formats.total_number(INTEGER))
    sheet.write_number(row, 13, sum(report.month_totals), formats.total_number(INTEGER))
    row += 2
    sheet.write(row, 0, _("Complaints"), formats.bold)
    row += 1
    for label, value in (
        (_("Complaints received"), report.complaints),
        (_("Admissible"), report.admissible),
        (_("Not admissible"), report.not_admissible),
        (_("Admissibility not yet decided"), report.undecided),
        (_("Without a known complainant"), report.anonymous),
        (_("Conciliatory handling recorded"), report.conciliation),
        (_("Handler not involved in the facts"), report.handler_not_involved),
        (_("Complainant told of the Vlaamse Ombudsdienst"), report.ombudsman_informed),
    ):
        sheet.write(row, 0, label)
        sheet.write_number(row, 1, value, integer)
        row += 1
    row += 1
    sheet.write(row, 0, _("Not admissible, per reason"), formats.bold)
    row += 1
    for label, count in report.reason_rows:
        sheet.write(row, 0, label)
        sheet.write_number(row, 1, count, integer)
        row += 1
    row += 1
    sheet.write(row, 0, _("Terms"), formats.bold)
    row += 1
    headers = [
        _("Term"),
        str(TERM_STATUS_LABELS[TermStatus.ON_TIME]),
        str(TERM_STATUS_LABELS[TermStatus.LATE]),
        str(TERM_STATUS_LABELS[TermStatus.FAR_TOO_LATE]),
        _("of which still open"),
    ]
    for column, header in enumerate(headers):
        sheet.write(row, column, header, formats.header)
    row += 1
    for counts in report.terms.values():
        sheet.write(row, 0, str(counts.label))
        for column, value in enumerate(
            (counts.on_time, counts.late, counts.far_too_late, counts.open), start=1
        ):
            sheet.write_number(row, column, value, integer)
        row += 1
    return book.close()
