"""E-mail service level (kglijn/servicelevels/mail.py): answered within N working days by the
business calendar, per office and day or month, shown beside the phone figures and in Excel."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from kglijn.contacts.services import contact_close, contact_register, contact_update
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import ClosingDay
from kglijn.servicelevels.mail import email_service_levels, email_service_levels_xlsx
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Week of 29 April 2024: Wednesday 1 May (Labour Day) and Thursday 9 May (Ascension) are public
# holidays in Belgium.
TODAY = dt.date(2024, 5, 10)


def at(day: int, hour: int, minute: int = 0, month: int = 5) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=BRUSSELS)


def email(agent, received: dt.datetime, answered: dt.datetime | None = None, **kwargs):
    contact = contact_register(by=agent, channel="email", received_at=received, **kwargs)
    if answered is not None:
        contact = contact_update(contact=contact, by=agent, answered_at=answered)
    return contact


@pytest.fixture
def week(agent, nurse):
    """Eight e-mails whose working days to answer are worked out by hand in the comments."""
    email(agent, at(29, 10, month=4), at(30, 9, month=4))  # Mon -> Tue: 1, within
    email(agent, at(30, 19, month=4), at(3, 11))  # Tue -> Fri, 1 May closed: 2, within
    # Fri -> Wed 00:30 Brussels (Tue 22:30 UTC): Mon, Tue, Wed = 3, late
    email(agent, at(3, 15), at(8, 0, 30))
    email(agent, at(4, 11), at(7, 16))  # Sat: day 0 is Mon 6 -> Tue: 1, within
    email(agent, at(29, 8, month=4))  # open since Mon 29 April: beyond the norm
    email(agent, at(9, 12))  # Thu 9 May closed: day 0 is Fri 10 = today, within the norm
    # Closed the same day (e.g. answered by phone): closing sets answered_at: 0, within.
    closed = email(agent, at(30, 9, month=4))
    contact_close(contact=closed, by=agent, now=at(30, 10, month=4))
    email(nurse, at(6, 10), at(6, 16), office="pgjo")  # same day: 0, within
    # Not counted: a call, an outgoing e-mail, an e-mail outside the period.
    contact_register(by=agent, channel="phone", received_at=at(6, 10))
    contact_register(by=agent, channel="email", direction="out", received_at=at(6, 10))
    email(agent, at(11, 10))


def figures(row) -> tuple:
    return (
        row.received,
        row.answered,
        row.answered_within_norm,
        row.pct_within_norm,
        row.avg_working_days,
        row.max_working_days,
        row.open_beyond_norm,
        row.open_within_norm,
        row.closed_unanswered,
    )


def test_totals_per_office_and_all_offices(week) -> None:
    report = email_service_levels(
        date_from=dt.date(2024, 4, 29), date_to=dt.date(2024, 5, 10), today=TODAY, norm_days=2
    )

    assert report.offices == ["front", "pgjo", "childcare"]
    assert figures(report.totals["front"]) == (7, 5, 4, 66.7, 1.4, 3, 1, 1, 0)
    assert figures(report.totals["pgjo"]) == (1, 1, 1, 100.0, 0.0, 0, 0, 0, 0)
    assert figures(report.totals["childcare"]) == (0, 0, 0, None, None, None, 0, 0, 0)
    assert report.combined_total is not None
    assert figures(report.combined_total) == (8, 6, 5, 71.4, 1.17, 3, 1, 1, 0)


def test_rows_per_day_of_receipt(week) -> None:
    report = email_service_levels(
        date_from=dt.date(2024, 4, 29), date_to=dt.date(2024, 5, 10), today=TODAY, norm_days=2
    )

    rows = {row.start: figures(row) for row in report.rows["front"]}
    assert rows == {
        dt.date(2024, 4, 29): (2, 1, 1, 50.0, 1.0, 1, 1, 0, 0),
        dt.date(2024, 4, 30): (2, 2, 2, 100.0, 1.0, 2, 0, 0, 0),
        dt.date(2024, 5, 3): (1, 1, 0, 0.0, 3.0, 3, 0, 0, 0),
        dt.date(2024, 5, 4): (1, 1, 1, 100.0, 1.0, 1, 0, 0, 0),
        dt.date(2024, 5, 9): (1, 0, 0, None, None, None, 0, 1, 0),
    }


def test_rows_per_month_and_a_wider_norm(week) -> None:
    report = email_service_levels(
        date_from=dt.date(2024, 4, 1),
        date_to=dt.date(2024, 5, 31),
        period="month",
        offices=["front"],
        today=TODAY,
        norm_days=3,
    )

    assert report.offices == ["front"]
    rows = {row.start: figures(row) for row in report.rows["front"]}
    assert rows == {
        dt.date(2024, 4, 1): (4, 3, 3, 75.0, 1.0, 2, 1, 0, 0),
        # 11 May is in the month now; today (10 May) it is not even day 0 yet.
        dt.date(2024, 5, 1): (4, 2, 2, 100.0, 2.0, 3, 0, 2, 0),
    }


def test_the_norm_comes_from_the_settings(week, settings) -> None:
    settings.KGLIJN_EMAIL_NORM_WORKING_DAYS = 3

    report = email_service_levels(
        date_from=dt.date(2024, 4, 29), date_to=dt.date(2024, 5, 10), today=TODAY
    )

    assert report.norm_days == 3
    assert report.totals["front"].answered_within_norm == 5


def test_closing_days_kept_in_the_app_count(agent) -> None:
    ClosingDay.objects.create(date=dt.date(2024, 5, 10), name="Brugdag")
    email(agent, at(8, 10), at(13, 10))  # Wed -> Mon; Thu 9 and Fri 10 closed: Mon = 1

    report = email_service_levels(
        date_from=dt.date(2024, 5, 8), date_to=dt.date(2024, 5, 8), today=dt.date(2024, 5, 20)
    )

    assert report.totals["front"].max_working_days == 1


def test_the_service_level_page_shows_the_email_section(client, team_lead, week) -> None:
    assert client.login(username=team_lead.username, password=PASSWORD)

    html = client.get(
        "/telephony/service-levels/?period=day&date_from=2024-04-29&date_to=2024-05-10"
    ).content.decode()

    assert "data-email-service-levels" in html
    section = html[html.index("data-email-service-levels") :]
    assert "binnen 2 werkdagen" in section
    assert "62,5 %" in section  # today, 9 May's e-mail is late too


def test_the_excel_download_has_an_email_sheet(client, team_lead, week) -> None:
    assert client.login(username=team_lead.username, password=PASSWORD)

    response = client.get(
        "/telephony/service-levels/serviceniveau.xlsx"
        "?period=day&date_from=2024-04-29&date_to=2024-05-10"
    )

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Serviceniveau", "E-mail"]
    sheet = workbook["E-mail"]
    rows = [row for row in sheet.iter_rows(min_row=6, values_only=True) if row[0]]
    assert rows[-1][:6] == ("Totaal", "Alle afdelingen", 8, 6, 5, 62.5)


def test_the_sheet_alone(week) -> None:
    report = email_service_levels(
        date_from=dt.date(2024, 4, 29), date_to=dt.date(2024, 5, 10), today=TODAY, norm_days=2
    )

    sheet = openpyxl.load_workbook(io.BytesIO(email_service_levels_xlsx(report)))["E-mail"]

    assert sheet["A1"].value == "Serviceniveau e-mail"
    assert [cell.value for cell in sheet[5]][:6] == [
        "Periode",
        "Afdeling",
        "Ontvangen",
        "Beantwoord",
        "Beantwoord binnen de norm",
        "Binnen de norm (%)",
    ]
    assert sheet.max_column == 11


def test_a_closed_email_without_answer_time_is_counted_apart(agent) -> None:
    contact = email(agent, at(6, 10))
    # As imported history can hold it: closed, no answer time (the services always set one).
    type(contact).objects.filter(pk=contact.pk).update(status="closed", closed_at=at(6, 11))

    report = email_service_levels(
        date_from=dt.date(2024, 5, 6), date_to=dt.date(2024, 5, 6), today=TODAY
    )

    assert figures(report.totals["front"]) == (1, 0, 0, None, None, None, 0, 0, 1)
