"""An English browser sees Dutch until it chooses English on the NL/EN switch; then English,
remembered on the next page and the next visit (docs/voice.md). Real Chromium set to en-US."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_english_browser_sees_dutch_until_it_chooses_english(
    browser: Browser, live_server
) -> None:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)

    # Given a browser that asks for English
    page.goto(f"{live_server.url}/login/")
    assert page.evaluate("navigator.language") == "en-US"
    expect(page.locator("h1")).to_have_text("Aanmelden")
    expect(page.locator("html")).to_have_attribute("lang", "nl-be")

    # When the user chooses English on the switch
    page.locator('button[name="language"][value="en"]').click()

    # Then the page and the next one are English, and a later visit still is
    expect(page.locator("h1")).to_have_text("Log in")
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("h1")).to_have_text("Log in")
    later = context.new_page()
    later.goto(f"{live_server.url}/login/")
    expect(later.locator("h1")).to_have_text("Log in")
    # The parents' pages stay Dutch, with "je"
    later.goto(f"{live_server.url}/contact/")
    expect(later.locator("h1")).to_have_text("Stel je vraag")

    # And choosing Dutch again brings Dutch back
    page.locator('button[name="language"][value="nl-be"]').click()
    expect(page.locator("h1")).to_have_text("Aanmelden")
    context.close()
