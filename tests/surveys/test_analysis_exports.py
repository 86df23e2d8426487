"""The satisfaction analysis as Excel (a sheet per table, native charts) and CSV, in Dutch."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.surveys.analysis.queries import (
    NO_TEAM,
)
from tests.conftest import PASSWORD
from tests.surveys.test_analysis import MARCH, World, build_world, reference

pytestmark = pytest.mark.django_db

SHEETS = [
    "Toelichting",
    "Per kanaal",
    "Per afdeling",
    "Per team",
    "Verloop",
    "Verdeling",
    "Verschil",
]
HEADER = [
    "Bevraagd",
    "Beantwoord (van bevraagd)",
    "Responsgraad (%)",
    "Antwoorden",
    "Onvolledige antwoorden",
    "Met opmerking",
    "Wachttijd: gemiddelde",
    "Wachttijd: antwoorden",
    "Wachttijd: % tevreden (4–5)",
    "Beleefdheid: gemiddelde",
    "Beleefdheid: antwoorden",
    "Beleefdheid: % tevreden (4–5)",
    "Informatieverstrekking: gemiddelde",
    "Informatieverstrekking: antwoorden",
    "Informatieverstrekking: % tevreden (4–5)",
    "NPS",
    "Antwoorden NPS",
    "Promotors (9–10)",
    "Passieven (7–8)",
    "Criticasters (0–6)",
]


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def download(user: User, fmt: str, **query: str) -> bytes:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse(f"survey_analysis:{fmt}"), {"month": "2024-03", **query})
    assert response.status_code == 200
    name = f"tevredenheid_{query.get('month', '2024-03')}.{fmt}"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    return response.content


def expected_row(figures: dict) -> list:
    """A download row from the reference figures (rounded as written)."""

    def r(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    def satisfied(criterion: str) -> float | None:
        counts = figures[f"{criterion}_counts"]
        n = figures[f"{criterion}_n"]
        return r(100 * (counts.get(4, 0) + counts.get(5, 0)) / n, 1) if n else None

    row = [
        figures["asked"],
        figures["answered"],
        r(figures["response_rate"], 1),
        figures["responses"],
        figures["responses"] - figures["complete"],
        figures["remarks"],
    ]
    for criterion in ("waiting_time", "courtesy", "information"):
        row += [
            r(figures[f"{criterion}_mean"], 2),
            figures[f"{criterion}_n"],
            satisfied(criterion),
        ]
    row += [
        r(figures["nps"], 1),
        figures["recommendation_n"],
        figures["promoters"],
        figures["passives"],
        figures["detractors"],
    ]
    return row


def test_excel_has_a_dutch_sheet_per_table_with_the_reference_figures(
    world: World, analyst: User
) -> None:
    content = download(analyst, "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(content))

    assert workbook.sheetnames == SHEETS
    channels = list(workbook["Per kanaal"].iter_rows(values_only=True))
    assert list(channels[0]) == ["Kanaal", *HEADER]
    assert [row[0] for row in channels[1:]] == ["Telefoon", "E-mail", "Chat", "Totaal"]
    for row, channel in zip(channels[1:4], ("phone", "email", "chat"), strict=True):
        assert list(row[1:]) == expected_row(reference(MARCH, channel=channel))
    assert list(channels[4][1:]) == expected_row(reference(MARCH))
    teams = list(workbook["Per team"].iter_rows(values_only=True))
    team_e = next(row for row in teams if row[0] == "Team E")
    assert team_e[1:5] == (0, 0, None, 0)  # no contacts: no rate, written empty
    assert team_e[HEADER.index("NPS") + 1] is None
    no_team = next(row for row in teams if row[0] == "Zonder team")
    assert list(no_team[1:]) == expected_row(reference(MARCH, team=NO_TEAM))
    # Trend: 13 months, March 2023 to March 2024, the last one equal to the month.
    trend = list(workbook["Verloop"].iter_rows(values_only=True))
    assert trend[0][0] == "Maand"
    assert [row[0] for row in trend[1:]][:2] == ["Maart 2023", "April 2023"]
    assert trend[13][0] == "Maart 2024"
    assert list(trend[13][1:]) == list(channels[4][1:])
    distribution = list(workbook["Verdeling"].iter_rows(values_only=True))
    assert distribution[0] == (
        "Score",
        "Wachttijd",
        "Beleefdheid",
        "Informatieverstrekking",
        "Aanbeveling",
    )
    march = reference(MARCH)
    assert [row[4] for row in distribution[1:]] == [
        march["recommendation_counts"].get(score, 0) for score in range(11)
    ]
    assert distribution[1][1] is None  # no score 0 on a 1–5 criterion
    assert [row[2] for row in distribution[2:7]] == [
        march["courtesy_counts"].get(score, 0) for score in range(1, 6)
    ]
    change = list(workbook["Verschil"].iter_rows(values_only=True))
    assert change[0] == (
        "Kengetal",
        "februari 2024",
        "maart 2024",
        "Verschil",
        "n vorige maand",
        "n deze maand",
        "p-waarde",
        "Significantie",
    )
    assert [row[0] for row in change[1:]] == [
        "NPS",
        "Gemiddelde wachttijd",
        "Gemiddelde beleefdheid",
        "Gemiddelde informatieverstrekking",
        "Responsgraad",
    ]
    february = reference(MARCH.shift(-1))
    assert change[1][1:3] == (round(february["nps"], 2), round(march["nps"], 2))
    assert change[1][4:6] == (february["recommendation_n"], march["recommendation_n"])
    assert change[1][7].startswith(("significant", "niet significant"))
    explanation = [
        cell for row in workbook["Toelichting"].iter_rows(values_only=True) for cell in row
    ]
    assert "Tevredenheid per maand" in explanation
    assert "maart 2024" in explanation
    assert any(
        isinstance(text, str) and text.startswith("Responsgraad: telefoon") for text in explanation
    )
    # Native charts: 2 on each breakdown sheet, 2 on the trend, 2 on the distribution.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
    assert len(charts) == 10


def test_excel_of_a_month_without_answers(world: World, analyst: User) -> None:
    content = download(analyst, "xlsx", month="2023-06")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    total = list(workbook["Per kanaal"].iter_rows(values_only=True))[4]
    assert total[0] == "Totaal"
    assert total[HEADER.index("NPS") + 1] is None
    assert total[HEADER.index("Antwoorden") + 1] == 0
    change = list(workbook["Verschil"].iter_rows(values_only=True))
    assert change[1] == ("NPS", None, None, None, 0, 0, None, "–")


def test_csv_has_one_row_per_group_with_dutch_headers(world: World, analyst: User) -> None:
    text = download(analyst, "csv", channel="email").decode()
    rows = list(csv.reader(io.StringIO(text)))

    assert rows[0][:3] == ["Tabel", "Groep", "Maand"]
    assert rows[0][3 : 3 + len(HEADER)] == HEADER
    assert rows[0][-1] == "Aanbeveling: score 10"
    assert len(rows[0]) == 3 + len(HEADER) + 3 * 5 + 11
    assert rows[1][:3] == ["Totaal", "Totaal", "2024-03"]

    def cell(value: object) -> str:
        return "" if value is None else str(value)

    email = reference(MARCH, channel="email")
    assert rows[1][3 : 3 + len(HEADER)] == [cell(v) for v in expected_row(email)]
    assert [row[:2] for row in rows[2:9]] == [
        ["Per kanaal", "E-mail"],
        ["Per afdeling", "Frontoffice"],
        ["Per afdeling", "Backoffice PGJO"],
        ["Per afdeling", "Backoffice kinderopvang"],
        ["Per team", "Team D"],
        ["Per team", "Team A"],
        ["Per team", "Team E"],
    ]
    trend = [row for row in rows if row[0] == "Verloop"]
    assert [row[2] for row in trend] == [MARCH.shift(n).iso for n in range(-12, 1)]
    assert trend[-1][3:] == rows[1][3:]
    assert "Opmerking" not in text  # no free text in downloads


def test_downloads_need_the_reports_permission(world: World, agent: User) -> None:
    client = Client()
    assert client.login(username=agent.username, password=PASSWORD)
    for fmt in ("xlsx", "csv"):
        assert client.get(reverse(f"survey_analysis:{fmt}")).status_code == 403
