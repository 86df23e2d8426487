"""Synchronisation in from files: all-or-nothing, skip bad rows, history, bounds, crashes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from kglijn.opgroeipunt.models import (
    InspectionVisit,
    InspectionVisitVersion,
    Location,
    LocationVersion,
    SyncRun,
    SyncRunStatus,
)
from kglijn.opgroeipunt.sync import records as records_module
from kglijn.opgroeipunt.sync import services as sync_services
from kglijn.opgroeipunt.sync.services import SyncBusy, sync_file
from tests.opgroeipunt.sync_helpers import locations, visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The reasons are asserted in English (the code's language); the UI shows them in Dutch.
    with translation.override("en"):
        yield


EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _jsonl(tmp_path: Path, rows: list[Any], name: str = "visits.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        "".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows),
        encoding="utf-8",
    )
    return path


def _everything() -> tuple[int, int, int, int]:
    return (
        Location.objects.count(),
        LocationVersion.objects.count(),
        InspectionVisit.objects.count(),
        InspectionVisitVersion.objects.count(),
    )


def test_the_example_files_import_and_csv_and_jsonl_mean_the_same() -> None:
    # given the documented example files
    # when the dossier CSV, then the dossier JSONL run
    first = sync_file(source="dossier", path=EXAMPLES / "sync-dossier.csv")
    second = sync_file(source="dossier", path=EXAMPLES / "sync-dossier.jsonl")
    # then the CSV created three locations, and the JSONL (the same data) changed nothing
    assert (first.status, first.created, first.rejected) == (SyncRunStatus.SUCCEEDED, 3, 0)
    assert (second.created, second.changed, second.unchanged) == (0, 0, 3)
    assert Location.objects.get(external_id="KO-2001").active is False
    # and the same for the inspection examples
    visits = sync_file(source="inspection", path=EXAMPLES / "sync-inspection.csv")
    again = sync_file(source="inspection", path=EXAMPLES / "sync-inspection.jsonl")
    assert (visits.status, visits.created, visits.rejected) == (SyncRunStatus.SUCCEEDED, 3, 0)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3)
    two = InspectionVisit.objects.get(external_id="ZI-2025-0002")
    assert two.types == ["complaint", "danger_situation"]
    assert two.findings[0] == {
        "theme": "Begeleiding",
        "severity": "major",
        "text": "Te weinig begeleiders tijdens de middag",
    }
    assert two.report_published_on is None
    assert InspectionVisitVersion.objects.count() == 3


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(tmp_path: Path) -> None:
    # given a location, and a file of three visits whose second has an impossible date
    locations("L1")
    path = _jsonl(tmp_path, [visit(1), visit(2, visited_on="2025-02-30"), visit(3)])
    before = _everything()
    # when it runs
    run = sync_file(source="inspection", path=path)
    # then nothing is imported, the run failed and names line 2
    assert run.status == SyncRunStatus.FAILED
    assert _everything() == before
    assert run.rejected == 1
    assert run.rejections == [
        {"line": 2, "id": "V2", "reason": "visited_on must be a date YYYY-MM-DD"}
    ]
    assert "1 record(s) rejected, so nothing was applied" in run.error
    # when it runs with skip bad rows
    skipped = sync_file(source="inspection", path=path, skip_bad_rows=True)
    # then the good rows are in and the bad one is in the log
    assert skipped.status == SyncRunStatus.SUCCEEDED
    assert (skipped.created, skipped.rejected) == (2, 1)
    assert skipped.rejections[0]["line"] == 2
    assert sorted(InspectionVisit.objects.values_list("external_id", flat=True)) == ["V1", "V3"]


def test_a_malformed_json_line_is_a_rejection_naming_the_line(tmp_path: Path) -> None:
    locations("L1")
    path = _jsonl(tmp_path, [visit(1), '{"external_id": "V2", ', "[1, 2]", "[" * 5000 + "]" * 5000])
    run = sync_file(source="inspection", path=path)
    assert run.status == SyncRunStatus.FAILED
    assert [(r["line"], r["reason"][:14]) for r in run.rejections] == [
        (2, "not valid JSON"),
        (3, "a line must ho"),
        (4, "not valid JSON"),
    ]
    assert InspectionVisit.objects.count() == 0


def test_a_bad_csv_row_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "locaties.csv"
    text = (EXAMPLES / "sync-dossier.csv").read_text(encoding="utf-8")
    path.write_text(text.replace(",9050,", ",99999,"), encoding="utf-8")
    run = sync_file(source="dossier", path=path)
    assert run.status == SyncRunStatus.FAILED
    assert [(r["line"], r["id"]) for r in run.rejections] == [(3, "KO-1002")]
    assert "postcode" in run.rejections[0]["reason"]
    assert Location.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"report_reference": "x\x00y"}, "NUL character"),
        ({"report_reference": "R" * 65}, "report_reference is longer than 64 characters"),
        ({"visited_on": "1999-12-31"}, "visited_on must lie between 2000-01-01"),
        ({"visited_on": "2999-01-01"}, "visited_on must lie between 2000-01-01"),
        ({"types": []}, "types is empty"),
        ({"types": ["regular", "picnic"]}, "unknown visit type(s): picnic"),
        ({"findings": [{"theme": "A", "severity": "huge"}]}, "finding 1: severity"),
        ({"findings": [[["deep"]]]}, "finding 1 must be an object"),
        ({"findings": [{"theme": "A", "severity": "minor"}] * 51}, "more than 50 findings"),
        ({"report_url": "http://insecure.example/r.pdf"}, "report_url must be an https://"),
        ({"report_published_on": "2025-01-01"}, "report_published_on lies before visited_on"),
        ({"active": "yes"}, "active must be true or false"),
        ({"colour": "red"}, "unknown field(s): colour"),
        ({"location_external_id": "NOPE"}, "location NOPE is not in the register"),
    ],
)
def test_every_bound_is_checked(tmp_path: Path, change: dict[str, Any], reason: str) -> None:
    locations("L1")
    run = sync_file(source="inspection", path=_jsonl(tmp_path, [visit(1, **change)]))
    assert run.status == SyncRunStatus.FAILED
    assert reason in run.rejections[0]["reason"]
    assert InspectionVisit.objects.count() == 0


def test_a_too_big_file_and_a_duplicate_id_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locations("L1")
    duplicate = sync_file(source="inspection", path=_jsonl(tmp_path, [visit(1), visit(1)]))
    assert duplicate.rejections[0]["reason"] == "external_id V1 already on line 1"
    monkeypatch.setattr(records_module, "MAX_FILE_BYTES", 100)
    big = sync_file(source="inspection", path=_jsonl(tmp_path, [visit(1)]))
    assert big.status == SyncRunStatus.FAILED
    assert "larger than" in big.error
    wrong = tmp_path / "visits.xml"
    wrong.write_text("<visits/>", encoding="utf-8")
    assert "use a .csv or a .jsonl file" in sync_file(source="inspection", path=wrong).error
    assert InspectionVisit.objects.count() == 0


def test_deactivation_and_history_of_a_visit(tmp_path: Path) -> None:
    locations("L1", "L2")
    sync_file(source="inspection", path=_jsonl(tmp_path, [visit(1), visit(2)]))
    # when V1 moves to another location and gets a type more, and V2 is withdrawn
    run = sync_file(
        source="inspection",
        path=_jsonl(
            tmp_path,
            [
                visit(
                    1, location_external_id="L2", types=["follow_up_risk_enforcement", "regular"]
                ),
                visit(2, active=False),
            ],
        ),
    )
    assert (run.created, run.changed, run.deactivated, run.unchanged) == (0, 1, 1, 0)
    v1 = InspectionVisit.objects.get(external_id="V1")
    created, changed = InspectionVisitVersion.objects.filter(visit=v1)
    assert created.created
    assert created.changes["visited_on"] == [None, "2025-03-02"]
    assert changed.changes == {
        "location_id": [Location.objects.get(external_id="L1").pk, v1.location_id],
        "types": [["regular"], ["regular", "follow_up_risk_enforcement"]],
    }
    assert changed.source == f"sync:inspection:{run.pk}"
    assert InspectionVisit.objects.get(external_id="V2").active is False
    assert InspectionVisit.objects.count() == 2  # never deleted


def test_a_location_deactivated_by_the_dossier_system(tmp_path: Path) -> None:
    sync_file(source="dossier", path=EXAMPLES / "sync-dossier.csv")
    path = tmp_path / "dossier.csv"
    text = (EXAMPLES / "sync-dossier.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("T2,true,true", "T2,true,false"), encoding="utf-8")
    run = sync_file(source="dossier", path=path)
    assert (run.deactivated, run.changed, run.unchanged) == (1, 0, 2)
    location = Location.objects.get(external_id="KO-1001")
    assert location.active is False
    assert location.versions.last().changes == {"active": [True, False]}  # type: ignore[union-attr]


def test_the_same_file_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    locations("L1")
    path = _jsonl(tmp_path, [visit(n) for n in range(1, 6)])
    sync_file(source="inspection", path=path)
    before = _everything()
    second = sync_file(source="inspection", path=path)
    assert (second.created, second.changed, second.unchanged) == (0, 0, 5)
    assert _everything() == before


def test_a_crash_while_applying_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a file of five visits and an upsert that dies at the fourth
    locations("L1")
    path = _jsonl(tmp_path, [visit(n) for n in range(1, 6)])
    real = sync_services.visit_upsert
    calls = []

    def dying(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 4:
            raise OSError("disk gone")
        return real(**kwargs)

    monkeypatch.setattr(sync_services, "visit_upsert", dying)
    run = sync_file(source="inspection", path=path)
    # then nothing of the three applied visits is left, and the run says why
    assert len(calls) == 4
    assert run.status == SyncRunStatus.FAILED
    assert "OSError: disk gone" in run.error
    assert (run.created, run.changed) == (0, 0)
    assert InspectionVisit.objects.count() == 0
    assert InspectionVisitVersion.objects.count() == 0
    # and the next run (the crash gone) applies everything once
    monkeypatch.setattr(sync_services, "visit_upsert", real)
    assert sync_file(source="inspection", path=path).created == 5


def test_a_run_left_running_by_a_dead_process_is_failed_by_the_next(tmp_path: Path) -> None:
    locations("L1")
    path = _jsonl(tmp_path, [visit(1)])
    now = timezone.now()
    dead = SyncRun.objects.create(
        source="inspection", transport="file", origin="x", started_at=now - dt.timedelta(hours=1)
    )
    live = SyncRun.objects.create(
        source="dossier", transport="file", origin="y", started_at=now - dt.timedelta(minutes=1)
    )
    run = sync_file(source="inspection", path=path)
    assert run.status == SyncRunStatus.SUCCEEDED
    dead.refresh_from_db()
    assert dead.status == SyncRunStatus.FAILED
    assert dead.error.startswith("abandoned")
    # a run of another process still going refuses a second one of its source
    with pytest.raises(SyncBusy):
        sync_file(source="dossier", path=EXAMPLES / "sync-dossier.csv")
    live.refresh_from_db()
    assert live.status == SyncRunStatus.RUNNING


def test_the_command_prints_the_summary_and_fails_on_a_bad_row(tmp_path: Path) -> None:
    locations("L1")
    path = _jsonl(tmp_path, [visit(1), visit(2, types=7)])
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 run"):
        call_command("opgroeipunt", "sync", "inspection", str(path), stdout=out, stderr=err)
    assert "line 2: V2 types must be a list" in err.getvalue()
    assert "0 new" in out.getvalue()
    call_command(
        "opgroeipunt", "sync", "inspection", str(path), "--skip-bad-rows", stdout=out, stderr=err
    )
    assert "1 new" in out.getvalue()
    assert InspectionVisit.objects.count() == 1


def test_two_runs_of_one_source_cannot_both_be_running() -> None:
    # the database itself refuses a second running run of a source (two processes at once)
    from django.db import IntegrityError, transaction

    now = timezone.now()
    SyncRun.objects.create(source="dossier", transport="file", origin="a", started_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(source="dossier", transport="pull", origin="b", started_at=now)
    SyncRun.objects.create(source="inspection", transport="file", origin="c", started_at=now)
    assert SyncRun.objects.filter(status=SyncRunStatus.RUNNING).count() == 2
