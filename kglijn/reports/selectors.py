"""The yearly report (the contract in shared/docs/architecture.md), read only from rollups.

A period is cut per calendar year, then per month: whole months read the month rows, a partial
month reads the day rows of its covered days, or, when more than half of it is covered, the month
row minus the day rows of the days left out. So a report reads at most ~15 day rows' worth of
keys per edge month and one row per key per whole month, whatever the number of contacts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from kglijn.contacts.models import Channel, Direction, Reason, ReferralOrganisation, Topic
from kglijn.contacts.rollups.models import (
    ContactReasonRollup,
    ContactReferralRollup,
    ContactRollup,
    Grain,
)
from kglijn.core.periods import month_end, month_start
from kglijn.core.provinces import UNREGISTERED, Province

# The JSON contract's orders and names.
CHANNELS = ("chat", "phone", "email")
PROVINCE_KEYS = (*Province.values, "unregistered")
TOPICS = (Topic.CHILDCARE.value, Topic.FAMILY_SUPPORT.value)
TOP_REFERRALS = 10


@dataclass(frozen=True)
class Segment:
    """Rollup rows of one grain with day in [first, last], added (+1) or subtracted (-1)."""

    grain: str
    first: dt.date
    last: dt.date
    sign: int = 1


def period_segments(*, first: dt.date, last: dt.date) -> list[Segment]:
    """Segments whose signed sum is exactly the Brussels days first..last (inclusive)."""
    segments: list[Segment] = []
    month = month_start(first)
    while month <= last:
        end = month_end(month)
        low, high = max(first, month), min(last, end)
        covered = (high - low).days + 1
        length = (end - month).days + 1
        if covered == length:
            previous = segments[-1] if segments else None
            if previous and previous.grain == Grain.MONTH and previous.sign == 1:
                segments[-1] = Segment(Grain.MONTH, previous.first, month)
            else:
                segments.append(Segment(Grain.MONTH, month, month))
        elif covered <= length - covered:
            segments.append(Segment(Grain.DAY, low, high))
        else:
            segments.append(Segment(Grain.MONTH, month, month))
            if low > month:
                segments.append(Segment(Grain.DAY, month, low - dt.timedelta(days=1), -1))
            if high < end:
                segments.append(Segment(Grain.DAY, high + dt.timedelta(days=1), end, -1))
        month = end + dt.timedelta(days=1)
    return segments


def _year_segments(first: dt.date, last: dt.date) -> list[Segment]:
    """Segments for first..last within one calendar year, reading the fewest rows: a year row
    (12x fewer than month rows) when more than half the year is covered — minus the months and
    days left out — else months and days (period_segments)."""
    jan1, dec31 = dt.date(first.year, 1, 1), dt.date(first.year, 12, 31)
    covered = (last - first).days + 1
    if covered * 2 <= (dec31 - jan1).days + 1:
        return period_segments(first=first, last=last)
    segments = [Segment(Grain.YEAR, jan1, jan1)]
    left_out = []
    if first > jan1:
        left_out += period_segments(first=jan1, last=first - dt.timedelta(days=1))
    if last < dec31:
        left_out += period_segments(first=last + dt.timedelta(days=1), last=dec31)
    return segments + [Segment(s.grain, s.first, s.last, -s.sign) for s in left_out]


def year_spans(*, date_from: dt.date, date_to: dt.date) -> list[tuple[int, dt.date, dt.date]]:
    """(year, first, last) per calendar year of the period, clipped to it."""
    if date_to < date_from:
        raise ValueError("date_to lies before date_from")
    return [
        (year, max(date_from, dt.date(year, 1, 1)), min(date_to, dt.date(year, 12, 31)))
        for year in range(date_from.year, date_to.year + 1)
    ]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _rollup_sums(
    *,
    model: type[ContactRollup] | type[ContactReasonRollup] | type[ContactReferralRollup],
    columns: tuple[str, ...],
    segments: list[Segment],
    where: str = "",
    where_params: tuple[Any, ...] = (),
) -> list[tuple[Any, ...]]:
    """(year, *columns, signed sum) over the segments, grouped by year and the columns."""
    conditions: list[str] = []
    negative: list[str] = []
    params: list[Any] = []
    negative_params: list[Any] = []
    for segment in segments:
        condition = f"({_q('grain')} = %s AND {_q('day')} >= %s AND {_q('day')} <= %s)"
        values = [
            segment.grain,
            connection.ops.adapt_datefield_value(segment.first),
            connection.ops.adapt_datefield_value(segment.last),
        ]
        conditions.append(condition)
        params.extend(values)
        if segment.sign < 0:
            negative.append(condition)
            negative_params.extend(values)
    year_sql, year_params = connection.ops.date_extract_sql("year", _q("day"), ())
    contacts = _q("contacts")
    signed = (
        f"CASE WHEN {' OR '.join(negative)} THEN -{contacts} ELSE {contacts} END"
        if negative
        else contacts
    )
    names = ", ".join(_q(column) for column in columns)
    group = ", ".join(str(position) for position in range(1, len(columns) + 2))
    sql = (
        f"SELECT {year_sql}, {names}, SUM({signed}) FROM {_q(model._meta.db_table)} "  # noqa: S608
        f"WHERE ({' OR '.join(conditions)}){where} GROUP BY {group}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*year_params, *negative_params, *params, *where_params])
        return [(int(row[0]), *row[1:-1], int(row[-1])) for row in cursor.fetchall()]


def _shares(counts: dict[str, int], keys: tuple[str, ...]) -> dict[str, float]:
    total = sum(counts.get(key, 0) for key in keys)
    if total == 0:
        return dict.fromkeys(keys, 0.0)
    return {key: round(100 * counts.get(key, 0) / total, 2) for key in keys}


def yearly_report(*, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """The yearly report as the JSON contract's dict, from the rollups only (3 + 2 queries).

    `date_from`/`date_to` are inclusive Brussels dates; one entry per calendar year, clipped.
    """
    spans = year_spans(date_from=date_from, date_to=date_to)
    segments = [segment for _year, first, last in spans for segment in _year_segments(first, last)]
    incoming: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    outgoing: dict[int, int] = defaultdict(int)
    provinces: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    topics: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for year, direction, channel, province, topic, count in _rollup_sums(
        model=ContactRollup,
        columns=("direction", "channel", "province", "topic"),
        segments=segments,
    ):
        if direction == Direction.OUT:
            outgoing[year] += count
            continue
        incoming[year][channel] += count
        provinces[year][province or "unregistered"] += count
        if topic:
            topics[year][topic] += count
    incoming_only = f" AND {_q('direction')} = %s"
    reasons: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for year, reason_id, count in _rollup_sums(
        model=ContactReasonRollup,
        columns=("reason_id",),
        segments=segments,
        where=incoming_only,
        where_params=(Direction.IN.value,),
    ):
        reasons[year][reason_id] += count
    referrals: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for year, referral_id, count in _rollup_sums(
        model=ContactReferralRollup,
        columns=("referral_id",),
        segments=segments,
        where=incoming_only,
        where_params=(Direction.IN.value,),
    ):
        referrals[year][referral_id] += count
    reason_ids = {rid for counts in reasons.values() for rid in counts}
    referral_ids = {rid for counts in referrals.values() for rid in counts}
    reason_codes = dict(Reason.objects.filter(pk__in=reason_ids).values_list("pk", "code"))
    referral_info = {
        pk: (code, name)
        for pk, code, name in ReferralOrganisation.objects.filter(pk__in=referral_ids).values_list(
            "pk", "code", "name"
        )
    }

    years: dict[str, Any] = {}
    for year, _first, _last in spans:
        channel_counts = {channel: incoming[year].get(channel, 0) for channel in CHANNELS}
        reason_counts = sorted(
            ((reason_codes[rid], count) for rid, count in reasons[year].items() if count),
            key=lambda item: (-item[1], item[0]),
        )
        referral_rows = sorted(
            (
                (referral_info[rid][0], referral_info[rid][1], count)
                for rid, count in referrals[year].items()
                if count
            ),
            key=lambda item: (-item[2], item[0]),
        )
        years[str(year)] = {
            "incoming": {**channel_counts, "total": sum(channel_counts.values())},
            "outgoing": outgoing.get(year, 0),
            "province_share_pct": _shares(provinces[year], PROVINCE_KEYS),
            "topic_share_pct": _shares(topics[year], TOPICS),
            "top_referrals": [
                {"code": code, "name": name, "count": count}
                for code, name, count in referral_rows[:TOP_REFERRALS]
            ],
            "reason_counts": dict(reason_counts),
        }
    return {"from": date_from.isoformat(), "to": date_to.isoformat(), "years": years}


@dataclass
class YearFigures:
    """One year of the report, shaped for templates (province keys: codes, "" = unregistered)."""

    year: int
    date_from: dt.date
    date_to: dt.date
    incoming: dict[str, int] = field(default_factory=dict)
    outgoing: int = 0
    province_share_pct: dict[str, float] = field(default_factory=dict)
    topic_share_pct: dict[str, float] = field(default_factory=dict)
    top_referrals: list[dict[str, Any]] = field(default_factory=list)
    reason_counts: dict[str, int] = field(default_factory=dict)

    @property
    def incoming_total(self) -> int:
        return sum(self.incoming.values())


def yearly_figures(*, date_from: dt.date, date_to: dt.date) -> list[YearFigures]:
    """The yearly report per year as objects for the page (same figures as yearly_report)."""
    report = yearly_report(date_from=date_from, date_to=date_to)
    result = []
    for year, first, last in year_spans(date_from=date_from, date_to=date_to):
        data = report["years"][str(year)]
        shares = data["province_share_pct"]
        result.append(
            YearFigures(
                year=year,
                date_from=first,
                date_to=last,
                incoming={channel: data["incoming"][channel] for channel in Channel.values},
                outgoing=data["outgoing"],
                province_share_pct={
                    **{code: shares[code] for code in Province.values},
                    UNREGISTERED: shares["unregistered"],
                },
                topic_share_pct=data["topic_share_pct"],
                top_referrals=data["top_referrals"],
                reason_counts=data["reason_counts"],
            )
        )
    return result


def reason_names() -> dict[str, str]:
    """Reason code -> its name in the catalogue (deactivated reasons included: history)."""
    return dict(Reason.objects.values_list("code", "name"))
