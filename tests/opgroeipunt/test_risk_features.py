"""Issue 18 item 3: features as of a date see nothing after it; the signal-word lexicon; the
label window; the metrics' tie handling."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kglijn.opgroeipunt.models import Case, Decision, EnforcementTrack, InspectionVisit, Location
from kglijn.opgroeipunt.risk.features import INDEX, cut_of, labels, snapshot
from kglijn.opgroeipunt.risk.model import top_precision
from kglijn.opgroeipunt.risk.text import stems, themes_of
from tests.opgroeipunt.test_decisions import make_location

pytestmark = pytest.mark.django_db

D = timezone.localdate() - dt.timedelta(days=200)
CUT = cut_of(D)


def at(days: float) -> dt.datetime:
    """A moment ``days`` after the cut (negative: before)."""
    return CUT + dt.timedelta(days=days)


def case(location: Location, kind: str, when: dt.datetime, text: str = "") -> Case:
    made = Case.objects.create(
        kind=kind, source="import", received_at=when, subject=text[:50], description=text
    )
    made.locations.add(location)
    return made


def world() -> tuple[Location, Location]:
    a = make_location("A", income_tariff=False)
    b = make_location("B")  # same organiser ORG1
    case(a, "staff_shortage", at(-10), "Personeelstekort in de namiddag")
    case(a, "signal", at(-400), "Vermoeden van verwaarlozing")
    case(a, "complaint", at(-1), "Klacht over de factuur")
    case(b, "danger", at(-30))
    Decision.objects.create(kind="warning", source="import", location=a, decided_at=at(-100))
    EnforcementTrack.objects.create(location=a, started_at=at(-100), closed_at=at(-5))
    InspectionVisit.objects.create(
        external_id="V1", location=a, visited_on=D - dt.timedelta(days=50),
        types=["regular", "follow_up_risk_enforcement"],
        findings=[{"theme": "x", "severity": "major", "text": "."}],
    )  # fmt: skip
    return a, b


def test_features_as_of_a_date_count_only_what_came_before() -> None:
    a, b = world()
    snap = snapshot(cut=CUT)
    row = {pk: snap.matrix[i] for i, pk in enumerate(snap.location_ids)}
    fa, fb = row[a.pk], row[b.pk]
    assert (fa[INDEX["staff_shortage_12"]], fa[INDEX["staff_shortage_24"]]) == (1, 1)
    assert (fa[INDEX["signals_12"]], fa[INDEX["signals_24"]]) == (0, 1)  # 400 days ago
    assert fa[INDEX["theme_neglect_24"]] == 1
    assert fa[INDEX["theme_understaffing_24"]] == 1
    assert fa[INDEX["complaints_12"]] == 1
    assert (fa[INDEX["enf_ever_warned"]], fa[INDEX["enf_steps_24"]]) == (1, 1)
    assert fa[INDEX["enf_open_track"]] == 0  # closed 5 days before the cut
    assert fa[INDEX["insp_regular_24"]] == 1
    assert fa[INDEX["insp_follow_up_risk_enforcement_24"]] == 1
    assert fa[INDEX["findings_major_24"]] == 1
    assert (fa[INDEX["days_since_inspection"]], fa[INDEX["never_inspected"]]) == (50, 0)
    assert fb[INDEX["never_inspected"]] == 1
    assert fa[INDEX["no_income_tariff"]] == 1
    assert fb[INDEX["no_income_tariff"]] == 0
    assert fa[INDEX["org_other_locations"]] == 1
    assert fa[INDEX["org_other_troubled_24"]] == 1  # B had a danger situation
    assert fb[INDEX["org_other_troubled_24"]] == 1  # A had an enforcement step
    assert "personeelstekort" in snap.documents[snap.location_ids.index(a.pk)]

    # Everything after the cut changes nothing (no leakage) ...
    before = snap.matrix.copy()
    case(a, "staff_shortage", at(0), "Onderbemanning, letsel en agressie")
    case(b, "complaint", at(1))
    Decision.objects.create(kind="suspension", source="import", location=a, decided_at=at(2))
    EnforcementTrack.objects.create(location=b, started_at=at(3))
    InspectionVisit.objects.create(
        external_id="V2", location=b, visited_on=D, types=["danger_situation"], findings=[]
    )
    after = snapshot(cut=CUT)
    assert np.array_equal(before, after.matrix)
    assert after.documents == snap.documents
    # ... but it is the label: a danger situation or an enforcement step within 182 days.
    assert labels(cut=CUT, location_ids=[a.pk, b.pk]).tolist() == [1, 0]
    case(b, "danger", at(181))
    assert labels(cut=CUT, location_ids=[a.pk, b.pk]).tolist() == [1, 1]
    assert labels(cut=at(183), location_ids=[a.pk, b.pk]).tolist() == [0, 0]


def test_features_are_computed_with_a_fixed_number_of_queries() -> None:
    world()
    for i in range(30):
        make_location(f"X{i}")
    with CaptureQueriesContext(connection) as queries:
        snap = snapshot(cut=CUT)
    assert len(snap.location_ids) == 32
    assert len(queries) <= 6


def test_the_lexicon_finds_dutch_signal_words_and_not_their_look_alikes() -> None:
    assert themes_of("Kind liep hoofdletsel op bij een val") == {"injury"}
    assert themes_of("Ouder vermoedt verwaarlozing; kind onverzorgd") == {"neglect"}
    assert themes_of("Begeleider werd agressief, kind geslagen") == {"aggression"}
    assert themes_of("Opnieuw personeelstekorten en onderbemanning") == {"understaffing"}
    assert themes_of("Schimmel in de slaapkamer") == {"hygiene"}
    assert themes_of("Baby in buikligging te slapen gelegd") == {"sleep"}
    # "let op" (stem "let", like "letsel") and "beletsel" (an obstacle) are not an injury.
    assert themes_of("Let op: er is geen beletsel voor de opening") == frozenset()
    assert stems("De kinderen werden verwaarloosd") == ["kinder", "wer", "verwaarloosd"]


def test_top_precision_shares_ties_at_the_cut() -> None:
    scores = np.array([3.0, 1.0, 1.0, 1.0, 0.0] * 4)
    y = np.array([1, 1, 0, 0, 0] * 4)
    # top 5 % of 20 = 1 slot, shared by the four tied 3.0s, all positive.
    assert top_precision(scores, y) == 1.0
    # top 25 % = 5 slots: four 3.0s (positive) + one of twelve 1.0s (a third positive).
    assert top_precision(scores, y, share=0.25) == pytest.approx((4 + 1 / 3) / 5)
