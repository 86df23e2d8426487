"""Opgroeipunt master data: the fixed location import, its history, constraints and roles."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import translation

from kglijn.opgroeipunt.models import Location, LocationVersion, Organiser, RegionalTeam
from kglijn.opgroeipunt.services import LocationFileError, locations_import

pytestmark = pytest.mark.django_db

HEADER = (
    "external_id,organiser_external_id,organiser_name,name,postcode,care_type,places,subsidy,"
    "income_tariff,active"
)
GOOD = [
    "L1,O1,Vzw Kindjes,Het Nestje,9000,group,18,T2,true,true",
    "L2,O1,Vzw Kindjes,De Rups,2000,family,8,T0,false,true",
    "L3,O2,Gemeente Genk,Kinderdagverblijf Genk,B-3600,group,42,T1,true,false",
]


def write(tmp_path: Path, lines: list[str], header: str = HEADER, name: str = "l.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(path: Path) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    code = 0
    with translation.override("nl"):
        try:
            call_command("opgroeipunt", "import", "locations", str(path), stdout=out, stderr=err)
        except CommandError as exc:
            err.write(str(exc))
            code = 1
    return out.getvalue(), err.getvalue(), code


def test_happy_path_creates_organisers_and_locations(tmp_path: Path) -> None:
    out, err, code = run(write(tmp_path, GOOD))
    assert code == 0, err
    assert "Locaties: 3 nieuw, 0 gewijzigd, 0 ongewijzigd, 0 geweigerd" in out
    assert Organiser.objects.count() == 2
    nestje = Location.objects.get(external_id="L1")
    assert (nestje.organiser.external_id, nestje.name, nestje.postcode) == (
        "O1",
        "Het Nestje",
        "9000",
    )
    assert (nestje.care_type, nestje.places, nestje.subsidy) == ("group", 18, "T2")
    assert (nestje.income_tariff, nestje.active, nestje.licence_status) == (True, True, "active")
    genk = Location.objects.get(external_id="L3")
    assert (genk.active, genk.postcode) == (False, "3600")


def test_province_follows_the_postcode(tmp_path: Path) -> None:
    locations_import(path=write(tmp_path, GOOD))
    provinces = dict(Location.objects.values_list("external_id", "province"))
    assert provinces == {"L1": "BE-VOV", "L2": "BE-VAN", "L3": "BE-VLI"}


def test_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    locations_import(path=path)
    versions = LocationVersion.objects.count()
    out, _err, code = run(path)
    assert code == 0
    assert "Locaties: 0 nieuw, 0 gewijzigd, 3 ongewijzigd, 0 geweigerd" in out
    assert LocationVersion.objects.count() == versions == 3


def test_a_change_writes_one_version_with_old_and_new(tmp_path: Path) -> None:
    locations_import(path=write(tmp_path, GOOD))
    changed = [GOOD[0].replace(",18,", ",20,").replace("9000", "2000"), *GOOD[1:]]
    result = locations_import(path=write(tmp_path, changed, name="day2.csv"))
    assert (result.created, result.changed, result.unchanged) == (0, 1, 2)
    versions = LocationVersion.objects.filter(location__external_id="L1")
    assert [version.created for version in versions] == [True, False]
    last = versions.last()
    assert last is not None
    assert last.changes == {
        "places": [18, 20],
        "postcode": ["9000", "2000"],
        "province": ["BE-VOV", "BE-VAN"],
    }
    assert last.source == "import:day2.csv"
    assert Location.objects.get(external_id="L1").province == "BE-VAN"


def test_organiser_is_upserted_on_its_external_id(tmp_path: Path) -> None:
    locations_import(path=write(tmp_path, GOOD))
    renamed = [line.replace("Vzw Kindjes", "Vzw Kindjes en co") for line in GOOD]
    locations_import(path=write(tmp_path, renamed))
    assert Organiser.objects.get(external_id="O1").name == "Vzw Kindjes en co"
    assert Organiser.objects.count() == 2


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("L9,O1,Vzw Kindjes,X,9000,creche,5,T0,true,true", "care_type moet group of family zijn"),
        ("L9,O1,Vzw Kindjes,X,90000,group,5,T0,true,true", "postcode '90000'"),
        ("L9,O1,Vzw Kindjes,X,4000,group,5,T0,true,true", "buiten Vlaanderen en Brussel"),
        ("L9,O1,Vzw Kindjes,X,9OOO,group,5,T0,true,true", "postcode '9OOO'"),
        ("L9,O1,Vzw Kindjes,X,9000,group,-3,T0,true,true", "places moet een geheel getal"),
        ("L9,O1,Vzw Kindjes,X,9000,group,5,T3,true,true", "subsidy moet T0, T1 of T2 zijn"),
        ("L9,O1,Vzw Kindjes,X,9000,group,5,T0,ja,true", "income_tariff moet true of false"),
        ("L9,O1,Vzw Kindjes,X,9000,group,5,T0,true,1", "active moet true of false"),
        ("L9,O1,Vzw Kindjes,,9000,group,5,T0,true,true", "name is leeg"),
        ("L9,O1,Vzw Kindjes,X,9000,group,5,T0,true", "10 cellen verwacht, 9 gevonden"),
        ("L9,O1,Vzw Kindjes,X\x00,9000,group,5,T0,true,true", "NUL"),
        (
            "L1,O1,Vzw Kindjes,Dubbel,9000,group,5,T0,true,true",
            "external_id L1 staat al op regel 2",
        ),
        ("L9,O1,Andere naam,X,9000,group,5,T0,true,true", "andere naam op regel 2"),
    ],
)
def test_a_bad_row_is_rejected_with_its_line_and_the_others_go_in(
    tmp_path: Path, row: str, reason: str
) -> None:
    out, err, code = run(write(tmp_path, [GOOD[0], row, *GOOD[1:]]))
    assert code == 1
    rejected = [line for line in err.splitlines() if line.startswith("regel ")]
    assert len(rejected) == 1, err
    assert rejected[0].startswith("regel 3: "), err
    assert reason in rejected[0], err
    assert "Locaties: 3 nieuw, 0 gewijzigd, 0 ongewijzigd, 1 geweigerd" in out
    assert set(Location.objects.values_list("external_id", flat=True)) == {"L1", "L2", "L3"}
    assert Location.objects.get(external_id="L1").name == "Het Nestje"  # never half-written


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (HEADER.replace(",active", ""), "ontbrekende kolom(men): active"),
        (HEADER + ",remark", "onbekende kolom(men): remark"),
        (HEADER.replace("places", "plaatsen"), "ontbrekende kolom(men): places"),
        (
            HEADER.replace(
                "external_id,organiser_external_id", "organiser_external_id,external_id"
            ),
            "in deze volgorde",
        ),
    ],
)
def test_the_header_must_match_exactly(tmp_path: Path, header: str, message: str) -> None:
    _out, err, code = run(write(tmp_path, GOOD, header=header))
    assert code == 1
    assert message in err, err
    assert Location.objects.count() == 0


def test_empty_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(LocationFileError):
        locations_import(path=empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\nL1,O1,Crèche,X,9000,group,5,T0,true,true\n").encode("latin-1"))
    with pytest.raises(LocationFileError):
        locations_import(path=latin)


def test_large_numbers_in_the_summary_use_nl_be_format(tmp_path: Path) -> None:
    rows = [f"L{i},O1,Vzw Kindjes,Loc {i},9000,group,5,T0,true,true" for i in range(1234)]
    out, _err, code = run(write(tmp_path, rows))
    assert code == 0
    assert "Locaties: 1.234 nieuw" in out


# --- the database ---------------------------------------------------------------------------


def _location(**overrides: object) -> Location:
    organiser = Organiser.objects.create(external_id="O", name="O")
    values: dict[str, object] = {
        "external_id": "X",
        "organiser": organiser,
        "name": "X",
        "postcode": "9000",
        "province": "BE-VOV",
        "care_type": "group",
        "places": 5,
        "subsidy": "T0",
        "income_tariff": False,
        **overrides,
    }
    return Location.objects.create(**values)


@pytest.mark.parametrize(
    "overrides",
    [
        {"care_type": "creche"},
        {"subsidy": "T9"},
        {"licence_status": "lost"},
        {"province": "XX"},
        {"places": -1},
    ],
    ids=lambda overrides: next(iter(overrides)),
)
def test_the_database_refuses_what_the_choices_forbid(overrides: dict[str, object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _location(**overrides)


def test_external_ids_are_unique_in_the_database() -> None:
    _location()
    with pytest.raises(IntegrityError), transaction.atomic():
        Location.objects.create(
            external_id="X",
            organiser=Organiser.objects.get(),
            name="Y",
            postcode="9000",
            province="BE-VOV",
            care_type="group",
            places=1,
            subsidy="T0",
            income_tariff=False,
        )


def test_four_regional_teams_and_one_central_team_are_seeded() -> None:
    assert RegionalTeam.objects.filter(central=False).count() == 4
    assert list(RegionalTeam.objects.filter(central=True).values_list("name", flat=True)) == [
        "Centraal team"
    ]


# --- roles ----------------------------------------------------------------------------------

OPGROEIPUNT_PERMISSIONS = {
    "opgroeipunt.view_organiser",
    "opgroeipunt.view_regionalteam",
    "opgroeipunt.view_location",
    "opgroeipunt.view_locationversion",
    "opgroeipunt.view_case",
    "opgroeipunt.add_case",
    "opgroeipunt.change_case",
    "opgroeipunt.take_case",
    "opgroeipunt.view_reporter_data",
    "opgroeipunt.view_caseevent",
    "opgroeipunt.view_proposal",
    "opgroeipunt.add_proposal",
    "opgroeipunt.decide_proposal",
    "opgroeipunt.view_decision",
    "opgroeipunt.view_enforcementtrack",
    "opgroeipunt.view_opgroeipunt_figures",
    # Issue 18: inspections, sync run log, risk and re-screening, passive openness.
    "opgroeipunt.view_inspectionvisit",
    "opgroeipunt.view_syncrun",
    "opgroeipunt.view_risk",
    "opgroeipunt.view_documentrequest",
    "opgroeipunt.add_documentrequest",
    "opgroeipunt.change_documentrequest",
}


def _opgroeipunt_permissions(user: User) -> set[str]:
    return {perm for perm in user.get_all_permissions() if perm.startswith("opgroeipunt.")}


def test_the_customer_manager_views_the_master_data(make_user: Callable[..., User]) -> None:
    user = make_user("childcare_customer_manager")
    assert _opgroeipunt_permissions(user) == OPGROEIPUNT_PERMISSIONS


def test_the_team_lead_also_changes_locations(make_user: Callable[..., User]) -> None:
    user = make_user("opgroeipunt_team_lead")
    assert _opgroeipunt_permissions(user) == OPGROEIPUNT_PERMISSIONS | {
        "opgroeipunt.change_location",
        "opgroeipunt.view_opgroeipunt_dashboard",
        "opgroeipunt.run_sync",
        "opgroeipunt.train_risk_model",
    }


@pytest.mark.parametrize(
    "role",
    [
        "front_office",
        "pgjo_nurse",
        "childcare_handler",
        "team_lead",
        "information_manager",
        "analyst",
        "administrator",
    ],
)
def test_no_kg_lijn_role_sees_opgroeipunt(make_user: Callable[..., User], role: str) -> None:
    # The desk roles may only forward a contact into Opgroeipunt; they read none of its cases.
    forwarding = {"front_office", "childcare_handler", "team_lead"}
    expected = {"opgroeipunt.forward_contact"} if role in forwarding else set()
    if role == "administrator":  # the teams and their mailboxes in /beheer/, no case content
        expected = {
            "opgroeipunt.view_regionalteam",
            "opgroeipunt.add_regionalteam",
            "opgroeipunt.change_regionalteam",
        }
    assert _opgroeipunt_permissions(make_user(role)) == expected


def test_the_new_roles_read_no_contact_content(make_user: Callable[..., User]) -> None:
    for role in ("childcare_customer_manager", "opgroeipunt_team_lead"):
        permissions = make_user(role).get_all_permissions()
        assert not {perm for perm in permissions if perm.startswith("contacts.")}


def test_the_administrator_may_hand_out_the_new_roles() -> None:
    from kglijn.accounts.admin import role_groups
    from kglijn.accounts.services import roles_sync

    roles_sync()
    names = set(role_groups().values_list("name", flat=True))
    assert {"Klantenbeheerder kinderopvang", "Teamleider Opgroeipunt"} <= names
