"""The population (frame) of a campaign: from the register by criteria, or an uploaded file;
always stored all or nothing (docs/campaigns-sampling.md, "The population").

Register criteria (`Campaign.population_criteria`): {"kinds": [Customer.Kind values],
"contact_from": "YYYY-MM-DD", "contact_to": "YYYY-MM-DD", "provinces": [codes, "" = not
registered]}: the customers with at least one contact received in the period (Brussels dates,
both ends included) and an e-mail address or a phone number. Empty lists mean "all".

Uploaded frame: CSV (`;` or `,`, UTF-8 with or without BOM) or the first sheet of an .xlsx
with a header row: `sleutel` (required, unique), `email`, `telefoon`, `taal` and one column per
strata variable of the campaign. Every error names its row (the header is row 1) and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from kglijn.campaigns.models import (
    Campaign,
    CampaignStatus,
    FrameUnit,
    PopulationCount,
    PopulationKind,
    StratumPlan,
)
from kglijn.campaigns.strata import stratum_key
from kglijn.contacts.models import Contact, Customer
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.provinces import Province

# Strata variables a register population offers.
REGISTER_VARIABLES = ("province", "kind", "channel")
UNKNOWN_PROVINCE = ""  # shown as "onbekend"
DEFAULT_LANGUAGE = "nl-be"

MAX_BYTES = 20_000_000
MAX_ROWS = 500_000
MAX_ERRORS = 50
MAX_CELL = 100  # the longest strata value or key (FrameUnit.external_key is 100)
COLUMN_KEY, COLUMN_EMAIL, COLUMN_PHONE, COLUMN_LANGUAGE = "sleutel", "email", "telefoon", "taal"
FIXED_COLUMNS = (COLUMN_KEY, COLUMN_EMAIL, COLUMN_PHONE, COLUMN_LANGUAGE)
LANGUAGE = re.compile(r"^[a-z]{2}(-[a-z]{2})?$")
PHONE = re.compile(r"^\+?[0-9 ./()-]{6,30}$")
VARIABLE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
BATCH = 5000


class FrameRejected(Exception):
    """The frame was not stored; `errors` lists why (row and column named)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class UnitRow:
    external_key: str
    email: str = ""
    phone: str = ""
    language: str = DEFAULT_LANGUAGE
    strata: dict[str, str] = field(default_factory=dict)
    customer_id: int | None = None


# --- the register --------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def criteria_problems(criteria: Any) -> list[str]:
    """What is wrong with register criteria (empty when fine)."""
    if not isinstance(criteria, dict):
        return [_("The criteria are not an object.")]
    problems: list[str] = []
    unknown = set(criteria) - {"kinds", "contact_from", "contact_to", "provinces"}
    if unknown:
        problems.append(_("Unknown criteria: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    kinds = criteria.get("kinds", [])
    if not isinstance(kinds, list) or not set(kinds) <= set(Customer.Kind.values):
        problems.append(_("Customer kinds: choose from the list."))
    provinces = criteria.get("provinces", [])
    if not isinstance(provinces, list) or not set(provinces) <= {"", *Province.values}:
        problems.append(_("Provinces: choose from the list."))
    start, end = _date(criteria.get("contact_from")), _date(criteria.get("contact_to"))
    if start is None or end is None:
        problems.append(_("Contact period: give both dates (YYYY-MM-DD)."))
    elif end < start:
        problems.append(_("Contact period: the end lies before the start."))
    return problems


def _brussels_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = dt.datetime.combine(start, dt.time.min, tzinfo=BRUSSELS)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=BRUSSELS)
    return first, after


def register_rows(criteria: dict[str, Any], variables: Sequence[str]) -> list[UnitRow]:
    """The register's customers meeting the criteria, as frame rows (strata: province, kind,
    channel of their latest contact in the period)."""
    problems = criteria_problems(criteria)
    if problems:
        raise FrameRejected(problems)
    start, end = _date(criteria["contact_from"]), _date(criteria["contact_to"])
    assert start is not None
    assert end is not None
    first, after = _brussels_bounds(start, end)
    in_period = Contact.objects.filter(
        customer=OuterRef("pk"), received_at__gte=first, received_at__lt=after
    )
    customers = Customer.objects.filter(~Q(email="") | ~Q(phone="")).annotate(
        latest_channel=Subquery(in_period.order_by("-received_at", "-id").values("channel")[:1])
    )
    customers = customers.filter(latest_channel__isnull=False)
    if criteria.get("kinds"):
        customers = customers.filter(kind__in=criteria["kinds"])
    if criteria.get("provinces"):
        customers = customers.filter(province__in=criteria["provinces"])
    rows: list[UnitRow] = []
    for pk, kind, province, email, phone, channel in customers.values_list(
        "pk", "kind", "province", "email", "phone", "latest_channel"
    ).iterator(chunk_size=BATCH):
        values = {"province": province or UNKNOWN_PROVINCE, "kind": kind, "channel": channel}
        rows.append(
            UnitRow(
                external_key=f"customer-{pk}",
                email=email,
                phone=phone,
                strata={name: values[name] for name in variables},
                customer_id=pk,
            )
        )
    return rows


# --- an uploaded file ----------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _rows_csv(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FrameRejected([_("The file is not UTF-8 text: save it as CSV UTF-8.")]) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        raise FrameRejected(
            [
                _("Row %(row)d: not readable as CSV (%(error)s).")
                % {"row": reader.line_num, "error": exc}
            ]
        ) from None


def _rows_xlsx(content: bytes) -> Iterator[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise FrameRejected([_("The file is no readable Excel workbook (.xlsx).")]) from None
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell(value) for value in values]
    finally:
        book.close()


def frame_parse(content: bytes, *, file_name: str, variables: Sequence[str]) -> list[UnitRow]:
    """The units of an uploaded frame; raises FrameRejected with every error (at most
    MAX_ERRORS), row and column named."""
    if len(content) > MAX_BYTES:
        raise FrameRejected(
            [_("The file is larger than %(n)d MB.") % {"n": MAX_BYTES // 1_000_000}]
        )
    if not content.strip():
        raise FrameRejected([_("The file is empty.")])
    is_xlsx = file_name.lower().endswith(".xlsx") or content[:2] == b"PK"
    if not is_xlsx and b"\x00" in content:
        raise FrameRejected([_("The file contains a NUL character.")])
    rows = _rows_xlsx(content) if is_xlsx else _rows_csv(content)
    header_row = next(rows, None)
    if header_row is None:
        raise FrameRejected([_("The file is empty.")])
    header = [cell.strip().lower().lstrip("\ufeff") for cell in header_row]
    while header and header[-1] == "":
        header.pop()
    expected = [*FIXED_COLUMNS, *variables]
    missing = [name for name in (COLUMN_KEY, *variables) if name not in header]
    if missing:
        raise FrameRejected(
            [
                _("Row 1: the column(s) %(missing)s are missing; expected %(columns)s.")
                % {"missing": ", ".join(missing), "columns": ";".join(expected)}
            ]
        )
    doubled = sorted({name for name in header if name and header.count(name) > 1})
    if doubled:
        raise FrameRejected(
            [_("Row 1: the column(s) %(names)s occur twice.") % {"names": ", ".join(doubled)}]
        )
    position = {name: header.index(name) for name in expected if name in header}
    errors: list[str] = []
    units: list[UnitRow] = []
    seen: dict[str, int] = {}

    def err(row: int, column: str, message: str) -> None:
        errors.append(
            _("Row %(row)d, column %(column)s: %(message)s")
            % {"row": row, "column": column, "message": message}
        )

    count = 0
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        if count > MAX_ROWS:
            raise FrameRejected([_("The file has more than %(n)d rows.") % {"n": MAX_ROWS}])
        if len(errors) >= MAX_ERRORS:
            continue  # keep counting rows (the limit above), stop collecting errors
        values = {
            name: (row[index].strip() if index < len(row) else "")
            for name, index in position.items()
        }
        bad = False
        for name, value in values.items():
            if "\x00" in value:
                err(number, name, _("contains a NUL character"))
                bad = True
            elif len(value) > MAX_CELL and name != COLUMN_EMAIL:
                err(number, name, _("longer than %(n)d characters") % {"n": MAX_CELL})
                bad = True
        if bad:
            continue
        key = values[COLUMN_KEY]
        if not key:
            err(number, COLUMN_KEY, _("empty"))
        elif key in seen:
            err(number, COLUMN_KEY, _("already on row %(row)d") % {"row": seen[key]})
        else:
            seen[key] = number
        email = values.get(COLUMN_EMAIL, "")
        if email:
            try:
                if len(email) > 254:
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                err(number, COLUMN_EMAIL, _("not a valid e-mail address"))
        phone = values.get(COLUMN_PHONE, "")
        if phone and not PHONE.match(phone):
            err(number, COLUMN_PHONE, _("not a phone number"))
        language = values.get(COLUMN_LANGUAGE, "").lower() or DEFAULT_LANGUAGE
        if not LANGUAGE.match(language):
            err(number, COLUMN_LANGUAGE, _("not a language code (nl, fr, en, nl-be …)"))
        units.append(
            UnitRow(
                external_key=key,
                email=email,
                phone=phone,
                language=language,
                strata={name: values[name] for name in variables},
            )
        )
    if not errors and not units:
        errors.append(_("The file has no units."))
    if errors:
        shown = errors[:MAX_ERRORS]
        raise FrameRejected(shown)
    return units


# --- storing -------------------------------------------------------------------------------


def draw_clear(campaign: Campaign) -> None:
    """Forget a draw: plan, margins, sampled marks (the campaign is a draft again)."""
    StratumPlan.objects.filter(campaign=campaign).delete()
    PopulationCount.objects.filter(campaign=campaign).delete()
    campaign.status = CampaignStatus.DRAFT
    campaign.drawn_at = None
    campaign.save(update_fields=["status", "drawn_at"])


@transaction.atomic
def frame_replace(campaign: Campaign, rows: Sequence[UnitRow]) -> int:
    """Replace the campaign's frame with `rows` (one transaction); only before fieldwork."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.DRAWN):
        raise FrameRejected([_("The population can only change before the fieldwork.")])
    FrameUnit.objects.filter(campaign=campaign).delete()
    draw_clear(campaign)
    variables = list(campaign.strata_variables)
    FrameUnit.objects.bulk_create(
        (
            FrameUnit(
                campaign=campaign,
                external_key=row.external_key,
                customer_id=row.customer_id,
                email=row.email,
                phone=row.phone,
                language=row.language,
                strata=row.strata,
                stratum=stratum_key(row.strata, variables),
            )
            for row in rows
        ),
        batch_size=BATCH,
    )
    return len(rows)


def frame_upload_allowed(campaign: Campaign) -> bool:
    return campaign.population_kind == PopulationKind.UPLOAD and campaign.status in (
        CampaignStatus.DRAFT,
        CampaignStatus.DRAWN,
    )
