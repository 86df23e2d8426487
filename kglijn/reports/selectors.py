"""Aggregate figures of the contact register per Brussels calendar year.

Each year is read with a range on the indexed `received_at`, clipped to the asked period, so the
database never converts a time zone per row. (The rollup-based report engine replaces this when
reports must stay fast at any volume.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count

from kglijn.contacts.models import Channel, Contact, Direction, Topic
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.provinces import UNREGISTERED, Province


@dataclass
class YearFigures:
    year: int
    date_from: dt.date
    date_to: dt.date
    incoming: dict[str, int] = field(default_factory=dict)
    outgoing: int = 0
    province_share_pct: dict[str, float] = field(default_factory=dict)
    topic_share_pct: dict[str, float] = field(default_factory=dict)

    @property
    def incoming_total(self) -> int:
        return sum(self.incoming.values())


def _bounds(day_from: dt.date, day_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day_from, dt.time(), BRUSSELS)
    end = dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(), BRUSSELS)
    return start, end


def _shares(counts: dict[str, int], keys: list[str]) -> dict[str, float]:
    total = sum(counts.get(key, 0) for key in keys)
    if total == 0:
        return dict.fromkeys(keys, 0.0)
    return {key: round(100 * counts.get(key, 0) / total, 2) for key in keys}


def yearly_figures(*, date_from: dt.date, date_to: dt.date) -> list[YearFigures]:
    """Per calendar year in [date_from, date_to] (inclusive Brussels dates): 000 §2–3 counts."""
    if date_to < date_from:
        raise ValueError("date_to lies before date_from")
    result = []
    for year in range(date_from.year, date_to.year + 1):
        first = max(date_from, dt.date(year, 1, 1))
        last = min(date_to, dt.date(year, 12, 31))
        start, end = _bounds(first, last)
        in_year = Contact.objects.filter(received_at__gte=start, received_at__lt=end)
        incoming = in_year.filter(direction=Direction.IN)
        by_channel = dict(
            incoming.values_list("channel").annotate(n=Count("id")).values_list("channel", "n")
        )
        by_province = dict(
            incoming.values_list("province").annotate(n=Count("id")).values_list("province", "n")
        )
        by_topic = dict(
            incoming.exclude(topic="")
            .values_list("topic")
            .annotate(n=Count("id"))
            .values_list("topic", "n")
        )
        result.append(
            YearFigures(
                year=year,
                date_from=first,
                date_to=last,
                incoming={channel: by_channel.get(channel, 0) for channel in Channel.values},
                outgoing=in_year.filter(direction=Direction.OUT).count(),
                province_share_pct=_shares(by_province, [*Province.values, UNREGISTERED]),
                topic_share_pct=_shares(by_topic, [Topic.CHILDCARE, Topic.FAMILY_SUPPORT]),
            )
        )
    return result
