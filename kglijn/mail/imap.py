"""The mailbox poll: a `kglijn worker` job that reads the IMAP mailbox (ADR 0010 §2).

Per round: log in, select KGLIJN_IMAP_MAILBOX, ask for the UIDs of the messages not yet marked
processed, and for each (oldest first, at most POLL_BATCH): fetch it without marking it read
(BODY.PEEK), register it (`mail_ingest`, one transaction), and only *after* that commit mark it
processed on the server (\\Seen and the keyword $KGLijnProcessed; moved to
KGLIJN_IMAP_PROCESSED_MAILBOX when set). A worker killed between the commit and the mark sees the
message again next round; its Message-ID is known by then, so it is only marked. One message that
fails is quarantined with the reason and the others go on; a database or mailbox outage stops
the round (nothing is marked that was not stored) and the next round tries again.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import logging
import re
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, DataError

from kglijn.core.worker import stop_requested
from kglijn.mail.inbound import IngestResult, Outcome, mail_ingest, quarantine_store
from kglijn.mail.models import QuarantineReason
from kglijn.mail.parsing import mail_parse, synthetic_message_id

logger = logging.getLogger("kglijn.mail.imap")

PROCESSED_KEYWORD = "$KGLijnProcessed"
POLL_BATCH = 100

_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
)}  # fmt: skip
_INTERNALDATE = re.compile(
    rb'INTERNALDATE "\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) '
    rb'(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"'
)
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The server said NO or BAD to a command."""


def parse_internaldate(response: bytes) -> dt.datetime | None:
    """The INTERNALDATE of a FETCH response (when the server received the message)."""
    match = _INTERNALDATE.search(response)
    if not match:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = match.groups()
    if month.decode().title() not in _MONTHS:
        return None
    offset = dt.timedelta(hours=int(off_h), minutes=int(off_m))
    return dt.datetime(
        int(year),
        _MONTHS[month.decode().title()],
        int(day),
        int(hour),
        int(minute),
        int(second),
        tzinfo=dt.timezone(offset if sign == b"+" else -offset),
    )


@dataclass(frozen=True)
class Fetched:
    uid: int
    size: int
    received_at: dt.datetime | None


def _check(result: tuple[str, Sequence[object]], command: str) -> Sequence[object]:
    status, data = result
    if status != "OK":
        raise MailboxError(f"{command}: {status} {data!r}")
    return data


class Mailbox:
    """The few IMAP4rev1 commands the poll needs, over an open, selected connection."""

    def __init__(self, connection: imaplib.IMAP4) -> None:
        self.connection = connection
        self.move_to = settings.KGLIJN_IMAP_PROCESSED_MAILBOX
        capabilities = {str(cap).upper() for cap in connection.capabilities}
        self.can_move = "MOVE" in capabilities
        self.can_uid_expunge = "UIDPLUS" in capabilities

    def check_keywords(self) -> None:
        """Refuse to poll a mailbox that cannot remember what was processed."""
        if self.move_to:
            return
        flags = b" ".join(
            item for item in self.connection.untagged_responses.get("PERMANENTFLAGS", [])
            if isinstance(item, bytes)
        )  # fmt: skip
        if flags and b"\\*" not in flags and PROCESSED_KEYWORD.encode() not in flags:
            raise ImproperlyConfigured(
                "The IMAP mailbox cannot store the keyword $KGLijnProcessed: set "
                "KGLIJN_IMAP_PROCESSED_MAILBOX so that processed mail is moved there."
            )

    def unprocessed(self) -> list[int]:
        """UIDs of the messages not yet marked processed, oldest first."""
        data = _check(
            self.connection.uid("SEARCH", "UNDELETED", "UNKEYWORD", PROCESSED_KEYWORD),
            "UID SEARCH",
        )
        uids = b" ".join(item for item in data if isinstance(item, bytes)).split()
        return sorted(int(uid) for uid in uids)

    def _fetch(self, uid: int, items: str) -> Sequence[object]:
        return _check(self.connection.uid("FETCH", str(uid), items), "UID FETCH")

    def envelope(self, uid: int) -> Fetched | None:
        """Size and arrival time; None when the message is gone (expunged meanwhile)."""
        data = self._fetch(uid, "(RFC822.SIZE INTERNALDATE)")
        line = b" ".join(item for item in data if isinstance(item, bytes))
        size = _SIZE.search(line)
        if size is None:
            return None
        return Fetched(uid=uid, size=int(size.group(1)), received_at=parse_internaldate(line))

    def body(self, uid: int, *, header_only: bool = False) -> bytes | None:
        """The message (or only its header) without setting \\Seen."""
        section = "BODY.PEEK[HEADER]" if header_only else "BODY.PEEK[]"
        for item in self._fetch(uid, f"({section})"):
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None

    def mark_processed(self, uid: int) -> None:
        """Seen + $KGLijnProcessed; then moved away when a processed mailbox is set."""
        _check(
            self.connection.uid(
                "STORE", str(uid), "+FLAGS.SILENT", f"(\\Seen {PROCESSED_KEYWORD})"
            ),
            "UID STORE",
        )
        if not self.move_to:
            return
        target = _quote(self.move_to)
        if self.can_move:
            _check(self.connection.uid("MOVE", str(uid), target), "UID MOVE")
            return
        _check(self.connection.uid("COPY", str(uid), target), "UID COPY")
        _check(self.connection.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
        if self.can_uid_expunge:
            _check(self.connection.uid("EXPUNGE", str(uid)), "UID EXPUNGE")
        else:
            _check(self.connection.expunge(), "EXPUNGE")


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def mailbox_open() -> Iterator[Mailbox]:
    """Log in and select the configured mailbox (read-write); always log out."""
    host, port = settings.KGLIJN_IMAP_HOST, settings.KGLIJN_IMAP_PORT
    timeout = settings.KGLIJN_IMAP_TIMEOUT
    connection: imaplib.IMAP4
    if settings.KGLIJN_IMAP_SSL:
        connection = imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        connection = imaplib.IMAP4(host, port, timeout=timeout)
    try:
        _check(connection.login(settings.KGLIJN_IMAP_USER, settings.KGLIJN_IMAP_PASSWORD), "LOGIN")
        _check(connection.select(_quote(settings.KGLIJN_IMAP_MAILBOX)), "SELECT")
        mailbox = Mailbox(connection)
        mailbox.check_keywords()
        yield mailbox
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            connection.logout()


def _too_large(mailbox: Mailbox, fetched: Fetched) -> IngestResult:
    """Keep only the header of a message above the limit; the message stays on the server."""
    header = mailbox.body(fetched.uid, header_only=True) or b""
    parsed = mail_parse(header)
    key = parsed.message_id if not parsed.message_id_synthetic else ""
    quarantine = quarantine_store(
        key=key or synthetic_message_id(header + str(fetched.size).encode()),
        reason=QuarantineReason.TOO_LARGE,
        detail=f"{fetched.size} bytes > {settings.KGLIJN_MAIL_MAX_MESSAGE_BYTES}",
        raw=header,
        raw_size=fetched.size,
        received_at=fetched.received_at,
        subject=parsed.subject,
        from_header=parsed.from_header,
    )
    return IngestResult(Outcome.QUARANTINED, quarantine_id=quarantine.pk)


def message_process(mailbox: Mailbox, uid: int, *, now: dt.datetime) -> IngestResult | None:
    """Register one message, then mark it processed. None when it vanished from the server."""
    fetched = mailbox.envelope(uid)
    if fetched is None:
        return None
    if fetched.size > settings.KGLIJN_MAIL_MAX_MESSAGE_BYTES:
        result = _too_large(mailbox, fetched)
    else:
        raw = mailbox.body(uid)
        if raw is None:
            return None
        try:
            result = mail_ingest(raw=raw, received_at=fetched.received_at, now=now)
        except DatabaseError as exc:
            if not isinstance(exc, DataError):
                raise  # the database is away: stop, mark nothing, try again next round
            result = _failed(raw, fetched, exc)
        except Exception as exc:  # one message must not stop the mailbox
            logger.exception("Mail UID %s could not be registered", uid)
            result = _failed(raw, fetched, exc)
    mailbox.mark_processed(uid)
    return result


def _failed(raw: bytes, fetched: Fetched, exc: Exception) -> IngestResult:
    try:
        parsed = mail_parse(raw)
        key, subject, sender = parsed.message_id, parsed.subject, parsed.from_header
    except Exception:  # the parse failure itself was what went wrong
        key, subject, sender = synthetic_message_id(raw), "", ""
    quarantine = quarantine_store(
        key=key,
        reason=QuarantineReason.ERROR,
        detail=repr(exc),
        raw=raw,
        raw_size=len(raw),
        received_at=fetched.received_at,
        subject=subject,
        from_header=sender,
    )
    return IngestResult(Outcome.QUARANTINED, quarantine_id=quarantine.pk)


def mailbox_poll(*, now: dt.datetime) -> int:
    """The `kglijn worker` job: register up to POLL_BATCH new messages; returns how many were
    handled (0 when KGLIJN_IMAP_HOST is not set)."""
    if not settings.KGLIJN_IMAP_HOST:
        return 0
    done = 0
    try:
        with mailbox_open() as mailbox:
            for uid in mailbox.unprocessed()[:POLL_BATCH]:
                if stop_requested():
                    break
                result = message_process(mailbox, uid, now=now)
                if result is None:
                    continue
                done += 1
                logger.info("Mail UID %s: %s (contact %s)", uid, result.outcome, result.contact_id)
    except (imaplib.IMAP4.error, MailboxError, OSError) as exc:
        if done:
            logger.warning("Mailbox connection lost after %d message(s): %s", done, exc)
            return done
        raise
    return done
