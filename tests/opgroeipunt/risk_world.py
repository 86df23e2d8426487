"""A synthetic register with a PLANTED risk structure, for the risk-analysis tests.

Each location gets a hidden hazard ``h = z + 1.0 × troubled organiser`` (z ~ N(0, 1)). The
hazard raises, over the whole history:

* staff-shortage reports with understaffing words ("personeelstekort", "onderbemanning");
* signals whose texts carry the signal words "verwaarlozing" or "letsel";
* the outcome: danger situations and formal warnings (imported decisions), whose rate also
  rises by 0.7 on the log scale when the location has **no income-related tariff**.

Noise: complaints at a constant rate with neutral texts (the baseline's count is therefore a
weak predictor), neutral signals, regular inspection visits with random findings. Generated with
a fixed seed and bulk_create, relative to today, so the result is the same on every run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from kglijn.opgroeipunt.models import (
    Case,
    Decision,
    InspectionVisit,
    Location,
    Organiser,
    RegionalTeam,
)

SPAN_DAYS = 1700
PROVINCES = ["BE-VAN", "BE-VOV", "BE-VWV", "BE-VBR", "BE-VLI", "BE-BRU"]

NEGLECT = [
    "Ouder meldt verwaarlozing: kind zat de hele dag in een vuile luier.",
    "Signaal van mogelijke verwaarlozing, kinderen onverzorgd bij het ophalen.",
]
INJURY = [
    "Kind kwam thuis met letsel aan het hoofd, niemand kon uitleggen hoe.",
    "Peuter opgehaald met verwonding aan de arm; letsel niet gemeld aan de ouders.",
]
UNDERSTAFFING = [
    "Melding personeelstekort: twee begeleiders ziek, geen vervanging.",
    "Onderbemanning in de namiddag, één begeleider voor twaalf kinderen.",
]
NEUTRAL_COMPLAINTS = [
    "Klacht over de communicatie met de verantwoordelijke en de factuur.",
    "Ontevreden over de gewijzigde openingsuren en de prijs van de maaltijden.",
    "De ouder vindt dat de opvang te weinig foto's deelt in de app.",
]
NEUTRAL_SIGNALS = [
    "Vraag over de capaciteit en de wachtlijst van de opvang.",
    "Buurtbewoner meldt parkeerhinder bij het brengen en halen.",
]
DANGER = ["Gevaarsituatie gemeld door Zorginspectie na een bezoek."]


@dataclass
class World:
    locations: list[Location]
    hazard: dict[int, float]  # location id -> planted hazard (for the tests' sanity checks)
    no_tariff: dict[int, bool]
    troubled_organisers: set[int]


def build_world(n_locations: int = 1200, seed: int = 18, now: dt.datetime | None = None) -> World:
    """``now``: where the world's history ends (default: today)."""
    rng = np.random.default_rng(seed)
    now = (now or timezone.now()).replace(microsecond=0)
    start = now - dt.timedelta(days=SPAN_DAYS)
    teams = list(RegionalTeam.objects.filter(central=False).order_by("pk"))

    n_org = max(1, n_locations // 4)
    organisers = Organiser.objects.bulk_create(
        [Organiser(external_id=f"RW-ORG{i}", name=f"Organisator {i}") for i in range(n_org)]
    )
    troubled = rng.random(n_org) < 0.2
    org_of = rng.integers(0, n_org, size=n_locations)
    z = rng.normal(size=n_locations)
    no_tariff = rng.random(n_locations) < 0.3
    hazard = z + 1.0 * troubled[org_of]
    locations = Location.objects.bulk_create(
        [
            Location(
                external_id=f"RW{i:05d}",
                organiser=organisers[org_of[i]],
                name=f"Kinderopvang {i}",
                postcode=f"{1000 + i % 8000:04d}",
                province=PROVINCES[i % len(PROVINCES)],
                care_type="group" if rng.random() < 0.6 else "family",
                places=int(rng.integers(4, 60)),
                subsidy=["T0", "T1", "T2"][int(rng.integers(0, 3))],
                income_tariff=not no_tariff[i],
                regional_team=teams[i % len(teams)] if teams else None,
            )
            for i in range(n_locations)
        ]
    )

    cases: list[Case] = []
    case_location: list[int] = []
    decisions: list[Decision] = []
    visits: list[InspectionVisit] = []

    def times(rate_per_day: float) -> list[dt.datetime]:
        count = int(rng.poisson(rate_per_day * SPAN_DAYS))
        offsets = rng.uniform(0, SPAN_DAYS * 86400, size=count)
        return [start + dt.timedelta(seconds=float(s)) for s in offsets]

    def add_case(i: int, kind: str, at: dt.datetime, texts: list[str]) -> None:
        text = texts[int(rng.integers(0, len(texts)))]
        cases.append(
            Case(kind=kind, source="import", received_at=at, subject=text[:60], description=text)
        )
        case_location.append(i)

    for i, location in enumerate(locations):
        h = float(hazard[i])
        signal_rate = 0.0009 * np.exp(0.9 * h)
        for at in times(signal_rate):
            add_case(i, "staff_shortage", at, UNDERSTAFFING)
        for at in times(signal_rate):
            add_case(i, "signal", at, NEGLECT if rng.random() < 0.5 else INJURY)
        for at in times(0.0016):
            add_case(i, "complaint", at, NEUTRAL_COMPLAINTS)
        for at in times(0.0008):
            add_case(i, "signal", at, NEUTRAL_SIGNALS)
        outcome_rate = 0.00035 * np.exp(0.9 * h + 0.7 * float(no_tariff[i]))
        for at in times(outcome_rate):
            if rng.random() < 0.6:
                add_case(i, "danger", at, DANGER)
            else:
                decisions.append(
                    Decision(kind="warning", source="import", location=location, decided_at=at)
                )
        for v, at in enumerate(times(1 / 500)):
            findings = [
                {"theme": "veiligheid", "severity": str(s), "text": "Vaststelling."}
                for s in rng.choice(["minor", "major", "critical"], size=int(rng.integers(0, 3)))
            ]
            visits.append(
                InspectionVisit(
                    external_id=f"RW-V{i}-{v}",
                    location=location,
                    visited_on=timezone.localdate(at),
                    types=["regular"],
                    findings=findings,
                )
            )

    created = Case.objects.bulk_create(cases, batch_size=2000)
    through = Case.locations.through
    through.objects.bulk_create(
        [
            through(case_id=case.pk, location_id=locations[i].pk)
            for case, i in zip(created, case_location, strict=True)
        ],
        batch_size=2000,
    )
    Decision.objects.bulk_create(decisions, batch_size=2000)
    InspectionVisit.objects.bulk_create(visits, batch_size=2000)
    return World(
        locations=locations,
        hazard={loc.pk: float(hazard[i]) for i, loc in enumerate(locations)},
        no_tariff={loc.pk: bool(no_tariff[i]) for i, loc in enumerate(locations)},
        troubled_organisers={organisers[j].pk for j in range(n_org) if troubled[j]},
    )
