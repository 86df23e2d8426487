"""The Opgroeipunt demo: 2021, 2022 and 2023-01-01..2023-06-05 equal 002's table cell by cell.

The figures are recounted here independently, in Python over plain rows, with issue 17's
definitions (Brussels dates; a track open on a day of the period counts in it).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kglijn.core.business_calendar import BRUSSELS
from kglijn.demo.opgroeipunt import opgroeipunt_demo_delete, opgroeipunt_demo_load
from kglijn.demo.opgroeipunt_plan import (
    TARGETS_PATH,
    historic_periods,
    load_targets,
    plan_figures,
    plan_opgroeipunt,
    shares_2022,
)
from kglijn.demo.services import _with_opgroeipunt, demo_reset
from kglijn.opgroeipunt.enforcement.transitions import derive
from kglijn.opgroeipunt.figures.selectors import opgroeipunt_figures
from kglijn.opgroeipunt.models import (
    Case,
    CaseEvent,
    Decision,
    EnforcementTrack,
    Location,
    Organiser,
    Proposal,
    Reporter,
    RiskModel,
    RiskScore,
)
from kglijn.opgroeipunt.models import DecisionKind as K
from kglijn.opgroeipunt.risk.features import scoring_locations

TARGETS = load_targets()
NOW = dt.datetime(2026, 12, 7, 11, 0, tzinfo=BRUSSELS)
SEED = 20231106
SHARED = Path("/work/shared/data/seed_figures.json")


def _date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BRUSSELS).date()


def _recount(first: dt.date, last: dt.date) -> dict[str, int]:
    """Issue 17's nine figures for one period, from plain rows."""

    def inside(moment: dt.datetime) -> bool:
        return first <= _date(moment) <= last

    links: dict[int, set[int]] = defaultdict(set)
    for case_id, location_id in Case.locations.through.objects.values_list(
        "case_id", "location_id"
    ):
        links[case_id].add(location_id)
    danger = [
        (pk, received)
        for pk, received in Case.objects.filter(kind="danger").values_list("pk", "received_at")
        if inside(received)
    ]
    decisions = list(Decision.objects.values_list("kind", "decided_at", "location_id"))
    started = defaultdict(list)
    for kind, decided_at, location in decisions:
        if kind == "enforcement_started" and inside(decided_at):
            started[location].append(decided_at)
    danger_locations = {location for pk, _r in danger for location in links[pk]}
    danger_started = {
        location
        for pk, received in danger
        for location in links[pk]
        if any(_date(at) >= _date(received) for at in started[location])
    }
    tracks = EnforcementTrack.objects.values_list("location_id", "started_at", "closed_at")
    open_locations = {
        location
        for location, started_at, closed_at in tracks
        if _date(started_at) <= last and (closed_at is None or _date(closed_at) >= first)
    }

    def decided(kind: str) -> int:
        return sum(1 for k, at, _loc in decisions if k == kind and inside(at))

    return {
        "danger_situations": len(danger),
        "danger_situations_locations": len(danger_locations),
        "danger_situations_enforcement_started": len(danger_started),
        "admissible_complaints": sum(
            1
            for received in Case.objects.filter(kind="complaint", admissible=True).values_list(
                "received_at", flat=True
            )
            if inside(received)
        ),
        "inspection_enforcement_advices": decided("inspection_advice"),
        "enforcement_locations": len(open_locations),
        "suspension_decisions": decided("suspension"),
        "revocation_decisions": decided("revocation"),
        "civil_party_proceedings": decided("civil_party"),
    }


def _expected(period: str) -> dict[str, int]:
    return {
        figure: TARGETS[figure][period]
        for figure in _recount_keys()
        if period in TARGETS.get(figure, {})
    }


def _recount_keys() -> list[str]:
    return [
        "danger_situations",
        "danger_situations_locations",
        "danger_situations_enforcement_started",
        "admissible_complaints",
        "inspection_enforcement_advices",
        "enforcement_locations",
        "suspension_decisions",
        "revocation_decisions",
        "civil_party_proceedings",
    ]


def test_the_shipped_table_is_the_shared_transcription() -> None:
    if not SHARED.exists():
        pytest.skip("the shared transcription is not on this machine")
    shared = json.loads(SHARED.read_text(encoding="utf-8"))["opgroeipunt_002"]
    assert json.loads(TARGETS_PATH.read_text(encoding="utf-8")) == shared


@pytest.mark.parametrize("seed", [SEED, 7])
def test_the_plan_meets_the_table_and_the_2022_shares(seed: int) -> None:
    plan = plan_opgroeipunt(targets=TARGETS, seed=seed, today=NOW.date(), now=NOW)
    assert len(plan.locations) == 6800
    for period in historic_periods(TARGETS):
        got = plan_figures(plan, period.start, period.end)
        assert {k: got[k] for k in _expected(period.key)} == _expected(period.key), period.key
    # 2023's inspection advices run to 19 June in the source: none between 6 and 19 June.
    assert (
        plan_figures(plan, dt.date(2023, 1, 1), dt.date(2023, 6, 19))[
            "inspection_enforcement_advices"
        ]
        == TARGETS["inspection_enforcement_advices"]["2023"]
    )
    shares = shares_2022(plan)
    wanted = TARGETS["enforcement_2022_shares_pct"]
    for key in (
        "locations_in_enforcement_of_all_locations",
        "warning_of_enforcement",
        "group_care_of_enforcement",
        "no_income_tariff_of_enforcement",
        "locations_with_revocation_decision",
    ):
        assert round(shares[key], 1 if wanted[key] < 1 else 0) == wanted[key], key
    # 44 suspension decisions cannot be 0.8 % of 6,800; suspended at some time in 2022 can.
    assert round(shares["locations_suspended_in_2022"], 1) == 0.8
    for number, track in enumerate(plan.tracks):
        kinds = [d.kind for d in sorted(plan.decisions, key=lambda d: d.decided_at)
                 if d.track == number]  # fmt: skip
        derived = derive(K(kind) for kind in kinds)  # strict: every step follows today's table
        assert derived.closed == (track.close is not None)


@pytest.mark.django_db(transaction=False)
def test_loaded_demo_equals_the_table_cell_by_cell_and_looks_alive() -> None:
    rows = opgroeipunt_demo_load(seed=SEED, now=NOW)
    assert rows["opgroeipunt locations"] == 6800
    for period in historic_periods(TARGETS):
        got = _recount(period.start, period.end)
        expected = _expected(period.key)
        assert {k: got[k] for k in expected} == expected, period.key
        # The product's own figures (the fixed JSON of `kglijn opgroeipunt figures`) agree with
        # the independent recount and so with 002's table.
        figures = opgroeipunt_figures(start=period.start, end=period.end)
        assert figures["years"][str(period.start.year)] == got, period.key
    assert (
        _recount(dt.date(2023, 1, 1), dt.date(2023, 6, 19))["inspection_enforcement_advices"] == 87
    )
    # Imported history before the launch, four eyes after it.
    assert not Decision.objects.filter(source="import", proposal__isnull=False).exists()
    approved = Decision.objects.filter(source="approved")
    assert approved.exists()
    assert not approved.filter(approved_by=F("proposed_by")).exists()
    # Every track's decisions follow the one transition table to its stored state.
    by_track = defaultdict(list)
    for track_id, kind in (
        Decision.objects.filter(track__isnull=False)
        .order_by("decided_at", "id")
        .values_list("track_id", "kind")
    ):
        by_track[track_id].append(kind)
    for track in EnforcementTrack.objects.all():
        derived = derive(K(kind) for kind in by_track[track.pk])
        assert derived.closed == (track.closed_at is not None)
        if track.closed_at is None:
            assert (derived.state, derived.positive_evaluations) == (
                track.state,
                track.positive_evaluations,
            )
    open_states = set(
        EnforcementTrack.objects.filter(closed_at__isnull=True).values_list("state", flat=True)
    )
    assert open_states == {"improvement_track", "warning", "intention", "suspended", "revoked"}
    assert EnforcementTrack.objects.filter(closed_at__isnull=True, positive_evaluations=1).exists()
    # The living present: waiting and rejected proposals, an overdue untaken urgent case,
    # complaints within and past their terms.
    waiting = Proposal.objects.filter(status="proposed")
    assert waiting.count() >= 4
    assert Proposal.objects.filter(status="rejected").count() >= 2
    assert not Proposal.objects.filter(decided_by=F("proposed_by")).exists()
    assert Case.objects.filter(
        urgent=True, taken_at__isnull=True, urgent_due_at__lt=NOW, status="new"
    ).exists()
    assert Case.objects.filter(urgent=True, urgent_due_at__gt=NOW).exists()
    open_complaints = Case.objects.filter(kind="complaint", closed_at__isnull=True)
    assert open_complaints.filter(received_at__gt=NOW - dt.timedelta(days=10)).exists()
    assert open_complaints.filter(
        acknowledged_at__isnull=True, received_at__lt=NOW - dt.timedelta(days=10)
    ).exists()
    assert open_complaints.filter(received_at__lt=NOW - dt.timedelta(days=45)).exists()
    # Master data: SPOC a demo customer manager, a regional team, 1/3 group care.
    managers = set(
        User.objects.filter(username__startswith="klantenbeheer").values_list("pk", flat=True)
    )
    assert len(managers) >= 3
    assert set(Location.objects.values_list("spoc_id", flat=True)) <= managers
    assert not Location.objects.filter(regional_team__isnull=True).exists()
    assert 0.30 < Location.objects.filter(care_type="group").count() / 6800 < 0.36
    # The rows read back as the app writes them: a case's history holds objects, and the
    # pages of a few demo cases open (a history stored as a JSON string broke them once).
    assert {type(changes) for changes in CaseEvent.objects.values_list("changes", flat=True)} == {
        dict
    }
    client = Client()
    client.force_login(User.objects.get(username="klantenbeheer1"))
    for case in (
        Case.objects.filter(urgent=True, status="new").first(),
        open_complaints.first(),
        Case.objects.filter(kind="staff_shortage").first(),
    ):
        assert case is not None
        response = client.get(reverse("opgroeipunt:case_detail", kwargs={"pk": case.pk}))
        assert response.status_code == 200, case


def _snapshot() -> tuple[list[Any], list[Any]]:
    cases = list(
        Case.objects.filter(external_id__startswith="demo-")
        .order_by("external_id")
        .values_list("external_id", "kind", "received_at", "status", "admissible")
    )
    decisions = list(
        Decision.objects.filter(external_id__startswith="demo-")
        .order_by("external_id")
        .values_list(
            "external_id", "kind", "decided_at", "location__external_id", "case__external_id"
        )
    )
    return cases, decisions


@pytest.mark.django_db
def test_same_seed_same_rows_and_reset_removes_only_the_demo() -> None:
    opgroeipunt_demo_load(seed=SEED, now=NOW)
    first = _snapshot()
    # A real organiser, location and case next to the demo's stay through a reset.
    organiser = Organiser.objects.create(external_id="O-1", name="Echte organisator")
    location = Location.objects.create(
        external_id="L-1",
        organiser=organiser,
        name="Echte opvang",
        postcode="9000",
        province="BE-VOV",
        care_type="group",
        places=18,
        subsidy="T1",
        income_tariff=False,
    )
    case = Case.objects.create(kind="signal", source="staff", received_at=NOW)
    case.locations.add(location)
    assert opgroeipunt_demo_load(seed=SEED, now=NOW) == {}  # already there: nothing written
    opgroeipunt_demo_load(seed=SEED, now=NOW, reset=True)
    assert _snapshot() == first
    deleted = opgroeipunt_demo_delete()
    assert deleted["opgroeipunt locations"] == 6800
    assert not Location.objects.filter(external_id__startswith="demo-").exists()
    assert not Case.objects.filter(external_id__startswith="demo-").exists()
    assert not Organiser.objects.filter(external_id__startswith="demo-").exists()
    assert not EnforcementTrack.objects.exists()
    assert not Decision.objects.exists()
    assert not Proposal.objects.exists()
    assert not Reporter.objects.exists()
    assert list(Location.objects.values_list("external_id", flat=True)) == ["L-1"]
    assert list(Case.objects.values_list("pk", flat=True)) == [case.pk]


@pytest.mark.django_db
def test_the_command_loads_it_alone_prints_the_managers_and_demo_reset_removes_it() -> None:
    out = io.StringIO()
    call_command("demo", "--opgroeipunt-only", stdout=out, verbosity=0)
    text = out.getvalue()
    assert "6,800 opgroeipunt locations" in text
    for username in ("klantenbeheer1", "klantenbeheer2", "klantenbeheer3", "opgroeipuntlead"):
        assert username in text
    assert Location.objects.filter(external_id__startswith="demo-").count() == 6800
    # Issue 18: the risk model is trained on the demo and every location is scored through the
    # app's services; the model beats the complaint-count baseline on the held-out window.
    model = RiskModel.objects.get(active=True)
    assert model.test_until == timezone.localdate() - dt.timedelta(days=182)
    assert model.metrics["model"]["auc"] > model.metrics["baseline"]["auc"] + 0.1
    assert (
        model.metrics["model"]["top5_precision"] > 2 * model.metrics["baseline"]["top5_precision"]
    )
    assert f"Risk model #{model.pk} (back-test as of {model.test_until}" in text
    assert RiskScore.objects.count() == len(scoring_locations()) > 6000
    assert RiskScore.objects.filter(band="high").exists()
    waiting = Proposal.objects.filter(kind="rescreening", status="proposed")
    assert [p.location_id for p in waiting.order_by("pk")] == list(
        RiskScore.objects.order_by("rank").values_list("location_id", flat=True)[:2]
    )
    assert {p.proposed_by.username for p in waiting} == {"klantenbeheer2"}
    # Only a full-scale demo of 2021-2023 brings Opgroeipunt along (its counts are absolute).
    assert _with_opgroeipunt([2019, 2020, 2021, 2022, 2023], 1.0)
    assert not _with_opgroeipunt([2023], 1.0)
    assert not _with_opgroeipunt([2021, 2022, 2023], 0.5)
    deleted = demo_reset()
    assert deleted["opgroeipunt locations"] == 6800
    assert not Location.objects.exists()
    assert not Case.objects.exists()
