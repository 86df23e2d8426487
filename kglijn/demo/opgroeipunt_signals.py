"""The Opgroeipunt demo's planted risk structure (issue 18, docs/opgroeipunt.md "Geplante
risicostructuur").

Each demo location gets a hidden propensity ``z`` (standardised, mean 0, sd 1) from documented
factors. ``z`` only decides WHICH location an event falls on and WHAT a case text says, never how
many events there are, so 002's counts stay exact. Pure functions of the plan and a seed; no
database. The strengths below are the whole truth of what is planted.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping, Sequence
from typing import Protocol

# The score before standardising: score = sum of these terms.
ORGANISER_LATENT = 0.9  # × N(0,1) per organiser: troubled organisers pull all their locations up
LOCATION_LATENT = 0.7  # × N(0,1) per location: what nothing observable explains
BIG_GROUP_CARE = 0.5  # group care with 35 places or more
GROUP_CARE = 0.25
NO_INCOME_TARIFF = 0.35
# How strongly z tilts which location an event falls on: weight = exp(TILT × z).
TILT_LABEL = 1.1  # danger situations and the locations of enforcement tracks (the label)
TILT_SIGNAL = 0.5  # signals, reports; Zorginspectie's dossier reviews
TILT_COMPLAINT = 0.25  # complaints: the plain baseline should see something, not everything
TILT_SHORTAGE = 0.8  # which organisers report staff shortage (on their locations' mean z)


class _Location(Protocol):
    organiser: int
    care_type: str
    places: int
    income_tariff: bool


def location_propensity(locations: Sequence[_Location], seed: int) -> list[float]:
    """The hidden, standardised propensity ``z`` of each location (same seed, same values)."""
    rng = random.Random(f"opgroeipunt-risk-{seed}")
    organisers: dict[int, float] = {}
    raw = []
    for location in locations:
        if location.organiser not in organisers:
            organisers[location.organiser] = rng.gauss(0, 1)
        group = location.care_type == "group"
        raw.append(
            ORGANISER_LATENT * organisers[location.organiser]
            + LOCATION_LATENT * rng.gauss(0, 1)
            + BIG_GROUP_CARE * (group and location.places >= 35)
            + GROUP_CARE * group
            + NO_INCOME_TARIFF * (not location.income_tariff)
        )
    mean, sd = statistics.fmean(raw), statistics.pstdev(raw)
    return [(value - mean) / sd for value in raw]


def weights(z: Sequence[float], tilt: float) -> list[float]:
    return [math.exp(tilt * value) for value in z]


def weighted_order(
    rng: random.Random, candidates: Sequence[int], weight: Sequence[float] | Mapping[int, float]
) -> list[int]:
    """``candidates`` in the order of a weighted draw without replacement (Efraimidis-Spirakis):
    the first k are a weighted sample of k."""
    keyed = [(rng.random() ** (1 / weight[c]), c) for c in candidates]
    keyed.sort(reverse=True)
    return [c for _key, c in keyed]


def sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value))


def signal_word_chance(z: float) -> float:
    """How likely a signal, report or complaint text of this location carries a planted signal
    word: 4 % noise everywhere, up to 54 % at the most troubled locations."""
    return 0.04 + 0.5 * sigmoid(1.5 * (z - 1.2))


def critical_finding_chance(z: float) -> float:
    """How likely an inspection visit finds a critical shortcoming here: 2 % to 37 %."""
    return 0.02 + 0.35 * sigmoid(1.5 * (z - 1.2))


# -- case texts -------------------------------------------------------------------------------
# Planted signal words (what the text mining should find): verwaarlozing, letsel, agressie,
# onderbemanning, personeelstekort, and a few of their forms.
SIGNAL_SENTENCES = (
    "Ouders spreken van verwaarlozing: luiers worden urenlang niet ververst.",
    "Een kind kwam thuis met letsel aan de arm dat niet gemeld werd.",
    "Er zou agressie zijn van een begeleider tegenover de kinderen.",
    "Door onderbemanning staat één begeleider er vaak alleen voor met een volle leefgroep.",
    "Structureel personeelstekort: telkens andere invalkrachten, niemand kent de kinderen.",
    "Signalen van verwaarlozing bij de verzorging en de voeding.",
    "Bij het ophalen zag de ouder blauwe plekken en letsel in het gezicht.",
    "Een medewerker reageerde met verbale agressie op een huilend kind.",
    "De verantwoordelijke erkent een personeelstekort maar neemt geen maatregelen.",
    "Onderbemanning over de middag: kinderen slapen zonder toezicht.",
)
# Noise: sentences with a signal word that do not signal anything (negations, other contexts).
NOISE_SENTENCES = (
    "Er is geen letsel vastgesteld; de ouder wil enkel informatie.",
    "De vraag gaat over een opleiding rond agressie bij peuters, niet over een incident.",
    "De organisator meldt dat het personeelstekort van vorig jaar opgelost is.",
)
NEUTRAL_SENTENCES: dict[str, tuple[str, ...]] = {
    "signal": (
        "Een ouder meldt dat de communicatie bij het ophalen beter kan.",
        "Een buur merkt op dat de kinderen vaak lang buiten spelen.",
        "De ouder vraagt zich af of de slaapruimte voldoende verlucht wordt.",
        "Er zijn vragen over het menu en de opvolging van allergieën.",
    ),
    "report": (
        "De organisator meldt de wijziging zoals gevraagd.",
        "Melding na een klein ongeval op de speelplaats; het kind is verzorgd.",
        "De verantwoordelijke bezorgt de gevraagde documenten.",
        "Melding van een tijdelijke sluiting voor herstellingswerken.",
    ),
    "complaint": (
        "De ouder is ontevreden over de manier waarop de opzegging verliep.",
        "De ouder betwist de factuur van de voorbije maand.",
        "De ouder vindt dat er te weinig wordt teruggekoppeld over de dag.",
        "De ouder klaagt over de wachtlijst en de toewijzing van een plaats.",
    ),
    "feedback": (
        "Positieve ervaring met de klantenbeheerder.",
        "Suggestie om de website duidelijker te maken.",
    ),
    "danger": (
        "Zorginspectie en de klantenbeheerder worden onmiddellijk ingelicht.",
        "De melder vraagt een dringende tussenkomst.",
    ),
    "staff_shortage": (
        "De organisator meldt een personeelstekort en neemt tijdelijke maatregelen.",
        "Door personeelstekort kan de opvang niet alle dagen volledig open.",
    ),
}
DANGER_SENTENCES = (
    "Een kind liep letsel op door een val van de verzorgingstafel.",
    "Er is sprake van fysieke agressie tegenover een kind.",
    "Een kind werd alleen gelaten in de buitenruimte.",
    "Ernstige vermoedens van verwaarlozing.",
)


def case_description(rng: random.Random, kind: str, z: float | None) -> tuple[str, bool]:
    """A Dutch case text, and whether a planted signal word is in it. ``z`` is the propensity of
    the case's first location (None: no location)."""
    parts = [rng.choice(NEUTRAL_SENTENCES[kind])]
    planted = False
    if kind == "danger":
        parts.insert(0, rng.choice(DANGER_SENTENCES))
        planted = True
    elif kind in ("signal", "report", "complaint"):
        chance = signal_word_chance(z) if z is not None else 0.04
        if rng.random() < chance:
            parts.append(rng.choice(SIGNAL_SENTENCES))
            planted = True
            if z is not None and z > 1.5 and rng.random() < 0.4:
                parts.append(rng.choice(SIGNAL_SENTENCES))
        elif rng.random() < 0.03:
            parts.append(rng.choice(NOISE_SENTENCES))
    rng.shuffle(parts)
    return " ".join(parts), planted
