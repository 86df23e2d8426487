"""Formatting of call durations and measures on the telephony pages."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def duration(seconds: float | int | None) -> str:
    """Seconds as m:ss (or h:mm:ss); an en dash when there is no value."""
    if seconds is None:
        return "–"
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


@register.filter
def measure(value: float | int | None, decimals: int = 1) -> str:
    """A number in the active locale with the given decimals; an en dash for none."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return number_format(value, decimal_pos=decimals, force_grouping=True)
