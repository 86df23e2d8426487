"""Call measures in the report builder: the service levels of the call legs, per office and period.

Calls are posted through the telephony webhook; the builder must equal service_levels()' own
figures and recompute rates over longer periods from their components (never average them).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kglijn.reports.builder import InvalidReport, ReportDefinition, report_run
from kglijn.reports.builder.exports import report_csv
from kglijn.servicelevels.phone import service_levels
from tests.conftest import PASSWORD
from tests.telephony.calls import BRUSSELS, event, post

pytestmark = pytest.mark.django_db

FIRST = dt.date(2023, 1, 1)
LAST = dt.date(2023, 12, 31)


class Calls:
    """Posts small calls through the webhook, numbering their ids."""

    def __init__(self) -> None:
        self.client = Client()
        self.n = 0

    def _ids(self) -> tuple[str, str]:
        self.n += 1
        return f"bc{self.n}", f"bc{self.n}-"

    def answered(self, start: dt.datetime, wait: float, *, queue: str = "front") -> None:
        call, e = self._ids()
        agent = "a1" if queue == "front" else "n1"
        t1 = start + dt.timedelta(seconds=wait)
        events = [
            event(e + "1", "offered", call, start, queue=queue),
            event(e + "2", "answered", call, t1, agent=agent),
            event(e + "3", "ended", call, t1 + dt.timedelta(seconds=120)),
        ]
        assert post(self.client, events).status_code == 201

    def abandoned(self, start: dt.datetime, wait: float, *, queue: str = "front") -> None:
        call, e = self._ids()
        events = [
            event(e + "1", "offered", call, start, queue=queue),
            event(e + "2", "abandoned", call, start + dt.timedelta(seconds=wait)),
        ]
        assert post(self.client, events).status_code == 201


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2023, month, day, hour, minute, tzinfo=BRUSSELS)


@pytest.fixture
def calls(make_user: Any) -> Calls:
    """Front office: January 1 of 1 within 20 s (100 %), February 1 of 3 (33.33 %) plus a short
    abandon (left out) and a real one; pgjo: January 2 of 2, March 0 of 1."""
    make_user("front_office", "a1")
    make_user("pgjo_nurse", "n1")
    book = Calls()
    book.answered(at(1, 10, 9), 10)  # a Tuesday
    book.answered(at(2, 14, 9), 10)  # a Tuesday
    book.answered(at(2, 14, 10), 60)
    book.abandoned(at(2, 15, 10), 2)  # short abandon: in nothing
    book.abandoned(at(2, 15, 11), 30)  # abandoned: offered, not answered
    book.answered(at(1, 11, 14), 5, queue="pgjo")
    book.answered(at(1, 11, 15), 15, queue="pgjo")
    book.answered(at(3, 1, 9), 45, queue="pgjo")
    return book


def _run(measure: str, *dimensions: str, **kwargs: Any) -> Any:
    return report_run(
        definition=ReportDefinition(
            measure=measure, dimensions=dimensions, date_from=FIRST, date_to=LAST, **kwargs
        )
    )


def test_service_level_by_month_and_office_equals_service_levels(calls: Calls) -> None:
    report = service_levels(date_from=FIRST, date_to=LAST, period="month")
    measures = {
        "offered_calls": lambda row: float(row.offered),
        "answered_calls": lambda row: float(row.answered),
        "abandoned_calls": lambda row: float(row.abandoned),
        "service_level": lambda row: round(row.service_level_pct, 2),
        "asa": lambda row: round(row.asa_seconds, 2) if row.answered else None,
    }
    for measure, figure in measures.items():
        result = _run(measure, "month", "office")
        assert result.row_keys == list(range(1, 13))
        seen = 0
        for office, rows in report.rows.items():
            for row in rows:
                value = result.values[result.row_keys.index(row.start.month)][
                    result.column_keys.index(office)
                ]
                assert value == figure(row), (measure, office, row.start)
                seen += 1
        assert seen == 4  # front Jan + Feb, pgjo Jan + Mar
    # Explicit figures, so the comparison above cannot pass on two wrong sides.
    result = _run("service_level", "month", "office")
    front, pgjo = result.column_keys.index("front"), result.column_keys.index("pgjo")
    assert result.values[0][front] == 100.0
    assert result.values[1][front] == 33.33  # 1 of 3: the short abandon is not offered
    assert result.values[0][pgjo] == 100.0
    assert result.values[2][pgjo] == 0.0
    assert result.values[3][front] is None  # April: nothing offered, no rate
    offered = _run("offered_calls", "month", "office")
    assert offered.values[1][front] == 3.0
    assert _run("abandoned_calls", "month", "office").values[1][front] == 1.0


def test_year_total_is_recomputed_from_the_components_not_averaged(calls: Calls) -> None:
    result = _run("service_level", "year", "office", filters={"office": ("front",)})

    assert result.column_keys == ["front"]
    # January 100 %, February 33.33 %: their mean is 66.67 %, but 2 of 4 offered were in time.
    assert result.values == [[50.0]]
    assert result.total == 50.0
    # Per month, the total over both offices: Jan 3 of 3, Feb 1 of 3, Mar 0 of 1 -> 4 of 7.
    by_month = _run("service_level", "month", "office")
    assert by_month.total == round(100 * 4 / 7, 2)
    assert by_month.row_totals[0] == 100.0
    front = by_month.column_keys.index("front")
    assert by_month.column_totals[front] == 50.0
    # ASA: (10 + 10 + 60 + 5 + 15 + 45) / 6 answered, not a mean of monthly means.
    asa = _run("asa", "year")
    assert asa.values == [[round(145 / 6, 2)]]
    assert asa.total == round(145 / 6, 2)
    assert asa.count_total == 7  # offered


def test_weekday_and_hour_use_days_and_hours(calls: Calls) -> None:
    weekday = _run("service_level", "weekday")
    tuesday = weekday.row_keys.index(2)
    assert weekday.values[tuesday] == [66.67]  # Jan 10 and Feb 14: 2 of 3 (the 60 s one late)
    # Wednesdays Jan 11 (2 of 2), Feb 15 (0 of 1, the short abandon left out), Mar 1 (0 of 1).
    wednesday = weekday.row_keys.index(3)
    assert weekday.values[wednesday] == [50.0]
    hour = _run("answered_calls", "hour", "office")
    assert hour.row_keys == list(range(9, 16))
    nine = hour.row_keys.index(9)
    assert hour.values[nine][hour.column_keys.index("front")] == 2.0
    assert hour.values[nine][hour.column_keys.index("pgjo")] == 1.0
    assert hour.total == 6.0


def test_other_dimensions_and_filters_are_refused(calls: Calls) -> None:
    with translation.override("en"):
        with pytest.raises(InvalidReport) as refused:
            _run("service_level", "month", "province")
        assert refused.value.errors == {
            "dimensions": [
                "Service level (%) cannot be combined with province: call measures can be "
                "broken down only by year, quarter, month, weekday, hour and office."
            ]
        }
        with pytest.raises(InvalidReport) as refused:
            _run("offered_calls", "month", filters={"channel": ("phone",)})
        assert refused.value.errors == {
            "filters": [
                "Offered calls cannot be filtered on channel: call measures can be filtered "
                "only by office."
            ]
        }


def test_builder_page_offers_and_shows_the_call_measures(
    client: Any, analyst: User, calls: Calls
) -> None:
    assert client.login(username=analyst.username, password=PASSWORD)
    client.post(reverse("set_language"), {"language": "en"})

    page = client.get(reverse("reports:builder")).content.decode()
    assert 'value="service_level"' in page
    assert "Service level (%)" in page

    query = urlencode(
        {
            "measure": "service_level",
            "dim1": "year",
            "dim2": "office",
            "date_from": FIRST.isoformat(),
            "date_to": LAST.isoformat(),
        }
    )
    response = client.get(f"{reverse('reports:builder')}?{query}")
    assert response.status_code == 200
    result = response.context["result"]
    assert result.values[0][result.column_keys.index("front")] == 50.0
    assert response.context["chart"]["percent"] is True
    html = response.content.decode()
    assert "50.00%" in html
    assert "Service level = answered within the target time" in html

    refused = urlencode(
        {
            "measure": "service_level",
            "dim1": "month",
            "dim2": "province",
            "date_from": FIRST.isoformat(),
            "date_to": LAST.isoformat(),
        }
    )
    response = client.get(f"{reverse('reports:builder')}?{refused}")
    assert response.context["result"] is None
    assert "Service level (%) cannot be combined with province" in response.content.decode()

    csv = client.get(f"{reverse('reports:builder_csv')}?{query}")
    assert csv.status_code == 200
    lines = csv.content.decode().splitlines()
    assert lines[1].startswith("2023,50.00,")
    assert report_csv(result).splitlines()[1] == lines[1]
    assert lines[1].split(",")[3] == ""  # childcare: no calls, so no rate (not 0 %)

    xlsx = client.get(f"{reverse('reports:builder_xlsx')}?{query}")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Rapport"]
    year_row = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "2023")
    assert year_row[1:5] == (50.0, round(200 / 3, 2), None, round(400 / 7, 2))
