"""Arranging campaigns, frames and questionnaire versions for the sampling tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from kglijn.campaigns.models import (
    Audience,
    Campaign,
    Design,
    FrameUnit,
    Item,
    PopulationKind,
    Questionnaire,
    QuestionnaireVersion,
    Theme,
)
from kglijn.campaigns.strata import stratum_key

NOW = dt.datetime(2024, 3, 4, 9, 0, tzinfo=dt.UTC)


def version_ready(*, overall: bool = True) -> QuestionnaireVersion:
    """A questionnaire version: a theme with one rated item, and its one overall item when
    `overall` (without it, the version is not ready for the field)."""
    questionnaire = Questionnaire.objects.create(name="Ouders", audience=Audience.PARENTS)
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    theme = Theme.objects.create(version=version, key="bereik", position=1, title_nl="Bereik")
    Item.objects.create(
        version=version,
        theme=theme,
        key="bereik_tel",
        position=1,
        kind="rated",
        text_nl="De K&G-Lijn is vlot bereikbaar",
    )
    if overall:
        Item.objects.create(
            version=version, key="totaal", position=2, kind="overall", text_nl="Totaalscore"
        )
    return version


def campaign_make(**fields: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": "Tevredenheid ouders",
        "audience": Audience.PARENTS,
        "population_kind": PopulationKind.UPLOAD,
        "strata_variables": ["province"],
        "design": Design.STRATIFIED_PROPORTIONAL,
        "sample_size": 10,
        "seed": 12345,
        "fieldwork_end": (timezone.now() + dt.timedelta(days=30)).date(),
    }
    values.update(fields)
    if "version" not in values:
        values["version"] = version_ready()
    return Campaign.objects.create(**values)


def frame_fill(
    campaign: Campaign, strata: dict[str, int], *, email: bool = True, order: Iterable[int] = ()
) -> list[FrameUnit]:
    """N units per stratum value of the campaign's first strata variable ("province"), keys
    u-<value>-<i>; `order` a permutation to insert them in another order."""
    variable = campaign.strata_variables[0] if campaign.strata_variables else "province"
    units = []
    for value, size in strata.items():
        for i in range(size):
            values = {variable: value}
            units.append(
                FrameUnit(
                    campaign=campaign,
                    external_key=f"u-{value}-{i:04d}",
                    email=f"ouder.{value.lower()}.{i}@example.be" if email else "",
                    phone="0470 12 34 56",
                    strata=values,
                    stratum=stratum_key(values, campaign.strata_variables),
                )
            )
    order = list(order)
    if order:
        units = [units[i] for i in order]
    return FrameUnit.objects.bulk_create(units)


def sampled_keys(campaign: Campaign) -> set[str]:
    return set(
        FrameUnit.objects.filter(campaign=campaign, sampled=True).values_list(
            "external_key", flat=True
        )
    )
