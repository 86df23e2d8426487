"""Writes validated import rows with the demo's raw bulk writer (SQLite executemany, PostgreSQL
COPY) inside the caller's transaction. No model instances are made per row.

Contact ids: PostgreSQL hands them out from the table's own sequence (one `nextval` batch per
chunk), so contacts registered on the desk during a long import never collide with imported ids
and no sequence needs resetting afterwards; SQLite (one writer at a time) counts on from max(id).
The M2M link rows leave their id to the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator, Sequence
from typing import TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper

from kglijn.contacts.importers.validation import ValidatedChunk
from kglijn.contacts.models import Contact, Status
from kglijn.demo.loader import BulkWriter, TableSpec, first_free_ids, m2m_spec, table_spec
from kglijn.reports.rollups import RollupAccumulator

T = TypeVar("T")

CONTACT_FIELDS = (
    "id", "external_id", "channel", "origin", "direction", "received_at", "answered_at",
    "closed_at", "office", "province", "topic", "anonymous",
)  # fmt: skip

# No personal data and no free text come in through an import (docs/import.md).
BLANK_TEXT_FIELDS = ("notes", "health_note", "caller_name", "caller_phone", "caller_email")


def _without_id(spec: TableSpec) -> TableSpec:
    return TableSpec(spec.model, spec.table, spec.columns[1:], spec.constants)


def _pick(values: Sequence[T], keep: list[int] | None) -> Sequence[T]:
    return values if keep is None else [values[index] for index in keep]


class ContactLoader:
    """Looks up external ids already in the register and writes chunks of new contacts."""

    def __init__(self, *, connection: BaseDatabaseWrapper, now: dt.datetime) -> None:
        self.connection = connection
        self.postgresql = connection.vendor == "postgresql"
        self.writer = BulkWriter(connection)
        self.contacts = table_spec(
            Contact,
            CONTACT_FIELDS,
            connection=connection,
            constants={
                "status": Status.CLOSED,
                "created_at": now,
                "updated_at": now,
                **dict.fromkeys(BLANK_TEXT_FIELDS, ""),
            },
        )
        self.reasons = _without_id(m2m_spec(Contact, "reasons", connection=connection))
        self.referrals = _without_id(m2m_spec(Contact, "referrals", connection=connection))
        self._any_external_id = Contact.objects.filter(external_id__isnull=False).exists()
        self._next_ids: Iterator[int] | None = None
        quote = connection.ops.quote_name
        self._table = quote(self.contacts.table)
        self._external_id = quote("external_id")
        self._id = quote("id")

    def existing(self, external_ids: Sequence[str]) -> set[str]:
        """Those of `external_ids` that some contact already has (one query)."""
        if not self._any_external_id or not external_ids:
            return set()
        with self.connection.cursor() as cursor:
            if self.postgresql:
                cursor.execute(
                    f"SELECT {self._external_id} FROM {self._table} "  # noqa: S608
                    f"WHERE {self._external_id} = ANY(%s)",
                    [list(external_ids)],
                )
            else:
                cursor.execute(
                    f"SELECT {self._external_id} FROM {self._table} "  # noqa: S608
                    f"WHERE {self._external_id} IN (SELECT value FROM json_each(%s))",
                    [json.dumps(list(external_ids))],
                )
            return {row[0] for row in cursor.fetchall()}

    def _ids(self, count: int) -> list[int]:
        if self.postgresql:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.contacts.table, self.contacts.columns[0], count],
                )
                return [row[0] for row in cursor.fetchall()]
        if self._next_ids is None:
            (first,) = first_free_ids([self.contacts], self.connection)
            self._next_ids = itertools.count(first)
        return list(itertools.islice(self._next_ids, count))

    def _times(self, moments: Sequence[dt.datetime | None]) -> Sequence[object]:
        if self.postgresql:
            return moments  # psycopg sends aware date-times with their offset
        # Django's SQLite format: naive UTC text (str() of the naive date-time).
        return [
            None if moment is None else moment.astimezone(dt.UTC).isoformat(" ")[:-6]
            for moment in moments
        ]

    def write(
        self,
        chunk: ValidatedChunk,
        keep: list[int] | None,
        rollups: RollupAccumulator | None = None,
    ) -> int:
        """Write the chunk's rows at `keep` (None = all) and add them to `rollups`; returns
        the count written."""
        received = _pick(chunk.received_at, keep)
        count = len(received)
        if not count:
            return 0
        ids = self._ids(count)
        absent: list[None] = [None] * count
        answered = absent if chunk.answered_at is None else _pick(chunk.answered_at, keep)
        closed = absent if chunk.closed_at is None else _pick(chunk.closed_at, keep)
        rows = list(
            zip(
                ids,
                _pick(chunk.external_id, keep),
                _pick(chunk.channel, keep),
                _pick(chunk.origin, keep),
                _pick(chunk.direction, keep),
                self._times(received),
                absent if chunk.answered_at is None else self._times(answered),
                absent if chunk.closed_at is None else self._times(closed),
                _pick(chunk.office, keep),
                _pick(chunk.province, keep),
                _pick(chunk.topic, keep),
                _pick(chunk.anonymous, keep),
                strict=True,
            )
        )
        self.writer.write(self.contacts, rows)
        del rows
        reasons = [
            (contact, reason)
            for contact, reason_ids in zip(ids, _pick(chunk.reason_ids, keep), strict=True)
            for reason in reason_ids
        ]
        self.writer.write(self.reasons, reasons)
        referrals = [
            (contact, referral)
            for contact, referral_ids in zip(ids, _pick(chunk.referral_ids, keep), strict=True)
            for referral in referral_ids
        ]
        self.writer.write(self.referrals, referrals)
        if rollups is not None:
            rollups.add_columns(
                received_at=[moment for moment in received if moment is not None],
                channel=_pick(chunk.channel, keep),
                direction=_pick(chunk.direction, keep),
                origin=_pick(chunk.origin, keep),
                office=_pick(chunk.office, keep),
                province=_pick(chunk.province, keep),
                topic=_pick(chunk.topic, keep),
                anonymous=_pick(chunk.anonymous, keep),
                reason_ids=_pick(chunk.reason_ids, keep),
                referral_ids=_pick(chunk.referral_ids, keep),
            )
        return count
