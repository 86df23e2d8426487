"""Synchronisation out: new cases, decisions and enforcement-state changes to the dossier system
(issue 18 item 2; docs/opgroeipunt-sync-out.md).

The discipline of the mail outbox (ADR 0013), for events:

- **Recorded with the change.** ``outgoing_case_created`` / ``outgoing_decision_made`` /
  ``outgoing_track_changed`` write one ``OutgoingChange`` in the transaction that makes the
  change (they refuse to run outside one): the event exists exactly when the change does, once.
  Its ``event_id`` (UUID) and payload never change afterwards.
- **Webhook: claim -> POST -> mark.** The claim is its own transaction (the oldest undelivered
  event only, so events arrive in order; a conditional update lets one claim through), the POST
  happens outside any transaction, the mark is its own transaction and only counts when the
  claim is still the one sending. 2xx = delivered; anything else (3xx, 4xx, 5xx, a timeout, a
  refused connection) = pending again after a back-off (``RETRY_BASE`` doubling, capped at
  ``RETRY_CAP``), failed after ``MAX_ATTEMPTS``; a failed event is shown and no longer holds up
  the rest. **Unlike mail, an unknown fate is re-sent:** a claim older than the stale time (its
  worker died mid-send) is claimed again and POSTed with the *same* event id and byte-identical
  body. Delivery is at least once; the receiver deduplicates on the event id (the documented
  contract, ``Idempotency-Key``), so every change is applied exactly once.
- **File drop.** Undelivered events are claimed into a batch (the batch's file name is written
  on the rows, one transaction), the batch is written as JSON Lines to a temporary file in the
  drop directory and renamed into place (atomic), then the rows are marked. A crash between the
  steps rewrites the *same* file name with the same lines: each event lands in one file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from kglijn.core.worker import stop_requested
from kglijn.opgroeipunt.models import (
    Case,
    Decision,
    EnforcementTrack,
    OutgoingChange,
    OutgoingState,
)
from kglijn.opgroeipunt.sync.pull import NoRedirect

logger = logging.getLogger("kglijn.opgroeipunt.sync.outgoing")

CASE_CREATED = "case.created"
DECISION_MADE = "decision.made"
ENFORCEMENT_CHANGED = "enforcement.changed"
KINDS = (CASE_CREATED, DECISION_MADE, ENFORCEMENT_CHANGED)

BATCH = 100  # events per job run and per drop file
MAX_ATTEMPTS = 12
RETRY_BASE = dt.timedelta(seconds=30)  # doubled per attempt ...
RETRY_CAP = dt.timedelta(hours=1)  # ... up to this
SIGNATURE_HEADER = "X-Kglijn-Signature"
TIMESTAMP_HEADER = "X-Kglijn-Timestamp"
EVENT_HEADER = "X-Kglijn-Event-Id"
SIGNATURE_TOLERANCE = 300  # seconds a receiver accepts between our timestamp and its clock


def webhook_url() -> str:
    return str(settings.KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_URL)


def webhook_secret() -> str:
    return str(settings.KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_SECRET)


def drop_directory() -> str:
    return str(settings.KGLIJN_OPGROEIPUNT_DOSSIER_DROP_DIR)


def webhook_timeout() -> float:
    return float(settings.KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_TIMEOUT)


def stale_after() -> dt.timedelta:
    """A claim older than this belongs to a worker that died mid-send (well past the timeout)."""
    seconds = float(settings.KGLIJN_OPGROEIPUNT_OUTGOING_STALE_SECONDS)
    return dt.timedelta(seconds=max(seconds, 3 * webhook_timeout()))


# --- Recording (inside the change's transaction) ---------------------------------------------


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _record(*, kind: str, payload: dict[str, Any], occurred_at: dt.datetime) -> OutgoingChange:
    if not connection.in_atomic_block:
        raise RuntimeError("an outgoing change is recorded in the transaction of its change")
    return OutgoingChange.objects.create(
        kind=kind, payload=payload, occurred_at=occurred_at, webhook_next_at=occurred_at
    )


def outgoing_case_created(*, case: Case) -> OutgoingChange:
    """The event of a new case: ids, kind, source, urgency and locations; never the reporter,
    the subject or the description (they may name people)."""
    payload = {
        "case": {
            "id": case.pk,
            "reference": str(case),
            "external_id": case.external_id,
            "kind": case.kind,
            "source": case.source,
            "status": case.status,
            "received_at": _iso(case.received_at),
            "urgent": case.urgent,
            "urgent_due_at": _iso(case.urgent_due_at),
            "regional_team_id": case.regional_team_id,
            "locations": sorted(case.locations.values_list("external_id", flat=True)),
        }
    }
    return _record(kind=CASE_CREATED, payload=payload, occurred_at=timezone.now())


def outgoing_decision_made(*, decision: Decision) -> OutgoingChange:
    """The event of a decision in force: kind, dates, subject ids; not its motivation (free
    text) nor who proposed or approved it."""
    case, location = decision.case, decision.location
    payload = {
        "decision": {
            "id": decision.pk,
            "external_id": decision.external_id,
            "kind": decision.kind,
            "source": decision.source,
            "decided_at": _iso(decision.decided_at),
            "effective_from": _iso(decision.effective_from),
            "effective_until": _iso(decision.effective_until),
            "reason": decision.payload.get("reason"),
            "case_id": case.pk if case is not None else None,
            "case_external_id": case.external_id if case is not None else None,
            "location_external_id": location.external_id if location is not None else None,
        }
    }
    return _record(kind=DECISION_MADE, payload=payload, occurred_at=decision.decided_at)


def outgoing_track_changed(
    *, track: EnforcementTrack, previous_state: str | None, cause: str
) -> OutgoingChange:
    """The event of an enforcement track's new state (opened, moved, closed, plan of approach):
    the whole state as it is now, so the receiver can apply it by ``sequence``."""
    location = track.location
    payload = {
        "track": {
            "id": track.pk,
            "location_external_id": location.external_id,
            "previous_state": previous_state,
            "state": track.state,
            "started_at": _iso(track.started_at),
            "closed_at": _iso(track.closed_at),
            "positive_evaluations": track.positive_evaluations,
            "plan_of_approach_on": _iso(track.plan_of_approach_on),
            "licence_status": location.licence_status,
            "cause": cause,
        }
    }
    return _record(kind=ENFORCEMENT_CHANGED, payload=payload, occurred_at=timezone.now())


# --- The event on the wire --------------------------------------------------------------------


def event_document(change: OutgoingChange) -> dict[str, Any]:
    return {
        "event_id": str(change.event_id),
        "type": change.kind,
        "sequence": change.pk,
        "occurred_at": _iso(change.occurred_at),
        "data": change.payload,
    }


def event_body(change: OutgoingChange) -> bytes:
    """The event as bytes: the same for every attempt (sorted keys, fixed separators)."""
    return json.dumps(
        event_document(change), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def signature_make(*, secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 over ``timestamp + "." + body`` with the shared secret."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_verify(
    *, secret: str, timestamp: str, body: bytes, signature: str, now: float
) -> bool:
    """What a receiver checks (the documented example): the signature, in constant time, and a
    timestamp within SIGNATURE_TOLERANCE of its clock (a replayed old request is refused)."""
    try:
        moment = int(timestamp)
    except ValueError:
        return False
    if abs(now - moment) > SIGNATURE_TOLERANCE:
        return False
    expected = signature_make(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, signature)


# --- Webhook: claim -> POST -> mark -----------------------------------------------------------


def webhook_claim(*, now: dt.datetime) -> OutgoingChange | None:
    """Claim the oldest event not yet delivered, in its own transaction, when it is due (pending
    and its back-off passed, or claimed by a worker that died); None otherwise. Only the oldest:
    a later event never overtakes an earlier one."""
    with transaction.atomic():
        head = (
            OutgoingChange.objects.select_for_update()
            .filter(webhook_state__in=[OutgoingState.PENDING, OutgoingState.SENDING])
            .order_by("id")
            .first()
        )
        if head is None:
            return None
        if head.webhook_state == OutgoingState.PENDING:
            if head.webhook_next_at > now:
                return None
            due = Q(webhook_state=OutgoingState.PENDING)
        else:
            stale_since = now - stale_after()
            if head.webhook_claimed_at is not None and head.webhook_claimed_at > stale_since:
                return None  # another worker is sending it
            logger.warning(
                "Outgoing event %s: the worker sending it stopped; sending it again", head.event_id
            )
            due = Q(webhook_state=OutgoingState.SENDING, webhook_claim=head.webhook_claim)
        token = secrets.token_hex(16)
        # Conditional, like a compare-and-set: even without row locks (SQLite) one claim wins.
        claimed = (
            OutgoingChange.objects.filter(due, pk=head.pk)
            .exclude(webhook_state=OutgoingState.DELIVERED)
            .update(
                webhook_state=OutgoingState.SENDING,
                webhook_claimed_at=now,
                webhook_claim=token,
                webhook_attempts=F("webhook_attempts") + 1,
            )
        )
        if not claimed:
            return None
        head.refresh_from_db()
        return head


@dataclass(frozen=True)
class PostResult:
    delivered: bool
    error: str = ""


def webhook_post(*, url: str, secret: str, change: OutgoingChange, timeout: float) -> PostResult:
    """POST one event, signed; never raises for what the network or the receiver does."""
    body = event_body(change)
    timestamp = str(int(timezone.now().timestamp()))
    request = urllib.request.Request(  # noqa: S310 - the configured http(s) address only
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": str(change.event_id),
            EVENT_HEADER: str(change.event_id),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature_make(secret=secret, timestamp=timestamp, body=body),
            "User-Agent": "kglijn-opgroeipunt-sync",
        },
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return PostResult(False, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return PostResult(False, f"not reached: {exc}"[:300])
    if 200 <= status < 300:
        return PostResult(True)
    return PostResult(False, f"HTTP {status}")


def webhook_mark(change: OutgoingChange, result: PostResult, *, now: dt.datetime) -> bool:
    """Record the outcome of the claim that sent it (a later claim's outcome is the one that
    counts); True when delivered."""
    mine = OutgoingChange.objects.filter(
        pk=change.pk, webhook_state=OutgoingState.SENDING, webhook_claim=change.webhook_claim
    )
    if result.delivered:
        mine.update(
            webhook_state=OutgoingState.DELIVERED, webhook_delivered_at=now, webhook_error=""
        )
        return True
    if change.webhook_attempts >= MAX_ATTEMPTS:
        mine.update(webhook_state=OutgoingState.FAILED, webhook_error=result.error[:300])
        logger.error("Outgoing event %s: giving up (%s)", change.event_id, result.error)
        return False
    delay = min(RETRY_BASE * 2 ** (change.webhook_attempts - 1), RETRY_CAP)
    mine.update(
        webhook_state=OutgoingState.PENDING,
        webhook_next_at=now + delay,
        webhook_claimed_at=None,
        webhook_claim="",
        webhook_error=result.error[:300],
    )
    logger.warning("Outgoing event %s: %s; again in %s", change.event_id, result.error, delay)
    return False


def webhook_deliver(*, now: dt.datetime) -> int:
    """Send due events to the webhook, oldest first, until one is not delivered or the batch is
    done; returns how many were sent (delivered or not)."""
    url, secret = webhook_url(), webhook_secret()
    if not url:
        return 0
    if not secret:
        raise RuntimeError("KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_SECRET is not set: nothing sent")
    timeout = webhook_timeout()
    work = 0
    for _i in range(BATCH):
        if stop_requested():
            break
        change = webhook_claim(now=now)
        if change is None:
            break
        work += 1
        result = webhook_post(url=url, secret=secret, change=change, timeout=timeout)
        if not webhook_mark(change, result, now=timezone.now()):
            break
    return work


@transaction.atomic
def outgoing_requeue(*, event_id: str, now: dt.datetime) -> bool:
    """Send a failed event again (a person decided so); False when it is not failed."""
    return bool(
        OutgoingChange.objects.filter(event_id=event_id, webhook_state=OutgoingState.FAILED).update(
            webhook_state=OutgoingState.PENDING,
            webhook_attempts=0,
            webhook_next_at=now,
            webhook_claimed_at=None,
            webhook_claim="",
        )
    )


# --- File drop ---------------------------------------------------------------------------------


def _batch_name(first: int, last: int) -> str:
    return f"kglijn-changes-{first:012d}-{last:012d}.jsonl"


def _write_atomically(directory: Path, name: str, lines: list[bytes]) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            for line in lines:
                out.write(line + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, directory / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)  # the rename itself survives a crash
    finally:
        os.close(descriptor)


def _file_claim() -> str | None:
    """Put the next undelivered events (not yet in a batch) in a new batch; its file name."""
    with transaction.atomic():
        ids = list(
            OutgoingChange.objects.select_for_update(skip_locked=True)
            .filter(file_batch="", file_delivered_at__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)[:BATCH]
        )
        if not ids:
            return None
        name = _batch_name(ids[0], ids[-1])
        OutgoingChange.objects.filter(pk__in=ids, file_batch="").update(file_batch=name)
        return name


def _file_write(directory: Path, name: str, *, now: dt.datetime) -> int:
    changes = list(
        OutgoingChange.objects.filter(file_batch=name, file_delivered_at__isnull=True).order_by(
            "id"
        )
    )
    if not changes:
        return 0
    # The whole batch (delivered rows too, when a crash left it half marked): the same name
    # always holds the same lines.
    everything = list(OutgoingChange.objects.filter(file_batch=name).order_by("id"))
    _write_atomically(directory, name, [event_body(change) for change in everything])
    with transaction.atomic():
        OutgoingChange.objects.filter(file_batch=name, file_delivered_at__isnull=True).update(
            file_delivered_at=now
        )
    return len(changes)


def file_deliver(*, now: dt.datetime) -> int:
    """Write undelivered events into the drop directory, a batch file at a time; first the
    batches a crash left unmarked (same name, same lines), then new ones."""
    configured = drop_directory()
    if not configured:
        return 0
    directory = Path(configured)
    directory.mkdir(parents=True, exist_ok=True)
    work = 0
    leftovers = (
        OutgoingChange.objects.filter(file_delivered_at__isnull=True)
        .exclude(file_batch="")
        .values_list("file_batch", flat=True)
        .distinct()
    )
    for leftover in sorted(set(leftovers)):
        work += _file_write(directory, leftover, now=now)
    while not stop_requested():
        name = _file_claim()
        if name is None:
            break
        work += _file_write(directory, name, now=now)
        if work >= BATCH * 10:
            break
    return work


# --- The worker job and the status -------------------------------------------------------------


def outgoing_deliver(*, now: dt.datetime) -> int:
    """The `kglijn worker` job: the file drop, then the webhook (each when configured)."""
    return file_deliver(now=now) + webhook_deliver(now=now)


@dataclass(frozen=True)
class OutgoingStatus:
    webhook: Mapping[str, int]
    file_pending: int
    file_delivered: int
    problems: list[OutgoingChange]
    webhook_configured: bool
    file_configured: bool


def outgoing_status(*, limit: int = 50) -> OutgoingStatus:
    """Counts per webhook state, the drop's pending and written events, and the events that
    wait after a failed attempt or gave up (oldest first)."""
    counts = dict(
        OutgoingChange.objects.values_list("webhook_state").annotate(n=Count("id")).order_by()
    )
    file_counts = OutgoingChange.objects.aggregate(
        pending=Count("id", filter=Q(file_delivered_at__isnull=True)),
        delivered=Count("id", filter=Q(file_delivered_at__isnull=False)),
    )
    problems = list(
        OutgoingChange.objects.filter(
            Q(webhook_state=OutgoingState.FAILED)
            | (Q(webhook_state=OutgoingState.PENDING) & ~Q(webhook_error=""))
        ).order_by("id")[:limit]
    )
    return OutgoingStatus(
        webhook={state: counts.get(state, 0) for state in OutgoingState.values},
        file_pending=file_counts["pending"],
        file_delivered=file_counts["delivered"],
        problems=problems,
        webhook_configured=bool(webhook_url()),
        file_configured=bool(drop_directory()),
    )
