"""A mail answer and a survey invitation go through the same outbox, each at most once across
a real `kglijn worker` killed (SIGKILL) mid-send, through a real SMTP server (aiosmtpd), with
the Tasks API's database backend: the answer's "send now" is a stored task the worker runs, the
invitation is found by the outbox's sweep."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.outbox.crash_jobs import ANSWER_TO
from tests.surveys.invitation_helpers import SENDER
from tests.surveys.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
KGLIJN = Path(sys.executable).with_name("kglijn")


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def _env(tmp_path: Path, sink: SmtpSink, **extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONDONTWRITEBYTECODE="1",
        KGLIJN_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        EMAIL_TIMEOUT="5",
        KGLIJN_PUBLIC_BASE_URL="https://kglijn.example.be",
        KGLIJN_TASKS_BACKEND="database",
        **extra,
    )
    return env


def _kglijn(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(KGLIJN), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def _outbox(database: Path) -> list[tuple[object, ...]]:
    return _rows(database, "SELECT purpose, state FROM outbox_outboundmail ORDER BY purpose")


@pytest.mark.parametrize(
    ("die_at", "delivered"),
    [
        ("sent", [ANSWER_TO, SENDER]),  # killed after the mail server took each mail
        ("smtp", []),  # killed after each claim, before the mail server saw the mail
    ],
)
def test_a_killed_worker_sends_each_answer_and_invitation_at_most_once(
    sink: SmtpSink, tmp_path: Path, die_at: str, delivered: list[str]
) -> None:
    database = tmp_path / "worker.sqlite3"
    env = _env(tmp_path, sink)
    migrated = _kglijn(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    arranged = _kglijn(env, "worker", "--once", "--job", "tests.outbox.crash_jobs.arrange")
    assert arranged.returncode == 0, arranged.stderr
    # the answer is in the outbox, its "send now" a stored task; nothing sent yet
    assert _outbox(database) == [("mail_answer", "pending")]
    assert _rows(database, "SELECT status FROM django_tasks_database_dbtaskresult") == [("READY",)]
    assert sink.received == []

    # when the worker is killed while sending the answer (its stored task), and a restarted
    # worker is killed again while sending the invitation (the outbox's sweep)
    for _round in range(2):
        killed = _kglijn(
            {**env, "OUTBOX_DIE_AT": die_at},
            "worker",
            "--once",
            "--job",
            "tests.outbox.crash_jobs.send_then_die",
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert [mail.rcpt_tos[0] for mail in sink.received] == delivered
    # both are claimed by a process that is gone: nobody knows whether they arrived
    assert _outbox(database) == [("mail_answer", "sending"), ("survey_invitation", "sending")]

    # then the ordinary worker, a minute later, sends neither again ...
    for _round in range(2):
        restarted = _kglijn(env, "worker", "--once")
        assert restarted.returncode == 0, restarted.stderr
    assert [mail.rcpt_tos[0] for mail in sink.received] == delivered
    # ... and once the claims are a quarter of an hour old, it says so and still sends nothing
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE outbox_outboundmail SET claimed_at = datetime(claimed_at, '-16 minutes')"
        )
    for _round in range(2):
        restarted = _kglijn(env, "worker", "--once")
        assert restarted.returncode == 0, restarted.stderr
    assert [mail.rcpt_tos[0] for mail in sink.received] == delivered
    assert _outbox(database) == [("mail_answer", "unknown"), ("survey_invitation", "unknown")]
    assert _rows(database, "SELECT delivery_status, delivery_error FROM mail_mailmessage") == [
        ("uncertain", "interrupted while sending")
    ]
    assert _rows(database, "SELECT status, skip_reason FROM surveys_surveyinvitation") == [
        ("skipped", "interrupted")
    ]
    # what did arrive carries the Message-ID the outbox recorded (findable in the server's log)
    message_ids = {mail.message["Message-ID"] for mail in sink.received}
    recorded = {row[0] for row in _rows(database, "SELECT message_id FROM outbox_outboundmail")}
    assert message_ids <= recorded
    assert len(recorded) == 2
