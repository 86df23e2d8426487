"""The knowledge base in a real Chromium: an agent on the desk searches while on a call, opens
an article in the panel and inserts an answer template (the `kglijn:insert-snippet` event);
each use is counted."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.contacts.catalogue_seed import INITIAL_REASONS
from kglijn.contacts.services import reason_save
from kglijn.knowledge.models import ArticleUse
from kglijn.knowledge.services import article_create
from tests.e2e.conftest import SCREENSHOTS

PASSWORD = "browser-test-pass-1"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db: None) -> dict[str, User]:
    for order, (code, name, topic) in enumerate(INITIAL_REASONS, start=1):
        reason_save(code=code, name=name, topic=topic, sort_order=order * 10)
    roles_sync()
    return {
        "agent": user_create_with_role(
            username="agent", password=PASSWORD, role_slug="front_office", first_name="Anja"
        ),
        "manager": user_create_with_role(
            username="im", password=PASSWORD, role_slug="information_manager", first_name="Stijn"
        ),
    }


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/login/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page).to_have_url(re.compile(r"/desk/"))


def test_agent_searches_from_the_desk_and_inserts_a_template(
    page: Page, live_server, people
) -> None:
    manager = people["manager"]
    article_create(
        by=manager,
        title="Veilig slapen",
        body="Leg de baby **op de rug** te slapen, in een slaapzak.",
        topic="family_support",
        reason_codes=["advice"],
        status="published",
    )
    article_create(
        by=manager,
        title="Antwoord: veilig slapen",
        body="Beste ouder,\n\nLeg je baby op de rug te slapen, in een **slaapzak**.",
        kind="template",
        topic="family_support",
        reason_codes=["advice"],
        status="published",
    )
    article_create(
        by=manager,
        title="Slaapplaats in de kinderopvang",
        body="Elke opvang heeft een aparte slaapruimte.",
        topic="childcare",
        status="published",
    )
    article_create(by=manager, title="Slapen (concept)", body="Nog niet klaar.", status="draft")
    log_in(page, live_server.url, people["agent"])

    panel = page.locator("#kb-desk")
    expect(panel.get_by_role("heading", name="Kennisbank")).to_be_visible()
    # A composer (here: a stand-in) listens for the event and claims the text.
    page.evaluate(
        """() => {
        window.inserted = [];
        document.addEventListener('kglijn:insert-snippet', (event) => {
            window.inserted.push(event.detail);
            event.preventDefault();
        });
    }"""
    )

    panel.get_by_label("Zoekwoorden").press_sequentially("slaapzak", delay=20)
    results = panel.locator("[data-kb-results] > li")
    expect(results).to_have_count(2)
    # both match in the body only: their order is the database's rank, not part of the contract
    for title in ("Veilig slapen", "Antwoord: veilig slapen"):
        expect(results.get_by_role("heading", name=title, exact=True)).to_have_count(1)
    expect(panel.locator("[data-kb-count]")).to_have_text("2 resultaten voor “slaapzak”")
    # Screen-reader users hear the count too.
    expect(panel.get_by_role("status")).to_have_text("2 resultaten voor “slaapzak”")
    expect(panel.get_by_text("Slapen (concept)")).to_have_count(0)

    panel.get_by_label("Domein").select_option("childcare")
    expect(panel.get_by_text(re.compile("^Niets gevonden"))).to_be_visible()
    panel.get_by_label("Zoekwoorden").fill("slaap")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Slaapplaats in de kinderopvang")
    panel.get_by_label("Domein").select_option("family_support")
    expect(results).to_have_count(2)
    shot(page, "knowledge-desk-panel")

    with page.expect_response(lambda response: "/gebruik/" in response.url):
        panel.get_by_role("button", name="Invoegen Antwoord: veilig slapen").click()
    page.wait_for_function("window.inserted.length === 1")
    detail = page.evaluate("window.inserted[0]")
    assert detail["text"] == "Beste ouder,\n\nLeg je baby op de rug te slapen, in een slaapzak."
    assert detail["title"] == "Antwoord: veilig slapen"
    expect(panel.locator("[data-kb-status]")).to_have_text("Tekst ingevoegd.")

    with page.expect_response(lambda response: "/openen/" in response.url):
        panel.get_by_role("link", name="Veilig slapen", exact=True).click()
    article = panel.locator("article.kb-article")
    expect(article.get_by_role("heading", name="Veilig slapen")).to_be_focused()
    expect(article.locator("strong")).to_have_text("op de rug")
    panel.get_by_role("button", name="Terug naar de resultaten").click()
    expect(results).to_have_count(2)

    uses = list(
        ArticleUse.objects.order_by("id").values_list("article__title", "context", "action")
    )
    assert uses == [
        ("Antwoord: veilig slapen", "desk", "inserted"),
        ("Veilig slapen", "desk", "opened"),
    ]


def test_without_a_composer_the_text_goes_to_the_page_field(
    page: Page, live_server, people
) -> None:
    article_create(
        by=people["manager"],
        title="Slot: nog vragen?",
        body="Bel ons op 078 150 100.",
        kind="template",
        status="published",
    )
    log_in(page, live_server.url, people["agent"])
    page.evaluate(
        """() => {
        const field = document.createElement('textarea');
        field.setAttribute('data-kglijn-snippet-target', '');
        field.id = 'stand-in';
        document.querySelector('main').appendChild(field);
    }"""
    )
    panel = page.locator("#kb-desk")

    panel.get_by_label("Zoekwoorden").fill("nog vragen")
    expect(panel.locator("[data-kb-count]")).to_have_text("1 resultaat voor “nog vragen”")
    panel.get_by_role("button", name="Invoegen Slot: nog vragen?").click()

    expect(page.locator("#stand-in")).to_have_value("Bel ons op 078 150 100.")
    expect(page.locator("#stand-in")).to_be_focused()
    expect(panel.locator("[data-kb-status]")).to_have_text("Tekst ingevoegd.")


def test_information_manager_edits_and_sees_the_history(page: Page, live_server, people) -> None:
    article = article_create(
        by=people["manager"],
        title="Vitamine D",
        body="Dagelijks tot 6 jaar.",
        status="published",
    )
    page.goto(f"{live_server.url}/login/")
    page.locator('input[name="username"]').fill("im")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")

    page.goto(f"{live_server.url}/kennisbank/beheer/")
    page.get_by_role("link", name="Vitamine D", exact=True).click()
    page.get_by_label("Tekst").fill("Dagelijks tot 6 jaar, bij de apotheek.")
    page.get_by_label("Wat heb je gewijzigd?").fill("Apotheek toegevoegd")
    page.get_by_role("button", name="Bewaren").click()
    expect(page.get_by_text("“Vitamine D” bewaard als versie 2.")).to_be_visible()

    page.get_by_role("link", name="Historiek Vitamine D").click()
    expect(page.locator(".kb-diff__line--added")).to_contain_text("bij de apotheek")
    expect(page.locator(".kb-diff__line--removed")).to_contain_text("Dagelijks tot 6 jaar.")
    expect(page.get_by_text("Apotheek toegevoegd").first).to_be_visible()
    shot(page, "knowledge-history")
    article.refresh_from_db()
    assert article.version == 2


def test_template_goes_into_the_mail_reply_composer(page: Page, live_server, people) -> None:
    from kglijn.contacts.services import contact_register

    article_create(
        by=people["manager"],
        title="Antwoord: attest inkomenstarief",
        body="Je vraagt het attest aan via Mijn Kind en Gezin.",
        kind="template",
        topic="childcare",
        status="published",
    )
    contact = contact_register(
        by=people["agent"],
        channel="email",
        origin="mailbox",
        anonymous=False,
        caller_email="ouder@example.be",
    )
    log_in(page, live_server.url, people["agent"])
    page.goto(f"{live_server.url}/desk/contacts/{contact.pk}/")
    panel = page.locator("#kb-reply")
    answer = page.locator("textarea[data-reply-body]")
    answer.fill("")

    panel.get_by_label("Zoekwoorden").fill("inkomenstarief")
    with page.expect_response(lambda response: "/gebruik/" in response.url) as counted:
        panel.get_by_role("button", name="Invoegen Antwoord: attest inkomenstarief").click()

    expect(answer).to_have_value("Je vraagt het attest aan via Mijn Kind en Gezin.")
    assert counted.value.status == 204
    assert list(ArticleUse.objects.values_list("context", "action", "contact_id")) == [
        ("mail", "inserted", contact.pk)
    ]
