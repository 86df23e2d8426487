"""Report builder and dashboard in a real Chromium: charts are drawn, the Excel file downloads.

Runs against pytest-django's live server with Debian's Chromium; it fails (never skips) when
Chromium is missing. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.reports.builder import ReportDefinition, report_run
from kglijn.reports.models import SavedReport
from tests.e2e.conftest import SCREENSHOTS
from tests.reports.test_builder import register_random_contacts, seed_catalogues

PASSWORD = "browser-test-pass-1"

# Painted (non-transparent) pixels of a canvas: 0 when Chart.js drew nothing.
PAINTED_PIXELS = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
  return painted;
}"""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def data(transactional_db: None) -> None:
    """Transactional tests flush the tables: seed catalogues and contacts of this and last year."""
    seed_catalogues()
    today = timezone.localdate()
    register_random_contacts(180, seed=11, first=dt.date(today.year - 1, 1, 1), last=today)


@pytest.fixture
def analyst(transactional_db: None) -> User:
    roles_sync()
    return user_create_with_role(
        username="analyst", password=PASSWORD, role_slug="analyst", first_name="Ann"
    )


def shot(page: Page, name: str) -> None:
    """A whole-page screenshot. The viewport is first grown to the page's height: a full_page
    capture resizes it on the fly, and responsive charts redraw half-way through that."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    assert viewport is not None
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": height})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    page.set_viewport_size(viewport)


def log_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/login/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def expect_drawn(canvas: Locator) -> None:
    expect(canvas).to_have_attribute("data-rendered", "1")
    box = canvas.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 100
    assert canvas.evaluate(PAINTED_PIXELS) > 1000


def test_analyst_builds_a_report_and_downloads_excel(
    page: Page, live_server, analyst: User, tmp_path: Path
) -> None:
    base = live_server.url
    log_in(page, base, analyst)
    year = timezone.localdate().year

    # Given the builder's default report (month x channel, this year): a line chart is drawn
    page.goto(f"{base}/reports/builder/")
    expect(page.locator("h1")).to_have_text(re.compile("Rapport|Report"))
    expect_drawn(page.locator("#builder-chart"))
    shot(page, "reports-builder-default")

    # When the analyst changes the rows to province and the columns to direction (htmx)
    with page.expect_response(re.compile(r"/reports/builder/\?")):
        page.select_option("#id_dim1", "province")
    with page.expect_response(re.compile(r"/reports/builder/\?")):
        page.select_option("#id_dim2", "direction")

    # Then the table and a stacked bar chart show the new breakdown, without a page reload
    table = page.locator("#builder-table")
    expect(table.locator("thead th").first).to_contain_text("Provincie")
    expect(table.locator("tbody tr")).to_have_count(13)  # 11 provinces, not registered, total
    expect(page).to_have_url(re.compile(r"dim1=province"))
    expect_drawn(page.locator("#builder-chart"))
    result = report_run(
        definition=ReportDefinition(
            dimensions=("province", "direction"),
            date_from=dt.date(year, 1, 1),
            date_to=timezone.localdate(),
        )
    )
    expect(table.locator("tr.total td").last).to_have_text(f"{result.count_total}")
    shot(page, "reports-builder-province-direction")

    # Back and forward through the htmx history redraw the chart
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"dim2=direction"))
    expect_drawn(page.locator("#builder-chart"))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"dim2=direction"))
    expect_drawn(page.locator("#builder-chart"))

    # When they download the Excel file
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Excel")).click()
    target = tmp_path / "report.xlsx"
    download_info.value.save_as(target)

    # Then it holds the same numbers and a native chart
    content = target.read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Rapport"]
    rows = list(sheet.iter_rows(values_only=True))
    totals = next(row for row in rows if row[0] == "Totaal")
    assert list(totals[1:4]) == [*result.count_column_totals, result.count_total]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "xl/charts/chart1.xml" in archive.namelist()

    # When they save it under a name, it is listed among the saved reports
    page.fill("#id_save_name", "Provincies per richting")
    page.locator("#id_save_name").press("Enter")
    expect(page.get_by_role("link", name="Provincies per richting")).to_be_visible()
    assert SavedReport.objects.get().owner == analyst
    saved = page.locator("section[aria-labelledby=h-saved]")
    expect(saved.get_by_role("link", name=re.compile("parlement|parliament"))).to_be_visible()
    shot(page, "reports-builder-saved")


def test_unanswerable_combination_is_explained(page: Page, live_server, analyst: User) -> None:
    base = live_server.url
    log_in(page, base, analyst)
    page.goto(f"{base}/reports/builder/")
    expect_drawn(page.locator("#builder-chart"))

    with page.expect_response(re.compile(r"/reports/builder/\?")):
        page.select_option("#id_dim1", "hour")
    with page.expect_response(re.compile(r"/reports/builder/\?")):
        page.select_option("#id_dim2", "province")

    alert = page.locator("#builder-result [role=alert]")
    expect(alert).to_contain_text(re.compile("(Uur|Hour).*(provincie|province)"))
    expect(page.locator("#builder-chart")).to_have_count(0)
    shot(page, "reports-builder-refused")


def test_dashboard_charts_render(page: Page, live_server, analyst: User) -> None:
    base = live_server.url
    log_in(page, base, analyst)

    page.goto(f"{base}/reports/dashboard/")

    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(6)
    for index in range(6):
        expect_drawn(canvases.nth(index))
    shot(page, "reports-dashboard")
