"""Catalogue maintenance pages: information managers and administrators change, others look."""

from __future__ import annotations

import pytest
from django.test import Client

from kglijn.contacts.models import Reason, ReferralOrganisation
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def english(client: Client) -> None:
    """Most assertions quote the English msgids; Dutch is checked in dedicated tests."""
    client.cookies["django_language"] = "en"


def login(client: Client, user) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_information_manager_lists_both_catalogues_with_actions(client, information_manager):
    login(client, information_manager)

    response = client.get("/desk/catalogues/")

    assert response.status_code == 200
    sections = response.context["sections"]
    assert [s["catalogue"].kind for s in sections] == ["reason", "referral"]
    assert [len(s["entries"]) for s in sections] == [10, 10]
    assert all(s["can_add"] and s["can_change"] for s in sections)
    assert 'href="/desk/catalogues/reason/new/"' in response.content.decode()


@pytest.mark.parametrize("role", ["team_lead", "analyst"])
def test_viewers_see_the_catalogues_without_actions(client, make_user, role):
    login(client, make_user(role))

    response = client.get("/desk/catalogues/")

    assert response.status_code == 200
    assert not any(s["can_add"] or s["can_change"] for s in response.context["sections"])
    html = response.content.decode()
    assert "/toggle/" not in html
    assert "/desk/catalogues/reason/new/" not in html


@pytest.mark.parametrize("role", ["team_lead", "analyst", "front_office"])
def test_non_maintainers_cannot_change(client, make_user, role):
    reason = Reason.objects.get(code="general")
    login(client, make_user(role))

    assert client.get("/desk/catalogues/reason/new/").status_code == 403
    assert client.post(f"/desk/catalogues/reason/{reason.pk}/toggle/").status_code == 403
    assert client.post(f"/desk/catalogues/reason/{reason.pk}/", {"name": "X"}).status_code == 403
    reason.refresh_from_db()
    assert (reason.name, reason.active) == ("Algemene vraag", True)


def test_front_office_may_not_view_the_catalogue_page(client, agent):
    login(client, agent)

    assert client.get("/desk/catalogues/").status_code == 403


def test_add_a_reason(client, information_manager):
    login(client, information_manager)

    response = client.post(
        "/desk/catalogues/reason/new/",
        {
            "code": "sleep",
            "name": "Slaapproblemen",
            "topic": "family_support",
            "sort_order": "55",
            "active": "on",
        },
    )

    assert response.status_code == 302
    reason = Reason.objects.get(code="sleep")
    assert (reason.name, reason.topic, reason.sort_order, reason.active) == (
        "Slaapproblemen",
        "family_support",
        55,
        True,
    )


def test_adding_an_existing_code_changes_nothing(client, administrator):
    login(client, administrator)

    response = client.post(
        "/desk/catalogues/referral/new/", {"code": "gezinsbond", "name": "Overschreven"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["This code is already in use."]
    assert ReferralOrganisation.objects.get(code="gezinsbond").name == "Gezinsbond vzw"


def test_edit_name_keeps_the_code(client, information_manager):
    referral = ReferralOrganisation.objects.get(code="gezinsbond")
    login(client, information_manager)

    response = client.post(
        f"/desk/catalogues/referral/{referral.pk}/",
        {"code": "hacked", "name": "De Gezinsbond", "active": "on"},
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.code, referral.name, referral.active) == ("gezinsbond", "De Gezinsbond", True)
    assert not ReferralOrganisation.objects.filter(code="hacked").exists()


def test_edit_with_empty_name_shows_the_error(client, information_manager):
    reason = Reason.objects.get(code="general")
    login(client, information_manager)

    response = client.post(
        f"/desk/catalogues/reason/{reason.pk}/", {"name": "", "sort_order": "100"}
    )

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    reason.refresh_from_db()
    assert reason.name == "Algemene vraag"


def test_deactivate_and_reactivate_never_deletes(client, information_manager):
    reason = Reason.objects.get(code="vaccination")
    login(client, information_manager)

    client.post(f"/desk/catalogues/reason/{reason.pk}/toggle/")
    reason.refresh_from_db()
    assert reason.active is False
    assert Reason.objects.count() == 10
    listing = client.get("/desk/catalogues/")
    assert "Vaccinatievraag" in listing.content.decode()

    client.post(f"/desk/catalogues/reason/{reason.pk}/toggle/")
    reason.refresh_from_db()
    assert reason.active is True
    assert (reason.name, reason.topic) == ("Vaccinatievraag", "family_support")


def test_unknown_catalogue_is_404(client, information_manager):
    login(client, information_manager)

    assert client.get("/desk/catalogues/colour/new/").status_code == 404
