"""A synchronisation started from the run log's button, through the Tasks API (django-tasks,
ADR 0013): a pull can take minutes when the source needs retries, too long for a web request.
Under the immediate backend (`make run`, tests) it runs at once; under `database` a
`kglijn worker` runs it and the run log shows it as it goes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django_tasks import task

from kglijn.opgroeipunt.sync.services import NotConfigured, SyncBusy, sync_configured


@task()
def sync_configured_task(*, source: str, user_id: int | None) -> dict[str, Any]:
    """``{"runs": [ids of the runs it made], "refused": why it did not run, or ""}``."""
    actor = User.objects.filter(pk=user_id).first() if user_id is not None else None
    try:
        runs = sync_configured(source=source, actor=actor)
    except (NotConfigured, SyncBusy) as exc:
        return {"runs": [], "refused": str(exc)}
    return {"runs": [run.pk for run in runs], "refused": ""}
