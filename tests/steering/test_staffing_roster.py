"""Issue 19 item 5: the roster upload — both layouts, CSV and XLSX, every row checked, nothing
written on an error."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kglijn.core.business_calendar import BRUSSELS
from kglijn.steering.models import PlannedStaff, StaffPlan
from kglijn.steering.staffing.roster import RosterError, roster_import, roster_parse

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
TODAY = dt.date(2023, 11, 15)


def _at(day: str, time: str) -> dt.datetime:
    return dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time.fromisoformat(time), tzinfo=BRUSSELS
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_counts_per_half_hour_csv() -> None:
    content = (
        b"datum;tijd;medewerkers\n2023-11-20;09:00;38\n2023-11-20;09:30;40,5\n21/11/2023;08:00;0\n"
    )
    roster = roster_parse(content, "rooster.csv", today=TODAY)
    assert roster.layout == "counts"
    assert roster.slots == {
        _at("2023-11-20", "09:00"): Decimal(38),
        _at("2023-11-20", "09:30"): Decimal("40.5"),
        _at("2023-11-21", "08:00"): Decimal(0),
    }
    assert (roster.date_from, roster.date_to) == (dt.date(2023, 11, 20), dt.date(2023, 11, 21))


def test_shifts_per_agent_xlsx_cover_the_half_hours_they_span() -> None:
    content = _xlsx(
        [
            ["medewerker", "datum", "begin", "einde"],
            ["An", dt.datetime(2023, 11, 20), dt.time(8, 0), dt.time(10, 0)],
            ["Bert", "2023-11-20", "09:00", "09:30"],
            ["An", "2023-11-20", "13:00", "14:00"],
        ]
    )
    roster = roster_parse(content, "rooster.xlsx", today=TODAY)
    assert roster.layout == "shifts"
    assert roster.slots == {
        _at("2023-11-20", "08:00"): 1,
        _at("2023-11-20", "08:30"): 1,
        _at("2023-11-20", "09:00"): 2,
        _at("2023-11-20", "09:30"): 1,
        _at("2023-11-20", "13:00"): 1,
        _at("2023-11-20", "13:30"): 1,
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"datum;tijd;medewerkers\n2023-11-20;09:15;3\n", "Rij 2, kolom “tijd”"),
        (b"datum;tijd;medewerkers\n2023-13-20;09:00;3\n", "Rij 2, kolom “datum”"),
        (b"datum;tijd;medewerkers\n1999-12-31;09:00;3\n", "Rij 2, kolom “datum”"),
        (b"datum;tijd;medewerkers\n2023-11-20;09:00;501\n", "Rij 2, kolom “medewerkers”"),
        (b"datum;tijd;medewerkers\n2023-11-20;09:00;-1\n", "Rij 2, kolom “medewerkers”"),
        (b"datum;tijd;medewerkers\n2023-11-20;09:00;veel\n", "Rij 2, kolom “medewerkers”"),
        (b"datum;tijd;medewerkers\n2023-11-20;09:00;3\n2023-11-20;09:00;4\n", "Rij 3"),
        (b"datum;tijd;medewerkers\n2023-11-20;09:00;3;x\n", "Rij 2"),
        (b"medewerker;datum;begin;einde\nAn;2023-11-20;10:00;09:00\n", "Rij 2, kolom “einde”"),
        (b"medewerker;datum;begin;einde\n;2023-11-20;09:00;10:00\n", "kolom “medewerker”"),
        (
            b"medewerker;datum;begin;einde\nAn;2023-11-20;09:00;11:00\nAn;2023-11-20;10:00;12:00\n",
            "Rij 3, kolom “begin”",
        ),
        (b"naam;dag\nAn;2023-11-20\n", "Rij 1"),
        (b"datum;tijd;medewerkers\n", "geen rijen"),
        (b"datum;tijd;medewerkers\n2023-11-20;09:00;3\x00\n", "NUL"),
        (b"\xff\xfedatum", "UTF-8"),
    ],
)
def test_a_bad_file_names_row_and_column_and_writes_nothing(content: bytes, expected: str) -> None:
    with pytest.raises(RosterError) as error:
        roster_import(content=content, name="rooster.csv", user=None)
    assert expected in " ".join(error.value.problems)
    assert StaffPlan.objects.count() == 0
    assert PlannedStaff.objects.count() == 0


def test_one_bad_row_among_good_ones_writes_nothing_over_the_web(
    client: Client, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user("team_lead", "lea"))
    good = "\n".join(f"2023-11-20;{h:02d}:00;{h}" for h in range(8, 20))
    content = f"datum;tijd;medewerkers\n{good}\n2023-11-20;20:10;3\n".encode()
    response = client.post(
        reverse("steering:staffing_roster"),
        {"file": SimpleUploadedFile("rooster.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 400
    assert "Rij 14, kolom “tijd”" in response.content.decode()
    assert StaffPlan.objects.count() == 0
    assert PlannedStaff.objects.count() == 0


def test_the_example_files_upload_and_make_a_plan(
    client: Client, make_user: Callable[..., User]
) -> None:
    lead = make_user("team_lead", "lea")
    client.force_login(lead)
    for name in ("rooster-aantallen.csv", "rooster-diensten.csv"):
        content = (EXAMPLES / name).read_bytes()
        response = client.post(
            reverse("steering:staffing_roster"),
            {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    plans = list(StaffPlan.objects.order_by("uploaded_at"))
    assert [p.file_name for p in plans] == ["rooster-aantallen.csv", "rooster-diensten.csv"]
    assert plans[0].uploaded_by == lead
    assert PlannedStaff.objects.filter(plan=plans[0]).count() > 0
    assert PlannedStaff.objects.filter(plan=plans[1]).count() > 0


def test_the_analyst_may_not_upload(client: Client, make_user: Callable[..., User]) -> None:
    client.force_login(make_user("analyst", "ana"))
    response = client.post(
        reverse("steering:staffing_roster"),
        {"file": SimpleUploadedFile("r.csv", b"datum;tijd;medewerkers\n2023-11-20;09:00;3\n")},
    )
    assert response.status_code == 403
    assert StaffPlan.objects.count() == 0
