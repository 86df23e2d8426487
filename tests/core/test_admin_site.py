import datetime as dt
from pathlib import Path

from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

import kglijn
from kglijn.core.business_calendar import is_working_day
from kglijn.core.models import ClosingDay
from tests.conftest import PASSWORD


def test_administrator_adds_a_closing_day_that_the_calendar_then_respects(
    client, administrator
) -> None:
    bridge_day = dt.date(2024, 5, 10)  # Friday after Ascension
    assert is_working_day(bridge_day)
    assert client.login(username=administrator.username, password=PASSWORD)

    response = client.post(
        reverse("admin:core_closingday_add"), {"date": "2024-05-10", "name": "Brugdag"}
    )

    assert response.status_code == 302
    assert list(ClosingDay.objects.values_list("date", "name")) == [(bridge_day, "Brugdag")]
    assert not is_working_day(bridge_day)


def test_administrator_manages_users_but_sees_no_contacts(client, administrator) -> None:
    assert client.login(username=administrator.username, password=PASSWORD)

    index = client.get(reverse("admin:index"))

    assert index.status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    registered = {
        model["object_name"] for app in index.context["app_list"] for model in app["models"]
    }
    assert registered == {
        "User",
        "Group",
        "ClosingDay",
        "ServiceLevelContract",
        "AgentMapping",  # the telephony platform's agent ids -> users (issue 15)
        "LocalTeam",
        "LowScoreRule",
        "SurveyVersion",
        "AccessAttempt",  # failed logins: the administrator unlocks (issue 13)
        "RegionalTeam",  # Opgroeipunt's teams and their mailboxes (issue 17)
    }


def test_desk_roles_cannot_open_the_management_site(client, agent, nurse) -> None:
    for user in (agent, nurse):
        assert client.login(username=user.username, password=PASSWORD)
        response = client.get(reverse("admin:auth_user_changelist"))
        assert response.status_code == 302
        assert "/beheer/login/" in response["Location"]
        assert User.objects.get(pk=user.pk).is_staff is False


def test_the_management_site_is_dutch_and_says_wijzigen(client, administrator) -> None:
    # An English browser all the same: the language is the one chosen, Dutch by default.
    assert client.login(username=administrator.username, password=PASSWORD)

    index = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    users = client.get(reverse("admin:auth_user_changelist")).content.decode()
    add = client.get(reverse("admin:auth_user_add")).content.decode()
    password = client.get(
        reverse("admin:auth_user_password_change", args=[administrator.pk])
    ).content.decode()

    assert ">Wijzigen<" in index
    assert "Verschil" not in index + users
    # The screen-reader headers of the model table, and the text above the add form.
    assert "Link om toe te voegen" in index
    assert "Add link" not in index
    assert "Change or view list link" not in index
    assert "Nadat je een gebruiker hebt aangemaakt" in add
    assert "After you" not in add
    assert "het huidige wachtwoord van deze gebruiker verloren" in password
    assert "If disabled" not in password


def test_the_search_field_label_is_dutch_in_our_copy_of_djangos_template(
    client, administrator
) -> None:
    # Django writes the search field's only label (an image's alt) in English; our copy of its
    # template translates it and is otherwise Django's own, line for line.
    django_template = (
        Path(admin.__file__).parent / "templates" / "admin" / "search_form.html"
    ).read_text()
    ours = (Path(kglijn.__file__).parent / "templates/admin/search_form.html").read_text()
    assert ours == django_template.replace('alt="Search"', "alt=\"{% translate 'Search' %}\"")
    assert client.login(username=administrator.username, password=PASSWORD)

    html = client.get(reverse("admin:auth_user_changelist")).content.decode()

    assert 'alt="Zoeken"' in html
