"""The statement as an Excel workbook (numbers as numbers, € formats, native charts)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kglijn.core.excel import TWO_DECIMALS, ExcelWorkbook
from kglijn.steering.contract.statement import (
    KIND_CONTACTS,
    KIND_FEES,
    KIND_MALUS,
    KIND_MINUTES,
    Statement,
    YearStatement,
)

EURO = "€ #,##0.00;-€ #,##0.00"
PRICE = "€ #,##0.0000;-€ #,##0.0000"
SHEET = "Afrekening"
CHART_SHEET = "Grafiek"


def kind_labels() -> dict[str, str]:
    return {
        KIND_CONTACTS: _("Handled contacts"),
        KIND_MINUTES: _("Call minutes"),
        KIND_FEES: _("Fixed fees"),
        KIND_MALUS: _("Malus"),
    }


def _illustrative_note() -> str:
    return _("Illustrative price table: the prices are not the real contract's.")


def _lines_table(book: ExcelWorkbook, sheet: Any, start: int, statement: Statement) -> int:
    formats = book.formats
    headers = [_("Code"), _("Line"), _("Quantity"), _("Unit"), _("Unit price"), _("Amount")]
    sheet.write_row(start, 0, headers, formats.header)
    row = start + 1
    for line in statement.lines:
        sheet.write_string(row, 0, line.key)
        sheet.write_string(row, 1, line.label)
        sheet.write_number(row, 2, float(line.quantity), formats.number(TWO_DECIMALS))
        sheet.write_string(row, 3, line.unit)
        sheet.write_number(row, 4, float(line.unit_price), formats.number(PRICE))
        sheet.write_number(row, 5, float(line.amount), formats.number(EURO))
        row += 1
    sheet.write_string(row, 0, _("Total"), formats.total_label)
    for col in range(1, 5):
        sheet.write_blank(row, col, None, formats.total_label)
    sheet.write_number(row, 5, float(statement.total), formats.total_number(EURO))
    return row + 2


def statement_xlsx(statement: Statement) -> bytes:
    book = ExcelWorkbook()
    sheet = book.workbook.add_worksheet(SHEET)
    formats = book.formats
    sheet.write_string(
        0,
        0,
        _("Statement %(month)s") % {"month": date_format(statement.month, "F Y")},
        formats.heading,
    )
    sheet.write_string(
        1,
        0,
        _("%(contract)s, version valid from %(day)s")
        % {
            "contract": statement.contract.name,
            "day": statement.version.valid_from.strftime("%d/%m/%Y"),
        },
    )
    row = 2
    if statement.illustrative:
        sheet.write_string(row, 0, _illustrative_note(), formats.bold)
    row = _lines_table(book, sheet, 4, statement)
    sheet.write_row(
        row,
        0,
        [_("Channel"), _("Target (%)"), _("Achieved (%)"), _("Below target (points)")],
        formats.header,
    )
    for channel, level in statement.service_levels.items():
        row += 1
        sheet.write_string(row, 0, channel)
        sheet.write_number(row, 1, float(level.target_pct), formats.number(TWO_DECIMALS))
        if level.achieved_pct is None:
            sheet.write_string(row, 2, _("not measured"))
        else:
            sheet.write_number(row, 2, float(level.achieved_pct), formats.number(TWO_DECIMALS))
        sheet.write_number(row, 3, float(level.shortfall_points), formats.number(TWO_DECIMALS))
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 5, 14)
    chart = book.workbook.add_chart({"type": "bar"})
    first, last = 5, 4 + len(statement.lines)
    chart.add_series(
        {
            "name": _("Amount"),
            "categories": [SHEET, first, 1, last, 1],
            "values": [SHEET, first, 5, last, 5],
        }
    )
    chart.set_title({"name": _("Amount per line")})
    chart.set_x_axis({"num_format": EURO})
    chart.set_legend({"none": True})
    sheet.insert_chart(4, 7, chart, {"x_scale": 1.5, "y_scale": 1.3})
    return book.close()


def year_xlsx(result: YearStatement) -> bytes:
    book = ExcelWorkbook()
    sheet = book.workbook.add_worksheet(SHEET)
    formats = book.formats
    euro = formats.number(EURO)
    sheet.write_string(0, 0, _("Statement %(year)d") % {"year": result.year}, formats.heading)
    if result.illustrative:
        sheet.write_string(1, 0, _illustrative_note(), formats.bold)
    labels = kind_labels()
    kinds = list(labels)
    header_row = 3
    sheet.write_row(header_row, 0, [_("Month"), *labels.values(), _("Total")], formats.header)
    row = header_row
    for statement in result.months:
        row += 1
        sheet.write_string(row, 0, date_format(statement.month, "F Y"))
        for col, kind in enumerate(kinds, start=1):
            sheet.write_number(row, col, float(statement.kind_total(kind)), euro)
        sheet.write_number(row, len(kinds) + 1, float(statement.total), euro)
    first, last = header_row + 1, row
    row += 1
    sheet.write_string(row, 0, _("Total"), formats.total_label)
    for col, kind in enumerate(kinds, start=1):
        sheet.write_number(row, col, float(result.kind_total(kind)), formats.total_number(EURO))
    sheet.write_number(row, len(kinds) + 1, float(result.total), formats.total_number(EURO))
    row += 2
    extrapolation = result.extrapolation
    if extrapolation is not None:
        sheet.write_string(row, 0, _("Extrapolated to the full year"), formats.bold)
        note = _(
            "Variable lines (contacts, minutes) × %(year_days)d ÷ %(days)d covered days "
            "(1 January to %(last)s); fixed fees × 12; malus as stated."
        ) % {
            "year_days": extrapolation.year_days,
            "days": extrapolation.covered_days,
            "last": extrapolation.covered_to.strftime("%d/%m/%Y"),
        }
        sheet.write_string(row + 1, 0, note)
        pairs: list[tuple[str, Decimal]] = [
            (_("Variable, stated"), extrapolation.variable_stated),
            (_("Variable, extrapolated"), extrapolation.variable),
            (_("Fixed fees, 12 months"), extrapolation.fees),
            (_("Malus, as stated"), extrapolation.malus),
            (_("Total, stated"), result.total),
            (_("Total, extrapolated"), extrapolation.total),
        ]
        for offset, (label, value) in enumerate(pairs, start=2):
            sheet.write_string(row + offset, 0, label)
            sheet.write_number(row + offset, 1, float(value), euro)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, len(kinds) + 1, 16)
    if result.months:
        chart = book.workbook.add_chart({"type": "column", "subtype": "stacked"})
        for col in range(1, len(kinds) + 1):
            chart.add_series(
                {
                    "name": [SHEET, header_row, col],
                    "categories": [SHEET, first, 0, last, 0],
                    "values": [SHEET, first, col, last, col],
                }
            )
        chart.set_title({"name": _("Amount per month")})
        chart.set_y_axis({"num_format": EURO, "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        sheet.insert_chart(header_row, len(kinds) + 3, chart, {"x_scale": 1.6, "y_scale": 1.4})
    return book.close()
