"""The run log pages: who sees them, the team lead's two actions, failures in red."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kglijn.core.tasks import tasks_run
from kglijn.opgroeipunt.models import InspectionVisit, Location, SyncRun, SyncRunStatus
from tests.opgroeipunt.sync_helpers import SourceState, locations, source_server, visit

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def lead(make_user: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_user("opgroeipunt_team_lead", "lead"))
    return client


@pytest.fixture
def manager(make_user: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_user("childcare_customer_manager", "manager"))
    return client


def _upload(client: Client, name: str, content: bytes, source: str, skip: bool = False) -> Any:
    data: dict[str, Any] = {"source": source, "file": SimpleUploadedFile(name, content)}
    if skip:
        data["skip_bad_rows"] = "on"
    return client.post(reverse("opgroeipunt:sync_upload"), data, follow=True)


def test_the_team_lead_uploads_a_file_and_sees_the_run(lead: Client) -> None:
    response = _upload(
        lead, "locaties.csv", (EXAMPLES / "sync-dossier.csv").read_bytes(), "dossier"
    )
    run = SyncRun.objects.get()
    assert response.redirect_chain == [(reverse("opgroeipunt:sync_run", args=[run.pk]), 302)]
    assert run.status == SyncRunStatus.SUCCEEDED
    assert run.origin.endswith(": locaties.csv")
    assert Location.objects.count() == 3
    assert run.started_by is not None
    assert run.started_by.username == "lead"
    # the run log shows it as the last successful run of the dossier source
    page = lead.get(reverse("opgroeipunt:sync_runs")).content.decode()
    assert reverse("opgroeipunt:sync_run", args=[run.pk]) in page
    assert 'data-sync-source="dossier"' in page


def test_a_bad_row_is_shown_in_red_with_its_line(lead: Client) -> None:
    locations("L1")
    content = (
        b'{"external_id": "V1", "location_external_id": "L1", "visited_on": "2025-01-02", '
        b'"types": ["regular"]}\n{"external_id": "V2"}\n'
    )
    response = _upload(lead, "bezoeken.jsonl", content, "inspection")
    html = response.content.decode()
    assert "data-sync-error" in html
    assert "status--failed" in html
    assert "<td>2</td><td>V2</td>" in html
    assert InspectionVisit.objects.count() == 0
    listing = lead.get(reverse("opgroeipunt:sync_runs")).content.decode()
    assert "status--failed" in listing
    # with the checkbox, the good row goes in
    _upload(lead, "bezoeken.jsonl", content, "inspection", skip=True)
    assert InspectionVisit.objects.count() == 1


def test_a_wrong_file_kind_is_a_form_error(lead: Client) -> None:
    response = _upload(lead, "bezoeken.xlsx", b"PK", "inspection")
    assert response.status_code == 200
    assert not SyncRun.objects.exists()
    assert response.context["upload_form"].errors["file"]


def test_the_team_lead_runs_the_configured_source(lead: Client, settings: Any) -> None:
    settings.KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP = True
    settings.KGLIJN_OPGROEIPUNT_SYNC_BACKOFF = 0.01
    locations("L1")
    with source_server(SourceState(records=[visit(1), visit(2), visit(3)])) as url:
        settings.KGLIJN_OPGROEIPUNT_SYNC_INSPECTION_URL = url
        page = lead.get(reverse("opgroeipunt:sync_runs")).content.decode()
        assert reverse("opgroeipunt:sync_start") in page
        response = lead.post(
            reverse("opgroeipunt:sync_start"), {"source": "inspection"}, follow=True
        )
    assert response.status_code == 200
    assert InspectionVisit.objects.count() == 3
    html = response.content.decode()
    assert "data-sync-log" in html


def test_nothing_configured_is_said_not_failed(lead: Client, settings: Any) -> None:
    settings.KGLIJN_OPGROEIPUNT_SYNC_DOSSIER_URL = ""
    settings.KGLIJN_OPGROEIPUNT_SYNC_DROP_DIR = ""
    response = lead.post(reverse("opgroeipunt:sync_start"), {"source": "dossier"}, follow=True)
    assert response.status_code == 200
    assert not SyncRun.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_customer_manager_sees_the_log_but_cannot_start_a_run(manager: Client) -> None:
    page = manager.get(reverse("opgroeipunt:sync_runs"))
    assert page.status_code == 200
    assert reverse("opgroeipunt:sync_upload") not in page.content.decode()
    assert manager.post(reverse("opgroeipunt:sync_start"), {"source": "dossier"}).status_code == 403
    response = manager.post(
        reverse("opgroeipunt:sync_upload"),
        {"source": "dossier", "file": SimpleUploadedFile("a.csv", b"x")},
    )
    assert response.status_code == 403
    assert not SyncRun.objects.exists()


def test_under_the_database_backend_the_button_leaves_the_run_to_the_worker(
    lead: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A pull can take minutes (retries): the request only enqueues it; `kglijn worker`'s
    tasks job runs it, and the run log shows it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.KGLIJN_OPGROEIPUNT_SYNC_ALLOW_LOCAL_HTTP = True
    settings.KGLIJN_OPGROEIPUNT_SYNC_BACKOFF = 0.01
    locations("L1")
    with source_server(SourceState(records=[visit(1), visit(2)])) as url:
        settings.KGLIJN_OPGROEIPUNT_SYNC_INSPECTION_URL = url
        response = lead.post(
            reverse("opgroeipunt:sync_start"), {"source": "inspection"}, follow=True
        )
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["success"]
        assert not SyncRun.objects.exists()  # not run in the request
        assert DBTaskResult.objects.ready().count() == 1
        assert tasks_run(now=timezone.now()) == 1
    run = SyncRun.objects.get()
    assert (run.status, run.created, run.started_by) == ("succeeded", 2, response.wsgi_request.user)
    assert InspectionVisit.objects.count() == 2
