"""The supplier's invoice: import (CSV or XLSX), the check against the statement, and the
contacts behind a contact line (docs/steering-contract.md, "Invoice check").

File format: a header row with the columns code;omschrijving;aantal;eenheidsprijs;bedrag (any
order, `;` or `,` separated, UTF-8 with or without BOM; or the first sheet of an .xlsx), then one
row per invoice line. `code` is the key of a statement line (contacts-phone-incoming,
call-minutes, fee-<code>, malus …); `bedrag` is required, `aantal` and `eenheidsprijs` may be
empty. Numbers take a decimal comma or point. Every error names the row (the header is row 1)
and the column; nothing is written when there is any.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kglijn.core.audit import audit_record
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.dates import check_month
from kglijn.core.models import AuditEvent
from kglijn.core.vocabulary import Channel, Direction
from kglijn.steering.contract.statement import (
    CENT,
    CONTACT_LINES,
    NoContract,
    Statement,
    contact_line_key,
    handled_contacts,
    month_first,
    month_last,
    statement_month,
)
from kglijn.steering.models import Invoice, InvoiceLine

MAX_BYTES = 1_000_000
MAX_ROWS = 500
MAX_ERRORS = 50
COLUMNS = ("code", "omschrijving", "aantal", "eenheidsprijs", "bedrag")
REQUIRED = ("code", "bedrag")
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
TOLERANCE = Decimal("0.01")
_LIMITS = {
    "aantal": Decimal("999999999999.99"),
    "eenheidsprijs": Decimal("999999.9999"),
    "bedrag": Decimal("9999999999.99"),
}
_PLACES = {"aantal": 2, "eenheidsprijs": 4, "bedrag": 2}


class InvoiceRejected(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ParsedLine:
    row: int
    code: str
    description: str
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal


def _number(text: str) -> Decimal:
    cleaned = text.replace("€", "").replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _rows_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvoiceRejected([_("The file is not UTF-8 text.")]) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise InvoiceRejected(
            [_("The file is no readable CSV: %(error)s") % {"error": exc}]
        ) from None


def _rows_xlsx(content: bytes) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise InvoiceRejected([_("The file is no readable Excel workbook (.xlsx).")]) from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(value) for value in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def invoice_parse(content: bytes, *, file_name: str) -> list[ParsedLine]:
    """The invoice lines of the file; raises InvoiceRejected with every error (row, column)."""
    if len(content) > MAX_BYTES:
        raise InvoiceRejected([_("The file is larger than %(n)d kB.") % {"n": MAX_BYTES // 1000}])
    if not content.strip():
        raise InvoiceRejected([_("The file is empty.")])
    is_xlsx = file_name.lower().endswith(".xlsx") or content[:2] == b"PK"
    if not is_xlsx and b"\x00" in content:
        raise InvoiceRejected([_("The file contains a NUL character.")])
    rows = _rows_xlsx(content) if is_xlsx else _rows_csv(content)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise InvoiceRejected([_("The file is empty.")])
    header = [cell.strip().lower().lstrip("\ufeff") for cell in rows[0]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise InvoiceRejected(
            [
                _("Row 1: the column(s) %(missing)s are missing; expected %(columns)s.")
                % {"missing": ", ".join(missing), "columns": ";".join(COLUMNS)}
            ]
        )
    if len(rows) - 1 > MAX_ROWS:
        raise InvoiceRejected([_("At most %(n)d invoice lines.") % {"n": MAX_ROWS}])
    position = {name: header.index(name) for name in COLUMNS}
    errors: list[str] = []
    lines: list[ParsedLine] = []
    seen: dict[str, int] = {}

    def err(row: int, column: str, message: str) -> None:
        errors.append(
            _("row %(row)d, column %(column)s: %(message)s")
            % {"row": row, "column": column, "message": message}
        )

    for number, row in enumerate(rows[1:], start=2):
        values = {
            name: (row[index].strip() if index < len(row) else "")
            for name, index in position.items()
        }
        if any("\x00" in value for value in values.values()):
            err(number, "code", _("contains a NUL character"))
            continue
        code = values["code"].lower()
        if not code:
            err(number, "code", _("empty"))
        elif not CODE.match(code):
            err(number, "code", _("not a valid code (letters, digits, - and _)"))
        elif code in seen:
            err(number, "code", _("already on row %(row)d") % {"row": seen[code]})
        else:
            seen[code] = number
        if len(values["omschrijving"]) > 300:
            err(number, "omschrijving", _("longer than 300 characters"))
        numbers: dict[str, Decimal | None] = {}
        for name in ("aantal", "eenheidsprijs", "bedrag"):
            text = values[name]
            if not text:
                if name in REQUIRED:
                    err(number, name, _("empty"))
                numbers[name] = None
                continue
            try:
                value = _number(text)
            except (InvalidOperation, ValueError):
                err(number, name, _("not a number"))
                numbers[name] = None
                continue
            if abs(value) > _LIMITS[name]:
                err(number, name, _("too large"))
            elif value != round(value, _PLACES[name]):
                err(number, name, _("at most %(n)d decimals") % {"n": _PLACES[name]})
            numbers[name] = value
        if len(errors) >= MAX_ERRORS:
            break
        amount = numbers["bedrag"]
        if amount is not None and code:
            lines.append(
                ParsedLine(
                    row=number,
                    code=code,
                    description=values["omschrijving"][:300],
                    quantity=numbers["aantal"],
                    unit_price=numbers["eenheidsprijs"],
                    amount=amount,
                )
            )
    if not errors and not lines:
        errors.append(_("The file has no invoice lines."))
    if errors:
        raise InvoiceRejected(errors)
    return lines


def invoice_import(
    *,
    by: User | AnonymousUser | None,
    month: dt.date,
    reference: str,
    file_name: str,
    content: bytes,
    today: dt.date | None = None,
) -> Invoice:
    """Store the invoice of `month` with its lines (one transaction), audit-logged; raises
    InvoiceRejected with every error and writes nothing on any."""
    errors: list[str] = []
    if month.day != 1:
        errors.append(_("Month: choose the first day of a month."))
    try:
        check_month(month, today=today)
    except ValidationError as exc:
        errors.extend(exc.messages)
    reference = reference.strip()
    if not reference:
        errors.append(_("Invoice number: required."))
    elif len(reference) > 100 or "\x00" in reference:
        errors.append(_("Invoice number: at most 100 characters."))
    if errors:
        raise InvoiceRejected(errors)
    lines = invoice_parse(content, file_name=file_name)
    with transaction.atomic():
        invoice = Invoice.objects.create(
            month=month,
            reference=reference,
            file_name=file_name[-255:],
            uploaded_by=by if isinstance(by, User) else None,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                line_no=line.row,
                key=line.code,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
            )
            for line in lines
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            object_type="steering.invoice",
            object_id=invoice.pk,
            detail={
                "event": "invoice_import",
                "month": f"{month:%Y-%m}",
                "reference": reference,
                "file_name": file_name[-255:],
                "lines": len(lines),
                "total": str(sum((line.amount for line in lines), Decimal("0"))),
            },
        )
    return invoice


# --- the check -------------------------------------------------------------------------------

MATCHED, MISSING_ON_INVOICE, UNKNOWN_CODE = "matched", "missing", "unknown"


@dataclass(frozen=True)
class CheckRow:
    key: str
    label: str
    status: str  # matched | missing | unknown
    statement_quantity: Decimal | None
    statement_amount: Decimal | None
    invoice_quantity: Decimal | None
    invoice_amount: Decimal | None
    invoice_row: int | None
    contact_line: bool

    @property
    def difference(self) -> Decimal:
        """Invoice − statement (a missing side counts as 0)."""
        return (self.invoice_amount or Decimal("0")) - (self.statement_amount or Decimal("0"))

    @property
    def quantity_differs(self) -> bool:
        return (
            self.status == MATCHED
            and self.invoice_quantity is not None
            and self.statement_quantity is not None
            and self.invoice_quantity != self.statement_quantity
        )

    @property
    def flagged(self) -> bool:
        if self.status == UNKNOWN_CODE:
            return True
        return abs(self.difference) > TOLERANCE or self.quantity_differs


@dataclass
class InvoiceCheck:
    invoice: Invoice
    statement: Statement | None
    problem: str = ""
    rows: list[CheckRow] = field(default_factory=list)

    @property
    def invoice_total(self) -> Decimal:
        return sum((row.invoice_amount or Decimal("0") for row in self.rows), Decimal("0.00"))

    @property
    def statement_total(self) -> Decimal:
        return sum((row.statement_amount or Decimal("0") for row in self.rows), Decimal("0.00"))

    @property
    def total_difference(self) -> Decimal:
        return self.invoice_total - self.statement_total

    @property
    def flagged_count(self) -> int:
        return sum(1 for row in self.rows if row.flagged)


CONTACT_KEYS = frozenset(contact_line_key(c, d) for c, d in CONTACT_LINES)


def invoice_check(invoice: Invoice) -> InvoiceCheck:
    """Every invoice line beside the statement line of the same key; statement lines missing on
    the invoice and invoice lines with an unknown code as rows of their own."""
    lines = list(invoice.lines.order_by("line_no"))
    try:
        statement: Statement | None = statement_month(invoice.month)
    except NoContract as exc:
        statement = None
        problem = str(exc)
    else:
        problem = ""
    result = InvoiceCheck(invoice=invoice, statement=statement, problem=problem)
    by_key = {line.key: line for line in lines}
    known: set[str] = set()
    if statement is not None:
        for line in statement.lines:
            known.add(line.key)
            invoice_line = by_key.get(line.key)
            result.rows.append(
                CheckRow(
                    key=line.key,
                    label=line.label,
                    status=MATCHED if invoice_line is not None else MISSING_ON_INVOICE,
                    statement_quantity=line.quantity,
                    statement_amount=line.amount,
                    invoice_quantity=invoice_line.quantity if invoice_line else None,
                    invoice_amount=invoice_line.amount if invoice_line else None,
                    invoice_row=invoice_line.line_no if invoice_line else None,
                    contact_line=line.key in CONTACT_KEYS,
                )
            )
    for invoice_line in lines:
        if invoice_line.key not in known:
            result.rows.append(
                CheckRow(
                    key=invoice_line.key,
                    label=invoice_line.description,
                    status=UNKNOWN_CODE,
                    statement_quantity=None,
                    statement_amount=None,
                    invoice_quantity=invoice_line.quantity,
                    invoice_amount=invoice_line.amount.quantize(CENT),
                    invoice_row=invoice_line.line_no,
                    contact_line=False,
                )
            )
    return result


# --- the contacts behind a line --------------------------------------------------------------

CONTACT_COLUMNS = ("id", "referentie", "kanaal", "richting", "ontvangen", "dienst", "beantwoord")


def contact_line_parts(key: str) -> tuple[str, str] | None:
    for channel, direction in CONTACT_LINES:
        if contact_line_key(channel, direction) == key:
            return Channel(channel).value, Direction(direction).value
    return None


def contacts_behind_line_csv(
    *, invoice: Invoice, key: str, by: User | AnonymousUser | None
) -> str | None:
    """The handled contacts counted on this contact line (no names, numbers, addresses or
    notes), as CSV; audit-logged. None when the key is no contact line."""
    parts = contact_line_parts(key)
    if parts is None:
        return None
    channel, direction = parts
    first, last = month_first(invoice.month), month_last(invoice.month)
    rows = (
        handled_contacts(first, last)
        .filter(channel=channel, direction=direction)
        .order_by("received_at", "id")
        .values_list(
            "id", "external_id", "channel", "direction", "received_at", "office", "answered_at"
        )
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CONTACT_COLUMNS)
    count = 0
    for pk, external_id, ch, di, received_at, office, answered_at in rows.iterator():
        writer.writerow(
            [
                pk,
                external_id or "",
                ch,
                di,
                received_at.astimezone(BRUSSELS).isoformat(),
                office,
                answered_at.astimezone(BRUSSELS).isoformat() if answered_at else "",
            ]
        )
        count += 1
    audit_record(
        actor=by,
        action=AuditEvent.Action.VIEW,
        object_type="steering.invoice",
        object_id=invoice.pk,
        detail={
            "event": "invoice_contacts_download",
            "key": key,
            "month": f"{invoice.month:%Y-%m}",
            "contacts": count,
        },
    )
    return "\ufeff" + out.getvalue()
