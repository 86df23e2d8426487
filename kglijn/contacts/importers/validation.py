"""Validation of import rows, a chunk at a time and column by column.

Fast path first: a column is checked with set operations (or one `map`) over the whole chunk and
only scanned row by row when that finds a bad value, so a clean file costs a few C-level passes
per column. Every bad row gets every reason that applies to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kglijn.contacts.importers.format import CODE_SEPARATOR, EXTERNAL_ID_MAX_LENGTH
from kglijn.contacts.models import (
    Channel,
    Direction,
    Office,
    Origin,
    Reason,
    ReferralOrganisation,
    Topic,
)
from kglijn.core.provinces import Province

CHANNELS = frozenset(Channel.values)
EMAIL_ORIGINS = frozenset(value for value in Origin.values if value)
DIRECTIONS = frozenset(Direction.values)
OFFICES = frozenset(Office.values)
TOPICS = frozenset(Topic.values)  # includes "" (no topic)
PROVINCES = frozenset([*Province.values, ""])  # "" = not registered
BOOLEANS = {"true": True, "false": False, "True": True, "False": False}
BOOLEANS.update({"TRUE": True, "FALSE": False})
_CACHE_LIMIT = 100_000  # distinct reasons/referrals cells remembered

Errors = dict[int, list[str]]  # row index in the chunk -> reasons


@dataclass(frozen=True)
class Catalogue:
    """Code -> id of what an import may refer to."""

    reason_ids: Mapping[str, int]  # active reasons only
    inactive_reasons: frozenset[str]
    referral_ids: Mapping[str, int]  # every referral organisation, active or not


def catalogue_load() -> Catalogue:
    reasons = list(Reason.objects.values_list("code", "pk", "active"))
    return Catalogue(
        reason_ids={code: pk for code, pk, active in reasons if active},
        inactive_reasons=frozenset(code for code, _pk, active in reasons if not active),
        referral_ids=dict(ReferralOrganisation.objects.values_list("code", "pk")),
    )


@dataclass
class ValidatedChunk:
    """A chunk's rows converted column by column; `errors` marks the rows that must not load."""

    lines: list[int]
    rows: list[list[str]]
    errors: Errors
    external_id: Sequence[str] = ()
    received_at: list[dt.datetime | None] = field(default_factory=list)
    answered_at: list[dt.datetime | None] | None = None
    closed_at: list[dt.datetime | None] | None = None
    channel: Sequence[str] = ()
    origin: Sequence[str] = ()
    direction: Sequence[str] = ()
    province: Sequence[str] = ()
    topic: Sequence[str] = ()
    office: Sequence[str] = ()
    anonymous: list[bool] = field(default_factory=list)
    reason_ids: list[tuple[int, ...]] = field(default_factory=list)
    referral_ids: list[tuple[int, ...]] = field(default_factory=list)


def _add(errors: Errors, index: int, message: str) -> None:
    errors.setdefault(index, []).append(message)


def _choices_text(values: Iterable[str]) -> str:
    return ", ".join(sorted(value for value in values if value))


def _check_choice(
    column: str, values: Sequence[str], allowed: frozenset[str], errors: Errors, *, blank: bool
) -> None:
    bad = set(values).difference(allowed)
    if not bad:
        return
    if blank:
        message = _('%(column)s "%(value)s" is not one of: %(choices)s (or empty)')
    else:
        message = _('%(column)s "%(value)s" is not one of: %(choices)s')
    choices = _choices_text(allowed)
    for index, value in enumerate(values):
        if value in bad:
            _add(errors, index, message % {"column": column, "value": value, "choices": choices})


def _parse_one(column: str, value: str, *, required: bool) -> dt.datetime | str | None:
    """The date-time, or the reason it is refused (str); None for an allowed empty cell."""
    if not value:
        return _("%(column)s is empty") % {"column": column} if required else None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return _('%(column)s "%(value)s" is not a valid ISO 8601 date-time') % {
            "column": column,
            "value": value,
        }
    if moment.tzinfo is None:
        return _(
            '%(column)s "%(value)s" has no UTC offset (write it as e.g. 2023-03-06T09:14:03+01:00)'
        ) % {"column": column, "value": value}
    return moment


def _check_times(
    column: str, values: Sequence[str], errors: Errors, *, required: bool
) -> list[dt.datetime | None]:
    parse = dt.datetime.fromisoformat
    try:
        if required:
            parsed: list[dt.datetime | None] = list(map(parse, values))
        else:
            parsed = [parse(value) if value else None for value in values]
        naive = None in {moment.tzinfo for moment in parsed if moment is not None}
    except ValueError:
        naive = True
    if not naive:
        return parsed
    parsed = []
    for index, value in enumerate(values):
        result = _parse_one(column, value, required=required)
        if isinstance(result, str):
            _add(errors, index, result)
            parsed.append(None)
        else:
            parsed.append(result)
    return parsed


def _check_not_before(
    column: str,
    values: Sequence[str],
    moments: list[dt.datetime | None],
    received: list[dt.datetime | None],
    errors: Errors,
) -> None:
    for index, (moment, start) in enumerate(zip(moments, received, strict=True)):
        if moment is not None and start is not None and moment < start:
            _add(
                errors,
                index,
                _('%(column)s "%(value)s" is before received_at')
                % {"column": column, "value": values[index]},
            )


class RowValidator:
    """Validates chunk after chunk of one file; remembers external ids to refuse duplicates."""

    def __init__(self, *, positions: Mapping[str, int], catalogue: Catalogue) -> None:
        self.positions = dict(positions)
        self.width = len(positions)
        self.catalogue = catalogue
        self._seen: set[str] = set()
        self._reasons: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {}
        self._referrals: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {}

    def validate(self, lines: list[int], rows: list[list[str]]) -> ValidatedChunk:
        errors: Errors = {}
        width = self.width
        shape: dict[int, str] = {}
        if {len(row) for row in rows} != {width}:
            message = _("the row has %(found)d fields, the header has %(expected)d")
            padded = []
            for index, row in enumerate(rows):
                if len(row) != width:
                    shape[index] = message % {"found": len(row), "expected": width}
                    row = (row + [""] * width)[:width]
                padded.append(row)
            columns = list(zip(*padded, strict=True))
        else:
            columns = list(zip(*rows, strict=True))

        def column(name: str) -> Sequence[str]:
            return columns[self.positions[name]]

        chunk = ValidatedChunk(lines=lines, rows=rows, errors=errors)
        chunk.external_id = column("external_id")
        self._check_external_ids(chunk.external_id, errors)
        chunk.received_at = _check_times(
            "received_at", column("received_at"), errors, required=True
        )
        for name in ("answered_at", "closed_at"):
            if name in self.positions:
                moments = _check_times(name, column(name), errors, required=False)
                _check_not_before(name, column(name), moments, chunk.received_at, errors)
                setattr(chunk, name, moments)
        chunk.channel = column("channel")
        _check_choice("channel", chunk.channel, CHANNELS, errors, blank=False)
        chunk.origin = column("origin")
        self._check_origin(chunk.channel, chunk.origin, errors)
        chunk.direction = column("direction")
        _check_choice("direction", chunk.direction, DIRECTIONS, errors, blank=False)
        chunk.province = column("province")
        self._check_province(chunk.province, errors)
        chunk.topic = column("topic")
        _check_choice("topic", chunk.topic, TOPICS, errors, blank=True)
        chunk.office = column("office")
        _check_choice("office", chunk.office, OFFICES, errors, blank=False)
        anonymous = column("anonymous")
        _check_choice("anonymous", anonymous, frozenset(BOOLEANS), errors, blank=False)
        chunk.anonymous = [BOOLEANS.get(value, True) for value in anonymous]
        chunk.reason_ids = self._codes(column("reasons"), self._reasons, self._reason, errors)
        chunk.referral_ids = self._codes(
            column("referrals"), self._referrals, self._referral, errors
        )
        for index, message in shape.items():
            errors[index] = [message]  # other reasons would only echo the misalignment
        return chunk

    def _check_external_ids(self, values: Sequence[str], errors: Errors) -> None:
        seen = self._seen
        distinct = set(values)
        clean = (
            len(distinct) == len(values)
            and "" not in distinct
            and seen.isdisjoint(distinct)
            and max(map(len, values), default=0) <= EXTERNAL_ID_MAX_LENGTH
            and "\x00" not in "".join(values)
        )
        if clean:
            seen |= distinct
            return
        for index, value in enumerate(values):
            if not value:
                _add(errors, index, _("external_id is empty"))
            elif len(value) > EXTERNAL_ID_MAX_LENGTH or "\x00" in value:
                _add(
                    errors,
                    index,
                    _('external_id "%(value)s" is longer than %(max)d characters')
                    % {"value": value[:40] + "…", "max": EXTERNAL_ID_MAX_LENGTH}
                    if "\x00" not in value
                    else _("external_id contains a NUL character"),
                )
            elif value in seen:
                _add(
                    errors,
                    index,
                    _('external_id "%(value)s" appears on an earlier line of the file')
                    % {"value": value},
                )
            else:
                seen.add(value)

    @staticmethod
    def _check_origin(channels: Sequence[str], origins: Sequence[str], errors: Errors) -> None:
        if set(origins) == {""}:
            return
        for index, (channel, origin) in enumerate(zip(channels, origins, strict=True)):
            if not origin:
                continue
            if channel != Channel.EMAIL:
                if channel in CHANNELS:
                    _add(
                        errors,
                        index,
                        _('origin "%(value)s" is only allowed for e-mail contacts (leave it empty)')
                        % {"value": origin},
                    )
            elif origin not in EMAIL_ORIGINS:
                _add(
                    errors,
                    index,
                    _('origin "%(value)s" is not one of: %(choices)s (or empty)')
                    % {"value": origin, "choices": _choices_text(EMAIL_ORIGINS)},
                )

    @staticmethod
    def _check_province(values: Sequence[str], errors: Errors) -> None:
        bad = set(values).difference(PROVINCES)
        for index, value in enumerate(values) if bad else ():
            if value in bad:
                _add(
                    errors,
                    index,
                    _('province "%(value)s" is not a Belgian province code (e.g. BE-VAN)')
                    % {"value": value},
                )

    def _reason(self, code: str) -> int | str:
        found = self.catalogue.reason_ids.get(code)
        if found is not None:
            return found
        if code in self.catalogue.inactive_reasons:
            return _('reason code "%(code)s" is no longer active') % {"code": code}
        return _('unknown reason code "%(code)s"') % {"code": code}

    def _referral(self, code: str) -> int | str:
        found = self.catalogue.referral_ids.get(code)
        if found is not None:
            return found
        return _('unknown referral code "%(code)s"') % {"code": code}

    @staticmethod
    def _codes(
        values: Sequence[str],
        cache: dict[str, tuple[tuple[int, ...], tuple[str, ...]]],
        resolve: Callable[[str], int | str],
        errors: Errors,
    ) -> list[tuple[int, ...]]:
        """`a|b` cells -> ids (duplicates and empty parts dropped); unknown codes are errors."""
        missing = set(values).difference(cache)
        if len(cache) + len(missing) > _CACHE_LIMIT:
            cache.clear()
            missing = set(values)
        failing = False
        for cell in missing:
            ids: list[int] = []
            problems: list[str] = []
            for part in cell.split(CODE_SEPARATOR):
                code = part.strip()
                if not code:
                    continue
                result = resolve(code)
                if isinstance(result, str):
                    problems.append(result)
                elif result not in ids:
                    ids.append(result)
            cache[cell] = (tuple(ids), tuple(problems))
            failing = failing or bool(problems)
        if not failing:
            failing = any(cache[cell][1] for cell in set(values))
        resolved = list(map(cache.__getitem__, values))
        if failing:
            for index, (_ids, reasons) in enumerate(resolved):
                for problem in reasons:
                    _add(errors, index, problem)
        return [ids for ids, _reasons in resolved]
