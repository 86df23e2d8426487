"""The Opgroeipunt demo's plan: organisers, locations, cases, decisions and enforcement tracks.

A pure function of (target table, seed, today): no database. The counts of 002's table
("1. Cijfers") are met by construction for 2021, 2022 and 2023-01-01..2023-06-05, with the
figure definitions of issue 17 (docs/opgroeipunt.md, "Demogegevens"); ``plan_figures`` recounts a
plan with those definitions so the planner checks itself. Every event lies between 08:00 and
18:00 Brussels time and never on a period's first or last day, so a Brussels date and a UTC date
of an event are the same and no boundary decides a count.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.provinces import province_for_postcode
from kglijn.demo.opgroeipunt_signals import (
    TILT_COMPLAINT,
    TILT_LABEL,
    TILT_SHORTAGE,
    TILT_SIGNAL,
    case_description,
    location_propensity,
    weighted_order,
    weights,
)
from kglijn.opgroeipunt.enforcement.transitions import derive
from kglijn.opgroeipunt.models import CaseKind, NotAdmissibleReason
from kglijn.opgroeipunt.models import DecisionKind as K

TARGETS_PATH = Path(__file__).with_name("opgroeipunt_002.json")
MARK = "demo-"  # external ids of demo organisers, locations, cases and decisions
LOCATIONS = 6_800
GROUP_SHARE = 1 / 3
LAUNCH = dt.date(2023, 10, 1)  # Opgroeipunt's start: earlier cases and decisions are imported
# 002 counts inspection advices to 19 June 2023: none between 6 and 19 June keeps 87 for both.
ADVICE_GAP = (dt.date(2023, 6, 6), dt.date(2023, 6, 19))
STAFF_SHORTAGE_WINDOW = (dt.date(2022, 6, 1), dt.date(2023, 5, 31))
SHORTAGE_ORGANISERS = 167
SHORTAGE_LOCATIONS = 490
# "Handhaving 2022": the shares the 2022 enforcement locations are drawn to.
GROUP_OF_ENFORCEMENT_2022 = 231  # of 272 = 84.9 % (85 %)
NO_TARIFF_OF_ENFORCEMENT_2022 = 166  # of 272 = 61.0 % (61 %)
GROUP_NO_TARIFF_2022 = 145  # joint cell: group & no tariff; the other cells follow
WARNING_OF_ENFORCEMENT_2022 = 147  # of 272 = 54.0 % (54 %)
SUSPENDED_2021_IN_FORCE_2022 = 10  # at least: placed from September 2021 on tracks into 2022

# Figures for years 002 gives no number for, and for the years after it (per 365 days).
FREE_2021 = {"danger_situations_locations": 150, "danger_situations_enforcement_started": 38}
PER_YEAR_LATER = {
    "danger_situations": 330,
    "admissible_complaints": 880,
    "inspection_enforcement_advices": 240,
    "suspension_decisions": 40,
    "revocation_decisions": 30,
    "civil_party_proceedings": 28,
    "track_starts": 180,
}
PER_YEAR_OTHER = {"signal": 1_400, "report": 1_000, "feedback": 250}
NOT_ADMISSIBLE_RATIO = 0.28
STAFF_SHORTAGE_LATER_PER_YEAR = 60

# Historic tracks by (period started, period closed): these make enforcement_locations exact,
# tracks spanning a year end counting in both years. "L" = closed after 5 June 2023.
#   2021: 45 + 45 + 5 = 95;  2022: 45 + 5 + 140 + 50 + 32 = 272;  2023: 5 + 50 + 32 + 16 + 40 = 143
TRACK_SPANS: tuple[tuple[str, str, int], ...] = (
    ("2021", "2021", 45),
    ("2021", "2022", 45),
    ("2021", "2023", 5),
    ("2022", "2022", 140),
    ("2022", "2023", 50),
    ("2022", "L", 32),
    ("2023", "2023", 16),
    ("2023", "L", 40),
)
FIGURES = (
    "danger_situations",
    "danger_situations_locations",
    "danger_situations_enforcement_started",
    "admissible_complaints",
    "inspection_enforcement_advices",
    "enforcement_locations",
    "suspension_decisions",
    "revocation_decisions",
    "civil_party_proceedings",
)
COUNTED_KINDS = {
    "inspection_enforcement_advices": K.INSPECTION_ADVICE,
    "suspension_decisions": K.SUSPENSION,
    "revocation_decisions": K.REVOCATION,
    "civil_party_proceedings": K.CIVIL_PARTY,
}
# Regional teams by province (the source does not say how the 4 teams divide Flanders).
TEAM_BY_PROVINCE = {"BE-VAN": 1, "BE-VLI": 1, "BE-VOV": 2, "BE-VWV": 3, "BE-VBR": 4, "BE-BRU": 4}

# (postcode, municipality, weight): real postcodes of Flanders and Brussels (bpost).
PLACES: tuple[tuple[str, str, int], ...] = (
    ("2000", "Antwerpen", 6), ("2018", "Antwerpen", 5), ("2020", "Antwerpen", 3),
    ("2060", "Antwerpen", 4), ("2100", "Deurne", 4), ("2140", "Borgerhout", 3),
    ("2170", "Merksem", 3), ("2200", "Herentals", 2), ("2300", "Turnhout", 3),
    ("2400", "Mol", 2), ("2440", "Geel", 2), ("2500", "Lier", 2), ("2550", "Kontich", 2),
    ("2610", "Wilrijk", 3), ("2640", "Mortsel", 2), ("2800", "Mechelen", 4),
    ("2900", "Schoten", 2), ("2930", "Brasschaat", 2), ("2950", "Kapellen", 2),
    ("9000", "Gent", 7), ("9030", "Mariakerke", 2), ("9040", "Sint-Amandsberg", 2),
    ("9050", "Gentbrugge", 2), ("9100", "Sint-Niklaas", 4), ("9120", "Beveren", 2),
    ("9200", "Dendermonde", 2), ("9300", "Aalst", 4), ("9400", "Ninove", 2),
    ("9500", "Geraardsbergen", 2), ("9600", "Ronse", 1), ("9700", "Oudenaarde", 2),
    ("9800", "Deinze", 2), ("9820", "Merelbeke", 2), ("9900", "Eeklo", 2),
    ("9160", "Lokeren", 2), ("9240", "Zele", 1), ("8000", "Brugge", 5),
    ("8200", "Sint-Andries", 2), ("8300", "Knokke-Heist", 2), ("8400", "Oostende", 3),
    ("8500", "Kortrijk", 4), ("8560", "Wevelgem", 2), ("8600", "Diksmuide", 1),
    ("8700", "Tielt", 2), ("8790", "Waregem", 2), ("8800", "Roeselare", 3),
    ("8900", "Ieper", 2), ("8930", "Menen", 2), ("1500", "Halle", 2),
    ("1600", "Sint-Pieters-Leeuw", 2),
    ("1700", "Dilbeek", 2), ("1800", "Vilvoorde", 3), ("1850", "Grimbergen", 2),
    ("1930", "Zaventem", 2), ("3000", "Leuven", 4), ("3010", "Kessel-Lo", 2),
    ("3080", "Tervuren", 1), ("3200", "Aarschot", 2), ("3300", "Tienen", 2),
    ("3500", "Hasselt", 4), ("3600", "Genk", 3), ("3700", "Tongeren", 2),
    ("3800", "Sint-Truiden", 2), ("3900", "Pelt", 1), ("3920", "Lommel", 2),
    ("3550", "Heusden-Zolder", 2), ("3630", "Maasmechelen", 2), ("1000", "Brussel", 2),
    ("1030", "Schaarbeek", 1), ("1050", "Elsene", 1), ("1070", "Anderlecht", 1),
    ("1080", "Sint-Jans-Molenbeek", 1), ("1090", "Jette", 1), ("1120", "Neder-Over-Heembeek", 1),
)  # fmt: skip
GROUP_NAMES = (
    "De Speelvogel", "'t Kriebeltje", "De Zonnebloem", "Het Rupske", "De Knuffelbeer",
    "Pimpampoentje", "De Boomhut", "Kadee", "Het Vlindertje", "De Kabouterberg", "Hummeltje",
    "De Regenboog", "Kiekeboe", "Het Nestje", "De Wolkjes", "Bengeltje", "Klein Duimpje",
    "De Kangoeroe", "Mini-Mol", "Ukkepuk", "De Egeltjes", "Zonnestraal", "De Speelboot",
)  # fmt: skip
GROUP_PREFIXES = ("Kinderdagverblijf", "Kinderopvang", "Babyhuis", "Kribbe", "Opvang")
FIRST_NAMES = (
    "An", "Els", "Griet", "Inge", "Katrien", "Leen", "Lien", "Marijke", "Nathalie", "Sofie",
    "Tine", "Veerle", "Hilde", "Ilse", "Kim", "Sarah", "Fatima", "Nadia", "Elke", "Joke",
)  # fmt: skip
LAST_NAMES = (
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "De Smet", "Hermans", "Aerts", "Lambrechts", "Martens", "Van Damme",
    "Vermeulen", "De Clercq", "Michiels", "Coppens", "Desmet", "Verstraete", "Pauwels",
    "Cools", "Smets", "Bogaerts", "Claeys", "Stevens", "Mahieu", "Baert", "El Idrissi",
)  # fmt: skip
GROUP_CHAINS = (
    "Stad {town} - Kinderopvang", "vzw Kinderopvang {town}", "Kinderopvang Het Gezin {town} vzw",
    "OCMW {town} - Kinderopvang", "Kinderwereld {town} bv",
)  # fmt: skip
FAMILY_SERVICES = "Dienst voor gezinsopvang {town}"
SUBJECTS: dict[str, tuple[str, ...]] = {
    "signal": (
        "Signaal over toezicht in de buitenspeelruimte", "Signaal over hygiëne in de verzorging",
        "Signaal over te veel kinderen per begeleider", "Signaal over voeding en allergieën",
        "Signaal over slaapbeleid", "Signaal van een buur over lawaai en toezicht",
    ),
    "report": (
        "Melding van een ongeval met een kind", "Melding van een brandalarm",
        "Melding van een besmettelijke ziekte", "Melding van een wissel van verantwoordelijke",
        "Melding van een wijziging van openingsuren",
    ),
    "complaint": (
        "Klacht over de communicatie met ouders", "Klacht over de opzegging van de opvang",
        "Klacht over de prijs en de facturatie", "Klacht over de omgang met een kind",
        "Klacht over de toegankelijkheid van de opvang",
    ),
    "feedback": (
        "Feedback over de inschrijving", "Feedback over de website van Opgroeien",
        "Feedback over de dienstverlening van de klantenbeheerder",
    ),
    "danger": (
        "Gevaarsituatie: kind alleen gelaten", "Gevaarsituatie: fysiek geweld gemeld",
        "Gevaarsituatie: onveilige slaaphouding", "Gevaarsituatie: begeleider onder invloed",
        "Gevaarsituatie: kind verdwenen uit de opvang",
    ),
    "staff_shortage": ("Personeelstekort: maatregelen van de organisator",),
}  # fmt: skip
REASON_WEIGHTS = {
    NotAdmissibleReason.FACTS_OLDER_THAN_A_YEAR: 18,
    NotAdmissibleReason.MANIFESTLY_UNFOUNDED: 22,
    NotAdmissibleReason.ALREADY_HANDLED: 20,
    NotAdmissibleReason.NO_INTEREST: 10,
    NotAdmissibleReason.COMPLAINANT_UNKNOWN: 18,
    NotAdmissibleReason.FACTS_UNKNOWN: 8,
    NotAdmissibleReason.SUBJECT_OF_PROCEEDINGS: 4,
}
MEASURES = ("reduced_hours", "partial_closure", "closing_days")


class PlanError(RuntimeError):
    """The targets cannot be met with this plan's structure (the message says which)."""


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def lo(self) -> dt.date:  # first day an event may fall on
        return self.start + dt.timedelta(days=1)

    @property
    def hi(self) -> dt.date:  # last day an event may fall on
        return self.end - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class PlanOrganiser:
    external_id: str
    name: str
    manager: int  # index into the demo customer managers: the organiser's SPOC


@dataclass
class PlanLocation:
    external_id: str
    organiser: int
    name: str
    postcode: str
    province: str
    care_type: str
    places: int
    subsidy: str
    income_tariff: bool
    team: int  # regional team 1..4
    licence_status: str = "active"
    active: bool = True


@dataclass
class PlanCase:
    external_id: str
    kind: str
    source: str
    received_at: dt.datetime
    locations: tuple[int, ...]
    subject: str
    status: str = "closed"
    handler: int | None = None  # manager index
    urgent: bool = False
    urgent_due_at: dt.datetime | None = None
    taken_at: dt.datetime | None = None
    escalated_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    admissible: bool | None = None
    reason: str = ""
    acknowledged_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    conciliation: str = ""
    reporter: bool = True
    measures: tuple[str, ...] = ()
    measures_from: dt.date | None = None
    measures_until: dt.date | None = None
    description: str = ""
    signal_words: bool = False  # a planted signal word is in the description (not written)


@dataclass
class PlanDecision:
    kind: str
    decided_at: dt.datetime
    location: int | None = None
    case: int | None = None
    track: int | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    external_id: str = ""


@dataclass
class PlanTrack:
    start: dt.date
    close: dt.date | None
    location: int = -1
    suspension: dt.date | None = None
    revocation: dt.date | None = None
    warning_window: tuple[dt.date, dt.date] | None = None  # None: no warning
    extra: list[tuple[str, dt.date]] = field(default_factory=list)  # advices, civil party
    state: str = "improvement_track"
    positive_evaluations: int = 0

    def open_on(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and (self.close is None or self.close >= first)

    def last_day(self, today: dt.date) -> dt.date:
        return self.close if self.close is not None else today - dt.timedelta(days=1)


@dataclass
class PlanProposal:
    kind: str
    proposer: int
    motivation: str
    proposed_at: dt.datetime
    case: int | None = None
    location: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    status: str = "proposed"
    decider: int | None = None
    decided_at: dt.datetime | None = None
    rejection_reason: str = ""


@dataclass
class OpgroeipuntPlan:
    organisers: list[PlanOrganiser]
    locations: list[PlanLocation]
    cases: list[PlanCase]
    tracks: list[PlanTrack]
    decisions: list[PlanDecision]
    proposals: list[PlanProposal]
    periods: list[Period]
    today: dt.date
    propensity: list[float] = field(default_factory=list)  # hidden z per location (signals)


def load_targets(path: Path = TARGETS_PATH) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def historic_periods(targets: dict[str, Any]) -> list[Period]:
    return [
        Period(key, dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        for key, (first, last) in targets["periods"].items()
    ]


def _later_periods(today: dt.date) -> list[Period]:
    periods = [Period("2023-gap", *ADVICE_GAP)]
    start = ADVICE_GAP[1] + dt.timedelta(days=1)
    yesterday = today - dt.timedelta(days=1)
    while start <= yesterday:
        end = min(dt.date(start.year, 12, 31), yesterday)
        periods.append(
            Period(f"{start.year}-later" if start.month > 1 else str(start.year), start, end)
        )
        start = end + dt.timedelta(days=1)
    return periods


def _at(rng: random.Random, day: dt.date, hour_from: int = 8, hour_to: int = 17) -> dt.datetime:
    minute = rng.randrange(hour_from * 60, hour_to * 60 + 59)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=BRUSSELS)


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last < first:
        raise PlanError(f"empty window {first}..{last}")
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _days_between(rng: random.Random, after: dt.date, before: dt.date, k: int) -> list[dt.date]:
    """k distinct sorted days strictly between ``after`` and ``before`` ([] if no room)."""
    room = (before - after).days - 1
    if k <= 0 or room < k:
        return []
    return [after + dt.timedelta(days=1 + n) for n in sorted(rng.sample(range(room), k))]


def _cumulative(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out


def _scaled(per_year: int, period: Period) -> int:
    return round(per_year * period.days / 365)


class _Planner:
    def __init__(self, targets: dict[str, Any], seed: int, today: dt.date) -> None:
        self.targets = targets
        self.rng = random.Random(f"opgroeipunt-{seed}")
        self.today = today
        self.historic = historic_periods(targets)
        self.later = _later_periods(today)
        self.periods = self.historic + self.later
        self.organisers: list[PlanOrganiser] = []
        self.locations: list[PlanLocation] = []
        self.cases: list[PlanCase] = []
        self.tracks: list[PlanTrack] = []
        self.decisions: list[PlanDecision] = []
        self.proposals: list[PlanProposal] = []
        self.by_org: dict[int, list[int]] = {}
        # Issue 18's planted risk structure: which location an event falls on (opgroeipunt_signals).
        self.tilt_rng = random.Random(f"opgroeipunt-tilt-{seed}")
        self.z: list[float] = []
        self.w_label: list[float] = []
        self.cum_signal: list[float] = []
        self.cum_complaint: list[float] = []

    def propensity(self, seed: int) -> None:
        self.z = location_propensity(self.locations, seed)
        self.w_label = weights(self.z, TILT_LABEL)
        self.cum_signal = list(_cumulative(weights(self.z, TILT_SIGNAL)))
        self.cum_complaint = list(_cumulative(weights(self.z, TILT_COMPLAINT)))

    def tilted(self, cumulative: list[float]) -> int:
        return self.tilt_rng.choices(range(len(self.locations)), cum_weights=cumulative)[0]

    # -- targets ---------------------------------------------------------------------------
    def target(self, figure: str, period: Period) -> int:
        if period.key == "2023-gap":
            return 0
        table = self.targets.get(figure, {})
        if period.key in table:
            return int(table[period.key])
        if period.key == "2021" and figure in FREE_2021:
            return FREE_2021[figure]
        if figure == "danger_situations_locations":
            return round(self.target("danger_situations", period) * 0.92)
        if figure == "danger_situations_enforcement_started":
            return round(self.target("danger_situations_locations", period) * 0.2)
        return _scaled(PER_YEAR_LATER[figure], period)

    # -- master data -----------------------------------------------------------------------
    def master_data(self) -> None:
        rng = self.rng
        postcodes = [p for p, _town, _w in PLACES]
        weights = [w for _p, _town, w in PLACES]
        towns = {p: town for p, town, _w in PLACES}
        n_group = round(LOCATIONS * GROUP_SHARE)
        plan: list[tuple[str, str]] = [
            ("group", p) for p in rng.choices(postcodes, weights, k=n_group)
        ]
        plan += [("family", p) for p in rng.choices(postcodes, weights, k=LOCATIONS - n_group)]
        rng.shuffle(plan)
        # Organisers: chains and services per town, and small/independent ones.
        chain_of: dict[tuple[str, str], int] = {}

        def organiser(name: str) -> int:
            self.organisers.append(
                PlanOrganiser(
                    f"{MARK}O{len(self.organisers) + 1:05d}", name, len(self.organisers) % 3
                )
            )
            return len(self.organisers) - 1

        for index, (care, postcode) in enumerate(plan):
            town = towns[postcode]
            if care == "group":
                roll = rng.random()
                if roll < 0.35:
                    key = ("chain", town)
                    if key not in chain_of:
                        chain_of[key] = organiser(rng.choice(GROUP_CHAINS).format(town=town))
                    org = chain_of[key]
                elif roll < 0.5 and self.by_org and self.locations[-1].care_type == "group":
                    org = self.locations[-1].organiser  # a small organiser with two locations
                else:
                    org = organiser(
                        f"{rng.choice(GROUP_NAMES)} {rng.choice(('bv', 'vzw', 'bvba'))}"
                    )
                name = f"{rng.choice(GROUP_PREFIXES)} {rng.choice(GROUP_NAMES)} {town}"
                places = rng.choice((14, 18, 18, 21, 24, 28, 28, 35, 42, 56, 70))
                subsidy = rng.choices(("T0", "T1", "T2"), (30, 25, 45))[0]
            else:
                person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                if rng.random() < 0.4:
                    key = ("service", town)
                    if key not in chain_of:
                        chain_of[key] = organiser(FAMILY_SERVICES.format(town=town))
                    org = chain_of[key]
                else:
                    org = organiser(f"Gezinsopvang {person}")
                name = f"Gezinsopvang {person}"
                places = rng.choice((4, 5, 6, 7, 8, 8, 8))
                subsidy = rng.choices(("T0", "T1", "T2"), (8, 7, 85))[0]
            province = province_for_postcode(postcode).value
            self.by_org.setdefault(org, []).append(index)
            self.locations.append(
                PlanLocation(
                    external_id=f"{MARK}L{index + 1:05d}",
                    organiser=org,
                    name=name,
                    postcode=postcode,
                    province=province,
                    care_type=care,
                    places=places,
                    subsidy=subsidy,
                    income_tariff=subsidy == "T2",  # T2: the subsidy for an income tariff
                    team=TEAM_BY_PROVINCE[province],
                )
            )

    # -- enforcement tracks ----------------------------------------------------------------
    def track_intervals(self) -> None:
        rng = self.rng
        d = dt.date
        windows = {  # (start window, close window) per historic span
            ("2021", "2021"): ((d(2021, 1, 11), d(2021, 9, 30)), (None, d(2021, 12, 20))),
            ("2021", "2022"): ((d(2021, 2, 1), d(2021, 12, 10)), (d(2022, 1, 10), d(2022, 12, 20))),
            ("2021", "2023"): ((d(2021, 3, 1), d(2021, 12, 10)), (d(2023, 1, 10), d(2023, 5, 28))),
            ("2022", "2022"): ((d(2022, 1, 10), d(2022, 10, 15)), (None, d(2022, 12, 20))),
            ("2022", "2023"): ((d(2022, 1, 10), d(2022, 12, 10)), (d(2023, 1, 10), d(2023, 5, 28))),
            ("2022", "L"): ((d(2022, 3, 1), d(2022, 12, 10)), (d(2023, 6, 20), d(2024, 3, 31))),
            ("2023", "2023"): ((d(2023, 1, 10), d(2023, 3, 20)), (None, d(2023, 5, 28))),
            ("2023", "L"): ((d(2023, 1, 10), d(2023, 5, 25)), (d(2023, 6, 20), d(2024, 6, 30))),
        }
        for first, last, count in TRACK_SPANS:
            (s_lo, s_hi), (c_lo, c_hi) = windows[(first, last)]
            for _ in range(count):
                start = _day(rng, s_lo, s_hi)
                low = max(c_lo or start, start + dt.timedelta(days=60))
                closed_on = _day(rng, low, c_hi)
                self.tracks.append(PlanTrack(start, closed_on if closed_on < self.today else None))
        yesterday = self.today - dt.timedelta(days=1)
        for period in self.later:
            for _ in range(self.target("track_starts", period) if period.key != "2023-gap" else 0):
                hi = min(period.hi, yesterday - dt.timedelta(days=3))
                if hi < period.lo:
                    break
                start = _day(rng, period.lo, hi)
                closes = start + dt.timedelta(days=rng.randrange(60, 330))
                self.tracks.append(PlanTrack(start, closes if closes < yesterday else None))

    def _window(
        self, track: PlanTrack, period: Period, after: int, room_after: int
    ) -> tuple[dt.date, dt.date] | None:
        lo = max(track.start + dt.timedelta(days=after), period.lo)
        if track.close is None:
            hi = min(self.today - dt.timedelta(days=2), period.hi)
        else:
            hi = min(track.close - dt.timedelta(days=room_after), period.hi)
        return (lo, hi) if lo <= hi else None

    def measures(self) -> None:
        rng = self.rng
        for period in self.periods:
            overlapping = [t for t in self.tracks if t.open_on(period.lo, period.hi)]
            # Suspensions: after a warning (>= 21 days into the track), room for evaluations.
            need = self.target("suspension_decisions", period)
            candidates = [t for t in overlapping if t.suspension is None and t.revocation is None]
            rng.shuffle(candidates)
            if period.key == "2021":  # those in force into 2022 are on tracks that span it
                candidates.sort(key=lambda t: t.close is not None and t.close.year == 2021)
            chosen = 0
            for track in candidates:
                if chosen == need:
                    break
                window = self._window(track, period, 21, 30)
                if window is None:
                    continue
                if period.key == "2021" and chosen < SUSPENDED_2021_IN_FORCE_2022:
                    window = (max(window[0], dt.date(2021, 9, 1)), window[1])
                    if window[0] > window[1]:
                        continue
                track.suspension = _day(rng, *window)
                chosen += 1
            if chosen < need:
                raise PlanError(f"{period.key}: {chosen} of {need} suspensions placed")
            # Revocations: a quarter after a suspension, the others after a warning/intention.
            need = self.target("revocation_decisions", period)
            chosen = 0
            candidates = [t for t in overlapping if t.revocation is None]
            rng.shuffle(candidates)
            candidates.sort(key=lambda t: not (t.suspension and rng.random() < 0.3))
            for track in candidates:
                if chosen == need:
                    break
                window = self._window(track, period, 30, 10)
                if window is None:
                    continue
                if track.suspension is not None:
                    window = (max(window[0], track.suspension + dt.timedelta(days=14)), window[1])
                    if window[0] > window[1]:
                        continue
                track.revocation = _day(rng, *window)
                chosen += 1
            if chosen < need:
                raise PlanError(f"{period.key}: {chosen} of {need} revocations placed")
            # Civil-party proceedings and inspection advices: on tracks where they fit, the rest
            # on locations without a track (track None).
            for figure, kind, on_tracks in (
                ("civil_party_proceedings", K.CIVIL_PARTY, 0.8),
                ("inspection_enforcement_advices", K.INSPECTION_ADVICE, 0.75),
            ):
                need = self.target(figure, period)
                placed = 0
                candidates = list(overlapping)
                rng.shuffle(candidates)
                if kind == K.CIVIL_PARTY:
                    candidates.sort(key=lambda t: t.suspension is None and t.revocation is None)
                for track in candidates:
                    if placed >= round(need * on_tracks):
                        break
                    if any(k == kind for k, _ in track.extra):
                        continue
                    window = self._window(track, period, 1, 1)
                    if window is None:
                        continue
                    track.extra.append((kind, _day(rng, *window)))
                    placed += 1
                for _ in range(need - placed):
                    self.free_location_decisions.append((kind, _day(rng, period.lo, period.hi)))

    free_location_decisions: list[tuple[str, dt.date]]

    def warnings(self) -> None:
        """Give the 2022 enforcement locations a warning to exactly 147 of 272 (54 %)."""
        rng = self.rng
        end22 = dt.date(2022, 12, 31)
        first23 = dt.date(2023, 1, 2)
        in22 = [t for t in self.tracks if t.open_on(dt.date(2022, 1, 1), end22)]
        forced, flexible = [], []
        for track in self.tracks:
            first = min([d for d in (track.suspension, track.revocation) if d], default=None)
            last = (
                first - dt.timedelta(days=1)
                if first
                else track.last_day(self.today) - dt.timedelta(days=3)
            )
            yes = (track.start + dt.timedelta(days=1), min(last, end22))
            no_window = (max(track.start + dt.timedelta(days=1), first23), last)
            can_yes = yes[0] <= yes[1]
            can_no = first is None or no_window[0] <= no_window[1]
            if track not in in22:
                day_after_start = track.start + dt.timedelta(days=1)
                if first is not None or (rng.random() < 0.5 and day_after_start <= last):
                    track.warning_window = (track.start + dt.timedelta(days=1), last)
                continue
            if can_yes and not can_no:
                track.warning_window = yes
                forced.append(track)
            elif can_yes:
                flexible.append((track, yes, no_window if first is not None else None))
            elif first is not None:
                track.warning_window = no_window  # must warn, only possible after 2022
        missing = WARNING_OF_ENFORCEMENT_2022 - len(forced)
        if not 0 <= missing <= len(flexible):
            raise PlanError(f"2022 warnings: {len(forced)} forced, {len(flexible)} flexible")
        rng.shuffle(flexible)
        for n, (track, yes, no) in enumerate(flexible):
            track.warning_window = yes if n < missing else no

    def locations_for_tracks(self) -> None:
        """Draw the tracks' locations: the 2022 ones to the shares of "Handhaving 2022"."""
        rng = self.rng
        pools: dict[tuple[bool, bool], list[int]] = {}
        for index, loc in enumerate(self.locations):
            pools.setdefault((loc.care_type == "group", loc.income_tariff), []).append(index)
        for key, pool in pools.items():
            rng.shuffle(pool)
            # pop() takes from the end: the end holds a draw weighted by the propensity.
            pools[key] = weighted_order(self.tilt_rng, pool, self.w_label)[::-1]
        in22 = [t for t in self.tracks if t.open_on(dt.date(2022, 1, 1), dt.date(2022, 12, 31))]
        group_no = GROUP_NO_TARIFF_2022
        group_yes = GROUP_OF_ENFORCEMENT_2022 - group_no
        family_no = NO_TARIFF_OF_ENFORCEMENT_2022 - group_no
        family_yes = len(in22) - group_no - group_yes - family_no
        cells = [(True, False)] * group_no + [(True, True)] * group_yes
        cells += [(False, False)] * family_no + [(False, True)] * family_yes
        rng.shuffle(cells)
        for track, cell in zip(in22, cells, strict=True):
            track.location = pools[cell].pop()
        for track in self.tracks:
            if track.location < 0:
                cell = (rng.random() < 0.8, rng.random() < 0.4)
                track.location = pools[cell].pop()
        self.track_free = [i for pool in pools.values() for i in pool]  # never in enforcement
        rng.shuffle(self.track_free)

    track_free: list[int]

    def track_decisions(self) -> None:
        rng = self.rng
        open_cycle = 0
        for number, track in enumerate(self.tracks):
            events: list[tuple[str, dt.date]] = [(K.ENFORCEMENT_STARTED, track.start)]
            first = min([d for d in (track.suspension, track.revocation) if d], default=None)
            warning = None
            if track.warning_window is not None:
                warning = _day(rng, *track.warning_window)
                events.append((K.WARNING, warning))
                limit = first or track.last_day(self.today) - dt.timedelta(days=2)
                between = _days_between(rng, warning, limit, 2)
                if between:
                    events.append((K.PRIORITY_SUPPORT, between[0]))
                    intention = 0.35 if track.close is None else 0.15
                    if (first is not None and rng.random() < 0.5) or rng.random() < intention:
                        events.append((K.INTENTION, between[1]))
            if track.suspension is not None:
                events.append((K.SUSPENSION, track.suspension))
            if track.revocation is not None:
                events.append((K.REVOCATION, track.revocation))
                if track.close is not None:
                    events.append((K.ENFORCEMENT_CLOSED, track.close))
            else:
                after = max(d for _k, d in events)
                if track.close is not None:
                    if first is None and warning is None and rng.random() < 0.2:
                        events.append((K.ENFORCEMENT_CLOSED, track.close))
                    else:
                        pattern = [K.EVALUATION_POSITIVE]
                        if rng.random() < 0.25:
                            pattern = [
                                K.EVALUATION_POSITIVE,
                                K.EVALUATION_NEGATIVE,
                                K.EVALUATION_POSITIVE,
                            ]
                        days = _days_between(rng, after, track.close, len(pattern))
                        if not days:
                            days = _days_between(rng, after, track.close, 1)
                            pattern = [K.EVALUATION_POSITIVE]
                        if not days:
                            raise PlanError(f"track {number}: no room for an evaluation")
                        events += list(zip(pattern, days, strict=True))
                        events.append((K.EVALUATION_POSITIVE, track.close))
                elif first is None:
                    open_cycle += 1
                    if open_cycle % 3 == 0:  # an open track with one positive evaluation
                        days = _days_between(rng, after, self.today, 1)
                        if days:
                            events.append((K.EVALUATION_POSITIVE, days[0]))
            events += track.extra
            events.sort(key=lambda e: (e[1], e[0] == K.ENFORCEMENT_CLOSED))
            kinds = [K(kind) for kind, _day_ in events]
            derived = derive(kinds)
            if derived.closed != (track.close is not None):
                raise PlanError(f"track {number}: closed {derived.closed}, close {track.close}")
            track.state = derived.state.value
            track.positive_evaluations = derived.positive_evaluations
            for kind, day in events:
                decision = PlanDecision(kind, _at(rng, day), location=track.location, track=number)
                if kind == K.ENFORCEMENT_STARTED:
                    decision.decided_at = dt.datetime.combine(day, dt.time(9, 0), tzinfo=BRUSSELS)
                if kind == K.SUSPENSION:
                    start = day + dt.timedelta(days=7)
                    until = start + dt.timedelta(days=rng.randrange(30, 90))
                    if day.year == 2021 and track.close is not None and track.close.year > 2021:
                        until = max(until, dt.date(2022, 1, rng.randrange(10, 28)))
                    if track.close is not None:  # a suspension ends with its track at the latest
                        until = max(start, min(until, track.close))
                    decision.effective_from, decision.effective_until = start, until
                if kind in (K.REVOCATION, K.WARNING, K.INTENTION):
                    decision.effective_from = day + dt.timedelta(days=1)
                self.decisions.append(decision)
            location = self.locations[track.location]
            if track.revocation is not None:
                location.licence_status = "revoked"
                location.active = False
            elif track.close is None and track.state == "suspended":
                location.licence_status = "suspended"
        open_states = {t.state for t in self.tracks if t.close is None}
        missing = {"improvement_track", "warning", "intention", "suspended", "revoked"}
        if missing - open_states:  # the pages should show an open track in every state
            raise PlanError(f"no open track in state(s) {sorted(missing - open_states)}")
        if not any(t.close is None and t.positive_evaluations == 1 for t in self.tracks):
            raise PlanError("no open track with one positive evaluation")
        for kind, day in self.free_location_decisions:
            free = self.track_free[self.rng.randrange(len(self.track_free))]
            self.decisions.append(PlanDecision(kind, _at(rng, day), location=free))

    # -- cases -----------------------------------------------------------------------------
    def _case(self, kind: str, received: dt.datetime, locations: tuple[int, ...]) -> PlanCase:
        rng = self.rng
        if received.date() < LAUNCH:
            source = "import"
        elif kind == "danger":
            source = rng.choices(("inspection", "public_form", "staff"), (4, 4, 2))[0]
        else:
            source = rng.choices(("public_form", "staff", "inspection", "api"), (50, 25, 15, 10))[0]
        handler = (
            self.organisers[self.locations[locations[0]].organiser].manager
            if locations
            else rng.randrange(3)
        )
        case = PlanCase(
            external_id=f"{MARK}C{len(self.cases) + 1:06d}",
            kind=kind,
            source=source,
            received_at=received,
            locations=locations,
            subject=rng.choice(SUBJECTS[kind]),
            handler=handler,
            taken_at=received + dt.timedelta(hours=rng.randrange(1, 30)),
            closed_at=received + dt.timedelta(days=rng.randrange(5, 60), hours=rng.randrange(1, 5)),
            reporter=kind != "signal" or rng.random() < 0.6,
        )
        self.cases.append(case)
        return case

    def danger(self) -> None:
        rng = self.rng
        for period in self.periods:
            total = self.target("danger_situations", period)
            n_locations = self.target("danger_situations_locations", period)
            n_started = self.target("danger_situations_enforcement_started", period)
            starting = [t for t in self.tracks if period.lo <= t.start <= period.hi]
            starters = {t.location for t in starting}
            fit = [t for t in starting if (t.start - period.lo).days >= 5]
            if len(fit) < n_started:
                raise PlanError(f"{period.key}: {len(fit)} tracks for {n_started} danger starts")
            rng.shuffle(fit)
            planned: list[tuple[int, dt.date]] = []
            for track in fit[:n_started]:  # the case a few days before the track's start
                planned.append(
                    (track.location, _day(rng, period.lo, track.start - dt.timedelta(days=2)))
                )
            eligible = [i for i in range(len(self.locations)) if i not in starters]
            others = weighted_order(self.tilt_rng, eligible, self.w_label)[
                : n_locations - n_started
            ]
            for index in others:
                planned.append((index, _day(rng, period.lo, period.hi)))
            for _ in range(total - n_locations):  # a second danger situation at a location
                planned.append((rng.choice(others), _day(rng, period.lo, period.hi)))
            for index, day in planned:
                received = _at(rng, day, 8, 13)
                case = self._case("danger", received, (index,))
                case.urgent = True
                case.urgent_due_at = received + dt.timedelta(hours=4)
                case.taken_at = received + dt.timedelta(minutes=rng.randrange(10, 230))
                if rng.random() < 0.04:
                    case.taken_at = received + dt.timedelta(minutes=rng.randrange(250, 400))
                    case.escalated_at = case.urgent_due_at + dt.timedelta(minutes=5)
                self.decisions.append(
                    PlanDecision(
                        K.DANGER_CLOSED, case.closed_at or received, case=len(self.cases) - 1
                    )
                )

    def complaints(self) -> None:
        rng = self.rng
        reasons = list(REASON_WEIGHTS)
        weights = list(REASON_WEIGHTS.values())
        for period in self.periods:
            admissible = self.target("admissible_complaints", period)
            if period.key == "2023-gap":
                admissible = _scaled(PER_YEAR_LATER["admissible_complaints"], period)
            refused = round(admissible * NOT_ADMISSIBLE_RATIO)
            flags = [True] * admissible + [False] * refused
            rng.shuffle(flags)
            for flag in flags:
                received = _at(rng, _day(rng, period.lo, period.hi))
                case = self._case("complaint", received, (self.tilted(self.cum_complaint),))
                case.admissible = flag
                late = rng.random() < 0.08
                case.acknowledged_at = received + dt.timedelta(
                    days=rng.randrange(11, 16) if late else rng.randrange(1, 9), hours=1
                )
                decided = received + dt.timedelta(days=rng.randrange(3, 10), hours=2)
                payload: dict[str, Any] = {}
                if flag:
                    answer = rng.randrange(46, 80) if rng.random() < 0.12 else rng.randrange(15, 44)
                    case.answered_at = received + dt.timedelta(days=answer, hours=3)
                    if rng.random() < 0.3:
                        case.conciliation = (
                            "Bemiddelend gesprek met de ouders en de verantwoordelijke."
                        )
                else:
                    case.reason = rng.choices(reasons, weights)[0].value
                    payload = {"reason": case.reason}
                    case.answered_at = decided
                    case.reporter = case.reason != NotAdmissibleReason.COMPLAINANT_UNKNOWN
                case.closed_at = case.answered_at
                kind = K.ADMISSIBLE if flag else K.NOT_ADMISSIBLE
                self.decisions.append(
                    PlanDecision(kind, decided, case=len(self.cases) - 1, payload=payload)
                )

    def other_cases(self) -> None:
        rng = self.rng
        for period in self.periods:
            for kind, per_year in PER_YEAR_OTHER.items():
                for _ in range(_scaled(per_year, period)):
                    received = _at(rng, _day(rng, period.lo, period.hi), 7, 21)
                    roll = rng.random()
                    if (kind == "feedback" and roll < 0.4) or roll < 0.04:
                        locations: tuple[int, ...] = ()
                    elif roll < 0.14 and kind == "signal":
                        locations = tuple(rng.sample(range(len(self.locations)), 2))
                    elif kind == "feedback":
                        locations = (rng.randrange(len(self.locations)),)
                    else:
                        locations = (self.tilted(self.cum_signal),)
                    case = self._case(kind, received, locations)
                    if kind == "report" and rng.random() < 0.02:  # a crisis report
                        case.urgent = True
                        case.urgent_due_at = received + dt.timedelta(hours=4)
                        case.taken_at = received + dt.timedelta(minutes=rng.randrange(10, 200))

    def staff_shortage(self) -> None:
        rng = self.rng
        first, last = STAFF_SHORTAGE_WINDOW
        multi = [org for org, locs in self.by_org.items() if len(locs) >= 2]
        rng.shuffle(multi)
        org_weight = {
            org: math.exp(TILT_SHORTAGE * sum(self.z[i] for i in locs) / len(locs))
            for org, locs in self.by_org.items()
        }
        multi = weighted_order(self.tilt_rng, multi, org_weight)
        chosen = multi[:SHORTAGE_ORGANISERS]
        counts = dict.fromkeys(chosen, 1)
        while sum(counts.values()) < SHORTAGE_LOCATIONS:
            org = rng.choice(chosen)
            if counts[org] < len(self.by_org[org]):
                counts[org] += 1
        for org in chosen:
            locations = rng.sample(self.by_org[org], counts[org])
            parts = [locations]
            if len(locations) >= 2 and rng.random() < 0.3:  # a second report for some of them
                parts.append(locations[: max(1, len(locations) // 2)])
            for some in parts:
                self._shortage(tuple(some), _day(rng, first, last))
        for period in self.later:
            for _ in range(_scaled(STAFF_SHORTAGE_LATER_PER_YEAR, period)):
                org = rng.choice(multi)
                part = tuple(
                    rng.sample(
                        self.by_org[org], rng.randrange(1, min(3, len(self.by_org[org])) + 1)
                    )
                )
                self._shortage(part, _day(rng, period.lo, period.hi))

    def _shortage(self, locations: tuple[int, ...], day: dt.date) -> None:
        rng = self.rng
        case = self._case("staff_shortage", _at(rng, day), locations)
        case.measures = tuple(sorted(rng.sample(MEASURES, rng.randrange(1, 3))))
        case.measures_from = day + dt.timedelta(days=rng.randrange(1, 10))
        case.measures_until = case.measures_from + dt.timedelta(days=rng.randrange(7, 60))

    # -- the living present ----------------------------------------------------------------
    def present(self, now: dt.datetime) -> None:
        """Open work: the last weeks' cases still open, urgent cases, complaints in and past
        their terms, proposals waiting for a second manager and a few rejected ones."""
        rng = self.rng
        recent = now - dt.timedelta(days=21)
        for case in self.cases:
            if case.received_at >= recent and case.kind != "complaint" and rng.random() < 0.6:
                case.status = rng.choice(("new", "in_progress"))
                case.closed_at = None
                if case.status == "new":
                    case.taken_at = case.handler = None
            for name in ("taken_at", "closed_at", "acknowledged_at", "answered_at"):
                moment = getattr(case, name)
                if moment is not None and moment >= now:
                    setattr(case, name, None)
            if case.closed_at is None and case.status == "closed":
                case.status = "in_progress"
            if case.taken_at is None and case.status == "in_progress":
                case.taken_at = case.received_at + dt.timedelta(hours=2)
        for decision in self.decisions:  # admissibility/closing decisions not yet due: not yet
            if decision.case is not None and decision.decided_at >= now:
                decision.decided_at = dt.datetime.min.replace(tzinfo=BRUSSELS)  # dropped below
        self.decisions = [d for d in self.decisions if d.decided_at.year > 1]
        decided_cases = {d.case for d in self.decisions if d.case is not None}
        for index, case in enumerate(self.cases):
            if case.kind == "complaint" and index not in decided_cases:
                case.admissible = None
                case.reason = ""
                case.status = "in_progress" if case.acknowledged_at else "new"
                case.closed_at = case.answered_at = None
            if case.kind == "danger" and index not in decided_cases:
                case.status = "in_progress" if case.taken_at else "new"
                case.closed_at = None

        def location() -> int:
            return self.track_free[rng.randrange(len(self.track_free))]

        def add(kind: str, ago: dt.timedelta, **fields: Any) -> int:
            received = now - ago
            case = self._case(kind, received, (location(),))
            case.taken_at = case.closed_at = case.handler = None
            case.status = "new"
            for name, value in fields.items():
                setattr(case, name, value)
            return len(self.cases) - 1

        hours = dt.timedelta(hours=1)
        days = dt.timedelta(days=1)
        urgent = {"urgent": True}
        add("danger", 1 * hours, urgent_due_at=now + 3 * hours, **urgent)
        overdue = add("danger", 7 * hours, urgent_due_at=now - 3 * hours, **urgent)
        assert overdue >= 0
        taken = add(
            "danger",
            26 * hours,
            urgent_due_at=now - 22 * hours,
            status="in_progress",
            taken_at=now - 24 * hours,
            handler=0,
            **urgent,
        )
        add(
            "report",
            2 * hours,
            urgent_due_at=now + 2 * hours,
            subject="Crisismelding: brand in de opvang",
            **urgent,
        )
        # Complaints in and past their terms (acknowledgment 10 days, answer 45 days).
        add("complaint", 3 * days)
        add("complaint", 16 * days)  # not acknowledged: past the 10 days
        within = add(
            "complaint", 30 * days, status="in_progress", handler=1, acknowledged_at=now - 27 * days
        )
        refused = add(
            "complaint", 12 * days, status="in_progress", handler=2, acknowledged_at=now - 10 * days
        )
        add(
            "complaint",
            70 * days,
            status="in_progress",
            handler=0,
            admissible=True,
            acknowledged_at=now - 66 * days,
        )  # past the answer term
        add(
            "complaint",
            130 * days,
            status="in_progress",
            handler=2,
            admissible=True,
            acknowledged_at=now - 125 * days,
        )  # far past it
        for index in (within, refused):
            self.cases[index].admissible = None
        # Open tracks in improvement track (no proposal pending on its own kind) for proposals.
        improvement = [
            n
            for n, t in enumerate(self.tracks)
            if t.close is None and t.state == "improvement_track"
        ]
        warning = [n for n, t in enumerate(self.tracks) if t.close is None and t.state == "warning"]
        if not improvement or not warning:
            raise PlanError("no open tracks in improvement track or warning for the proposals")
        at = now - dt.timedelta(hours=5)
        self.proposals += [
            PlanProposal(
                K.ADMISSIBLE, 0, "De klager is gekend en de feiten zijn recent.", at, case=within
            ),
            PlanProposal(
                K.NOT_ADMISSIBLE,
                1,
                "De feiten dateren van meer dan een jaar geleden.",
                at - 2 * hours,
                case=refused,
                payload={"reason": "older_than_a_year"},
            ),
            PlanProposal(
                K.DANGER_CLOSED,
                0,
                "Zorginspectie bezocht de opvang; de situatie is veilig.",
                at - 1 * days,
                case=taken,
            ),
            PlanProposal(
                K.WARNING,
                0,
                "Geen verbetering na het verbetertraject; aanmaning nodig.",
                at - 3 * hours,
                location=self.tracks[improvement[0]].location,
                payload={"effective_from": (now + days).date().isoformat()},
            ),
            PlanProposal(
                K.ENFORCEMENT_STARTED,
                2,
                "Herhaalde signalen over toezicht; verbetertraject.",
                at - 30 * hours,
                location=location(),
            ),
            PlanProposal(
                K.SUSPENSION,
                1,
                "Voorstel tot schorsing na de aanmaning.",
                at - 4 * days,
                location=self.tracks[warning[0]].location,
                status="rejected",
                decider=0,
                decided_at=at - 3 * days,
                rejection_reason=(
                    "Eerst een voornemen met hoorzitting; de termijn van de aanmaning loopt nog."
                ),
            ),
            PlanProposal(
                K.NOT_ADMISSIBLE,
                2,
                "Kennelijk ongegrond.",
                at - 6 * days,
                case=within,
                payload={"reason": "manifestly_unfounded"},
                status="rejected",
                decider=1,
                decided_at=at - 5 * days,
                rejection_reason=(
                    "De klacht is niet kennelijk ongegrond: de ouder geeft concrete feiten."
                ),
            ),
        ]


def plan_opgroeipunt(
    *, targets: dict[str, Any], seed: int, today: dt.date, now: dt.datetime | None = None
) -> OpgroeipuntPlan:
    """The whole demo as rows to write; the historic figures equal ``targets`` exactly."""
    if today < dt.date(2024, 1, 1):  # the open work of "today" must lie after 002's periods
        raise PlanError("the Opgroeipunt demo needs a today in 2024 or later")
    now = now or dt.datetime.combine(today, dt.time(11, 0), tzinfo=BRUSSELS)
    planner = _Planner(targets, seed, today)
    planner.free_location_decisions = []
    planner.master_data()
    planner.propensity(seed)
    planner.track_intervals()
    planner.measures()
    planner.warnings()
    planner.locations_for_tracks()
    planner.track_decisions()
    planner.danger()
    planner.complaints()
    planner.other_cases()
    planner.staff_shortage()
    planner.present(now)
    texts = random.Random(f"opgroeipunt-texts-{seed}")
    for case in planner.cases:
        z = planner.z[case.locations[0]] if case.locations else None
        case.description, case.signal_words = case_description(texts, case.kind, z)
    # Cases in order of receipt (their ids follow it): re-point decisions and proposals.
    order = sorted(range(len(planner.cases)), key=lambda n: planner.cases[n].received_at)
    new_index = {old: new for new, old in enumerate(order)}
    for decision in planner.decisions:
        if decision.case is not None:
            decision.case = new_index[decision.case]
    for proposal in planner.proposals:
        if proposal.case is not None:
            proposal.case = new_index[proposal.case]
    for new, old in enumerate(order, start=1):
        planner.cases[old].external_id = f"{MARK}C{new:06d}"
    planner.decisions.sort(key=lambda d: d.decided_at)
    for number, decision in enumerate(planner.decisions, start=1):
        decision.external_id = f"{MARK}D{number:06d}"
    return OpgroeipuntPlan(
        organisers=planner.organisers,
        locations=planner.locations,
        cases=[planner.cases[n] for n in order],
        tracks=planner.tracks,
        decisions=planner.decisions,
        proposals=planner.proposals,
        periods=planner.periods,
        today=today,
        propensity=planner.z,
    )


def plan_figures(plan: OpgroeipuntPlan, first: dt.date, last: dt.date) -> dict[str, int]:
    """The nine figures of one period, recounted on the plan with issue 17's definitions."""

    def inside(moment: dt.datetime) -> bool:
        return first <= moment.astimezone(BRUSSELS).date() <= last

    danger = [c for c in plan.cases if c.kind == CaseKind.DANGER and inside(c.received_at)]
    started: dict[int, list[dt.datetime]] = {}
    for decision in plan.decisions:
        if decision.kind == K.ENFORCEMENT_STARTED and inside(decision.decided_at):
            assert decision.location is not None
            started.setdefault(decision.location, []).append(decision.decided_at)
    danger_started = {
        location
        for case in danger
        for location in case.locations
        if any(at >= case.received_at for at in started.get(location, []))
    }
    counted = Counter(d.kind for d in plan.decisions if inside(d.decided_at))
    return {
        "danger_situations": len(danger),
        "danger_situations_locations": len({loc for c in danger for loc in c.locations}),
        "danger_situations_enforcement_started": len(danger_started),
        "admissible_complaints": sum(
            1
            for c in plan.cases
            if c.kind == CaseKind.COMPLAINT and c.admissible and inside(c.received_at)
        ),
        "inspection_enforcement_advices": counted[K.INSPECTION_ADVICE],
        "enforcement_locations": len({t.location for t in plan.tracks if t.open_on(first, last)}),
        "suspension_decisions": counted[K.SUSPENSION],
        "revocation_decisions": counted[K.REVOCATION],
        "civil_party_proceedings": counted[K.CIVIL_PARTY],
    }


def shares_2022(plan: OpgroeipuntPlan) -> dict[str, float]:
    """The "Handhaving 2022" shares as the plan makes them (percentages, unrounded)."""
    first, last = dt.date(2022, 1, 1), dt.date(2022, 12, 31)
    tracks = {n: t for n, t in enumerate(plan.tracks) if t.open_on(first, last)}
    locations = {t.location for t in tracks.values()}
    warned = {
        d.location
        for d in plan.decisions
        if d.kind == K.WARNING and d.track in tracks and d.decided_at.date() <= last
    }
    suspended = {
        d.location
        for d in plan.decisions
        if d.kind == K.SUSPENSION
        and d.effective_until
        and d.decided_at.date() <= last
        and d.effective_until >= first
    }
    suspension_decided = {
        d.location
        for d in plan.decisions
        if d.kind == K.SUSPENSION and first <= d.decided_at.date() <= last
    }
    revoked = {
        d.location
        for d in plan.decisions
        if d.kind == K.REVOCATION and first <= d.decided_at.date() <= last
    }
    total = len(plan.locations)
    return {
        "locations_in_enforcement_of_all_locations": 100 * len(locations) / total,
        "warning_of_enforcement": 100 * len(warned) / len(locations),
        "locations_with_suspension_decision": 100 * len(suspension_decided) / total,
        "locations_suspended_in_2022": 100 * len(suspended) / total,
        "locations_with_revocation_decision": 100 * len(revoked) / total,
        "group_care_of_enforcement": 100
        * sum(plan.locations[i].care_type == "group" for i in locations)
        / len(locations),
        "no_income_tariff_of_enforcement": 100
        * sum(not plan.locations[i].income_tariff for i in locations)
        / len(locations),
    }
