"""A tiny questionnaire and a campaign in the field for the questionnaire's tests.

The version: two themes of two rated items each, the overall score, one choice ("kanaal":
web/telefoon/geen) and an open question shown only when the choice is "geen" (key "waarom").
The campaign has `units` sampled frame units with an invitation whose first mail (sent) and
one reminder each carry a token.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kglijn.campaigns.models import (
    Audience,
    Campaign,
    CampaignStatus,
    Design,
    FrameUnit,
    Invitation,
    InvitationMail,
    InvitationStatus,
    Item,
    ItemKind,
    PopulationKind,
    Questionnaire,
    QuestionnaireVersion,
    Theme,
)
from kglijn.campaigns.tokens import token_new

CHOICES = [
    {"value": "web", "label_nl": "Via de website", "label_en": "Through the website"},
    {"value": "telefoon", "label_nl": "Telefonisch", "label_en": "By phone"},
    {"value": "geen", "label_nl": "Niet", "label_en": "Not at all"},
]


def build_version(name: str = "Ouders 2023", *, by: Any = None) -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.create(name=name, audience=Audience.PARENTS)
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, introduction_nl="Welkom.", created_by=by
    )
    reach = Theme.objects.create(
        version=version,
        key="bereikbaarheid",
        position=1,
        title_nl="Bereikbaarheid",
        title_en="Reachability",
    )
    info = Theme.objects.create(
        version=version,
        key="informatie",
        position=2,
        title_nl="Informatie",
        title_en="Information",
    )
    rows = [
        ("telefoon-snel", ItemKind.RATED, reach, "Je kon ons snel bereiken", True),
        ("openingsuren", ItemKind.RATED, reach, "De openingsuren passen", False),
        ("website", ItemKind.RATED, info, "De website is duidelijk", True),
        ("folders", ItemKind.RATED, info, "De folders zijn nuttig", False),
        ("algemeen", ItemKind.OVERALL, None, "Welke score geef je Kind en Gezin?", False),
        ("kanaal", ItemKind.CHOICE, None, "Hoe nam je meestal contact op?", True),
    ]
    items: dict[str, Item] = {}
    for position, (key, kind, theme, text, short) in enumerate(rows, start=1):
        items[key] = Item.objects.create(
            version=version,
            theme=theme,
            key=key,
            position=position,
            kind=kind,
            text_nl=text,
            text_en=f"EN {text}",
            choices=CHOICES if kind == ItemKind.CHOICE else [],
            required=kind == ItemKind.OVERALL,
            in_short_version=short,
        )
    Item.objects.create(
        version=version,
        key="waarom",
        position=len(rows) + 1,
        kind=ItemKind.OPEN,
        text_nl="Waarom nam je geen contact op?",
        text_en="Why did you not get in touch?",
        show_if_item=items["kanaal"],
        show_if_values=["geen"],
        in_short_version=True,
    )
    return version


@dataclass
class World:
    version: QuestionnaireVersion
    campaign: Campaign
    units: list[FrameUnit]
    # Per unit: [first mail's token, reminder's token].
    tokens: list[list[str]] = field(default_factory=list)


def build_world(
    *, units: int = 2, status: str = CampaignStatus.FIELDWORK, sent_days_ago: int = 1
) -> World:
    version = build_version()
    campaign = Campaign.objects.create(
        name="Tevredenheid ouders 2023",
        audience=Audience.PARENTS,
        version=version,
        status=status,
        population_kind=PopulationKind.UPLOAD,
        strata_variables=["provincie"],
        design=Design.SIMPLE_RANDOM,
    )
    now = timezone.now()
    sent = now - dt.timedelta(days=sent_days_ago)
    world = World(version=version, campaign=campaign, units=[])
    for n in range(units):
        unit = FrameUnit.objects.create(
            campaign=campaign,
            external_key=f"K{n:03d}",
            email=f"ouder{n}@example.org",
            phone=f"+32 470 00 00 {n:02d}",
            strata={"provincie": "VAN"},
            stratum="provincie=VAN",
            sampled=True,
        )
        invitation = Invitation.objects.create(
            campaign=campaign, unit=unit, status=InvitationStatus.SENT
        )
        tokens = []
        for sequence in (0, 1):
            token, hashed = token_new()
            InvitationMail.objects.create(
                invitation=invitation,
                sequence=sequence,
                due_at=sent,
                sent_at=sent + dt.timedelta(hours=sequence),
                token_hash=hashed,
            )
            tokens.append(token)
        world.units.append(unit)
        world.tokens.append(tokens)
    return world
