"""What is in the database for a demo year, measured with ORM aggregates, against the plan and
the published tables (used by bench/demo.py to write the figures table of docs/demo.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from kglijn.contacts.models import Contact, Direction, ReferralOrganisation
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.provinces import Province, province_label
from kglijn.demo.figures import CHANNELS
from kglijn.demo.plan import YearPlan, rounded_share


def year_bounds(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of Brussels calendar dates first_day..last_day as aware datetimes."""
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=BRUSSELS)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=BRUSSELS)
    return start, end


def contacts_in_period(first_day: dt.date, last_day: dt.date) -> QuerySet[Contact]:
    start, end = year_bounds(first_day, last_day)
    return Contact.objects.filter(received_at__gte=start, received_at__lt=end)


@dataclass(frozen=True)
class MeasuredYear:
    year: int
    incoming: dict[str, int]
    outgoing: int
    province_counts: dict[str, int]
    topic_counts: dict[str, int]
    referral_counts: dict[str, int]  # incoming contacts per referral code
    identified: int

    @property
    def incoming_total(self) -> int:
        return sum(self.incoming.values())

    def province_share(self, code: str) -> float:
        return rounded_share(self.province_counts.get(code, 0), self.incoming_total)

    def topic_share(self, topic: str) -> float:
        with_topic = self.topic_counts.get("childcare", 0) + self.topic_counts.get(
            "family_support", 0
        )
        return rounded_share(self.topic_counts.get(topic, 0), with_topic)

    def top_referrals(self, size: int = 10) -> list[tuple[str, int]]:
        ranked = sorted(self.referral_counts.items(), key=lambda item: (-item[1], item[0]))
        return [item for item in ranked if item[1] > 0][:size]


def demo_year_measured(*, plan: YearPlan) -> MeasuredYear:
    """Counts per channel, direction, province, topic and referral of one year in the DB."""
    contacts = contacts_in_period(plan.figures.first_day, plan.figures.last_day)
    incoming = contacts.filter(direction=Direction.IN)
    by_channel = dict(
        incoming.values_list("channel").annotate(n=Count("id")).values_list("channel", "n")
    )
    provinces = dict(
        incoming.values_list("province").annotate(n=Count("id")).values_list("province", "n")
    )
    topics = dict(incoming.values_list("topic").annotate(n=Count("id")).values_list("topic", "n"))
    referrals = dict(
        incoming.filter(referrals__isnull=False)
        .values_list("referrals__code")
        .annotate(n=Count("id"))
        .values_list("referrals__code", "n")
    )
    return MeasuredYear(
        year=plan.year,
        incoming={channel: by_channel.get(channel, 0) for channel in CHANNELS},
        outgoing=contacts.filter(direction=Direction.OUT).count(),
        province_counts=provinces,
        topic_counts=topics,
        referral_counts=referrals,
        identified=incoming.filter(anonymous=False).count(),
    )


def _cell(published: str, achieved: str) -> str:
    return achieved if published == achieved else f"{published} → **{achieved}**"


def demo_figures_markdown(*, plans: list[YearPlan]) -> str:
    """Markdown tables: every published cell and what the database holds ('a → **b**' where
    they differ)."""
    measured = [demo_year_measured(plan=plan) for plan in plans]
    header = "| | " + " | ".join(str(plan.year) for plan in plans) + " |"
    rule = "|---|" + "---:|" * len(plans)
    lines = ["Incoming contacts per channel, outgoing contacts:", "", header, rule]
    for channel in CHANNELS:
        cells = [
            _cell(f"{plan.figures.incoming[channel]:,}", f"{year.incoming[channel]:,}")
            for plan, year in zip(plans, measured, strict=True)
        ]
        lines.append(f"| {channel} | " + " | ".join(cells) + " |")
    cells = [
        _cell(f"{sum(plan.figures.incoming.values()):,}", f"{year.incoming_total:,}")
        for plan, year in zip(plans, measured, strict=True)
    ]
    lines.append("| total | " + " | ".join(cells) + " |")
    cells = [
        _cell(
            "nvt" if plan.figures.outgoing is None else f"{plan.figures.outgoing:,}",
            "nvt" if plan.figures.outgoing is None and year.outgoing == 0 else f"{year.outgoing:,}",
        )
        for plan, year in zip(plans, measured, strict=True)
    ]
    lines.append("| outgoing | " + " | ".join(cells) + " |")
    lines += ["", "Share of incoming contacts per province (%):", "", header, rule]
    for code in ["", *Province.values]:
        cells = [
            _cell(
                f"{plan.figures.province_share_pct[code]:.2f}", f"{year.province_share(code):.2f}"
            )
            for plan, year in zip(plans, measured, strict=True)
        ]
        lines.append(f"| {province_label(code)} | " + " | ".join(cells) + " |")
    lines += ["", "Topic split among incoming contacts with a topic (%):", "", header, rule]
    for topic in ("childcare", "family_support"):
        cells = [
            _cell(f"{plan.figures.topic_share_pct[topic]:.2f}", f"{year.topic_share(topic):.2f}")
            for plan, year in zip(plans, measured, strict=True)
        ]
        lines.append(f"| {topic} | " + " | ".join(cells) + " |")
    for plan, year in zip(plans, measured, strict=True):
        if plan.year != 2023:
            continue
        names = dict(ReferralOrganisation.objects.values_list("code", "name"))
        lines += ["", "Top 10 referrals 2023 (incoming contacts; the source lists no counts):", ""]
        lines += ["| # | organisation | contacts |", "|---:|---|---:|"]
        for rank, (code, count) in enumerate(year.top_referrals(), start=1):
            lines.append(f"| {rank} | {names[code]} (`{code}`) | {count:,} |")
        rest = year.top_referrals(size=100)[10:]
        lines.append("")
        lines.append("Below the top 10: " + ", ".join(f"`{c}` {n:,}" for c, n in rest) + ".")
    return "\n".join(lines) + "\n"
