"""axe-core in a real Chromium on the pages of the later features, with their data filled in:
Opgroeipunt (issues 17-18), steering the front office (issue 19) and the survey campaigns
(issue 20). Split from tests/e2e/test_accessibility.py (the role x URL sweep and the public pages),
whose helpers these tests use, so that the two files run side by side under `--dist loadfile`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect

from kglijn.contacts.models import Contact, Office
from tests.contacts.factories import ContactFactory
from tests.e2e.test_accessibility import NARROW, WIDE, Checker, _goto, _log_in


def test_opgroeipunt_four_eyes_and_location_pages_have_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """The four-eyes and location pages in their filled states (issue 17): a waiting proposal
    as its proposer and as the second pair of eyes, a rejected one, the proposal form with its
    errors, a location with a track and its history, the filtered location list."""
    from kglijn.opgroeipunt.decisions.services import proposal_reject
    from tests.opgroeipunt.test_decisions import make_case, make_location, propose, step

    base = live_server.url
    anna = make_user("childcare_customer_manager", "anna")
    bert = make_user("opgroeipunt_team_lead", "bert")
    location = make_location()
    case = make_case("complaint")
    case.locations.add(location)
    step(location, "warning", anna, bert)
    waiting = propose(anna, "intention", location=location)
    rejected = propose(bert, "not_admissible", case=case, payload={"reason": "no_interest"})
    proposal_reject(proposal_id=rejected.pk, rejecter=anna, reason="Eerst de klager horen.")

    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    detail = reverse("opgroeipunt:proposal_detail", args=[waiting.pk])
    location_url = reverse("opgroeipunt:location_detail", args=[location.external_id])
    new_for_location = f"{reverse('opgroeipunt:proposal_new')}?location={location.external_id}"
    for user, urls in (
        (anna, [detail, f"{reverse('opgroeipunt:proposals')}?tab=mine", location_url]),
        (
            bert,
            [
                detail,
                reverse("opgroeipunt:proposal_detail", args=[rejected.pk]),
                f"{reverse('opgroeipunt:proposals')}?tab=decided",
                f"{reverse('opgroeipunt:proposal_new')}?case={case.pk}",
                new_for_location,
                f"{reverse('opgroeipunt:locations')}?q=nestje&state=warning",
            ],
        ),
    ):
        _log_in(context, base, user)
        for url in urls:
            _goto(page, base + url)
            checker.check(page, f"{url} as {user.username}")
    # The proposal form with its error summary.
    _goto(page, base + new_for_location)
    page.evaluate("document.querySelector('form.wrapup').noValidate = true")
    page.locator("form.wrapup button[type=submit]").click()
    page.locator("#form-errors").wait_for()
    checker.check(page, "proposal form with the error summary")
    context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_opgroeipunt_pages_have_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """Issue 17: Opgroeipunt's pages in their important states (with cases, reporter, terms,
    the handler's steps, error summaries, the danger advice, the contact page's panel)."""
    import datetime as dt

    from kglijn.opgroeipunt.cases.services import ReporterData, case_create, case_take
    from tests.opgroeipunt.intake_helpers import make_location

    cache.clear()
    base = live_server.url
    manager = make_user("childcare_customer_manager", "km")
    desk = make_user("front_office", "desk")
    make_location()
    complaint = case_create(
        kind="complaint",
        source="staff",
        description="Klacht over de opvang.",
        locations=["L1"],
        reporter=ReporterData(name="Els", email="els@voorbeeld.be"),
        received_at=timezone.now() - dt.timedelta(days=30),
    )
    case_take(case=complaint, user=manager)
    case_create(kind="danger", source="staff", description="Gevaar", locations=["L1"])
    contact = ContactFactory(office=Office.FRONT)

    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _log_in(context, base, manager)
    for url, label in (
        (reverse("opgroeipunt:cases"), "case list"),
        (reverse("opgroeipunt:case_detail", kwargs={"pk": complaint.pk}), "complaint detail"),
        (reverse("opgroeipunt:case_new"), "staff intake"),
        (f"{reverse('opgroeipunt:complaints_report')}?year=2025", "complaints report"),
    ):
        _goto(page, base + url)
        checker.check(page, f"{label} as customer manager")
    _goto(page, base + reverse("opgroeipunt:case_new"))
    page.get_by_label("Beschrijving").fill("x")
    page.locator('select[name="kind"]').select_option("staff_shortage")
    page.locator("main form button[type=submit]").last.click()
    page.locator("#form-errors").wait_for()
    checker.check(page, "staff intake with errors")

    _log_in(context, base, desk)
    _goto(page, f"{base}{reverse('contacts:detail', kwargs={'contact_id': contact.pk})}")
    checker.check(page, "contact page with the Opgroeipunt panel as front_office")

    context.clear_cookies()
    _goto(page, base + reverse("opgroeipunt_public:form"))
    checker.check(page, "public intake form")
    page.locator("form.wf-form button[type=submit]").click()
    page.locator("[data-error-summary]").wait_for()
    checker.check(page, "public intake form with the error summary")
    page.locator('input[name="kind"][value="danger"]').check()
    page.locator('textarea[name="description"]').fill("Een kind is niet veilig.")
    page.locator('input[name="consent"]').check()
    page.locator("form.wf-form button[type=submit]").click()
    page.locator("[data-urgent-advice]").wait_for()
    checker.check(page, "public thanks page of a danger situation")
    context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_opgroeipunt_inspections_dashboard_filled_has_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """Issue 18 item 5: the inspections and enforcement dashboard with visits of both half
    years of 002's table, risk scores per team, tracks and cases (its charts and tables)."""
    from tests.opgroeipunt.test_dashboard_inspections import build_dashboard_world

    build_dashboard_world()
    lead = make_user("opgroeipunt_team_lead", "lead18")
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _log_in(context, live_server.url, lead)
    _goto(page, live_server.url + reverse("opgroeipunt:dashboard_inspections"))
    page.locator("[data-risk-bands]").wait_for()
    checker.check(page, "inspections dashboard with figures as the team lead")
    context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_opgroeipunt_sync_pages_have_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User], tmp_path: Path
) -> None:
    """Issue 18 item 1: the synchronisation's run log (a succeeded and a failed run, the team
    lead's start button and upload form) and a failed run's page with its rejections."""
    from kglijn.opgroeipunt.sync.services import sync_file

    lead = make_user("opgroeipunt_team_lead", "lead")
    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    sync_file(source="dossier", path=examples / "sync-dossier.csv")
    bad = tmp_path / "bezoeken.jsonl"
    bad.write_text('{"external_id": "V1"}\n{"external_id": "V2", "types": []}\n', "utf-8")
    failed = sync_file(source="inspection", path=bad)

    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _log_in(context, live_server.url, lead)
    for url, label in (
        (reverse("opgroeipunt:sync_runs"), "sync run log as team lead"),
        (reverse("opgroeipunt:sync_run", args=[failed.pk]), "failed sync run"),
    ):
        _goto(page, live_server.url + url)
        checker.check(page, label)
    context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


# --- Issue 18 items 3 and 4: the risk pages in their filled states ------------------------------


def test_opgroeipunt_risk_pages_have_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """The model page with its back-test and calibration chart, the re-screening list with an
    open proposal form, and a location page with its risk panel."""
    from kglijn.opgroeipunt.models import RiskScore
    from kglijn.opgroeipunt.risk.services import risk_model_train, risk_scores_compute
    from tests.opgroeipunt.risk_world import build_world as build_risk_world

    build_risk_world(n_locations=300, seed=7)
    risk_model_train(snapshots=2)
    risk_scores_compute()
    lead = make_user("opgroeipunt_team_lead", "lea")
    top = RiskScore.objects.select_related("location").get(rank=1)

    base = live_server.url
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _log_in(context, base, lead)
    for url in (
        reverse("opgroeipunt:risk_model"),
        f"{reverse('opgroeipunt:risk_list')}?band=high",
        reverse("opgroeipunt:location_detail", args=[top.location.external_id]),
    ):
        _goto(page, base + url)
        checker.check(page, f"{url} as team lead")
    _goto(page, base + reverse("opgroeipunt:risk_list"))
    page.locator("details summary").first.click()
    checker.check(page, "re-screening list with an open proposal form")
    context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_steering_contract_pages_have_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """Issue 19 items 1-3: the contract page, the version form, the monthly statement with its
    chart, the year with its extrapolation, the invoices list with the upload form and an
    invoice's check with differences."""
    import datetime as dt

    from kglijn.steering.contract.invoices import invoice_import
    from tests.contacts.factories import ContactFactory
    from tests.steering.contract_world import BRUSSELS, build_world, make_contract

    lead = make_user("team_lead", "lead")
    make_contract(by=lead, illustrative=True)
    build_world(seed=3, contacts=80, legs=40, last=dt.date(2023, 11, 15))
    at = dt.datetime(2023, 3, 6, 10, tzinfo=BRUSSELS)
    ContactFactory.create(received_at=at, answered_at=at)
    invoice = invoice_import(
        by=lead,
        month=dt.date(2023, 3, 1),
        reference="F-2023-03",
        file_name="f.csv",
        content=(
            b"code;omschrijving;aantal;eenheidsprijs;bedrag\n"
            b"contacts-phone-incoming;Oproepen;999;3,125;3121,88\n"
            b"fee-extra;Extra;1;10;10\n"
        ),
    )

    base = live_server.url
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _log_in(context, base, lead)
    for url in (
        reverse("steering:contract"),
        reverse("steering:contract_version_new"),
        f"{reverse('steering:statement')}?maand=2023-03",
        f"{reverse('steering:statement_year')}?jaar=2023",
        reverse("steering:invoices"),
        reverse("steering:invoice", args=[invoice.pk]),
    ):
        _goto(page, base + url)
        checker.check(page, f"{url} as team lead")
    context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_steering_forecast_page_has_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """Issue 19 item 4: the forecast page with a run (charts, back-test, open tables) and the
    empty state of a channel without one."""
    from kglijn.steering.forecast.services import forecast_run
    from tests.steering.test_forecast_history import TODAY, build_history

    build_history("phone")
    forecast_run(channel="phone", weeks=2, today=TODAY)
    lead = make_user("team_lead", "fclead")

    base = live_server.url
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _log_in(context, base, lead)
    url = reverse("steering:forecast")
    _goto(page, f"{base}{url}?channel=phone&day=2023-11-21")
    checker.check(page, "forecast page with a run")
    for summary in page.locator("details summary").all():
        summary.click()
    checker.check(page, "forecast page with its tables open")
    _goto(page, f"{base}{url}?channel=chat")
    checker.check(page, "forecast page without a run")
    context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_steering_staffing_page_has_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """The staffing page as team lead: basis, heat map (short, over, even and empty cells), day
    totals with the chart, the roster upload with its problems, the back offices' backlog."""
    import datetime as dt

    from kglijn.contacts.models import Channel, Direction
    from kglijn.core.business_calendar import BRUSSELS
    from kglijn.steering.models import ForecastPoint, ForecastRun, PlannedStaff, StaffPlan
    from kglijn.steering.staffing.need import coming_week

    monday = coming_week()
    run = ForecastRun.objects.create(
        channel=Channel.PHONE,
        history_from=monday - dt.timedelta(days=365),
        history_to=monday - dt.timedelta(days=1),
        forecast_from=monday,
        forecast_to=monday + dt.timedelta(days=6),
        method="axe",
    )
    plan = StaffPlan.objects.create(
        office=Office.FRONT, date_from=monday, date_to=monday + dt.timedelta(days=4)
    )
    for day in range(5):
        for half in range(24):
            moment = dt.datetime.combine(
                monday + dt.timedelta(days=day),
                dt.time(8 + half // 2, 30 * (half % 2)),
                tzinfo=BRUSSELS,
            )
            ForecastPoint.objects.create(run=run, slot_start=moment, contacts=40 + 10 * (half % 5))
            PlannedStaff.objects.create(
                plan=plan, office=Office.FRONT, slot_start=moment, agents=12 + half % 7
            )
    for days_ago in (0, 3, 9):
        Contact.objects.create(
            channel=Channel.EMAIL,
            direction=Direction.IN,
            office=Office.PGJO,
            received_at=timezone.now() - dt.timedelta(days=days_ago),
        )
    lead = make_user("team_lead", "lea")
    base = live_server.url
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _log_in(context, base, lead)
    _goto(page, base + reverse("steering:staffing"))
    checker.check(page, "staffing page (Erlang C)")
    _goto(page, base + reverse("steering:staffing") + "?model=erlang_a&patience=90&shrinkage=25")
    checker.check(page, "staffing page (Erlang A)")
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "rooster.csv",
                "mimeType": "text/csv",
                "buffer": b"datum;tijd;medewerkers\n2023-11-20;09:15;3\n",
            }
        ],
    )
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("[data-roster-problems]")).to_be_visible()
    checker.check(page, "staffing page with roster problems")
    context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_steering_reachability_dashboard_has_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """Issue 19 item 6 (s19-demo): the reachability dashboard with its headline, two charts and
    the table, at 1366 and 390 px, as the team lead."""
    from tests.steering.test_reachability_dashboard import plant_world

    plant_world()
    lead = make_user("team_lead", "lea")
    url = reverse("steering:reachability") + "?date_from=2023-11-13&date_to=2023-11-15"
    checker = Checker()
    for viewport in (WIDE, NARROW):
        context = browser.new_context(viewport=viewport, locale="nl-BE")
        page = context.new_page()
        page.set_default_timeout(10_000)
        _log_in(context, live_server.url, lead)
        _goto(page, live_server.url + url)
        checker.check(page, f"{url} at {viewport['width']} px")
        context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_campaigns_sampling_pages_have_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """Issue 20 (sampling): the campaign list, a campaign's page with a drawn sample and its
    stratum plan, the set-up form with its errors, the frame upload page with its errors and
    the sample table, as the team lead."""
    from kglijn.campaigns.sampling.services import sample_draw
    from tests.campaigns.sampling_world import campaign_make, frame_fill

    campaign = campaign_make(sample_size=12, strata_variables=["province"])
    frame_fill(campaign, {"BE-VAN": 20, "BE-VLI": 9, "": 4})
    sample_draw(campaign, now=timezone.now())
    draft = campaign_make(name="Organisatoren", version=campaign.version)
    lead = make_user("team_lead", "lead")

    base = live_server.url
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    _log_in(context, base, lead)
    for url in (
        reverse("campaigns:campaign_list"),
        reverse("campaigns:campaign_detail", args=[campaign.pk]),
        reverse("campaigns:campaign_sample", args=[campaign.pk]),
        reverse("campaigns:campaign_draw", args=[draft.pk]),
        reverse("campaigns:campaign_new"),
    ):
        _goto(page, base + url)
        checker.check(page, f"{url} as team lead")
    page.locator("form.stack button.button--primary").click()
    page.wait_for_load_state()
    expect(page.locator("[data-form-errors]")).to_be_visible()
    checker.check(page, "the set-up form with its errors")
    _goto(page, base + reverse("campaigns:frame_upload", args=[draft.pk]))
    checker.check(page, "the frame upload page")
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "kader.csv",
                "mimeType": "text/csv",
                "buffer": b"sleutel;email;province\nk1;geen-adres;BE-VAN\nk1;;BE-VLI\n",
            }
        ],
    )
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("[data-upload-errors]")).to_be_visible()
    checker.check(page, "the frame upload page with errors")
    context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_campaigns_questionnaire_pages_have_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """Issue 20 (questionnaire): the builder's version page and its item form with errors as the
    team lead, the phone form, and the respondent's first page (and one with an error summary,
    and the conditional question shown) with a real token, logged out."""
    from tests.campaigns.questionnaire_world import build_version, build_world

    world = build_world(units=1)
    draft = build_version("Concept")
    lead = make_user("team_lead", "lead")
    base = live_server.url
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(context, base, lead)
    for label, url in (
        ("builder version page", reverse("campaigns:version_detail", args=[draft.pk])),
        ("builder item form", reverse("campaigns:item_new", args=[draft.pk])),
        ("builder preview", reverse("campaigns:version_preview", args=[draft.pk])),
        ("phone list", reverse("campaigns:phone_list", args=[world.campaign.pk])),
        (
            "phone form",
            reverse("campaigns:phone_entry", args=[world.campaign.pk, world.units[0].pk]),
        ),
    ):
        _goto(page, base + url)
        checker.check(page, label)
    _goto(page, base + reverse("campaigns:item_new", args=[draft.pk]))
    page.locator("form.card button[type=submit]").click()
    page.locator(".form-errors").wait_for()
    checker.check(page, "builder item form with errors")

    context.clear_cookies()
    token_url = base + reverse("campaigns_public:questionnaire", args=[world.tokens[0][0]])
    _goto(page, token_url)
    checker.check(page, "respondent's first page")
    _goto(page, token_url + "?stap=3")
    page.locator("input[name='kanaal__choice'][value='geen']").check(force=True)
    page.locator(".survey-form button.button--primary").click()
    page.locator(".error-summary").wait_for()  # the overall score is required
    checker.check(page, "respondent's page with an error summary")
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_campaigns_analysis_pages_have_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """Issue 20 item 4 (s20-analysis): the results page of a weighted campaign with a previous
    one (overall score, themes with changes, the importance × satisfaction scatter drawn by
    charts.js with its crosshair, items, open answers with a group opened), as the team lead;
    and an unweighted campaign whose weighting failed."""
    from kglijn.campaigns.analysis.services import campaign_weights_compute
    from kglijn.campaigns.models import PopulationCount
    from tests.campaigns.analysis_world import NOW, build_campaign

    previous, _v1 = build_campaign(name="Ouders 2019", seed=5, shift=-0.6, n=120)
    campaign_weights_compute(previous, now=NOW)
    campaign, _v2 = build_campaign(name="Ouders 2023", seed=6, previous=previous, n=150)
    campaign_weights_compute(campaign, now=NOW)
    failed, _v3 = build_campaign(name="Organisatoren 2023", seed=7, n=40)
    PopulationCount.objects.create(campaign=failed, variable="age", category="3-4", count=0)
    PopulationCount.objects.filter(campaign=failed, variable="age", category="0-1").update(
        count=3990
    )
    PopulationCount.objects.create(campaign=failed, variable="age", category="4-5", count=10)
    campaign_weights_compute(failed, now=NOW)
    lead = make_user("team_lead", "lea")
    base = live_server.url
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(context, base, lead)
    _goto(page, base + reverse("campaigns:results", args=[campaign.pk]))
    expect(page.locator("canvas[data-chart=chart-matrix][data-rendered='1']")).to_have_count(1)
    expect(page.locator("canvas[data-chart=chart-themes][data-rendered='1']")).to_have_count(1)
    page.locator("details[data-group] summary").first.click()
    checker.check(page, "results of a weighted campaign with a previous one")
    _goto(page, base + reverse("campaigns:results", args=[failed.pk]))
    expect(page.locator("[data-weighting-errors]")).to_be_visible()
    checker.check(page, "results of a campaign whose weighting failed")
    context.close()
    assert errors == []
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_campaigns_monitoring_pages_have_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """Issue 20 (monitoring): the response page (totals, the strata chart with a flagged
    stratum, modes, drop-outs, representativeness) and the methodology page of a stratified,
    weighted campaign, and both pages of a bureau's campaign without a plan."""
    from tests.campaigns.monitoring_world import build_bureau_world, build_campaign_world

    lead = make_user("team_lead", "monlead")
    campaign = build_campaign_world(owner=lead).campaign
    bureau = build_bureau_world()
    analyst = make_user("analyst", "monanalyst")
    base = live_server.url
    checker = Checker()
    context = browser.new_context(viewport=WIDE, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(context, base, analyst)
    for subject in (campaign, bureau):
        for name in ("campaigns:response", "campaigns:methodology"):
            _goto(page, base + reverse(name, args=[subject.pk]))
            if name == "campaigns:response" and subject is campaign:
                expect(
                    page.locator('canvas[data-chart="chart-response-strata"]')
                ).to_have_attribute("data-rendered", "1")
            checker.check(page, f"{name} of {subject.name}")
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )


def test_campaigns_bureau_pages_have_no_axe_violations(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    """Issue 20 items 5-6 (bureau): the bureau's import page with margins loaded and with a
    rejected respondents file's errors shown, the actions of a next measurement beside the
    theme's change, the new-action and edit forms, and the overview with an overdue action, at
    1366 and 390 px, as the team lead."""
    import datetime as dt

    from kglijn.campaigns.bureau.services import margins_import, respondents_import
    from kglijn.campaigns.models import ImprovementAction
    from tests.campaigns.bureau_world import MARGINS, PLAN, bureau_campaign, respondents_csv

    lead = make_user("team_lead", "lea")
    first = bureau_campaign(name="Organisatoren 2022")
    margins_import(
        campaign=first,
        by=lead,
        margins=MARGINS.encode(),
        margins_name="m.csv",
        plan=PLAN.encode(),
        plan_name="p.csv",
    )
    respondents_import(campaign=first, by=lead, content=respondents_csv(), file_name="r.csv")
    second = bureau_campaign(first.version, name="Organisatoren 2025", previous=first)
    margins_import(campaign=second, by=lead, margins=MARGINS.encode(), margins_name="m.csv")
    respondents_import(campaign=second, by=lead, content=respondents_csv(), file_name="r.csv")
    action = ImprovementAction.objects.create(
        campaign=first,
        theme=first.version.themes.get(key="website"),
        theme_key="website",
        title="Nieuwe website",
        owner=lead,
        due_date=dt.date(2023, 3, 31),
    )
    base = live_server.url
    checker = Checker()
    for viewport in (WIDE, NARROW):
        context = browser.new_context(viewport=viewport, locale="nl-BE")
        page = context.new_page()
        page.set_default_timeout(10_000)
        _log_in(context, base, lead)
        for url in (
            reverse("campaigns:bureau_import", args=[first.pk]),
            reverse("campaigns:campaign_actions", args=[second.pk]),
            reverse("campaigns:campaign_actions", args=[first.pk]),
            reverse("campaigns:action_new", args=[first.pk]) + "?thema=website",
            reverse("campaigns:action_edit", args=[action.pk]),
            reverse("campaigns:action_list") + "?overdue=on",
        ):
            _goto(page, base + url)
            checker.check(page, f"{url} at {viewport['width']} px")
        _goto(page, base + reverse("campaigns:bureau_import", args=[first.pk]))
        page.set_input_files(
            "#id_respondents",
            files=[
                {
                    "name": "r.csv",
                    "mimeType": "text/csv",
                    "buffer": respondents_csv(["R1;fax;ja;;;Antwerpen;groep;11;9;7;8;ja;8;"]),
                }
            ],
        )
        page.get_by_role("button", name="Respondenten laden").click()
        expect(page.locator("[data-upload-errors]")).to_be_visible()
        checker.check(page, f"import page with errors at {viewport['width']} px")
        context.close()
    if checker.findings:
        pytest.fail(
            f"{len(checker.findings)} axe violations:\n"
            + "\n".join(str(finding) for finding in checker.findings),
            pytrace=False,
        )
