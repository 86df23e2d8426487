"""kglijn.core.excel: the house formats and the download responses of every report."""

from __future__ import annotations

import io
import zipfile

import openpyxl

from kglijn.core.excel import (
    CSV_CONTENT_TYPE,
    INTEGER,
    ONE_DECIMAL,
    XLSX_CONTENT_TYPE,
    ExcelWorkbook,
    csv_response,
    xlsx_response,
)


def test_formats_are_made_once_and_only_when_used() -> None:
    book = ExcelWorkbook()
    formats = book.formats
    assert formats.heading is formats.heading
    assert formats.number(INTEGER) is formats.get(num_format=INTEGER)
    assert formats.total_number(INTEGER) is formats.get(top=1, num_format=INTEGER, bold=True)
    assert formats.total_number(INTEGER) is not formats.number(INTEGER)
    formats.number(ONE_DECIMAL)  # asked for, never used: not in the file
    sheet = book.workbook.add_worksheet("Blad")
    sheet.write_string(0, 0, "Titel", formats.heading)
    sheet.write_row(1, 0, ["Kanaal", "Aantal"], formats.header)
    sheet.write_string(2, 0, "Totaal", formats.total_label)
    sheet.write_number(2, 1, 1234, formats.total_number(INTEGER))

    content = book.close()

    styles = zipfile.ZipFile(io.BytesIO(content)).read("xl/styles.xml").decode()
    assert 'formatCode="#,##0"' in styles
    assert 'formatCode="0.0"' not in styles
    cells = openpyxl.load_workbook(io.BytesIO(content))["Blad"]
    assert cells["A1"].font.b
    assert cells["A1"].font.sz == 14
    assert cells["A2"].border.bottom.style == "thin"
    assert cells["A2"].alignment.wrap_text
    assert cells["B3"].value == 1234
    assert cells["B3"].number_format == "#,##0"
    assert cells["B3"].font.b
    assert cells["B3"].border.top.style == "thin"


def test_download_responses_name_the_file() -> None:
    xlsx = xlsx_response(b"PK\x03\x04", filename="jaarrapport_2023-01-01_2023-12-31.xlsx")
    csv = csv_response("section,year\n", filename="rapport.csv")

    assert xlsx["Content-Type"] == XLSX_CONTENT_TYPE
    assert xlsx["Content-Disposition"] == (
        'attachment; filename="jaarrapport_2023-01-01_2023-12-31.xlsx"'
    )
    assert xlsx.content == b"PK\x03\x04"
    assert csv["Content-Type"] == CSV_CONTENT_TYPE == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == 'attachment; filename="rapport.csv"'
    assert csv.content.decode("utf-8") == "section,year\n"
