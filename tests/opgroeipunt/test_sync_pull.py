"""Synchronisation in over HTTP: a real server in a thread plays the inspection system."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from kglijn.opgroeipunt.models import (
    InspectionVisit,
    InspectionVisitVersion,
    SyncCursor,
    SyncRun,
    SyncRunStatus,
)
from kglijn.opgroeipunt.sync.services import sync_pull
from tests.opgroeipunt.sync_helpers import (
    SourceState,
    locations,
    self_signed_certificate,
    source_server,
    visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The reasons are asserted in English (the code's language); the UI shows them in Dutch.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP = True
    settings.KGLIJN_OPGROEIPUNT_SYNC_ATTEMPTS = 4
    settings.KGLIJN_OPGROEIPUNT_SYNC_BACKOFF = 0.01
    settings.KGLIJN_OPGROEIPUNT_SYNC_TIMEOUT = 2


def _state(count: int = 5, **options: Any) -> SourceState:
    return SourceState(
        records=[visit(n, _at=f"2025-01-0{n}") for n in range(1, count + 1)], **options
    )


@pytest.mark.parametrize("how", ["503", "drop", "cut"])
def test_a_source_failing_halfway_is_retried_and_every_record_is_there_once(how: str) -> None:
    # given a source of 5 records in pages of 2 whose page 2 fails twice, then answers
    locations("L1")
    state = _state(fail_page=2, fail_times=2, fail_how=how)
    with source_server(state) as url:
        # when the pull runs
        run = sync_pull(source="inspection", url=url)
    # then every record is there exactly once, and the run log says what happened
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert sorted(InspectionVisit.objects.values_list("external_id", flat=True)) == [
        "V1",
        "V2",
        "V3",
        "V4",
        "V5",
    ]
    assert (run.created, run.changed, run.unchanged, run.rejected) == (5, 0, 0, 0)
    assert run.attempts == 5  # page 1, page 2 three times, page 3
    assert [(e["page"], e["attempt"], e["outcome"] == "ok") for e in run.log] == [
        (1, 1, True),
        (2, 1, False),
        (2, 2, False),
        (2, 3, True),
        (3, 1, True),
    ]
    assert run.log[1]["outcome"].startswith(
        "HTTP 503" if how == "503" else ("connection" if how == "drop" else "not valid JSON")
    )
    assert SyncCursor.objects.get(source="inspection").value == "c1"
    assert run.cursor_before == ""
    assert run.cursor_after == "c1"
    assert "since" not in state.requests[0]
    assert "page=1" in state.requests[0]


def test_a_source_that_stays_down_applies_nothing_and_keeps_the_cursor_then_comes_back() -> None:
    # given an earlier (empty) run left the cursor at 2025-01-00
    locations("L1")
    state = SourceState(cursor="2025-01-00")
    with source_server(state) as url:
        assert sync_pull(source="inspection", url=url).status == SyncRunStatus.SUCCEEDED
        # and the source now has 5 records but fails page 2 on every attempt
        state.records = _state().records
        state.cursor = "c1"
        state.fail_page, state.fail_times = 2, 4
        started = time.monotonic()
        # when the pull runs
        down = sync_pull(source="inspection", url=url)
        # then it failed with the reason, nothing applied, the cursor unchanged
        assert time.monotonic() - started < 2
        assert down.status == SyncRunStatus.FAILED
        assert "page 2: HTTP 503 after 4 attempt(s)" in down.error
        assert down.attempts == 5
        assert len(down.log) == 5
        assert InspectionVisit.objects.count() == 0
        assert SyncCursor.objects.get(source="inspection").value == "2025-01-00"
        # when the source is back, the next run applies everything once
        again = sync_pull(source="inspection", url=url)
    assert again.status == SyncRunStatus.SUCCEEDED
    assert again.cursor_before == "2025-01-00"
    assert InspectionVisit.objects.count() == 5
    assert again.created == 5
    assert SyncCursor.objects.get(source="inspection").value == "c1"
    assert "since=2025-01-00" in state.requests[-1]


def test_the_cursor_asks_only_for_what_changed_and_a_change_is_a_version() -> None:
    # given a first full pull
    locations("L1")
    state = _state(3)
    state.cursor = "2025-01-03"
    with source_server(state) as url:
        sync_pull(source="inspection", url=url)
        # when the source changes V2 (with a finding fewer) and withdraws V3
        state.records[1] = visit(2, findings=[], _at="2025-01-04")
        state.records[2] = visit(3, active=False, _at="2025-01-05")
        state.cursor = "2025-01-05"
        run = sync_pull(source="inspection", url=url)
    # then only those two came, with their history
    assert (run.created, run.changed, run.deactivated, run.unchanged) == (0, 1, 1, 0)
    assert "since=2025-01-03" in state.requests[-1]
    v2 = InspectionVisit.objects.get(external_id="V2")
    assert v2.findings == []
    last = InspectionVisitVersion.objects.filter(visit=v2).last()
    assert last is not None
    assert list(last.changes) == ["findings"]
    assert last.changes["findings"][1] == []
    v3 = InspectionVisit.objects.get(external_id="V3")
    assert v3.active is False  # deactivated, not deleted
    assert InspectionVisit.objects.count() == 3


def test_a_bad_record_in_a_pull_fails_the_run_and_keeps_the_cursor() -> None:
    locations("L1")
    state = _state(3)
    state.records[1]["types"] = ["picnic"]
    with source_server(state) as url:
        run = sync_pull(source="inspection", url=url)
        assert run.status == SyncRunStatus.FAILED
        assert run.rejections == [{"line": 2, "id": "V2", "reason": run.rejections[0]["reason"]}]
        assert "picnic" in run.rejections[0]["reason"]
        assert InspectionVisit.objects.count() == 0
        assert not SyncCursor.objects.exists()
        # with skip bad rows, the good ones go in and the cursor moves
        skipped = sync_pull(source="inspection", url=url, skip_bad_rows=True)
    assert skipped.status == SyncRunStatus.SUCCEEDED
    assert (skipped.created, skipped.rejected) == (2, 1)
    assert SyncCursor.objects.get(source="inspection").value == "c1"


def test_plain_http_is_refused_unless_allowed_for_localhost(settings: Any) -> None:
    settings.KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP = False
    with source_server(_state(1)) as url:
        run = sync_pull(source="inspection", url=url)
    assert run.status == SyncRunStatus.FAILED
    assert "https://" in run.error
    assert run.attempts == 0
    settings.KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP = True
    remote = sync_pull(source="inspection", url="http://example.org/feed")
    assert remote.status == SyncRunStatus.FAILED
    assert "https://" in remote.error


def test_a_next_link_to_another_server_is_refused() -> None:
    locations("L1")
    state = _state(3)
    original = state.page

    def page(since: str | None, number: int) -> dict[str, Any]:
        answer = original(since, number)
        answer["next"] = "https://elsewhere.example/feed?page=2"
        return answer

    state.page = page  # type: ignore[method-assign]
    with source_server(state) as url:
        run = sync_pull(source="inspection", url=url)
    assert run.status == SyncRunStatus.FAILED
    assert "another server" in run.error
    assert InspectionVisit.objects.count() == 0
    assert SyncRun.objects.count() == 1


def test_the_dossier_source_over_http_writes_locations_with_their_history() -> None:
    from kglijn.opgroeipunt.models import Location, LocationVersion

    def location(number: int, **overrides: Any) -> dict[str, Any]:
        record: dict[str, Any] = {
            "external_id": f"KO-{number}",
            "organiser_external_id": "ORG-1",
            "organiser_name": "Vzw Kindjes",
            "name": f"Opvang {number}",
            "postcode": "9000",
            "care_type": "group",
            "places": 18,
            "subsidy": "T2",
            "income_tariff": True,
            "active": True,
        }
        record.update(overrides)
        return record

    state = SourceState(records=[location(n) for n in (1, 2, 3)], page_size=2, cursor="d1")
    with source_server(state) as url:
        first = sync_pull(source="dossier", url=url)
        state.records = [location(2, places=24, _at="e"), location(3, active=False, _at="e")]
        state.cursor = "d2"
        second = sync_pull(source="dossier", url=url)
    assert (first.created, first.attempts) == (3, 2)
    assert (second.changed, second.deactivated, second.unchanged) == (1, 1, 0)
    assert Location.objects.get(external_id="KO-2").places == 24
    assert Location.objects.get(external_id="KO-3").active is False
    assert LocationVersion.objects.filter(location__external_id="KO-2").last().changes == {  # type: ignore[union-attr]
        "places": [18, 24]
    }
    assert LocationVersion.objects.filter(source=f"sync:dossier:{second.pk}").count() == 2


def test_the_command_pulls_from_an_address_and_fails_when_the_source_stays_down() -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    locations("L1")
    state = _state(3, fail_page=1, fail_times=4)
    out, err = StringIO(), StringIO()
    with source_server(state) as url:
        with pytest.raises(CommandError, match="1 run"):
            call_command("opgroeipunt", "sync", "inspection", url, stdout=out, stderr=err)
        assert "page 1: HTTP 503 after 4 attempt(s)" in err.getvalue()
        assert "4 request(s)" in out.getvalue()
        call_command("opgroeipunt", "sync", "inspection", url, stdout=out, stderr=err)
    assert "3 new" in out.getvalue()
    assert InspectionVisit.objects.count() == 3


def test_an_https_source_is_pulled_over_verified_tls_and_an_untrusted_one_is_refused(
    settings: Any, tmp_path: Path
) -> None:
    """The real transport: TLS to a source whose certificate is trusted through
    KGLIJN_OPGROEIPUNT_SYNC_CA_FILE; without it the certificate is refused at once (no
    retries, nothing applied), and plain http is not needed at all."""
    settings.KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP = False
    locations("L1")
    cert, key = self_signed_certificate(tmp_path)
    state = _state(3, page_size=2)
    with source_server(state, tls=(cert, key)) as url:
        assert url.startswith("https://")
        settings.KGLIJN_OPGROEIPUNT_SYNC_CA_FILE = ""
        refused = sync_pull(source="inspection", url=url)
        assert refused.status == SyncRunStatus.FAILED
        assert "certificate is not trusted" in refused.error
        assert refused.attempts == 1
        assert InspectionVisit.objects.count() == 0
        settings.KGLIJN_OPGROEIPUNT_SYNC_CA_FILE = str(cert)
        run = sync_pull(source="inspection", url=url)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert (run.created, InspectionVisit.objects.count()) == (3, 3)
    assert len(state.requests) == 2  # two pages of 2 and 1, over TLS
