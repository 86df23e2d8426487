"""The survey behind the invitation mail in a real Chromium, from the mail the worker sent
through a real SMTP server: answered with the keyboard only, then refused kindly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from kglijn.surveys.invitations import invitations_send
from kglijn.surveys.models import SurveyResponse
from tests.e2e.conftest import SCREENSHOTS
from tests.surveys.invitation_helpers import answered_moment, email_contact
from tests.surveys.smtp_sink import SmtpSink, use_smtp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def mailed_link(settings: Any, live_server: Any, agent: User) -> tuple[str, int]:
    """Run the invitation job at T + 48 h against a real SMTP server; the link in the mail."""
    settings.KGLIJN_PUBLIC_BASE_URL = live_server.url
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    with SmtpSink() as sink:
        use_smtp(settings, sink)
        invitations_send(now=t + dt.timedelta(hours=48))
    (mail,) = sink.received
    (token,) = mail.tokens()
    return f"{live_server.url}/tevredenheid/{token}/", contact.pk


def press(page: Page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def test_a_citizen_answers_with_the_keyboard_and_cannot_answer_twice(
    page: Page, live_server: Any, settings: Any, agent: User
) -> None:
    link, contact_id = mailed_link(settings, live_server, agent)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_have_text("Hoe tevreden ben je over ons antwoord?")
    expect(page.locator("fieldset legend")).to_have_count(4)

    # sending nothing: the error summary gets the focus and links to the first question
    page.get_by_role("button", name="Verstuur mijn antwoorden").focus()
    press(page, "Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text("Beantwoord minstens één vraag.")
    assert SurveyResponse.objects.filter(contact_id=contact_id).count() == 0

    # keyboard only: Tab into each group, arrows choose the score, Tab moves on
    press(page, "Tab")  # the link in the error summary
    expect(summary.get_by_role("link")).to_be_focused()
    press(page, "Enter")  # follows it to the first question
    page.locator("#id_waiting_time_1").focus()
    press(page, "ArrowRight", 3)  # waiting time 4
    expect(page.locator("#id_waiting_time_4")).to_be_checked()
    expect(page.locator("#id_waiting_time_4")).to_be_focused()
    press(page, "Tab")
    expect(page.locator("#id_courtesy_1")).to_be_focused()
    press(page, "ArrowRight", 4)  # courtesy 5
    press(page, "Tab")
    expect(page.locator("#id_information_1")).to_be_focused()
    press(page, "Tab")  # information left open
    expect(page.locator("#id_recommendation_0")).to_be_focused()
    press(page, "ArrowRight", 9)  # recommendation 9
    expect(page.locator("#id_recommendation_9")).to_be_checked()
    press(page, "Tab")
    expect(page.get_by_label("Wil je ons nog iets laten weten?")).to_be_focused()
    page.keyboard.type("Vriendelijk en duidelijk antwoord.")
    press(page, "Tab")
    expect(page.get_by_role("button", name="Verstuur mijn antwoorden")).to_be_focused()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "survey-01-filled.png"), full_page=True)
    press(page, "Enter")

    expect(page.locator("h1")).to_have_text("Bedankt voor je antwoorden!")
    answer = SurveyResponse.objects.get(contact_id=contact_id)
    assert (answer.waiting_time, answer.courtesy, answer.information) == (4, 5, None)
    assert (answer.recommendation, answer.complete) == (9, False)
    assert answer.remark == "Vriendelijk en duidelijk antwoord."

    # the same link again: refused kindly
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Je hebt deze bevraging al ingevuld. Bedankt!")
    assert SurveyResponse.objects.filter(contact_id=contact_id).count() == 1


def test_the_survey_fits_a_phone_screen(
    browser: Browser, live_server: Any, settings: Any, agent: User
) -> None:
    link, _contact_id = mailed_link(settings, live_server, agent)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-BE")
    try:
        phone = context.new_page()
        phone.goto(link)
        expect(phone.locator("h1")).to_be_visible()
        # no sideways scrolling; the 0–10 scale wraps onto two rows of comfortable targets
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        boxes = [
            phone.locator(f"label[for=id_recommendation_{score}]").bounding_box()
            for score in range(11)
        ]
        assert all(box is not None and box["height"] >= 44 for box in boxes)
        assert len({round(box["y"]) for box in boxes if box}) == 2
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SCREENSHOTS / "survey-02-phone.png"), full_page=True)
    finally:
        context.close()
