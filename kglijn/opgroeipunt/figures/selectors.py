"""The 002 figures of Opgroeipunt for any period (issue 17 item 7, the fixed JSON).

A period is Brussels dates ``start``..``end`` (inclusive): [start 00:00 Europe/Brussels,
end + 1 day 00:00). It is cut per calendar year, each year clipped to the period. Every figure is
counted by one indexed range query over the whole period, grouped by year slice (cases by
``(kind, received_at)``, decisions by ``(kind, decided_at)``, tracks by
``(started_at, closed_at)``): four queries whatever the number of years. The SQL is written by
hand (portable: PostgreSQL and SQLite): the ORM spent more time building the conditional
aggregates than the database spent counting (bench/opgroeipunt_figures.py). Definitions in
docs/opgroeipunt.md ("Figures").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from kglijn.core.business_calendar import BRUSSELS
from kglijn.opgroeipunt.models import (
    Case,
    CaseKind,
    Decision,
    DecisionKind,
    EnforcementTrack,
)

# The fixed JSON's keys, in its order.
FIGURES = (
    "danger_situations",
    "danger_situations_locations",
    "danger_situations_enforcement_started",
    "admissible_complaints",
    "inspection_enforcement_advices",
    "enforcement_locations",
    "suspension_decisions",
    "revocation_decisions",
    "civil_party_proceedings",
)
MAX_YEARS = 50
_DECISION_FIGURES = {
    "inspection_enforcement_advices": DecisionKind.INSPECTION_ADVICE,
    "suspension_decisions": DecisionKind.SUSPENSION,
    "revocation_decisions": DecisionKind.REVOCATION,
    "civil_party_proceedings": DecisionKind.CIVIL_PARTY,
}


def brussels_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BRUSSELS)


@dataclass(frozen=True)
class YearSlice:
    """One calendar year of the period, clipped: Brussels dates and the [low, high) moments."""

    year: int
    first: dt.date
    last: dt.date
    low: dt.datetime
    high: dt.datetime


def year_slices(*, start: dt.date, end: dt.date) -> list[YearSlice]:
    if end < start:
        raise ValueError("end lies before start")
    slices = []
    for year in range(start.year, end.year + 1):
        first = max(start, dt.date(year, 1, 1))
        last = min(end, dt.date(year, 12, 31))
        slices.append(
            YearSlice(
                year,
                first,
                last,
                brussels_midnight(first),
                brussels_midnight(last + dt.timedelta(days=1)),
            )
        )
    return slices


class _Sql:
    """The period's year slices as SQL: a bucket number and a bucket end per moment column."""

    def __init__(self, slices: list[YearSlice]) -> None:
        adapt = connection.ops.adapt_datetimefield_value
        self.low = adapt(slices[0].low)
        self.high = adapt(slices[-1].high)
        self.lows = [adapt(part.low) for part in slices]
        self.highs = [adapt(part.high) for part in slices]

    def bucket(self, column: str) -> tuple[str, list[Any]]:
        """The index of the year slice ``column`` falls in (the row is known to be in one)."""
        if len(self.highs) == 1:
            return "0", []
        whens = " ".join(f"WHEN {column} < %s THEN {i}" for i in range(len(self.highs) - 1))
        return f"CASE {whens} ELSE {len(self.highs) - 1} END", self.highs[:-1]

    def bucket_end(self, column: str) -> tuple[str, list[Any]]:
        """The end (exclusive) of the year slice ``column`` falls in."""
        if len(self.highs) == 1:
            return "%s", [self.high]
        whens = " ".join(f"WHEN {column} < %s THEN %s" for _ in self.highs[:-1])
        params = [value for high in self.highs[:-1] for value in (high, high)]
        return f"CASE {whens} ELSE %s END", [*params, self.high]


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _case_figures(sql: _Sql) -> dict[tuple[int, str], int]:
    """Danger situations and admissible complaints per (year slice, kind): one query over the
    ``(kind, received_at)`` index."""
    bucket, bucket_params = sql.bucket("received_at")
    rows = _rows(
        f"SELECT {bucket} AS b, kind, COUNT(*) FROM {_table(Case)} "  # noqa: S608 - no input
        "WHERE kind IN (%s, %s) AND received_at >= %s AND received_at < %s "
        "AND (kind = %s OR admissible = %s) GROUP BY 1, 2",
        [
            *bucket_params,
            CaseKind.DANGER,
            CaseKind.COMPLAINT,
            sql.low,
            sql.high,
            CaseKind.DANGER,
            True,
        ],
    )
    return {(int(b), str(kind)): int(count) for b, kind, count in rows}


def _danger_location_figures(sql: _Sql) -> dict[int, tuple[int, int]]:
    """Per year slice: distinct locations linked to its danger cases, and how many of them have
    an ``enforcement_started`` in the same slice on or after such a case's receipt — that is,
    on or after the first such receipt at that location. One query: the period's danger cases
    (index), their links, and the period's starts, joined by hash on the location."""
    bucket, bucket_params = sql.bucket("c.received_at")
    end, end_params = sql.bucket_end("c.received_at")
    links = connection.ops.quote_name(Case.locations.through._meta.db_table)
    if connection.vendor == "postgresql":
        # One index-only probe of the links per danger case; as a plain join the planner
        # hashes all links (1 M rows) for a few thousand danger cases. OFFSET 0 keeps the
        # subquery from being flattened back into that join.
        join = (
            f"CROSS JOIN LATERAL (SELECT l.location_id FROM {links} l "  # noqa: S608
            "WHERE l.case_id = d.id OFFSET 0) cl"
        )
    else:
        join = f"JOIN {links} cl ON cl.case_id = d.id"
    rows = _rows(
        f"""
        WITH d AS (
            SELECT c.id, c.received_at, {bucket} AS b, {end} AS e
            FROM {_table(Case)} c
            WHERE c.kind = %s AND c.received_at >= %s AND c.received_at < %s
        ), p AS (
            SELECT d.b, d.e, cl.location_id, MIN(d.received_at) AS first
            FROM d {join}
            GROUP BY d.b, d.e, cl.location_id
        ), s AS (
            SELECT location_id, decided_at FROM {_table(Decision)}
            WHERE kind = %s AND decided_at >= %s AND decided_at < %s
              AND location_id IS NOT NULL
        ), x AS (
            SELECT DISTINCT p.b, p.location_id FROM p JOIN s ON s.location_id = p.location_id
            WHERE s.decided_at >= p.first AND s.decided_at < p.e
        )
        SELECT p.b, COUNT(*), COUNT(x.location_id)
        FROM p LEFT JOIN x ON x.b = p.b AND x.location_id = p.location_id
        GROUP BY p.b
        """,  # noqa: S608 - table names from the models, values as parameters
        [
            *bucket_params,
            *end_params,
            CaseKind.DANGER,
            sql.low,
            sql.high,
            DecisionKind.ENFORCEMENT_STARTED,
            sql.low,
            sql.high,
        ],
    )
    return {int(b): (int(locations), int(started)) for b, locations, started in rows}


def _decision_figures(sql: _Sql) -> dict[tuple[int, str], int]:
    """Advice, suspension, revocation and civil-party decisions per (year slice, kind): one
    query over the ``(kind, decided_at)`` index."""
    bucket, bucket_params = sql.bucket("decided_at")
    kinds = list(_DECISION_FIGURES.values())
    marks = ", ".join(["%s"] * len(kinds))
    rows = _rows(
        f"SELECT {bucket} AS b, kind, COUNT(*) FROM {_table(Decision)} "  # noqa: S608
        f"WHERE kind IN ({marks}) AND decided_at >= %s AND decided_at < %s GROUP BY 1, 2",
        [*bucket_params, *kinds, sql.low, sql.high],
    )
    return {(int(b), str(kind)): int(count) for b, kind, count in rows}


def _track_figures(sql: _Sql) -> list[int]:
    """Per year slice: distinct locations with a track open on at least one of its days
    (started before its end, not closed before its start). One query over the tracks that
    touch the period."""
    counts = ", ".join(
        "COUNT(DISTINCT CASE WHEN started_at < %s AND (closed_at IS NULL OR closed_at >= %s) "
        "THEN location_id END)"
        for _ in sql.highs
    )
    params = [value for low, high in zip(sql.lows, sql.highs, strict=True) for value in (high, low)]
    (row,) = _rows(
        f"SELECT {counts} FROM {_table(EnforcementTrack)} "  # noqa: S608
        "WHERE started_at < %s AND (closed_at IS NULL OR closed_at >= %s)",
        [*params, sql.high, sql.low],
    )
    return [int(value or 0) for value in row]


def opgroeipunt_figures(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The fixed JSON: ``{"from", "to", "years": {"2022": {figure: count, ...}, ...}}``."""
    if end < start:
        raise ValueError("end lies before start")
    if end.year - start.year >= MAX_YEARS:
        raise ValueError(f"choose a period of at most {MAX_YEARS} years")
    slices = year_slices(start=start, end=end)
    sql = _Sql(slices)
    with transaction.atomic():  # SET LOCAL lasts until the end of the transaction
        if connection.vendor == "postgresql":
            # Compiling these short queries (JIT, from a plan cost of 100,000) costs more than
            # running them.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        cases = _case_figures(sql)
        danger = _danger_location_figures(sql)
        decisions = _decision_figures(sql)
        tracks = _track_figures(sql)
    years: dict[str, dict[str, int]] = {}
    for b, part in enumerate(slices):
        locations, started = danger.get(b, (0, 0))
        years[str(part.year)] = {
            "danger_situations": cases.get((b, CaseKind.DANGER), 0),
            "danger_situations_locations": locations,
            "danger_situations_enforcement_started": started,
            "admissible_complaints": cases.get((b, CaseKind.COMPLAINT), 0),
            "inspection_enforcement_advices": decisions.get((b, DecisionKind.INSPECTION_ADVICE), 0),
            "enforcement_locations": tracks[b],
            "suspension_decisions": decisions.get((b, DecisionKind.SUSPENSION), 0),
            "revocation_decisions": decisions.get((b, DecisionKind.REVOCATION), 0),
            "civil_party_proceedings": decisions.get((b, DecisionKind.CIVIL_PARTY), 0),
        }
    return {"from": start.isoformat(), "to": end.isoformat(), "years": years}
