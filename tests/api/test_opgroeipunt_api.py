"""Issue 17: Opgroeipunt's integration API — intake, four-eyes proposals, a location's state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.models import (
    Case,
    Decision,
    LicenceStatus,
    Location,
    Organiser,
    Proposal,
    RegionalTeam,
    RiskModel,
    RiskScore,
)
from kglijn.outbox.models import OutboundMail
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db
CASES = "/api/v1/opgroeipunt/cases/"
PROPOSALS = "/api/v1/opgroeipunt/proposals/"


@pytest.fixture
def location() -> Location:
    organiser = Organiser.objects.create(external_id="org-1", name="Vzw De Speelboom")
    return Location.objects.create(
        external_id="KO-1001",
        organiser=organiser,
        name="De Speelboom Gent",
        postcode="9000",
        province="BE-VOV",
        care_type="group",
        places=28,
        subsidy="T2",
        income_tariff=True,
        regional_team=RegionalTeam.objects.get(name="Regionaal team 1"),
    )


@pytest.fixture
def managers(make_user: Callable[..., User]) -> tuple[User, User]:
    return (
        make_user("childcare_customer_manager", "an"),
        make_user("childcare_customer_manager", "bram"),
    )


def _propose(api: ApiClient, kind: str, location: Location) -> int:
    response = api.post(
        PROPOSALS,
        {
            "kind": kind,
            "location": location.external_id,
            "motivation": "Vaststellingen Zorginspectie",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "proposed"
    return int(response.json()["id"])


def test_a_danger_situation_through_the_api_is_urgent_with_its_term_and_a_mail(
    api_for: Callable[..., ApiClient], managers: tuple[User, User], location: Location
) -> None:
    api = api_for(managers[0])
    response = api.post(
        CASES,
        {
            "kind": "danger",
            "external_id": "zi-77",
            "locations": [location.external_id],
            "description": "Kind onbewaakt op de speelplaats",
            "source": "inspection",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["urgent"] is True
    assert body["urgent_due_at"]
    assert body["locations"] == [location.external_id]
    case = Case.objects.get(pk=body["id"])
    assert case.source == "inspection"
    assert OutboundMail.objects.filter(purpose__icontains="opgroeipunt").count() == 1
    # The same external id again: the same case, no second mail.
    again = api.post(CASES, {"kind": "danger", "external_id": "zi-77"})
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Case.objects.count() == 1
    assert OutboundMail.objects.filter(purpose__icontains="opgroeipunt").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"kind": "signal", "locations": ["nope"]}, "locations"),
        ({"kind": "signal", "received_at": "2026-01-01T10:00:00"}, "received_at"),
        ({"kind": "signal", "description": "a\x00b"}, "description"),
        ({"kind": "signal", "reporter": {"email": "not-an-address"}}, "reporter.email"),
    ],
)
def test_bad_intake_names_the_field_and_writes_nothing(
    api_for: Callable[..., ApiClient],
    managers: tuple[User, User],
    location: Location,
    body: dict[str, object],
    field: str,
) -> None:
    response = api_for(managers[0]).post(CASES, body)
    assert response.status_code == 400, response.content
    assert field in {error["field"] for error in response.json()["errors"]}
    assert Case.objects.count() == 0


def test_the_proposer_cannot_approve_a_second_manager_can(
    api_for: Callable[..., ApiClient], managers: tuple[User, User], location: Location
) -> None:
    first, second = api_for(managers[0]), api_for(managers[1])
    proposal_id = _propose(first, "warning", location)

    own = first.post(f"{PROPOSALS}{proposal_id}/approve/")
    assert own.status_code == 403
    assert own.json()["errors"][0]["message"]
    assert Proposal.objects.get(pk=proposal_id).status == "proposed"
    assert not Decision.objects.exists()

    approved = second.post(f"{PROPOSALS}{proposal_id}/approve/")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "bram"
    state = first.get(f"/api/v1/opgroeipunt/locations/{location.external_id}/").json()
    assert state["enforcement"] == {"state": "warning", "positive_evaluations": 0}

    again = second.post(f"{PROPOSALS}{proposal_id}/approve/")
    assert again.status_code == 409
    rejected_late = second.post(f"{PROPOSALS}{proposal_id}/reject/", {"reason": "te laat"})
    assert rejected_late.status_code == 409
    actions = set(AuditEvent.objects.filter(object_id=proposal_id).values_list("action", flat=True))
    assert len(actions) >= 2  # proposed and approved, both in the audit log


def test_the_whole_track_through_the_api_closes_after_two_positive_evaluations_in_a_row(
    api_for: Callable[..., ApiClient], managers: tuple[User, User], location: Location
) -> None:
    first, second = api_for(managers[0]), api_for(managers[1])
    url = f"/api/v1/opgroeipunt/locations/{location.external_id}/"
    seen = []
    for kind in (
        "warning",
        "suspension",
        "evaluation_positive",
        "evaluation_negative",
        "evaluation_positive",
        "evaluation_positive",
    ):
        proposal_id = _propose(first, kind, location)
        assert second.post(f"{PROPOSALS}{proposal_id}/approve/").status_code == 200
        seen.append(tuple(first.get(url).json()["enforcement"].values()))
    assert seen == [
        ("warning", 0),
        ("suspended", 0),
        ("suspended", 1),
        ("suspended", 0),
        ("suspended", 1),
        ("none", 0),
    ]
    location.refresh_from_db()
    assert location.licence_status == LicenceStatus.ACTIVE


def test_a_step_not_in_the_table_is_refused_with_the_reason(
    api_for: Callable[..., ApiClient], managers: tuple[User, User], location: Location
) -> None:
    response = api_for(managers[0]).post(
        PROPOSALS, {"kind": "revocation", "location": location.external_id, "motivation": "m"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]
    assert not Proposal.objects.exists()


def test_a_rejected_proposal_keeps_its_reason(
    api_for: Callable[..., ApiClient], managers: tuple[User, User], location: Location
) -> None:
    first, second = api_for(managers[0]), api_for(managers[1])
    proposal_id = _propose(first, "enforcement_started", location)
    assert first.post(f"{PROPOSALS}{proposal_id}/reject/", {"reason": "x"}).status_code == 403
    response = second.post(f"{PROPOSALS}{proposal_id}/reject/", {"reason": "Eerst hoorzitting"})
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] == "Eerst hoorzitting"


def test_kg_lijn_roles_see_nothing_of_opgroeipunt(
    api_for: Callable[..., ApiClient], location: Location
) -> None:
    desk = api_for("front_office", "agent")
    assert desk.get(f"/api/v1/opgroeipunt/locations/{location.external_id}/").status_code == 403
    assert desk.post(CASES, {"kind": "signal"}).status_code == 403
    assert Case.objects.count() == 0


def test_an_unknown_location_is_404_in_json(
    api_for: Callable[..., ApiClient], managers: tuple[User, User]
) -> None:
    response = api_for(managers[0]).get("/api/v1/opgroeipunt/locations/none-such/")
    assert response.status_code == 404
    assert response.json()["errors"]


def test_a_location_carries_its_risk_score_once_scored(
    api_for: Callable[..., ApiClient], managers: tuple[User, User], location: Location
) -> None:
    """Issue 18: the location's current risk with its explanation; null before any scoring."""
    api = api_for(managers[0])
    url = f"/api/v1/opgroeipunt/locations/{location.external_id}/"
    assert api.get(url).json()["risk"] is None
    model = RiskModel.objects.create(
        trained_at=timezone.now(),
        label="danger or enforcement in 6 months",
        train_until=dt.date(2025, 6, 1),
        test_until=dt.date(2025, 12, 1),
        artefact=b"",
        active=True,
    )
    RiskScore.objects.create(
        location=location,
        model=model,
        computed_at=timezone.now(),
        probability=0.41234,
        band="high",
        rank=3,
        factors=[
            {"feature": "theme_neglect_24", "label": "2 meldingen", "value": 2, "weight": 0.8}
        ],
    )
    risk = api.get(url).json()["risk"]
    assert (risk["probability"], risk["band"], risk["rank"]) == (0.4123, "high", 3)
    assert risk["factors"] == [
        {"feature": "theme_neglect_24", "label": "2 meldingen", "weight": 0.8}
    ]
