"""Issue 17 item 8: the team lead's dashboard counts what is open and who carries what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.opgroeipunt.dashboard.selectors import DOSSIERS_PER_FTE_GOAL, opgroeipunt_dashboard
from kglijn.opgroeipunt.models import (
    Case,
    CaseKind,
    CaseSource,
    CaseStatus,
    Location,
    Organiser,
    Proposal,
    RegionalTeam,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _case(kind: str, *, days_old: float, urgent: bool = False, **fields: object) -> Case:
    received = NOW - dt.timedelta(days=days_old)
    return Case.objects.create(
        kind=kind,
        source=CaseSource.STAFF,
        received_at=received,
        urgent=urgent,
        urgent_due_at=received + dt.timedelta(hours=4) if urgent else None,
        **fields,
    )


def _locations(count: int, spoc: User) -> None:
    organiser = Organiser.objects.create(external_id="org-d", name="Organisator D")
    Location.objects.bulk_create(
        Location(
            external_id=f"loc-d-{n}",
            organiser=organiser,
            name=f"Kinderdagverblijf {n}",
            postcode="9000",
            province="BE-VOV",
            care_type="group",
            places=18,
            subsidy="T1",
            income_tariff=True,
            spoc=spoc,
        )
        for n in range(count)
    )


def test_the_dashboard_counts_open_cases_urgent_lane_proposals_and_caseload(
    make_user: Callable[..., User],
) -> None:
    team = RegionalTeam.objects.get(name="Regionaal team 1")
    manager = make_user("childcare_customer_manager")
    _locations(DOSSIERS_PER_FTE_GOAL + 5, manager)
    oldest = _case(CaseKind.DANGER, days_old=1, urgent=True, regional_team=team)
    _case(CaseKind.DANGER, days_old=0.01, urgent=True, regional_team=team)
    _case(CaseKind.DANGER, days_old=2, urgent=True, taken_at=NOW, handler=manager)
    _case(CaseKind.COMPLAINT, days_old=40)
    _case(CaseKind.SIGNAL, days_old=100, status=CaseStatus.CLOSED)
    location = Location.objects.first()
    assert location is not None
    Proposal.objects.create(
        kind="enforcement_started", location=location, motivation="m", proposed_by=manager
    )

    board = opgroeipunt_dashboard(now=NOW)

    assert board.open_total == 4
    assert {label: n for label, n, _u in board.by_kind}[str(CaseKind.DANGER.label)] == 3
    assert next(case.pk for case in board.urgent_untaken) == oldest.pk
    assert len(board.urgent_untaken) == 2
    assert board.urgent_overdue == 1  # received a day ago, 4 hours to respond
    assert dict(board.by_team)["Regionaal team 1"] == 2
    assert [n for _band, n in board.by_age] == [3, 0, 1, 0]
    assert board.proposals_waiting == 1
    load = next(load for load in board.caseloads if load.user == manager)
    assert (load.dossiers, load.open_cases, load.over_goal) == (DOSSIERS_PER_FTE_GOAL + 5, 1, True)


def test_only_the_team_lead_opens_the_dashboard(
    client: Client, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user("childcare_customer_manager"))
    assert client.get(reverse("opgroeipunt:dashboard")).status_code == 403
    client.force_login(make_user("opgroeipunt_team_lead"))
    response = client.get(reverse("opgroeipunt:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dashboard Opgroeipunt" in page
    assert "Wachten op een tweede paar ogen" in page or "tweede paar ogen" in page
