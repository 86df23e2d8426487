"""A real SMTP server for the tests (aiosmtpd, in a thread, on a free local port).

It keeps every message it accepted. `mail_reply` / `rcpt_reply` / `data_reply` make it refuse
(e.g. "550 …"),
`drop_after_data` makes it read a whole message and then hang up without answering: the mail
server took the mail, the sender never heard so.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

LINK_RE = re.compile(r"https?://[^\s\"<>]+/tevredenheid/([A-Za-z0-9_-]{43})/(?=[\s\"<]|$)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                return str(part.get_content())
        raise AssertionError(f"no {content_type} part")

    def tokens(self, content_type: str = "text/plain") -> list[str]:
        return LINK_RE.findall(self.part(content_type))


@dataclass
class SmtpSink:
    """The handle_* methods are aiosmtpd's hooks (their names are aiosmtpd's)."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    mail_reply: str | None = None
    rcpt_reply: str | None = None
    data_reply: str | None = None
    drop_after_data: bool = False

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: Any
    ) -> str:
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        if self.drop_after_data:
            server.transport.close()
        return "250 Message accepted for delivery"

    def __enter__(self) -> SmtpSink:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def use_smtp(settings: Any, sink: SmtpSink) -> None:
    """Point Django's SMTP backend at the sink (pytest-django's `settings` fixture)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
