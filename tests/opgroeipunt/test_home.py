"""Issue 17: each side of the house lands on its own work after login and on "/"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("front_office", "contacts:desk"),
        ("team_lead", "contacts:desk"),
        ("childcare_customer_manager", "opgroeipunt:cases"),
        ("opgroeipunt_team_lead", "opgroeipunt:cases"),
    ],
)
def test_login_and_home_lead_to_the_roles_own_work(
    client: Client, make_user: Callable[..., User], role: str, landing: str
) -> None:
    user = make_user(role)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(response["Location"])["Location"] == reverse(landing)
    assert client.get(reverse(landing)).status_code == 200


@pytest.mark.parametrize(
    ("role", "sees_desk"),
    [("front_office", True), ("analyst", True), ("childcare_customer_manager", False)],
)
def test_the_desk_is_in_the_menu_of_the_kg_lijn_roles_only(
    client: Client, make_user: Callable[..., User], role: str, sees_desk: bool
) -> None:
    client.force_login(make_user(role))
    page = client.get(reverse("contacts:desk")).content.decode()
    assert ('data-menu-entry="contacts-desk"' in page) is sees_desk
