"""The main menu in a real Chromium at 1366 px: one row for every role, groups by keyboard."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.feedback.models import LocalTeam, LocalTeamMembership
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    "front_office",
    "pgjo_nurse",
    "childcare_handler",
    "team_lead",
    "information_manager",
    "analyst",
    "administrator",
]


def sign_in(page: Page, base: str, role: str, *, in_local_team: bool = False) -> None:
    """Signed in through a session cookie (the login form has its own browser tests)."""
    user = user_create_with_role(username=role, password="browser-menu-pass-1", role_slug=role)
    if in_local_team:  # the longest menu: "My feedback" as well
        team = LocalTeam.objects.create(code="gent", name="Team Gent", province="BE-VOV")
        LocalTeamMembership.objects.create(local_team=team, user=user)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])


@pytest.mark.parametrize("role", ROLES)
def test_every_role_menu_fits_one_row_at_1366(page: Page, live_server, role: str) -> None:
    roles_sync()
    base = live_server.url
    sign_in(page, base, role, in_local_team=role in ("team_lead", "pgjo_nurse"))
    page.set_viewport_size({"width": 1366, "height": 768})

    page.goto(f"{base}/desk/")

    items = page.locator(".main-nav > ul > li")
    assert items.count() >= 2
    tops = {
        round(box["y"])
        for box in (items.nth(i).bounding_box() for i in range(items.count()))
        if box
    }
    assert len(tops) == 1, f"{role}: the menu wraps ({sorted(tops)})"
    header = page.locator(".site-header").bounding_box()
    assert header is not None
    # Brand, menu and user bar side by side: one row (it was 192 px for the team lead).
    assert header["height"] <= 80, f"{role}: header {header['height']} px high"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    if role == "team_lead":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "menu-team-lead-1366.png"))


def test_a_group_opens_by_keyboard_and_closes_on_escape(page: Page, live_server) -> None:
    roles_sync()
    base = live_server.url
    sign_in(page, base, "team_lead")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/desk/")
    figures = page.locator('[data-menu-group="figures"]')
    reports = figures.get_by_role("link", name="Rapporten")
    expect(reports).to_be_hidden()

    figures.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(reports).to_be_visible()
    page.keyboard.press("Tab")
    expect(reports).to_be_focused()
    page.keyboard.press("Escape")
    expect(reports).to_be_hidden()
    expect(figures.locator("summary")).to_be_focused()

    # One group open at a time; a click elsewhere closes it.
    figures.locator("summary").click()
    page.locator('[data-menu-group="quality"] summary').click()
    expect(reports).to_be_hidden()
    expect(page.get_by_role("link", name="Opvolging")).to_be_visible()
    page.locator("h1").click()
    expect(page.get_by_role("link", name="Opvolging")).to_be_hidden()

    page.locator('[data-menu-group="figures"] summary').click()
    reports.click()
    expect(page).to_have_url(f"{base}/reports/")
    expect(page.locator('[data-menu-group="figures"] summary')).to_have_class("nav-group__current")
