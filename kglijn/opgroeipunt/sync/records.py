"""The records of a synchronisation run: read from a file, checked one by one.

Both sources and both transports end here as ``RawRecord`` (a line number and either the
record's fields or the reason the line could not even be read); ``dossier_record_parse`` and
``inspection_record_parse`` turn one record into validated data or raise ``RecordError`` with
every reason. The formats and their bounds are in docs/opgroeipunt-sync.md.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from kglijn.core.dates import FIRST_DATE
from kglijn.opgroeipunt.models import FindingSeverity, InspectionType, SyncSource
from kglijn.opgroeipunt.services import (
    LOCATION_COLUMNS,
    ImportFileError,
    LocationData,
    fixed_csv_rows,
    location_data_parse,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_RECORDS = 100_000
MAX_LINE_BYTES = 64 * 1024  # one JSON line (a record with 50 long findings fits easily)
MAX_ID_LENGTH = 64
MAX_REFERENCE_LENGTH = 64
MAX_URL_LENGTH = 500
MAX_TYPES = 10
MAX_FINDINGS = 50
MAX_THEME_LENGTH = 100
MAX_FINDING_TEXT_LENGTH = 2_000
FUTURE_DAYS = 1  # a visit "today" in the source's time zone may be tomorrow in ours

DOSSIER_FIELDS: tuple[str, ...] = LOCATION_COLUMNS
INSPECTION_FIELDS: tuple[str, ...] = (
    "external_id",
    "location_external_id",
    "visited_on",
    "types",
    "findings",
    "report_reference",
    "report_url",
    "report_published_on",
    "active",
)
INSPECTION_REQUIRED = frozenset({"external_id", "location_external_id", "visited_on", "types"})
FINDING_FIELDS = frozenset({"theme", "severity", "text"})
TYPE_SEPARATOR = "|"  # in a CSV cell: "regular|complaint"
FIELDS = {SyncSource.DOSSIER: DOSSIER_FIELDS, SyncSource.INSPECTION: INSPECTION_FIELDS}
_TYPE_ORDER = {value: index for index, value in enumerate(InspectionType.values)}
_https = URLValidator(schemes=["https"])


class SourceFileError(ValueError):
    """A file as a whole cannot be read: too big, wrong extension or header, too many records."""


class RecordError(ValueError):
    """One record cannot be used; the message gives every reason."""


@dataclass(frozen=True)
class RawRecord:
    """One record as read: its line (file) or running number (pull), its fields or a problem."""

    line: int
    fields: Mapping[str, Any] | None
    problem: str = ""

    @property
    def external_id(self) -> str:
        value = self.fields.get("external_id") if self.fields is not None else None
        return value[:MAX_ID_LENGTH] if isinstance(value, str) else ""


@dataclass(frozen=True)
class VisitData:
    """One inspection visit as the inspection system describes it, already validated."""

    external_id: str
    location_external_id: str
    visited_on: dt.date
    types: list[str]
    findings: list[dict[str, str]]
    report_reference: str
    report_url: str
    report_published_on: dt.date | None
    active: bool


# --- reading files --------------------------------------------------------------------------


def file_records(path: Path, *, source: str) -> list[RawRecord]:
    """Every record of a dropped or uploaded file, by its extension: .csv or .jsonl/.ndjson.

    Raises SourceFileError when the file as a whole cannot be read."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_records(path, FIELDS[SyncSource(source)])
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl_records(path)
    raise SourceFileError(_("'%(name)s': use a .csv or a .jsonl file") % {"name": path.name[:100]})


def _csv_records(path: Path, columns: tuple[str, ...]) -> list[RawRecord]:
    records = []
    try:
        for line, row in fixed_csv_rows(
            path, columns, max_bytes=MAX_FILE_BYTES, max_rows=MAX_RECORDS
        ):
            if len(row) != len(columns):
                problem = _("expected %(expected)d cells, found %(found)d") % {
                    "expected": len(columns),
                    "found": len(row),
                }
                records.append(RawRecord(line, None, problem))
            else:
                records.append(RawRecord(line, dict(zip(columns, row, strict=True))))
    except ImportFileError as exc:
        raise SourceFileError(str(exc)) from exc
    return records


def _reject_constant(name: str) -> None:
    raise ValueError(_("%(name)s is not a number JSON allows") % {"name": name})


def json_object(text: str | bytes) -> Any:
    """Parse JSON strictly: no NaN/Infinity; absurd nesting is a ValueError, not a crash."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise ValueError(_("the JSON is nested too deeply")) from exc


def _jsonl_records(path: Path) -> list[RawRecord]:
    records: list[RawRecord] = []
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SourceFileError(
            _("the file is larger than %(size)d MB") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    with path.open("rb") as handle:
        for line, raw in enumerate(_lines(handle), start=1):
            if not raw.strip():
                continue
            if len(records) >= MAX_RECORDS:
                raise SourceFileError(
                    _("more than %(count)d records: split the file") % {"count": MAX_RECORDS}
                )
            records.append(_jsonl_record(line, raw))
    return records


def _lines(handle: Any) -> Iterator[bytes]:
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            # Too long: skip the rest of this line, report it once.
            while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield b"\x00too-long"
            continue
        yield raw


def _jsonl_record(line: int, raw: bytes) -> RawRecord:
    if raw == b"\x00too-long":
        return RawRecord(
            line, None, _("the line is longer than %(size)d bytes") % {"size": MAX_LINE_BYTES}
        )
    if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return RawRecord(line, None, _("the line is not UTF-8 text"))
    try:
        value = json_object(text)
    except ValueError as exc:
        return RawRecord(line, None, _("not valid JSON: %(error)s") % {"error": str(exc)[:200]})
    if not isinstance(value, dict):
        return RawRecord(line, None, _("a line must hold one JSON object"))
    return RawRecord(line, value)


# --- checking one record ----------------------------------------------------------------------


def _keys_check(
    record: Mapping[str, Any], fields: tuple[str, ...], required: frozenset[str]
) -> None:
    unknown = sorted(str(key)[:40] for key in record if key not in fields)
    missing = [name for name in fields if name in required and name not in record]
    reasons = []
    if unknown:
        reasons.append(_("unknown field(s): %(fields)s") % {"fields": ", ".join(unknown[:10])})
    if missing:
        reasons.append(_("missing field(s): %(fields)s") % {"fields": ", ".join(missing)})
    if reasons:
        raise RecordError("; ".join(reasons))


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    return False


def _cell(value: Any, name: str) -> str:
    """A JSON value as the CSV cell the location parser reads."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    raise RecordError(_("%(field)s must be a text, a number or true/false") % {"field": name})


def dossier_record_parse(record: Mapping[str, Any]) -> LocationData:
    """One dossier record (a location with its organiser) as LocationData, or RecordError."""
    _keys_check(record, DOSSIER_FIELDS, frozenset(DOSSIER_FIELDS))
    cells = {name: _cell(record[name], name) for name in DOSSIER_FIELDS}
    try:
        return location_data_parse(cells=cells)
    except ValueError as exc:
        raise RecordError(str(exc)) from exc


def _text(
    record: Mapping[str, Any], name: str, *, limit: int, required: bool, reasons: list[str]
) -> str:
    value = record.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        reasons.append(_("%(field)s must be a text") % {"field": name})
        return ""
    value = value.strip()
    if required and not value:
        reasons.append(_("%(field)s is empty") % {"field": name})
    elif len(value) > limit:
        reasons.append(
            _("%(field)s is longer than %(limit)d characters") % {"field": name, "limit": limit}
        )
    return value


def _date(
    record: Mapping[str, Any], name: str, *, today: dt.date, required: bool, reasons: list[str]
) -> dt.date | None:
    value = record.get(name)
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or len(value) != 10:
        reasons.append(_("%(field)s must be a date YYYY-MM-DD") % {"field": name})
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        reasons.append(_("%(field)s must be a date YYYY-MM-DD") % {"field": name})
        return None
    last = today + dt.timedelta(days=FUTURE_DAYS)
    if not FIRST_DATE <= day <= last:
        reasons.append(
            _("%(field)s must lie between %(first)s and %(last)s")
            % {"field": name, "first": FIRST_DATE.isoformat(), "last": last.isoformat()}
        )
        return None
    return day


def _types(value: Any, reasons: list[str]) -> list[str]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(TYPE_SEPARATOR) if part.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        reasons.append(_("types must be a list of visit types"))
        return []
    if not value:
        reasons.append(_("types is empty: a visit has at least one type"))
        return []
    if len(value) > MAX_TYPES:
        reasons.append(_("types has more than %(count)d entries") % {"count": MAX_TYPES})
        return []
    unknown = [item[:40] for item in value if item not in _TYPE_ORDER]
    if unknown:
        reasons.append(
            _("unknown visit type(s): %(types)s (use %(allowed)s)")
            % {"types": ", ".join(unknown), "allowed": ", ".join(InspectionType.values)}
        )
        return []
    return sorted(set(value), key=_TYPE_ORDER.__getitem__)


def _findings(value: Any, reasons: list[str]) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if isinstance(value, str):  # a CSV cell holds the JSON array
        try:
            value = json_object(value)
        except ValueError:
            reasons.append(_("findings must be a JSON array of findings"))
            return []
    if not isinstance(value, list):
        reasons.append(_("findings must be a list of findings"))
        return []
    if len(value) > MAX_FINDINGS:
        reasons.append(_("more than %(count)d findings") % {"count": MAX_FINDINGS})
        return []
    findings = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) - FINDING_FIELDS or "theme" not in item:
            reasons.append(
                _("finding %(number)d must be an object with theme, severity and text")
                % {"number": number}
            )
            continue
        problems: list[str] = []
        theme = _text(item, "theme", limit=MAX_THEME_LENGTH, required=True, reasons=problems)
        text = _text(item, "text", limit=MAX_FINDING_TEXT_LENGTH, required=False, reasons=problems)
        severity = item.get("severity")
        if severity not in FindingSeverity.values:
            problems.append(
                _("severity must be one of %(allowed)s")
                % {"allowed": ", ".join(FindingSeverity.values)}
            )
        if problems:
            reasons.append(
                _("finding %(number)d: %(problems)s")
                % {"number": number, "problems": ", ".join(problems)}
            )
            continue
        findings.append({"theme": theme, "severity": str(severity), "text": text})
    return findings


def _active(value: Any, reasons: list[str]) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    reasons.append(_("active must be true or false"))
    return True


def inspection_record_parse(record: Mapping[str, Any], *, today: dt.date) -> VisitData:
    """One inspection record as VisitData, or RecordError with every reason."""
    _keys_check(record, INSPECTION_FIELDS, INSPECTION_REQUIRED)
    if _has_nul(dict(record)):
        raise RecordError(_("the record contains a NUL character"))
    reasons: list[str] = []
    external_id = _text(record, "external_id", limit=MAX_ID_LENGTH, required=True, reasons=reasons)
    location_external_id = _text(
        record, "location_external_id", limit=MAX_ID_LENGTH, required=True, reasons=reasons
    )
    visited_on = _date(record, "visited_on", today=today, required=True, reasons=reasons)
    types = _types(record.get("types"), reasons)
    findings = _findings(record.get("findings"), reasons)
    report_reference = _text(
        record, "report_reference", limit=MAX_REFERENCE_LENGTH, required=False, reasons=reasons
    )
    report_url = _text(record, "report_url", limit=MAX_URL_LENGTH, required=False, reasons=reasons)
    if report_url:
        try:
            _https(report_url)
        except ValidationError:
            reasons.append(_("report_url must be an https:// address"))
    published = _date(record, "report_published_on", today=today, required=False, reasons=reasons)
    if published is not None and visited_on is not None and published < visited_on:
        reasons.append(_("report_published_on lies before visited_on"))
    active = _active(record.get("active"), reasons)
    if reasons or visited_on is None:
        raise RecordError("; ".join(reasons))
    return VisitData(
        external_id=external_id,
        location_external_id=location_external_id,
        visited_on=visited_on,
        types=types,
        findings=findings,
        report_reference=report_reference,
        report_url=report_url,
        report_published_on=published,
        active=active,
    )
