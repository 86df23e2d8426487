"""The wallboard's TV mode in a real Chromium (issue 16): on a 1920×1080 screen the tiles fill
the screen without the site header, the full-screen button works, and polling goes on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from kglijn.accounts.services import roles_sync, user_create_with_role
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_telephony_browser import PASSWORD, figure, log_in, send
from tests.telephony.calls import event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tv_mode_fills_the_screen_and_keeps_polling(browser: Browser, live_server) -> None:
    roles_sync()
    user_create_with_role(username="lead", password=PASSWORD, role_slug="team_lead")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_server.url
    try:
        log_in(page, base, "lead")
        page.goto(f"{base}/telephony/wallboard/")
        page.locator("[data-tv-mode]").click()

        expect(page).to_have_url(f"{base}/telephony/wallboard/?tv=1")
        expect(page.locator(".site-header")).to_have_count(0)
        expect(page.locator(".wallboard__office")).to_have_count(3)
        # the tiles reach the bottom of the screen: no header above them, nothing below
        tiles = page.locator(".wallboard__offices").bounding_box()
        assert tiles is not None
        assert tiles["y"] < 140
        assert 1080 - 40 < tiles["y"] + tiles["height"] <= 1080
        assert tiles["width"] > 1800
        big = page.locator('[data-office="front"] [data-figure="waiting"]')
        assert float(big.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 64

        button = page.locator("[data-fullscreen]")
        expect(button).to_be_visible()
        expect(button).to_have_text("Volledig scherm")
        button.click()
        page.wait_for_function("document.fullscreenElement !== null")
        expect(button).to_have_text("Volledig scherm verlaten")
        page.evaluate("window.__notReloaded = true")

        now = timezone.now()
        offered = event("tv1", "offered", "tv-call", now - dt.timedelta(seconds=40), queue="front")
        assert send(base, [offered]) == 201
        expect(figure(page, "front", "waiting")).to_have_text("1", timeout=10_000)
        assert page.evaluate("window.__notReloaded") is True
        expect(page.locator(".site-header")).to_have_count(0)  # the polled board is TV's too
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "telephony-05-wallboard-tv.png"))

        button.click()
        page.wait_for_function("document.fullscreenElement === null")
        page.locator("[data-leave-tv]").click()
        expect(page.locator(".site-header")).to_have_count(1)
    finally:
        context.close()
    assert errors == [], f"JavaScript errors: {errors}"
