"""The daily synchronisation, a `kglijn worker` job (settings.KGLIJN_WORKER_JOBS).

Each configured source runs once a day from ``KGLIJN_OPGROEIPUNT_SYNC_AT`` (Brussels time): the
dossier system first (inspection visits need their locations). A source with a succeeded run
since that time today is done for the day (a run by hand counts too); after a failed run it is
tried again ``KGLIJN_OPGROEIPUNT_SYNC_RETRY_MINUTES`` later, until one succeeds or the day
ends. A drop directory without a file gives no run: the job looks again at its next round.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from kglijn.opgroeipunt.models import SyncRun, SyncRunStatus, SyncSource
from kglijn.opgroeipunt.sync.services import (
    STALE_AFTER,
    SyncBusy,
    is_configured,
    sync_configured,
)

logger = logging.getLogger("kglijn.opgroeipunt.sync")
ORDER = (SyncSource.DOSSIER, SyncSource.INSPECTION)


def daily_start(*, now: dt.datetime) -> dt.datetime:
    """Today's configured start time (Brussels), as an aware datetime; ValueError if malformed."""
    hours, minutes = (int(part) for part in settings.KGLIJN_OPGROEIPUNT_SYNC_AT.split(":"))
    return timezone.localtime(now).replace(hour=hours, minute=minutes, second=0, microsecond=0)


def source_due(*, source: str, now: dt.datetime) -> bool:
    """True when ``source`` should run now: past today's start time, no success since then,
    no run in progress, and the last failure at least the retry interval ago."""
    start = daily_start(now=now)
    if now < start:
        return False
    today = SyncRun.objects.filter(source=source, started_at__gte=start)
    if today.filter(status=SyncRunStatus.SUCCEEDED).exists():
        return False
    # A run of a live process is left alone; one of a dead process is marked failed by the
    # next run (services._run_start), so it must not block the day.
    if today.filter(status=SyncRunStatus.RUNNING, started_at__gt=now - STALE_AFTER).exists():
        return False
    retry = dt.timedelta(minutes=settings.KGLIJN_OPGROEIPUNT_SYNC_RETRY_MINUTES)
    return not today.filter(status=SyncRunStatus.FAILED, started_at__gt=now - retry).exists()


def sync_daily(*, now: dt.datetime) -> int:
    """Run every configured source that is due; returns the number of runs made."""
    try:
        daily_start(now=now)
    except ValueError:
        logger.error(
            "KGLIJN_OPGROEIPUNT_SYNC_AT %r is not HH:MM", settings.KGLIJN_OPGROEIPUNT_SYNC_AT
        )
        return 0
    runs = 0
    for source in ORDER:
        if not is_configured(source) or not source_due(source=source, now=now):
            continue
        try:
            done = sync_configured(source=source, now=now)
        except SyncBusy:
            continue
        for run in done:
            if run.status == SyncRunStatus.FAILED:
                logger.warning("Sync run %s (%s) failed: %s", run.pk, source, run.error)
        runs += len(done)
    return runs
