"""Which rollup table answers a definition (ADR 0005): the first one, in order of preference,
that holds every dimension the definition groups or filters by. A combination none holds is
refused by the definition's validation (definition.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Model

from kglijn.contacts.rollups.models import (
    ContactHourRollup,
    ContactReasonRollup,
    ContactReferralRollup,
    ContactRollup,
)


@dataclass(frozen=True)
class Source:
    """A rollup table and the non-time dimensions it can group or filter by."""

    model: type[Model]
    dimensions: frozenset[str]

    def column(self, dimension: str) -> str:
        return {"reason": "reason_id", "referral": "referral_id"}.get(dimension, dimension)


# In order of preference: the first table holding every asked dimension answers.
SOURCES: tuple[Source, ...] = (
    Source(
        ContactRollup,
        frozenset(("channel", "direction", "origin", "office", "province", "topic", "anonymous")),
    ),
    Source(ContactHourRollup, frozenset(("hour", "channel", "direction", "office"))),
    Source(
        ContactReasonRollup,
        frozenset(("reason", "channel", "direction", "office", "province", "topic")),
    ),
    Source(
        ContactReferralRollup,
        frozenset(("referral", "channel", "direction", "office", "province", "topic")),
    ),
)


def source_for(used: Iterable[str]) -> Source | None:
    """The rollup table holding every one of these (non-time) dimensions, or None."""
    wanted = set(used)
    return next((source for source in SOURCES if wanted <= source.dimensions), None)
