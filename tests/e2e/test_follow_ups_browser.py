"""The follow-up page in a real Chromium: 30 tasks on two pages, one outcome box at a time."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from kglijn.surveys.models import FollowUpTask, LowScoreRule
from kglijn.surveys.wording import DEFAULT_LOW_SCORE_RULES
from tests.e2e.conftest import SCREENSHOTS
from tests.surveys.factories import team_make
from tests.surveys.test_follow_ups import low_score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_pages_filters_and_completes_a_task(page: Page, live_server, make_user) -> None:
    # a transactional test before this one may have flushed the rules migration 0002 seeds
    for criterion, (threshold, active) in DEFAULT_LOW_SCORE_RULES.items():
        LowScoreRule.objects.get_or_create(
            criterion=criterion, defaults={"threshold": threshold, "active": active}
        )
    lead = make_user("team_lead", "lead")
    agent = make_user("front_office", "agent-a")
    team_make(name="Team A", lead=lead, members=[agent])
    tasks = [low_score(agent, minutes=index) for index in range(30)]
    client = Client()
    client.force_login(lead)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    base = live_server.url
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])
    page.set_viewport_size({"width": 1366, "height": 768})

    page.goto(f"{base}/surveys/follow-ups/")

    rows = page.locator("tbody tr")
    expect(rows).to_have_count(25)
    expect(page.locator("textarea")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollHeight") < 4000
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "follow-ups-page-1.png"), full_page=True)

    page.get_by_role("link", name="Volgende").click()
    expect(page.locator(".pagination")).to_contain_text("Pagina 2 van 2")
    expect(rows).to_have_count(5)
    task = tasks[27]
    page.locator(f"#task-{task.pk}").get_by_role("link", name=re.compile("Afhandelen")).click()
    box = page.locator(f"#task-{task.pk} textarea")
    expect(box).to_be_visible()
    expect(page.locator("textarea")).to_have_count(1)
    box.fill("Ouder teruggebeld.")
    page.locator(f"#task-{task.pk}").get_by_role("button", name=re.compile("Afgehandeld")).click()

    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator(".pagination")).to_contain_text("Pagina 2 van 2")  # back where it was
    expect(rows).to_have_count(4)
    task.refresh_from_db()
    assert task.status == "done"

    page.locator("#id_status").select_option("done")
    page.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ouder teruggebeld.")
    assert FollowUpTask.objects.filter(status="open").count() == 29
