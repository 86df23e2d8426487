"""Strata as data: a unit's or response's strata values ({"province": "VAN", "age": "0-1"})
and the one canonical stratum key built from them, used by the frame, the plan, the responses
and every analysis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

SEPARATOR = " | "
# A campaign without strata (census or simple random sample) has one stratum.
ALL = "alle"


def stratum_key(strata: Mapping[str, str], variables: Sequence[str]) -> str:
    """The stratum of `strata` over the campaign's strata `variables`, in their order:
    "province=VAN | age=0-1" (ALL when there are no strata variables)."""
    if not variables:
        return ALL
    return SEPARATOR.join(f"{name}={strata.get(name, '')}" for name in variables)


def stratum_values(key: str) -> dict[str, str]:
    """The inverse of stratum_key (ALL gives {})."""
    if key == ALL or not key:
        return {}
    values: dict[str, str] = {}
    for part in key.split(SEPARATOR):
        name, _, value = part.partition("=")
        values[name] = value
    return values
