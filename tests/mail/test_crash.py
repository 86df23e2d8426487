"""`kglijn worker` killed (SIGKILL) in the middle of a mailbox poll loses nothing and doubles
nothing: a real worker process against a real dovecot and its own SQLite database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kglijn.mail.imap import PROCESSED_KEYWORD
from tests.mail.imap_server import ImapServer, make_message

ROOT = Path(__file__).resolve().parents[2]
KGLIJN = Path(sys.executable).with_name("kglijn")
PROCESSED = {"\\Seen", PROCESSED_KEYWORD}


def _env(tmp_path: Path, server: ImapServer, **extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONDONTWRITEBYTECODE="1",
        KGLIJN_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        KGLIJN_IMAP_HOST=server.host,
        KGLIJN_IMAP_PORT=str(server.port),
        KGLIJN_IMAP_SSL="false",
        KGLIJN_IMAP_USER=server.user,
        KGLIJN_IMAP_PASSWORD=server.password,
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


@pytest.mark.parametrize(
    ("die_at", "committed_before_restart"),
    [
        ("flag:2", 2),  # killed after the 2nd message's commit, before its flag
        ("commit:2", 1),  # killed inside the 2nd message's transaction
    ],
)
def test_a_killed_worker_loses_nothing_and_doubles_nothing(
    dovecot: ImapServer, tmp_path: Path, die_at: str, committed_before_restart: int
) -> None:
    dovecot.clear()
    database = tmp_path / "worker.sqlite3"
    env = _env(tmp_path, dovecot)
    migrated = _kglijn(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    uids = [dovecot.deliver(make_message(message_id=f"<k{n}@example.be>")) for n in range(3)]

    # when the worker is killed in the middle of its round
    killed = _kglijn(
        {**env, "MAIL_DIE_AT": die_at},
        "worker",
        "--once",
        "--job",
        "tests.mail.crash_jobs.poll_then_die",
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _rows(database, "SELECT COUNT(*) FROM contacts_contact") == [(committed_before_restart,)]
    assert dovecot.flags() == {uids[0]: PROCESSED, uids[1]: set(), uids[2]: set()}

    # then the next worker finishes the round: every message once, every message marked
    restarted = _kglijn(env, "worker", "--once", "--job", "kglijn.mail.imap.mailbox_poll")
    assert restarted.returncode == 0, restarted.stderr
    assert dovecot.flags() == dict.fromkeys(uids, PROCESSED)
    assert _rows(database, "SELECT message_id FROM mail_mailmessage ORDER BY message_id") == [
        ("<k0@example.be>",),
        ("<k1@example.be>",),
        ("<k2@example.be>",),
    ]
    assert _rows(database, "SELECT COUNT(*) FROM contacts_contact") == [(3,)]
    assert _rows(
        database,
        "SELECT COUNT(*) FROM contacts_contact c JOIN mail_mailmessage m ON m.contact_id = c.id",
    ) == [(3,)]
