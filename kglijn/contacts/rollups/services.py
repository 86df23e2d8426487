"""Maintain the rollup tables (ADR 0005): rebuild, refresh of given days, ±1 deltas, check.

Two grains per table: a row per Brussels day and a row per month (the sum of that month's day
rows). Aggregation from contacts is set-based SQL (INSERT … SELECT … GROUP BY) over UTC ranges on
the indexed `received_at`; the Brussels date and hour come from Django's per-backend time-zone
SQL (PostgreSQL `AT TIME ZONE`, SQLite Django's registered functions).

The contact services call `contact_rollup_state` before and after a change and
`rollups_apply_change` with both, in their own transaction: the affected keys move by ±1 with an
upsert, which is O(1) and safe under concurrent writers.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import ManyToManyField, Max, Min, Model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kglijn.contacts.models import Contact
from kglijn.contacts.rollups.models import (
    ContactHourRollup,
    ContactReasonRollup,
    ContactReferralRollup,
    ContactRollup,
    Grain,
)
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.numbers import format_nl
from kglijn.core.periods import month_end, month_start

Key = tuple[Any, ...]


@dataclass(frozen=True)
class RollupSpec:
    """One rollup table: its key columns after (grain, day) and where they come from."""

    model: type[Model]
    # Key columns after (grain, day), in the order of the unique constraint's columns.
    columns: tuple[str, ...]
    # The M2M of Contact whose through rows multiply the contact (reasons / referrals), if any.
    m2m: str | None = None

    @property
    def table(self) -> str:
        return self.model._meta.db_table


SPECS: tuple[RollupSpec, ...] = (
    RollupSpec(
        ContactRollup,
        ("channel", "direction", "origin", "office", "province", "topic", "anonymous"),
    ),
    RollupSpec(ContactHourRollup, ("hour", "channel", "direction", "office")),
    RollupSpec(
        ContactReasonRollup,
        ("reason_id", "channel", "direction", "office", "province", "topic"),
        m2m="reasons",
    ),
    RollupSpec(
        ContactReferralRollup,
        ("referral_id", "channel", "direction", "office", "province", "topic"),
        m2m="referrals",
    ),
)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def brussels_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BRUSSELS).date()


def day_bounds_utc(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in aware datetimes covering the Brussels days first..last inclusive."""
    start = dt.datetime.combine(first, dt.time(), BRUSSELS)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), BRUSSELS)
    return start, end


def _year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)


def _runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days merged into inclusive (first, last) runs."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _date_param(day: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _datetime_param(moment: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


# --- set-based aggregation from contacts --------------------------------------------------


def _source_select(
    spec: RollupSpec, grain_value: str, *, new: NewContacts | None = None
) -> tuple[str, list[Any]]:
    """SELECT of (grain, day, columns…, contacts) from contacts in [%s, %s) of received_at, or,
    with `new`, from the new contacts listed there (no parameters to add)."""
    contact = Contact._meta.db_table
    received = f"c.{_q('received_at')}"
    day_sql, day_params = connection.ops.datetime_cast_date_sql(received, (), "Europe/Brussels")
    select: list[str] = ["%s", day_sql]
    params: list[Any] = [grain_value, *day_params]
    join = ""
    for column in spec.columns:
        if column == "hour":
            hour_sql, hour_params = connection.ops.datetime_extract_sql(
                "hour", received, (), "Europe/Brussels"
            )
            select.append(hour_sql)
            params.extend(hour_params)
        elif column in ("reason_id", "referral_id"):
            assert spec.m2m is not None
            m2m = Contact._meta.get_field(spec.m2m)
            assert isinstance(m2m, ManyToManyField)
            through = m2m.remote_field.through
            assert through is not None
            assert not isinstance(through, str)
            link = f"m.{_q(m2m.m2m_column_name())}"
            join = f" JOIN {_q(through._meta.db_table)} m ON {link} = c.{_q('id')}"
            if new is not None:
                join += f" AND {link} BETWEEN {new.first_id:d} AND {new.last_id:d}"
            select.append(f"m.{_q(m2m.m2m_reverse_name())}")
        else:
            select.append(f"c.{_q(column)}")
    group = ", ".join(str(position) for position in range(2, len(select) + 1))
    if new is None:
        where = f"WHERE {received} >= %s AND {received} < %s"
    else:
        # The id range keeps the scans of contacts and links to the new ones' neighbourhood:
        # the cost does not grow with the register.
        if not new.dense:
            join = f" JOIN {_q(new.ids_table)} i ON i.{_q('id')} = c.{_q('id')}{join}"
        where = f"WHERE c.{_q('id')} BETWEEN {new.first_id:d} AND {new.last_id:d}"
    sql = (
        f"SELECT {', '.join(select)}, COUNT(*) FROM {_q(contact)} c{join} "  # noqa: S608
        f"{where} GROUP BY {group}"
    )
    return sql, params


def _insert_columns(spec: RollupSpec) -> str:
    return ", ".join(_q(name) for name in ("grain", "day", *spec.columns, "contacts"))


def _aggregate_days(spec: RollupSpec, first: dt.date, last: dt.date) -> None:
    """Insert the day rows of first..last (inclusive) from the contacts (rows must be absent)."""
    start, end = day_bounds_utc(first, last)
    select, params = _source_select(spec, Grain.DAY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_q(spec.table)} ({_insert_columns(spec)}) {select}",
            [*params, _datetime_param(start), _datetime_param(end)],
        )


def _aggregate_month(spec: RollupSpec, month: dt.date) -> None:
    """Insert the month row(s) of `month` as the sum of its day rows (rows must be absent)."""
    columns = ", ".join(_q(name) for name in spec.columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_q(spec.table)} ({_insert_columns(spec)}) "  # noqa: S608
            f"SELECT %s, %s, {columns}, SUM({_q('contacts')}) FROM {_q(spec.table)} "
            f"WHERE {_q('grain')} = %s AND {_q('day')} >= %s AND {_q('day')} <= %s "
            f"GROUP BY {columns} HAVING SUM({_q('contacts')}) <> 0",
            [
                Grain.MONTH,
                _date_param(month),
                Grain.DAY,
                _date_param(month),
                _date_param(month_end(month)),
            ],
        )


def _aggregate_year(spec: RollupSpec, year: int) -> None:
    """Insert the year row(s) of `year` as the sum of its month rows (rows must be absent)."""
    columns = ", ".join(_q(name) for name in spec.columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_q(spec.table)} ({_insert_columns(spec)}) "  # noqa: S608
            f"SELECT %s, %s, {columns}, SUM({_q('contacts')}) FROM {_q(spec.table)} "
            f"WHERE {_q('grain')} = %s AND {_q('day')} >= %s AND {_q('day')} <= %s "
            f"GROUP BY {columns} HAVING SUM({_q('contacts')}) <> 0",
            [
                Grain.YEAR,
                _date_param(dt.date(year, 1, 1)),
                Grain.MONTH,
                _date_param(dt.date(year, 1, 1)),
                _date_param(dt.date(year, 12, 1)),
            ],
        )


def add_missing_year_rows() -> None:
    """(Re)build the year rows of every year that has month rows (the year grain came later)."""
    with transaction.atomic():
        for spec in SPECS:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT DISTINCT {_q('day')} FROM {_q(spec.table)} "  # noqa: S608
                    f"WHERE {_q('grain')} = %s",
                    [Grain.MONTH],
                )
                years = sorted({_as_date(row[0]).year for row in cursor.fetchall()})
            for year in years:
                _delete_range(spec, Grain.YEAR, dt.date(year, 1, 1), dt.date(year, 1, 1))
                _aggregate_year(spec, year)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _delete_range(spec: RollupSpec, grain: str, first: dt.date, last: dt.date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_q(spec.table)} WHERE {_q('grain')} = %s "  # noqa: S608
            f"AND {_q('day')} >= %s AND {_q('day')} <= %s",
            [grain, _date_param(first), _date_param(last)],
        )


def _months(runs: Sequence[tuple[dt.date, dt.date]]) -> list[dt.date]:
    months: set[dt.date] = set()
    for first, last in runs:
        month = month_start(first)
        while month <= last:
            months.add(month)
            month = month_end(month) + dt.timedelta(days=1)
    return sorted(months)


def rollups_refresh(*, days: Iterable[dt.date]) -> None:
    """Recompute exactly the day rows of these Brussels days, and the month and year rows of
    their months and years, from the contacts. Idempotent; one transaction."""
    runs = _runs(days)
    if not runs:
        return
    months = _months(runs)
    with transaction.atomic():
        for spec in SPECS:
            for first, last in runs:
                _delete_range(spec, Grain.DAY, first, last)
                _aggregate_days(spec, first, last)
            for month in months:
                _delete_range(spec, Grain.MONTH, month, month)
                _aggregate_month(spec, month)
            for year in sorted({month.year for month in months}):
                _delete_range(spec, Grain.YEAR, dt.date(year, 1, 1), dt.date(year, 1, 1))
                _aggregate_year(spec, year)


def _contact_day_span() -> tuple[dt.date, dt.date] | None:
    span = Contact.objects.aggregate(low=Min("received_at"), high=Max("received_at"))
    if span["low"] is None:
        return None
    return brussels_day(span["low"]), brussels_day(span["high"])


def _year_runs(first: dt.date, last: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    for year in range(first.year, last.year + 1):
        yield max(first, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31))


def rollups_rebuild(*, progress: bool = False) -> None:
    """Every rollup row from scratch out of the contacts (one transaction, set-based SQL)."""
    span = _contact_day_span()
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # TRUNCATE (transactional in PostgreSQL) leaves no dead rows for reports to scan
                # past. It refuses tables with pending deferred FK checks from this transaction:
                # run those checks now, then return to Django's default (deferred).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {', '.join(_q(spec.table) for spec in SPECS)}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for spec in SPECS:
                    cursor.execute(f"DELETE FROM {_q(spec.table)}")  # noqa: S608
        if span is None:
            return
        # Per year: keeps each statement's sort within memory on large registers.
        for first, last in _year_runs(*span):
            if progress:
                print(f"rollups {first.year}…", file=sys.stderr, flush=True)
            for spec in SPECS:
                _aggregate_days(spec, first, last)
                for month in _months([(first, last)]):
                    _aggregate_month(spec, month)
                _aggregate_year(spec, first.year)
        if connection.vendor == "postgresql":
            # Fresh statistics, else the planner expects a handful of rows and sorts ~20 k
            # text keys per report instead of hashing them (measured: 85 ms -> 30 ms at 1 M).
            with connection.cursor() as cursor:
                for spec in SPECS:
                    cursor.execute(f"ANALYZE {_q(spec.table)}")


# --- incremental deltas -------------------------------------------------------------------


@dataclass(frozen=True)
class RollupState:
    """What the rollups know of one contact: its rolled-up dimension values."""

    received_at: dt.datetime
    channel: str
    direction: str
    origin: str
    office: str
    province: str
    topic: str
    anonymous: bool
    reason_ids: frozenset[int]
    referral_ids: frozenset[int]

    def keys(self) -> dict[type[Model], list[Key]]:
        local = self.received_at.astimezone(BRUSSELS)
        day = local.date()
        result: dict[type[Model], list[Key]] = {spec.model: [] for spec in SPECS}
        for grain, period in (
            (Grain.DAY, day),
            (Grain.MONTH, month_start(day)),
            (Grain.YEAR, _year_start(day)),
        ):
            head = (str(grain), period)
            result[ContactRollup].append(
                (
                    *head,
                    self.channel,
                    self.direction,
                    self.origin,
                    self.office,
                    self.province,
                    self.topic,
                    self.anonymous,
                )
            )
            result[ContactHourRollup].append(
                (*head, local.hour, self.channel, self.direction, self.office)
            )
            tail = (self.channel, self.direction, self.office, self.province, self.topic)
            result[ContactReasonRollup].extend(
                (*head, reason, *tail) for reason in sorted(self.reason_ids)
            )
            result[ContactReferralRollup].extend(
                (*head, referral, *tail) for referral in sorted(self.referral_ids)
            )
        return result


def contact_rollup_state(
    *,
    contact: Contact,
    reason_ids: Iterable[int] | None = None,
    referral_ids: Iterable[int] | None = None,
) -> RollupState:
    """The contact's rolled-up values; reads its reasons and referrals unless given."""
    if reason_ids is None:
        reason_ids = contact.reasons.values_list("pk", flat=True)
    if referral_ids is None:
        referral_ids = contact.referrals.values_list("pk", flat=True)
    return RollupState(
        received_at=contact.received_at,
        channel=contact.channel,
        direction=contact.direction,
        origin=contact.origin,
        office=contact.office,
        province=contact.province,
        topic=contact.topic,
        anonymous=contact.anonymous,
        reason_ids=frozenset(reason_ids),
        referral_ids=frozenset(referral_ids),
    )


def _upsert(spec: RollupSpec, key: Key, delta: int) -> None:
    columns = ("grain", "day", *spec.columns)
    names = ", ".join(_q(name) for name in columns)
    placeholders = ", ".join(["%s"] * (len(columns) + 1))
    table = _q(spec.table)
    params = [key[0], _date_param(key[1]), *key[2:], delta]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}, {_q('contacts')}) VALUES ({placeholders}) "  # noqa: S608
            f"ON CONFLICT ({names}) DO UPDATE SET {_q('contacts')} = "
            f"{table}.{_q('contacts')} + EXCLUDED.{_q('contacts')}",
            params,
        )
        if delta < 0:
            where = " AND ".join(f"{_q(name)} = %s" for name in columns)
            cursor.execute(
                f"DELETE FROM {table} WHERE {where} AND {_q('contacts')} = 0",  # noqa: S608
                params[:-1],
            )


def rollups_apply_change(*, before: RollupState | None, after: RollupState | None) -> None:
    """Move the rollups from `before` to `after` for one contact (None = absent): -1 on the
    keys only before has, +1 on those only after has. Call inside the writing transaction."""
    old = before.keys() if before is not None else {}
    new = after.keys() if after is not None else {}
    for spec in SPECS:
        delta: Counter[Key] = Counter(new.get(spec.model, []))
        delta.subtract(old.get(spec.model, []))
        for key, change in sorted(delta.items(), key=lambda item: repr(item[0])):
            if change:
                _upsert(spec, key, change)


@dataclass(frozen=True)
class NewContacts:
    """The contacts a bulk insert added: their ids in a temporary table (column `id`) and the
    smallest and largest of them."""

    ids_table: str
    first_id: int
    last_id: int
    count: int

    @property
    def dense(self) -> bool:
        """Every id from first to last is a new contact (ids are unique): the range alone
        picks them, no join with the ids table is needed."""
        return self.last_id - self.first_id + 1 == self.count


NEW_IDS_TABLE = "kglijn_new_contact_ids"


def new_ids_table_create() -> str:
    """An empty temporary table (column `id`) for the ids of contacts a bulk insert adds."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_q(NEW_IDS_TABLE)}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_q(NEW_IDS_TABLE)} ({_q('id')} bigint)")
    return NEW_IDS_TABLE


def new_ids_table_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_q(NEW_IDS_TABLE)}")


def _period_start_sql(grain: str) -> str:
    """SQL for the first day of the month / year of the date column `day`."""
    unit = {Grain.MONTH: "month", Grain.YEAR: "year"}[Grain(grain)]
    if connection.vendor == "postgresql":
        return f"CAST(DATE_TRUNC('{unit}', {_q('day')}) AS date)"
    return f"date({_q('day')}, 'start of {unit}')"


def rollups_add_new_contacts(new: NewContacts) -> int:
    """Add the contacts copied in `new` to every rollup, set-based, in the caller's
    transaction; returns the rollup rows written or added to.

    Only for contacts that are NEW to the register (a bulk insert that skips existing ids):
    adding contacts already rolled up would count them twice. Cost O(new contacts), whatever
    the register holds: their day sums are grouped once into a temporary table, and the day,
    month and year rows are upserted from those sums.
    """
    touched = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Sums and sorts of a million rows fit in memory instead of spilling to disk with
            # the default 4 MB (until the end of the transaction only).
            cursor.execute("SET LOCAL work_mem = '256MB'")
        for spec in SPECS:
            key = ", ".join(_q(name) for name in ("grain", "day", *spec.columns))
            columns = ", ".join(_q(name) for name in spec.columns)
            contacts = _q("contacts")
            table = _q(spec.table)
            upsert = (
                f"ON CONFLICT ({key}) DO UPDATE SET {contacts} = "
                f"{table}.{contacts} + EXCLUDED.{contacts}"
            )
            # Day sums from the contacts, month sums from the day sums, year sums from the
            # month sums: each in a temporary table, upserted in key order (the unique index
            # then grows mostly at its end).
            coarser: str | None = None
            for grain in (Grain.DAY, Grain.MONTH, Grain.YEAR):
                sums = _q(f"kglijn_new_sums_{grain}")
                cursor.execute(f"DROP TABLE IF EXISTS {sums}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {sums} AS SELECT {key}, {contacts} "  # noqa: S608
                    f"FROM {table} WHERE 1 = 0"
                )
                if coarser is None:
                    select, params = _source_select(spec, Grain.DAY, new=new)
                else:
                    select = (
                        f"SELECT %s, {_period_start_sql(grain)}, {columns}, "  # noqa: S608
                        f"SUM({contacts}) FROM {coarser} GROUP BY 2, {columns}"
                    )
                    params = [str(grain)]
                cursor.execute(f"INSERT INTO {sums} ({key}, {contacts}) {select}", params)
                cursor.execute(
                    f"INSERT INTO {table} ({key}, {contacts}) "  # noqa: S608
                    f"SELECT {key}, {contacts} FROM {sums} WHERE 1 = 1 ORDER BY {key} {upsert}"
                )
                touched += cursor.rowcount
                if coarser is not None:
                    cursor.execute(f"DROP TABLE {coarser}")
                coarser = sums
            cursor.execute(f"DROP TABLE {coarser}")
        if connection.vendor == "postgresql" and touched > 10_000:
            # Fresh statistics, or the planner keeps plans made for nearly empty tables (a
            # 1 M-row import then made the yearly report 2.6x slower until autovacuum ran).
            for spec in SPECS:
                cursor.execute(f"ANALYZE {_q(spec.table)}")
    return touched


# --- consistency check --------------------------------------------------------------------


def _rows(sql: str, params: Sequence[Any]) -> dict[Key, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {_normalise(row[:-1]): int(row[-1]) for row in cursor.fetchall()}


def _normalise(key: Sequence[Any]) -> Key:
    values: list[Any] = []
    for value in key:
        if isinstance(value, dt.datetime):
            value = value.date()
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            value = dt.date.fromisoformat(value)
        elif isinstance(value, bool | float | Decimal):
            value = int(value)
        values.append(value)
    return tuple(values)


def _describe(spec: RollupSpec, key: Key) -> str:
    names = ("grain", "day", *spec.columns)
    return ", ".join(f"{name}={value}" for name, value in zip(names, key, strict=True))


def _orphans() -> list[str]:
    """References of contacts and their links that point at no row. PostgreSQL checks these
    per statement without row locks (contacts migration 0004, ADR 0006), so a reference written
    while its target was deleted in another transaction would show here."""
    references: list[tuple[str, str, str]] = []
    for field in Contact._meta.concrete_fields:
        if field.is_relation and field.column is not None and field.related_model is not None:
            references.append(
                (Contact._meta.db_table, field.column, field.related_model._meta.db_table)
            )
    for name in ("reasons", "referrals"):
        m2m = Contact._meta.get_field(name)
        assert isinstance(m2m, ManyToManyField)
        through = m2m.remote_field.through
        assert through is not None
        assert not isinstance(through, str)
        references.append((through._meta.db_table, m2m.m2m_column_name(), Contact._meta.db_table))
        target = m2m.related_model
        assert not isinstance(target, str)
        references.append((through._meta.db_table, m2m.m2m_reverse_name(), target._meta.db_table))
    problems = []
    with connection.cursor() as cursor:
        for table, column, parent in references:
            cursor.execute(
                f"SELECT COUNT(*) FROM {_q(table)} t WHERE t.{_q(column)} IS NOT NULL "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {_q(parent)} p WHERE p.{_q('id')} = t.{_q(column)})"
            )
            (count,) = cursor.fetchone()
            if count:
                problems.append(
                    ngettext(
                        "%(column)s: %(count)s row refers to no row of %(parent)s",
                        "%(column)s: %(count)s rows refer to no row of %(parent)s",
                        count,
                    )
                    % {"column": f"{table}.{column}", "count": format_nl(count), "parent": parent}
                )
    return problems


def rollups_check() -> list[str]:
    """Differences between the rollups and a fresh aggregate of the contacts, and references
    of contacts or links to missing rows (empty = exact)."""
    problems: list[str] = _orphans()
    span = _contact_day_span()
    for spec in SPECS:
        stored = _rows(
            f"SELECT {_q('grain')}, {_q('day')}, "  # noqa: S608
            f"{', '.join(_q(c) for c in spec.columns)}, {_q('contacts')} FROM {_q(spec.table)} "
            f"WHERE {_q('contacts')} <> 0",
            [],
        )
        fresh: dict[Key, int] = {}
        if span is not None:
            for first, last in _year_runs(*span):
                start, end = day_bounds_utc(first, last)
                select, params = _source_select(spec, Grain.DAY)
                fresh.update(_rows(select, [*params, _datetime_param(start), _datetime_param(end)]))
        coarser: Counter[Key] = Counter()
        for key, count in fresh.items():
            coarser[(str(Grain.MONTH), month_start(key[1]), *key[2:])] += count
            coarser[(str(Grain.YEAR), _year_start(key[1]), *key[2:])] += count
        fresh.update({key: count for key, count in coarser.items() if count})
        for key in sorted(set(stored) | set(fresh), key=repr):
            have, want = stored.get(key, 0), fresh.get(key, 0)
            if have != want:
                problems.append(
                    _("%(table)s [%(key)s]: rollup %(have)s, contacts %(want)s")
                    % {
                        "table": spec.table,
                        "key": _describe(spec, key),
                        "have": format_nl(have),
                        "want": format_nl(want),
                    }
                )
    return problems
