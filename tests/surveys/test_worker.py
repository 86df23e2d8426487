"""`kglijn worker`: runs the registered jobs, `--once` for cron and tests, and stops cleanly
between two units of work on SIGTERM/SIGINT."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from kglijn.core import worker
from kglijn.core.worker import jobs_load, jobs_run_once
from kglijn.surveys.models import InvitationStatus, SurveyInvitation
from tests.surveys import worker_jobs
from tests.surveys.invitation_helpers import SENDER, email_contact

ROOT = Path(__file__).resolve().parents[2]
KGLIJN = Path(sys.executable).with_name("kglijn")


def test_the_invitation_jobs_are_registered(settings: Any) -> None:
    # invitations are scheduled by their own job and sent by the one outbox's sweep
    schedule, send = (
        "kglijn.surveys.invitations.invitations_schedule",
        "kglijn.outbox.services.outbox_send",
    )
    assert {schedule, send} <= set(settings.KGLIJN_WORKER_JOBS)
    jobs = jobs_load([schedule, send])
    assert [job.run.__name__ for job in jobs] == ["invitations_schedule", "outbox_send"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("tests.surveys.worker_jobs.missing", "cannot import 'tests.surveys.worker_jobs.missing'"),
        ("tests.surveys.worker_jobs.NOT_CALLABLE", "is not callable"),
    ],
)
def test_a_wrong_job_path_stops_the_worker_before_it_starts(path: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        jobs_load([path])


@pytest.mark.django_db
def test_worker_once_sends_the_due_invitation(settings: Any, agent: User) -> None:
    # given an e-mail answered 49 hours ago (real time) and the locmem mail backend
    settings.KGLIJN_PUBLIC_BASE_URL = "https://kglijn.example.be"
    answered = timezone.now() - dt.timedelta(hours=49)
    contact = email_contact(handler=agent, answered_at=answered)
    # when `kglijn worker --once` runs
    call_command("worker", "--once")
    # then the invitation went out once
    assert [message.to for message in mail.outbox] == [[SENDER]]
    assert SurveyInvitation.objects.get(contact=contact).status == InvitationStatus.SENT
    call_command("worker", "--once")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_worker_once_runs_each_job_once_and_fails_when_one_failed() -> None:
    worker_jobs.CALLS.clear()
    with pytest.raises(CommandError, match="1 job\\(s\\) failed"):
        call_command(
            "worker",
            "--once",
            "--job",
            "tests.surveys.worker_jobs.failing",
            "--job",
            "tests.surveys.worker_jobs.counting",
        )
    # the broken job did not keep the other from running
    assert len(worker_jobs.CALLS) == 1
    assert timezone.is_aware(worker_jobs.CALLS[0])


@pytest.mark.django_db
def test_a_stop_request_skips_the_remaining_jobs() -> None:
    worker_jobs.CALLS.clear()
    jobs = jobs_load(["tests.surveys.worker_jobs.counting"])
    worker._stop.clear()
    assert jobs_run_once(jobs) == (0, 0)
    assert len(worker_jobs.CALLS) == 1
    worker.stop_request()
    try:
        assert jobs_run_once(jobs) == (0, 0)
        assert len(worker_jobs.CALLS) == 1
    finally:
        worker._stop.clear()


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(CommandError, match="--interval must be positive"):
        call_command("worker", "--interval", "0")


def _env(tmp_path: Path, log: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONDONTWRITEBYTECODE="1",
        KGLIJN_VAR_DIR=str(tmp_path),
        WORKER_TEST_LOG=str(log),
    )
    return env


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_worker_between_two_units(tmp_path: Path, sig: signal.Signals) -> None:
    # given a running worker whose job does units of 0.2 s
    log = tmp_path / "units.log"
    log.touch()
    process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [str(KGLIJN), "worker", "--job", "tests.surveys.worker_jobs.slow_units"],
        cwd=ROOT,
        env=_env(tmp_path, log),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while log.read_text().count("start") < 3:
            assert time.monotonic() < deadline, "the worker did not start its job"
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.05)
        # when it is asked to stop in the middle of a unit
        process.send_signal(sig)
        _out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    # then it finishes that unit, starts no other, and exits cleanly
    lines = log.read_text().splitlines()
    started = [line for line in lines if line.startswith("start")]
    ended = [line for line in lines if line.startswith("end")]
    assert process.returncode == 0, err
    assert len(started) == len(ended) >= 3
    assert lines[-1] == f"end {len(ended) - 1}"
    assert "stopping after the current unit of work" in err
    assert "Worker stopped" in err
