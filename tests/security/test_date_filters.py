"""Every staff page with a date filter answers hostile dates with a message, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation

from kglijn.core.dates import (
    BoundedDateField,
    last_date,
    parse_bounded_date,
    span_error,
)

WINDOW = "Choose a date between 01/01/2000 and"
MONTH_WINDOW = "Choose a month between 01/2000 and"

# (url, the message the page must show); "" where the page silently keeps its own default.
HOSTILE = [
    ("/desk/contacts/search/?date_from=0001-01-01&date_to=9999-12-31", WINDOW),
    ("/desk/contacts/search/?date_from=9999-12-31", WINDOW),
    ("/desk/contacts/search/?date_to=0001-01-01", WINDOW),
    ("/telephony/service-levels/?period=hour&date_from=9999-12-30&date_to=9999-12-31", WINDOW),
    ("/telephony/service-levels/?period=month&date_from=0001-01-01&date_to=0001-12-31", WINDOW),
    ("/telephony/service-levels/?period=day&date_from=0001-01-01&date_to=0001-01-01", WINDOW),
    ("/telephony/service-levels/?period=hour&date_from=2024-01-01&date_to=2024-12-31", "31"),
    (
        "/telephony/service-levels/serviceniveau.xlsx"
        "?period=hour&date_from=9999-12-30&date_to=9999-12-31",
        WINDOW,
    ),
    ("/reports/?from=0001-01-01&to=9999-12-31", WINDOW),
    ("/reports/?from=9999-01-01&to=9999-12-31", WINDOW),
    ("/reports/yearly.csv?from=9999-01-01&to=9999-12-31", ""),
    (
        "/reports/builder/?measure=contacts&dim1=month&date_from=0001-01-01&date_to=0001-12-31",
        WINDOW,
    ),
    (
        "/reports/builder/?measure=contacts&dim1=month&date_from=9999-01-01&date_to=9999-12-31",
        WINDOW,
    ),
    ("/reports/builder/?measure=calls&dim1=hour&date_from=9999-01-01&date_to=9999-12-31", WINDOW),
    (
        "/reports/builder/report.csv"
        "?measure=contacts&dim1=month&date_from=9999-01-01&date_to=9999-12-31",
        "",
    ),
    ("/reports/dashboard/?year=9999", ""),
    ("/reports/satisfaction/?month=9999-12", "Choose this month or an earlier one."),
    ("/reports/satisfaction/?month=0001-01", "Choose a month from 2000 onwards."),
    ("/feedback/teams/?month=9999-12", MONTH_WINDOW),
    ("/feedback/teams/?month=0001-01", MONTH_WINDOW),
    ("/feedback/teams/?month=0000-01", MONTH_WINDOW),
    ("/feedback/teams/feedback-lokale-teams.xlsx?month=9999-12", ""),
]


@pytest.fixture
def staff(admin_client: Client) -> Client:
    admin_client.cookies["django_language"] = "en"
    return admin_client


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "message"), HOSTILE)
def test_hostile_dates_give_a_message_never_a_server_error(
    staff: Client, url: str, message: str
) -> None:
    response = staff.get(url)
    assert response.status_code in {200, 400}, (url, response.status_code)
    if message:
        assert message in response.content.decode(), url


@pytest.mark.django_db
def test_the_message_is_dutch_for_dutch_staff(admin_client: Client) -> None:
    admin_client.cookies["django_language"] = "nl"
    response = admin_client.get("/desk/contacts/search/?date_from=0001-01-01")
    assert response.status_code == 200
    assert "Kies een datum tussen 01/01/2000 en" in response.content.decode()


@translation.override("en")
def test_bounded_field_accepts_the_window_and_nothing_outside() -> None:
    field = BoundedDateField(required=False)
    today = timezone.localdate()
    assert field.clean("2000-01-01") == dt.date(2000, 1, 1)
    assert field.clean(last_date().isoformat()) == last_date()
    assert field.clean("") is None
    for value in ("1999-12-31", (today + dt.timedelta(days=367)).isoformat(), "9999-12-31"):
        with pytest.raises(Exception, match="Choose a date between"):
            field.clean(value)


@translation.override("en")
def test_parse_bounded_date_falls_back_with_a_message() -> None:
    default = dt.date(2020, 1, 1)
    assert parse_bounded_date("2021-03-04", default=default) == (dt.date(2021, 3, 4), None)
    assert parse_bounded_date("", default=default) == (default, None)
    value, error = parse_bounded_date("0001-01-01", default=default)
    assert value == default
    assert error
    assert "Choose a date between" in error
    value, error = parse_bounded_date("morgen", default=default)
    assert value == default
    assert error
    assert "is not a date" in error


def test_span_error() -> None:
    first = dt.date(2024, 1, 1)
    assert span_error(date_from=first, date_to=first, max_days=1) is None
    assert span_error(date_from=first, date_to=first + dt.timedelta(days=1), max_days=1)
    assert span_error(date_from=first, date_to=first - dt.timedelta(days=1), max_days=9)
