"""The main menu: grouped for roles with many entries, every entry a role had still there."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.core.menu import FLAT_MAX
from kglijn.feedback.models import LocalTeam, LocalTeamMembership

# What each role's menu linked to before the menu was grouped (issue 16): nothing is lost.
BEFORE: dict[str, set[str]] = {
    "front_office": {
        "/desk/", "/desk/contacts/new/", "/desk/contacts/search/", "/kennisbank/",
        "/telephony/wallboard/",
    },
    "pgjo_nurse": {
        "/chat/console/", "/desk/", "/desk/contacts/new/", "/desk/contacts/search/",
        "/kennisbank/",
    },
    "childcare_handler": {
        "/desk/", "/desk/contacts/new/", "/desk/contacts/search/", "/kennisbank/",
    },
    "team_lead": {
        "/chat/console/", "/desk/", "/desk/audit/", "/desk/catalogues/", "/desk/contacts/new/",
        "/desk/contacts/search/", "/feedback/teams/", "/kennisbank/", "/mail/quarantaine/",
        "/reports/", "/surveys/follow-ups/", "/telephony/service-levels/",
        "/telephony/wallboard/",
    },
    "information_manager": {
        "/desk/", "/desk/catalogues/", "/kennisbank/", "/reports/", "/surveys/wording/",
        "/telephony/service-levels/",
    },
    "analyst": {
        "/desk/", "/desk/catalogues/", "/feedback/teams/", "/reports/",
        "/telephony/service-levels/",
    },
    "administrator": {
        "/beheer/", "/desk/", "/desk/audit/", "/desk/catalogues/", "/surveys/wording/",
    },
}  # fmt: skip
# Issue 19 added the group "Sturing frontoffice" for the team lead and the analyst.
STEERING = {
    "/sturing/contract/", "/sturing/afrekening/", "/sturing/facturen/", "/sturing/prognose/",
    "/sturing/personeel/", "/sturing/bereikbaarheid/",
}  # fmt: skip
# Issue 20 added the survey campaigns, questionnaires and improvement actions to "Kwaliteit"
# for the team lead, the information manager and the analyst.
CAMPAIGNS = {"/onderzoeken/", "/onderzoeken/vragenlijsten/", "/onderzoeken/acties/"}
NOW = {role: urls | (STEERING if role in {"team_lead", "analyst"} else set())
       | (CAMPAIGNS if role in {"team_lead", "information_manager", "analyst"} else set())
       for role, urls in BEFORE.items()}  # fmt: skip


def nav(client: Client) -> str:
    html = client.get("/desk/", follow=True).content.decode()
    match = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert match is not None
    return match.group(0)


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


@pytest.mark.parametrize("role", sorted(NOW))
def test_every_entry_a_role_had_is_still_in_its_menu(
    client: Client, make_user: Callable[..., User], role: str
) -> None:
    client.force_login(make_user(role))

    html = nav(client)

    assert hrefs(html) == NOW[role]
    groups = re.findall(r'data-menu-group="(\w+)"', html)
    if len(NOW[role]) > FLAT_MAX:
        assert groups, "a long menu is grouped"
        assert html.count("<summary") == len(groups)
    else:
        assert groups == [], "a short menu stays one click per page"


def test_the_team_lead_menu_is_in_five_groups(client: Client, team_lead: User) -> None:
    team = LocalTeam.objects.create(code="gent", name="Team Gent", province="BE-VOV")
    LocalTeamMembership.objects.create(local_team=team, user=team_lead)
    client.force_login(team_lead)

    html = nav(client)

    assert re.findall(r'data-menu-group="(\w+)"', html) == [
        "work", "quality", "figures", "steering", "administration",
    ]  # fmt: skip
    assert hrefs(html) == NOW["team_lead"] | {"/feedback/mine/"}
    work = re.search(r'data-menu-group="work".*?</details>', html, re.S)
    assert work is not None
    assert ">Werk</summary>" in work.group(0)  # on /desk/: current
    assert 'href="/feedback/mine/"' in work.group(0)


def test_the_current_page_is_marked_in_its_group(client: Client, team_lead: User) -> None:
    client.force_login(team_lead)

    html = client.get("/surveys/follow-ups/").content.decode()

    quality = re.search(r'data-menu-group="quality".*?</details>', html, re.S)
    assert quality is not None
    assert '<summary class="nav-group__current">' in quality.group(0)
    assert '<a href="/surveys/follow-ups/" aria-current="page">' in quality.group(0)
    assert html.count('aria-current="page"') == 1


def test_anonymous_visitors_see_no_menu(client: Client, db: None) -> None:
    html = client.get(reverse("login")).content.decode()

    assert 'class="main-nav"' not in html
