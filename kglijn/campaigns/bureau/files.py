"""Reading a bureau's file: CSV (`;` or `,`, UTF-8 with or without BOM) or the first sheet of
an .xlsx workbook, into a header and rows of cell texts (docs/campaigns-bureau.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_ERRORS = 50  # errors shown; every error is counted
# A lone surrogate cannot be stored (PostgreSQL refuses it) and is never meant.
_SURROGATE = re.compile("[\ud800-\udfff]")


class FileRejected(Exception):
    """The file was not loaded: `errors` (at most MAX_ERRORS) name the row and the column;
    `total` counts every error found."""

    def __init__(self, errors: list[str], total: int | None = None) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors[:MAX_ERRORS]
        self.total = max(total or 0, len(errors))

    @property
    def more(self) -> int:
        return self.total - len(self.errors)


class Errors:
    """Collects errors "row R, column C: message" (the header is row 1), keeps the first
    MAX_ERRORS and counts them all."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.total = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.shown) < MAX_ERRORS:
            self.shown.append(
                _("row %(row)d, column %(column)s: %(message)s")
                % {"row": row, "column": column, "message": message}
            )

    def general(self, message: str) -> None:
        self.total += 1
        if len(self.shown) < MAX_ERRORS:
            self.shown.append(message)

    def raise_if_any(self) -> None:
        if self.total:
            raise FileRejected(self.shown, self.total)


@dataclass(frozen=True)
class Table:
    header: list[str]  # lower-cased, stripped
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells), blank rows left out
    # A CSV decoded as UTF-8 without NUL has neither NUL nor lone surrogates: no cell to check.
    clean: bool = False


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _rows_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRejected(
            [_("The file is not UTF-8 text (byte %(at)d).") % {"at": exc.start + 1}]
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise FileRejected([_("The file is no readable CSV: %(error)s") % {"error": exc}]) from None


def _rows_xlsx(content: bytes, max_rows: int) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise FileRejected([_("The file is no readable Excel workbook (.xlsx).")]) from None
    try:
        if not book.worksheets:
            raise FileRejected([_("The workbook has no sheet.")])
        rows: list[list[str]] = []
        try:
            for values in book.worksheets[0].iter_rows(values_only=True):
                rows.append([_cell(value) for value in values])
                if len(rows) > max_rows + 1:
                    break
        except Exception:  # the sheet's XML is broken (e.g. a character reference XML forbids)
            raise FileRejected([_("The file is no readable Excel workbook (.xlsx).")]) from None
        return rows
    finally:
        book.close()


def table_read(content: bytes, *, file_name: str, max_bytes: int, max_rows: int) -> Table:
    """The file's header and rows; raises FileRejected for a file that is too large, empty,
    unreadable, or has more than `max_rows` rows below the header."""
    if len(content) > max_bytes:
        raise FileRejected(
            [_("The file is larger than %(n)s MB.") % {"n": f"{max_bytes / 1_000_000:g}"}]
        )
    if not content.strip():
        raise FileRejected([_("The file is empty.")])
    is_xlsx = file_name.lower().endswith(".xlsx") or content[:2] == b"PK"
    if is_xlsx:
        raw = _rows_xlsx(content, max_rows)
    else:
        if b"\x00" in content:
            line = content[: content.index(b"\x00")].count(b"\n") + 1
            raise FileRejected([_("Line %(line)d contains a NUL character.") % {"line": line}])
        raw = _rows_csv(content)
    numbered = [
        (number, [cell.strip() for cell in row])
        for number, row in enumerate(raw, start=1)
        if any(cell.strip() for cell in row)
    ]
    if not numbered:
        raise FileRejected([_("The file is empty.")])
    header_cells = numbered[0][1]
    header = [cell.lower().lstrip("\ufeff") for cell in header_cells]
    while header and header[-1] == "":
        header.pop()
    if len(numbered) - 1 > max_rows:
        raise FileRejected(
            [_("The file has more than %(n)s rows.") % {"n": f"{max_rows:,}".replace(",", ".")}]
        )
    return Table(header=header, rows=numbered[1:], clean=not is_xlsx)


def cell_problem(value: str) -> str | None:
    """Why a cell's text cannot be stored (a NUL or a lone surrogate), or None."""
    if "\x00" in value:
        return _("contains a NUL character")
    if _SURROGATE.search(value):
        return _("contains an invalid character (a lone surrogate)")
    return None
