"""The dashboard's figures: this year against last year, read through the report builder (so
from the rollups only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.dates import MONTHS
from django.utils.text import capfirst

from kglijn.contacts.rollups.models import ContactRollup, Grain
from kglijn.reports.builder import ReportDefinition, ReportResult, report_run


@dataclass
class ChannelYearOverYear:
    """Incoming contacts of one channel per month: the chosen year against the year before."""

    channel: str
    label: str
    this_year: list[int | None]  # None for months that have not started yet
    last_year: list[int]
    this_year_to_date: int
    last_year_same_period: int

    @property
    def change_pct(self) -> float | None:
        if not self.last_year_same_period:
            return None
        return round(100 * (self.this_year_to_date / self.last_year_same_period - 1), 1)


@dataclass
class Dashboard:
    """The dashboard's figures for one year, up to `last_day` (today, or the year's end)."""

    year: int
    last_day: dt.date
    month_labels: list[str]
    channels: list[ChannelYearOverYear]
    provinces: ReportResult
    topics: ReportResult
    top_referrals: list[tuple[str, str, int]]  # (code, name, count), at most 10

    @property
    def incoming_to_date(self) -> int:
        return sum(channel.this_year_to_date for channel in self.channels)

    @property
    def incoming_last_year_same_period(self) -> int:
        return sum(channel.last_year_same_period for channel in self.channels)


def dashboard_default_year(*, today: dt.date) -> int:
    """The year of the last complete month that has contacts (else this year), as the
    satisfaction analysis picks its month: a register whose contacts stop earlier (the demo, an
    import) opens on its figures, not on a year holding only this month's few test calls."""
    latest = (
        ContactRollup.objects.filter(grain=Grain.MONTH, day__lt=today.replace(day=1))
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    return latest.year if latest else today.year


def _same_day(day: dt.date, year: int) -> dt.date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=year, day=28)


def dashboard_figures(*, year: int, today: dt.date) -> Dashboard:
    """This year against last year per channel and month, province and domain shares, top
    referrals (incoming contacts); from the rollups only, through `report_run`."""
    first = dt.date(year, 1, 1)
    last_day = min(dt.date(year, 12, 31), today) if year <= today.year else first
    incoming = {"direction": ("in",)}

    def run(**kwargs: Any) -> ReportResult:
        return report_run(definition=ReportDefinition(**kwargs))

    whole_year = {"date_from": dt.date(year - 1, 1, 1), "date_to": dt.date(year - 1, 12, 31)}
    this_months = run(
        dimensions=("channel", "month"), filters=incoming, date_from=first, date_to=last_day
    )
    last_months = run(dimensions=("channel", "month"), filters=incoming, **whole_year)
    last_same = run(
        dimensions=("channel",),
        filters=incoming,
        date_from=dt.date(year - 1, 1, 1),
        date_to=_same_day(last_day, year - 1),
    )
    channels = []
    for index, (key, label) in enumerate(
        zip(last_months.row_keys, last_months.row_labels, strict=True)
    ):
        this_row = dict(zip(this_months.column_keys, this_months.counts[index], strict=True))
        channels.append(
            ChannelYearOverYear(
                channel=key,
                label=label,
                this_year=[
                    this_row.get(month) if month <= last_day.month and year <= today.year else None
                    for month in range(1, 13)
                ],
                last_year=last_months.counts[index],
                this_year_to_date=this_months.count_row_totals[index],
                last_year_same_period=last_same.counts[index][0],
            )
        )
    period = {"date_from": first, "date_to": last_day}
    provinces = run(measure="share", dimensions=("province",), filters=incoming, **period)
    topics = run(
        measure="share",
        dimensions=("topic",),
        filters={**incoming, "topic": ("childcare", "family_support")},
        **period,
    )
    referrals = run(dimensions=("referral",), filters=incoming, **period)
    ranked = sorted(
        (
            (code, label, row[0])
            for code, label, row in zip(
                referrals.row_keys, referrals.row_labels, referrals.counts, strict=True
            )
            if row[0]
        ),
        key=lambda item: (-item[2], item[0]),
    )
    return Dashboard(
        year=year,
        last_day=last_day,
        month_labels=[capfirst(str(MONTHS[month])) for month in range(1, 13)],
        channels=channels,
        provinces=provinces,
        topics=topics,
        top_referrals=ranked[:10],
    )
