"""Reads for the synchronisation's run log, and a location's inspection visits."""

from __future__ import annotations

from django.db.models import QuerySet

from kglijn.opgroeipunt.models import (
    InspectionVisit,
    Location,
    SyncCursor,
    SyncRun,
    SyncRunStatus,
    SyncSource,
)


def sync_runs() -> QuerySet[SyncRun]:
    """The run log, newest first (without the bulky rejections and transport log)."""
    return SyncRun.objects.select_related("started_by").defer("rejections", "log")


def sync_run_get(*, run_id: int) -> SyncRun:
    """One run with its rejections; SyncRun.DoesNotExist when there is none."""
    return SyncRun.objects.select_related("started_by").get(pk=run_id)


def last_successful_runs() -> dict[str, SyncRun | None]:
    """Per source (in SyncSource order), its newest succeeded run or None."""
    return {
        source: sync_runs()
        .filter(source=source, status=SyncRunStatus.SUCCEEDED)
        .order_by("-started_at", "-id")
        .first()
        for source in SyncSource.values
    }


def cursors() -> dict[str, str]:
    return dict(SyncCursor.objects.values_list("source", "value"))


def visits_for_location(location: Location) -> QuerySet[InspectionVisit]:
    """The location's active inspection visits, newest first (for the location page)."""
    return InspectionVisit.objects.filter(location=location, active=True).order_by(
        "-visited_on", "-id"
    )
