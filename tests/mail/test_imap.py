"""The mailbox poll against a real IMAP server (dovecot): every message becomes exactly one
contact (or a quarantine row), is marked processed only after its commit, and one bad message
never stops the others."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from kglijn.contacts.models import Contact
from kglijn.core.worker import jobs_load, jobs_run_once
from kglijn.mail import imap, inbound
from kglijn.mail.imap import PROCESSED_KEYWORD, Mailbox, mailbox_poll
from kglijn.mail.models import MailAttachment, MailMessage, Quarantine, QuarantineReason
from tests.mail import samples
from tests.mail.imap_server import ImapServer, dovecot_binary, dovecot_running, make_message

pytestmark = pytest.mark.django_db

PROCESSED = {"\\Seen", PROCESSED_KEYWORD}


def poll() -> int:
    return mailbox_poll(now=timezone.now())


def test_the_poll_job_is_registered(settings: Any) -> None:
    assert "kglijn.mail.imap.mailbox_poll" in settings.KGLIJN_WORKER_JOBS
    # answers go out through the one outbox's sweep (and stored "send now" tasks)
    assert "kglijn.outbox.services.outbox_send" in settings.KGLIJN_WORKER_JOBS
    assert "kglijn.core.tasks.tasks_run" in settings.KGLIJN_WORKER_JOBS
    assert "kglijn.mail.outbound.ANSWER" in settings.KGLIJN_OUTBOX_PURPOSES


def test_no_imap_host_means_no_polling(settings: Any) -> None:
    settings.KGLIJN_IMAP_HOST = ""
    assert poll() == 0


def test_a_message_arrives_and_becomes_one_contact(mailbox: ImapServer) -> None:
    uid = mailbox.deliver(make_message(message_id="<arrived@example.be>"))
    assert mailbox.flags() == {uid: set()}
    assert poll() == 1
    contact = Contact.objects.get()
    message = MailMessage.objects.get()
    assert message.contact_id == contact.pk
    assert message.message_id == "<arrived@example.be>"
    assert contact.caller_email == "jan.peeters@example.be"
    # The server's arrival time, not the sender's Date header.
    assert message.received_at == contact.received_at
    assert message.sent_at is not None
    assert message.received_at != message.sent_at
    assert mailbox.flags() == {uid: PROCESSED}
    # the next round finds nothing to do
    assert poll() == 0
    assert Contact.objects.count() == 1


def test_a_message_read_in_webmail_is_still_registered(mailbox: ImapServer) -> None:
    uid = mailbox.deliver(make_message())
    with mailbox.session() as connection:
        connection.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
    assert poll() == 1
    assert Contact.objects.count() == 1


def test_the_worker_command_polls_the_mailbox(mailbox: ImapServer) -> None:
    mailbox.deliver(make_message())
    call_command("worker", "--once", "--job", "kglijn.mail.imap.mailbox_poll")
    assert Contact.objects.count() == 1


def test_malformed_mails_become_contacts_or_quarantine_and_the_poll_goes_on(
    mailbox: ImapServer, settings: Any, mail_dir: Path
) -> None:
    settings.KGLIJN_MAIL_MAX_ATTACHMENT_BYTES = 20_000
    settings.KGLIJN_MAIL_MAX_MESSAGE_BYTES = 60_000
    uids = [
        mailbox.deliver(samples.BROKEN_MIME),
        mailbox.deliver(samples.with_attachment(30_000)),  # attachment over its limit
        mailbox.deliver(samples.with_attachment(70_000)),  # whole message over its limit
        mailbox.deliver(samples.MISSING_HEADERS),
        mailbox.deliver(samples.NON_UTF8),
        mailbox.deliver(samples.EXE_ATTACHMENT),
        mailbox.deliver(make_message(message_id="<after-the-bad-ones@example.be>")),
    ]
    assert poll() == 7
    assert mailbox.flags() == dict.fromkeys(uids, PROCESSED)
    assert Contact.objects.count() == 6
    messages = {m.subject: m for m in MailMessage.objects.all()}
    assert messages["Opvang gezocht"].quarantined is True
    assert messages["Vraag over caféïne tijdens de zwangerschap"].body_text == (
        "Mag ik koffie drinken? Groetjes, José"
    )
    assert messages[""].body_text == "Hallo, wat zijn de openingsuren van het consultatiebureau?"
    assert MailMessage.objects.filter(message_id="<after-the-bad-ones@example.be>").exists()
    refused = {a.filename: a.refused_reason for a in MailAttachment.objects.filter(refused=True)}
    assert refused == {"scan.pdf": "too_large", "factuur.exe": "dangerous_type"}
    too_large = Quarantine.objects.get()
    assert too_large.reason == QuarantineReason.TOO_LARGE
    assert too_large.message_key == "<attachment-70000@example.be>"
    assert too_large.raw_size > 60_000
    assert bytes(too_large.raw).startswith(b"From: Bart <bart@example.be>")
    assert b"Het attest zit in bijlage" not in bytes(too_large.raw)  # only the header is kept
    assert too_large.subject == "Attest in bijlage"
    # nothing is left to do, nothing is doubled
    assert poll() == 0
    assert (Contact.objects.count(), Quarantine.objects.count()) == (6, 1)


def test_a_crash_between_commit_and_flag_loses_and_doubles_nothing(
    mailbox: ImapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    uids = [mailbox.deliver(make_message(message_id=f"<m{n}@example.be>")) for n in range(3)]
    real_mark = Mailbox.mark_processed
    marks: list[int] = []

    def dies_at_the_second_mark(self: Mailbox, uid: int) -> None:
        marks.append(uid)
        if len(marks) == 2:
            raise SystemExit("killed")  # like a kill: nothing after this line runs
        real_mark(self, uid)

    monkeypatch.setattr(Mailbox, "mark_processed", dies_at_the_second_mark)
    with pytest.raises(SystemExit):
        poll()
    # the first message is done, the second committed but not flagged, the third untouched
    assert Contact.objects.count() == 2
    assert mailbox.flags() == {uids[0]: PROCESSED, uids[1]: set(), uids[2]: set()}

    monkeypatch.setattr(Mailbox, "mark_processed", real_mark)
    assert poll() == 2
    assert mailbox.flags() == dict.fromkeys(uids, PROCESSED)
    assert sorted(MailMessage.objects.values_list("message_id", flat=True)) == [
        "<m0@example.be>",
        "<m1@example.be>",
        "<m2@example.be>",
    ]
    assert Contact.objects.count() == 3


def test_one_message_that_fails_is_quarantined_and_the_others_go_on(
    mailbox: ImapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = inbound._ingest_parsed

    def fails_for_one(parsed: Any, *args: Any, **kwargs: Any) -> Any:
        if parsed.message_id == "<poison@example.be>":
            raise KeyError("a bug that only this mail triggers")
        return real(parsed, *args, **kwargs)

    monkeypatch.setattr(inbound, "_ingest_parsed", fails_for_one)
    uids = [
        mailbox.deliver(make_message(message_id="<poison@example.be>", subject="Gif")),
        mailbox.deliver(make_message(message_id="<fine@example.be>")),
    ]
    assert poll() == 2
    assert mailbox.flags() == dict.fromkeys(uids, PROCESSED)
    quarantine = Quarantine.objects.get()
    assert (quarantine.reason, quarantine.message_key, quarantine.subject) == (
        QuarantineReason.ERROR,
        "<poison@example.be>",
        "Gif",
    )
    assert quarantine.detail == "KeyError('a bug that only this mail triggers')"
    assert bytes(quarantine.raw).startswith(b"From: Jan Peeters")
    assert list(MailMessage.objects.values_list("message_id", flat=True)) == ["<fine@example.be>"]


def test_a_database_outage_marks_nothing_and_the_next_round_catches_up(
    mailbox: ImapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def database_away(**kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    uid = mailbox.deliver(make_message())
    monkeypatch.setattr(imap, "mail_ingest", database_away)
    with pytest.raises(OperationalError):
        poll()
    assert mailbox.flags() == {uid: set()}
    assert Quarantine.objects.count() == 0
    monkeypatch.undo()
    assert poll() == 1
    assert Contact.objects.count() == 1


def test_processed_mail_is_moved_when_a_folder_is_set(mailbox: ImapServer, settings: Any) -> None:
    mailbox.create_folder("Verwerkt")
    settings.KGLIJN_IMAP_PROCESSED_MAILBOX = "Verwerkt"
    mailbox.deliver(make_message(message_id="<moved@example.be>"))
    mailbox.deliver(make_message(message_id="<moved-too@example.be>"))
    assert poll() == 2
    assert mailbox.count() == 0
    assert list(mailbox.flags("Verwerkt").values()) == [PROCESSED, PROCESSED]
    assert Contact.objects.count() == 2


def test_a_wrong_password_fails_the_job_not_the_worker(
    settings: Any, mail_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A server of its own: dovecot slows every later login from the same address down after a
    # failed one, and the other tests share theirs.
    binary = dovecot_binary()
    assert binary is not None
    with dovecot_running(binary) as server:
        server.deliver(make_message())
        settings.KGLIJN_IMAP_HOST = server.host
        settings.KGLIJN_IMAP_PORT = server.port
        settings.KGLIJN_IMAP_SSL = False
        settings.KGLIJN_IMAP_USER = server.user
        settings.KGLIJN_IMAP_PASSWORD = "wrong"
        jobs = jobs_load(["kglijn.mail.imap.mailbox_poll"])
        assert jobs_run_once(jobs) == (0, 1)
    assert "Job kglijn.mail.imap.mailbox_poll failed" in caplog.text
    assert "AUTHENTICATIONFAILED" in caplog.text
    assert Contact.objects.count() == 0


class _Selected:
    """What Mailbox reads of a connection after SELECT: its capabilities and PERMANENTFLAGS."""

    capabilities = ("IMAP4REV1",)

    def __init__(self, flags: bytes) -> None:
        self.untagged_responses = {"PERMANENTFLAGS": [flags]}


def test_a_mailbox_that_cannot_keep_keywords_needs_a_folder_to_move_to(settings: Any) -> None:
    settings.KGLIJN_IMAP_PROCESSED_MAILBOX = ""
    with pytest.raises(ImproperlyConfigured, match="KGLIJN_IMAP_PROCESSED_MAILBOX"):
        Mailbox(_Selected(b"(\\Seen \\Deleted)")).check_keywords()  # type: ignore[arg-type]
    Mailbox(_Selected(b"(\\Seen \\*)")).check_keywords()  # type: ignore[arg-type]
    settings.KGLIJN_IMAP_PROCESSED_MAILBOX = "Verwerkt"
    Mailbox(_Selected(b"(\\Seen \\Deleted)")).check_keywords()  # type: ignore[arg-type]


def test_the_arrival_time_is_read_from_the_fetch_response() -> None:
    line = b'1 (UID 7 RFC822.SIZE 120 INTERNALDATE " 6-Mar-2023 10:00:00 +0100")'
    assert imap.parse_internaldate(line) == dt.datetime(2023, 3, 6, 9, 0, tzinfo=dt.UTC)
    assert imap.parse_internaldate(b"1 (UID 7 RFC822.SIZE 120)") is None
