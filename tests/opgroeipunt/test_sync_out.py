"""Synchronisation out (issue 18 item 2): one outgoing event per change, written with the
change; a real HTTP receiver that checks the signature and deduplicates on the event id gets
every change exactly once — across failures, back-off and a worker killed mid-send — and the
file drop writes each event into exactly one batch file."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from kglijn.opgroeipunt.cases.services import CaseInvalid, ReporterData, case_create
from kglijn.opgroeipunt.decisions.services import proposal_approve
from kglijn.opgroeipunt.enforcement.services import PlanRefused, track_plan_record
from kglijn.opgroeipunt.models import EnforcementTrack, OutgoingChange, OutgoingState
from kglijn.opgroeipunt.sync import outgoing
from kglijn.opgroeipunt.sync.outgoing import (
    event_body,
    file_deliver,
    outgoing_deliver,
    outgoing_requeue,
    outgoing_status,
    signature_make,
    signature_verify,
)
from tests.opgroeipunt.dossier_receiver import DossierReceiver
from tests.opgroeipunt.test_decisions import make_location, propose, step

SECRET = "s3cret-shared-with-the-dossier-system"
REPORTER = ReporterData(name="Sara Peeters", email="sara@example.be", phone="0471234567")
DESCRIPTION = "Mijn dochter kwam thuis met een blauwe plek op haar arm."

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers(make_user: Callable[..., User]) -> tuple[User, User]:
    return make_user("childcare_customer_manager", "anna"), make_user(
        "opgroeipunt_team_lead", "bert"
    )


@pytest.fixture
def receiver() -> Iterator[DossierReceiver]:
    with DossierReceiver(SECRET) as server:
        yield server


def _webhook(receiver: DossierReceiver, secret: str = SECRET) -> override_settings:
    return override_settings(
        KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_URL=receiver.url,
        KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_SECRET=secret,
        KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_TIMEOUT="5",
        KGLIJN_OPGROEIPUNT_DOSSIER_DROP_DIR="",
    )


def _kinds() -> list[str]:
    return list(OutgoingChange.objects.order_by("id").values_list("kind", flat=True))


def _case(**kw: object) -> object:
    values: dict[str, object] = {
        "kind": "complaint",
        "source": "staff",
        "description": DESCRIPTION,
        "reporter": REPORTER,
        **kw,
    }
    return case_create(**values)  # type: ignore[arg-type]


# --- one row per change, in the change's transaction -------------------------------------------


def test_every_change_records_exactly_one_event(managers: tuple[User, User]) -> None:
    anna, bert = managers
    location = make_location("LOC1")
    case = _case(locations=[location])
    assert _kinds() == ["case.created"]
    # an enforcement decision: the decision, and the track it opens
    step(location, "enforcement_started", anna, bert)
    assert _kinds() == ["case.created", "decision.made", "enforcement.changed"]
    # a decision that does not move the state (advice on an open track): the decision only
    step(location, "inspection_advice_requested", anna, bert)
    assert _kinds()[3:] == ["decision.made"]
    step(location, "warning", anna, bert)
    assert _kinds()[4:] == ["decision.made", "enforcement.changed"]
    # a case decision
    proposal = propose(anna, "admissible", case=case)
    proposal_approve(proposal_id=proposal.pk, approver=bert)
    assert _kinds()[6:] == ["decision.made"]
    # the plan of approach: once per change, not again for the same date
    track = EnforcementTrack.objects.get(location=location)
    today = timezone.localdate()
    track_plan_record(location=location, on=today, actor=anna)
    track_plan_record(location=location, on=today, actor=anna)
    assert _kinds()[7:] == ["enforcement.changed"]
    changes = list(OutgoingChange.objects.order_by("id"))
    assert len({change.event_id for change in changes}) == len(changes) == 8
    track_event = changes[-1].payload["track"]
    assert track_event == {
        "id": track.pk,
        "location_external_id": "LOC1",
        "previous_state": "warning",
        "state": "warning",
        "started_at": track.started_at.isoformat(),
        "closed_at": None,
        "positive_evaluations": 0,
        "plan_of_approach_on": today.isoformat(),
        "licence_status": "active",
        "cause": "plan_of_approach",
    }
    # a positive evaluation keeps the state (the decision only); closing the track is a change
    step(location, "evaluation_positive", anna, bert)
    assert _kinds()[8:] == ["decision.made"]
    step(location, "enforcement_closed", anna, bert)
    assert _kinds()[9:] == ["decision.made", "enforcement.changed"]
    closed = OutgoingChange.objects.order_by("id").last()
    assert closed is not None
    assert closed.payload["track"]["previous_state"] == "warning"
    assert closed.payload["track"]["state"] == "none"
    assert closed.payload["track"]["closed_at"] is not None
    assert changes[1].payload["decision"]["kind"] == "enforcement_started"
    assert changes[1].payload["decision"]["location_external_id"] == "LOC1"


def test_the_payload_carries_no_personal_data_nor_case_texts(managers: tuple[User, User]) -> None:
    anna, bert = managers
    location = make_location("LOC1")
    case = _case(locations=[location], subject="Blauwe plek bij Lotte")
    step(location, "enforcement_started", anna, bert)
    everything = b"\n".join(event_body(change) for change in OutgoingChange.objects.all())
    for secret in (REPORTER.name, REPORTER.email, REPORTER.phone, DESCRIPTION, "Lotte"):
        assert secret.encode() not in everything
    for user in (anna, bert):
        assert user.username.encode() not in everything
    assert b"Verslag" not in everything
    assert b"Zie verslag" not in everything
    created = OutgoingChange.objects.get(kind="case.created").payload["case"]
    assert created["id"] == case.pk  # type: ignore[attr-defined]
    assert created["locations"] == ["LOC1"]
    assert created["kind"] == "complaint"


def test_a_refused_or_rolled_back_change_records_nothing(managers: tuple[User, User]) -> None:
    with pytest.raises(CaseInvalid):
        case_create(kind="complaint", source="staff", description="")

    def rolled_back() -> None:
        with transaction.atomic():
            _case()
            raise RuntimeError("the change is rolled back")

    with pytest.raises(RuntimeError):
        rolled_back()
    location = make_location("LOC1")
    with pytest.raises(PlanRefused):
        track_plan_record(location=location, on=timezone.localdate(), actor=managers[0])
    assert OutgoingChange.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        outgoing._record(kind="case.created", payload={}, occurred_at=timezone.now())


# --- the signature -----------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    import hashlib
    import hmac

    body = b'{"event_id":"x"}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature_make(secret="k", timestamp="1700000000", body=body) == "sha256=" + expected
    signed = "sha256=" + expected
    good = {"secret": "k", "timestamp": "1700000000", "body": body, "signature": signed}
    assert signature_verify(**good, now=1700000100)
    assert not signature_verify(**good, now=1700000000 + 301)  # too old: a replay
    assert not signature_verify(**{**good, "body": body + b" "}, now=1700000000)
    assert not signature_verify(**{**good, "secret": "other"}, now=1700000000)
    assert not signature_verify(**{**good, "timestamp": "soon"}, now=1700000000)


# --- delivery to a real receiver ---------------------------------------------------------------


def test_every_change_reaches_the_receiver_exactly_once(
    managers: tuple[User, User], receiver: DossierReceiver
) -> None:
    anna, bert = managers
    location = make_location("LOC1")
    for _i in range(3):
        _case(locations=[location])
    step(location, "enforcement_started", anna, bert)
    ids = [str(event) for event in OutgoingChange.objects.values_list("event_id", flat=True)]
    with _webhook(receiver):
        assert outgoing_deliver(now=timezone.now()) == 5
        assert outgoing_deliver(now=timezone.now()) == 0  # nothing again
    assert receiver.applied == ids  # in the order of the changes
    assert receiver.requests == ids
    assert receiver.rejected == []
    states = set(OutgoingChange.objects.values_list("webhook_state", flat=True))
    assert states == {OutgoingState.DELIVERED}
    first = json.loads(receiver.bodies[ids[0]])
    assert first["type"] == "case.created"
    assert first["sequence"] == OutgoingChange.objects.order_by("id").first().pk  # type: ignore[union-attr]
    assert set(first) == {"event_id", "type", "sequence", "occurred_at", "data"}


def test_a_wrong_secret_is_rejected_by_the_receiver_and_nothing_counts_as_delivered(
    receiver: DossierReceiver,
) -> None:
    with transaction.atomic():
        _case()
    change = OutgoingChange.objects.get()
    now = timezone.now()
    with _webhook(receiver, secret="not-the-shared-secret"):
        assert outgoing_deliver(now=now) == 1
    assert receiver.rejected == [(str(change.event_id), 401)]
    assert receiver.applied == []
    change.refresh_from_db()
    assert change.webhook_state == OutgoingState.PENDING
    assert change.webhook_error == "HTTP 401"
    assert change.webhook_next_at == now_plus(change, 30)
    # with the right secret, after the back-off, it is applied once
    with _webhook(receiver):
        assert outgoing_deliver(now=now) == 0  # still backing off
        assert outgoing_deliver(now=now + dt.timedelta(seconds=31)) == 1
    assert receiver.applied == [str(change.event_id)]


def now_plus(change: OutgoingChange, seconds: int) -> dt.datetime:
    # the back-off counts from the moment the failure was marked (close to the call's now)
    marked = change.webhook_next_at - dt.timedelta(seconds=seconds)
    assert abs((timezone.now() - marked).total_seconds()) < 10
    return change.webhook_next_at


def test_errors_back_off_doubling_capped_and_give_up_then_a_person_requeues(
    receiver: DossierReceiver,
) -> None:
    with transaction.atomic():
        _case()
        _case()
    first, second = OutgoingChange.objects.order_by("id")
    receiver.fail_next = [500, 503, 429]
    moment = timezone.now()
    delays = []
    with _webhook(receiver):
        for _i in range(3):
            assert outgoing_deliver(now=moment) == 1
            first.refresh_from_db()
            delays.append(round((first.webhook_next_at - timezone.now()).total_seconds()))
            moment = first.webhook_next_at
        # the failing first event holds up the second: order is kept
        assert receiver.applied == []
        assert outgoing_deliver(now=moment) == 2
    assert [abs(d - e) <= 2 for d, e in zip(delays, [30, 60, 120], strict=True)] == [True] * 3
    assert receiver.applied == [str(first.event_id), str(second.event_id)]
    # capped, and given up after MAX_ATTEMPTS: then the rest goes on and a person can requeue
    assert outgoing.RETRY_BASE * 2 ** (outgoing.MAX_ATTEMPTS - 1) > outgoing.RETRY_CAP
    with transaction.atomic():
        _case()
    third = OutgoingChange.objects.order_by("id").last()
    assert third is not None
    OutgoingChange.objects.filter(pk=third.pk).update(webhook_attempts=outgoing.MAX_ATTEMPTS - 1)
    receiver.fail_next = [500]
    with _webhook(receiver):
        assert outgoing_deliver(now=timezone.now()) == 1
    third.refresh_from_db()
    assert (third.webhook_state, third.webhook_error) == (OutgoingState.FAILED, "HTTP 500")
    status = outgoing_status()
    assert status.webhook["failed"] == 1
    assert status.problems == [third]
    assert outgoing_requeue(event_id=str(third.event_id), now=timezone.now())
    assert not outgoing_requeue(event_id=str(third.event_id), now=timezone.now())
    with _webhook(receiver):
        assert outgoing_deliver(now=timezone.now()) == 1
    assert receiver.applied[-1] == str(third.event_id)


def test_an_unreachable_receiver_is_retried(receiver: DossierReceiver) -> None:
    with transaction.atomic():
        _case()
    change = OutgoingChange.objects.get()
    with override_settings(
        KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_URL="http://127.0.0.1:9/events",
        KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_SECRET=SECRET,
        KGLIJN_OPGROEIPUNT_DOSSIER_DROP_DIR="",
    ):
        assert outgoing_deliver(now=timezone.now()) == 1
    change.refresh_from_db()
    assert change.webhook_state == OutgoingState.PENDING
    assert change.webhook_error.startswith("not reached")


def test_a_stale_claim_is_sent_again_with_the_same_id_and_body(
    receiver: DossierReceiver,
) -> None:
    with transaction.atomic():
        _case()
    now = timezone.now()
    claimed = outgoing.webhook_claim(now=now)  # a worker claims it, then dies before the POST
    assert claimed is not None
    with _webhook(receiver):
        assert outgoing_deliver(now=now + dt.timedelta(seconds=60)) == 0  # not stale yet
        assert outgoing_deliver(now=now + dt.timedelta(minutes=6)) == 1
    assert receiver.applied == [str(claimed.event_id)]
    assert receiver.bodies[str(claimed.event_id)] == event_body(claimed)


# --- the file drop -----------------------------------------------------------------------------


def test_the_file_drop_writes_each_event_once_atomically(tmp_path: Path) -> None:
    with transaction.atomic():
        for _i in range(3):
            _case()
    drop = tmp_path / "drop"
    with override_settings(
        KGLIJN_OPGROEIPUNT_DOSSIER_DROP_DIR=str(drop), KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_URL=""
    ):
        assert outgoing_deliver(now=timezone.now()) == 3
        assert outgoing_deliver(now=timezone.now()) == 0
        with transaction.atomic():
            _case()
        assert file_deliver(now=timezone.now()) == 1
    pks = list(OutgoingChange.objects.order_by("id").values_list("id", flat=True))
    files = sorted(path.name for path in drop.iterdir())
    assert files == [
        f"kglijn-changes-{pks[0]:012d}-{pks[2]:012d}.jsonl",
        f"kglijn-changes-{pks[3]:012d}-{pks[3]:012d}.jsonl",
    ]
    lines = [
        json.loads(line)
        for path in sorted(drop.iterdir())
        for line in path.read_text("utf-8").splitlines()
    ]
    ids = [str(event) for event in OutgoingChange.objects.values_list("event_id", flat=True)]
    assert [line["event_id"] for line in lines] == ids
    assert not any(path.name.startswith(".") for path in drop.iterdir())  # no temporary left


def test_a_crash_after_the_batch_claim_rewrites_the_same_file(tmp_path: Path) -> None:
    with transaction.atomic():
        _case()
        _case()
    drop = tmp_path / "drop"
    drop.mkdir()
    with override_settings(
        KGLIJN_OPGROEIPUNT_DOSSIER_DROP_DIR=str(drop), KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_URL=""
    ):
        name = outgoing._file_claim()  # the process dies after the claim, before the rename
        assert name is not None
        (drop / name).write_text("half a line", "utf-8")  # or a consumer saw a broken copy
        assert file_deliver(now=timezone.now()) == 2
        assert file_deliver(now=timezone.now()) == 0
    assert [path.name for path in drop.iterdir()] == [name]
    assert len((drop / name).read_text("utf-8").splitlines()) == 2


# --- a real worker killed mid-send -------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
KGLIJN = Path(sys.executable).with_name("kglijn")
JOB = "kglijn.opgroeipunt.sync.outgoing.outgoing_deliver"


def _env(tmp_path: Path, receiver: DossierReceiver) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONDONTWRITEBYTECODE="1",
        KGLIJN_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_URL=receiver.url,
        KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_SECRET=SECRET,
        KGLIJN_OPGROEIPUNT_DOSSIER_WEBHOOK_TIMEOUT="5",
    )
    return env


def _kglijn(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(KGLIJN), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def _states(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT webhook_state FROM opgroeipunt_outgoingchange ORDER BY id"
        ).fetchall()
    return [row[0] for row in rows]


def test_a_worker_killed_mid_send_leaves_every_event_applied_exactly_once(
    tmp_path: Path, receiver: DossierReceiver
) -> None:
    database = tmp_path / "worker.sqlite3"
    env = _env(tmp_path, receiver)
    assert _kglijn(env, "migrate", "--noinput").returncode == 0
    arranged = _kglijn(env, "worker", "--once", "--job", "tests.opgroeipunt.outgoing_jobs.arrange")
    assert arranged.returncode == 0, arranged.stderr
    assert _states(database) == ["pending"] * 4

    # the receiver applies the first event but holds its answer; the worker is killed meanwhile
    receiver.hold.set()
    worker = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [str(KGLIJN), "worker", "--once", "--job", JOB],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert receiver.holding.wait(60), "the worker never reached the receiver"
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
    receiver.hold.clear()
    receiver.release.set()
    assert len(receiver.applied) == 1
    assert _states(database) == ["sending", "pending", "pending", "pending"]

    # a restarted worker leaves a fresh claim alone (its worker might still be sending) ...
    restarted = _kglijn(env, "worker", "--once", "--job", JOB)
    assert restarted.returncode == 0, restarted.stderr
    assert len(receiver.requests) == 1
    # ... and once the claim is stale, sends it again (same id, same body), then the rest
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE opgroeipunt_outgoingchange "
            "SET webhook_claimed_at = datetime(webhook_claimed_at, '-6 minutes') "
            "WHERE webhook_state = 'sending'"
        )
    for _round in range(2):
        restarted = _kglijn(env, "worker", "--once", "--job", JOB)
        assert restarted.returncode == 0, restarted.stderr
    assert _states(database) == ["delivered"] * 4
    with sqlite3.connect(database) as connection:
        ids = [
            row[0].replace("-", "")
            for row in connection.execute(
                "SELECT event_id FROM opgroeipunt_outgoingchange ORDER BY id"
            )
        ]
    assert [event.replace("-", "") for event in receiver.applied] == ids  # each once, in order
    assert len(receiver.requests) == 5  # the first event twice, the receiver applied it once
    assert receiver.requests[0] == receiver.requests[1]
    assert receiver.rejected == []
