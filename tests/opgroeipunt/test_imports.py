"""Opgroeipunt's historical imports: cases and decisions (fixed formats), rejections with line and
reason, idempotence, and the enforcement tracks that imported decisions build."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kglijn.opgroeipunt.imports import cases_import, decisions_import, fold_imported
from kglijn.opgroeipunt.models import (
    Case,
    CaseEvent,
    Decision,
    EnforcementTrack,
    Location,
    LocationVersion,
)
from kglijn.opgroeipunt.services import locations_import

pytestmark = pytest.mark.django_db

LOCATIONS = (
    "external_id,organiser_external_id,organiser_name,name,postcode,care_type,places,subsidy,"
    "income_tariff,active\n"
    "L1,O1,Vzw Kindjes,Het Nestje,9000,group,18,T2,true,true\n"
    "L2,O1,Vzw Kindjes,De Rups,2000,family,8,T0,false,true\n"
    "L3,O2,Gemeente Genk,Kinderdagverblijf Genk,3600,group,42,T1,true,false\n"
)
CASE_HEADER = "external_id,received_at,kind,location_external_ids,admissible,urgent"
DECISION_HEADER = "external_id,location_external_id,kind,decided_at"
CASES = [
    "C1,2022-03-01T09:30:00+01:00,danger,L1|L2,,",
    "C2,2022-03-02T10:00:00Z,complaint,L1,true,false",
    "C3,2022-03-03T10:00:00+01:00,complaint,,false,",
    "C4,2022-03-04T10:00:00+01:00,signal,L3,,true",
    "C5,2022-03-05T10:00:00+01:00,complaint,L2,,",
]


@pytest.fixture(autouse=True)
def locations(tmp_path: Path) -> None:
    path = tmp_path / "locations.csv"
    path.write_text(LOCATIONS, encoding="utf-8")
    assert locations_import(path=path).created == 3


def write(tmp_path: Path, header: str, lines: list[str], name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    code = 0
    with translation.override("nl"):
        try:
            call_command("opgroeipunt", *args, stdout=out, stderr=err)
        except CommandError as exc:
            err.write(str(exc))
            code = exc.returncode
    return out.getvalue(), err.getvalue(), code


# --- cases ---------------------------------------------------------------------------------------


def test_cases_are_imported_closed_with_their_locations_urgency_and_admissibility(
    tmp_path: Path, settings: object
) -> None:
    out, err, code = run("import", "cases", str(write(tmp_path, CASE_HEADER, CASES)))
    assert code == 0, err
    assert "Zaken: 5 nieuw, 0 gewijzigd, 0 ongewijzigd, 0 geweigerd" in out
    danger = Case.objects.get(external_id="C1")
    assert (danger.kind, danger.source, danger.status) == ("danger", "import", "closed")
    assert danger.received_at == dt.datetime(2022, 3, 1, 8, 30, tzinfo=dt.UTC)
    assert sorted(danger.locations.values_list("external_id", flat=True)) == ["L1", "L2"]
    assert danger.urgent is True
    assert danger.urgent_due_at == danger.received_at + dt.timedelta(hours=4)
    assert danger.admissible is None
    admissible = Case.objects.get(external_id="C2")
    assert (admissible.admissible, admissible.urgent, admissible.urgent_due_at) == (
        True,
        False,
        None,
    )
    assert Case.objects.get(external_id="C3").admissible is False
    assert Case.objects.get(external_id="C3").locations.count() == 0
    assert Case.objects.get(external_id="C4").urgent is True  # a signal marked urgent
    assert Case.objects.get(external_id="C5").admissible is None  # undecided
    event = CaseEvent.objects.get(case=danger)
    assert event.what == "imported"
    assert event.changes["locations"] == [None, ["L1", "L2"]]


def test_urgent_term_follows_the_setting(tmp_path: Path, settings: object) -> None:
    settings.KGLIJN_OPGROEIPUNT_URGENT_HOURS = 2  # type: ignore[attr-defined]
    cases_import(path=write(tmp_path, CASE_HEADER, CASES[:1]))
    danger = Case.objects.get(external_id="C1")
    assert danger.urgent_due_at == danger.received_at + dt.timedelta(hours=2)


def test_the_same_cases_twice_change_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, CASE_HEADER, CASES)
    cases_import(path=path)
    events = CaseEvent.objects.count()
    out, _err, code = run("import", "cases", str(path))
    assert code == 0
    assert "Zaken: 0 nieuw, 0 gewijzigd, 5 ongewijzigd, 0 geweigerd" in out
    assert CaseEvent.objects.count() == events == 5


def test_a_changed_case_row_updates_the_case_with_a_history_row(tmp_path: Path) -> None:
    cases_import(path=write(tmp_path, CASE_HEADER, CASES))
    changed = [CASES[0].replace("L1|L2", "L3"), CASES[1].replace("true,false", "false,false")]
    result = cases_import(path=write(tmp_path, CASE_HEADER, changed, name="2.csv"))
    assert (result.created, result.changed, result.unchanged) == (0, 2, 0)
    assert list(
        Case.objects.get(external_id="C1").locations.values_list("external_id", flat=True)
    ) == ["L3"]
    event = CaseEvent.objects.filter(case__external_id="C2").last()
    assert event is not None
    assert event.what == "import_changed"
    assert event.changes == {"admissible": [True, False]}


def test_a_danger_situation_marked_not_urgent_is_urgent_with_a_warning(tmp_path: Path) -> None:
    out, err, code = run(
        "import",
        "cases",
        str(write(tmp_path, CASE_HEADER, ["C9,2022-03-01T09:30:00+01:00,danger,L1,,false"])),
    )
    assert code == 0, err
    assert "waarschuwing: regel 2:" in out
    assert Case.objects.get(external_id="C9").urgent is True


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("C9,2022-03-01T09:30:00,danger,L1,,", "heeft geen UTC-verschuiving"),
        ("C9,2022-03-01,danger,L1,,", "heeft geen UTC-verschuiving"),
        ("C9,1/3/2022 09:30,danger,L1,,", "is geen ISO 8601-tijdstip"),
        ("C9,,danger,L1,,", "received_at is leeg"),
        ("C9,1999-12-31T09:30:00+01:00,danger,L1,,", "ligt buiten 2000-01-01"),
        ("C9,2999-12-31T09:30:00+01:00,danger,L1,,", "ligt buiten 2000-01-01"),
        ("C9,2022-03-01T09:30:00+01:00,crisis,L1,,", "kind moet een van"),
        ("C9,2022-03-01T09:30:00+01:00,danger,L1|L404,,", "onbekende locatie(s): L404"),
        ("C9,2022-03-01T09:30:00+01:00,signal,L1,true,", "admissible is alleen voor klachten"),
        ("C9,2022-03-01T09:30:00+01:00,complaint,L1,ja,", "admissible moet true, false"),
        ("C9,2022-03-01T09:30:00+01:00,complaint,L1,,1", "urgent moet true, false"),
        ("C9,2022-03-01T09:30:00+01:00,complaint,L1||L2,,", "location_external_ids"),
        (",2022-03-01T09:30:00+01:00,signal,L1,,", "external_id is leeg"),
        ("C9,2022-03-01T09:30:00+01:00,signal,L1,", "6 cellen verwacht, 5 gevonden"),
        ("C9,2022-03-01T09:30:00+01:00,signal,L1\x00,,", "NUL"),
        ("C1,2022-03-01T09:30:00+01:00,signal,L1,,", "external_id C1 staat al op regel 2"),
    ],
)
def test_a_bad_case_row_is_rejected_with_its_line_and_the_others_go_in(
    tmp_path: Path, row: str, reason: str
) -> None:
    out, err, code = run(
        "import", "cases", str(write(tmp_path, CASE_HEADER, [CASES[0], row, *CASES[1:]]))
    )
    assert code == 1
    rejected = [line for line in err.splitlines() if line.startswith("regel ")]
    assert len(rejected) == 1, err
    assert rejected[0].startswith("regel 3: "), err
    assert reason in rejected[0], err
    assert "Zaken: 5 nieuw, 0 gewijzigd, 0 ongewijzigd, 1 geweigerd" in out
    assert Case.objects.count() == 5


def test_a_wrong_header_refuses_the_file(tmp_path: Path) -> None:
    _out, err, code = run(
        "import", "cases", str(write(tmp_path, "external_id,received,kind", CASES))
    )
    assert code == 1
    assert "regel 1: ontbrekende kolom(men)" in err
    assert Case.objects.count() == 0


# --- decisions and tracks ------------------------------------------------------------------------


def decisions(*rows: str) -> list[str]:
    return [f"D{n},{row}" for n, row in enumerate(rows, start=1)]


def test_decisions_build_a_closed_and_an_open_track(tmp_path: Path) -> None:
    rows = decisions(
        "L1,inspection_advice,2021-01-05T10:00:00+01:00",  # before any start: stands alone
        "L1,enforcement_started,2021-02-01T10:00:00+01:00",
        "L1,warning,2021-03-01T10:00:00+01:00",
        "L1,suspension,2021-04-01T10:00:00+02:00",
        "L1,enforcement_closed,2021-09-01T10:00:00+02:00",
        "L1,enforcement_started,2022-05-01T10:00:00+02:00",
        "L1,warning,2022-06-01T10:00:00+02:00",
        "L1,suspension,2022-07-01T10:00:00+02:00",
        "L2,civil_party,2022-07-01T10:00:00+02:00",
    )
    out, err, code = run("import", "decisions", str(write(tmp_path, DECISION_HEADER, rows)))
    assert code == 0, err
    assert "Beslissingen: 9 nieuw, 0 ongewijzigd, 0 geweigerd" in out
    assert "2 handhavingstraject(en) opgebouwd voor 2 locatie(s)" in out
    assert Decision.objects.filter(source="import", proposal__isnull=True).count() == 9
    closed, open_ = EnforcementTrack.objects.filter(location__external_id="L1").order_by(
        "started_at"
    )
    assert closed.started_at == dt.datetime(2021, 2, 1, 9, tzinfo=dt.UTC)
    assert closed.closed_at == dt.datetime(2021, 9, 1, 8, tzinfo=dt.UTC)
    assert (closed.state, closed.warnings) == ("none", [])
    assert open_.closed_at is None
    assert (open_.state, open_.positive_evaluations) == ("suspended", 0)
    assert list(open_.decisions.values_list("external_id", flat=True)) == ["D6", "D7", "D8"]
    advice = Decision.objects.get(external_id="D1")
    assert advice.track is None
    assert "import_warnings" not in advice.payload
    assert Location.objects.get(external_id="L1").licence_status == "suspended"
    assert LocationVersion.objects.filter(
        location__external_id="L1", changes={"licence_status": ["active", "suspended"]}
    ).exists()
    assert Decision.objects.get(external_id="D9").track is None
    assert Location.objects.get(external_id="L2").licence_status == "active"


def test_an_order_against_the_table_is_kept_as_a_warning(tmp_path: Path) -> None:
    rows = decisions(
        "L1,enforcement_started,2021-02-01T10:00:00+01:00",
        "L1,suspension,2021-03-01T10:00:00+01:00",  # no warning or intention before it
        "L1,evaluation_positive,2021-04-01T10:00:00+02:00",
        "L1,evaluation_positive,2021-05-01T10:00:00+02:00",
        "L1,revocation,2021-06-01T10:00:00+02:00",
        "L2,suspension,2021-06-01T10:00:00+02:00",  # outside any track
    )
    out, err, code = run("import", "decisions", str(write(tmp_path, DECISION_HEADER, rows)))
    assert code == 0, err
    track = EnforcementTrack.objects.get(location__external_id="L1")
    assert track.closed_at is None  # open until its enforcement_closed, not closed by the 2nd +
    assert track.state == "revoked"
    assert track.positive_evaluations == 2
    assert len(track.warnings) == 2
    assert track.warnings[0].startswith("2021-03-01: ")
    assert track.warnings[1].startswith("2021-05-01: ")
    assert Location.objects.get(external_id="L1").licence_status == "revoked"
    alone = Decision.objects.get(external_id="D6")
    assert alone.track is None
    assert alone.payload["import_warnings"][0].startswith("2021-06-01: ")
    warnings = [line for line in out.splitlines() if line.startswith("waarschuwing: ")]
    assert len(warnings) == 3
    assert all("locatie L1: " in w for w in warnings[:2])
    assert "locatie L2: " in warnings[2]


def test_the_fold_of_an_imported_track() -> None:
    at = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    steps = ["enforcement_started", "warning", "evaluation_positive", "evaluation_negative"]
    fold = fold_imported([(kind, at) for kind in steps])
    assert (fold.state, fold.positive_evaluations, fold.warnings, fold.closed) == (
        "warning",
        0,
        [],
        False,
    )
    fold = fold_imported(
        [(kind, at) for kind in [*steps, "evaluation_positive", "enforcement_closed"]]
    )
    assert (fold.state, fold.positive_evaluations, fold.closed) == ("none", 1, True)


def test_decisions_twice_change_nothing_and_new_rows_recompute_the_track(
    tmp_path: Path,
) -> None:
    rows = decisions(
        "L1,enforcement_started,2021-02-01T10:00:00+01:00",
        "L1,warning,2021-03-01T10:00:00+01:00",
    )
    path = write(tmp_path, DECISION_HEADER, rows)
    decisions_import(path=path)
    out, err, code = run("import", "decisions", str(path))
    assert code == 0, err
    assert "Beslissingen: 0 nieuw, 2 ongewijzigd, 0 geweigerd" in out
    assert EnforcementTrack.objects.count() == 1
    more = [*rows, "D3,L1,enforcement_closed,2021-05-01T10:00:00+02:00"]
    result = decisions_import(path=write(tmp_path, DECISION_HEADER, more, name="2.csv"))
    assert (result.created, result.unchanged, result.locations) == (1, 2, 1)
    track = EnforcementTrack.objects.get()
    assert track.closed_at == dt.datetime(2021, 5, 1, 8, tzinfo=dt.UTC)
    assert Decision.objects.filter(track=track).count() == 3
    assert Location.objects.get(external_id="L1").licence_status == "active"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("D9,L404,warning,2022-03-01T09:30:00+01:00", "onbekende locatie L404"),
        ("D9,L1,protective_measure,2022-03-01T09:30:00+01:00", "kind moet een van"),
        ("D9,L1,warning,2022-03-01T09:30:00", "heeft geen UTC-verschuiving"),
        ("D9,L1,warning,", "decided_at is leeg"),
        ("D9,,warning,2022-03-01T09:30:00+01:00", "location_external_id is leeg"),
        ("D9,L1,warning", "4 cellen verwacht, 3 gevonden"),
        ("D1,L1,warning,2022-03-01T09:30:00+01:00", "external_id D1 staat al op regel 2"),
    ],
)
def test_a_bad_decision_row_is_rejected_with_its_line(
    tmp_path: Path, row: str, reason: str
) -> None:
    good = decisions(
        "L1,enforcement_started,2021-02-01T10:00:00+01:00",
        "L1,warning,2021-03-01T10:00:00+01:00",
    )
    out, err, code = run(
        "import", "decisions", str(write(tmp_path, DECISION_HEADER, [good[0], row, good[1]]))
    )
    assert code == 1
    rejected = [line for line in err.splitlines() if line.startswith("regel ")]
    assert len(rejected) == 1, err
    assert rejected[0].startswith("regel 3: "), err
    assert reason in rejected[0], err
    assert "Beslissingen: 2 nieuw, 0 ongewijzigd, 1 geweigerd" in out
    assert Decision.objects.count() == 2


def test_a_known_decision_with_other_values_is_rejected(tmp_path: Path) -> None:
    decisions_import(
        path=write(tmp_path, DECISION_HEADER, ["D1,L1,warning,2021-03-01T10:00:00+01:00"])
    )
    _out, err, code = run(
        "import",
        "decisions",
        str(write(tmp_path, DECISION_HEADER, ["D1,L1,suspension,2021-03-01T10:00:00+01:00"])),
    )
    assert code == 1
    assert "regel 2: external_id D1 is al een beslissing met andere waarden" in err
    assert Decision.objects.get().kind == "warning"
