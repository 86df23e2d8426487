"""Worker jobs for tests/outbox/test_crash.py: arrange one answer and one due invitation in a
real database, and send while dying like a killed process (SIGKILL: nothing after it runs)."""

from __future__ import annotations

import datetime as dt
import os
import signal
from typing import Any

from kglijn.accounts.services import roles_sync, user_create_with_role
from kglijn.core.tasks import tasks_run
from kglijn.mail.outbound import mail_reply_queue
from kglijn.outbox import services as outbox
from kglijn.surveys.invitations import invitations_schedule
from tests.contacts.factories import ContactFactory
from tests.surveys.invitation_helpers import SENDER, email_contact

ANSWER_TO = "lies@example.be"


def arrange(*, now: dt.datetime) -> int:
    """An agent's answer to Lies (queued; under the database tasks backend its "send now" is a
    stored task) and an e-mail to An answered 49 hours ago (its invitation is due)."""
    roles_sync()
    agent = user_create_with_role(username="agent", password="x" * 20, role_slug="front_office")
    email_contact(handler=agent, answered_at=now - dt.timedelta(hours=49), caller_email=SENDER)
    contact = ContactFactory.create(
        channel="email",
        origin="webform",
        anonymous=False,
        caller_name="Lies",
        caller_email=ANSWER_TO,
    )
    mail_reply_queue(contact=contact, by=agent, body="Beste Lies, ...", close=False)
    return 1


def _die(*args: Any, **kwargs: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def send_then_die(*, now: dt.datetime) -> int:
    """What `kglijn worker` does for mail (schedule, stored tasks, the outbox's sweep), dying
    where OUTBOX_DIE_AT says: "sent" when the mail server has accepted a mail but before that
    is written down, "smtp" after the claim committed but before the mail server saw it."""
    where = os.environ["OUTBOX_DIE_AT"]
    if where == "sent":
        settle = outbox._settle

        def settle_or_die(mail: Any, outcome: Any, **kwargs: Any) -> None:
            if outcome.state == "sent":
                _die()
            settle(mail, outcome, **kwargs)

        outbox._settle = settle_or_die  # type: ignore[assignment]
    else:
        outbox.outbox_deliver = _die  # type: ignore[assignment]
    # the module-level names the cycle uses are looked up at call time: patched above
    return invitations_schedule(now=now) + tasks_run(now=now) + outbox.outbox_send(now=now)
