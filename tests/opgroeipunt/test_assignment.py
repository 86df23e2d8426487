"""Issue 17 item 1: the team lead assigns a location's SPOC and regional team, with history."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.opgroeipunt.models import Location, LocationVersion, Organiser, RegionalTeam

pytestmark = pytest.mark.django_db


@pytest.fixture
def location() -> Location:
    organiser = Organiser.objects.create(external_id="org-a", name="Vzw Kameleon")
    return Location.objects.create(
        external_id="KO-7",
        organiser=organiser,
        name="Kameleon Brugge",
        postcode="8000",
        province="BE-VWV",
        care_type="group",
        places=30,
        subsidy="T1",
        income_tariff=False,
    )


def _assign(client: Client, location: Location, **data: object):
    url = reverse("opgroeipunt:location_assign", args=[location.external_id])
    return client.post(url, data, follow=True)


def test_the_team_lead_assigns_spoc_and_team_and_the_history_says_so(
    client: Client, make_user: Callable[..., User], location: Location
) -> None:
    lead = make_user("opgroeipunt_team_lead", "lead")
    manager = make_user("childcare_customer_manager", "km")
    team = RegionalTeam.objects.get(name="Regionaal team 3")
    client.force_login(lead)

    response = _assign(client, location, spoc=manager.pk, regional_team=team.pk)

    assert "Toewijzing bewaard." in response.content.decode()
    location.refresh_from_db()
    assert (location.spoc, location.regional_team) == (manager, team)
    version = LocationVersion.objects.get(location=location)
    assert version.changes == {"spoc_id": [None, manager.pk], "regional_team_id": [None, team.pk]}
    assert version.changed_by == lead
    # The same again: nothing changes, no second history row.
    assert (
        "Er is niets gewijzigd."
        in _assign(client, location, spoc=manager.pk, regional_team=team.pk).content.decode()
    )
    assert LocationVersion.objects.filter(location=location).count() == 1


@pytest.mark.parametrize("spoc", ["999999", "abc", "1" * 40])
def test_a_spoc_who_is_no_customer_manager_is_refused_and_nothing_changes(
    client: Client, make_user: Callable[..., User], location: Location, spoc: str
) -> None:
    client.force_login(make_user("opgroeipunt_team_lead", "lead"))
    response = _assign(client, location, spoc=spoc, regional_team="")
    assert response.status_code == 200
    assert "message--error" in response.content.decode()
    location.refresh_from_db()
    assert location.spoc is None
    assert not LocationVersion.objects.exists()


def test_a_desk_agent_as_spoc_is_refused(
    client: Client, make_user: Callable[..., User], location: Location
) -> None:
    client.force_login(make_user("opgroeipunt_team_lead", "lead"))
    agent = make_user("front_office", "agent")
    response = _assign(client, location, spoc=agent.pk)
    assert "actieve klantenbeheerder" in response.content.decode()
    location.refresh_from_db()
    assert location.spoc is None


def test_a_customer_manager_cannot_assign(
    client: Client, make_user: Callable[..., User], location: Location
) -> None:
    manager = make_user("childcare_customer_manager", "km")
    client.force_login(manager)
    url = reverse("opgroeipunt:location_assign", args=[location.external_id])
    assert client.post(url, {"spoc": manager.pk}).status_code == 403
    location.refresh_from_db()
    assert location.spoc is None
