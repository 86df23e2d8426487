"""Excel workbooks and downloads: the house formats of our xlsxwriter workbooks and the
download responses (xlsx and csv) of every report.

Every workbook is written in memory (`ExcelWorkbook`) and takes its formats from one
`ExcelFormats`: the heading, the header row, bold labels, counts and decimals, and the bold total
row with a line above it. A format is added to the workbook on first use only, and xlsxwriter
numbers formats in the order cells use them, so sharing them changes nothing in the file.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.http import HttpResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# Number formats (Excel's codes; the reader's Excel shows them in its own locale).
INTEGER = "#,##0"
ONE_DECIMAL = "0.0"
TWO_DECIMALS = "0.00"
PERCENT = "0.00%"  # of a fraction: 0.2447 shows as 24.47 %

_TOTAL = {"bold": True, "top": 1}  # a total row: bold, with a thin line above


class ExcelFormats:
    """The house formats on one workbook, each added once, when first asked for."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._made: dict[tuple[tuple[str, Any], ...], Any] = {}

    def get(self, **properties: Any) -> Any:
        """The format with these xlsxwriter properties (one object per distinct set)."""
        key = tuple(sorted(properties.items()))
        if key not in self._made:
            self._made[key] = self._workbook.add_format(properties)
        return self._made[key]

    @property
    def heading(self) -> Any:
        """A sheet's title."""
        return self.get(bold=True, font_size=14)

    @property
    def header(self) -> Any:
        """A table's header row: bold, a line below, wrapped."""
        return self.get(bold=True, bottom=1, text_wrap=True)

    @property
    def bold(self) -> Any:
        return self.get(bold=True)

    @property
    def wrap(self) -> Any:
        """Running text in a cell: wrapped, from the top."""
        return self.get(text_wrap=True, valign="top")

    @property
    def total_label(self) -> Any:
        return self.get(**_TOTAL)

    def number(self, num_format: str) -> Any:
        return self.get(num_format=num_format)

    def total_number(self, num_format: str) -> Any:
        return self.get(num_format=num_format, **_TOTAL)


class ExcelWorkbook:
    """An xlsxwriter workbook written in memory, with its formats; close() gives the file."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self._buffer, {"in_memory": True})
        self.formats = ExcelFormats(self.workbook)

    def close(self) -> bytes:
        self.workbook.close()
        return self._buffer.getvalue()


def download_response(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    """A file to save (Content-Disposition: attachment) under `filename`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(content: bytes, *, filename: str) -> HttpResponse:
    return download_response(content, filename=filename, content_type=XLSX_CONTENT_TYPE)


def csv_response(content: str, *, filename: str) -> HttpResponse:
    return download_response(content, filename=filename, content_type=CSV_CONTENT_TYPE)


def download_refused(form: Any) -> HttpResponse:
    """400 for a download whose filter form is invalid: every error, in plain text."""
    return HttpResponse(
        "; ".join(str(error) for errors in form.errors.values() for error in errors),
        status=400,
        content_type="text/plain; charset=utf-8",
    )
