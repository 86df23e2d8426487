"""The satisfaction page at 1366 px: no sideways page scroll, every column of the breakdowns in
view (it was 1,399 px wide with promoters, passives and detractors cut off)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_satisfaction_browser import log_in
from tests.e2e.test_satisfaction_browser import world as world  # the fixture
from tests.surveys.test_analysis import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_satisfaction_page_fits_1366_px(page: Page, live_server, world: World) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, base, "lead")

    page.goto(f"{base}/reports/satisfaction/?month=2024-03")
    expect(page.locator("h1")).to_have_text("Tevredenheid maart 2024")

    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # Every table sits in its own focusable, labelled scroll box; the page never scrolls sideways.
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('main table')].map(table => {
            const box = table.parentElement;
            return {id: table.id, scroll: box.classList.contains('table-scroll'),
                    tabindex: box.getAttribute('tabindex'), role: box.getAttribute('role'),
                    label: (document.getElementById(box.getAttribute('aria-labelledby')) || {})
                           .textContent || '',
                    fits: table.getBoundingClientRect().width <= box.clientWidth + 1};
        })"""
    )
    tables = {"changes", "table-channel", "table-office", "table-team", "table-trend"}
    assert {box["id"] for box in boxes} >= tables | {"distribution", "distribution-nps"}
    for box in boxes:
        assert (box["scroll"], box["tabindex"], box["role"]) == (True, "0", "region"), box
        assert box["label"].strip(), box
    # The breakdowns fit whole: promoters, passives and detractors are in view.
    for key in ("channel", "office", "team"):
        assert next(box for box in boxes if box["id"] == f"table-{key}")["fits"], key
        header = page.locator(f'#table-{key} th[data-col="nps-groups"]')
        expect(header).to_have_text("Promotors / passieven / criticasters")
        header.scroll_into_view_if_needed()
        edge = header.bounding_box()
        assert edge is not None
        assert edge["x"] + edge["width"] <= 1366
    row = page.locator("#table-channel tbody tr").first
    expect(row.locator("td").last).to_have_text(re.compile(r"^\d+ / \d+ / \d+$"))
