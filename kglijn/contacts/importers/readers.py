"""Rows of an import file, streamed in chunks with their line numbers: CSV or XLSX."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from django.utils.translation import gettext as _

from kglijn.contacts.importers.format import ImportFileError

Chunk = tuple[list[int], list[list[str]]]  # line numbers, rows of cell texts


class RowSource(Protocol):
    header: list[str]
    estimated_rows: int | None  # for the progress bar; None when unknown

    def chunks(self, size: int) -> Iterator[Chunk]: ...


def _count_newlines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
    return count


class CsvRows:
    """UTF-8 (with or without BOM), comma-separated, header on line 1. Blank lines are skipped.

    A row's line number is the physical line it starts on (a quoted cell may span lines).
    """

    def __init__(self, handle: Any, *, estimated_rows: int) -> None:
        self._reader = csv.reader(handle, strict=True)
        try:
            self.header = next(self._reader)
        except StopIteration:
            raise ImportFileError(_("the file is empty: expected a header line")) from None
        except csv.Error as exc:
            raise ImportFileError(_("line 1: %(error)s") % {"error": exc}) from exc
        self.estimated_rows: int | None = estimated_rows

    def chunks(self, size: int) -> Iterator[Chunk]:
        reader = self._reader
        previous_end = reader.line_num
        lines: list[int] = []
        rows: list[list[str]] = []
        while True:
            try:
                for row in reader:
                    if row:
                        rows.append(row)
                        lines.append(previous_end + 1)
                    previous_end = reader.line_num
                    if len(rows) >= size:
                        yield lines, rows
                        lines, rows = [], []
                break
            except csv.Error as exc:
                raise ImportFileError(
                    _("line %(line)d: %(error)s") % {"line": previous_end + 1, "error": exc}
                ) from exc
        if rows:
            yield lines, rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        # Excel stores date-times without an offset: they arrive naive and are refused with
        # that reason. Write received_at as text in an XLSX file.
        return value.isoformat()
    return str(value)


class XlsxRows:
    """The first sheet of a workbook, header in row 1; a row's line number is its sheet row."""

    def __init__(self, path: Path) -> None:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise ImportFileError(
                _("cannot read %(name)s as an XLSX workbook: %(error)s")
                % {"name": path.name, "error": exc}
            ) from exc
        sheet = self._book.worksheets[0]
        self._rows = sheet.iter_rows(values_only=True)
        first = next(self._rows, None)
        if first is None:
            raise ImportFileError(_("the first sheet is empty: expected a header row"))
        header = [_cell_text(value) for value in first]
        while header and header[-1] == "":
            header.pop()  # formatted but empty cells right of the header
        self.header = header
        self.estimated_rows = (sheet.max_row - 1) if sheet.max_row else None

    def chunks(self, size: int) -> Iterator[Chunk]:
        width = len(self.header)
        lines: list[int] = []
        rows: list[list[str]] = []
        for line, values in enumerate(self._rows, start=2):
            row = [_cell_text(value) for value in values]
            if not any(row):
                continue
            if len(row) > width and not any(row[width:]):
                row = row[:width]
            elif len(row) < width:
                row.extend([""] * (width - len(row)))  # read-only mode trims empty cells
            rows.append(row)
            lines.append(line)
            if len(rows) >= size:
                yield lines, rows
                lines, rows = [], []
        if rows:
            yield lines, rows

    def close(self) -> None:
        self._book.close()


@contextmanager
def open_rows(path: Path) -> Iterator[RowSource]:
    """CSV or XLSX by the file name's extension (.xlsx = workbook, anything else = CSV)."""
    if not path.is_file():
        raise ImportFileError(_("no such file: %(path)s") % {"path": path})
    if path.suffix.lower() == ".xlsx":
        xlsx = XlsxRows(path)
        try:
            yield xlsx
        finally:
            xlsx.close()
        return
    estimated = max(_count_newlines(path) - 1, 0)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            yield CsvRows(handle, estimated_rows=estimated)
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("the file is not UTF-8 text: save it as CSV UTF-8")) from exc
