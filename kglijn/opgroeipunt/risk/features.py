"""Features of every location as of a moment, in bulk and without leakage.

``snapshot(cut=…)`` reads only what happened strictly before ``cut`` (cases received, decisions
decided, tracks started, visits made before it), with five queries for all locations together
(locations; case links with their texts in the last 24 months; enforcement decisions; tracks open
at the cut; inspection visits), whatever the number of locations. The location's own master
data (care type, places, subsidy, income tariff) is today's: the register keeps its history in
LocationVersion, but those attributes rarely change and the leak is small
(docs/opgroeipunt-risk.md).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Max, Q
from django.utils import timezone

from kglijn.opgroeipunt.models import (
    CareType,
    Case,
    CaseKind,
    Decision,
    DecisionKind,
    EnforcementTrack,
    FindingSeverity,
    InspectionType,
    InspectionVisit,
    LicenceStatus,
    Location,
    Subsidy,
)
from kglijn.opgroeipunt.risk.text import THEMES, stem_pairs, themes_of

DAYS_12 = 365
DAYS_24 = 730
NO_INSPECTION_DAYS = 5 * 365  # "never inspected" counts as five years ago, plus its own flag

SIGNAL_KINDS = frozenset({CaseKind.SIGNAL, CaseKind.REPORT})
# Steps that count as enforcement in the features and the label.
ENFORCEMENT_STEPS = frozenset(
    {
        DecisionKind.ENFORCEMENT_STARTED,
        DecisionKind.WARNING,
        DecisionKind.INTENTION,
        DecisionKind.SUSPENSION,
        DecisionKind.REVOCATION,
    }
)

CASE_FEATURES = [
    f"{what}_{months}"
    for what in ("signals", "complaints", "danger", "staff_shortage")
    for months in (12, 24)
] + ["urgent_12"]
THEME_FEATURES = [f"theme_{theme}_24" for theme in THEMES]
ENFORCEMENT_FEATURES = ["enf_ever_warned", "enf_open_track", "enf_suspensions", "enf_steps_24"]
INSPECTION_FEATURES = [f"insp_{kind}_24" for kind in InspectionType.values] + [
    f"findings_{severity}_24" for severity in FindingSeverity.values
]
INSPECTION_FEATURES += ["days_since_inspection", "never_inspected"]
LOCATION_FEATURES = ["group_care", "places", "subsidy_T1", "subsidy_T2", "no_income_tariff"]
ORGANISER_FEATURES = ["org_other_locations", "org_other_troubled_24"]
FEATURES: list[str] = (
    CASE_FEATURES
    + THEME_FEATURES
    + ENFORCEMENT_FEATURES
    + INSPECTION_FEATURES
    + LOCATION_FEATURES
    + ORGANISER_FEATURES
)
INDEX = {name: i for i, name in enumerate(FEATURES)}


@dataclass
class Snapshot:
    """Features of locations at ``cut``: one row per location id, one column per FEATURES name,
    and per location the stems of its case texts of the last 24 months (for TF-IDF)."""

    cut: dt.datetime
    location_ids: list[int]
    matrix: np.ndarray
    documents: list[str]
    names: list[str] = field(default_factory=lambda: list(FEATURES))

    def column(self, name: str) -> np.ndarray:
        return self.matrix[:, INDEX[name]]


@dataclass
class TextCache:
    """Per case id: its themes and stems, so several snapshots tokenise a text only once."""

    themes: dict[int, frozenset[str]] = field(default_factory=dict)
    stems: dict[int, str] = field(default_factory=dict)
    # How often each word gave each stem: names a stem by its commonest word ("let" -> "letsel").
    words: Counter[tuple[str, str]] = field(default_factory=Counter)

    def get(self, case_id: int, subject: str, description: str) -> tuple[frozenset[str], str]:
        if case_id not in self.themes:
            text = f"{subject}\n{description}"
            self.themes[case_id] = themes_of(text)
            pairs = stem_pairs(text)
            self.stems[case_id] = " ".join(stem for stem, _word in pairs)
            self.words.update(pairs)
        return self.themes[case_id], self.stems[case_id]


def surface_words(cache: TextCache) -> dict[str, str]:
    """Per stem, the word it came from most often in the texts read."""
    best: dict[str, tuple[int, str]] = {}
    for (stem, word), count in cache.words.items():
        if stem not in best or (count, word) > best[stem]:
            best[stem] = (count, word)
    return {stem: word for stem, (_count, word) in best.items()}


def cut_of(day: dt.date) -> dt.datetime:
    """The start of ``day`` in local time: "as of D" means everything before D."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def scoring_locations() -> list[int]:
    """The locations that are scored: active and still licensed (suspended included)."""
    return list(
        Location.objects.filter(active=True)
        .exclude(licence_status__in=[LicenceStatus.REVOKED, LicenceStatus.CLOSED])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def snapshot(
    *, cut: dt.datetime, location_ids: Iterable[int] | None = None, cache: TextCache | None = None
) -> Snapshot:
    """The features of every location (or of ``location_ids``) as of ``cut``."""
    cache = cache or TextCache()
    rows = Location.objects.order_by("pk").values_list(
        "pk", "organiser_id", "care_type", "places", "subsidy", "income_tariff"
    )
    if location_ids is not None:
        rows = rows.filter(pk__in=list(location_ids))
    locations = list(rows)
    ids = [row[0] for row in locations]
    position = {pk: i for i, pk in enumerate(ids)}
    x = np.zeros((len(ids), len(FEATURES)), dtype=float)
    documents: list[list[str]] = [[] for _ in ids]
    since12 = cut - dt.timedelta(days=DAYS_12)
    since24 = cut - dt.timedelta(days=DAYS_24)

    for r, (_pk, _org, care_type, places, subsidy, income_tariff) in enumerate(locations):
        x[r, INDEX["group_care"]] = care_type == CareType.GROUP
        x[r, INDEX["places"]] = places
        x[r, INDEX["subsidy_T1"]] = subsidy == Subsidy.T1
        x[r, INDEX["subsidy_T2"]] = subsidy == Subsidy.T2
        x[r, INDEX["no_income_tariff"]] = not income_tariff

    # Cases of the last 24 months, with their texts (one query).
    links = Case.locations.through.objects.filter(
        case__received_at__gte=since24, case__received_at__lt=cut
    ).values_list(
        "location_id", "case_id", "case__kind", "case__urgent", "case__received_at",
        "case__subject", "case__description",
    )  # fmt: skip
    kind_feature: dict[str, str] = {
        CaseKind.SIGNAL: "signals",
        CaseKind.REPORT: "signals",
        CaseKind.COMPLAINT: "complaints",
        CaseKind.DANGER: "danger",
        CaseKind.STAFF_SHORTAGE: "staff_shortage",
    }
    for location_id, case_id, kind, urgent, received_at, subject, description in links:
        i = position.get(location_id)
        if i is None:
            continue
        recent = received_at >= since12
        what = kind_feature.get(kind)
        if what:
            x[i, INDEX[f"{what}_24"]] += 1
            if recent:
                x[i, INDEX[f"{what}_12"]] += 1
        themes, stemmed = cache.get(case_id, subject, description)
        if recent:
            x[i, INDEX["urgent_12"]] += bool(urgent)
        for theme in themes:
            x[i, INDEX[f"theme_{theme}_24"]] += 1
        if stemmed:
            documents[i].append(stemmed)

    # Enforcement history before the cut (one query for decisions, one for open tracks).
    decisions = Decision.objects.filter(
        location__isnull=False, decided_at__lt=cut, kind__in=ENFORCEMENT_STEPS
    ).values_list("location_id", "kind", "decided_at")
    steps_24: dict[int, int] = defaultdict(int)
    for location_id, kind, decided_at in decisions:
        i = position.get(location_id)
        if i is None:
            continue
        if kind in (DecisionKind.WARNING, DecisionKind.INTENTION):
            x[i, INDEX["enf_ever_warned"]] = 1
        if kind == DecisionKind.SUSPENSION:
            x[i, INDEX["enf_suspensions"]] += 1
        if decided_at >= since24:
            x[i, INDEX["enf_steps_24"]] += 1
            steps_24[location_id] += 1
    open_tracks = set(
        EnforcementTrack.objects.filter(started_at__lt=cut)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=cut))
        .values_list("location_id", flat=True)
    )
    for location_id in open_tracks:
        if location_id in position:
            x[position[location_id], INDEX["enf_open_track"]] = 1

    # Inspection visits (one query for the last 24 months, one for the last visit ever).
    cut_day = timezone.localdate(cut)
    visits = InspectionVisit.objects.filter(
        active=True, visited_on__lt=cut_day, visited_on__gte=cut_day - dt.timedelta(days=DAYS_24)
    ).values_list("location_id", "types", "findings")
    for location_id, types, findings in visits:
        i = position.get(location_id)
        if i is None:
            continue
        for kind in types if isinstance(types, list) else []:
            if kind in InspectionType.values:
                x[i, INDEX[f"insp_{kind}_24"]] += 1
        for finding in findings if isinstance(findings, list) else []:
            severity = finding.get("severity") if isinstance(finding, dict) else None
            if severity in FindingSeverity.values:
                x[i, INDEX[f"findings_{severity}_24"]] += 1
    x[:, INDEX["days_since_inspection"]] = NO_INSPECTION_DAYS
    x[:, INDEX["never_inspected"]] = 1
    last_visits = (
        InspectionVisit.objects.filter(active=True, visited_on__lt=cut_day)
        .values("location_id")
        .annotate(last=Max("visited_on"))
        .values_list("location_id", "last")
    )
    for location_id, last in last_visits:
        i = position.get(location_id)
        if i is None:
            continue
        x[i, INDEX["days_since_inspection"]] = min((cut_day - last).days, NO_INSPECTION_DAYS)
        x[i, INDEX["never_inspected"]] = 0

    # The organiser's other locations: how many, and how many of them were in trouble lately
    # (a danger situation, an enforcement step in 24 months, or an open track).
    troubled = (
        (x[:, INDEX["danger_24"]] > 0)
        | (x[:, INDEX["enf_steps_24"]] > 0)
        | (x[:, INDEX["enf_open_track"]] > 0)
    ).astype(float)
    organisers = np.array([row[1] for row in locations], dtype=np.int64)
    if len(ids):
        _unique, inverse = np.unique(organisers, return_inverse=True)
        per_org_count = np.bincount(inverse).astype(float)
        per_org_troubled = np.bincount(inverse, weights=troubled)
        x[:, INDEX["org_other_locations"]] = per_org_count[inverse] - 1
        x[:, INDEX["org_other_troubled_24"]] = per_org_troubled[inverse] - troubled

    return Snapshot(
        cut=cut,
        location_ids=ids,
        matrix=x,
        documents=[" ".join(parts) for parts in documents],
    )


def labels(*, cut: dt.datetime, location_ids: list[int], days: int = 182) -> np.ndarray:
    """1 where a danger situation was received or an enforcement step decided in the ``days``
    after ``cut`` (the label of the model), else 0."""
    until = cut + dt.timedelta(days=days)
    hit: set[int] = set(
        Case.locations.through.objects.filter(
            case__kind=CaseKind.DANGER, case__received_at__gte=cut, case__received_at__lt=until
        ).values_list("location_id", flat=True)
    )
    hit |= set(
        Decision.objects.filter(
            location__isnull=False,
            kind__in=ENFORCEMENT_STEPS,
            decided_at__gte=cut,
            decided_at__lt=until,
        ).values_list("location_id", flat=True)
    )
    return np.array([1 if pk in hit else 0 for pk in location_ids], dtype=int)
