"""The chat in a real Chromium: a parent and a nurse, each in their own browser context.

The server is uvicorn running kglijn's ASGI application (the one `kglijn serve` runs, HTTP and
websockets) on a thread of the test process, so it shares the test database on SQLite (in
memory) and on PostgreSQL alike; pytest-django's live_server is WSGI and has no websockets.
`kglijn serve` itself is covered by tests/chat/test_serve.py and the benchmark. Fails, never
skips, without Chromium.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.chat import services
from kglijn.chat.models import Chat, ChatMessage, ChatStatus
from kglijn.chat.tokens import COOKIE_NAME, chat_token_make
from kglijn.contacts.models import Contact
from kglijn.core.models import ClosingDay
from kglijn.surveys.models import SurveyResponse
from tests.e2e.conftest import SCREENSHOTS

PASSWORD = "browser-test-pass-1"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def chat_server(transactional_db: None, settings: Any) -> Iterator[str]:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.KGLIJN_CHAT_HOURS = "always"
    port = _free_port()
    config = uvicorn.Config(
        "kglijn.config.asgi:application",
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)


@pytest.fixture
def nurse_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page).to_have_url(f"{base}/desk/")


def bodies(page: Page) -> list[str]:
    return page.locator("[data-chat-log] .msg__body").all_inner_texts()


def start_chat(page: Page, base: str, first_name: str = "", postcode: str = "") -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{base}/chat/")
    page.get_by_label("Je voornaam (niet verplicht)").fill(first_name)
    page.get_by_label("Je postcode (niet verplicht)").fill(postcode)
    page.get_by_role("button", name="Chat starten").click()
    expect(page.locator("[data-chat-status]")).to_contain_text("in de wachtrij")


def say(page: Page, text: str, label: str = "Je bericht") -> None:
    page.get_by_label(label).fill(text)
    page.get_by_label(label).press("Enter")


def test_parent_and_nurse_chat_reload_and_wrap_up(
    page: Page, nurse_page: Page, chat_server: str
) -> None:
    base = chat_server
    roles_sync()
    user_create_with_role(
        username="nurse1", password=PASSWORD, role_slug="pgjo_nurse", first_name="Griet"
    )
    log_in(nurse_page, base, "nurse1")
    nurse_page.goto(f"{base}/chat/console/")
    expect(nurse_page.locator("#console-connection")).to_have_text("Online: je ontvangt chats.")

    start_chat(page, base, "Sara", "2000")
    expect(page.locator("[data-chat-status]")).to_have_text(
        "Je bent nummer 1 in de wachtrij. Een verpleegkundige antwoordt je zo dadelijk."
    )
    say(page, "Mijn baby van vier maanden slaapt slecht.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat-01-parent-waiting.png"), full_page=True)

    nurse_page.get_by_role("button", name="Chat van Sara aannemen").click()
    panel = nurse_page.locator(".chat-panel")
    expect(panel.locator("h3")).to_have_text("Sara")
    expect(panel.locator(".msg--parent .msg__body")).to_have_text(
        "Mijn baby van vier maanden slaapt slecht."
    )
    expect(page.locator("[data-chat-status]")).to_have_text("Je chat met Griet.")

    say(nurse_page, "Hoe lang slaapt je baby overdag?", label="Je antwoord")
    expect(page.locator(".msg--nurse .msg__body")).to_have_text("Hoe lang slaapt je baby overdag?")

    page.get_by_label("Je bericht").press_sequentially("Ongev")  # typing, not sent
    expect(panel.locator("[data-typing]")).to_be_visible()
    page.get_by_label("Je bericht").fill("")

    before = bodies(page)
    page.reload()  # mid-chat: the websocket resumes from the start, nothing lost or doubled
    expect(page.locator("[data-chat-log] .msg__body")).to_have_text(before)
    say(page, "Ongeveer drie uur.")
    expect(panel.locator(".msg--parent .msg__body").last).to_have_text("Ongeveer drie uur.")
    expect(page.locator("[data-chat-log] .msg__body")).to_have_text(
        [
            "Mijn baby van vier maanden slaapt slecht.",
            "Hoe lang slaapt je baby overdag?",
            "Ongeveer drie uur.",
        ]
    )
    seqs = page.locator("[data-chat-log] .msg").evaluate_all(
        "items => items.map(item => Number(item.dataset.seq))"
    )
    assert seqs == [1, 2, 3, 4]
    nurse_page.screenshot(path=str(SCREENSHOTS / "chat-02-console.png"), full_page=True)

    nurse_page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Chat beëindigen").click()
    expect(page.get_by_role("heading", name="Het gesprek is beëindigd")).to_be_visible()
    expect(page.get_by_role("heading", name="Hoe tevreden ben je over deze chat?")).to_be_visible()
    page.locator('label[for="id_waiting_time_5"]').click()
    page.locator('label[for="id_recommendation_9"]').click()
    page.get_by_role("button", name="Verstuur mijn antwoorden").click()
    expect(page.locator("[data-survey-thanks]")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "chat-03-parent-ended.png"), full_page=True)

    panel.get_by_role("link", name="Afronden").click()
    expect(nurse_page.get_by_role("heading", name="Chat afronden")).to_be_visible()
    nurse_page.get_by_label("Preventieve gezinsondersteuning").check()
    nurse_page.get_by_role("button", name="Chatcontact registreren").click()
    expect(nurse_page.locator(".message--success")).to_contain_text("Chat afgerond: contact KG-")

    contact = Contact.objects.get()
    chat = Chat.objects.get()
    assert (contact.channel, contact.office, contact.topic, contact.province) == (
        "chat",
        "pgjo",
        "family_support",
        "BE-VAN",
    )
    assert (contact.anonymous, contact.caller_name) == (False, "Sara")
    assert (chat.status, chat.contact_id) == (ChatStatus.WRAPPED, contact.pk)
    assert contact.received_at == chat.created_at
    assert contact.answered_at == chat.accepted_at
    assert contact.closed_at == chat.ended_at
    transcript = list(
        ChatMessage.objects.filter(chat__contact=contact)
        .order_by("seq")
        .values_list("seq", "sender", "body")
    )
    assert transcript == [
        (1, "parent", "Mijn baby van vier maanden slaapt slecht."),
        (2, "system", "accepted"),
        (3, "nurse", "Hoe lang slaapt je baby overdag?"),
        (4, "parent", "Ongeveer drie uur."),
        (5, "system", "ended_nurse"),
    ]
    # the parent answered before the wrap-up: kept on the chat, recorded on the contact now
    response = SurveyResponse.objects.get(contact=contact)
    assert (response.source, response.waiting_time, response.recommendation) == ("chat", 5, 9)


def test_outside_opening_hours_the_widget_refuses_politely(
    page: Page, chat_server: str, settings: Any
) -> None:
    settings.KGLIJN_CHAT_HOURS = "office"
    ClosingDay.objects.create(date=timezone.localdate(), name="Testsluiting")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{chat_server}/chat/")
    expect(page.get_by_role("heading", name="De chat is nu gesloten")).to_be_visible()
    expect(page.get_by_role("link", name="078 150 100")).to_have_attribute(
        "href", "tel:+3278150100"
    )
    expect(page.get_by_role("link", name="contactformulier")).to_have_attribute("href", "/contact/")
    expect(page.get_by_role("button", name="Chat starten")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "chat-04-closed.png"), full_page=True)
    assert Chat.objects.count() == 0


def test_a_flood_from_one_chat_is_rate_limited(page: Page, chat_server: str) -> None:
    start_chat(page, chat_server)
    for n in range(12):
        say(page, f"bericht {n}")
    alert = page.locator("[data-chat-alert]")
    expect(alert).to_contain_text("Je stuurt veel berichten kort na elkaar.")
    expect(page.locator("[data-chat-log] .msg__body")).to_have_count(10)
    # a refused message is given back into the input (how many depends on when each refusal
    # came back while this test was typing: fill() replaces the input's text)
    expect(page.get_by_label("Je bericht")).to_have_value(re.compile(r"bericht 11"))
    chat = Chat.objects.get()
    assert ChatMessage.objects.filter(chat=chat).count() == 10


def test_a_new_chat_with_the_survey_unanswered_asks_first(
    page: Page, chat_server: str, nurse: Any
) -> None:
    chat = services.chat_start(now=timezone.now())
    services.chat_accept(chat_id=chat.pk, nurse=nurse, now=timezone.now())
    services.chat_end(chat_id=chat.pk, ended_by="nurse", nurse=nurse, now=timezone.now())
    page.context.add_cookies(
        [{"name": COOKIE_NAME, "value": chat_token_make(chat_id=chat.pk), "url": chat_server}]
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{chat_server}/chat/")
    expect(page.get_by_role("heading", name="Hoe tevreden ben je over deze chat?")).to_be_visible()

    page.get_by_role("button", name="Een nieuwe chat starten").click()
    question = page.get_by_role(
        "heading", name="Je hebt de vragenlijst nog niet ingevuld. Toch een nieuwe chat starten?"
    )
    expect(question).to_be_focused()
    page.screenshot(path=str(SCREENSHOTS / "chat-05-new-chat-confirm.png"), full_page=True)
    # "No": back to the survey, which is still there.
    page.get_by_role("link", name="Nee, de vragenlijst invullen").click()
    expect(page.get_by_role("heading", name="Hoe tevreden ben je over deze chat?")).to_be_focused()

    page.get_by_role("button", name="Ja, een nieuwe chat starten").click()
    expect(page.get_by_role("button", name="Chat starten")).to_be_visible()
    chat.refresh_from_db()
    assert chat.survey_answered_at is None


def test_the_nurse_sees_the_parent_leave_come_back_and_go(
    page: Page, nurse_page: Page, chat_server: str, settings: Any
) -> None:
    base = chat_server
    roles_sync()
    user_create_with_role(
        username="nurse1", password=PASSWORD, role_slug="pgjo_nurse", first_name="Griet"
    )
    log_in(nurse_page, base, "nurse1")
    nurse_page.goto(f"{base}/chat/console/")
    expect(nurse_page.locator("#console-connection")).to_have_text("Online: je ontvangt chats.")
    start_chat(page, base, "Lien")
    nurse_page.get_by_role("button", name="Chat van Lien aannemen").click()
    expect(page.locator("[data-chat-status]")).to_have_text("Je chat met Griet.")
    panel = nurse_page.locator(".chat-panel")
    notice = panel.locator("[data-presence]")

    page.reload()  # back within the grace: the nurse is not alarmed
    expect(page.locator("[data-chat-status]")).to_have_text("Je chat met Griet.")
    page.goto("about:blank")  # the parent closes the chat without ending it
    left = time.monotonic()
    expect(notice).to_have_text(
        "De ouder is niet meer verbonden. Zonder verbinding eindigt de chat vanzelf na 45 "
        "seconden.",
        timeout=20_000,
    )
    assert time.monotonic() - left > 6  # shown after the grace, not at the first blip
    page.goto(f"{base}/chat/")
    expect(notice).to_have_text("De ouder is terug.")

    settings.KGLIJN_CHAT_PRESENCE_TIMEOUT = 1
    page.goto("about:blank")
    time.sleep(2)
    nurse_page.reload()  # the console's hello sweeps (as its ping does every 25 s)
    panel = nurse_page.locator(".chat-panel")
    expect(panel.locator("[data-presence]")).to_have_text(
        "De ouder heeft het gesprek verlaten. Je kunt het afronden."
    )
    expect(panel.get_by_role("link", name="Afronden")).to_be_visible()
    expect(panel.locator(".msg--system .msg__system").last).to_contain_text(
        "De ouder heeft het gesprek verlaten (niet meer verbonden)."
    )
    chat = Chat.objects.get()
    assert (chat.status, chat.ended_by) == (ChatStatus.ENDED, "left")
