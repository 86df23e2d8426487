"""Service levels as an Excel workbook: the table per office and period, with a native chart."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kglijn.contacts.models import Office
from kglijn.core.excel import INTEGER, ONE_DECIMAL, ExcelWorkbook
from kglijn.servicelevels.mail import email_service_levels_for, email_service_levels_sheet
from kglijn.servicelevels.phone import Period, ServiceLevelReport, ServiceLevelRow

SHEET_NAME = "Serviceniveau"


def period_label(row_start: Any, period: Period) -> str:
    if period == Period.HOUR:
        return date_format(row_start, "d/m/Y H:i")
    if period == Period.DAY:
        return date_format(row_start, "D d/m/Y")
    return date_format(row_start, "F Y")


def columns() -> list[str]:
    return [
        _("Period"),
        _("Office"),
        _("Offered"),
        _("Answered"),
        _("Answered within target"),
        _("Abandoned"),
        _("Short abandons"),
        _("Other"),
        _("Service level (%)"),
        _("Target (%)"),
        _("Target time (s)"),
        _("Abandon rate (%)"),
        _("ASA (s)"),
        _("AHT (s)"),
        _("Longest wait (s)"),
    ]


def row_values(row: ServiceLevelRow) -> list[float | int | None]:
    return [
        row.offered,
        row.answered,
        row.answered_in_target,
        row.abandoned,
        row.short_abandons,
        row.other,
        row.service_level_pct,
        float(row.target_pct) if row.target_pct is not None else None,
        row.target_seconds,
        row.abandon_rate_pct,
        row.asa_seconds,
        row.aht_seconds,
        row.longest_wait_seconds,
    ]


def service_levels_xlsx(report: ServiceLevelReport) -> bytes:
    """One sheet: title and period, one row per office and period plus totals, and a line
    chart of the service level per office."""
    book = ExcelWorkbook()
    workbook = book.workbook
    heading = book.formats.heading
    header = book.formats.header
    count = book.formats.number(INTEGER)
    decimal = book.formats.number(ONE_DECIMAL)
    total_label = book.formats.total_label
    total_count = book.formats.total_number(INTEGER)
    total_decimal = book.formats.total_number(ONE_DECIMAL)
    sheet = workbook.add_worksheet(SHEET_NAME)
    offices = dict(Office.choices)

    sheet.write_string(0, 0, _("Service levels"), heading)
    sheet.write_string(
        1,
        0,
        _("%(first)s to %(last)s, per %(period)s")
        % {
            "first": date_format(report.date_from, "d/m/Y"),
            "last": date_format(report.date_to, "d/m/Y"),
            "period": {
                Period.HOUR: _("hour"),
                Period.DAY: _("day"),
                Period.MONTH: _("month"),
            }[report.period],
        },
    )
    sheet.write_string(
        2,
        0,
        _(
            "Service level = answered within the target time ÷ (offered − short abandons); "
            "short abandons are excluded from offered and abandoned."
        ),
    )
    header_row = 4
    sheet.write_row(header_row, 0, columns(), header)
    line = header_row + 1

    def write(row: ServiceLevelRow, label: str, office: str, *, total: bool) -> None:
        nonlocal line
        sheet.write_string(line, 0, label, total_label if total else None)
        sheet.write_string(line, 1, office, total_label if total else None)
        for col, value in enumerate(row_values(row), start=2):
            is_count = col <= 7 or col == 10
            fmt = (
                (total_count if is_count else total_decimal)
                if total
                else (count if is_count else decimal)
            )
            if value is None:
                sheet.write_blank(line, col, None, fmt)
            else:
                sheet.write_number(line, col, value, fmt)
        line += 1

    series: list[tuple[str, int, int]] = []
    for office in report.offices:
        first = line
        for row in report.rows[office]:
            write(row, period_label(row.start, report.period), str(offices[office]), total=False)
        if line > first:
            series.append((str(offices[office]), first, line - 1))
        write(report.totals[office], _("Total"), str(offices[office]), total=True)
    if report.combined_total is not None:
        write(report.combined_total, _("Total"), _("All offices"), total=True)

    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 16, 12)
    sheet.freeze_panes(header_row + 1, 2)

    if series:
        chart = workbook.add_chart({"type": "line"})
        for name, first, last in series:
            chart.add_series(
                {
                    "name": name,
                    "categories": [SHEET_NAME, first, 0, last, 0],
                    "values": [SHEET_NAME, first, 8, last, 8],
                    "marker": {"type": "circle"},
                }
            )
        chart.set_title({"name": _("Service level (%)")})
        chart.set_y_axis({"min": 0, "max": 100, "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        sheet.insert_chart(header_row, 17, chart, {"x_scale": 1.6, "y_scale": 1.4})
    email_service_levels_sheet(book, email_service_levels_for(report))  # issue 6 item 5
    return book.close()
