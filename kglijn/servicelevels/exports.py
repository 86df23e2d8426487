"""Service levels as an Excel workbook: the table per office and period, and the page's two
charts as native Excel charts on their own sheet."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kglijn.contacts.models import Office
from kglijn.core.excel import INTEGER, ONE_DECIMAL, ExcelWorkbook
from kglijn.servicelevels.mail import email_service_levels_for, email_service_levels_sheet
from kglijn.servicelevels.phone import (
    Period,
    ServiceLevelReport,
    ServiceLevelRow,
    service_level_series,
)

SHEET_NAME = "Serviceniveau"
CHARTS_SHEET_NAME = "Grafieken"


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


def call_outcome_series(report: ServiceLevelReport) -> dict[str, list[int]]:
    """Answered, abandoned and other calls of the report's offices together, aligned on
    report.periods(): the page's stacked bars and the workbook's stacked columns."""
    by_start = {row.start: row for row in report.combined}
    moments = report.periods()
    return {
        _("Answered"): [by_start[m].answered if m in by_start else 0 for m in moments],
        _("Abandoned"): [by_start[m].abandoned if m in by_start else 0 for m in moments],
        _("Other"): [by_start[m].other if m in by_start else 0 for m in moments],
    }


def _charts_sheet(book: ExcelWorkbook, report: ServiceLevelReport, subtitle: str) -> None:
    """The page's charts: the service level per office (lines) and the calls of all offices
    (stacked columns) per period, drawn from a table of their figures beside them."""
    workbook = book.workbook
    sheet = workbook.add_worksheet(CHARTS_SHEET_NAME)
    offices = dict(Office.choices)
    levels = service_level_series(report)
    drawn = [office for office in report.offices if any(v is not None for v in levels[office])]
    outcomes = call_outcome_series(report)
    labels = [period_label(moment, report.period) for moment in report.periods()]

    sheet.write_string(0, 0, _("Charts"), book.formats.heading)
    sheet.write_string(1, 0, subtitle)
    header_row = 3
    headers = [
        _("Period"),
        *(f"{offices[office]} (%)" for office in drawn),
        *outcomes,
    ]
    sheet.write_row(header_row, 0, headers, book.formats.header)
    decimal = book.formats.number(ONE_DECIMAL)
    count = book.formats.number(INTEGER)
    first, last = header_row + 1, header_row + len(labels)
    for index, label in enumerate(labels):
        line = first + index
        sheet.write_string(line, 0, label)
        for col, office in enumerate(drawn, start=1):
            value = levels[office][index]
            if value is None:
                sheet.write_blank(line, col, None, decimal)
            else:
                sheet.write_number(line, col, value, decimal)
        for col, values in enumerate(outcomes.values(), start=1 + len(drawn)):
            sheet.write_number(line, col, values[index], count)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, len(headers) - 1, 14)
    categories = [CHARTS_SHEET_NAME, first, 0, last, 0]
    chart_col = len(headers) + 1
    size = {"x_scale": 1.6, "y_scale": 1.4}

    level_chart = workbook.add_chart({"type": "line"})
    for col in range(1, 1 + len(drawn)):
        level_chart.add_series(
            {
                "name": [CHARTS_SHEET_NAME, header_row, col],
                "categories": categories,
                "values": [CHARTS_SHEET_NAME, first, col, last, col],
                "marker": {"type": "circle"},
            }
        )
    level_chart.set_title({"name": _("Service level per office")})
    level_chart.set_y_axis(
        {
            "name": _("Service level (%)"),
            "min": 0,
            "max": 100,
            "major_gridlines": {"visible": True},
        }
    )
    level_chart.set_legend({"position": "bottom"})  # blank cells: gaps, Excel's default
    sheet.insert_chart(header_row, chart_col, level_chart, size)

    calls_chart = workbook.add_chart({"type": "column", "subtype": "stacked"})
    for col in range(1 + len(drawn), len(headers)):
        calls_chart.add_series(
            {
                "name": [CHARTS_SHEET_NAME, header_row, col],
                "categories": categories,
                "values": [CHARTS_SHEET_NAME, first, col, last, col],
            }
        )
    calls_chart.set_title({"name": _("Calls, all offices")})
    calls_chart.set_y_axis({"name": _("Calls"), "major_gridlines": {"visible": True}})
    calls_chart.set_legend({"position": "bottom"})
    sheet.insert_chart(header_row + 22, chart_col, calls_chart, size)


def service_levels_xlsx(report: ServiceLevelReport) -> bytes:
    """The phone sheet (title and period, one row per office and period plus totals), the
    page's charts on a sheet of their own when there were calls, then the e-mail sheet."""
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
    subtitle = _("%(first)s to %(last)s, per %(period)s") % {
        "first": date_format(report.date_from, "d/m/Y"),
        "last": date_format(report.date_to, "d/m/Y"),
        "period": {
            Period.HOUR: _("hour"),
            Period.DAY: _("day"),
            Period.MONTH: _("month"),
        }[report.period],
    }
    sheet.write_string(1, 0, subtitle)
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

    for office in report.offices:
        for row in report.rows[office]:
            write(row, period_label(row.start, report.period), str(offices[office]), total=False)
        write(report.totals[office], _("Total"), str(offices[office]), total=True)
    if report.combined_total is not None:
        write(report.combined_total, _("Total"), _("All offices"), total=True)

    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 16, 12)
    sheet.freeze_panes(header_row + 1, 2)

    if report.periods():
        _charts_sheet(book, report, subtitle)
    email_service_levels_sheet(book, email_service_levels_for(report))  # issue 6 item 5
    return book.close()
