"""Satisfaction measures in the report builder (builder/surveys.py): survey responses, average
score per criterion and NPS by year, quarter, month, channel and office — equal to a plain
computation from the stored answers, totals recomputed from counts and sums, never averaged."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kglijn.contacts.models import Channel, Office
from kglijn.core.business_calendar import BRUSSELS
from kglijn.reports.builder import InvalidReport, ReportDefinition, report_run
from kglijn.reports.builder.measures import MEASURES, SURVEY_MEASURE_KEYS
from kglijn.surveys.models import SurveyResponse
from tests.conftest import PASSWORD
from tests.surveys.test_analysis import at, contact_make, response_make

pytestmark = pytest.mark.django_db

FIRST = dt.date(2023, 1, 1)
LAST = dt.date(2023, 12, 31)
MEASURE_CRITERION = {
    "survey_waiting_time": "waiting_time",
    "survey_courtesy": "courtesy",
    "survey_information": "information",
    "survey_nps": "recommendation",
}


def run(measure: str, *dimensions: str, **kwargs: Any) -> Any:
    kwargs.setdefault("date_from", FIRST)
    kwargs.setdefault("date_to", LAST)
    return report_run(definition=ReportDefinition(measure=measure, dimensions=dimensions, **kwargs))


@pytest.fixture
def answers(db: None) -> None:
    """150 random answers in 2023 on every channel and office, with NULLs; some outside."""
    rng = random.Random(3)
    start = at(2022, 12, 20, 0)
    span = (at(2024, 1, 10, 0) - start).total_seconds()
    for _index in range(150):
        moment = start + dt.timedelta(seconds=rng.uniform(0, span))
        contact = contact_make(
            received_at=moment,
            channel=rng.choice(list(Channel)),
            office=rng.choice(list(Office)),
        )
        scores = {
            "waiting_time": rng.randint(1, 5),
            "courtesy": rng.randint(1, 5),
            "information": rng.randint(1, 5),
            "recommendation": rng.randint(0, 10),
        }
        scores = {k: (None if rng.random() < 0.2 else v) for k, v in scores.items()}
        response_make(contact, answered_at=moment + dt.timedelta(minutes=5), **scores)


def reference(
    measure: str, key: Any, *, dimensions: tuple[str, ...], offices: tuple[str, ...] = ()
) -> tuple[int, float | None]:
    """(count, value) of one cell from a plain loop over the stored answers."""
    chosen = []
    for response in SurveyResponse.objects.select_related("contact"):
        local = response.answered_at.astimezone(BRUSSELS)
        if not FIRST <= local.date() <= LAST:
            continue
        if offices and response.contact.office not in offices:
            continue
        parts = {
            "year": local.year,
            "quarter": (local.month - 1) // 3 + 1,
            "month": local.month,
            "channel": response.channel,
            "office": response.contact.office,
        }
        if tuple(parts[name] for name in dimensions) == key:
            chosen.append(response)
    if measure == "survey_responses":
        return len(chosen), float(len(chosen))
    criterion = MEASURE_CRITERION[measure]
    values = [getattr(r, criterion) for r in chosen if getattr(r, criterion) is not None]
    if not values:
        return 0, None
    if measure == "survey_nps":
        nps = 100 * (sum(v >= 9 for v in values) - sum(v <= 6 for v in values)) / len(values)
        return len(values), round(nps, 2)
    return len(values), round(sum(values) / len(values), 2)


def test_the_measures_are_offered_by_the_builder() -> None:
    keys = [key for key, _label in MEASURES]
    assert [key for key in keys if key in SURVEY_MEASURE_KEYS] == [
        "survey_responses",
        "survey_waiting_time",
        "survey_courtesy",
        "survey_information",
        "survey_nps",
    ]


def test_every_cell_equals_the_stored_answers(answers: None) -> None:
    checked = 0
    for measure in sorted(SURVEY_MEASURE_KEYS):
        for dimensions in (("month", "channel"), ("quarter", "office"), ("channel", "office")):
            result = run(measure, *dimensions)
            for i, row_key in enumerate(result.row_keys):
                for j, column_key in enumerate(result.column_keys):
                    count, value = reference(measure, (row_key, column_key), dimensions=dimensions)
                    assert result.counts[i][j] == count, (measure, dimensions, row_key, column_key)
                    assert result.values[i][j] == value, (measure, dimensions, row_key, column_key)
                    checked += 1
            # Row totals over the columns are the row's own reference, recomputed.
            for i, row_key in enumerate(result.row_keys):
                count, value = reference(measure, (row_key,), dimensions=dimensions[:1])
                assert (result.count_row_totals[i], result.row_totals[i]) == (count, value)
            count, value = reference(measure, (), dimensions=())
            assert (result.count_total, result.total) == (count, value)
    assert checked == 5 * (12 * 3 + 4 * 3 + 3 * 3)
    assert SurveyResponse.objects.count() == 150
    assert run("survey_responses", "year").count_total < 150  # some fall outside 2023


def test_office_filter_and_year(answers: None) -> None:
    result = run("survey_nps", "year", filters={"office": ("pgjo",)})
    count, value = reference("survey_nps", (2023,), dimensions=("year",), offices=("pgjo",))
    assert result.row_keys == [2023]
    assert (result.counts, result.values) == ([[count]], [[value]])
    assert count > 5


def test_totals_are_recomputed_from_counts_not_averaged(db: None) -> None:
    # January: one answer, courtesy 5 and a promoter. February: three answers, courtesy 1,
    # detractors. Monthly: 5.0 / 1.0 and NPS +100 / −100.
    contact = contact_make(received_at=at(2023, 1, 10))
    response_make(contact, answered_at=at(2023, 1, 10), courtesy=5, recommendation=10)
    for day in (1, 2, 3):
        contact = contact_make(received_at=at(2023, 2, day))
        response_make(contact, answered_at=at(2023, 2, day), courtesy=1, recommendation=0)

    by_month = run("survey_courtesy", "month", date_to=dt.date(2023, 2, 28))
    assert by_month.values == [[5.0], [1.0]]
    assert by_month.total == 2.0  # (5 + 1 + 1 + 1) / 4, not (5 + 1) / 2 = 3
    assert by_month.count_total == 4
    year = run("survey_courtesy", "year")
    assert year.values == [[2.0]]
    nps = run("survey_nps", "month", "channel", date_to=dt.date(2023, 2, 28))
    phone = nps.column_keys.index("phone")
    assert [row[phone] for row in nps.values] == [100.0, -100.0]
    assert nps.total == -50.0  # (1 promoter − 3 detractors) / 4, not the mean 0
    assert nps.column_totals[phone] == -50.0
    assert nps.row_totals == [100.0, -100.0]
    email = nps.column_keys.index("email")
    assert [row[email] for row in nps.values] == [None, None]  # no answers: no value, not 0
    assert nps.column_totals[email] is None


def test_partial_answers_count_for_what_they_answered(db: None) -> None:
    contact = contact_make(received_at=at(2023, 5, 2))
    response_make(contact, answered_at=at(2023, 5, 2), waiting_time=4)  # hung up after 1
    contact = contact_make(received_at=at(2023, 5, 3))
    response_make(contact, answered_at=at(2023, 5, 3), waiting_time=2, recommendation=9)

    assert run("survey_responses", "year").values == [[2.0]]
    assert run("survey_waiting_time", "year").values == [[3.0]]
    nps = run("survey_nps", "year")
    assert (nps.values, nps.count_total) == ([[100.0]], 1)
    assert run("survey_courtesy", "year").values == [[None]]


def test_brussels_days_decide_the_period(db: None) -> None:
    contact = contact_make(received_at=at(2023, 12, 31, 23, 30))
    # 23:50 in Brussels on 31 December is 22:50 UTC: 2023, not 2024.
    response_make(contact, answered_at=at(2023, 12, 31, 23, 50), recommendation=10)
    contact = contact_make(received_at=at(2024, 1, 1, 0, 10))
    response_make(contact, answered_at=at(2024, 1, 1, 0, 20), recommendation=0)

    assert run("survey_nps", "month").values[11] == [100.0]
    result = run("survey_nps", "year", date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 1, 1))
    assert result.values == [[-100.0]]


@pytest.mark.parametrize(
    ("dimensions", "filters", "field", "message"),
    [
        (
            ("province",),
            {},
            "dimensions",
            "NPS (−100 to +100) cannot be combined with province: satisfaction measures can be "
            "broken down only by year, quarter, month, channel and office.",
        ),
        (("hour",), {}, "dimensions", "cannot be combined with hour"),
        (("month",), {"topic": ("childcare",)}, "filters", "cannot be filtered on domain"),
    ],
)
def test_other_dimensions_are_refused(
    db: None, dimensions: tuple[str, ...], filters: dict, field: str, message: str
) -> None:
    definition = ReportDefinition(
        measure="survey_nps", dimensions=dimensions, filters=filters, date_from=FIRST, date_to=LAST
    )
    with translation.override("en"), pytest.raises(InvalidReport) as caught:
        report_run(definition=definition)
    assert field in caught.value.errors
    assert any(message in text for text in caught.value.errors[field])


def test_builder_page_and_excel_show_a_survey_measure(db: None, analyst: User) -> None:
    contact = contact_make(received_at=at(2023, 3, 1))
    response_make(contact, answered_at=at(2023, 3, 1), courtesy=4)
    contact = contact_make(received_at=at(2023, 3, 2), channel=Channel.CHAT)
    response_make(contact, answered_at=at(2023, 3, 2), courtesy=3)
    client = Client()
    assert client.login(username=analyst.username, password=PASSWORD)
    query = {
        "measure": "survey_courtesy",
        "dim1": "month",
        "dim2": "channel",
        "date_from": "2023-01-01",
        "date_to": "2023-12-31",
    }

    page = client.get(reverse("reports:builder"), query)

    assert page.status_code == 200
    result = page.context["result"]
    assert result.total == 3.5
    assert page.context["chart"]["decimals"] == 2
    html = page.content.decode()
    assert "Gemiddelde score beleefdheid (1–5)" in html
    assert "3,50" in html
    xlsx = client.get(reverse("reports:builder_xlsx"), query)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Rapport"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "Maart"]
    assert rows == [("Maart", 4.0, None, 3.0, 3.5)]
    empty = client.get(reverse("reports:builder"), {**query, "date_to": "2023-01-31"})
    assert "Geen antwoorden op de tevredenheidsbevraging voldoen" in empty.content.decode()
