"""The synchronisation's run log (/opgroeipunt/synchronisatie/) and its two team-lead actions."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tasks.base import TaskResultStatus

from kglijn.opgroeipunt.models import SyncRun, SyncRunStatus, SyncSource
from kglijn.opgroeipunt.sync.forms import SyncStartForm, SyncUploadForm
from kglijn.opgroeipunt.sync.selectors import (
    cursors,
    last_successful_runs,
    sync_run_get,
    sync_runs,
)
from kglijn.opgroeipunt.sync.services import (
    NotConfigured,
    SyncBusy,
    configured_url,
    drop_dir,
    is_configured,
    sync_file,
)
from kglijn.opgroeipunt.sync.tasks import sync_configured_task

VIEW = "opgroeipunt.view_syncrun"
RUN = "opgroeipunt.run_sync"
PAGE_SIZE = 50


def _sources(request: HttpRequest) -> list[dict[str, object]]:
    last = last_successful_runs()
    where = cursors()
    return [
        {
            "value": value,
            "label": label,
            "last": last[value],
            "cursor": where.get(value, ""),
            "configured": is_configured(value),
            "address": configured_url(value) or (str(drop_dir(value)) if drop_dir(value) else ""),
        }
        for value, label in SyncSource.choices
    ]


def _page(request: HttpRequest, upload_form: SyncUploadForm | None = None) -> HttpResponse:
    paginator = Paginator(sync_runs(), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "runs": page.object_list,
        "sources": _sources(request),
        "failed": SyncRunStatus.FAILED,
        "can_run": request.user.has_perm(RUN),
        "upload_form": upload_form or SyncUploadForm(),
    }
    return render(request, "opgroeipunt/sync/runs.html", context)


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def sync_runs_page(request: HttpRequest) -> HttpResponse:
    """The run log: every run, newest first; per source its last successful run."""
    return _page(request)


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def sync_run_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: its counts, its problem, its rejections and what the transport did."""
    try:
        run = sync_run_get(run_id=pk)
    except SyncRun.DoesNotExist:
        raise Http404 from None
    return render(
        request, "opgroeipunt/sync/run_detail.html", {"run": run, "failed": SyncRunStatus.FAILED}
    )


def _after(request: HttpRequest, runs: list[SyncRun]) -> HttpResponse:
    for run in runs:
        if run.status == SyncRunStatus.FAILED:
            messages.error(request, _("The run failed: %(error)s") % {"error": run.error})
        else:
            messages.success(request, _("The run succeeded."))
    if len(runs) == 1:
        return redirect("opgroeipunt:sync_run", pk=runs[0].pk)
    return redirect("opgroeipunt:sync_runs")


@require_POST
@login_required
@permission_required(RUN, raise_exception=True)
def sync_start(request: HttpRequest) -> HttpResponse:
    """Run a configured source now (its address, or the files waiting in its drop directory),
    as a background task: under the database backend a worker runs it and the log shows it."""
    form = SyncStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a source."))
        return redirect("opgroeipunt:sync_runs")
    user = request.user
    assert isinstance(user, User)
    source = form.cleaned_data["source"]
    if not configured_url(source) and drop_dir(source) is None:
        messages.error(
            request,
            str(NotConfigured(_("no address or drop directory is configured for this source"))),
        )
        return redirect("opgroeipunt:sync_runs")
    result = sync_configured_task.enqueue(source=source, user_id=user.pk)
    if result.status == TaskResultStatus.SUCCESSFUL:  # the immediate backend: already done
        outcome = result.return_value or {"runs": [], "refused": ""}
        if outcome["refused"]:
            messages.error(request, outcome["refused"])
            return redirect("opgroeipunt:sync_runs")
        runs = list(SyncRun.objects.filter(pk__in=outcome["runs"]).order_by("started_at"))
        if not runs:
            messages.error(request, _("No file is waiting in the drop directory: nothing to do."))
        return _after(request, runs)
    if result.status == TaskResultStatus.FAILED:
        messages.error(request, _("The run could not start; the worker's log says why."))
        return redirect("opgroeipunt:sync_runs")
    messages.success(
        request,
        _("The synchronisation has started in the background; its run appears in the log."),
    )
    return redirect("opgroeipunt:sync_runs")


@require_POST
@login_required
@permission_required(RUN, raise_exception=True)
def sync_upload(request: HttpRequest) -> HttpResponse:
    """Run an uploaded file of a source (all-or-nothing unless skip bad rows is ticked)."""
    form = SyncUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, upload_form=form)
    user = request.user
    assert isinstance(user, User)
    upload = form.cleaned_data["file"]
    name = Path(upload.name or "bestand").name[:200]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            run = sync_file(
                source=form.cleaned_data["source"],
                path=path,
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                actor=user,
                origin=_("upload: %(name)s") % {"name": name},
            )
        except SyncBusy as exc:
            messages.error(request, str(exc))
            return redirect("opgroeipunt:sync_runs")
    return _after(request, [run])
