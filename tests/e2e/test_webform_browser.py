"""The public contact form in a real Chromium on a phone-sized screen: bad input gets Dutch
messages per field (and an error summary that links to them), good input a reference."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect

from kglijn.contacts.catalogue_seed import INITIAL_REASONS
from kglijn.contacts.models import Contact
from kglijn.contacts.services import reason_save
from kglijn.webform import spam
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _catalogue_and_cache(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for order, (code, name, topic) in enumerate(INITIAL_REASONS, start=1):
        reason_save(code=code, name=name, topic=topic, sort_order=order * 10)
    cache.clear()
    # A person needs more than a second to fill in the form; keep the check, shorten the wait.
    monkeypatch.setattr(spam, "MIN_FILL_SECONDS", 1)


@pytest.fixture
def phone(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_citizen_fixes_the_errors_and_gets_a_reference(phone: Page, live_server) -> None:
    page = phone
    page.goto(f"{live_server.url}/contact/")
    expect(page.locator("h1")).to_have_text("Stel je vraag")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    shot(page, "webform-empty")

    # Send with a short question, a wrong e-mail address and postcode, no consent.
    page.get_by_label("Je vraag").fill("Help")
    page.get_by_label("Je e-mailadres").fill("an.peeters@")
    page.get_by_label("Je postcode").fill("99")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Mijn vraag versturen").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Kies waarover je vraag gaat.",
            "Schrijf je vraag in minstens 10 tekens.",
            "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.be.",
            "Een Belgische postcode heeft 4 cijfers.",
            "Vink aan dat je akkoord gaat, anders kunnen we je bericht niet aanvaarden.",
        ]
    )
    expect(page.locator("#id_email-error")).to_have_text(
        "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.be."
    )
    expect(page.get_by_label("Je e-mailadres")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Je vraag")).to_have_value("Help")
    shot(page, "webform-errors")
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link", name="Vul een geldig e-mailadres in").click()
    expect(page.get_by_label("Je e-mailadres")).to_be_focused()
    assert Contact.objects.count() == 0

    page.get_by_label("Kinderopvang zoeken").check()
    page.get_by_label("Je vraag").fill("Hoe vind ik een opvangplaats in Gent vanaf september?")
    page.get_by_label("Je naam").fill("An Peeters")
    page.get_by_label("Je e-mailadres").fill("an.peeters@example.be")
    page.get_by_label("Je postcode").fill("9000")
    page.get_by_label(re.compile("Ik heb de privacyverklaring gelezen")).check()
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Mijn vraag versturen").click()

    expect(page.locator("h1")).to_have_text("Je vraag is verstuurd")
    contact = Contact.objects.get()
    expect(page.locator("[data-reference]")).to_have_text(contact.reference)
    expect(page.get_by_text("We antwoorden je per e-mail binnen twee werkdagen.")).to_be_visible()
    shot(page, "webform-sent")
    assert (contact.channel, contact.origin, contact.office, contact.topic, contact.province) == (
        "email",
        "webform",
        "front",
        "childcare",
        "BE-VOV",
    )
    assert (contact.anonymous, contact.caller_email) == (False, "an.peeters@example.be")
    # No third party was asked for anything.
    assert all(url.startswith(live_server.url) for url in requests)


def test_anonymous_question_is_told_we_cannot_write_back(phone: Page, live_server) -> None:
    page = phone
    page.goto(f"{live_server.url}/contact/")
    page.get_by_label("Vaccinaties (inentingen)").check()
    page.get_by_label("Je vraag").fill("Is het vaccin tegen rotavirus verplicht?")
    page.get_by_label(re.compile("Ik heb de privacyverklaring gelezen")).check()
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Mijn vraag versturen").click()

    expect(page.locator("[data-no-email]")).to_contain_text(
        "Je gaf geen e-mailadres op, dus we kunnen je niet schriftelijk antwoorden."
    )
    contact = Contact.objects.get()
    assert (contact.anonymous, contact.topic, contact.province) == (True, "family_support", "")
