"""The monthly satisfaction page in a real Chromium: the charts paint, remarks page with htmx,
the Excel file downloads. Screenshots go to var/screenshots/."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from kglijn.contacts.models import Channel
from kglijn.core.models import AuditEvent
from kglijn.surveys.analysis.month import satisfaction_analysis
from kglijn.surveys.analysis.queries import (
    AnalysisFilters,
)
from tests.e2e.test_reports_browser import expect_drawn, shot
from tests.surveys.test_analysis import MARCH, World, at, build_world, contact_make, response_make

PASSWORD = "test-password-123"  # tests.conftest.PASSWORD, which build_world uses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: None) -> World:
    world = build_world()
    for index in range(12):  # more than a page of remarks in March
        contact = contact_make(received_at=at(2024, 3, 31, 21), channel=Channel.CHAT)
        response_make(contact, answered_at=at(2024, 3, 31, 21, index), remark=f"Chat {index}")
    return world


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def test_team_lead_reads_the_month_charts_and_remarks(
    page: Page, live_server, world: World, tmp_path: Path
) -> None:
    base = live_server.url
    log_in(page, base, "lead")

    # Given the reports' tabs, the lead opens the satisfaction tab and chooses March 2024
    page.goto(f"{base}/reports/dashboard/")
    page.get_by_role("link", name="Tevredenheid").click()
    expect(page).to_have_url(re.compile(r"/reports/satisfaction/$"))
    page.fill("#id_month", "2024-03")
    page.get_by_role("button", name="Tonen").click()

    # Then the four charts are painted and the key figures are those of the analysis
    expect(page.locator("h1")).to_have_text("Tevredenheid maart 2024")
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(4)
    for index in range(4):
        expect_drawn(canvases.nth(index))
    total = satisfaction_analysis(month=MARCH, filters=AnalysisFilters()).total
    expect(page.locator('[data-figure="responses"]')).to_have_text(str(total.responses))
    assert total.nps is not None
    nps = f"{total.nps:.1f}".replace(".", ",")
    expect(page.locator('[data-figure="nps"]')).to_have_text(nps)
    remarks = page.locator("[data-remark]")
    expect(remarks).to_have_count(20)
    expect(remarks.first).to_contain_text("Chat 11")  # the latest first
    shot(page, "satisfaction-month")

    # When the lead asks for the older remarks, only the remarks section changes (htmx)
    audits = AuditEvent.objects.count()
    with page.expect_response(re.compile(r"part=remarks")):
        page.get_by_role("link", name=re.compile("Ouder")).click()
    expect(page.locator("#remarks")).to_contain_text("Pagina 2 van 2")
    expect(page.locator("[data-remark]")).to_have_count(total.remarks - 20)
    expect_drawn(canvases.first)  # the charts were not replaced
    assert AuditEvent.objects.count() == audits + total.remarks - 20

    # When the lead narrows to chat, the charts are drawn again for that channel
    page.select_option("#id_channel", "chat")
    page.get_by_role("button", name="Tonen").click()
    expect(page).to_have_url(re.compile(r"channel=chat"))
    for index in range(4):
        expect_drawn(page.locator("canvas[data-chart]").nth(index))
    expect(page.locator("#table-channel tbody tr")).to_have_count(1)

    # And the Excel download holds the sheets of the analysis
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Excel")).click()
    target = tmp_path / "tevredenheid.xlsx"
    download_info.value.save_as(target)
    workbook = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    assert workbook.sheetnames[:2] == ["Toelichting", "Per kanaal"]
    channels = list(workbook["Per kanaal"].iter_rows(values_only=True))
    assert [row[0] for row in channels[1:]] == ["Chat", "Totaal"]


def test_an_empty_month_shows_dashes_and_still_draws(page: Page, live_server, world: World) -> None:
    log_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/reports/satisfaction/?month=2023-06")
    expect(page.locator('[data-figure="nps"]')).to_have_text("–")
    expect(page.locator("[data-remark]")).to_have_count(0)
    for index in range(2):  # the trend charts have axes even without answers
        expect(page.locator("canvas[data-chart]").nth(index)).to_have_attribute(
            "data-rendered", "1"
        )
    shot(page, "satisfaction-empty-month")
