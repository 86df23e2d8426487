"""Issue 18 item 6 in a real Chromium: the public location page shows the location, its
published reports and its decided enforcement with the plan of approach, and none of a seeded
reporter's name, e-mail address, phone number nor the case's description; every page of
transparency, openness and the outgoing synchronisation passes axe in its filled states."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page

from kglijn.opgroeipunt.cases.services import ReporterData, case_create
from kglijn.opgroeipunt.enforcement.services import track_plan_record
from kglijn.opgroeipunt.models import InspectionVisit, OutgoingChange
from kglijn.opgroeipunt.transparency.services import document_request_create
from tests.e2e.test_accessibility import WIDE, Checker, _goto, _log_in
from tests.opgroeipunt.test_decisions import make_location, step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORTER = ReporterData(name="Sara Peeters", email="sara.peeters@example.be", phone="0471234567")
DESCRIPTION = "Mijn dochter kwam thuis met een blauwe plek op haar arm."


def _fail_on(checker: Checker) -> None:
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_the_public_location_page_shows_no_personal_data_and_passes_axe(
    browser: Browser, live_server: Any, page: Page, make_user: Callable[..., User]
) -> None:
    anna = make_user("childcare_customer_manager", "anna.claes")
    bert = make_user("opgroeipunt_team_lead", "bert.wouters")
    location = make_location("LOC-PUB", spoc=anna)
    case_create(
        kind="complaint",
        source="public_form",
        subject="Blauwe plek",
        description=DESCRIPTION,
        locations=[location],
        reporter=REPORTER,
    )
    InspectionVisit.objects.create(
        external_id="ZI-1",
        location=location,
        visited_on=dt.date(2026, 3, 2),
        types=["complaint", "follow_up_risk_enforcement"],
        findings=[{"theme": "veiligheid", "severity": "major", "text": "Trap zonder hekje"}],
        report_reference="ZI-2026-0042",
        report_url="https://zorginspectie.example.be/verslagen/42.pdf",
        report_published_on=dt.date(2026, 3, 20),
    )
    step(location, "warning", anna, bert)
    track_plan_record(location=location, on=timezone.localdate(), actor=bert)

    base = live_server.url
    _goto(page, base + reverse("opgroeipunt_transparency:index") + "?q=nestje")
    page.get_by_role("link", name="Het Nestje LOC-PUB").click()
    page.wait_for_url("**/kinderopvang/LOC-PUB/")
    text = page.locator("body").inner_text()
    assert "Het Nestje LOC-PUB" in text
    assert "Vzw Kindjes" in text
    assert "ZI-2026-0042" in text
    assert "Klacht, Opvolging van risico of handhaving" in text
    assert "Opgroeien besliste over handhaving: Aanmaning (handhavingstraject sinds" in text
    assert "De organisator heeft een plan van aanpak (sinds" in text
    assert page.locator("[data-enforcement=warning]").count() == 1
    assert page.locator("[data-plan]").count() == 1
    html = page.content()
    for secret in (
        REPORTER.name,
        REPORTER.email,
        REPORTER.phone,
        DESCRIPTION,
        "Blauwe plek",
        "Trap zonder hekje",
        "anna.claes",
        "bert.wouters",
    ):
        assert secret not in html, secret
    checker = Checker()
    checker.check(page, "public location page")
    _goto(page, base + reverse("opgroeipunt_transparency:index"))
    checker.check(page, "public index")
    _goto(page, base + reverse("opgroeipunt_transparency:index") + "?q=geen-zulke-opvang")
    checker.check(page, "public index without results")
    _fail_on(checker)


def test_openness_plan_and_outgoing_pages_pass_axe_in_their_filled_states(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    anna = make_user("childcare_customer_manager", "anna")
    bert = make_user("opgroeipunt_team_lead", "bert")
    location = make_location("LOC1")
    step(location, "enforcement_started", anna, bert)
    late = document_request_create(
        requester_name="Jan Journalist",
        requester_email="jan@krant.example.be",
        subject="Het inspectieverslag van maart.",
        location=location,
        received_at=timezone.now() - dt.timedelta(days=14),
        by=anna,
    )
    document_request_create(
        requester_name="Fien", requester_email="fien@example.be", subject="Verslagen", by=anna
    )
    first = OutgoingChange.objects.order_by("id").values_list("id", flat=True)[:1]
    OutgoingChange.objects.filter(pk__in=list(first)).update(
        webhook_state="failed", webhook_error="HTTP 500", webhook_attempts=12
    )
    base = live_server.url
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _log_in(context, base, bert)
    for url, label in (
        (reverse("opgroeipunt:document_requests"), "requests"),
        (reverse("opgroeipunt:document_requests") + "?show=late", "late requests"),
        (reverse("opgroeipunt:document_request_detail", args=[late.pk]), "request with form"),
        (reverse("opgroeipunt:document_request_new"), "new request"),
        (reverse("opgroeipunt:plan_of_approach", args=["LOC1"]), "plan of approach"),
        (reverse("opgroeipunt:sync_outgoing"), "outgoing with a failed event"),
    ):
        _goto(page, base + url)
        checker.check(page, label)
    _goto(page, base + reverse("opgroeipunt:document_request_new"))
    page.locator("main form button[type=submit]").click()
    page.locator("#form-errors").wait_for()
    checker.check(page, "new request with the error summary")
    _goto(page, base + reverse("opgroeipunt:document_request_detail", args=[late.pk]))
    page.get_by_label("Gedeeltelijk toegekend").check()
    page.get_by_label("Antwoord").fill("Het verslag zonder namen.")
    page.locator("main form button[type=submit]").click()
    page.get_by_text("Antwoord bewaard.").wait_for()
    checker.check(page, "answered request")
    context.close()
    _fail_on(checker)
