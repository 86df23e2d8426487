"""Issue 16: axe-core in a real Chromium on every page of every role and every public page.

The pages come from the role × URL matrix (tests/security/test_role_url_matrix.py): every URL a
role may GET that answers with an HTML page is checked as that role, so a new page is covered
the day it gets its row there. The public pages (contact form, chat widget, a survey and a
feedback page with a valid link, login) and a few states (the error summaries, the greyed-out
reasons, the service-level and satisfaction pages with figures) are added by hand.

Every page is checked at 1366×900 and again at 390 px wide, against the WCAG 2.1 A/AA rules
(listitem, color-contrast, scrollable-region-focusable and link-in-text-block among them). The
failure lists each violation's rule, target and page.
axe-core is the copy bundled with the PyPI package axe-playwright-python; no CDN is involved.
The later features' pages in their filled states are checked in test_accessibility_features.py
(with the helpers of this file), so the two run side by side under `--dist loadfile`.
"""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from kglijn.contacts.catalogue_seed import INITIAL_REASONS, INITIAL_REFERRALS
from kglijn.contacts.models import Contact, Office
from kglijn.contacts.services import reason_save, referral_save
from kglijn.feedback.models import LocalTeam
from kglijn.feedback.services import local_team_member_add, local_teams_ensure, visit_register
from kglijn.webform import spam
from tests.contacts.factories import ContactFactory
from tests.e2e.test_survey_browser import mailed_link
from tests.security.test_role_url_matrix import (
    ANONYMOUS,
    ROLES,
    World,
    _cases,
    _url,
)
from tests.surveys.test_analysis import build_world
from tests.telephony.test_service_levels import Calls, moment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
    },
    "resultTypes": ["violations"],
}
WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}


@dataclass
class Finding:
    page: str
    width: int
    rule: str
    impact: str
    targets: list[str]
    summary: str

    def __str__(self) -> str:
        return (
            f"{self.page} @{self.width}px: {self.rule} ({self.impact}) on "
            f"{', '.join(self.targets)} — {self.summary}"
        )


class Checker:
    """Runs axe on the current page at both widths and collects every violation."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.pages: list[str] = []
        self.script = AXE_JS.read_text()

    def check(self, page: Page, label: str) -> None:
        self.pages.append(label)
        for viewport in (WIDE, NARROW):
            page.set_viewport_size(viewport)
            page.wait_for_timeout(50)  # let media queries and resize handlers settle
            if not page.evaluate("typeof window.axe !== 'undefined'"):
                page.evaluate(self.script)
            result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
            for violation in result["violations"]:
                for node in violation["nodes"]:
                    self.findings.append(
                        Finding(
                            page=label,
                            width=viewport["width"],
                            rule=violation["id"],
                            impact=str(violation.get("impact")),
                            targets=[str(t) for t in node["target"]],
                            summary=node.get("failureSummary", "").replace("\n", " ")[:300],
                        )
                    )
        page.set_viewport_size(WIDE)


@dataclass
class _Sent:
    status_code: int


class LiveClient:
    """Enough of Django's test client for tests.telephony's Calls: POSTs to the live server.

    (Django's test client cannot run inside Playwright's event loop.)"""

    def __init__(self, base: str) -> None:
        self.base = base

    def post(self, url: str, *, data: bytes, content_type: str, **meta: str) -> _Sent:
        headers = {"Content-Type": content_type}
        headers.update({key[5:].replace("_", "-").title(): value for key, value in meta.items()})
        request = urllib.request.Request(  # noqa: S310 - the local live server
            self.base + url, data=data, method="POST", headers=headers
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return _Sent(int(response.status))


def _seed(make_user: Callable[..., User], base: str) -> tuple[World, dict[str, User]]:
    for order, (code, name, topic) in enumerate(INITIAL_REASONS, start=1):
        reason_save(code=code, name=name, topic=topic, sort_order=order * 10)
    for code, name in INITIAL_REFERRALS:
        referral_save(code=code, name=name)
    local_teams_ensure()
    users = {role: make_user(role, role) for role in ROLES}
    # Figures for the satisfaction page (March 2024) and the service-level page (6 March 2023).
    build_world(contacts=120)
    calls = Calls(LiveClient(base))
    for minute in range(0, 60, 4):
        calls.answered(moment(minute), wait=5 + minute, talk=120)
        calls.answered(moment(minute, 30), wait=8, talk=60, queue="pgjo", agent="n1")
    calls.abandoned(moment(61), wait=40)
    calls.callback(moment(62), wait=30)

    from kglijn.knowledge.services import article_create

    article = article_create(
        by=users["information_manager"], title="Slaap", body="Tekst.", status="published"
    )
    contact = ContactFactory(office=Office.FRONT)
    from kglijn.contacts.models import Reason

    world = World(
        contact_id=contact.pk,
        reason_id=Reason.objects.order_by("pk").first().pk,
        article_id=article.pk,
        user_id=users["administrator"].pk,
    )
    return world, users


def _log_in(context: BrowserContext, base: str, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.clear_cookies()
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])


def _html_pages(
    context: BrowserContext, base: str, principal: str, world: World, known: dict[str, bool]
) -> list[str]:
    """The URLs of the matrix this principal may GET that answer with a whole HTML page.

    Whether a URL is a page (not a download, JSON or an htmx fragment) does not depend on who
    asks: ``known`` remembers it, so each URL is fetched once before the browser opens it."""
    urls = []
    for key, route, access in _cases():
        if access.token or access.expected(principal) != 200:
            continue
        if key.startswith("api:"):
            continue  # JSON, and the API's docs page is drf-spectacular's own
        url = _url(key, route, world)
        if url not in known:
            response = context.request.get(base + url, max_redirects=0)
            html = response.headers.get("content-type", "").startswith("text/html")
            # htmx fragments (the province lookup, one's call) are parts of pages, not pages.
            known[url] = (
                response.status == 200 and html and "<html" in response.text()[:500].lower()
            )
        if known[url]:
            urls.append(url)
    return urls


def _goto(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None, url
    assert response.status < 400, f"{url}: {response.status}"


def test_every_page_of_every_role_has_no_axe_violations(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    started = time.monotonic()
    cache.clear()
    monkeypatch.setattr(spam, "MIN_FILL_SECONDS", 1)
    base = live_server.url
    world, users = _seed(make_user, base)
    survey_url, _contact_id = mailed_link(settings, live_server, users["front_office"])
    nurse = users["pgjo_nurse"]
    team = LocalTeam.objects.get(code="leuven")
    local_team_member_add(local_team=team, user=nurse)
    _visit, feedback_token = visit_register(
        employee=nurse, kind="home", local_team=team, visited_on=timezone.localdate()
    )

    seeded = time.monotonic()
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    known: dict[str, bool] = {}
    # Every role, every page it may see (the matrix's URLs, with its example objects).
    for role in ROLES:
        user = users[role]
        _log_in(context, base, user)
        for url in _html_pages(context, base, role, world, known):
            _goto(page, base + url)
            checker.check(page, f"{url} as {role}")

    # Important states of the staff pages.
    _log_in(context, base, users["team_lead"])
    day = "date_from=2023-03-06&date_to=2023-03-06"
    _goto(page, f"{base}{reverse('telephony:service_levels')}?{day}")
    checker.check(page, "service levels with figures as team_lead")
    _goto(page, f"{base}{reverse('survey_analysis:page')}?month=2024-03")
    checker.check(page, "satisfaction March 2024 as team_lead")

    _log_in(context, base, users["front_office"])
    _goto(page, f"{base}{reverse('contacts:new')}")
    # A topic greys out the other topic's reasons; a name on an anonymous contact is refused.
    page.locator('input[name="topic"]').first.check()
    page.locator('input[name="anonymous"]').uncheck()
    page.locator('input[name="caller_name"]').fill("An Peeters")
    page.locator('input[name="anonymous"]').check()
    page.locator("form[data-wrapup] button[type=submit]").click()
    page.locator("#form-errors").wait_for()
    page.locator('input[name="topic"]').first.check()
    checker.check(page, "contact form with the error summary as front_office")

    # The public pages, logged out.
    context.clear_cookies()
    for url in _html_pages(context, base, ANONYMOUS, world, known):
        _goto(page, base + url)
        checker.check(page, f"{url} as anonymous")
    _goto(page, survey_url)
    checker.check(page, "survey page with a valid link")
    _goto(page, f"{base}/feedback/{feedback_token}/")
    checker.check(page, "feedback page with a valid link")
    _goto(page, f"{base}{reverse('webform:form')}")
    page.get_by_label("Je vraag").fill("Help")
    page.wait_for_timeout(1100)
    page.locator("form button[type=submit]").last.click()
    page.locator("[data-error-summary]").wait_for()
    checker.check(page, "public contact form with the error summary")

    context.close()
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\naxe: {len(checker.pages)} pages × 2 widths in {seconds:.0f} s "
            f"(data {seeded - started:.0f} s)"
        )
    assert errors == [], f"JavaScript errors: {errors}"
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_the_error_summary_leads_to_personal_data_that_can_be_cleared(
    page: Page, live_server: Any, make_user: Callable[..., User]
) -> None:
    """An anonymous contact with a name: the summary's link reaches an enabled field to clear."""
    for order, (code, name, topic) in enumerate(INITIAL_REASONS, start=1):
        reason_save(code=code, name=name, topic=topic, sort_order=order * 10)
    base = live_server.url
    _log_in(page.context, base, make_user("front_office", "agent"))
    page.goto(f"{base}{reverse('contacts:new')}")
    anonymous = page.locator('input[name="anonymous"]')
    name = page.locator('input[name="caller_name"]')
    expect(name).to_be_disabled()  # anonymous by default: nothing to fill in
    anonymous.uncheck()
    name.fill("An Peeters")
    anonymous.check()
    expect(name).to_be_enabled()  # it still holds a name: it stays reachable
    page.locator('input[name="topic"]').first.check()
    page.locator(".reason-group:not([data-dimmed]) input[name=reasons]").first.check()
    page.locator("form[data-wrapup] button[type=submit]").click()

    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Naam", exact=True).click()
    expect(name).to_be_focused()
    expect(name).to_be_enabled()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.locator("form[data-wrapup] button[type=submit]").click()

    expect(page).not_to_have_url(re.compile(r"/contacts/new/"))
    contact = Contact.objects.get()
    assert (contact.anonymous, contact.customer_id) == (True, None)
    # The escalation reason is marked as required, for a screen reader too.
    page.goto(f"{base}{reverse('contacts:new')}")
    expect(page.get_by_label("Reden van escalatie")).to_have_attribute("aria-required", "true")


def test_the_check_finds_the_kinds_of_violation_the_issue_named(page: Page) -> None:
    """The checker is not blind: the four patterns of issue 16 are reported, with their target."""
    page.set_content(
        """<!doctype html><html lang="nl"><head><title>t</title></head><body><main>
        <h1>Proef</h1>
        <p style="color:#a2a9b0;background:#fff">Grijze reden</p>
        <ol role="log"><li>Bericht</li></ol>
        <div id="box" style="overflow-x:auto;width:100px"><table><tr>
          <td style="white-space:nowrap">een heel brede cel die niet past</td></tr></table></div>
        <p style="color:#1d2733">Tekst met
          <a href="#x" style="color:#222;text-decoration:none">link</a> erin.</p>
        </main></body></html>"""
    )
    checker = Checker()
    checker.check(page, "proef")
    rules = {finding.rule for finding in checker.findings}
    assert {"color-contrast", "listitem", "scrollable-region-focusable"} <= rules
    assert "link-in-text-block" in rules
    assert any(finding.targets == ["#box"] for finding in checker.findings)
