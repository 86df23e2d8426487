"""The service-level workbook holds the page's two charts as native Excel charts (issue 16):
the service level per office (lines) and answered/abandoned/other calls (stacked columns)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
from django.utils import translation

from kglijn.servicelevels.exports import service_levels_xlsx
from kglijn.servicelevels.phone import Period, service_levels
from tests.telephony.calls import event, post

pytestmark = pytest.mark.django_db

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
MONDAY = dt.date(2023, 3, 6)


@pytest.fixture
def two_hours_of_calls(client, make_user) -> None:
    """Brussels 10:00: front one on time, one abandoned; PGJO one on time. 11:00: front one late."""
    make_user("front_office", "a1")
    make_user("pgjo_nurse", "n1")
    nine = dt.datetime(2023, 3, 6, 9, 0, tzinfo=dt.UTC)  # 10:00 in Brussels
    calls = [
        ("f1", "front", nine, 5, "answered", "a1"),
        ("f2", "front", nine + dt.timedelta(minutes=1), 30, "abandoned", None),
        ("p1", "pgjo", nine + dt.timedelta(minutes=5), 5, "answered", "n1"),
        ("f3", "front", nine + dt.timedelta(hours=1), 45, "answered", "a1"),
    ]
    events = []
    for call, queue, start, wait, outcome, agent in calls:
        events.append(event(f"{call}a", "offered", call, start, queue=queue))
        extra = {"agent": agent} if agent else {}
        events.append(event(f"{call}b", outcome, call, start + dt.timedelta(seconds=wait), **extra))
        if agent:
            events.append(event(f"{call}c", "ended", call, start + dt.timedelta(seconds=200)))
    assert post(client, events).status_code == 201


def _workbook(day: dt.date = MONDAY) -> bytes:
    with translation.override("nl-be"):
        return service_levels_xlsx(service_levels(date_from=day, date_to=day, period=Period.HOUR))


def _charts(content: bytes) -> list[ElementTree.Element]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        # our own workbook, just written: not untrusted XML
        return [ElementTree.fromstring(archive.read(name)) for name in names]  # noqa: S314


def _series(plot: ElementTree.Element) -> list[dict[str, str]]:
    return [
        {
            "name": ser.findtext(f"{C}tx/{C}strRef/{C}f") or "",
            "categories": ser.findtext(f"{C}cat/{C}strRef/{C}f") or "",
            "values": ser.findtext(f"{C}val/{C}numRef/{C}f") or "",
        }
        for ser in plot.findall(f"{C}ser")
    ]


def test_the_workbook_has_a_charts_sheet_with_the_pages_two_charts(two_hours_of_calls) -> None:
    content = _workbook()

    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Serviceniveau", "Grafieken", "E-mail"]
    rows = list(book["Grafieken"].iter_rows(min_row=4, values_only=True))
    # the figures the charts draw: periods, service level of each office with calls, outcomes
    assert rows[0] == (
        "Periode",
        "Frontoffice (%)",
        "Backoffice PGJO (%)",
        "Beantwoord",
        "Verlaten",
        "Andere",
    )
    assert rows[1] == ("06/03/2023 10:00", 50.0, 100.0, 2, 1, 0)
    assert rows[2] == ("06/03/2023 11:00", 0.0, None, 1, 0, 0)  # PGJO: no calls, no point

    line, columns = _charts(content)
    line_plot = line.find(f"{C}chart/{C}plotArea/{C}lineChart")
    assert line_plot is not None
    assert _series(line_plot) == [
        {
            "name": "Grafieken!$B$4",
            "categories": "Grafieken!$A$5:$A$6",
            "values": "Grafieken!$B$5:$B$6",
        },
        {
            "name": "Grafieken!$C$4",
            "categories": "Grafieken!$A$5:$A$6",
            "values": "Grafieken!$C$5:$C$6",
        },
    ]
    assert "Serviceniveau per afdeling" in ElementTree.tostring(line, encoding="unicode")
    assert line.find(f"{C}chart/{C}dispBlanksAs") is None  # blanks: gaps, Excel's default

    bar_plot = columns.find(f"{C}chart/{C}plotArea/{C}barChart")
    assert bar_plot is not None
    assert bar_plot.find(f"{C}barDir").get("val") == "col"  # type: ignore[union-attr]
    assert bar_plot.find(f"{C}grouping").get("val") == "stacked"  # type: ignore[union-attr]
    assert [(s["name"], s["values"]) for s in _series(bar_plot)] == [
        ("Grafieken!$D$4", "Grafieken!$D$5:$D$6"),
        ("Grafieken!$E$4", "Grafieken!$E$5:$E$6"),
        ("Grafieken!$F$4", "Grafieken!$F$5:$F$6"),
    ]
    assert "Oproepen, alle afdelingen" in ElementTree.tostring(columns, encoding="unicode")


def test_without_calls_there_is_no_charts_sheet(db) -> None:
    content = _workbook()

    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == [
        "Serviceniveau",
        "E-mail",
    ]
    assert _charts(content) == []
