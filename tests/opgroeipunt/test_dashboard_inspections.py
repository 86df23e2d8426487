"""Issue 18 item 5: the inspections and enforcement dashboard.

On data built like the demo (1,000 visits per half year, 002's type shares for January-June
2020 and 2023) the page and the Excel file show exactly 002's shares; risk bands per team,
cases against visits per month and the enforcement pipeline count what is there, in a fixed
number of queries.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.core.business_calendar import BRUSSELS
from kglijn.opgroeipunt.dashboard.inspections import (
    SOURCE_SHARES,
    comparison_half_years,
    inspection_board,
)
from kglijn.opgroeipunt.models import (
    Case,
    EnforcementTrack,
    InspectionVisit,
    Location,
    Organiser,
    RegionalTeam,
    RiskModel,
    RiskScore,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2023, 9, 15, 12, 0, tzinfo=BRUSSELS)
ORDER = ("follow_up_risk_enforcement", "regular", "dossier_review", "complaint",
         "danger_situation", "advice_enforcement")  # fmt: skip
QUERIES = 9  # visits by half year, teams, risk by team and by province, cases, visits
# per month, open tracks, proposals waiting, decisions per month
VISITS = 200  # per half year: 002's shares are whole visits of 200


def make_locations(n: int = 4) -> list[Location]:
    organiser = Organiser.objects.create(external_id="O-1", name="Organisator")
    teams = [RegionalTeam.objects.get_or_create(name=f"Regionaal team {k}")[0] for k in (1, 2)]
    return [
        Location.objects.create(
            external_id=f"L-{k}",
            organiser=organiser,
            name=f"Opvang {k}",
            postcode="9000" if k % 2 else "2000",
            province="BE-VOV" if k % 2 else "BE-VAN",
            care_type="group",
            places=18,
            subsidy="T1",
            income_tariff=False,
            regional_team=teams[k % 2],
        )
        for k in range(n)
    ]


def visits_like_002(locations: list[Location], year: int, n: int = VISITS) -> None:
    """n visits in January-June of ``year`` whose type shares are 002's: each type's count is
    n × share, the types wrapped over the visits so none has a type twice."""
    shares = SOURCE_SHARES[year]
    tokens = [kind for kind in ORDER for _ in range(round(n * shares.get(kind, 0) / 100))]
    types: list[list[str]] = [[] for _ in range(n)]
    for k, kind in enumerate(tokens):
        types[k % n].append(kind)
    InspectionVisit.objects.bulk_create(
        InspectionVisit(
            external_id=f"ZI-{year}-{k}",
            location=locations[k % len(locations)],
            visited_on=dt.date(year, 1 + k % 6, 1 + k % 28),
            types=types[k],
        )
        for k in range(n)
    )


def build_dashboard_world() -> list[Location]:
    """What the page shows filled: visits of both half years, risk scores, a track, cases."""
    locations = make_locations()
    visits_like_002(locations, 2020)
    visits_like_002(locations, 2023)
    model = RiskModel.objects.create(
        trained_at=NOW,
        label="test",
        train_until=dt.date(2022, 12, 31),
        test_until=dt.date(2023, 6, 30),
        artefact=b"-",
        active=True,
    )
    for rank, (location, band) in enumerate(
        zip(locations, ("high", "medium", "low", "low"), strict=True), start=1
    ):
        RiskScore.objects.create(
            location=location, model=model, computed_at=NOW, probability=0.1, band=band, rank=rank
        )
    EnforcementTrack.objects.create(
        location=locations[0],
        started_at=NOW - dt.timedelta(days=90),
        state="warning",
        plan_of_approach_on=dt.date(2023, 7, 10),
    )
    EnforcementTrack.objects.create(location=locations[1], started_at=NOW - dt.timedelta(days=20))
    for kind, days in (("complaint", 3), ("danger", 40), ("signal", 40)):
        case = Case.objects.create(
            kind=kind, source="staff", received_at=NOW - dt.timedelta(days=days)
        )
        case.locations.add(locations[0])
    return locations


def test_the_page_shows_002s_shares_for_both_half_years(make_user) -> None:  # type: ignore[no-untyped-def]
    build_dashboard_world()
    board = inspection_board(now=NOW)
    halves = {h.label: h for h in board.half_years}
    for year in (2020, 2023):
        half = halves[f"{year} H1"]
        assert half.visits == VISITS
        got = {kind: half.share(kind) for kind in half.by_type}
        assert got == {kind: float(share) for kind, share in SOURCE_SHARES[year].items()}
    assert halves["2021 H1"].visits == 0
    assert halves["2021 H1"].share("regular") is None
    assert [h.label for h in comparison_half_years(board.half_years)] == ["2020 H1", "2023 H1"]
    client = Client()
    client.force_login(make_user("childcare_customer_manager", "km"))
    response = client.get(reverse("opgroeipunt:dashboard_inspections"), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    table = response.content.decode().split("data-inspection-types")[1].split("</table>")[0]
    for text in ("85,0 %", "5,5 %", "37,0 %", "18,0 %", "21,0 %"):
        assert text in table
    assert "chart-inspection-types" in response.content.decode()


def test_risk_bands_cases_visits_and_pipeline_count_what_is_there() -> None:
    build_dashboard_world()
    board = inspection_board(now=NOW)
    by_team = {row.label: row.counts for row in board.risk_by_team}
    assert by_team["Regionaal team 1"] == {"high": 1, "low": 1}  # locations 0 and 2
    assert by_team["Regionaal team 2"] == {"medium": 1, "low": 1}
    assert board.risk_scored == 4
    assert [row.total for row in board.risk_by_province] == [2, 2]  # Antwerp, East Flanders
    months = {row.month: row for row in board.months}
    september, august = months[dt.date(2023, 9, 1)], months[dt.date(2023, 8, 1)]
    assert (september.cases, september.complaints, september.danger) == (1, 1, 0)
    assert (august.cases, august.complaints, august.danger) == (2, 0, 1)
    assert months[dt.date(2023, 6, 1)].visits == sum(1 for k in range(VISITS) if k % 6 == 5)
    states = {label: (n, planned) for label, n, planned in board.tracks_by_state}
    assert sum(n for n, _p in states.values()) == 2
    assert sum(p for _n, p in states.values()) == 1


def test_no_scores_yet_is_said_kindly(make_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("opgroeipunt_team_lead", "lead"))
    response = client.get(reverse("opgroeipunt:dashboard_inspections"))
    assert response.status_code == 200
    assert b"data-no-risk-scores" in response.content
    assert b"data-risk-bands" not in response.content


def test_a_fixed_number_of_queries(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    locations = make_locations()
    with django_assert_num_queries(QUERIES):
        inspection_board(now=NOW)
    visits_like_002(locations, 2023)
    build = RiskModel.objects.create(
        trained_at=NOW, label="t", train_until=NOW.date(), test_until=NOW.date(), artefact=b"-"
    )
    RiskScore.objects.create(
        location=locations[0], model=build, computed_at=NOW, probability=0.5, band="high", rank=1
    )
    with django_assert_num_queries(QUERIES):
        inspection_board(now=NOW)


def test_the_excel_file_holds_the_same_shares(make_user) -> None:  # type: ignore[no-untyped-def]
    build_dashboard_world()
    client = Client()
    client.force_login(make_user("opgroeipunt_team_lead", "lead"))
    response = client.get(reverse("opgroeipunt:dashboard_inspections_xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[4]][:3] == ["Halfjaar", "Bezoeken", "Reguliere inspectie"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    regular = 2
    assert rows["2020 H1"][1] == VISITS
    assert rows["2020 H1"][regular] == 85.0
    assert rows["2023 H1"][regular] == 24.0
    assert len(book.worksheets) == 4


def test_other_roles_may_not(make_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("front_office", "desk"))
    assert client.get(reverse("opgroeipunt:dashboard_inspections")).status_code == 403
    assert not User.objects.get(username="desk").has_perm("opgroeipunt.view_inspectionvisit")
