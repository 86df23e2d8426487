"""A small campaign world for the monitoring and methodology tests, built with bulk_create.

`build_campaign_world()` makes a questionnaire version (two themes, rated items, the overall
score, an open question), a previous campaign (simple random, unweighted) and a stratified
campaign with 4 strata (province × age), its stratum plan and population margins, the sampled
frame units with invitations and mails (some not sent, some opted out), complete responses
(web, phone, paper) with answers and post-stratification weights, and drop-outs at several
positions. `build_bureau_world()` makes a bureau's campaign without a plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from kglijn.campaigns.models import (
    ActionStatus,
    Answer,
    Audience,
    Campaign,
    CampaignStatus,
    Design,
    FrameUnit,
    ImprovementAction,
    Invitation,
    InvitationMail,
    InvitationStatus,
    Item,
    ItemKind,
    Mode,
    PopulationCount,
    PopulationKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseSource,
    StratumPlan,
    Theme,
)
from kglijn.campaigns.strata import stratum_key

STRATA_VARIABLES = ["province", "age"]
# stratum values -> (population, sample, complete, drop-outs, mails not sent, opted out)
PLAN: dict[tuple[str, str], tuple[int, int, int, int, int, int]] = {
    ("ANT", "0-1"): (400, 40, 20, 4, 2, 1),
    ("ANT", "2-3"): (300, 30, 12, 2, 0, 2),
    ("VBR", "0-1"): (200, 20, 4, 3, 1, 0),  # 20 % < the 30 % minimum
    ("VBR", "2-3"): (100, 10, 5, 1, 0, 0),
}
MARGINS = {
    "province": {"ANT": 700, "VBR": 300},
    "age": {"0-1": 600, "2-3": 400},
}
MODES = [Mode.WEB, Mode.WEB, Mode.WEB, Mode.PHONE, Mode.WEB, Mode.PAPER]
DROPOUT_POSITIONS = [1, 2, 2, None, 3, 1, 2, 1, 2, 4]
NOW = timezone.make_aware(dt.datetime(2023, 3, 20, 10, 0))


@dataclass
class CampaignWorld:
    campaign: Campaign
    previous: Campaign
    version: QuestionnaireVersion
    items: dict[str, Item]


def build_version(name: str = "Ouders 2023") -> tuple[QuestionnaireVersion, dict[str, Item]]:
    questionnaire = Questionnaire.objects.create(name=name, audience=Audience.PARENTS)
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    reach = Theme.objects.create(version=version, key="bereik", position=1, title_nl="Bereik")
    consult = Theme.objects.create(
        version=version, key="consult", position=2, title_nl="Consultatiebureau"
    )
    Item.objects.bulk_create(
        [
            Item(
                version=version,
                theme=reach,
                key="lijn",
                position=1,
                kind=ItemKind.RATED,
                text_nl="Hoe tevreden ben je over de K&G-Lijn?",
                in_short_version=True,
            ),
            Item(
                version=version,
                theme=consult,
                key="uren",
                position=2,
                kind=ItemKind.RATED,
                text_nl="Hoe tevreden ben je over de openingsuren van het consultatiebureau?",
            ),
            Item(
                version=version,
                key="totaal",
                position=3,
                kind=ItemKind.OVERALL,
                text_nl="Welk cijfer op 10 geef je Kind en Gezin?",
                in_short_version=True,
            ),
            Item(
                version=version,
                key="opmerking",
                position=4,
                kind=ItemKind.OPEN,
                text_nl="Wil je nog iets kwijt?",
            ),
        ]
    )
    return version, {item.key: item for item in version.items.all()}


def _responses(
    campaign: Campaign,
    rows: list[dict[str, Any]],
    overall: Item,
    rated: Item,
) -> None:
    """Responses from dicts (strata, stratum, mode, complete, score, weight, last_position,
    invitation, unit); a complete one answers the overall score and a rated item."""
    objects = [
        Response(
            campaign=campaign,
            unit=row.get("unit"),
            invitation=row.get("invitation"),
            source=row.get("source", ResponseSource.APP),
            import_key=row.get("import_key", ""),
            mode=row["mode"],
            strata=row["strata"],
            stratum=row["stratum"],
            started_at=NOW,
            completed_at=NOW if row["complete"] else None,
            last_position=row.get("last_position"),
            weight=row.get("weight"),
        )
        for row in rows
    ]
    Response.objects.bulk_create(objects)
    saved = list(Response.objects.filter(campaign=campaign).order_by("id"))
    answers = []
    for response, row in zip(saved, rows, strict=True):
        if row["complete"]:
            answers.append(Answer(response=response, item=overall, score=row["score"]))
            answers.append(
                Answer(response=response, item=rated, satisfaction=row["score"], importance=8)
            )
        elif row.get("last_position") and row["last_position"] >= 2:
            answers.append(
                Answer(response=response, item=rated, satisfaction=row["score"], importance=7)
            )
    Answer.objects.bulk_create(answers)


def build_previous(version: QuestionnaireVersion, items: dict[str, Item]) -> Campaign:
    previous = Campaign.objects.create(
        name="Ouders 2019",
        audience=Audience.PARENTS,
        version=version,
        status=CampaignStatus.CLOSED,
        population_kind=PopulationKind.REGISTER,
        design=Design.SIMPLE_RANDOM,
        sample_size=60,
        seed=7,
        drawn_at=NOW - dt.timedelta(days=4 * 365),
    )
    rows: list[dict[str, Any]] = [
        {
            "strata": {},
            "stratum": "alle",
            "mode": Mode.WEB,
            "complete": True,
            "score": (5, 6, 7, 8, 9, 7, 6, 8)[i % 8],
        }
        for i in range(40)
    ]
    _responses(previous, rows, items["totaal"], items["lijn"])
    return previous


def build_campaign_world(owner: User | None = None, *, weighted: bool = True) -> CampaignWorld:
    version, items = build_version()
    previous = build_previous(version, items)
    campaign = Campaign.objects.create(
        name="Ouders 2023",
        audience=Audience.PARENTS,
        version=version,
        previous=previous,
        status=CampaignStatus.FIELDWORK,
        population_kind=PopulationKind.REGISTER,
        population_criteria={"child_age_max": 3, "provinces": ["ANT", "VBR"]},
        strata_variables=STRATA_VARIABLES,
        design=Design.STRATIFIED_PROPORTIONAL,
        sample_size=100,
        seed=20230301,
        drawn_at=NOW - dt.timedelta(days=30),
        min_response_rate_pct=Decimal("30"),
        weighting_variables=["province", "age"] if weighted else [],
        weighting_report=(
            {
                "method": "post-stratification",
                "variables": ["province", "age"],
                "n": 41,
                "efficiency_pct": 0.0,
                "deff_weights": 0.0,
                "max_relative_error": 0.0,
                "errors": [],
            }
            if weighted
            else {}
        ),
        cost_eur=Decimal("81957.00"),
        follow_up="Opgenomen in het ondernemingsplan 2024.",
    )
    StratumPlan.objects.bulk_create(
        [
            StratumPlan(
                campaign=campaign,
                stratum=stratum_key({"province": p, "age": a}, STRATA_VARIABLES),
                population=plan[0],
                sample=plan[1],
            )
            for (p, a), plan in PLAN.items()
        ]
    )
    PopulationCount.objects.bulk_create(
        [
            PopulationCount(campaign=campaign, variable=variable, category=category, count=count)
            for variable, counts in MARGINS.items()
            for category, count in counts.items()
        ]
    )
    # The sampled units, their invitations and mails.
    units = []
    for (p, a), (_pop, sample, *_rest) in PLAN.items():
        values = {"province": p, "age": a}
        for i in range(sample):
            units.append(
                FrameUnit(
                    campaign=campaign,
                    external_key=f"{p}-{a}-{i}",
                    email=f"{p}{a}{i}@example.org".lower(),
                    strata=values,
                    stratum=stratum_key(values, STRATA_VARIABLES),
                    sampled=True,
                )
            )
    FrameUnit.objects.bulk_create(units)
    units = list(FrameUnit.objects.filter(campaign=campaign).order_by("id"))
    by_stratum: dict[str, list[FrameUnit]] = {}
    for unit in units:
        by_stratum.setdefault(unit.stratum, []).append(unit)
    invitations = []
    for (p, a), (_pop, _sample, _c, _d, not_sent, opted) in PLAN.items():
        members = by_stratum[stratum_key({"province": p, "age": a}, STRATA_VARIABLES)]
        for i, unit in enumerate(members):
            status = InvitationStatus.SENT
            if i >= len(members) - not_sent:
                status = InvitationStatus.SKIPPED
            elif i >= len(members) - not_sent - opted:
                status = InvitationStatus.OPTED_OUT
            invitations.append(Invitation(campaign=campaign, unit=unit, status=status))
    Invitation.objects.bulk_create(invitations)
    invitations = list(Invitation.objects.filter(campaign=campaign).select_related("unit"))
    mails = []
    for invitation in invitations:
        sent = invitation.status != InvitationStatus.SKIPPED
        mails.append(
            InvitationMail(
                invitation=invitation,
                sequence=0,
                due_at=NOW - dt.timedelta(days=20),
                sent_at=NOW - dt.timedelta(days=20) if sent else None,
            )
        )
        # A reminder for some: an invitation with two sent mails still counts once.
        if sent and invitation.pk % 3 == 0:
            mails.append(
                InvitationMail(
                    invitation=invitation,
                    sequence=1,
                    due_at=NOW - dt.timedelta(days=13),
                    sent_at=NOW - dt.timedelta(days=13),
                )
            )
    InvitationMail.objects.bulk_create(mails)
    invitation_of = {invitation.unit_id: invitation for invitation in invitations}
    rows: list[dict[str, Any]] = []
    counter = 0
    for (p, a), (pop, _sample, complete, dropouts, _ns, _oo) in PLAN.items():
        key = stratum_key({"province": p, "age": a}, STRATA_VARIABLES)
        members = by_stratum[key]
        for i in range(complete + dropouts):
            unit = members[i]
            is_complete = i < complete
            rows.append(
                {
                    "unit": unit,
                    "invitation": invitation_of[unit.pk],
                    "strata": {"province": p, "age": a},
                    "stratum": key,
                    "mode": MODES[counter % len(MODES)],
                    "complete": is_complete,
                    "score": (6, 7, 8, 9, 10, 8, 7, 9, 8)[counter % 9],
                    # Post-stratification expansion weights N_h / n_h.
                    "weight": pop / complete if is_complete and weighted else None,
                    "last_position": None
                    if is_complete
                    else DROPOUT_POSITIONS[counter % len(DROPOUT_POSITIONS)],
                }
            )
            counter += 1
    _responses(campaign, rows, items["totaal"], items["lijn"])
    if owner is not None:
        theme = Theme.objects.get(version=version, key="consult")
        ImprovementAction.objects.bulk_create(
            [
                ImprovementAction(
                    campaign=campaign,
                    theme=theme,
                    theme_key="consult",
                    title=title,
                    owner=owner,
                    due_date=dt.date(2024, 6, 30),
                    status=status,
                )
                for title, status in [
                    ("Ruimere openingsuren", ActionStatus.PLANNED),
                    ("Avondconsultaties", ActionStatus.PLANNED),
                    ("Portaal bekendmaken", ActionStatus.DONE),
                ]
            ]
        )
    return CampaignWorld(campaign=campaign, previous=previous, version=version, items=items)


def build_bureau_world() -> Campaign:
    """A bureau's campaign: margins and responses from its file, no plan, no invitations; the
    bureau reported the number it invited."""
    version, items = build_version("Organisatoren 2023")
    campaign = Campaign.objects.create(
        name="Organisatoren 2023",
        audience=Audience.ORGANISERS,
        version=version,
        status=CampaignStatus.CLOSED,
        population_kind=PopulationKind.BUREAU,
        population_criteria={
            "reported": {"invited": 60, "design": "census of all organisers by mail"}
        },
        strata_variables=["type"],
        design=Design.CENSUS,
        bureau="Bureau X",
    )
    PopulationCount.objects.bulk_create(
        [
            PopulationCount(campaign=campaign, variable="type", category=c, count=n)
            for c, n in {"groep": 120, "gezins": 60, "school": 20}.items()
        ]
    )
    rows: list[dict[str, Any]] = []
    types = ["groep"] * 22 + ["gezins"] * 8 + ["school"] * 2
    for i, kind in enumerate(types):
        rows.append(
            {
                "source": ResponseSource.BUREAU,
                "import_key": f"r{i}",
                "strata": {"type": kind},
                "stratum": f"type={kind}",
                "mode": Mode.PHONE if i % 4 == 0 else Mode.WEB,
                "complete": True,
                "score": (6, 7, 7, 8)[i % 4],
            }
        )
    rows.append(
        {
            "source": ResponseSource.BUREAU,
            "import_key": "r-drop",
            "strata": {"type": "groep"},
            "stratum": "type=groep",
            "mode": Mode.WEB,
            "complete": False,
            "score": 5,
            "last_position": 2,
        }
    )
    _responses(campaign, rows, items["totaal"], items["lijn"])
    return campaign
