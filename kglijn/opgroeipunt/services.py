"""Opgroeipunt's writes: the location upsert (with its history) and the fixed CSV import.

``location_upsert`` is the one way a location is created or changed from outside data: the CSV
import uses it row by row, and the later daily synchronisation with the dossier system is meant
to call it too (one validated ``LocationData`` per location, its ``source`` naming the sync run),
so that both write the same history and count created / changed / unchanged the same way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kglijn.core.provinces import InvalidPostcode, Province, province_for_postcode
from kglijn.opgroeipunt.models import (
    CareType,
    Location,
    LocationVersion,
    Organiser,
    RegionalTeam,
    Subsidy,
)

LOCATION_COLUMNS = (
    "external_id",
    "organiser_external_id",
    "organiser_name",
    "name",
    "postcode",
    "care_type",
    "places",
    "subsidy",
    "income_tariff",
    "active",
)
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 200
MAX_PLACES = 10_000
# Opgroeien licenses childcare in Flanders and (Dutch-language) Brussels.
OPGROEIEN_PROVINCES = frozenset(
    {
        Province.ANTWERPEN,
        Province.OOST_VLAANDEREN,
        Province.WEST_VLAANDEREN,
        Province.VLAAMS_BRABANT,
        Province.LIMBURG,
        Province.BRUSSEL,
    }
)
_BOOLEANS = {"true": True, "false": False}
# The fields the import (and the sync) own; a version row lists only those that changed.
_TRACKED = (
    "organiser_id",
    "name",
    "postcode",
    "province",
    "care_type",
    "places",
    "subsidy",
    "income_tariff",
    "active",
)


class ImportFileError(ValueError):
    """A fixed-format file as a whole cannot be read (too big, wrong header, not UTF-8 CSV)."""


LocationFileError = ImportFileError  # the location import's name for it (its command uses it)


class Outcome(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class LocationData:
    """One location as outside data describes it, already validated."""

    external_id: str
    organiser_external_id: str
    organiser_name: str
    name: str
    postcode: str
    province: str
    care_type: str
    places: int
    subsidy: str
    income_tariff: bool
    active: bool


@dataclass
class LocationImportResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    rejections: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    @property
    def rejected(self) -> int:
        return len(self.rejections)


def _text(value: str, *, column: str, limit: int, reasons: list[str]) -> str:
    text = value.strip()
    if not text:
        reasons.append(_("%(column)s is empty") % {"column": column})
    elif len(text) > limit:
        reasons.append(
            _("%(column)s is longer than %(limit)d characters") % {"column": column, "limit": limit}
        )
    return text


def _boolean(value: str, *, column: str, reasons: list[str]) -> bool:
    text = value.strip()
    if text not in _BOOLEANS:
        reasons.append(
            _("%(column)s must be true or false, not '%(value)s'")
            % {"column": column, "value": text[:20]}
        )
        return False
    return _BOOLEANS[text]


def location_data_parse(*, cells: dict[str, str]) -> LocationData:
    """Validate one row of the fixed format; raises ValueError with every reason, joined."""
    reasons: list[str] = []
    if any("\x00" in value for value in cells.values()):
        raise ValueError(_("the row contains a NUL character"))
    external_id = _text(
        cells["external_id"], column="external_id", limit=MAX_ID_LENGTH, reasons=reasons
    )
    organiser_external_id = _text(
        cells["organiser_external_id"],
        column="organiser_external_id",
        limit=MAX_ID_LENGTH,
        reasons=reasons,
    )
    organiser_name = _text(
        cells["organiser_name"], column="organiser_name", limit=MAX_NAME_LENGTH, reasons=reasons
    )
    name = _text(cells["name"], column="name", limit=MAX_NAME_LENGTH, reasons=reasons)
    postcode = cells["postcode"].strip()
    province = ""
    try:
        found = province_for_postcode(postcode)
        postcode = postcode[-4:]  # "B-9000" is 9000
        if found not in OPGROEIEN_PROVINCES:
            reasons.append(
                _("postcode %(postcode)s lies outside Flanders and Brussels")
                % {"postcode": postcode}
            )
        province = found.value
    except InvalidPostcode as exc:
        reasons.append(
            _("postcode '%(value)s': %(error)s") % {"value": postcode[:10], "error": exc}
        )
    care_type = cells["care_type"].strip()
    if care_type not in CareType.values:
        reasons.append(
            _("care_type must be group or family, not '%(value)s'") % {"value": care_type[:20]}
        )
    places_text = cells["places"].strip()
    places = 0
    if not (places_text.isascii() and places_text.isdigit()):
        reasons.append(
            _("places must be a whole number of 0 or more, not '%(value)s'")
            % {"value": places_text[:20]}
        )
    elif (places := int(places_text)) > MAX_PLACES:
        reasons.append(_("places is more than %(limit)d") % {"limit": MAX_PLACES})
    subsidy = cells["subsidy"].strip()
    if subsidy not in Subsidy.values:
        reasons.append(_("subsidy must be T0, T1 or T2, not '%(value)s'") % {"value": subsidy[:20]})
    income_tariff = _boolean(cells["income_tariff"], column="income_tariff", reasons=reasons)
    active = _boolean(cells["active"], column="active", reasons=reasons)
    if reasons:
        raise ValueError("; ".join(reasons))
    return LocationData(
        external_id=external_id,
        organiser_external_id=organiser_external_id,
        organiser_name=organiser_name,
        name=name,
        postcode=postcode,
        province=province,
        care_type=care_type,
        places=places,
        subsidy=subsidy,
        income_tariff=income_tariff,
        active=active,
    )


def _tracked(location: Location) -> dict[str, Any]:
    return {name: getattr(location, name) for name in _TRACKED}


@transaction.atomic
def location_upsert(*, data: LocationData, source: str, actor: User | None = None) -> Outcome:
    """Create or update the location ``data.external_id`` (and its organiser, on its own id).

    Writes one ``LocationVersion`` with the changed fields' old and new values when something
    changed, none when nothing did. Reused by the daily synchronisation with the dossier system
    (module docstring): everything here is keyed on external ids, never on our own ids.
    """
    organiser, organiser_created = Organiser.objects.select_for_update().get_or_create(
        external_id=data.organiser_external_id, defaults={"name": data.organiser_name}
    )
    if not organiser_created and organiser.name != data.organiser_name:
        organiser.name = data.organiser_name
        organiser.save(update_fields=["name"])
    values = asdict(data)
    del values["external_id"], values["organiser_external_id"], values["organiser_name"]
    values["organiser_id"] = organiser.pk
    location = Location.objects.select_for_update().filter(external_id=data.external_id).first()
    if location is None:
        location = Location.objects.create(external_id=data.external_id, **values)
        LocationVersion.objects.create(
            location=location,
            changed_by=actor,
            source=source,
            created=True,
            changes={name: [None, value] for name, value in _tracked(location).items()},
        )
        return Outcome.CREATED
    before = _tracked(location)
    changes = {
        name: [before[name], values[name]] for name in _TRACKED if before[name] != values[name]
    }
    if not changes:
        return Outcome.UNCHANGED
    for name, (_old, new) in changes.items():
        setattr(location, name, new)
    location.save(update_fields=list(changes))
    LocationVersion.objects.create(
        location=location, changed_by=actor, source=source, changes=changes
    )
    return Outcome.CHANGED


def _header_check(header: list[str], columns: Sequence[str]) -> None:
    if header == list(columns):
        return
    missing = [column for column in columns if column not in header]
    unknown = [column[:40] for column in header if column not in columns]
    parts = []
    if missing:
        parts.append(_("missing column(s): %(columns)s") % {"columns": ", ".join(missing)})
    if unknown:
        parts.append(_("unknown column(s): %(columns)s") % {"columns": ", ".join(unknown)})
    if not parts:
        parts.append(
            _("the columns must be exactly, in this order: %(columns)s")
            % {"columns": ",".join(columns)}
        )
    raise ImportFileError(_("line 1: %(error)s") % {"error": "; ".join(parts)})


def _rows(handle: io.TextIOBase) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(handle, strict=True)
    previous_end = 0
    try:
        for row in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if row:
                yield line, row
    except csv.Error as exc:
        raise ImportFileError(
            _("line %(line)d: %(error)s") % {"line": previous_end + 1, "error": exc}
        ) from exc


def fixed_csv_rows(
    path: Path, columns: Sequence[str], *, max_bytes: int, max_rows: int
) -> Iterator[tuple[int, list[str]]]:
    """The (line, cells) data rows of one of Opgroeipunt's fixed CSV formats, after its exact
    header; ImportFileError when the file as a whole cannot be read. Used by every import."""
    if path.stat().st_size > max_bytes:
        raise ImportFileError(
            _("the file is larger than %(size)d MB") % {"size": max_bytes // (1024 * 1024)}
        )
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = _rows(handle)
            first = next(rows, None)
            if first is None:
                raise ImportFileError(_("the file is empty: expected a header line"))
            _header_check(first[1], columns)
            for count, (line, row) in enumerate(rows, start=1):
                if count > max_rows:
                    raise ImportFileError(
                        _("more than %(count)d rows: split the file") % {"count": max_rows}
                    )
                yield line, row
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("the file is not UTF-8 text")) from exc


def locations_import(*, path: Path, actor: User | None = None) -> LocationImportResult:
    """Import the fixed location CSV (docs/opgroeipunt.md): good rows in, bad rows reported.

    Each row is upserted in its own transaction, so a bad row never blocks the others and is
    never half-written. Raises LocationFileError when the file as a whole is unreadable.
    """
    result = LocationImportResult()
    source = f"import:{path.name}"[:300]
    seen_locations: dict[str, int] = {}
    seen_organisers: dict[str, tuple[str, int]] = {}
    rows = fixed_csv_rows(path, LOCATION_COLUMNS, max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS)
    for line, row in rows:
        reason = _location_line(
            line=line,
            row=row,
            source=source,
            actor=actor,
            result=result,
            seen_locations=seen_locations,
            seen_organisers=seen_organisers,
        )
        if reason is not None:
            result.rejections.append((line, reason))
    return result


def _location_line(
    *,
    line: int,
    row: list[str],
    source: str,
    actor: User | None,
    result: LocationImportResult,
    seen_locations: dict[str, int],
    seen_organisers: dict[str, tuple[str, int]],
) -> str | None:
    """Import one data row; the reason it was rejected, or None."""
    if len(row) != len(LOCATION_COLUMNS):
        return _("expected %(expected)d cells, found %(found)d") % {
            "expected": len(LOCATION_COLUMNS),
            "found": len(row),
        }
    try:
        data = location_data_parse(cells=dict(zip(LOCATION_COLUMNS, row, strict=True)))
    except ValueError as exc:
        return str(exc)
    if data.external_id in seen_locations:
        return _("external_id %(id)s already on line %(line)d") % {
            "id": data.external_id,
            "line": seen_locations[data.external_id],
        }
    earlier = seen_organisers.get(data.organiser_external_id)
    if earlier is not None and earlier[0] != data.organiser_name:
        return _("organiser %(id)s has another name on line %(line)d") % {
            "id": data.organiser_external_id,
            "line": earlier[1],
        }
    outcome = location_upsert(data=data, source=source, actor=actor)
    seen_locations[data.external_id] = line
    seen_organisers.setdefault(data.organiser_external_id, (data.organiser_name, line))
    if outcome is Outcome.CREATED:
        result.created += 1
    elif outcome is Outcome.CHANGED:
        result.changed += 1
    else:
        result.unchanged += 1
    return None


class AssignmentInvalid(ValueError):
    """A SPOC who is no active customer manager, or a regional team that does not exist."""


CUSTOMER_MANAGER_GROUP = "Klantenbeheerder kinderopvang"


def spoc_candidates() -> QuerySet[User]:
    """Active users who may be a location's single point of contact: the customer managers."""
    return (
        User.objects.filter(is_active=True, groups__name=CUSTOMER_MANAGER_GROUP)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@transaction.atomic
def location_assign(
    *, location: Location, spoc_id: int | None, regional_team_id: int | None, actor: User
) -> bool:
    """Set the location's SPOC and regional team (Opgroeipunt's own data, never imported).

    Writes one LocationVersion with what changed; returns False when nothing changed.
    """
    if not actor.has_perm("opgroeipunt.change_location"):
        raise PermissionError(_("Only the Opgroeipunt team lead assigns locations."))
    if spoc_id is not None and not spoc_candidates().filter(pk=spoc_id).exists():
        raise AssignmentInvalid(
            _("The single point of contact must be an active customer manager.")
        )
    if (
        regional_team_id is not None
        and not RegionalTeam.objects.filter(pk=regional_team_id).exists()
    ):
        raise AssignmentInvalid(_("This regional team does not exist."))
    location = Location.objects.select_for_update().get(pk=location.pk)
    wanted = {"spoc_id": spoc_id, "regional_team_id": regional_team_id}
    changes = {
        name: [getattr(location, name), value]
        for name, value in wanted.items()
        if getattr(location, name) != value
    }
    if not changes:
        return False
    for name, (_old, new) in changes.items():
        setattr(location, name, new)
    location.save(update_fields=list(changes))
    LocationVersion.objects.create(
        location=location, changed_by=actor, source="assignment", changes=changes
    )
    return True
