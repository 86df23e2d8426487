"""Answering an e-mail from the desk in a real Chromium: the agent opens the e-mail contact,
inserts a template, writes, sends (htmx), and sees the answer in the thread; the SMTP server
(aiosmtpd) got it with the threading headers. Screenshots go to var/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.contacts.models import Contact, Status
from kglijn.mail.inbound import mail_ingest
from kglijn.mail.models import DeliveryStatus, MailDirection, MailMessage
from tests.e2e.test_desk_browser import PASSWORD, log_in, shot
from tests.mail.imap_server import make_message
from tests.surveys.smtp_sink import SmtpSink, use_smtp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp(settings: Any, tmp_path: Path) -> Iterator[SmtpSink]:
    settings.KGLIJN_MAIL_DIR = tmp_path / "mail"
    with SmtpSink() as sink:
        use_smtp(settings, sink)
        yield sink


def test_an_agent_answers_an_email_from_the_contact_page(
    page: Page, live_server: Any, smtp: SmtpSink
) -> None:
    roles_sync()
    agent = user_create_with_role(
        username="an", password=PASSWORD, role_slug="front_office", first_name="An"
    )
    result = mail_ingest(
        raw=make_message(message_id="<vraag-browser@example.be>"),
        received_at=None,
        now=timezone.now(),
    )
    contact = Contact.objects.get(pk=result.contact_id)

    # Given the agent on the e-mail contact's page, with Jan's question in the thread
    log_in(page, live_server.url, agent)
    page.goto(f"{live_server.url}/desk/contacts/{contact.pk}/")
    thread = page.locator(".mail-thread")
    expect(thread).to_contain_text("Wanneer krijgt mijn dochter haar volgende vaccin?")
    expect(page.locator("[data-reply-to]")).to_have_text("jan.peeters@example.be")
    body = page.get_by_label("Tekst van het antwoord")
    expect(body).to_have_value(
        re.compile(r"^Beste Jan Peeters,\n\n\n\nMet vriendelijke groeten,\nAn")
    )

    # When she writes the answer on the empty line and inserts the acknowledgement template there
    body.click()
    page.keyboard.press("Control+Home")
    for _ in range(2):  # to the empty line between greeting and signature
        page.keyboard.press("ArrowDown")
    page.keyboard.type("De volgende vaccinatie is op 15 maanden. ")
    page.get_by_role("button", name="Ontvangstbevestiging").click()
    expect(body).to_have_value(
        re.compile(r"De volgende vaccinatie is op 15 maanden\. Bedankt voor je bericht\.")
    )
    expect(page.get_by_label("Contact afsluiten na verzenden")).to_be_checked()
    shot(page, "mail-composer")
    page.get_by_role("button", name="Antwoord verzenden").click()

    # Then the page comes back with the answer in the thread, sent, and the contact closed
    expect(page.locator(".message--success")).to_have_text(
        f"Antwoord op {contact.reference} verzonden."
    )
    answer = page.locator('[data-mail-direction="out"]')
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text("De volgende vaccinatie is op 15 maanden.")
    expect(answer.locator("[data-delivery]")).to_have_text("Verzonden")
    expect(page.locator(".status--closed").first).to_be_visible()
    expect(page.locator("#mail-composer")).to_have_count(0)
    shot(page, "mail-thread-answered")

    message = MailMessage.objects.get(direction=MailDirection.OUT)
    assert message.delivery_status == DeliveryStatus.SENT
    (sent,) = smtp.received
    assert sent.message["In-Reply-To"] == "<vraag-browser@example.be>"
    assert sent.message["Message-ID"] == message.message_id
    text = sent.part("text/plain").replace("\r\n", "\n")
    assert text.startswith(
        "Beste Jan Peeters,\n\nDe volgende vaccinatie is op 15 maanden. Bedankt voor je bericht."
    )
    assert "antwoord.\n\nMet vriendelijke groeten,\nAn\nKind en Gezin-Lijn" in text
    contact.refresh_from_db()
    assert (contact.status, contact.handler_id) == (Status.CLOSED, agent.pk)
