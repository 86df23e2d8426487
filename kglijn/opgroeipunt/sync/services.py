"""Synchronisation in: one run reads a source completely, checks it, and applies it at once.

Guarantees (docs/opgroeipunt-sync.md):
- all-or-nothing: every record is read and checked before anything is written; the good ones
  are applied in ONE transaction together with the run's counts and the pull's new cursor, so a
  crash leaves the register, the cursor and the run log as before (the run stays ``running``
  and the next run marks it failed). A rejected record fails the whole run unless
  ``skip_bad_rows``;
- upserts on the source's ids (``location_upsert`` for the dossier system, ``visit_upsert`` for
  the inspection system), each real change with a version row; applying the same data again
  changes nothing, so a run repeated after a crash makes no doubles;
- deactivation instead of deletion: a record with ``active: false``; a record missing from a
  run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.opgroeipunt.models import (
    InspectionVisit,
    InspectionVisitVersion,
    Location,
    SyncCursor,
    SyncRun,
    SyncRunStatus,
    SyncSource,
    SyncTransport,
)
from kglijn.opgroeipunt.services import LocationData, Outcome, location_upsert
from kglijn.opgroeipunt.sync.pull import SourceDown, address_check, pull_all
from kglijn.opgroeipunt.sync.records import (
    RawRecord,
    RecordError,
    SourceFileError,
    VisitData,
    dossier_record_parse,
    file_records,
    inspection_record_parse,
)

logger = logging.getLogger("kglijn.opgroeipunt.sync")

# A run still ``running`` after this long belongs to a process that died (a pull's pages with
# all their retries take minutes, not this): the next run marks it failed.
STALE_AFTER = dt.timedelta(minutes=30)
MAX_KEPT_REJECTIONS = 1_000
FILE_SUFFIXES = (".csv", ".jsonl", ".ndjson")
_VISIT_FIELDS = (
    "location_id",
    "visited_on",
    "types",
    "findings",
    "report_reference",
    "report_url",
    "report_published_on",
    "active",
)


class SyncBusy(RuntimeError):
    """Another run of the same source is in progress."""


class NotConfigured(RuntimeError):
    """The source has neither an address nor a drop directory."""


class SyncOutcome(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    DEACTIVATED = "deactivated"


# --- the inspection visit upsert --------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def visit_upsert(*, data: VisitData, source: str) -> SyncOutcome:
    """Create or update the visit ``data.external_id``; one version row per real change.

    Idempotent on the external id: the same data twice gives UNCHANGED and no version. The
    location must exist (Location.DoesNotExist otherwise; the run checks this first).
    """
    location = Location.objects.get(external_id=data.location_external_id)
    values: dict[str, Any] = {
        "location_id": location.pk,
        "visited_on": data.visited_on,
        "types": list(data.types),
        "findings": [dict(finding) for finding in data.findings],
        "report_reference": data.report_reference,
        "report_url": data.report_url,
        "report_published_on": data.report_published_on,
        "active": data.active,
    }
    visit = InspectionVisit.objects.select_for_update().filter(external_id=data.external_id).first()
    if visit is None:
        visit = InspectionVisit.objects.create(external_id=data.external_id, **values)
        InspectionVisitVersion.objects.create(
            visit=visit,
            source=source,
            created=True,
            changes={name: [None, _jsonable(value)] for name, value in values.items()},
        )
        return SyncOutcome.CREATED
    changes = {
        name: [_jsonable(getattr(visit, name)), _jsonable(values[name])]
        for name in _VISIT_FIELDS
        if getattr(visit, name) != values[name]
    }
    if not changes:
        return SyncOutcome.UNCHANGED
    for name in changes:
        setattr(visit, name, values[name])
    visit.save(update_fields=list(changes))
    InspectionVisitVersion.objects.create(visit=visit, source=source, changes=changes)
    if changes.get("active") == [True, False]:
        return SyncOutcome.DEACTIVATED
    return SyncOutcome.CHANGED


def _location_apply(*, data: LocationData, source: str, actor: User | None) -> SyncOutcome:
    was_active = (
        Location.objects.filter(external_id=data.external_id)
        .values_list("active", flat=True)
        .first()
    )
    outcome = location_upsert(data=data, source=source, actor=actor)
    if outcome is Outcome.CREATED:
        return SyncOutcome.CREATED
    if outcome is Outcome.UNCHANGED:
        return SyncOutcome.UNCHANGED
    return SyncOutcome.DEACTIVATED if was_active and not data.active else SyncOutcome.CHANGED


# --- a run's life ------------------------------------------------------------------------------


def _run_start(
    *,
    source: str,
    transport: str,
    origin: str,
    actor: User | None,
    skip_bad_rows: bool,
    now: dt.datetime,
) -> SyncRun:
    """The run row, committed at once so the run log shows it; refuses a second live run."""
    with transaction.atomic():
        for run in SyncRun.objects.select_for_update().filter(
            source=source, status=SyncRunStatus.RUNNING
        ):
            if run.started_at > now - STALE_AFTER:
                raise SyncBusy(
                    _("another run of this source is in progress (started %(time)s)")
                    % {"time": timezone.localtime(run.started_at).strftime("%d/%m/%Y %H:%M")}
                )
            run.status = SyncRunStatus.FAILED
            run.finished_at = now
            run.error = _(
                "abandoned: the process running it stopped before it ended; nothing of it "
                "was applied"
            )
            run.save(update_fields=["status", "finished_at", "error"])
        try:
            with transaction.atomic():
                return SyncRun.objects.create(
                    source=source,
                    transport=transport,
                    origin=origin[:500],
                    started_at=now,
                    started_by=actor,
                    skip_bad_rows=skip_bad_rows,
                    cursor_before=_cursor(source),
                )
        except IntegrityError:  # another process started one just now (one running per source)
            raise SyncBusy(_("another run of this source is in progress")) from None


def _cursor(source: str) -> str:
    return SyncCursor.objects.filter(source=source).values_list("value", flat=True).first() or ""


def _fail(run: SyncRun, error: str) -> SyncRun:
    run.status = SyncRunStatus.FAILED
    run.finished_at = timezone.now()
    run.error = error[:5_000]
    run.save(
        update_fields=[
            "status",
            "finished_at",
            "error",
            "attempts",
            "log",
            "rejected",
            "rejections",
        ]
    )
    return run


@dataclass
class _Checked:
    good: list[tuple[int, LocationData | VisitData]]
    rejections: list[dict[str, Any]]


def _check(*, source: str, records: list[RawRecord], last_wins: bool, today: dt.date) -> _Checked:
    """Parse every record; the usable ones and a rejection (line, id, reason) for each other."""
    good: dict[str, tuple[int, LocationData | VisitData]] = {}
    rejections: list[dict[str, Any]] = []
    organisers: dict[str, tuple[str, int]] = {}

    def reject(record: RawRecord, reason: str) -> None:
        rejections.append({"line": record.line, "id": record.external_id, "reason": reason})

    for record in records:
        if record.fields is None:
            reject(record, record.problem)
            continue
        try:
            data: LocationData | VisitData = (
                dossier_record_parse(record.fields)
                if source == SyncSource.DOSSIER
                else inspection_record_parse(record.fields, today=today)
            )
        except RecordError as exc:
            reject(record, str(exc))
            continue
        if data.external_id in good and not last_wins:
            reject(
                record,
                _("external_id %(id)s already on line %(line)d")
                % {"id": data.external_id, "line": good[data.external_id][0]},
            )
            continue
        if isinstance(data, LocationData):
            earlier = organisers.get(data.organiser_external_id)
            if earlier is not None and earlier[0] != data.organiser_name:
                reject(
                    record,
                    _("organiser %(id)s has another name on line %(line)d")
                    % {"id": data.organiser_external_id, "line": earlier[1]},
                )
                continue
            organisers.setdefault(data.organiser_external_id, (data.organiser_name, record.line))
        good.pop(data.external_id, None)  # a pull's later page holds the newer version
        good[data.external_id] = (record.line, data)
    checked = _Checked(good=list(good.values()), rejections=rejections)
    if source == SyncSource.INSPECTION:
        _check_locations(checked)
    checked.rejections.sort(key=lambda rejection: rejection["line"])
    return checked


def _check_locations(checked: _Checked) -> None:
    wanted = {
        data.location_external_id for _line, data in checked.good if isinstance(data, VisitData)
    }
    known = set(
        Location.objects.filter(external_id__in=wanted).values_list("external_id", flat=True)
    )
    kept: list[tuple[int, LocationData | VisitData]] = []
    for line, data in checked.good:
        assert isinstance(data, VisitData)
        if data.location_external_id in known:
            kept.append((line, data))
        else:
            checked.rejections.append(
                {
                    "line": line,
                    "id": data.external_id,
                    "reason": _("location %(id)s is not in the register")
                    % {"id": data.location_external_id},
                }
            )
    checked.good = kept


def _check_and_apply(
    run: SyncRun, records: list[RawRecord], *, cursor: str | None, last_wins: bool
) -> SyncRun:
    checked = _check(
        source=run.source, records=records, last_wins=last_wins, today=timezone.localdate()
    )
    run.rejected = len(checked.rejections)
    run.rejections = checked.rejections[:MAX_KEPT_REJECTIONS]
    if checked.rejections and not run.skip_bad_rows:
        return _fail(
            run,
            _(
                "%(count)d record(s) rejected, so nothing was applied; correct them, or apply "
                "the good records with skip bad rows"
            )
            % {"count": len(checked.rejections)},
        )
    try:
        _apply(run, checked.good, cursor=cursor)
    except Exception as exc:
        logger.exception("Sync run %s stopped while applying", run.pk)
        fresh = SyncRun.objects.get(pk=run.pk)  # not the half-counted object in memory
        fresh.attempts, fresh.log = run.attempts, run.log
        fresh.rejected, fresh.rejections = run.rejected, run.rejections
        return _fail(
            fresh,
            _("the run stopped while applying (%(error)s); nothing was applied")
            % {"error": f"{type(exc).__name__}: {exc}"[:300]},
        )
    return run


@transaction.atomic
def _apply(
    run: SyncRun, good: list[tuple[int, LocationData | VisitData]], *, cursor: str | None
) -> None:
    """Everything of the run at once: the upserts, the cursor and the run's outcome."""
    counts = dict.fromkeys(SyncOutcome, 0)
    source = f"sync:{run.source}:{run.pk}"
    for _line, data in good:
        if isinstance(data, LocationData):
            outcome = _location_apply(data=data, source=source, actor=run.started_by)
        else:
            outcome = visit_upsert(data=data, source=source)
        counts[outcome] += 1
    if cursor is not None:
        SyncCursor.objects.update_or_create(
            source=run.source, defaults={"value": cursor, "run": run}
        )
        run.cursor_after = cursor
    run.created = counts[SyncOutcome.CREATED]
    run.changed = counts[SyncOutcome.CHANGED]
    run.unchanged = counts[SyncOutcome.UNCHANGED]
    run.deactivated = counts[SyncOutcome.DEACTIVATED]
    run.status = SyncRunStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()


# --- the entry points ----------------------------------------------------------------------


def sync_file(
    *,
    source: str,
    path: Path,
    skip_bad_rows: bool = False,
    actor: User | None = None,
    origin: str = "",
    now: dt.datetime | None = None,
) -> SyncRun:
    """Run a file (.csv or .jsonl) of ``source``; the finished run (succeeded or failed).

    Raises SyncBusy (no run recorded) while another run of the source is in progress."""
    run = _run_start(
        source=source,
        transport=SyncTransport.FILE,
        origin=origin or str(path),
        actor=actor,
        skip_bad_rows=skip_bad_rows,
        now=now or timezone.now(),
    )
    try:
        records = file_records(path, source=source)
    except (SourceFileError, OSError) as exc:
        return _fail(
            run, str(exc) if isinstance(exc, SourceFileError) else _("cannot read the file")
        )
    return _check_and_apply(run, records, cursor=None, last_wins=False)


def sync_pull(
    *,
    source: str,
    url: str,
    skip_bad_rows: bool = False,
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> SyncRun:
    """Pull every page of ``source`` since its cursor and apply them; the finished run.

    The source down after the retries: a failed run, nothing applied, the cursor where it was.
    Raises SyncBusy (no run recorded) while another run of the source is in progress."""
    run = _run_start(
        source=source,
        transport=SyncTransport.PULL,
        origin=url,
        actor=actor,
        skip_bad_rows=skip_bad_rows,
        now=now or timezone.now(),
    )
    try:
        address_check(url)
    except ValueError as exc:
        return _fail(run, str(exc))
    try:
        pulled = pull_all(url=url, since=run.cursor_before, token=_token(source))
    except SourceDown as exc:
        run.attempts, run.log = exc.attempts, exc.log
        return _fail(
            run,
            _("the source could not be read, nothing was applied: %(error)s") % {"error": exc},
        )
    except Exception as exc:  # a bug or an unforeseen answer: the run must not stay running
        logger.exception("Sync run %s stopped while pulling", run.pk)
        return _fail(
            run,
            _("the run stopped while reading the source (%(error)s); nothing was applied")
            % {"error": f"{type(exc).__name__}: {exc}"[:300]},
        )
    run.attempts, run.log = pulled.attempts, pulled.log
    return _check_and_apply(run, pulled.records, cursor=pulled.cursor, last_wins=True)


def _token(source: str) -> str:
    token: str = getattr(settings, f"KGLIJN_OPGROEIPUNT_SYNC_{source.upper()}_TOKEN", "")
    return token


def configured_url(source: str) -> str:
    url: str = getattr(settings, f"KGLIJN_OPGROEIPUNT_SYNC_{source.upper()}_URL", "")
    return url


def drop_dir(source: str) -> Path | None:
    base = settings.KGLIJN_OPGROEIPUNT_SYNC_DROP_DIR
    return Path(base) / source if base else None


def is_configured(source: str) -> bool:
    return bool(configured_url(source) or drop_dir(source))


def waiting_files(source: str) -> list[Path]:
    folder = drop_dir(source)
    if folder is None or not folder.is_dir():
        return []
    return sorted(
        path for path in folder.iterdir() if path.is_file() and path.suffix.lower() in FILE_SUFFIXES
    )


def sync_configured(
    *,
    source: str,
    actor: User | None = None,
    skip_bad_rows: bool = False,
    now: dt.datetime | None = None,
) -> list[SyncRun]:
    """Run ``source`` as configured: its HTTPS address, else each file waiting in its drop
    directory (oldest name first; moved to done/ or failed/ after its run). No file waiting:
    no run. Raises NotConfigured or SyncBusy."""
    url = configured_url(source)
    if url:
        return [
            sync_pull(source=source, url=url, skip_bad_rows=skip_bad_rows, actor=actor, now=now)
        ]
    folder = drop_dir(source)
    if folder is None:
        raise NotConfigured(_("no address or drop directory is configured for this source"))
    runs = []
    for path in waiting_files(source):
        run = sync_file(
            source=source,
            path=path,
            skip_bad_rows=skip_bad_rows,
            actor=actor,
            origin=str(path),
            now=now,
        )
        # A crash before this move repeats the file next time: upserts make that harmless.
        target = folder / ("done" if run.status == SyncRunStatus.SUCCEEDED else "failed")
        target.mkdir(exist_ok=True)
        shutil.move(path, target / f"{run.pk}-{path.name}")
        runs.append(run)
    return runs
