"""Raw bulk writes (demo, contact import): SQLite executemany, PostgreSQL COPY, explicit ids.

Rows are written inside the caller's transaction; nothing is dropped or disabled, so every
database constraint (e.g. "an anonymous contact holds no personal data") checks every row.
Columns a generator does not produce get a constant or the model field's default, so adding a
field with a default to a model does not break the loader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

CHUNK = 50_000
Row = tuple[object, ...]


class UnsupportedDatabase(RuntimeError):
    pass


@dataclass(frozen=True)
class TableSpec:
    """Where a row tuple goes: table, columns in tuple order, then constant columns."""

    model: type[models.Model]
    table: str
    columns: tuple[str, ...]
    constants: tuple[object, ...]


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None
    return field.column


def table_spec(
    model: type[models.Model],
    fields: Sequence[str],
    *,
    connection: BaseDatabaseWrapper,
    constants: dict[str, object] | None = None,
) -> TableSpec:
    """Columns for `fields` (attnames, in row order) plus every other concrete field."""
    constants = constants or {}
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    unknown = [name for name in fields if name not in by_attname]
    if unknown:
        raise LookupError(f"{model.__name__} has no field(s) {unknown}")
    columns = [_column(by_attname[name]) for name in fields]
    values: list[object] = []
    for field in model._meta.concrete_fields:
        if field.attname in fields:
            continue
        if field.attname in constants:
            value: Any = constants[field.attname]
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:
            raise LookupError(f"{model.__name__}.{field.name} has no default for the demo loader")
        columns.append(_column(field))
        values.append(field.get_db_prep_save(value, connection))
    return TableSpec(model, model._meta.db_table, tuple(columns), tuple(values))


def m2m_spec(
    model: type[models.Model], field_name: str, *, connection: BaseDatabaseWrapper
) -> TableSpec:
    """The auto-created through table of an M2M field: rows are (id, source_id, target_id)."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, models.ManyToManyField)
    through = field.remote_field.through
    assert through is not None
    assert not isinstance(through, str)
    assert through._meta.pk is not None
    columns = (_column(through._meta.pk), field.m2m_column_name(), field.m2m_reverse_name())
    return TableSpec(through, through._meta.db_table, columns, ())


def _chunks(rows: Sequence[Row], size: int) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _with_constants(rows: Iterable[Row], constants: Row) -> Iterable[Row]:
    if not constants:
        return rows
    return (row + constants for row in rows)


class BulkWriter:
    """Writes row tuples to tables on one connection; `finish` fixes id sequences."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        if connection.vendor not in ("sqlite", "postgresql"):
            raise UnsupportedDatabase(
                f"the demo loader supports SQLite and PostgreSQL, not {connection.vendor}"
            )
        self.connection = connection
        self._models: list[type[models.Model]] = []

    def write(
        self,
        spec: TableSpec,
        rows: Sequence[Row],
        *,
        on_chunk: Callable[[int], object] | None = None,
    ) -> int:
        """Insert all rows; calls on_chunk(n) after every chunk of n rows. Returns the count."""
        if spec.model not in self._models:
            self._models.append(spec.model)
        for chunk in _chunks(rows, CHUNK):
            with self.connection.wrap_database_errors:  # raise django.db.IntegrityError etc.
                if self.connection.vendor == "sqlite":
                    self._sqlite(spec, chunk)
                else:
                    self._copy(spec, chunk)
            if on_chunk is not None:
                on_chunk(len(chunk))
        return len(rows)

    def _sqlite(self, spec: TableSpec, rows: Sequence[Row]) -> None:
        quote = self.connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the models
            quote(spec.table),
            ", ".join(quote(column) for column in spec.columns),
            ", ".join("?" * len(spec.columns)),
        )
        # The DB-API cursor itself: Django's wrapper would log or convert every parameter row.
        raw = self.connection.connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            cursor.executemany(sql, _with_constants(rows, spec.constants))
        finally:
            cursor.close()

    def _copy(self, spec: TableSpec, rows: Sequence[Row]) -> None:
        quote = self.connection.ops.quote_name
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(spec.table), ", ".join(quote(column) for column in spec.columns)
        )
        with self.connection.cursor() as wrapper:
            cursor = wrapper.cursor  # the psycopg 3 cursor
            with cursor.copy(sql) as copy:
                for row in _with_constants(rows, spec.constants):
                    copy.write_row(row)

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the explicit ids (SQLite needs nothing)."""
        statements = self.connection.ops.sequence_reset_sql(no_style(), self._models)
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@contextmanager
def fast_writes(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """SQLite: no fsync and a large page cache while loading, restored afterwards.

    `synchronous` cannot change inside a transaction, so it is left alone when the caller is
    already in one (e.g. a test).
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        outside = not connection.in_atomic_block
        if outside:
            cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if outside:
                cursor.execute(f"PRAGMA synchronous={int(synchronous)}")
            cursor.execute(f"PRAGMA cache_size={int(cache_size)}")


def first_free_ids(tables: Iterable[TableSpec], connection: BaseDatabaseWrapper) -> list[int]:
    """max(id) + 1 per table (1 for an empty one)."""
    result = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for spec in tables:
            cursor.execute(
                f"SELECT MAX({quote(spec.columns[0])}) FROM {quote(spec.table)}"  # noqa: S608
            )
            (current,) = cursor.fetchone()
            result.append((current or 0) + 1)
    return result
