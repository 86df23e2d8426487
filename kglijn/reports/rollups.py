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

from kglijn.contacts.models import Contact
from kglijn.core.business_calendar import BRUSSELS
from kglijn.reports.models import (
    ContactHourRollup,
    ContactReasonRollup,
    ContactReferralRollup,
    ContactRollup,
    Grain,
)

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


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


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


def _source_select(spec: RollupSpec, grain_value: str) -> tuple[str, list[Any]]:
    """SELECT of (grain, day, columns…, contacts) from contacts in [%s, %s) of received_at."""
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
            join = (
                f" JOIN {_q(through._meta.db_table)} m"
                f" ON m.{_q(m2m.m2m_column_name())} = c.{_q('id')}"
            )
            select.append(f"m.{_q(m2m.m2m_reverse_name())}")
        else:
            select.append(f"c.{_q(column)}")
    group = ", ".join(str(position) for position in range(2, len(select) + 1))
    sql = (
        f"SELECT {', '.join(select)}, COUNT(*) FROM {_q(contact)} c{join} "  # noqa: S608
        f"WHERE {received} >= %s AND {received} < %s GROUP BY {group}"
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
                _date_param(_month_end(month)),
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
        month = _month_start(first)
        while month <= last:
            months.add(month)
            month = _month_end(month) + dt.timedelta(days=1)
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
            (Grain.MONTH, _month_start(day)),
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


class RollupAccumulator:
    """Sums the rollup keys of contacts that are NEW to the register (a bulk insert), so they can
    be added to the rollups in one batch: cost O(new contacts), whatever the register holds.

    Only for rows that did not exist before (an importer that skips existing ids): adding keys
    of contacts already rolled up would count them twice.
    """

    def __init__(self) -> None:
        self._days: dict[type[Model], Counter[Key]] = {spec.model: Counter() for spec in SPECS}

    def add_columns(
        self,
        *,
        received_at: Sequence[dt.datetime],
        channel: Sequence[str],
        direction: Sequence[str],
        origin: Sequence[str],
        office: Sequence[str],
        province: Sequence[str],
        topic: Sequence[str],
        anonymous: Sequence[bool],
        reason_ids: Sequence[Iterable[int]],
        referral_ids: Sequence[Iterable[int]],
    ) -> None:
        main = self._days[ContactRollup]
        hourly = self._days[ContactHourRollup]
        by_reason = self._days[ContactReasonRollup]
        by_referral = self._days[ContactReferralRollup]
        for index, moment in enumerate(received_at):
            local = moment.astimezone(BRUSSELS)
            day = local.date()
            ch, di, of, pr, to = (
                channel[index],
                direction[index],
                office[index],
                province[index],
                topic[index],
            )
            main[(day, ch, di, origin[index], of, pr, to, anonymous[index])] += 1
            hourly[(day, local.hour, ch, di, of)] += 1
            for reason in reason_ids[index]:
                by_reason[(day, reason, ch, di, of, pr, to)] += 1
            for referral in referral_ids[index]:
                by_referral[(day, referral, ch, di, of, pr, to)] += 1

    def apply(self) -> int:
        """Add the sums to the day and month rows (upserts); returns the rows touched."""
        touched = 0
        for spec in SPECS:
            days = self._days[spec.model]
            months: Counter[Key] = Counter()
            years: Counter[Key] = Counter()
            for (day, *rest), count in days.items():
                months[(_month_start(day), *rest)] += count
                years[(_year_start(day), *rest)] += count
            for grain, counts in ((Grain.DAY, days), (Grain.MONTH, months), (Grain.YEAR, years)):
                touched += _upsert_many(spec, str(grain), counts)
            days.clear()
        if connection.vendor == "postgresql" and touched > 10_000:
            # Fresh statistics, or the planner keeps plans made for nearly empty tables (a
            # 1 M-row import then made the yearly report 2.6x slower until autovacuum ran).
            with connection.cursor() as cursor:
                for spec in SPECS:
                    cursor.execute(f"ANALYZE {_q(spec.table)}")
        return touched


def _upsert_many(spec: RollupSpec, grain: str, counts: Counter[Key]) -> int:
    if not counts:
        return 0
    columns = ("grain", "day", *spec.columns)
    names = ", ".join(_q(name) for name in columns)
    placeholders = ", ".join(["%s"] * (len(columns) + 1))
    table = _q(spec.table)
    sql = (
        f"INSERT INTO {table} ({names}, {_q('contacts')}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({names}) DO UPDATE SET {_q('contacts')} = "
        f"{table}.{_q('contacts')} + EXCLUDED.{_q('contacts')}"
    )
    rows = [
        [grain, _date_param(day), *rest, count] for (day, *rest), count in counts.items() if count
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 1_000:
            # Set-based: COPY the sums into a temporary table, then one INSERT … ON CONFLICT.
            # Row-by-row upserts run at ~15 k rows/s; this at several times that.
            staging = _q(f"staging_{spec.table}")
            all_names = f"{names}, {_q('contacts')}"
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {all_names} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {staging} ({all_names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({all_names}) SELECT {all_names} FROM {staging} "  # noqa: S608
                f"ON CONFLICT ({names}) DO UPDATE SET {_q('contacts')} = "
                f"{table}.{_q('contacts')} + EXCLUDED.{_q('contacts')}"
            )
            cursor.execute(f"DROP TABLE {staging}")
        else:
            for start in range(0, len(rows), 10_000):
                cursor.executemany(sql, rows[start : start + 10_000])
    return len(rows)


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


def rollups_check() -> list[str]:
    """Differences between the rollups and a fresh aggregate of the contacts (empty = exact)."""
    problems: list[str] = []
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
            coarser[(str(Grain.MONTH), _month_start(key[1]), *key[2:])] += count
            coarser[(str(Grain.YEAR), _year_start(key[1]), *key[2:])] += count
        fresh.update({key: count for key, count in coarser.items() if count})
        for key in sorted(set(stored) | set(fresh), key=repr):
            have, want = stored.get(key, 0), fresh.get(key, 0)
            if have != want:
                problems.append(
                    f"{spec.table} [{_describe(spec, key)}]: rollup {have}, contacts {want}"
                )
    return problems
