"""Fast inserts of many rows (responses, answers; the demo's sample) without explicit ids: SQLite
executemany or PostgreSQL COPY through core.bulk, inside the caller's transaction. The database
assigns the ids (so concurrent writers never collide); callers read them back by a natural key.
Every constraint still checks every row."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

from kglijn.core.bulk import BulkWriter, TableSpec


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> int:
    """INSERT `rows` (tuples in the order of `fields`, attnames, values in database form: see
    db_datetime and db_json) into the model's table; returns the count."""
    if not rows:
        return 0
    columns = tuple(_column(model, name) for name in fields)
    spec = TableSpec(model, model._meta.db_table, columns, ())
    return BulkWriter(connection).write(spec, rows)


def db_datetime(value: dt.datetime | None) -> Any:
    """An aware datetime as the backend stores it (SQLite: UTC text; PostgreSQL: as is)."""
    if value is None:
        return None
    return connection.ops.adapt_datetimefield_value(value)


def db_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
