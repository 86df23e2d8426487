"""Template filters of the campaign pages."""

from __future__ import annotations

from django import template

from kglijn.campaigns.models import Campaign, PopulationKind
from kglijn.campaigns.strata import stratum_label as _stratum_label

register = template.Library()


@register.filter
def stratum_label(key: str, campaign: Campaign) -> str:
    """{{ row.stratum|stratum_label:campaign }}: "Antwerpen · 0-1 jaar" instead of the key."""
    return _stratum_label(key, register=campaign.population_kind == PopulationKind.REGISTER)
