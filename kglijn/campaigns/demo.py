"""The satisfaction-survey demo (issue 20 item 7, docs/campaigns-demo.md): the 2022-2023
measurement of sources 001 (parliamentary question 193) and 002 ("Tevredenheidsonderzoek"), on
top of `kglijn demo` (settings.KGLIJN_DEMO_EXTRAS).

- **Parents** (run in kglijn): parents of a child of 0-3 by province × child's age band × home
  language (36 strata), a stratified sample with a minimum per stratum, one invitation and one
  reminder per sampled parent, web answers and the phone short version: **7,525 complete
  questionnaires and 743 drop-outs** at scale 1.
- **Childcare organisers** (a bureau's results, loaded through the bureau import with its own
  files): everyone with a contact with Opgroeien by organiser type × province, **2,634
  invited** (the source: "> 2,600") and **1,445 complete**.
- Scores differ realistically between strata; the weights are raked on the stored margins
  (`analysis.weighting.rake`) and the overall scores are calibrated (a deterministic subset of
  overall scores moved by one point) until the weighted mean is **8.2** (parents) and **6.8**
  (organisers), as the source reports; weights and `weighting_report` are stored.
- **Improvement actions** from the source's improvement points, owned by demo users; the cost
  €81,957 (one assignment for both measurements) on the parents' campaign; a planned next
  measurement per audience shows the actions beside each theme's change.

Deterministic per seed; `years` is ignored (the measurement is 2022-2023); `scale` multiplies
the counts (exact at 1.0, with floors so that every stratum keeps respondents: `demo_counts`).
Its own rows (the campaigns and questionnaires named below) are replaced on every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from kglijn.campaigns.analysis.estimates import weighted_mean
from kglijn.campaigns.analysis.weighting import rake
from kglijn.campaigns.bureau.rows import db_datetime, db_json, insert_rows
from kglijn.campaigns.bureau.services import ANSWER_FIELDS, margins_import, respondents_import
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
from kglijn.core.bulk import fast_writes
from kglijn.core.business_calendar import BRUSSELS

# --- the source's figures (../shared/data/seed_figures.json "satisfaction_survey_2022_2023") ---
PARENTS_COMPLETE = 7525
PARENTS_DROPOUTS = 743
ORGANISERS_INVITED = 2634  # the source: "> 2,600"
ORGANISERS_COMPLETE = 1445
PARENTS_SCORE = 8.2
ORGANISERS_SCORE = 6.8
COST_EUR = Decimal("81957")
BUREAU = "M.A.S."

# --- the demo's own design (not in the source; docs/campaigns-demo.md) --------------------------
PARENTS_POPULATION = 196_000  # children of 0-3 in Flanders and Brussels (≈ 3 × 65,000 births)
PARENTS_SAMPLE = 24_000
PARENTS_MIN_PER_STRATUM = 200
FIELDWORK = (dt.date(2022, 10, 3), dt.date(2023, 1, 31))
ORGANISERS_FIELDWORK = (dt.date(2022, 11, 7), dt.date(2022, 12, 16))
REMINDER_AFTER_DAYS = 10
CALIBRATION_TOLERANCE = 0.004  # the weighted overall score ends within this of the target

PARENTS_QUESTIONNAIRE = "Tevredenheid van ouders over Kind en Gezin"
ORGANISERS_QUESTIONNAIRE = "Tevredenheid van organisatoren kinderopvang over Opgroeien"
PARENTS_CAMPAIGN = "Tevredenheidsonderzoek ouders 2022-2023"
ORGANISERS_CAMPAIGN = "Tevredenheidsonderzoek organisatoren kinderopvang 2022-2023"
PARENTS_NEXT = "Tevredenheidsonderzoek ouders — volgende meting (gepland)"
ORGANISERS_NEXT = "Tevredenheidsonderzoek organisatoren kinderopvang — volgende meting (gepland)"
DEMO_CAMPAIGNS = (PARENTS_NEXT, ORGANISERS_NEXT, PARENTS_CAMPAIGN, ORGANISERS_CAMPAIGN)
DEMO_QUESTIONNAIRES = (PARENTS_QUESTIONNAIRE, ORGANISERS_QUESTIONNAIRE)

PROVINCES = {  # share of the children of 0-3, share with another home language than Dutch
    "Antwerpen": (0.29, 0.32),
    "Oost-Vlaanderen": (0.23, 0.20),
    "West-Vlaanderen": (0.16, 0.12),
    "Vlaams-Brabant": (0.17, 0.22),
    "Limburg": (0.12, 0.20),
    "Brussel": (0.03, 0.55),
}
AGE_BANDS = {"0-1 jaar": 0.34, "1-2 jaar": 0.33, "2-3 jaar": 0.33}
LANGUAGES = ("Nederlands", "andere taal")
PARENTS_STRATA = ("provincie", "leeftijd_kind", "taal")
ORGANISER_TYPES = {"groepsopvang": 0.62, "gezinsopvang": 0.38}
ORGANISERS_STRATA = ("type_organisator", "provincie")

# Overall score (0-10) by stratum: the mean before calibration, and the response propensity.
PARENTS_PROVINCE_EFFECT = {
    "Antwerpen": -0.10,
    "Oost-Vlaanderen": 0.0,
    "West-Vlaanderen": 0.15,
    "Vlaams-Brabant": 0.0,
    "Limburg": 0.15,
    "Brussel": -0.35,
}
PARENTS_AGE_EFFECT = {"0-1 jaar": 0.15, "1-2 jaar": 0.0, "2-3 jaar": -0.15}
PARENTS_LANGUAGE_EFFECT = {"Nederlands": 0.1, "andere taal": -0.45}
ORGANISERS_TYPE_MEAN = {"groepsopvang": 6.55, "gezinsopvang": 7.2}


@dataclass(frozen=True)
class ItemSpec:
    key: str
    kind: str
    text: str
    theme: str = ""
    short: bool = False
    satisfaction: float = 0.0  # mean satisfaction (rated items)
    importance: float = 0.0
    choices: tuple[tuple[str, str], ...] = ()
    show_if: tuple[str, str] | None = None  # (item key, value)
    yes_share: float = 0.0  # choice items: share answering the first choice


YES_NO = (("ja", "Ja"), ("nee", "Nee"))
PARENTS_THEMES = (
    ("consultatiebureau", "Het consultatiebureau"),
    ("lokaal-team", "Contacten met het lokale team"),
    ("testen-vaccinaties", "Gehoor- en oogtesten en vaccinaties"),
    ("informatie-advies", "Informatie en advies"),
    ("portaal-kg-lijn", "Het portaal en de Kind en Gezin-Lijn"),
)
PARENTS_ITEMS = (
    ItemSpec(
        "cb-openingsuren",
        ItemKind.RATED,
        "De openingsuren van het consultatiebureau",
        "consultatiebureau",
        True,
        6.7,
        8.6,
    ),
    ItemSpec(
        "cb-ligging",
        ItemKind.RATED,
        "De ligging en bereikbaarheid van het consultatiebureau",
        "consultatiebureau",
        False,
        7.9,
        7.8,
    ),
    ItemSpec(
        "team-contact",
        ItemKind.RATED,
        "De contacten met de medewerkers van het lokale team",
        "lokaal-team",
        True,
        8.8,
        8.8,
    ),
    ItemSpec(
        "team-huisbezoek",
        ItemKind.RATED,
        "Het huisbezoek van de verpleegkundige",
        "lokaal-team",
        False,
        8.6,
        8.3,
    ),
    ItemSpec(
        "gehoortest", ItemKind.RATED, "De gratis gehoortest", "testen-vaccinaties", False, 8.9, 8.4
    ),
    ItemSpec("oogtest", ItemKind.RATED, "De gratis oogtest", "testen-vaccinaties", False, 8.8, 8.4),
    ItemSpec(
        "vaccinatie",
        ItemKind.RATED,
        "Het vaccineren van je kind",
        "testen-vaccinaties",
        True,
        9.0,
        9.2,
    ),
    ItemSpec(
        "advies-opvoeding",
        ItemKind.RATED,
        "Informatie en advies over opvoeding en gedrag",
        "informatie-advies",
        True,
        7.4,
        8.8,
    ),
    ItemSpec(
        "advies-slapen",
        ItemKind.RATED,
        "Informatie en advies over slapen",
        "informatie-advies",
        False,
        7.3,
        8.6,
    ),
    ItemSpec(
        "advies-zindelijkheid",
        ItemKind.RATED,
        "Informatie en advies over zindelijkheid",
        "informatie-advies",
        False,
        7.1,
        8.3,
    ),
    ItemSpec(
        "portaal-bekend",
        ItemKind.CHOICE,
        "Ken je het portaal Mijn Kind en Gezin?",
        "",
        True,
        choices=YES_NO,
        yes_share=0.52,
    ),
    ItemSpec(
        "portaal",
        ItemKind.RATED,
        "Het portaal Mijn Kind en Gezin",
        "portaal-kg-lijn",
        False,
        7.6,
        7.3,
        show_if=("portaal-bekend", "ja"),
    ),
    ItemSpec(
        "kg-lijn-bekend",
        ItemKind.CHOICE,
        "Ken je de Kind en Gezin-Lijn (telefoon, e-mail en chat)?",
        "",
        True,
        choices=YES_NO,
        yes_share=0.46,
    ),
    ItemSpec(
        "kg-lijn",
        ItemKind.RATED,
        "De Kind en Gezin-Lijn",
        "portaal-kg-lijn",
        False,
        7.9,
        7.6,
        show_if=("kg-lijn-bekend", "ja"),
    ),
    ItemSpec(
        "algemeen",
        ItemKind.OVERALL,
        "Welke score op 10 geef je aan de dienstverlening van Kind en Gezin in het algemeen?",
        "",
        True,
    ),
    ItemSpec("suggestie", ItemKind.OPEN, "Wat kan Kind en Gezin voor jou beter doen?"),
)
ORGANISERS_THEMES = (
    ("klantenbeheer", "Klantenbeheer Kinderopvang"),
    ("ondersteuning", "Hulp en ondersteuning"),
    ("subsidies-prestaties", "Subsidies en opvangprestaties"),
    ("informatie-website", "Informatie en de website voor organisatoren"),
    ("procedures", "Procedures"),
)
ORGANISERS_ITEMS = (
    ItemSpec(
        "kb-bereikbaarheid",
        ItemKind.RATED,
        "De bereikbaarheid van Klantenbeheer Kinderopvang",
        "klantenbeheer",
        True,
        5.3,
        9.0,
    ),
    ItemSpec(
        "kb-opvolging",
        ItemKind.RATED,
        "De opvolging van je dossier",
        "klantenbeheer",
        False,
        6.0,
        8.7,
    ),
    ItemSpec(
        "hulp-problemen",
        ItemKind.RATED,
        "Hulp en ondersteuning bij problemen",
        "ondersteuning",
        False,
        5.6,
        8.8,
    ),
    ItemSpec(
        "subsidie-betaling",
        ItemKind.RATED,
        "Het tijdig betalen van de subsidies",
        "subsidies-prestaties",
        True,
        8.1,
        9.3,
    ),
    ItemSpec(
        "inkomenstarief",
        ItemKind.CHOICE,
        "Werkt je opvang met een inkomenstarief?",
        "",
        False,
        choices=YES_NO,
        yes_share=0.7,
    ),
    ItemSpec(
        "prestaties",
        ItemKind.RATED,
        "Het doorgeven van de gegevens over de opvangprestaties",
        "subsidies-prestaties",
        False,
        7.8,
        8.2,
        show_if=("inkomenstarief", "ja"),
    ),
    ItemSpec(
        "website",
        ItemKind.RATED,
        "De website voor organisatoren",
        "informatie-website",
        True,
        5.7,
        8.1,
    ),
    ItemSpec(
        "info-online",
        ItemKind.RATED,
        "Informatie online vinden",
        "informatie-website",
        False,
        5.9,
        8.4,
    ),
    ItemSpec(
        "procedures",
        ItemKind.RATED,
        "De duidelijkheid van de procedures (vergunning, subsidie, melding)",
        "procedures",
        False,
        5.8,
        8.6,
    ),
    ItemSpec(
        "algemeen",
        ItemKind.OVERALL,
        "Welke score op 10 geef je aan de dienstverlening van Opgroeien in het algemeen?",
        "",
        True,
    ),
    ItemSpec("opmerking", ItemKind.OPEN, "Wat kan Opgroeien voor je organisatie beter doen?"),
)
PARENTS_SUGGESTIONS = (
    "Consultaties ook 's avonds of op zaterdag, dan moet ik geen verlof nemen.",
    "Meer uitleg over slapen en doorslapen.",
    "Ik wist niet dat er een portaal bestond.",
    "Tips over zindelijkheid zouden welkom zijn.",
    "De verpleegkundige nam echt de tijd, dank je!",
    "Sneller een afspraak kunnen maken via de website.",
    "Informatie in andere talen dan het Nederlands.",
)
ORGANISERS_REMARKS = (
    "Klantenbeheer is moeilijk bereikbaar, we wachten lang op antwoord.",
    "De website is onoverzichtelijk: informatie is moeilijk te vinden.",
    "Procedures voor de subsidie zijn niet altijd duidelijk.",
    "De subsidies komen stipt, dat apprecieer ik.",
    "Graag één vast aanspreekpunt voor ons dossier.",
)

# The improvement points of source 002 ("Verbeteracties nodig", "Aangepakt of lopend").
# (campaign, theme key, title, description, owner username, due date, status, result)
ACTIONS: tuple[tuple[str, str, str, str, str, dt.date, str, str], ...] = (
    (
        PARENTS_CAMPAIGN,
        "portaal-kg-lijn",
        "Bekendheid van het portaal en de Kind en Gezin-Lijn vergroten",
        "Ongeveer de helft van de ouders kent het portaal en de Kind en Gezin-Lijn. Ze worden "
        "voorgesteld bij het eerste huisbezoek en op elke consultatie.",
        "lead",
        dt.date(2023, 12, 31),
        ActionStatus.IN_PROGRESS,
        "",
    ),
    (
        PARENTS_CAMPAIGN,
        "consultatiebureau",
        "Ruimere openingsuren van de consultatiebureaus",
        "Consultaties 's avonds en op zaterdag in de drukste consultatiebureaus, eerst als proef.",
        "infomanager",
        dt.date(2024, 6, 30),
        ActionStatus.PLANNED,
        "",
    ),
    (
        PARENTS_CAMPAIGN,
        "informatie-advies",
        "Projecten zindelijkheid en emotionele ontwikkeling",
        "Ouders willen beter ondersteund worden over opvoeding, slapen en zindelijkheid.",
        "infomanager",
        dt.date(2024, 12, 31),
        ActionStatus.IN_PROGRESS,
        "",
    ),
    (
        ORGANISERS_CAMPAIGN,
        "informatie-website",
        "Een nieuwe website voor organisatoren",
        "Informatie voor organisatoren online zichtbaarder en beter vindbaar maken.",
        "klantenbeheer1",
        dt.date(2024, 3, 31),
        ActionStatus.PLANNED,
        "",
    ),
    (
        ORGANISERS_CAMPAIGN,
        "klantenbeheer",
        "Klantenbeheer Kinderopvang versterken en bereikbaar maken",
        "Actieplan kinderopvang: organisatie en bereikbaarheid van het klantenbeheer.",
        "klantenbeheer1",
        dt.date(2023, 9, 30),
        ActionStatus.DONE,
        "27 VTE extra klantenbeheerders aangeworven (bijna 60 VTE), een vast aanspreekpunt per "
        "organisator en vier regionale teams sinds 9 mei 2023.",
    ),
)
FOLLOW_UP_PARENTS = (
    "De werkpunten werden meegenomen in de jaarplanning van de afdelingen en worden verder "
    "opgevolgd in het ondernemingsplan; een nieuwe meting volgt. De kost (€ 81.957 excl. btw) "
    "is één opdracht voor de meting bij ouders en bij organisatoren."
)
FOLLOW_UP_ORGANISERS = (
    "In navolging van het actieplan kinderopvang werd het klantenbeheer versterkt en "
    "gereorganiseerd. De kost van de opdracht (€ 81.957 excl. btw, beide metingen samen) staat "
    "bij de meting bij ouders."
)


@dataclass(frozen=True)
class DemoCounts:
    """What the demo writes at a scale (exact to the source at 1.0)."""

    parents_population: int
    parents_sample: int
    parents_min_per_stratum: int
    parents_complete: int
    parents_dropouts: int
    organisers_invited: int
    organisers_complete: int


def demo_counts(scale: float) -> DemoCounts:
    """The counts at `scale`: each published count × scale, rounded, with floors that keep at
    least one complete respondent in every stratum (36 for parents, 12 for organisers)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    complete = max(72, round(PARENTS_COMPLETE * scale))
    dropouts = max(1, round(PARENTS_DROPOUTS * scale))
    minimum = max(2, round(PARENTS_MIN_PER_STRATUM * scale))
    sample = max(round(PARENTS_SAMPLE * scale), 2 * (complete + dropouts), 36 * minimum)
    organisers_complete = max(24, round(ORGANISERS_COMPLETE * scale))
    # At least 3 invited per organisers' stratum (the allocation's minimum), also at tiny scales.
    invited = max(
        round(ORGANISERS_INVITED * scale),
        math.ceil(1.25 * organisers_complete),
        3 * len(ORGANISER_TYPES) * len(PROVINCES),
    )
    population = max(round(PARENTS_POPULATION * scale), 4 * sample)
    return DemoCounts(
        parents_population=population,
        parents_sample=sample,
        parents_min_per_stratum=minimum,
        parents_complete=complete,
        parents_dropouts=dropouts,
        organisers_invited=invited,
        organisers_complete=organisers_complete,
    )


def allocate(
    weights: Sequence[float],
    total: int,
    *,
    minimum: int = 0,
    caps: Sequence[int] | None = None,
) -> list[int]:
    """`total` split over the strata in proportion to `weights`, each at least `minimum` and
    at most its cap (largest remainders; ties to the first stratum)."""
    count = len(weights)
    limits = list(caps) if caps is not None else [total] * count
    if total > sum(limits) or total < sum(min(minimum, cap) for cap in limits):
        raise ValueError(f"cannot allocate {total} over {count} strata")
    fixed: dict[int, int] = {}
    shares: dict[int, float] = {}
    while True:
        free = [i for i in range(count) if i not in fixed]
        rest = total - sum(fixed.values())
        weight_sum = sum(weights[i] for i in free)
        shares = {i: (rest * weights[i] / weight_sum if weight_sum > 0 else 0.0) for i in free}
        low = [i for i in free if shares[i] < min(minimum, limits[i])]
        high = [i for i in free if shares[i] > limits[i]]
        if not low and not high:
            break
        for i in low:
            fixed[i] = min(minimum, limits[i])
        for i in high:
            fixed[i] = limits[i]
    result = [0] * count
    for i, value in fixed.items():
        result[i] = value
    floors = {i: math.floor(share) for i, share in shares.items()}
    left = total - sum(fixed.values()) - sum(floors.values())
    order = sorted(floors, key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    for i, value in floors.items():
        result[i] = value
    if sum(result) != total or any(r > c for r, c in zip(result, limits, strict=True)):
        raise ValueError(f"cannot allocate {total} over {count} strata")
    return result


# --- questionnaires -----------------------------------------------------------------------------


def _questionnaire(
    name: str,
    audience: str,
    introduction: str,
    themes: Sequence[tuple[str, str]],
    items: Sequence[ItemSpec],
    frozen: dt.datetime,
) -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.create(name=name, audience=audience)
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, introduction_nl=introduction, frozen_at=frozen
    )
    by_key = {
        key: Theme.objects.create(version=version, key=key, position=position, title_nl=title)
        for position, (key, title) in enumerate(themes, start=1)
    }
    made: dict[str, Item] = {}
    for position, spec in enumerate(items, start=1):
        made[spec.key] = Item.objects.create(
            version=version,
            theme=by_key[spec.theme] if spec.theme else None,
            key=spec.key,
            position=position,
            kind=spec.kind,
            text_nl=spec.text,
            choices=[
                {"value": value, "label_nl": label, "label_en": ""} for value, label in spec.choices
            ],
            required=spec.kind == ItemKind.OVERALL,
            in_short_version=spec.short,
            show_if_item=made[spec.show_if[0]] if spec.show_if else None,
            show_if_values=[spec.show_if[1]] if spec.show_if else [],
        )
    return version


# --- answers ------------------------------------------------------------------------------------


def _clip(value: float) -> int:
    return int(min(10, max(0, round(value))))


@dataclass
class _Respondent:
    strata: dict[str, str]
    complete: bool
    mode: str
    reached: int  # the last item position reached
    overall: int = 0
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # item key -> values


def _answers(
    respondent: _Respondent,
    items: Sequence[ItemSpec],
    person: float,
    rng: random.Random,
    texts: Sequence[str],
) -> None:
    """Fill the respondent's answers up to the item reached (the phone: short items only)."""
    given: dict[str, str] = {}
    for position, spec in enumerate(items, start=1):
        if position > respondent.reached:
            break
        if respondent.mode == Mode.PHONE and not spec.short:
            continue
        if spec.show_if and given.get(spec.show_if[0]) != spec.show_if[1]:
            continue
        if spec.kind == ItemKind.RATED:
            if rng.random() < 0.04:  # "no opinion"
                continue
            respondent.answers[spec.key] = {
                "satisfaction": _clip(spec.satisfaction + person + rng.gauss(0, 1.2)),
                "importance": _clip(spec.importance + rng.gauss(0, 1.1)),
            }
        elif spec.kind == ItemKind.CHOICE:
            value = spec.choices[0][0] if rng.random() < spec.yes_share else spec.choices[1][0]
            given[spec.key] = value
            respondent.answers[spec.key] = {"choice": value}
        elif spec.kind == ItemKind.OVERALL:
            respondent.answers[spec.key] = {"score": respondent.overall}
        elif spec.kind == ItemKind.OPEN and rng.random() < 0.12:
            respondent.answers[spec.key] = {"text": rng.choice(texts)}


def _calibrate(
    scores: np.ndarray, weights: np.ndarray, target: float, rng: random.Random
) -> np.ndarray:
    """Move scores one point at a time, respondents in a seeded order, until the weighted mean
    is within CALIBRATION_TOLERANCE of `target`; a step that would move the mean further away
    (a heavy weight in a tiny demo) is skipped, so a small demo gets as close as it can (the
    demo's summary line shows the mean reached)."""
    scores = scores.copy()
    total = float(weights.sum())
    mean = float((scores * weights).sum()) / total
    order = rng.sample(range(len(scores)), len(scores))
    for _sweep in range(20):
        for i in order:
            if abs(mean - target) < CALIBRATION_TOLERANCE:
                return scores
            step = 1 if mean < target else -1
            moved = mean + step * float(weights[i]) / total
            if 0 <= scores[i] + step <= 10 and abs(moved - target) < abs(mean - target):
                scores[i] += step
                mean = moved
    return scores


def _weights(
    rows: list[dict[str, str]], margins: dict[str, dict[str, int]]
) -> tuple[np.ndarray, dict[str, Any]]:
    result = rake(rows, margins)
    n = len(rows)
    return result.weights, {
        "method": "raking",
        "variables": list(margins),
        "n": n,
        "efficiency_pct": round(result.efficiency_pct, 2),
        "deff_weights": round(100.0 / result.efficiency_pct, 4),
        "max_relative_error": result.max_relative_error,
        "errors": [],
    }


def _margins_of(
    populations: Mapping[tuple[str, ...], int], variables: Sequence[str]
) -> dict[str, dict[str, int]]:
    margins: dict[str, dict[str, int]] = {variable: {} for variable in variables}
    for values, count in populations.items():
        for variable, value in zip(variables, values, strict=True):
            margins[variable][value] = margins[variable].get(value, 0) + count
    return margins


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8), tzinfo=BRUSSELS) + dt.timedelta(
        minutes=rng.randrange(14 * 60)
    )


# --- parents (run in kglijn) --------------------------------------------------------------------


def _parents(
    counts: DemoCounts, seed: int, version: QuestionnaireVersion
) -> tuple[Campaign, float]:
    rng = random.Random(f"{seed}-parents")
    strata = [
        (province, age, language)
        for province in PROVINCES
        for age in AGE_BANDS
        for language in LANGUAGES
    ]
    shares = []
    for province, age, language in strata:
        share, other = PROVINCES[province]
        shares.append(share * AGE_BANDS[age] * (other if language == "andere taal" else 1 - other))
    populations = allocate(
        shares, counts.parents_population, minimum=3 * counts.parents_min_per_stratum
    )
    samples = allocate(
        populations, counts.parents_sample, minimum=counts.parents_min_per_stratum, caps=populations
    )
    propensity = [
        samples[i]
        * (0.7 if language == "andere taal" else 1.0)
        * (0.85 if province == "Brussel" else 1.0)
        * (1.1 if age == "0-1 jaar" else 1.0)
        for i, (province, age, language) in enumerate(strata)
    ]
    completes = allocate(propensity, counts.parents_complete, minimum=1, caps=samples)
    dropouts = allocate(
        propensity,
        counts.parents_dropouts,
        caps=[s - c for s, c in zip(samples, completes, strict=True)],
    )
    start, end = FIELDWORK
    now = timezone.now()
    campaign = Campaign.objects.create(
        name=PARENTS_CAMPAIGN,
        audience=Audience.PARENTS,
        version=version,
        status=CampaignStatus.CLOSED,
        population_kind=PopulationKind.REGISTER,
        strata_variables=list(PARENTS_STRATA),
        design=Design.STRATIFIED_MINIMUM,
        sample_size=counts.parents_sample,
        min_per_stratum=counts.parents_min_per_stratum,
        seed=seed,
        drawn_at=dt.datetime.combine(start - dt.timedelta(days=7), dt.time(10), tzinfo=BRUSSELS),
        fieldwork_start=start,
        fieldwork_end=end,
        reminder_after_days=REMINDER_AFTER_DAYS,
        max_reminders=1,
        weighting_variables=list(PARENTS_STRATA),
        cost_eur=COST_EUR,
        follow_up=FOLLOW_UP_PARENTS,
    )
    by_values: dict[tuple[str, ...], int] = dict(zip(strata, populations, strict=True))
    margins = _margins_of(by_values, PARENTS_STRATA)
    PopulationCount.objects.bulk_create(
        PopulationCount(campaign=campaign, variable=variable, category=category, count=count)
        for variable, categories in margins.items()
        for category, count in categories.items()
    )
    StratumPlan.objects.bulk_create(
        StratumPlan(
            campaign=campaign,
            stratum=stratum_key(dict(zip(PARENTS_STRATA, values, strict=True)), PARENTS_STRATA),
            population=population,
            sample=sample,
        )
        for values, population, sample in zip(strata, populations, samples, strict=True)
    )
    # The sampled units (the frame keeps only the sample; the population is in the plan).
    units: list[tuple[str, str, str, dict[str, str], str]] = []  # key, e-mail, language, strata
    outcome: list[str] = []  # "complete" | "dropout" | ""
    for values, sample, complete, dropout in zip(strata, samples, completes, dropouts, strict=True):
        values_dict = dict(zip(PARENTS_STRATA, values, strict=True))
        key = stratum_key(values_dict, PARENTS_STRATA)
        kinds = (
            ["complete"] * complete + ["dropout"] * dropout + [""] * (sample - complete - dropout)
        )
        rng.shuffle(kinds)
        for kind in kinds:
            number = len(units) + 1
            units.append(
                (
                    f"demo-ouder-{number:06d}",
                    f"ouder{number:06d}@voorbeeld.invalid",
                    "en" if values[2] == "andere taal" else "nl-be",
                    values_dict,
                    key,
                )
            )
            outcome.append(str(kind))
    insert_rows(
        FrameUnit,
        (
            "campaign_id",
            "external_key",
            "email",
            "phone",
            "language",
            "strata",
            "stratum",
            "sampled",
        ),
        [
            (campaign.pk, key, email, "", language, db_json(values), stratum, True)
            for key, email, language, values, stratum in units
        ],
    )
    unit_ids = dict(FrameUnit.objects.filter(campaign=campaign).values_list("external_key", "pk"))
    unit_pks = [unit_ids[unit[0]] for unit in units]
    invited_at = dt.datetime.combine(start, dt.time(9), tzinfo=BRUSSELS)
    created = db_datetime(invited_at - dt.timedelta(days=3))
    insert_rows(
        Invitation,
        ("campaign_id", "unit_id", "status", "skip_reason", "created_at"),
        [
            (
                campaign.pk,
                pk,
                InvitationStatus.COMPLETED.value
                if kind == "complete"
                else InvitationStatus.SENT.value,
                "",
                created,
            )
            for pk, kind in zip(unit_pks, outcome, strict=True)
        ],
    )
    invitation_ids = dict(Invitation.objects.filter(campaign=campaign).values_list("unit_id", "pk"))
    days = (end - start).days
    last = len(PARENTS_ITEMS)
    respondents: list[tuple[int, _Respondent, dt.datetime]] = []
    for index, kind in enumerate(outcome):
        if not kind:
            continue
        other = units[index][3]["taal"] == "andere taal"
        phone = kind == "complete" and rng.random() < (0.25 if other else 0.10)
        respondent = _Respondent(
            strata=units[index][3],
            complete=kind == "complete",
            mode=Mode.PHONE if phone else Mode.WEB,
            reached=last if kind == "complete" else rng.randrange(1, last - 1),
        )
        answered = _moment(start + dt.timedelta(days=int(min(days, rng.expovariate(1 / 12)))), rng)
        respondents.append((index, respondent, answered))
    reminder_at = invited_at + dt.timedelta(days=REMINDER_AFTER_DAYS)
    answered_by_index = {index: (respondent, moment) for index, respondent, moment in respondents}
    sent, reminded = db_datetime(invited_at), db_datetime(reminder_at)
    mails: list[tuple[Any, ...]] = []
    for index, unit_pk in enumerate(unit_pks):
        invitation_pk = invitation_ids[unit_pk]
        mails.append((invitation_pk, 0, sent, sent))
        done = answered_by_index.get(index)
        if done is None or not done[0].complete or done[1] >= reminder_at:
            mails.append((invitation_pk, 1, reminded, reminded))
    insert_rows(InvitationMail, ("invitation_id", "sequence", "due_at", "sent_at"), mails)
    # Scores: the overall score by stratum and person, then raked weights and calibration.
    for _index, respondent, _answered in respondents:
        cell = respondent.strata
        person = float(rng.gauss(0, 0.7))
        respondent.overall = _clip(
            8.25
            + PARENTS_PROVINCE_EFFECT[cell["provincie"]]
            + PARENTS_AGE_EFFECT[cell["leeftijd_kind"]]
            + PARENTS_LANGUAGE_EFFECT[cell["taal"]]
            + 0.8 * person
            + rng.gauss(0, 0.9)
        )
        _answers(respondent, PARENTS_ITEMS, person, rng, PARENTS_SUGGESTIONS)
    complete_respondents = [r for _i, r, _m in respondents if r.complete]
    weights, report = _weights([r.strata for r in complete_respondents], margins)
    scores = _calibrate(
        np.array([r.answers["algemeen"]["score"] for r in complete_respondents]),
        weights,
        PARENTS_SCORE,
        rng,
    )
    for respondent, score in zip(complete_respondents, scores, strict=True):
        respondent.answers["algemeen"]["score"] = int(score)
    weight_of = {id(r): float(w) for r, w in zip(complete_respondents, weights, strict=True)}
    items = {item.key: item for item in version.items.all()}
    positions = {item.key: item.position for item in items.values()}
    insert_rows(
        Response,
        (
            "campaign_id",
            "unit_id",
            "invitation_id",
            "source",
            "import_key",
            "mode",
            "language",
            "strata",
            "stratum",
            "started_at",
            "completed_at",
            "last_position",
            "weight",
        ),
        [
            (
                campaign.pk,
                unit_pks[index],
                invitation_ids[unit_pks[index]],
                ResponseSource.APP.value,
                "",
                respondent.mode,
                units[index][2],
                db_json(respondent.strata),
                units[index][4],
                db_datetime(moment - dt.timedelta(minutes=12)),
                db_datetime(moment) if respondent.complete else None,
                respondent.reached
                if respondent.complete
                else max(
                    (positions[key] for key in respondent.answers), default=respondent.reached
                ),
                weight_of.get(id(respondent)),
            )
            for index, respondent, moment in respondents
        ],
    )
    response_ids = dict(Response.objects.filter(campaign=campaign).values_list("unit_id", "pk"))
    insert_rows(
        Answer,
        ANSWER_FIELDS,
        [
            (
                response_ids[unit_pks[index]],
                items[key].pk,
                values.get("satisfaction"),
                values.get("importance"),
                values.get("score"),
                values.get("choice", ""),
                values.get("text", ""),
            )
            for index, respondent, _m in respondents
            for key, values in respondent.answers.items()
        ],
    )
    campaign.weighted_at = now
    campaign.weighting_report = report
    campaign.save(update_fields=["weighted_at", "weighting_report"])
    mean = weighted_mean([float(s) for s in scores], [float(w) for w in weights]).mean
    return campaign, mean


# --- organisers (the bureau's files) ------------------------------------------------------------


def _organisers(
    counts: DemoCounts, seed: int, version: QuestionnaireVersion, by: User | None
) -> tuple[Campaign, float]:
    rng = random.Random(f"{seed}-organisers")
    strata = [(kind, province) for kind in ORGANISER_TYPES for province in PROVINCES]
    invited = allocate(
        [ORGANISER_TYPES[kind] * PROVINCES[province][0] for kind, province in strata],
        counts.organisers_invited,
        minimum=3,
    )
    propensity = [
        n * (0.9 if kind == "gezinsopvang" else 1.0)
        for n, (kind, _p) in zip(invited, strata, strict=True)
    ]
    completes = allocate(propensity, counts.organisers_complete, minimum=1, caps=invited)
    start, end = ORGANISERS_FIELDWORK
    campaign = Campaign.objects.create(
        name=ORGANISERS_CAMPAIGN,
        audience=Audience.ORGANISERS,
        version=version,
        status=CampaignStatus.CLOSED,
        population_kind=PopulationKind.BUREAU,
        strata_variables=list(ORGANISERS_STRATA),
        design=Design.CENSUS,
        sample_size=counts.organisers_invited,
        fieldwork_start=start,
        fieldwork_end=end,
        bureau=BUREAU,
        follow_up=FOLLOW_UP_ORGANISERS,
    )
    by_values: dict[tuple[str, ...], int] = dict(zip(strata, invited, strict=True))
    margins = _margins_of(by_values, ORGANISERS_STRATA)
    margins_file = "variabele;categorie;populatie\r\n" + "".join(
        f"{variable};{category};{count}\r\n"
        for variable, categories in margins.items()
        for category, count in categories.items()
    )
    plan_file = "stratum;populatie;steekproef\r\n" + "".join(
        f"{kind} | {province};{n};{n}\r\n"
        for (kind, province), n in zip(strata, invited, strict=True)
    )
    margins_import(
        campaign=campaign,
        by=by,
        margins=margins_file.encode(),
        margins_name="marges-organisatoren.csv",
        plan=plan_file.encode(),
        plan_name="steekproefplan-organisatoren.csv",
    )
    respondents: list[_Respondent] = []
    for (kind, province), complete in zip(strata, completes, strict=True):
        for _n in range(complete):
            person = float(rng.gauss(0, 0.9))
            respondent = _Respondent(
                strata={"type_organisator": kind, "provincie": province},
                complete=True,
                mode=Mode.PHONE if rng.random() < 0.08 else Mode.WEB,
                reached=len(ORGANISERS_ITEMS),
                overall=_clip(ORGANISERS_TYPE_MEAN[kind] + 0.9 * person + rng.gauss(0, 1.1)),
            )
            _answers(respondent, ORGANISERS_ITEMS, person, rng, ORGANISERS_REMARKS)
            respondents.append(respondent)
    weights, report = _weights([r.strata for r in respondents], margins)
    scores = _calibrate(
        np.array([r.answers["algemeen"]["score"] for r in respondents]),
        weights,
        ORGANISERS_SCORE,
        rng,
    )
    for respondent, score in zip(respondents, scores, strict=True):
        respondent.answers["algemeen"]["score"] = int(score)
    header = ["sleutel", "wijze", "volledig", "ingevuld_op", *ORGANISERS_STRATA]
    for spec in ORGANISERS_ITEMS:
        if spec.kind == ItemKind.RATED:
            header += [f"{spec.key}_tevredenheid", f"{spec.key}_belang"]
        else:
            header.append(spec.key)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    days = (end - start).days
    keys = []
    for number, respondent in enumerate(respondents, start=1):
        key = f"MAS-ORG-{number:05d}"
        keys.append(key)
        row = [
            key,
            "telefonisch" if respondent.mode == Mode.PHONE else "web",
            "ja",
            (start + dt.timedelta(days=rng.randrange(days + 1))).isoformat(),
            respondent.strata["type_organisator"],
            respondent.strata["provincie"],
        ]
        for spec in ORGANISERS_ITEMS:
            values = respondent.answers.get(spec.key, {})
            if spec.kind == ItemKind.RATED:
                row += [str(values.get("satisfaction", "")), str(values.get("importance", ""))]
            else:
                row.append(str(next(iter(values.values()), "")))
        writer.writerow(row)
    respondents_import(
        campaign=campaign,
        by=by,
        content=buffer.getvalue().encode(),
        file_name="respondenten-organisatoren-mas.csv",
    )
    weight_by_key = dict(zip(keys, (float(w) for w in weights), strict=True))
    stored = list(Response.objects.filter(campaign=campaign).only("pk", "import_key"))
    for response in stored:
        response.weight = weight_by_key[response.import_key]
    Response.objects.bulk_update(stored, ["weight"], batch_size=500)
    Campaign.objects.filter(pk=campaign.pk).update(
        weighted_at=timezone.now(), weighting_report=report, status=CampaignStatus.CLOSED
    )
    campaign.refresh_from_db()
    mean = weighted_mean([float(s) for s in scores], [float(w) for w in weights]).mean
    return campaign, mean


# --- the whole demo -----------------------------------------------------------------------------


def campaigns_demo_delete() -> None:
    """Remove the demo's campaigns (their actions, responses, sample) and questionnaires; the
    large tables by plain DELETEs in dependency order (no row is loaded)."""
    ids = list(Campaign.objects.filter(name__in=DEMO_CAMPAIGNS).values_list("pk", flat=True))
    if ids:
        ImprovementAction.objects.filter(campaign_id__in=ids).delete()
        quote = connection.ops.quote_name
        marks = ", ".join(["%s"] * len(ids))
        tables = {
            model: quote(model._meta.db_table)
            for model in (Answer, Response, InvitationMail, Invitation, FrameUnit)
        }
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {tables[Answer]} WHERE response_id IN "  # noqa: S608
                f"(SELECT id FROM {tables[Response]} WHERE campaign_id IN ({marks}))",
                ids,
            )
            where = f"WHERE campaign_id IN ({marks})"
            cursor.execute(f"DELETE FROM {tables[Response]} {where}", ids)  # noqa: S608
            cursor.execute(
                f"DELETE FROM {tables[InvitationMail]} WHERE invitation_id IN "  # noqa: S608
                f"(SELECT id FROM {tables[Invitation]} WHERE campaign_id IN ({marks}))",
                ids,
            )
            for model in (Invitation, FrameUnit):
                cursor.execute(f"DELETE FROM {tables[model]} {where}", ids)  # noqa: S608
        Campaign.objects.filter(pk__in=ids).update(previous=None)
        Campaign.objects.filter(pk__in=ids).delete()
    for questionnaire in Questionnaire.objects.filter(name__in=DEMO_QUESTIONNAIRES):
        if not Campaign.objects.filter(version__questionnaire=questionnaire).exists():
            Item.objects.filter(version__questionnaire=questionnaire).update(show_if_item=None)
            questionnaire.delete()


def _owner(username: str) -> User | None:
    return (
        User.objects.filter(username=username, is_active=True).first()
        or User.objects.filter(username="lead", is_active=True).first()
        or User.objects.filter(is_active=True).order_by("pk").first()
    )


@dataclass(frozen=True)
class DemoCampaigns:
    counts: DemoCounts
    parents_score: float
    organisers_score: float
    actions: int
    seconds: float

    def summary(self) -> str:
        c = self.counts
        return (
            f"Survey campaigns demo 2022-2023: parents {c.parents_complete:,} complete + "
            f"{c.parents_dropouts:,} drop-outs of {c.parents_sample:,} invited (weighted "
            f"overall {self.parents_score:.2f}), organisers {c.organisers_complete:,} of "
            f"{c.organisers_invited:,} invited (weighted overall {self.organisers_score:.2f}), "
            f"{self.actions} improvement actions in {self.seconds:.1f} s"
        )


def campaigns_demo_load(*, seed: int, years: Sequence[int], scale: float) -> str:
    """The survey campaigns' demo for `kglijn demo` (settings.KGLIJN_DEMO_EXTRAS); replaces its
    rows. `years` is ignored: the measurement is the 2022-2023 one."""
    return campaigns_demo_run(seed=seed, scale=scale).summary()


def campaigns_demo_run(*, seed: int, scale: float) -> DemoCampaigns:
    started = time.perf_counter()
    counts = demo_counts(scale)
    frozen = dt.datetime.combine(FIELDWORK[0], dt.time(8), tzinfo=BRUSSELS)
    with fast_writes(connection), transaction.atomic():
        campaigns_demo_delete()
        parents_version = _questionnaire(
            PARENTS_QUESTIONNAIRE,
            Audience.PARENTS,
            "Hoe tevreden ben je over Kind en Gezin? Het invullen duurt ongeveer tien minuten; "
            "je antwoorden blijven anoniem.",
            PARENTS_THEMES,
            PARENTS_ITEMS,
            frozen,
        )
        organisers_version = _questionnaire(
            ORGANISERS_QUESTIONNAIRE,
            Audience.ORGANISERS,
            "Hoe tevreden ben je over de dienstverlening van Opgroeien aan je organisatie?",
            ORGANISERS_THEMES,
            ORGANISERS_ITEMS,
            frozen,
        )
        by = _owner("infomanager")
        parents, parents_score = _parents(counts, seed, parents_version)
        organisers, organisers_score = _organisers(counts, seed, organisers_version, by)
        campaigns = {PARENTS_CAMPAIGN: parents, ORGANISERS_CAMPAIGN: organisers}
        for name, previous in ((PARENTS_NEXT, parents), (ORGANISERS_NEXT, organisers)):
            Campaign.objects.create(
                name=name,
                audience=previous.audience,
                version=previous.version,
                previous=previous,
                status=CampaignStatus.DRAFT,
                population_kind=previous.population_kind,
                strata_variables=list(previous.strata_variables),
                design=previous.design,
                bureau=previous.bureau,
            )
        themes = {
            (campaign.pk, theme.key): theme
            for campaign in campaigns.values()
            for theme in campaign.version.themes.all()
        }
        actions = []
        for campaign_name, key, title, description, username, due, status, result in ACTIONS:
            owner = _owner(username)
            if owner is None:
                continue  # no users at all: no actions
            campaign = campaigns[campaign_name]
            actions.append(
                ImprovementAction(
                    campaign=campaign,
                    theme=themes[(campaign.pk, key)],
                    theme_key=key,
                    title=title,
                    description=description,
                    owner=owner,
                    due_date=due,
                    status=status,
                    result=result,
                    created_by=by,
                )
            )
        ImprovementAction.objects.bulk_create(actions)
    return DemoCampaigns(
        counts=counts,
        parents_score=parents_score,
        organisers_score=organisers_score,
        actions=len(actions),
        seconds=time.perf_counter() - started,
    )
