"""The wallboard and the desk's call panel in a real Chromium, fed by signed events over HTTP.

The events go to the live server's webhook as the telephony platform would send them; the
page must change without being reloaded (htmx polling). Fails, never skips, without Chromium.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.contacts.models import Contact
from tests.e2e.conftest import SCREENSHOTS
from tests.telephony.calls import URL, event, sign

PASSWORD = "browser-test-pass-1"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def send(base: str, events: list[dict]) -> int:
    """POST signed events to the running server, as the telephony platform does."""
    body = json.dumps(events).encode()
    request = urllib.request.Request(  # noqa: S310 - the local live server
        f"{base}{URL}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-KGLijn-Signature": sign(body)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return int(response.status)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page).to_have_url(f"{base}/desk/")


def figure(page: Page, office: str, name: str):
    return page.locator(f'[data-office="{office}"] [data-figure="{name}"]')


def test_the_wallboard_updates_while_calls_come_in(page: Page, live_server) -> None:
    roles_sync()
    user_create_with_role(username="lead", password=PASSWORD, role_slug="team_lead")
    user_create_with_role(username="agent07", password=PASSWORD, role_slug="front_office")
    base = live_server.url
    log_in(page, base, "lead")
    page.goto(f"{base}/telephony/wallboard/")
    expect(page.locator("h1")).to_have_text("Wallboard")
    expect(figure(page, "front", "waiting")).to_have_text("0")
    expect(figure(page, "front", "service-level")).to_have_text("–")
    page.evaluate("window.__notReloaded = true")

    now = timezone.now()
    assert (
        send(
            base, [event("w1", "offered", "call-1", now - dt.timedelta(seconds=40), queue="front")]
        )
        == 201
    )
    expect(figure(page, "front", "waiting")).to_have_text("1", timeout=10_000)
    expect(figure(page, "front", "longest-wait")).not_to_have_text("–")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "telephony-01-wallboard-waiting.png"), full_page=True)

    assert (
        send(
            base,
            [event("w2", "answered", "call-1", now - dt.timedelta(seconds=30), agent="agent07")],
        )
        == 201
    )
    expect(figure(page, "front", "waiting")).to_have_text("0", timeout=10_000)
    expect(figure(page, "front", "talking")).to_have_text("1")
    # answered after 10 s, within the 20 s norm: 100 %, on target (green)
    expect(figure(page, "front", "service-level")).to_contain_text("100")
    expect(page.locator('[data-office="front"] .wallboard__figure--ok')).to_have_count(1)

    start = now - dt.timedelta(seconds=20)
    assert (
        send(
            base,
            [
                event("w3", "ended", "call-1", now),
                event("w4", "offered", "call-2", start, queue="front"),
                event("w5", "abandoned", "call-2", start + dt.timedelta(seconds=15)),
            ],
        )
        == 201
    )
    # 1 answered in time of 2 offered: 50 % against 80 % — the office turns red
    expect(figure(page, "front", "service-level")).to_contain_text("50", timeout=10_000)
    expect(page.locator('[data-office="front"].wallboard__office--below')).to_have_count(1)
    expect(figure(page, "front", "talking")).to_have_text("0")
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=str(SCREENSHOTS / "telephony-02-wallboard-below.png"), full_page=True)

    # the same calls on the service-level page: Chart.js draws, the table has the figures
    page.locator(".main-nav summary", has_text="Cijfers").click()  # the lead's menu is grouped
    page.locator('.main-nav a[href="/telephony/service-levels/"]').click()
    expect(page.locator("h1")).to_have_text("Serviceniveau")
    expect(page.locator('canvas[data-chart="chart-service-level"]')).to_have_attribute(
        "data-rendered", "1"
    )
    expect(page.locator("table[data-service-levels] tbody tr.total").first).to_contain_text(
        "50,0 %"
    )
    page.screenshot(path=str(SCREENSHOTS / "telephony-04-service-levels.png"), full_page=True)


def test_the_agents_answered_call_appears_on_the_desk_ready_for_wrap_up(
    page: Page, live_server
) -> None:
    roles_sync()
    user_create_with_role(username="agent07", password=PASSWORD, role_slug="front_office")
    base = live_server.url
    log_in(page, base, "agent07")
    expect(page.locator("#current-call")).to_be_empty()

    now = timezone.now()
    send(
        base,
        [
            event("d1", "offered", "call-9", now - dt.timedelta(seconds=12), queue="front"),
            event("d2", "answered", "call-9", now - dt.timedelta(seconds=4), agent="agent07"),
        ],
    )

    panel = page.locator("#current-call .current-call")
    expect(panel).to_be_visible(timeout=10_000)
    contact = Contact.objects.get(external_id="call-9")
    link = panel.locator(f'a[href="/desk/contacts/{contact.pk}/edit/"]')
    expect(link).to_contain_text(contact.reference)
    page.screenshot(path=str(SCREENSHOTS / "telephony-03-desk-call.png"), full_page=True)
    link.click()
    expect(page).to_have_url(f"{base}/desk/contacts/{contact.pk}/edit/")
    expect(page.locator("form[data-wrapup]")).to_be_visible()
