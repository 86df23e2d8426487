"""A report-builder result as CSV and as an Excel workbook with a native Excel chart.

Headers and labels are those of the result (the active language; the views render downloads in
Dutch, the language of the documents sent to parliament). Numbers are written as numbers:
counts as integers, shares and service levels as percentages with 2 decimals (24.47 means
24.47 %), average speed of answer in seconds with 2 decimals; a rate without calls is empty.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from kglijn.core.excel import INTEGER, TWO_DECIMALS, ExcelWorkbook
from kglijn.reports.builder.definition import definition_summary
from kglijn.reports.builder.result import ReportResult

SHEET_NAME = "Rapport"


def _header(result: ReportResult) -> list[str]:
    first = str(result.row_dimension_label)
    if result.column_dimension is None:
        return [first, result.measure_label]
    return [first, *result.column_labels, _("Total")]


def _number(result: ReportResult, value: float | None) -> float | int | None:
    """A cell: None (written empty) where a call rate has nothing to divide by."""
    if value is None:
        return None
    return value if result.decimals else int(value)


def _body(result: ReportResult) -> list[list[Any]]:
    rows: list[list[Any]] = []
    two = result.column_dimension is not None
    for label, values, total in result.rows():
        numbers = [_number(result, value) for value in values]
        rows.append([label, *numbers, *([_number(result, total)] if two else [])])
    totals = [_number(result, value) for value in result.column_totals]
    rows.append([_("Total"), *totals, *([_number(result, result.total)] if two else [])])
    return rows


def report_csv(result: ReportResult) -> str:
    """One header row, one row per value of the first dimension, then the totals row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_header(result))
    for row in _body(result):
        writer.writerow(
            [
                f"{cell:.2f}" if isinstance(cell, float) else "" if cell is None else cell
                for cell in row
            ]
        )
    return out.getvalue()


def _chart_spec(result: ReportResult) -> dict[str, str]:
    kind = result.chart_kind
    if kind == "line":
        return {"type": "line"}
    if kind == "stacked":
        return {"type": "column", "subtype": "stacked"}
    if result.row_dimension in ("reason", "referral"):
        return {"type": "bar"}  # long names read better on horizontal bars
    return {"type": "column"}


def report_xlsx(result: ReportResult, *, title: str | None = None) -> bytes:
    """One sheet: title, period and filters, the table (with totals) and a native chart of it."""
    book = ExcelWorkbook()
    workbook = book.workbook
    bold = book.formats.bold
    heading = book.formats.heading
    header = book.formats.header
    number_format = TWO_DECIMALS if result.decimals else INTEGER
    number = book.formats.number(number_format)
    total_number = book.formats.total_number(number_format)
    total_label = book.formats.total_label
    sheet = workbook.add_worksheet(SHEET_NAME)

    sheet.write_string(0, 0, title or result.title, heading)
    row = 1
    for label, text in definition_summary(result.definition):
        sheet.write_string(row, 0, label, bold)
        sheet.write_string(row, 1, text)
        row += 1
    for note in result.notes:
        sheet.write_string(row, 0, note)
        row += 1
    row += 1

    header_row = row
    sheet.write_row(header_row, 0, _header(result), header)
    body = _body(result)
    for offset, cells in enumerate(body, start=1):
        is_total = offset == len(body)
        sheet.write_string(header_row + offset, 0, cells[0], total_label if is_total else None)
        for col, value in enumerate(cells[1:], start=1):
            style = total_number if is_total else number
            if value is None:
                sheet.write_blank(header_row + offset, col, None, style)
            else:
                sheet.write_number(header_row + offset, col, value, style)
    first_data = header_row + 1
    last_data = header_row + len(result.row_labels)
    series_columns = len(result.column_labels)
    sheet.set_column(0, 0, max(18, min(60, max((len(x) for x in result.row_labels), default=10))))
    sheet.set_column(1, series_columns + 1, 14)
    sheet.freeze_panes(header_row + 1, 1)

    chart = workbook.add_chart(_chart_spec(result))
    for col in range(1, series_columns + 1):
        chart.add_series(
            {
                "name": [SHEET_NAME, header_row, col],
                "categories": [SHEET_NAME, first_data, 0, max(last_data, first_data), 0],
                "values": [SHEET_NAME, first_data, col, max(last_data, first_data), col],
                **({"marker": {"type": "circle"}} if result.chart_kind == "line" else {}),
            }
        )
    chart.set_title({"name": title or result.title})
    chart.set_x_axis({"name": str(result.row_dimension_label)})
    chart.set_y_axis({"name": result.measure_label, "major_gridlines": {"visible": True}})
    if result.column_dimension is None:
        chart.set_legend({"none": True})
    else:
        chart.set_legend({"position": "bottom"})
    sheet.insert_chart(header_row, series_columns + 3, chart, {"x_scale": 1.6, "y_scale": 1.5})
    return book.close()
