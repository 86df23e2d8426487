"""Opgroeipunt's historical imports: cases and already approved decisions (issue 17, fixed CSV).

Both follow the location import (``services.py``): a fixed header, every row checked on its own
and rejected with its line and every reason, nothing half-written, idempotent on ``external_id``.
Times are ISO 8601 with a UTC offset; a time without one is refused (it would be ambiguous).

Imported decisions are history, kept as given: they build their location's enforcement tracks,
a track open from its ``enforcement_started`` until its ``enforcement_closed``. An order that
today's transition table would refuse is kept and listed as a warning, never refused. Two
positive evaluations do *not* close an imported track (docs/opgroeipunt.md, "Import of
decisions"): the history says when it was closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.dates import FIRST_DATE
from kglijn.opgroeipunt.enforcement.transitions import (
    LICENCE_FOR_STATE,
    POSITIVE_EVALUATIONS_TO_CLOSE,
    TransitionRefused,
    allowed,
    derive,
    next_state,
)
from kglijn.opgroeipunt.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseSource,
    CaseStatus,
    Decision,
    DecisionKind,
    DecisionSource,
    EnforcementState,
    EnforcementTrack,
    LicenceStatus,
    Location,
    LocationVersion,
)
from kglijn.opgroeipunt.services import Outcome, fixed_csv_rows

CASE_COLUMNS = (
    "external_id",
    "received_at",
    "kind",
    "location_external_ids",
    "admissible",
    "urgent",
)
DECISION_COLUMNS = ("external_id", "location_external_id", "kind", "decided_at")
# The kinds of the fixed decision format (issue 17), in its order.
IMPORT_DECISION_KINDS = (
    DecisionKind.ENFORCEMENT_STARTED,
    DecisionKind.WARNING,
    DecisionKind.INTENTION,
    DecisionKind.SUSPENSION,
    DecisionKind.REVOCATION,
    DecisionKind.INSPECTION_ADVICE,
    DecisionKind.CIVIL_PARTY,
    DecisionKind.EVALUATION_POSITIVE,
    DecisionKind.EVALUATION_NEGATIVE,
    DecisionKind.ENFORCEMENT_CLOSED,
)
_EVALUATIONS = frozenset({DecisionKind.EVALUATION_POSITIVE, DecisionKind.EVALUATION_NEGATIVE})
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_ID_LENGTH = 64
MAX_LOCATIONS_PER_CASE = 50
_BOOLEANS = {"true": True, "false": False}
_CASE_FIELDS = ("kind", "received_at", "admissible", "urgent", "urgent_due_at")


@dataclass
class ImportResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    rejections: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    # (line or 0, message): history kept as given although today's rules would not allow it.
    warnings: list[tuple[int, str]] = field(default_factory=list)
    tracks: int = 0  # enforcement tracks (re)built (decisions only)
    locations: int = 0  # locations whose tracks were (re)built (decisions only)

    @property
    def rejected(self) -> int:
        return len(self.rejections)


# --- reading ------------------------------------------------------------------------------------


def _data_rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
    """The data rows of a fixed-format file, after its header; ImportFileError for the file."""
    return fixed_csv_rows(path, columns, max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS)


def _cells(row: list[str], columns: Sequence[str]) -> dict[str, str]:
    if len(row) != len(columns):
        raise ValueError(
            _("expected %(expected)d cells, found %(found)d")
            % {"expected": len(columns), "found": len(row)}
        )
    if any("\x00" in value for value in row):
        raise ValueError(_("the row contains a NUL character"))
    return dict(zip(columns, row, strict=True))


def _identifier(value: str, *, column: str, reasons: list[str]) -> str:
    text = value.strip()
    if not text:
        reasons.append(_("%(column)s is empty") % {"column": column})
    elif len(text) > MAX_ID_LENGTH:
        reasons.append(
            _("%(column)s is longer than %(limit)d characters")
            % {"column": column, "limit": MAX_ID_LENGTH}
        )
    return text


def parse_moment(value: str, *, column: str, reasons: list[str]) -> dt.datetime | None:
    """An ISO 8601 time with its UTC offset, between 2000-01-01 and tomorrow (Brussels)."""
    text = value.strip()
    if not text:
        reasons.append(_("%(column)s is empty") % {"column": column})
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        reasons.append(
            _("%(column)s is not an ISO 8601 time such as 2022-03-01T09:30:00+01:00: '%(value)s'")
            % {"column": column, "value": text[:40]}
        )
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        reasons.append(
            _(
                "%(column)s '%(value)s' has no UTC offset (add e.g. +01:00 or Z): "
                "a time without one is ambiguous"
            )
            % {"column": column, "value": text[:40]}
        )
        return None
    first = dt.datetime.combine(FIRST_DATE, dt.time(), tzinfo=BRUSSELS)
    last = timezone.now() + dt.timedelta(days=1)
    if not first <= moment <= last:
        reasons.append(
            _("%(column)s lies outside 2000-01-01 … tomorrow: '%(value)s'")
            % {"column": column, "value": text[:40]}
        )
        return None
    return moment.astimezone(dt.UTC)


def _day(moment: dt.datetime) -> str:
    return moment.astimezone(BRUSSELS).date().isoformat()


# --- cases --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseData:
    """One historical case as the file describes it, already validated."""

    external_id: str
    received_at: dt.datetime
    kind: str
    location_external_ids: tuple[str, ...]
    admissible: bool | None
    urgent: bool


def case_data_parse(*, cells: dict[str, str], warnings: list[str]) -> CaseData:
    """Validate one case row; raises ValueError with every reason, joined."""
    reasons: list[str] = []
    external_id = _identifier(cells["external_id"], column="external_id", reasons=reasons)
    received_at = parse_moment(cells["received_at"], column="received_at", reasons=reasons)
    kind = cells["kind"].strip()
    if kind not in CaseKind.values:
        reasons.append(
            _("kind must be one of %(kinds)s, not '%(value)s'")
            % {"kinds": "|".join(CaseKind.values), "value": kind[:30]}
        )
    ids_text = cells["location_external_ids"].strip()
    ids: list[str] = []
    for part in ids_text.split("|") if ids_text else []:
        location_id = part.strip()
        if not location_id or len(location_id) > MAX_ID_LENGTH:
            reasons.append(
                _("location_external_ids: '%(value)s' is not an external id")
                % {"value": location_id[: MAX_ID_LENGTH + 1]}
            )
        elif location_id not in ids:
            ids.append(location_id)
    if len(ids) > MAX_LOCATIONS_PER_CASE:
        reasons.append(
            _("more than %(count)d locations for one case") % {"count": MAX_LOCATIONS_PER_CASE}
        )
    admissible_text = cells["admissible"].strip()
    admissible: bool | None = None
    if admissible_text:
        if admissible_text not in _BOOLEANS:
            reasons.append(
                _("admissible must be true, false or empty, not '%(value)s'")
                % {"value": admissible_text[:20]}
            )
        elif kind != CaseKind.COMPLAINT:
            reasons.append(
                _("admissible is only for complaints (this case is a %(kind)s): leave it empty")
                % {"kind": kind[:30]}
            )
        else:
            admissible = _BOOLEANS[admissible_text]
    urgent_text = cells["urgent"].strip()
    urgent = kind == CaseKind.DANGER
    if urgent_text:
        if urgent_text not in _BOOLEANS:
            reasons.append(
                _("urgent must be true, false or empty, not '%(value)s'")
                % {"value": urgent_text[:20]}
            )
        elif kind == CaseKind.DANGER and not _BOOLEANS[urgent_text]:
            warnings.append(_("a danger situation is urgent from intake: imported as urgent"))
        else:
            urgent = urgent or _BOOLEANS[urgent_text]
    if reasons:
        raise ValueError("; ".join(reasons))
    assert received_at is not None
    return CaseData(
        external_id=external_id,
        received_at=received_at,
        kind=kind,
        location_external_ids=tuple(ids),
        admissible=admissible,
        urgent=urgent,
    )


def _case_values(data: CaseData) -> dict[str, Any]:
    hours = settings.KGLIJN_OPGROEIPUNT_URGENT_HOURS
    return {
        "kind": data.kind,
        "received_at": data.received_at,
        "admissible": data.admissible,
        "urgent": data.urgent,
        "urgent_due_at": data.received_at + dt.timedelta(hours=hours) if data.urgent else None,
    }


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


@transaction.atomic
def case_import_upsert(
    *, data: CaseData, location_ids: list[int], source: str, actor: User | None = None
) -> Outcome:
    """Create or update the historical case ``data.external_id`` with a CaseEvent per change.

    A historical case is registered closed: it is history, not work, so it never enters a queue,
    the urgent lane or the escalation. Raises ValueError when the id belongs to a case that was
    not imported.
    """
    values = _case_values(data)
    case = Case.objects.select_for_update().filter(external_id=data.external_id).first()
    if case is None:
        case = Case.objects.create(
            external_id=data.external_id,
            source=CaseSource.IMPORT,
            status=CaseStatus.CLOSED,
            closed_at=timezone.now(),
            **values,
        )
        case.locations.set(location_ids)
        CaseEvent.objects.create(
            case=case,
            by=actor,
            what="imported",
            changes={
                **{name: [None, _json(value)] for name, value in values.items()},
                "locations": [None, list(data.location_external_ids)],
            },
            note=source,
        )
        return Outcome.CREATED
    if case.source != CaseSource.IMPORT:
        raise ValueError(
            _("external_id %(id)s belongs to a case registered in Opgroeipunt, not imported")
            % {"id": data.external_id}
        )
    changes = {
        name: [_json(getattr(case, name)), _json(value)]
        for name, value in values.items()
        if getattr(case, name) != value
    }
    before = dict(case.locations.values_list("id", "external_id"))
    if set(before) != set(location_ids):
        changes["locations"] = [sorted(before.values()), sorted(data.location_external_ids)]
        case.locations.set(location_ids)
    if not changes:
        return Outcome.UNCHANGED
    for name in _CASE_FIELDS:
        setattr(case, name, values[name])
    case.save(update_fields=list(_CASE_FIELDS))
    CaseEvent.objects.create(
        case=case, by=actor, what="import_changed", changes=changes, note=source
    )
    return Outcome.CHANGED


def cases_import(*, path: Path, actor: User | None = None) -> ImportResult:
    """Import the fixed historical case CSV: good rows in (each in its own transaction), bad
    rows reported with line and reason. Raises ImportFileError when the file is unreadable."""
    result = ImportResult()
    source = f"import:{path.name}"[:300]
    locations = dict(Location.objects.values_list("external_id", "id"))
    seen: dict[str, int] = {}
    for line, row in _data_rows(path, CASE_COLUMNS):
        warnings: list[str] = []
        try:
            data = case_data_parse(cells=_cells(row, CASE_COLUMNS), warnings=warnings)
        except ValueError as exc:
            result.rejections.append((line, str(exc)))
            continue
        if data.external_id in seen:
            result.rejections.append(
                (
                    line,
                    _("external_id %(id)s already on line %(line)d")
                    % {"id": data.external_id, "line": seen[data.external_id]},
                )
            )
            continue
        unknown = [i for i in data.location_external_ids if i not in locations]
        if unknown:
            result.rejections.append(
                (
                    line,
                    _("unknown location(s): %(ids)s")
                    % {"ids": ", ".join(i[:MAX_ID_LENGTH] for i in unknown[:10])},
                )
            )
            continue
        try:
            outcome = case_import_upsert(
                data=data,
                location_ids=[locations[i] for i in data.location_external_ids],
                source=source,
                actor=actor,
            )
        except ValueError as exc:
            result.rejections.append((line, str(exc)))
            continue
        seen[data.external_id] = line
        result.warnings.extend((line, warning) for warning in warnings)
        if outcome is Outcome.CREATED:
            result.created += 1
        elif outcome is Outcome.CHANGED:
            result.changed += 1
        else:
            result.unchanged += 1
    return result


# --- decisions and the tracks they build --------------------------------------------------------


@dataclass(frozen=True)
class DecisionData:
    external_id: str
    location_external_id: str
    kind: str
    decided_at: dt.datetime


def decision_data_parse(*, cells: dict[str, str]) -> DecisionData:
    """Validate one decision row; raises ValueError with every reason, joined."""
    reasons: list[str] = []
    external_id = _identifier(cells["external_id"], column="external_id", reasons=reasons)
    location = _identifier(
        cells["location_external_id"], column="location_external_id", reasons=reasons
    )
    kind = cells["kind"].strip()
    if kind not in IMPORT_DECISION_KINDS:
        reasons.append(
            _("kind must be one of %(kinds)s, not '%(value)s'")
            % {"kinds": "|".join(IMPORT_DECISION_KINDS), "value": kind[:30]}
        )
    decided_at = parse_moment(cells["decided_at"], column="decided_at", reasons=reasons)
    if reasons:
        raise ValueError("; ".join(reasons))
    assert decided_at is not None
    return DecisionData(
        external_id=external_id, location_external_id=location, kind=kind, decided_at=decided_at
    )


@dataclass
class TrackFold:
    """An imported track as its decisions make it (see ``fold_imported``)."""

    state: EnforcementState = EnforcementState.NONE
    positive_evaluations: int = 0
    closed: bool = False
    warnings: list[str] = field(default_factory=list)


def fold_imported(steps: Sequence[tuple[str, dt.datetime]]) -> TrackFold:
    """The state of an imported track from its (kind, decided_at) in date order.

    The state steps go through ``derive(strict=False)`` (the one transition table, lenient for
    history); evaluations are counted beside it, because an imported track closes only at its
    own ``enforcement_closed``: two positive evaluations that would close it today give a
    warning, not a close. Every warning starts with the Brussels date of its decision.
    """
    fold = TrackFold()
    state_kinds: list[DecisionKind] = []
    derived_warnings = 0
    for kind_value, moment in steps:
        kind = DecisionKind(kind_value)
        day = _day(moment)
        if kind in _EVALUATIONS:
            try:
                next_state(fold.state, kind)
            except TransitionRefused as exc:
                fold.warnings.append(f"{day}: {exc}")
            if kind == DecisionKind.EVALUATION_POSITIVE:
                fold.positive_evaluations += 1
                if fold.positive_evaluations == POSITIVE_EVALUATIONS_TO_CLOSE:
                    fold.warnings.append(
                        f"{day}: "
                        + _(
                            "%(count)d consecutive positive evaluations: today this closes the "
                            "track; the imported history keeps it open until its "
                            "enforcement_closed"
                        )
                        % {"count": POSITIVE_EVALUATIONS_TO_CLOSE}
                    )
            else:
                fold.positive_evaluations = 0
            continue
        state_kinds.append(kind)
        derived = derive(state_kinds, strict=False)
        fold.warnings.extend(f"{day}: {w}" for w in derived.warnings[derived_warnings:])
        derived_warnings = len(derived.warnings)
        fold.state = derived.state
        fold.closed = derived.closed
    return fold


def _standalone_warning(kind: DecisionKind, moment: dt.datetime) -> str | None:
    """Why a decision outside any track is worth a warning (advice and civil-party proceedings
    may come before enforcement starts; anything else may not)."""
    if kind != DecisionKind.WARNING and allowed(EnforcementState.NONE, kind):
        return None
    return f"{_day(moment)}: " + _(
        "%(kind)s outside an enforcement track (no enforcement_started before it): kept "
        "without a track"
    ) % {"kind": kind.label}


def location_tracks_rebuild(*, location: Location, source: str) -> tuple[int, list[str]]:
    """Build the location's enforcement tracks again from its imported decisions.

    A track opens at an ``enforcement_started`` and closes at the next ``enforcement_closed``
    (``closed_at`` = that decision's time); other decisions join the track open at their time
    or, when none is, stand alone (their warning in ``payload["import_warnings"]``). The
    location's licence status follows its open track (``LICENCE_FOR_STATE``); a closed location
    keeps "closed". Returns (tracks built, warnings). Call inside a transaction; the location
    must have no decision taken in Opgroeipunt itself (checked by ``decisions_import``).
    """
    decisions = list(
        Decision.objects.filter(location=location, source=DecisionSource.IMPORT).order_by(
            "decided_at", "id"
        )
    )
    Decision.objects.filter(location=location, source=DecisionSource.IMPORT).update(track=None)
    EnforcementTrack.objects.filter(location=location).delete()
    groups: list[list[Decision]] = []
    alone: list[Decision] = []
    current: list[Decision] | None = None
    for decision in decisions:
        if decision.kind == DecisionKind.ENFORCEMENT_STARTED and current is None:
            current = [decision]
            groups.append(current)
        elif current is not None:
            current.append(decision)
            if decision.kind == DecisionKind.ENFORCEMENT_CLOSED:
                current = None
        else:
            alone.append(decision)
    warnings: list[str] = []
    open_state = EnforcementState.NONE
    for group in groups:
        fold = fold_imported([(d.kind, d.decided_at) for d in group])
        last = group[-1]
        closed_at = last.decided_at if last.kind == DecisionKind.ENFORCEMENT_CLOSED else None
        track = EnforcementTrack.objects.create(
            location=location,
            started_at=group[0].decided_at,
            closed_at=closed_at,
            state=fold.state,
            positive_evaluations=fold.positive_evaluations,
            warnings=fold.warnings,
        )
        Decision.objects.filter(pk__in=[d.pk for d in group]).update(track=track)
        warnings.extend(fold.warnings)
        if closed_at is None:
            open_state = fold.state
    for decision in alone:
        warning = _standalone_warning(DecisionKind(decision.kind), decision.decided_at)
        payload = dict(decision.payload)
        if warning:
            payload["import_warnings"] = [warning]
            warnings.append(warning)
        else:
            payload.pop("import_warnings", None)
        if payload != decision.payload:
            Decision.objects.filter(pk=decision.pk).update(payload=payload)
    for group in groups:
        stale = [d.pk for d in group if "import_warnings" in d.payload]
        for decision in Decision.objects.filter(pk__in=stale):
            decision.payload.pop("import_warnings", None)
            decision.save(update_fields=["payload"])
    licence = LICENCE_FOR_STATE[open_state]
    if location.licence_status not in (licence, LicenceStatus.CLOSED):
        LocationVersion.objects.create(
            location=location,
            source=source,
            changes={"licence_status": [location.licence_status, licence.value]},
        )
        location.licence_status = licence
        location.save(update_fields=["licence_status"])
    return len(groups), warnings


def decisions_import(*, path: Path) -> ImportResult:
    """Import the fixed historical decision CSV, then rebuild the tracks of the locations that
    got new decisions.

    Decisions are append-only: a known ``external_id`` with the same values is unchanged, with
    other values it is rejected. A location that already has decisions taken in Opgroeipunt
    (approved proposals) takes no more history (its rows are rejected). The good rows and the
    tracks they build are written in one transaction.
    """
    result = ImportResult()
    source = f"import:{path.name}"[:300]
    locations = dict(Location.objects.values_list("external_id", "id"))
    live = set(
        Decision.objects.filter(location__isnull=False)
        .exclude(source=DecisionSource.IMPORT)
        .values_list("location_id", flat=True)
    ) | set(
        EnforcementTrack.objects.filter(decisions__source=DecisionSource.APPROVED).values_list(
            "location_id", flat=True
        )
    )
    seen: dict[str, int] = {}
    new: list[tuple[int, DecisionData]] = []
    parsed: list[tuple[int, DecisionData]] = []
    for line, row in _data_rows(path, DECISION_COLUMNS):
        try:
            data = decision_data_parse(cells=_cells(row, DECISION_COLUMNS))
        except ValueError as exc:
            result.rejections.append((line, str(exc)))
            continue
        if data.external_id in seen:
            result.rejections.append(
                (
                    line,
                    _("external_id %(id)s already on line %(line)d")
                    % {"id": data.external_id, "line": seen[data.external_id]},
                )
            )
            continue
        if data.location_external_id not in locations:
            result.rejections.append(
                (
                    line,
                    _("unknown location %(id)s") % {"id": data.location_external_id},
                )
            )
            continue
        seen[data.external_id] = line
        parsed.append((line, data))
    existing = _existing_decisions([data.external_id for _line, data in parsed])
    for line, data in parsed:
        location_pk = locations[data.location_external_id]
        known = existing.get(data.external_id)
        if known is not None:
            if known == (DecisionSource.IMPORT, location_pk, data.kind, data.decided_at):
                result.unchanged += 1
            else:
                result.rejections.append(
                    (
                        line,
                        _(
                            "external_id %(id)s is already a decision with other values "
                            "(decisions are never changed)"
                        )
                        % {"id": data.external_id},
                    )
                )
            continue
        if location_pk in live:
            result.rejections.append(
                (
                    line,
                    _(
                        "location %(id)s already has decisions taken in Opgroeipunt: its "
                        "history can no longer be imported"
                    )
                    % {"id": data.location_external_id},
                )
            )
            continue
        new.append((line, data))
    with transaction.atomic():
        Decision.objects.bulk_create(
            [
                Decision(
                    external_id=data.external_id,
                    kind=data.kind,
                    source=DecisionSource.IMPORT,
                    location_id=locations[data.location_external_id],
                    decided_at=data.decided_at,
                    effective_from=data.decided_at.astimezone(BRUSSELS).date(),
                )
                for _line, data in new
            ],
            batch_size=1000,
        )
        result.created = len(new)
        affected = sorted({locations[data.location_external_id] for _line, data in new})
        for location in Location.objects.filter(pk__in=affected).order_by("external_id"):
            tracks, warnings = location_tracks_rebuild(location=location, source=source)
            result.tracks += tracks
            result.locations += 1
            result.warnings.extend(
                (0, _("location %(id)s: %(warning)s") % {"id": location.external_id, "warning": w})
                for w in warnings
            )
    return result


def _existing_decisions(
    external_ids: list[str],
) -> dict[str, tuple[str, int | None, str, dt.datetime]]:
    found: dict[str, tuple[str, int | None, str, dt.datetime]] = {}
    for start in range(0, len(external_ids), 5000):
        for external_id, source, location_id, kind, decided_at in Decision.objects.filter(
            external_id__in=external_ids[start : start + 5000]
        ).values_list("external_id", "source", "location_id", "kind", "decided_at"):
            found[str(external_id)] = (source, location_id, kind, decided_at)
    return found
