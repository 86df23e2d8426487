"""Worker jobs that die like a killed process (SIGKILL: nothing after it runs), for
tests/mail/test_crash.py. MAIL_DIE_AT says where: "flag:N" when the N-th message was committed
but not yet marked processed, "commit:N" inside the N-th message's transaction."""

from __future__ import annotations

import datetime as dt
import os
import signal
from typing import Any

from kglijn.mail import inbound
from kglijn.mail.imap import Mailbox, mailbox_poll


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def poll_then_die(*, now: dt.datetime) -> int:
    where, _colon, count = os.environ["MAIL_DIE_AT"].partition(":")
    at = int(count)
    seen = 0
    if where == "flag":
        mark = Mailbox.mark_processed

        def mark_or_die(self: Mailbox, uid: int) -> None:
            nonlocal seen
            seen += 1
            if seen == at:
                _die()
            mark(self, uid)

        Mailbox.mark_processed = mark_or_die  # type: ignore[method-assign]
    else:
        register = inbound._register_contact

        def register_or_die(*args: Any, **kwargs: Any) -> Any:
            nonlocal seen
            seen += 1
            contact = register(*args, **kwargs)
            if seen == at:
                _die()  # the contact row is written, the transaction not committed
            return contact

        inbound._register_contact = register_or_die
    return mailbox_poll(now=now)
