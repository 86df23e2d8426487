"""The source tables the demo reproduces (000 §2-§4), as transcribed in seed_figures.json.

The JSON is a copy of the shared transcription (../shared/data/seed_figures.json), shipped in the
package so that `kglijn demo` works from an installed wheel.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SEED_FIGURES_PATH = Path(__file__).with_name("seed_figures.json")
CHANNELS = ("chat", "phone", "email")
UNREGISTERED_KEY = "unregistered"


@dataclass(frozen=True)
class YearFigures:
    """One year (column) of the published tables."""

    year: int
    first_day: dt.date
    last_day: dt.date  # inclusive; 2023 ends on 15 November
    incoming: dict[str, int]  # channel -> count
    outgoing: int | None  # None = 'nvt' (not registered)
    province_share_pct: dict[str, float]  # "" = not registered, else ISO code
    topic_share_pct: dict[str, float]  # childcare / family_support


@cache
def _raw() -> dict[str, Any]:
    with SEED_FIGURES_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def seed_years() -> tuple[int, ...]:
    return tuple(sorted(int(year) for year in _raw()["periods"]))


def year_figures(year: int) -> YearFigures:
    data = _raw()
    key = str(year)
    if key not in data["periods"]:
        raise KeyError(f"no source figures for {year}")
    first, last = (dt.date.fromisoformat(day) for day in data["periods"][key])
    provinces = {
        ("" if code == UNREGISTERED_KEY else code): float(by_year[key])
        for code, by_year in data["province_share_pct"].items()
    }
    topics = {topic: float(by_year[key]) for topic, by_year in data["topic_share_pct"].items()}
    return YearFigures(
        year=year,
        first_day=first,
        last_day=last,
        incoming={channel: int(data["incoming"][channel][key]) for channel in CHANNELS},
        outgoing=data["outgoing"][key],
        province_share_pct=provinces,
        topic_share_pct=topics,
    )


def top_referrals_2023() -> tuple[str, ...]:
    """The ten organisation names of 000 §4 (alphabetical, as published; no counts)."""
    return tuple(_raw()["top_referrals_2023_alphabetical"])
