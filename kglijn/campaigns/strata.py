"""Strata as data: a unit's or response's strata values ({"province": "VAN", "age": "0-1"})
and the one canonical stratum key built from them, used by the frame, the plan, the responses
and every analysis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from kglijn.contacts.models import Customer
from kglijn.core.provinces import Province
from kglijn.core.vocabulary import Channel

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


def value_label(variable: str, value: str, *, register: bool) -> str:
    """A stratum value as people read it: for a population from the register its codes become
    names (province, customer kind, channel); "" is "onbekend"."""
    if value == "":
        return str(_("unknown"))
    if not register:
        return value
    choices = {"province": Province, "kind": Customer.Kind, "channel": Channel}.get(variable)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return value


def stratum_label(key: str, *, register: bool = False) -> str:
    """A stratum key as people read it: its values joined by " · " ("Antwerpen · 0-1 jaar")."""
    values = stratum_values(key)
    if not values:
        return str(_("everyone"))
    return " · ".join(value_label(name, value, register=register) for name, value in values.items())
