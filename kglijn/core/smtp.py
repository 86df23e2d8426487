"""The SMTP connection habits of kglijn's mail-sending jobs (survey invitations, desk answers).

Both claim a unit of work only once the mail server answers, so an unreachable server leaves
everything queued instead of claimed-and-unsent.
"""

from __future__ import annotations

import logging
import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

logger = logging.getLogger("kglijn.smtp")


def smtp_close_quietly(connection: BaseEmailBackend) -> None:
    """Close the connection; a server that already hung up is no error."""
    try:
        connection.close()
    except (smtplib.SMTPException, OSError) as exc:
        logger.info("Closing the mail server connection failed: %s", exc)
        if isinstance(connection, SmtpBackend):
            connection.connection = None


def smtp_connection_ready(connection: BaseEmailBackend, *, waiting: str) -> bool:
    """Open the connection, or check an open one (NOOP), before anything is claimed; False
    (logged, naming what `waiting` waits) when the server cannot be reached."""
    if isinstance(connection, SmtpBackend) and connection.connection is not None:
        try:
            if connection.connection.noop()[0] == 250:
                return True
        except (smtplib.SMTPException, OSError):
            pass
        smtp_close_quietly(connection)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Mail server not reachable, %s wait: %s", waiting, exc)
        return False
    return True
