"""Fixtures of the mail tests: a real dovecot (IMAP) per session, a real SMTP sink per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.mail.imap_server import ImapServer, dovecot_binary, dovecot_running
from tests.surveys.smtp_sink import SmtpSink, use_smtp


@pytest.fixture(scope="session")
def dovecot() -> Iterator[ImapServer]:
    binary = dovecot_binary()
    if binary is None:
        pytest.fail(
            "dovecot is missing: install Debian's dovecot-imapd with `make mailserver` "
            "(apt-get install -y dovecot-imapd) to run the mail tests."
        )
    with dovecot_running(binary) as server:
        yield server


@pytest.fixture
def mail_dir(settings: Any, tmp_path: Path) -> Path:
    settings.KGLIJN_MAIL_DIR = tmp_path / "mail"
    return Path(settings.KGLIJN_MAIL_DIR)


@pytest.fixture
def mailbox(dovecot: ImapServer, settings: Any, mail_dir: Path) -> ImapServer:
    """The empty test mailbox, and kglijn's IMAP settings pointing at it."""
    dovecot.clear()
    settings.KGLIJN_IMAP_HOST = dovecot.host
    settings.KGLIJN_IMAP_PORT = dovecot.port
    settings.KGLIJN_IMAP_SSL = False
    settings.KGLIJN_IMAP_USER = dovecot.user
    settings.KGLIJN_IMAP_PASSWORD = dovecot.password
    settings.KGLIJN_IMAP_MAILBOX = "INBOX"
    settings.KGLIJN_IMAP_PROCESSED_MAILBOX = ""
    settings.KGLIJN_IMAP_TIMEOUT = 10
    return dovecot


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        use_smtp(settings, sink)
        yield sink
