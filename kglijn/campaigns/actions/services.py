"""Improvement actions taken from a campaign's themes, and the next campaign's view of them
(issue 20 item 6, docs/campaigns-bureau.md "Improvement actions").

A theme's **score** for a campaign is its weighted satisfaction as the results page computes it
(`analysis.services.theme_satisfaction`: each respondent's mean over the theme's rated items,
the stored weights, or 1 for everyone when the campaign is not (fully) weighted). Its
**change** is this campaign's score minus the previous campaign's score for the theme with the
same key, with a z-test for independent samples (`analysis.estimates.difference`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from kglijn.campaigns.analysis.estimates import (
    Difference,
    Estimate,
    difference,
)
from kglijn.campaigns.analysis.services import theme_satisfaction
from kglijn.campaigns.models import (
    ActionStatus,
    Campaign,
    ImprovementAction,
)

OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
MAX_CHAIN = 50  # previous measurements followed at most (and a cycle stops the walk)


def is_overdue(action: ImprovementAction, today: dt.date | None = None) -> bool:
    """Past its due date and still planned or in progress."""
    today = today or timezone.localdate()
    return action.status in OPEN_STATUSES and action.due_date < today


def overdue_filter(
    actions: QuerySet[ImprovementAction], today: dt.date | None = None
) -> QuerySet[ImprovementAction]:
    today = today or timezone.localdate()
    return actions.filter(status__in=OPEN_STATUSES, due_date__lt=today)


def previous_chain(campaign: Campaign) -> list[Campaign]:
    """campaign.previous, its previous, … (nearest first; a cycle or MAX_CHAIN ends it)."""
    chain: list[Campaign] = []
    seen = {campaign.pk}
    current = campaign.previous
    while current is not None and current.pk not in seen and len(chain) < MAX_CHAIN:
        chain.append(current)
        seen.add(current.pk)
        current = current.previous
    return chain


def actions_by_theme_key(campaign: Campaign) -> dict[str, list[ImprovementAction]]:
    """The improvement actions of the earlier measurements of `campaign` (campaign.previous
    first, then its previous …), keyed by theme key: what the next measurement shows beside
    the theme's change. Empty when the campaign has no previous measurement."""
    chain = previous_chain(campaign)
    if not chain:
        return {}
    order = {earlier.pk: rank for rank, earlier in enumerate(chain)}
    actions = sorted(
        ImprovementAction.objects.filter(campaign_id__in=order).select_related(
            "owner", "campaign", "theme"
        ),
        key=lambda action: (order[action.campaign_id], action.due_date, action.pk),
    )
    result: dict[str, list[ImprovementAction]] = {}
    for action in actions:
        result.setdefault(action.theme_key, []).append(action)
    return result


@dataclass(frozen=True)
class ThemeChange:
    key: str
    title: str
    current: Estimate | None
    previous: Estimate | None
    change: Difference | None
    actions: list[ImprovementAction]


def theme_changes(campaign: Campaign) -> list[ThemeChange]:
    """For every theme key with actions of an earlier measurement: the actions beside the
    change of the theme's weighted satisfaction since the previous measurement (None where
    either campaign has no answers for it)."""
    by_key = actions_by_theme_key(campaign)
    if not by_key:
        return []
    previous = campaign.previous
    assert previous is not None
    current_scores = theme_satisfaction(campaign)
    previous_scores = theme_satisfaction(previous)
    titles = dict(campaign.version.themes.values_list("key", "title_nl"))
    changes = []
    for key, actions in by_key.items():
        now, before = current_scores.get(key), previous_scores.get(key)
        changes.append(
            ThemeChange(
                key=key,
                title=titles.get(key) or actions[0].theme.title_nl,
                current=now,
                previous=before,
                change=difference(now, before) if now and before else None,
                actions=actions,
            )
        )
    return changes
