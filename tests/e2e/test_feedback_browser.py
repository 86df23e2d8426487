"""The parent's feedback page in a real Chromium, on a phone-sized screen, keyboard only.

Open the link from the card, answer with the keyboard (an error summary first, then a score
and a remark), get thanked; opening the link again is refused kindly. Then the employee sees
the answer at once, with the unread counter in the menu. Fails, never skips, without Chromium.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.feedback.models import LocalTeam, VisitFeedback
from kglijn.feedback.services import local_team_member_add, local_teams_ensure, visit_register
from tests.e2e.conftest import SCREENSHOTS

PASSWORD = "browser-test-pass-1"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def local_teams(transactional_db: None) -> None:
    """Transactional tests flush the tables, data migrations included."""
    local_teams_ensure()


def test_a_parent_answers_with_the_keyboard_and_the_link_works_once(
    page: Page, live_server
) -> None:
    roles_sync()
    nurse = user_create_with_role(
        username="griet", password=PASSWORD, role_slug="pgjo_nurse", first_name="Griet"
    )
    team = LocalTeam.objects.get(code="leuven")
    local_team_member_add(local_team=team, user=nurse)
    _visit, token = visit_register(
        employee=nurse, kind="home", local_team=team, visited_on=timezone.localdate()
    )
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{base}/feedback/{token}/")
    expect(page.locator("h1")).to_have_text("Je mening telt")
    expect(page.locator("legend")).to_have_text("Hoe tevreden ben je over dit huisbezoek?")

    # Sending without a score: the error summary gets the focus and links to the first option.
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # the radio group
    page.keyboard.press("Tab")  # the remark
    page.keyboard.press("Tab")  # the button
    expect(page.get_by_role("button", name="Mijn antwoord versturen")).to_be_focused()
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Kies hoe tevreden je bent (1 tot 5).")
    page.screenshot(path=str(SCREENSHOTS / "feedback-01-error-summary.png"), full_page=True)
    page.keyboard.press("Tab")  # the summary's link
    page.keyboard.press("Enter")
    first = page.get_by_label("1 – Helemaal niet tevreden")
    expect(first).to_be_focused()

    # Arrow keys move through the scale and select: 1 -> 4.
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("4 – Tevreden")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Wil je nog iets kwijt? (niet verplicht)")).to_be_focused()
    page.keyboard.type("Heel duidelijke uitleg over het slapen.")
    page.screenshot(path=str(SCREENSHOTS / "feedback-02-answer.png"), full_page=True)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    # (A fragment from the summary's link may ride along through the redirect.)
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/feedback/bedankt/(#.*)?$"))
    expect(page.locator("h1")).to_have_text("Bedankt voor je feedback")
    page.screenshot(path=str(SCREENSHOTS / "feedback-03-thanks.png"), full_page=True)
    assert list(VisitFeedback.objects.values_list("score", "remark")) == [
        (4, "Heel duidelijke uitleg over het slapen.")
    ]

    # The same link a second time: refused kindly, nothing changes.
    page.goto(f"{base}/feedback/{token}/")
    expect(page.locator("h1")).to_have_text("Al beantwoord")
    expect(page.locator("form")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "feedback-04-already-answered.png"), full_page=True)
    assert VisitFeedback.objects.count() == 1

    # The employee sees it straight away: counter in the menu, then the remark.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/login/")
    page.locator('input[name="username"]').fill("griet")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page).to_have_url(f"{base}/desk/")
    # Her menu is grouped: the "Werk" group carries the counter too.
    work = page.locator('.main-nav [data-menu-group="work"] summary')
    expect(work.locator(".badge")).to_have_text("1 nieuw")
    work.click()
    link = page.locator(".main-nav a", has_text="Mijn feedback")
    expect(link.locator("[data-menu-badge]")).to_have_text("1 nieuw")
    link.click()
    expect(page.locator("[data-remark]")).to_have_text("Heel duidelijke uitleg over het slapen.")
    expect(page.locator(".feedback-item--new")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "feedback-05-my-feedback.png"), full_page=True)
    expect(page.locator(".main-nav [data-menu-badge]")).to_have_count(0)


def test_a_card_is_made_and_the_team_figures_draw_their_charts(page: Page, live_server) -> None:
    roles_sync()
    lead = user_create_with_role(username="veerle", password=PASSWORD, role_slug="team_lead")
    team = LocalTeam.objects.get(code="hasselt")
    local_team_member_add(local_team=team, user=lead, is_lead=True)
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{base}/login/")
    page.locator('input[name="username"]').fill("veerle")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page).to_have_url(f"{base}/desk/")

    # The lead also does visits: register one and get the card.
    page.goto(f"{base}/feedback/visits/new/")
    page.get_by_label("Consult op het consultatiebureau").check()
    page.get_by_role("button", name="Feedbackkaart maken").click()
    expect(page.locator("h1")).to_have_text("Feedbackkaart")
    expect(page.locator(".feedback-card__qr svg")).to_be_visible()
    link = page.locator("[data-feedback-link]").inner_text()
    assert link.startswith(f"{base}/feedback/")
    page.screenshot(path=str(SCREENSHOTS / "feedback-06-card.png"), full_page=True)

    page.goto(link)
    page.get_by_label("5 – Heel tevreden").check()
    page.get_by_label("Wil je nog iets kwijt? (niet verplicht)").fill("Top!")
    page.get_by_role("button", name="Mijn antwoord versturen").click()
    expect(page.locator("h1")).to_have_text("Bedankt voor je feedback")

    page.goto(f"{base}/feedback/teams/")
    expect(page.locator("[data-team-figures] tbody tr")).to_have_count(57)
    row = page.locator('tr[data-team="hasselt"]')
    expect(row.locator("td").nth(1)).to_have_text("1")
    expect(row.locator("td").nth(2)).to_have_text("1")
    expect(page.locator('canvas[data-chart="chart-feedback-scores"]')).to_have_attribute(
        "data-rendered", "1"
    )
    expect(page.locator('canvas[data-chart="chart-feedback-rate"]')).to_have_attribute(
        "data-rendered", "1"
    )
    page.screenshot(path=str(SCREENSHOTS / "feedback-07-teams.png"), full_page=True)
    row.get_by_role("link", name="Opmerkingen").click()
    expect(page.locator("[data-remark]")).to_have_text("Top!")
