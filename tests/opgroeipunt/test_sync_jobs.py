"""The daily synchronisation job: once a day from the configured time, retried after a failure."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from kglijn.opgroeipunt.models import InspectionVisit, SyncRun, SyncRunStatus
from kglijn.opgroeipunt.sync.jobs import sync_daily
from tests.opgroeipunt.sync_helpers import SourceState, locations, source_server, visit

pytestmark = pytest.mark.django_db
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=BRUSSELS)


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> Iterator[None]:
    settings.KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP = True
    settings.KGLIJN_OPGROEIPUNT_SYNC_ATTEMPTS = 2
    settings.KGLIJN_OPGROEIPUNT_SYNC_BACKOFF = 0.01
    settings.KGLIJN_OPGROEIPUNT_SYNC_TIMEOUT = 2
    settings.KGLIJN_OPGROEIPUNT_SYNC_AT = "02:30"
    settings.KGLIJN_OPGROEIPUNT_SYNC_RETRY_MINUTES = 60
    settings.KGLIJN_OPGROEIPUNT_SYNC_DOSSIER_URL = ""
    settings.KGLIJN_OPGROEIPUNT_SYNC_INSPECTION_URL = ""
    settings.KGLIJN_OPGROEIPUNT_SYNC_DROP_DIR = ""
    with translation.override("en"):
        yield


def test_nothing_configured_does_nothing() -> None:
    assert sync_daily(now=at(2, 3)) == 0
    assert not SyncRun.objects.exists()


def test_a_pulled_source_runs_once_a_day_and_is_retried_after_a_failure(settings: Any) -> None:
    locations("L1")
    state = SourceState(records=[visit(1), visit(2), visit(3)], fail_page=1, fail_times=2)
    with source_server(state) as url:
        settings.KGLIJN_OPGROEIPUNT_SYNC_INSPECTION_URL = url
        # before the configured time: nothing
        assert sync_daily(now=at(2, 2, 29)) == 0
        # at 02:30 the source is down (both attempts): a failed run
        assert sync_daily(now=at(2, 2, 30)) == 1
        failed = SyncRun.objects.get()
        assert failed.status == SyncRunStatus.FAILED
        assert failed.attempts == 2
        # not retried within the hour
        assert sync_daily(now=at(2, 3, 29)) == 0
        # retried an hour later: the source is back
        assert sync_daily(now=at(2, 3, 31)) == 1
        assert SyncRun.objects.filter(status=SyncRunStatus.SUCCEEDED).count() == 1
        assert InspectionVisit.objects.count() == 3
        # done for the day: not a second time
        assert sync_daily(now=at(2, 9)) == 0
        assert sync_daily(now=at(2, 23, 59)) == 0
        # the next day again, once
        assert sync_daily(now=at(3, 2, 15)) == 0
        assert sync_daily(now=at(3, 2, 31)) == 1
        assert sync_daily(now=at(3, 4)) == 0
    assert SyncRun.objects.count() == 3
    assert len(state.requests) == 5  # 2 failed + 1 + 1 (pages of 2: 3 records, 2 pages)


def test_a_drop_directory_is_read_once_a_day_dossier_first(settings: Any, tmp_path: Path) -> None:
    settings.KGLIJN_OPGROEIPUNT_SYNC_DROP_DIR = str(tmp_path)
    (tmp_path / "dossier").mkdir()
    (tmp_path / "inspection").mkdir()
    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    (tmp_path / "dossier" / "2026-03-02.csv").write_bytes(
        (examples / "sync-dossier.csv").read_bytes()
    )
    rows = [visit(1, location_external_id="KO-1001")]
    (tmp_path / "inspection" / "2026-03-02.jsonl").write_text(
        "".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8"
    )
    # the visits' location comes from the dossier file of the same round
    assert sync_daily(now=at(2, 2, 45)) == 2
    assert [run.source for run in SyncRun.objects.order_by("id")] == ["dossier", "inspection"]
    assert set(SyncRun.objects.values_list("status", flat=True)) == {SyncRunStatus.SUCCEEDED}
    assert InspectionVisit.objects.count() == 1
    assert sorted(path.name for path in (tmp_path / "dossier" / "done").iterdir())[0].endswith(
        "-2026-03-02.csv"
    )
    # a file dropped later that day waits for tomorrow
    (tmp_path / "dossier" / "later.csv").write_bytes((examples / "sync-dossier.csv").read_bytes())
    assert sync_daily(now=at(2, 12)) == 0
    assert sync_daily(now=at(3, 2, 30)) == 1
    # an empty drop directory makes no run: the job looks again at its next round
    assert sync_daily(now=at(4, 2, 30)) == 0
    assert SyncRun.objects.count() == 3


def test_a_malformed_time_does_nothing(settings: Any) -> None:
    settings.KGLIJN_OPGROEIPUNT_SYNC_AT = "half three"
    settings.KGLIJN_OPGROEIPUNT_SYNC_INSPECTION_URL = "https://example.invalid/feed"
    assert sync_daily(now=at(2, 4)) == 0
    assert not SyncRun.objects.exists()


def test_a_run_left_running_by_a_dead_process_does_not_block_the_day(
    settings: Any, tmp_path: Path
) -> None:
    settings.KGLIJN_OPGROEIPUNT_SYNC_DROP_DIR = str(tmp_path)
    (tmp_path / "dossier").mkdir()
    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    (tmp_path / "dossier" / "a.csv").write_bytes((examples / "sync-dossier.csv").read_bytes())
    dead = SyncRun.objects.create(
        source="dossier", transport="file", origin="a.csv", started_at=at(2, 2, 30)
    )
    # while it may still be alive (under 30 minutes), the job leaves it alone
    assert sync_daily(now=at(2, 2, 45)) == 0
    # later, the job runs and the dead run is marked failed
    assert sync_daily(now=at(2, 3, 5)) == 1
    dead.refresh_from_db()
    assert dead.status == SyncRunStatus.FAILED
    assert SyncRun.objects.filter(status=SyncRunStatus.SUCCEEDED).count() == 1
