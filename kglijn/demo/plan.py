"""What the demo will generate per year, computed from the source tables without a database.

Every figure of the tables becomes an exact count: the channel and outgoing counts are taken as
published (times the scale), the shares are turned into counts by a largest-remainder
apportionment that is then nudged, where the data allows it, so that every share rounded to two
decimals equals the published one. The loader writes exactly these counts, so the plan is also
what the tests and docs/demo.md compare the database against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from kglijn.demo.figures import CHANNELS, YearFigures, year_figures

# Share of incoming contacts that gets a topic domain; the rest are general questions (reason
# "general", no topic). The source gives the split only "among questions" (000 §3).
TOPIC_REGISTERED_SHARE = Fraction(955, 1000)
# Share of incoming contacts with a referral to an external organisation (one referral each).
REFERRAL_SHARE = Fraction(25, 1000)
# Relative weights of the referral organisations. The first ten are the 2023 top 10 of 000 §4
# (no counts were published; the order is invented); the others are catalogue extras added by the
# demo with clearly lower weights, so the top 10 is a real ranking.
REFERRAL_WEIGHTS: dict[str, int] = {
    "groeipakket": 300,
    "vertrouwenscentrum": 120,
    "zorginspectie": 110,
    "gezinsbond": 90,
    "fod-financien": 80,
    "one": 70,
    "fod-waso": 62,
    "rsvz": 58,
    "vlaamse-ombudsdienst": 50,
    "consumentenombudsdienst": 45,
    "caw": 30,
    "huis-van-het-kind": 25,
    "child-focus": 15,
    "awel": 12,
    "ocmw": 10,
}
# Above this many hundredths of a percent missing from a province column, the gap is not rounding
# (12 cells can lose at most 12 x 0.005 % = 6 hundredths) and is given to "not registered".
_ROUNDING_SLACK = 6


def scaled(count: int, scale: float) -> int:
    """round(count * scale), halves rounded up (documented in docs/demo.md)."""
    value = (Decimal(count) * Decimal(str(scale))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(value)


def rounded_share(count: int, total: int) -> float:
    """The share in percent rounded to two decimals, as the yearly report computes it."""
    return round(100 * count / total, 2) if total else 0.0


def largest_remainder(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Hamilton apportionment of `total` over `weights`; ties go to the earlier key."""
    weight_sum = sum(weights.values())
    if total == 0 or weight_sum == 0:
        return dict.fromkeys(weights, 0)
    quotas = {key: Fraction(total * weight, weight_sum) for key, weight in weights.items()}
    counts = {key: math.floor(quota) for key, quota in quotas.items()}
    rest = total - sum(counts.values())
    order = sorted(weights, key=lambda key: -(quotas[key] - counts[key]))
    for key in order[:rest]:
        counts[key] += 1
    return counts


def _share_interval(hundredths: int, total: int) -> tuple[int, int]:
    """Counts c whose share rounds to `hundredths`/100 % without being a tie (strictly inside)."""
    # |c * 10000 - hundredths * total| < total / 2
    low = Fraction(2 * hundredths * total - total, 20000)
    high = Fraction(2 * hundredths * total + total, 20000)
    first = max(math.floor(low) + 1, 0)
    last = min(math.ceil(high) - 1, total)
    return first, last


def apportion_shares(total: int, shares_pct: dict[str, float]) -> dict[str, int]:
    """Counts summing to `total` in proportion to the shares (normalised to 100 %).

    Largest remainder first; then, if some choice of counts makes every rounded share equal its
    published value, counts are moved (the fewest possible, nearest the quotas) to reach it.
    """
    hundredths = {key: round(pct * 100) for key, pct in shares_pct.items()}
    counts = largest_remainder(total, hundredths)
    if total == 0:
        return counts
    weight_sum = sum(hundredths.values())
    intervals = {key: _share_interval(value, total) for key, value in hundredths.items()}
    feasible = all(first <= last for first, last in intervals.values()) and (
        sum(first for first, _ in intervals.values())
        <= total
        <= sum(last for _, last in intervals.values())
    )
    if not feasible:
        return counts
    quotas = {key: Fraction(total * value, weight_sum) for key, value in hundredths.items()}
    for key, (first, last) in intervals.items():
        counts[key] = min(max(counts[key], first), last)
    missing = total - sum(counts.values())
    while missing > 0:
        key = max(
            (k for k in counts if counts[k] < intervals[k][1]),
            key=lambda k: quotas[k] - counts[k],
        )
        counts[key] += 1
        missing -= 1
    while missing < 0:
        key = max(
            (k for k in counts if counts[k] > intervals[k][0]),
            key=lambda k: counts[k] - quotas[k],
        )
        counts[key] -= 1
        missing += 1
    return counts


@dataclass(frozen=True)
class YearPlan:
    """Exact counts the demo writes for one year (incoming unless said otherwise)."""

    year: int
    figures: YearFigures
    scale: float
    incoming: dict[str, int]  # channel -> count
    outgoing: int
    province_target_pct: dict[str, float]  # the shares aimed at, after the documented fix
    province_counts: dict[str, int]  # "" = not registered
    topic_target_pct: dict[str, float]  # normalised to 100 %
    topic_counts: dict[str, int]  # childcare / family_support / "" (no topic)
    referral_counts: dict[str, int]
    adjustments: list[str] = field(default_factory=list)

    @property
    def incoming_total(self) -> int:
        return sum(self.incoming.values())

    @property
    def with_topic(self) -> int:
        return self.topic_counts["childcare"] + self.topic_counts["family_support"]

    @property
    def contacts_total(self) -> int:
        return self.incoming_total + self.outgoing

    def province_share(self, code: str) -> float:
        return rounded_share(self.province_counts[code], self.incoming_total)

    def topic_share(self, topic: str) -> float:
        return rounded_share(self.topic_counts[topic], self.with_topic)


def _province_targets(figures: YearFigures, adjustments: list[str]) -> dict[str, float]:
    targets = dict(figures.province_share_pct)
    total = sum(round(pct * 100) for pct in targets.values())
    gap = 10000 - total
    if abs(gap) > _ROUNDING_SLACK:
        before = targets[""]
        targets[""] = round(before + gap / 100, 2)
        adjustments.append(
            f"province shares add up to {total / 100:.2f} %: the missing {gap / 100:.2f} % "
            f"goes to 'not registered' ({before:.2f} % -> {targets['']:.2f} %)"
        )
    return targets


def _topic_targets(figures: YearFigures, adjustments: list[str]) -> dict[str, float]:
    published = figures.topic_share_pct
    total = sum(published.values())
    targets = {topic: round(100 * pct / total, 2) for topic, pct in published.items()}
    if round(total, 2) != 100:
        adjustments.append(
            f"topic split adds up to {total:.2f} %: normalised to "
            + " / ".join(f"{targets[topic]:.2f} %" for topic in published)
        )
    return targets


def year_plan(year: int, *, scale: float = 1.0) -> YearPlan:
    """The exact counts for one year of the source tables at the given scale."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    figures = year_figures(year)
    adjustments: list[str] = []
    incoming = {channel: scaled(figures.incoming[channel], scale) for channel in CHANNELS}
    total = sum(incoming.values())
    outgoing = scaled(figures.outgoing, scale) if figures.outgoing is not None else 0
    province_targets = _province_targets(figures, adjustments)
    topic_targets = _topic_targets(figures, adjustments)
    with_topic = math.floor(total * TOPIC_REGISTERED_SHARE + Fraction(1, 2))
    topic_counts = apportion_shares(with_topic, topic_targets)
    topic_counts[""] = total - with_topic
    referrals = math.floor(total * REFERRAL_SHARE + Fraction(1, 2))
    return YearPlan(
        year=year,
        figures=figures,
        scale=scale,
        incoming=incoming,
        outgoing=outgoing,
        province_target_pct=province_targets,
        province_counts=apportion_shares(total, province_targets),
        topic_target_pct=topic_targets,
        topic_counts=topic_counts,
        referral_counts=largest_remainder(referrals, REFERRAL_WEIGHTS),
        adjustments=adjustments,
    )


def parse_years(text: str) -> tuple[int, ...]:
    """'2019-2023', '2021,2023' or '2023' -> years; each must be a year of the source tables."""
    from kglijn.demo.figures import seed_years

    years: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError as exc:
            raise ValueError(f"not a year or year range: {part!r}") from exc
        if start > end:
            raise ValueError(f"empty year range: {part!r}")
        years.extend(range(start, end + 1))
    known = seed_years()
    unknown = sorted(set(years) - set(known))
    if unknown or not years:
        raise ValueError(
            f"the source tables cover {known[0]}-{known[-1]}; got {text!r}"
            + (f" ({', '.join(map(str, unknown))} unknown)" if unknown else "")
        )
    return tuple(sorted(set(years)))
