"""A real IMAP server for the tests: Debian's dovecot, started as a child process with its own
configuration in a temporary directory, plain-text login on a free local port.

`make mailserver` installs it (apt-get install -y dovecot-imapd). Run as root, dovecot drops to
its own users (dovecot, dovenull), so the mail directory belongs to the dovecot user; run as
anyone else, every dovecot process runs as that user.
"""

from __future__ import annotations

import email.utils
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from tests.surveys.smtp_sink import free_port

USER = "kglijn"
PASSWORD = "mailbox-secret"


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )


def _config(root: Path, port: int, *, internal: str, group: str, login: str) -> str:
    return f"""
base_dir = {root}/run
state_dir = {root}/state
instance_name = kglijn-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    root: Path

    @contextmanager
    def session(self, mailbox: str = "INBOX") -> Iterator[imaplib.IMAP4]:
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            connection.login(self.user, self.password)
            status, _data = connection.select(f'"{mailbox}"')
            assert status == "OK", f"cannot select {mailbox}"
            yield connection
        finally:
            connection.logout()

    def deliver(self, raw: bytes, mailbox: str = "INBOX") -> int:
        """Put a message in the mailbox (IMAP APPEND, as a delivery agent would); its UID."""
        with self.session(mailbox) as connection:
            status, data = connection.append(f'"{mailbox}"', "", None, raw)
            assert status == "OK", data
            # [APPENDUID <uidvalidity> <uid>] (UIDPLUS)
            text = data[0].decode() if isinstance(data[0], bytes) else str(data[0])
            return int(text.split("APPENDUID", 1)[1].split()[1].rstrip("]"))

    def flags(self, mailbox: str = "INBOX") -> dict[int, set[str]]:
        """The flags of every message, by UID (without the session's \\Recent)."""
        result: dict[int, set[str]] = {}
        with self.session(mailbox) as connection:
            status, data = connection.uid("FETCH", "1:*", "(UID FLAGS)")
            assert status == "OK", data
            for item in data:
                if not isinstance(item, bytes):
                    continue
                text = item.decode()
                uid = int(text.split("UID ", 1)[1].split()[0].rstrip(")"))
                flags = text.split("FLAGS (", 1)[1].split(")", 1)[0].split()
                result[uid] = set(flags) - {"\\Recent"}  # a session flag, not state
        return result

    def count(self, mailbox: str = "INBOX") -> int:
        with self.session(mailbox) as connection:
            status, data = connection.uid("SEARCH", "ALL")
            assert status == "OK", data
            return len(data[0].split()) if data and data[0] else 0

    def clear(self) -> None:
        """Empty the INBOX and remove every other folder."""
        with self.session() as connection:
            _status, data = connection.uid("SEARCH", "ALL")
            if data and data[0]:
                connection.uid("STORE", b",".join(data[0].split()), "+FLAGS.SILENT", "(\\Deleted)")
                connection.expunge()
            _status, folders = connection.list()
            for folder in folders or []:
                name = folder.decode().rsplit(' "', 1)[-1].rstrip('"') if folder else ""
                if name and name.upper() != "INBOX":
                    connection.delete(f'"{name}"')

    def create_folder(self, name: str) -> None:
        with self.session() as connection:
            connection.create(f'"{name}"')


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"dovecot did not answer: {log.read_text() if log.exists() else ''}")


@contextmanager
def dovecot_running(binary: str) -> Iterator[ImapServer]:
    """Start dovecot for one test session; stop it and remove its files afterwards."""
    root = Path(tempfile.mkdtemp(prefix="kglijn-dovecot-"))
    root.chmod(0o755)  # dovecot's own users must reach their sockets and the mail
    port = free_port()
    home = root / "home"
    home.mkdir()
    if os.geteuid() == 0:
        mail_user = pwd.getpwnam("dovecot")
        internal, group, login = "dovecot", "dovecot", "dovenull"
        os.chown(home, mail_user.pw_uid, mail_user.pw_gid)
    else:
        mail_user = pwd.getpwuid(os.geteuid())
        internal = login = mail_user.pw_name
        group = grp.getgrgid(mail_user.pw_gid).gr_name
    (root / "passwd").write_text(
        f"{USER}:{{PLAIN}}{PASSWORD}:{mail_user.pw_uid}:{mail_user.pw_gid}::{home}::\n"
    )
    config = root / "dovecot.conf"
    config.write_text(_config(root, port, internal=internal, group=group, login=login))
    log = root / "dovecot.log"
    process = subprocess.Popen(  # noqa: S603 - Debian's dovecot, our own configuration
        [binary, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, log)
        yield ImapServer("127.0.0.1", port, USER, PASSWORD, root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def make_message(
    *,
    sender: str = "Jan Peeters <jan.peeters@example.be>",
    subject: str = "Vraag over de vaccinatie van mijn dochter",
    body: str = "Beste,\n\nWanneer krijgt mijn dochter haar volgende vaccin?\n\nJan",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """A well-formed plain-text mail to the K&G-Lijn."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "info@kindengezin.be"
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(
        email.utils.parsedate_to_datetime("Mon, 06 Mar 2023 10:00:00 +0100")
    )
    message["Message-ID"] = message_id or email.utils.make_msgid(domain="example.be")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()
