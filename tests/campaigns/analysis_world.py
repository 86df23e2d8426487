"""Small survey worlds for the analysis tests: a questionnaire version with three themes, a
campaign with margins over three variables and a few hundred responses (bulk_create)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from kglijn.campaigns.models import (
    Answer,
    Audience,
    Campaign,
    Design,
    Item,
    ItemKind,
    Mode,
    PopulationCount,
    PopulationKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseSource,
    Theme,
)
from kglijn.campaigns.strata import stratum_key

START = dt.datetime(2023, 3, 1, 10, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2023, 4, 1, 12, 0, tzinfo=dt.UTC)

# Population per category of each weighting variable (every margin adds up to 10,000).
MARGINS: dict[str, dict[str, int]] = {
    "province": {"ANT": 3000, "OVL": 2500, "WVL": 2000, "VBR": 1500, "LIM": 1000},
    "age": {"0-1": 4000, "1-2": 3500, "2-3": 2500},
    "language": {"nl": 8500, "other": 1500},
}
STRATA_VARIABLES = ["province", "age"]
# The respondents over-represent some categories, so the weights differ from 1.
DRAW = {
    "province": {"ANT": 2, "OVL": 3, "WVL": 3, "VBR": 1, "LIM": 1},
    "age": {"0-1": 1, "1-2": 2, "2-3": 3},
    "language": {"nl": 9, "other": 1},
}
THEMES = [
    ("bereikbaarheid", "Bereikbaarheid"),
    ("consultatie", "Consultatiebureau"),
    ("website", "Website en Groeipakket-portaal"),
]
OPEN_ANSWERS = [
    "De openingsuren van het consultatiebureau zijn te beperkt.",
    "Langere openingsuren graag, ook op zaterdag.",
    "De website is onoverzichtelijk, ik vond de informatie niet.",
    "Website moeilijk te vinden op mijn gsm.",
    "Vriendelijke verpleegkundige, bedankt!",
    "De wachttijd aan de telefoon was lang. Bel me op 0470 12 34 56.",
    "Wachttijd te lang, mail naar ouder@example.org",
    "Heel tevreden over de verpleegkundige.",
]


@dataclass
class Version:
    version: QuestionnaireVersion
    overall: Item
    open: Item
    rated: dict[str, list[Item]]  # theme key -> items


def build_version(*, number: int = 1, importance_asked: bool = True) -> Version:
    questionnaire = Questionnaire.objects.create(
        name=f"Ouders v{number}", audience=Audience.PARENTS
    )
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=number)
    position = 1
    rated: dict[str, list[Item]] = {}
    for theme_position, (key, title) in enumerate(THEMES, start=1):
        theme = Theme.objects.create(
            version=version, key=key, position=theme_position, title_nl=title
        )
        rated[key] = []
        for index in (1, 2):
            rated[key].append(
                Item.objects.create(
                    version=version,
                    theme=theme,
                    key=f"{key}-{index}",
                    position=position,
                    kind=ItemKind.RATED,
                    text_nl=f"{title}: vraag {index}",
                )
            )
            position += 1
    overall = Item.objects.create(
        version=version,
        key="totaal",
        position=position,
        kind=ItemKind.OVERALL,
        text_nl="Welke score geef je Kind en Gezin?",
    )
    open_item = Item.objects.create(
        version=version,
        key="opmerking",
        position=position + 1,
        kind=ItemKind.OPEN,
        text_nl="Wat kunnen we beter doen?",
    )
    return Version(version=version, overall=overall, open=open_item, rated=rated)


def _draw(rng: random.Random, variable: str) -> str:
    categories = list(DRAW[variable])
    return rng.choices(categories, weights=[DRAW[variable][c] for c in categories])[0]


def build_campaign(
    *,
    name: str = "Ouders 2023",
    n: int = 300,
    seed: int = 20,
    version: Version | None = None,
    previous: Campaign | None = None,
    shift: float = 0.0,
    margins: dict[str, dict[str, int]] | None = MARGINS,
    design: str = Design.STRATIFIED_PROPORTIONAL,
    dropouts: int = 10,
    importance_asked: bool = True,
) -> tuple[Campaign, Version]:
    """A campaign with `n` complete responses (plus `dropouts`) answering every item; scores
    are random around a per-theme level plus `shift`; importance only when `importance_asked`.
    """
    version = version or build_version()
    campaign = Campaign.objects.create(
        name=name,
        audience=Audience.PARENTS,
        version=version.version,
        previous=previous,
        population_kind=PopulationKind.UPLOAD,
        strata_variables=STRATA_VARIABLES,
        design=design,
    )
    for variable, counts in (margins or {}).items():
        PopulationCount.objects.bulk_create(
            PopulationCount(campaign=campaign, variable=variable, category=c, count=k)
            for c, k in counts.items()
        )
    rng = random.Random(seed)
    responses = []
    for index in range(n + dropouts):
        strata = {variable: _draw(rng, variable) for variable in DRAW}
        responses.append(
            Response(
                campaign=campaign,
                source=ResponseSource.BUREAU,
                import_key=f"r{index}",
                mode=Mode.WEB if index % 4 else Mode.PHONE,
                strata=strata,
                stratum=stratum_key(strata, STRATA_VARIABLES),
                started_at=START,
                completed_at=START + dt.timedelta(minutes=9) if index < n else None,
                last_position=None if index < n else 3,
            )
        )
    Response.objects.bulk_create(responses)
    saved = list(Response.objects.filter(campaign=campaign).order_by("pk"))
    levels = {"bereikbaarheid": 6.0, "consultatie": 8.5, "website": 7.0}
    importances = {"bereikbaarheid": 8.5, "consultatie": 8.0, "website": 6.0}
    answers = []
    for index, response in enumerate(saved[:n]):
        lift = 0.8 if response.strata["age"] == "2-3" else 0.0
        theme_scores = []
        for key, items in version.rated.items():
            for item in items:
                score = round(min(10, max(0, rng.gauss(levels[key] + shift + lift, 1.5))))
                theme_scores.append(score)
                importance = round(min(10, max(0, rng.gauss(importances[key], 1.2))))
                answers.append(
                    Answer(
                        response=response,
                        item=item,
                        satisfaction=score,
                        importance=importance if importance_asked else None,
                    )
                )
        overall = round(min(10, max(0, sum(theme_scores) / len(theme_scores) + rng.gauss(0, 0.7))))
        answers.append(Answer(response=response, item=version.overall, score=overall))
        if index % 3 == 0:
            answers.append(
                Answer(
                    response=response,
                    item=version.open,
                    text=OPEN_ANSWERS[index // 3 % len(OPEN_ANSWERS)],
                )
            )
    Answer.objects.bulk_create(answers, batch_size=2000)
    return campaign, version
