"""Random contacts in the documented import format, with their true yearly aggregates.

    .venv/bin/python bench/datagen.py OUT.csv --rows 1000000 [--seed 7] [--years 2019-2023]

Not the demo distribution: every field is drawn at random (uniform instants over the years,
channel/origin/direction/province/topic/office/anonymous from fixed random weights, 1-3 distinct
reason codes and 0-2 distinct referral codes from the initial catalogues), so a report that is
calibrated to the demo cannot pass by accident.

`generate()` computes the aggregates while it writes, in the shape of the yearly report contract
(/work/shared/docs/architecture.md), so tests and benchmarks compare a report with the truth.

Speed: plain Python, but nothing per row that can be done per batch: the picks are
`random.choices(k=batch)`, the instants are formatted from precomputed day and second-of-day
strings with the Brussels offset looked up in a table of DST transitions, and the aggregates are
`collections.Counter` over zipped columns: 10 M rows (1.1 GB) in 27 s on the 2-core bench machine.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make `kglijn` importable from the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kglijn.contacts.catalogue_seed import INITIAL_REASONS, INITIAL_REFERRALS

BRUSSELS = ZoneInfo("Europe/Brussels")

HEADER = (
    "external_id",
    "received_at",
    "channel",
    "origin",
    "direction",
    "province",
    "topic",
    "reasons",
    "referrals",
    "office",
    "anonymous",
)
CHANNELS = ("chat", "phone", "email")  # the contract's order in `incoming`
# The contract's province codes in the parliamentary order; "" = not registered.
PROVINCES = (
    "BE-VAN",
    "BE-VOV",
    "BE-VWV",
    "BE-VBR",
    "BE-VLI",
    "BE-BRU",
    "BE-WHT",
    "BE-WBR",
    "BE-WLG",
    "BE-WLX",
    "BE-WNA",
)
TOPICS = ("childcare", "family_support")
REASON_CODES = tuple(code for code, _name, _topic in INITIAL_REASONS)
REFERRAL_NAMES = dict(INITIAL_REFERRALS)
REFERRAL_CODES = tuple(REFERRAL_NAMES)

BATCH = 50_000


@dataclass
class YearCounts:
    """Raw counts of one Brussels calendar year (the truth behind the report's figures)."""

    incoming: Counter[str] = field(default_factory=Counter)
    outgoing: int = 0
    provinces: Counter[str] = field(default_factory=Counter)  # incoming; "" = not registered
    topics: Counter[str] = field(default_factory=Counter)  # incoming with a topic
    reasons: Counter[str] = field(default_factory=Counter)  # incoming contacts per reason
    referrals: Counter[str] = field(default_factory=Counter)  # incoming contacts per referral


@dataclass
class Truth:
    """What a correct yearly report over the generated rows must say."""

    rows: int
    seed: int
    date_from: dt.date
    date_to: dt.date
    years: dict[int, YearCounts]
    seconds: float = 0.0

    def report(self) -> dict[str, Any]:
        """The yearly report JSON (sections incoming..reason_counts) for the whole period."""
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "years": {str(year): year_report(counts) for year, counts in self.years.items()},
        }


def _shares(counts: Counter[str], keys: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    total = sum(counts[key] for key in keys)
    return {
        label: round(100 * counts[key] / total, 2) if total else 0.0
        for key, label in zip(keys, labels, strict=True)
    }


def year_report(counts: YearCounts) -> dict[str, Any]:
    """One year's entry of the report contract from raw counts."""
    incoming = {channel: counts.incoming[channel] for channel in CHANNELS}
    incoming["total"] = sum(incoming.values())
    top = sorted(
        ((code, n) for code, n in counts.referrals.items() if n),
        key=lambda item: (-item[1], item[0]),
    )[:10]
    return {
        "incoming": incoming,
        "outgoing": counts.outgoing,
        "province_share_pct": _shares(
            counts.provinces, [*PROVINCES, ""], [*PROVINCES, "unregistered"]
        ),
        "topic_share_pct": _shares(counts.topics, TOPICS, TOPICS),
        "top_referrals": [
            {"code": code, "name": REFERRAL_NAMES[code], "count": n} for code, n in top
        ],
        "reason_counts": {code: n for code, n in sorted(counts.reasons.items()) if n},
    }


def _combinations(codes: Sequence[str], sizes: Iterable[int]) -> list[tuple[str, ...]]:
    return [combo for size in sizes for combo in itertools.combinations(codes, size)]


def _cum_weights(combos: Sequence[tuple[str, ...]], size_weight: dict[int, float]) -> list[float]:
    """Cumulative weights that give each combination size its weight, spread evenly inside it."""
    per_size = Counter(len(combo) for combo in combos)
    return list(
        itertools.accumulate(size_weight[len(combo)] / per_size[len(combo)] for combo in combos)
    )


@dataclass(frozen=True)
class _Clock:
    """Uniform instants in [first day 00:00, last day + 1 00:00) Brussels, formatted fast."""

    start: int  # epoch seconds
    span: int
    first_day: int  # days since the epoch of the first Brussels date
    transitions: list[int]  # epoch seconds where the Brussels offset changes
    offsets: list[int]  # offset in seconds before transitions[0], after each transition
    offset_text: dict[int, str]
    day_text: list[str]
    day_year: list[int]
    second_text: list[str]

    @classmethod
    def for_years(cls, first: int, last: int) -> _Clock:
        start = int(dt.datetime(first, 1, 1, tzinfo=BRUSSELS).timestamp())
        end = int(dt.datetime(last + 1, 1, 1, tzinfo=BRUSSELS).timestamp())
        transitions: list[int] = []
        offsets = [_offset(start)]
        # Brussels changes offset on the hour (01:00 UTC): an hourly scan finds every change.
        for hour in range(start, end, 3600):
            offset = _offset(hour)
            if offset != offsets[-1]:
                transitions.append(hour)
                offsets.append(offset)
        first_day = dt.date(first, 1, 1)
        days = [
            first_day + dt.timedelta(days=i)
            for i in range((dt.date(last + 1, 1, 1) - first_day).days)
        ]
        return cls(
            start=start,
            span=end - start,
            first_day=(first_day - dt.date(1970, 1, 1)).days,
            transitions=transitions,
            offsets=offsets,
            offset_text={
                offset: f"{'+' if offset >= 0 else '-'}{abs(offset) // 3600:02d}:"
                f"{abs(offset) % 3600 // 60:02d}"
                for offset in set(offsets)
            },
            day_text=[day.isoformat() for day in days],
            day_year=[day.year for day in days],
            second_text=[
                f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86_400)
            ],
        )

    def draw(self, rng: random.Random, k: int) -> tuple[list[str], list[int]]:
        """k random instants as ISO 8601 with their Brussels offset, and their Brussels years."""
        start, span, first_day = self.start, self.span, self.first_day
        transitions, offsets = self.transitions, self.offsets
        offset_text, day_text, day_year, second_text = (
            self.offset_text,
            self.day_text,
            self.day_year,
            self.second_text,
        )
        rand = rng.random
        instants = [start + int(rand() * span) for _ in range(k)]
        shifts = [offsets[bisect.bisect_right(transitions, t)] for t in instants]
        local = [t + shift for t, shift in zip(instants, shifts, strict=True)]
        days = [t // 86_400 - first_day for t in local]
        texts = [
            f"{day_text[d]}T{second_text[t % 86_400]}{offset_text[s]}"
            for d, t, s in zip(days, local, shifts, strict=True)
        ]
        return texts, [day_year[d] for d in days]


def _offset(epoch: int) -> int:
    offset = dt.datetime.fromtimestamp(epoch, BRUSSELS).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def generate(
    path: str | Path,
    n: int,
    seed: int,
    years: Sequence[int] = (2019, 2020, 2021, 2022, 2023),
    *,
    progress: bool = False,
) -> Truth:
    """Write n random contacts to `path` (CSV, import format) and return their true aggregates.

    Received instants are uniform over the Brussels calendar years min(years)..max(years); the
    same seed gives the same file.
    """
    first, last = min(years), max(years)
    rng = random.Random(seed)
    clock = _Clock.for_years(first, last)
    counts = {year: YearCounts() for year in range(first, last + 1)}
    # Fixed but arbitrary weights (drawn from the seed), so shares differ per run of a seed.
    weights = random.Random(seed ^ 0x5EED)
    channel_origin = [("phone", ""), ("chat", ""), ("email", "mailbox"), ("email", "webform")]
    channel_origin_w = [weights.uniform(1, 10) for _ in channel_origin]
    province_options = [*PROVINCES, ""]
    province_w = [weights.uniform(1, 10) for _ in province_options]
    topic_options = ["", *TOPICS]
    topic_w = [weights.uniform(1, 10) for _ in topic_options]
    offices, office_w = ["front", "pgjo", "childcare"], [8.0, 1.0, 1.0]
    reason_combos = _combinations(REASON_CODES, (1, 2, 3))
    reason_cum = _cum_weights(reason_combos, {1: 0.6, 2: 0.3, 3: 0.1})
    referral_combos = _combinations(REFERRAL_CODES, (0, 1, 2))
    referral_cum = _cum_weights(referral_combos, {0: 0.6, 1: 0.3, 2: 0.1})
    reason_text = ["|".join(combo) for combo in reason_combos]
    referral_text = ["|".join(combo) for combo in referral_combos]
    co_text = [f"{channel},{origin}" for channel, origin in channel_origin]
    combo_index_r = range(len(reason_combos))
    combo_index_f = range(len(referral_combos))

    reason_tally: Counter[tuple[int, int]] = Counter()
    referral_tally: Counter[tuple[int, int]] = Counter()
    started = time.perf_counter()
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        done = 0
        while done < n:
            k = min(BATCH, n - done)
            stamps, row_years = clock.draw(rng, k)
            co = rng.choices(range(4), weights=channel_origin_w, k=k)
            incoming = [r >= 0.07 for r in (rng.random() for _ in range(k))]
            provinces = rng.choices(province_options, weights=province_w, k=k)
            topics = rng.choices(topic_options, weights=topic_w, k=k)
            reasons = rng.choices(combo_index_r, cum_weights=reason_cum, k=k)
            referrals = rng.choices(combo_index_f, cum_weights=referral_cum, k=k)
            office = rng.choices(offices, weights=office_w, k=k)
            anonymous = rng.choices(("true", "false"), k=k)
            lines = [
                f"g{seed}-{done + i},{stamps[i]},{co_text[co[i]]},{'in' if incoming[i] else 'out'},"
                f"{provinces[i]},{topics[i]},{reason_text[reasons[i]]},"
                f"{referral_text[referrals[i]]},{office[i]},{anonymous[i]}\n"
                for i in range(k)
            ]
            out.write("".join(lines))

            channels = [channel_origin[c][0] for c in co]
            for (year, is_in, channel), number in Counter(
                zip(row_years, incoming, channels, strict=True)
            ).items():
                if is_in:
                    counts[year].incoming[channel] += number
                else:
                    counts[year].outgoing += number
            for (year, province), number in Counter(
                itertools.compress(zip(row_years, provinces, strict=True), incoming)
            ).items():
                counts[year].provinces[province] += number
            for (year, topic), number in Counter(
                itertools.compress(zip(row_years, topics, strict=True), incoming)
            ).items():
                if topic:
                    counts[year].topics[topic] += number
            reason_tally.update(itertools.compress(zip(row_years, reasons, strict=True), incoming))
            referral_tally.update(
                itertools.compress(zip(row_years, referrals, strict=True), incoming)
            )
            done += k
            if progress and done % (20 * BATCH) == 0:
                print(f"\r  generated {done:,}/{n:,} rows", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    for (year, combo), number in reason_tally.items():
        for code in reason_combos[combo]:
            counts[year].reasons[code] += number
    for (year, combo), number in referral_tally.items():
        for code in referral_combos[combo]:
            counts[year].referrals[code] += number
    return Truth(
        rows=n,
        seed=seed,
        date_from=dt.date(first, 1, 1),
        date_to=dt.date(last, 12, 31),
        years=counts,
        seconds=time.perf_counter() - started,
    )


CONTRACT_SECTIONS = (
    "incoming",
    "outgoing",
    "province_share_pct",
    "topic_share_pct",
    "top_referrals",
    "reason_counts",
)


def report_differences(
    expected: dict[str, Any], actual: dict[str, Any], *, tolerance_pct: float = 0.01
) -> list[str]:
    """Where `actual` (a yearly report JSON) differs from `expected` (Truth.report()).

    Counts must be equal; shares may differ by at most `tolerance_pct` (rounding). Zero entries
    of reason_counts and zero-count referrals are ignored on both sides (the contract leaves
    open whether they are listed). Empty list = equal.
    """
    problems: list[str] = []
    for key in ("from", "to"):
        if str(actual.get(key)) != expected[key]:
            problems.append(f"{key}: expected {expected[key]}, got {actual.get(key)}")
    actual_years = {str(year): value for year, value in (actual.get("years") or {}).items()}
    for year, want in expected["years"].items():
        got = actual_years.get(year)
        if got is None:
            problems.append(f"{year}: missing")
            continue
        for section in CONTRACT_SECTIONS:
            if section not in got:
                problems.append(f"{year}.{section}: missing")
                continue
            mine, theirs = want[section], got[section]
            if section in ("province_share_pct", "topic_share_pct"):
                for key in sorted(set(mine) | set(theirs)):
                    a, b = mine.get(key), theirs.get(key)
                    if a is None or b is None or abs(float(a) - float(b)) > tolerance_pct + 1e-9:
                        problems.append(f"{year}.{section}.{key}: expected {a}, got {b}")
            elif section == "top_referrals":
                a_list = [(r["code"], r["count"]) for r in mine]
                b_list = [(r["code"], r["count"]) for r in theirs if r["count"]]
                if a_list != b_list:
                    problems.append(f"{year}.top_referrals: expected {a_list}, got {b_list}")
            elif section == "reason_counts":
                b_map = {code: n for code, n in theirs.items() if n}
                if mine != b_map:
                    problems.append(f"{year}.reason_counts: expected {mine}, got {b_map}")
            elif mine != theirs:
                problems.append(f"{year}.{section}: expected {mine}, got {theirs}")
    for year in sorted(set(actual_years) - set(expected["years"])):
        problems.append(f"{year}: not in the generated period")
    return problems


def main() -> int:
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--years", default="2019-2023", help="FIRST-LAST")
    parser.add_argument("--truth", help="also write the true report JSON to this file")
    args = parser.parse_args()
    first, _dash, last = args.years.partition("-")
    truth = generate(
        args.output,
        args.rows,
        args.seed,
        range(int(first), int(last or first) + 1),
        progress=True,
    )
    print(f"{truth.rows:,} rows in {truth.seconds:.1f} s -> {args.output}", file=sys.stderr)
    if args.truth:
        Path(args.truth).write_text(json.dumps(truth.report(), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
