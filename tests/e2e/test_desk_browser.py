"""The desk in a real Chromium: an agent registers and escalates, a nurse takes up and closes.

Runs against pytest-django's live server. Chromium comes from Debian (`make browser`); when it
is missing the test fails with a clear message — it never skips silently.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.contacts.catalogue_seed import INITIAL_REASONS, INITIAL_REFERRALS
from kglijn.contacts.models import Contact, Status
from kglijn.contacts.services import reason_save, referral_save
from kglijn.core.models import AuditEvent
from tests.e2e.conftest import SCREENSHOTS

PASSWORD = "browser-test-pass-1"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def catalogues(transactional_db: None) -> None:
    """Transactional tests flush the tables, data migrations included: seed what we click."""
    for order, (code, name, topic) in enumerate(INITIAL_REASONS, start=1):
        reason_save(code=code, name=name, topic=topic, sort_order=order * 10)
    for code, name in INITIAL_REFERRALS:
        referral_save(code=code, name=name)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/login/")
    # The username field has autofocus; wait for it before typing, or the first keys are lost
    # on a slow start. Then Tab to the password and Enter to submit, as a keyboard user does.
    username = page.locator('input[name="username"]')
    expect(username).to_be_focused()
    page.keyboard.type(user.username)
    expect(username).to_have_value(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/desk/"))


def log_out(page: Page) -> None:
    page.locator('form[action="/logout/"] button').click()
    expect(page).to_have_url(re.compile(r"/login/"))


def tick(page: Page, name: str, value: str) -> None:
    """Tick a checkbox or radio with the keyboard (focus it, press Space)."""
    page.locator(f'input[name="{name}"][value="{value}"]').focus()
    page.keyboard.press("Space")


def test_agent_registers_and_escalates_nurse_takes_up_and_closes(page: Page, live_server) -> None:
    roles_sync()
    agent = user_create_with_role(
        username="agent",
        password=PASSWORD,
        role_slug="front_office",
        first_name="Anja",
        last_name="Peeters",
    )
    nurse = user_create_with_role(
        username="nurse",
        password=PASSWORD,
        role_slug="pgjo_nurse",
        first_name="Nele",
        last_name="Janssens",
    )
    base = live_server.url

    # --- the front-office agent -------------------------------------------------------------
    page.goto(f"{base}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "nl-be")
    shot(page, "01-login")
    log_in(page, base, agent)
    shot(page, "02-desk-agent")

    page.goto(f"{base}/desk/contacts/new/")
    postcode = page.locator('input[name="postcode"]')
    expect(postcode).to_be_focused()  # autofocus: the agent types straight away
    expect(page.locator('input[name="channel"][value="phone"]')).to_be_checked()
    expect(page.locator('input[name="anonymous"]')).to_be_checked()
    # JS disables the personal-data fieldset while "anonymous" is ticked
    expect(page.locator('input[name="caller_name"]')).to_be_disabled()

    page.keyboard.type("2000")
    expect(page.locator("#province-message")).to_have_text("Postcode 2000: Antwerpen.")
    expect(page.locator('select[name="province"]')).to_have_value("BE-VAN")

    tick(page, "topic", "family_support")
    tick(page, "reasons", "advice")
    tick(page, "reasons", "vaccination")
    page.locator("details.group--details summary").first.focus()
    page.keyboard.press("Enter")  # opens the referrals
    tick(page, "referrals", "gezinsbond")
    page.locator('textarea[name="notes"]').focus()
    page.keyboard.type("Vraag over het vaccinatieschema.")
    shot(page, "03-wrap-up-form")
    page.keyboard.press("Control+Enter")

    expect(page.locator(".message--success")).to_contain_text("geregistreerd")
    contact = Contact.objects.get()
    expect(page).to_have_url(f"{base}/desk/contacts/{contact.pk}/")
    assert contact.province == "BE-VAN"
    assert contact.topic == "family_support"
    assert sorted(contact.reasons.values_list("code", flat=True)) == ["advice", "vaccination"]
    assert list(contact.referrals.values_list("code", flat=True)) == ["gezinsbond"]
    assert contact.anonymous is True

    page.locator('select[name="to_office"]').select_option("pgjo")
    page.locator('textarea[name="reason"]').fill("Adviesvraag over vaccinatie.")
    page.locator('form[action$="/escalate/"] button[type="submit"]').click()
    expect(page.locator(".message--success")).to_contain_text("geëscaleerd")
    shot(page, "04-detail-escalated")
    contact.refresh_from_db()
    assert (contact.office, contact.status) == ("pgjo", Status.ESCALATED)
    log_out(page)

    # --- the PGJO nurse ---------------------------------------------------------------------
    log_in(page, base, nurse)
    page.locator('.tabs a[href="?queue=pgjo"]').click()
    expect(page.locator('.tabs a[href="?queue=pgjo"]')).to_have_attribute("aria-current", "page")
    expect(page.locator('.tabs a[aria-current="page"]')).to_have_count(1)
    row = page.locator("#queue-panel tbody tr", has_text=contact.reference)
    expect(row).to_contain_text("Adviesvraag over vaccinatie.")
    shot(page, "05-pgjo-queue")
    row.locator('form[action$="/take/"] button').click()
    expect(page.locator(".message--success")).to_contain_text(contact.reference)
    page.locator('form[action$="/close/"] button').click()
    expect(page).to_have_url(f"{base}/desk/")
    expect(page.locator(".message--success")).to_contain_text("afgesloten")
    shot(page, "06-desk-after-close")

    contact.refresh_from_db()
    assert contact.status == Status.CLOSED
    assert contact.handler == nurse
    actions = list(
        AuditEvent.objects.filter(object_id=contact.pk)
        .exclude(action="view")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "escalate", "assign", "close"]

    # --- the team lead reads the audit log of the contact ------------------------------------
    lead = user_create_with_role(
        username="lead",
        password=PASSWORD,
        role_slug="team_lead",
        first_name="Lies",
        last_name="Claes",
    )
    log_out(page)
    log_in(page, base, lead)
    page.locator(".main-nav summary", has_text="Beheer").click()  # the team lead's menu is grouped
    page.locator(".main-nav a", has_text="Auditlog").click()
    page.locator('input[name="reference"]').fill(contact.reference)
    page.keyboard.press("Enter")
    events = page.locator("#events tbody tr")
    expect(events).to_have_count(4)
    expect(events.nth(0)).to_contain_text("afgesloten")
    expect(events.nth(3)).to_contain_text("aangemaakt")
    shot(page, "10-audit-log")


def test_personal_data_on_anonymous_contact_without_javascript(browser: Browser, live_server):
    """Without JS the personal-data fields stay usable; the service refuses them clearly."""
    roles_sync()
    agent = user_create_with_role(username="agent2", password=PASSWORD, role_slug="front_office")
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    page = context.new_page()
    try:
        log_in(page, live_server.url, agent)
        page.goto(f"{live_server.url}/desk/contacts/new/")
        page.locator('input[name="caller_name"]').fill("Jan Peeters")
        page.locator('form.wrapup button[type="submit"]').click()
        expect(page.locator("#id_caller_name_error")).to_contain_text("anoniem")
        shot(page, "07-anonymous-refused-no-js")
        assert Contact.objects.count() == 0
    finally:
        context.close()


def test_information_manager_deactivates_a_reason_by_keyboard(page: Page, live_server) -> None:
    roles_sync()
    manager = user_create_with_role(
        username="infomanager",
        password=PASSWORD,
        role_slug="information_manager",
        first_name="Inge",
        last_name="Wouters",
    )
    base = live_server.url

    log_in(page, base, manager)
    expect(page.locator("h1")).to_have_text("Welkom, Inge Wouters")
    shot(page, "08-landing-information-manager")
    page.locator(".main-nav").get_by_role("link", name="Lijsten", exact=True).click()
    row = page.locator("tbody tr", has_text="Vaccinatievraag")
    row.locator('form[action$="/toggle/"] button').focus()
    page.keyboard.press("Enter")
    expect(page.locator(".message--success")).to_contain_text("gedeactiveerd")
    shot(page, "09-catalogues")
