"""The inspections and enforcement dashboard as an Excel workbook (one sheet per section)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kglijn.core.excel import INTEGER, ExcelWorkbook
from kglijn.opgroeipunt.dashboard.inspections import InspectionBoard, risk_bands

PERCENT_1 = "0.0"


def inspection_board_xlsx(board: InspectionBoard) -> bytes:
    book = ExcelWorkbook()
    workbook = book.workbook
    count = book.formats.number(INTEGER)
    share = book.formats.number(PERCENT_1)

    sheet = workbook.add_worksheet(_("Inspections")[:31])
    sheet.write_string(0, 0, _("Inspection visits by type per half year"), book.formats.heading)
    sheet.write_string(1, 0, _("Share of the visits with that type (%); a visit can have several."))
    header = [_("Half year"), _("Visits"), *(label for _v, label in board.types)]
    sheet.write_row(3, 0, header, book.formats.header)
    for row, half in enumerate(board.half_years, start=4):
        sheet.write_string(row, 0, half.label)
        sheet.write_number(row, 1, half.visits, count)
        for col, (value, _label) in enumerate(board.types, start=2):
            pct = half.share(value)
            if pct is None:
                sheet.write_blank(row, col, None)
            else:
                sheet.write_number(row, col, pct, share)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, len(header), 16)

    sheet = workbook.add_worksheet(_("Risk")[:31])
    sheet.write_string(0, 0, _("Locations by risk band per regional team"), book.formats.heading)
    bands = risk_bands()
    sheet.write_row(
        2, 0, [_("Regional team"), *(label for _v, label in bands), _("Total")], book.formats.header
    )
    for row, risk in enumerate(board.risk_by_team, start=3):
        sheet.write_string(row, 0, risk.label)
        for col, (value, _label) in enumerate(bands, start=1):
            sheet.write_number(row, col, risk.counts.get(value, 0), count)
        sheet.write_number(row, len(bands) + 1, risk.total, count)
    sheet.set_column(0, 0, 28)

    sheet = workbook.add_worksheet(_("Cases and inspections")[:31])
    sheet.write_string(0, 0, _("Cases and inspection visits per month"), book.formats.heading)
    sheet.write_row(
        2,
        0,
        [_("Month"), _("Cases"), _("Complaints"), _("Danger situations"), _("Inspection visits")],
        book.formats.header,
    )
    for row, month in enumerate(board.months, start=3):
        sheet.write_string(row, 0, f"{month.month:%Y-%m}")
        for col, n in enumerate(
            (month.cases, month.complaints, month.danger, month.visits), start=1
        ):
            sheet.write_number(row, col, n, count)
    sheet.set_column(0, 4, 18)

    sheet = workbook.add_worksheet(_("Enforcement")[:31])
    sheet.write_string(0, 0, _("Enforcement pipeline"), book.formats.heading)
    sheet.write_row(
        2, 0, [_("State"), _("Open tracks"), _("With a plan of approach")], book.formats.header
    )
    line = 3
    for state, n, planned in board.tracks_by_state:
        sheet.write_string(line, 0, state)
        sheet.write_number(line, 1, n, count)
        sheet.write_number(line, 2, planned, count)
        line += 1
    line += 1
    kinds = board.decision_kinds
    sheet.write_row(line, 0, [_("Month"), *(label for _v, label in kinds)], book.formats.header)
    for first_day, counts in board.decisions_by_month:
        line += 1
        sheet.write_string(line, 0, f"{first_day:%Y-%m}")
        for col, (value, _label) in enumerate(kinds, start=1):
            sheet.write_number(line, col, counts.get(value, 0), count)
    sheet.set_column(0, len(kinds), 22)
    return book.close()
