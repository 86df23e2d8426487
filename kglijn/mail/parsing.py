"""A received message, from its bytes to what kglijn keeps of it (no database here).

Mail in the wild is broken in every possible way: no Message-ID, no Date, a multipart without
its boundary, a charset nobody knows, raw 8-bit bytes in headers. `mail_parse` never gives up on
content: it reads what can be read, replaces what cannot be decoded, and lists each problem so
the desk can say what was wrong. Headers are read with the lenient compat32 parser and decoded
here; the body with the email package's default policy.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email.header import Header, decode_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from kglijn.mail.sanitise import html_sanitise, html_to_text

MAX_TEXT_CHARS = 500_000
MAX_HTML_CHARS = 2_000_000
MAX_REFERENCES = 50
MAX_DEPTH = 20
SYNTHETIC_DOMAIN = "kglijn.invalid"

_MSGID = re.compile(r"<([^<>\s]+)>")
_REFERENCE = re.compile(r"\[\s*KG-?(\d{1,12})\s*\]", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _hashed_key(data: bytes) -> str:
    return f"<sha256.{hashlib.sha256(data).hexdigest()}@{SYNTHETIC_DOMAIN}>"


def message_id_key(value: str) -> str:
    """The key kglijn stores for one Message-ID: "<id>" without whitespace; "" for none.

    A Message-ID longer than 255 characters or not ASCII is replaced by a hash of it, so that
    every key fits an index; the same input always gives the same key.
    """
    value = value.strip()
    match = _MSGID.search(value)
    ident = match.group(1) if match else value.strip("<> \t\r\n")
    ident = "".join(ident.split())
    if not ident:
        return ""
    key = f"<{ident}>"
    if len(key) > 255 or not key.isascii():
        return _hashed_key(key.encode("utf-8", "surrogateescape"))
    return key


def message_id_keys(value: str) -> list[str]:
    """The keys of a References / In-Reply-To header, in order, without duplicates."""
    found = _MSGID.findall(value) or value.split()
    keys = [message_id_key(f"<{ident}>") for ident in found]
    return list(dict.fromkeys(key for key in keys if key))


def synthetic_message_id(raw: bytes) -> str:
    """A stable key for a message without a Message-ID: a hash of its bytes."""
    return _hashed_key(raw)


def subject_reference(subject: str) -> int | None:
    """The contact id of a "[KG-0001234]" reference in a subject, else None."""
    match = _REFERENCE.search(subject)
    return int(match.group(1)) if match else None


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    message_id_synthetic: bool
    raw_size: int
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_header: str = ""
    from_name: str = ""
    from_address: str = ""  # "" unless a valid address
    reply_to: str = ""  # "" unless a valid address
    to_addresses: str = ""
    sent_at: dt.datetime | None = None
    text: str = ""
    html: str = ""  # sanitised
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_submitted: bool = False
    problems: list[tuple[str, str]] = field(default_factory=list)

    def problem(self, code: str, detail: str = "") -> None:
        if (code, detail) not in self.problems:
            self.problems.append((code, detail))

    @property
    def quarantine_reason(self) -> str:
        return "; ".join(f"{code}: {detail}" if detail else code for code, detail in self.problems)


# --- Decoding -------------------------------------------------------------------------------


def _decode_bytes(data: bytes, charset: str | None) -> tuple[str, bool]:
    """(text, clean): the declared charset, else UTF-8, else Windows-1252 with replacements."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate), True
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace"), False


def _decode_header_value(value: str | Header) -> tuple[str, bool]:
    """A header value (compat32: str, or Header holding raw 8-bit bytes) as text."""
    try:
        parts = decode_header(value)
    except Exception:  # a header the decoder chokes on is used as it came
        parts = [(str(value), None)]
    out: list[str] = []
    clean = True
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            decoded, ok = _decode_bytes(chunk, charset)
        else:
            raw = chunk.encode("ascii", "surrogateescape") if _has_surrogates(chunk) else None
            decoded, ok = _decode_bytes(raw, "utf-8") if raw is not None else (chunk, True)
        out.append(decoded)
        clean = clean and ok
    return _CONTROL.sub(" ", "".join(out)).strip(), clean


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)


class _Headers:
    """The headers of a message, read leniently (compat32) and decoded on demand."""

    def __init__(self, raw: bytes) -> None:
        self._message: Message = email.message_from_bytes(raw, policy=email.policy.compat32)
        self.unreadable: list[str] = []

    def raw(self, name: str) -> str:
        value = self._message.get(name)
        if value is None:
            return ""
        if isinstance(value, Header):  # raw 8-bit bytes in the header
            chunks = [c if isinstance(c, bytes) else c.encode() for c, _cs in decode_header(value)]
            return _decode_bytes(b"".join(chunks), None)[0]
        return str(value)

    def text(self, name: str) -> str:
        value = self._message.get(name)
        if value is None:
            return ""
        decoded, clean = _decode_header_value(value)
        if not clean:
            self.unreadable.append(name)
        return decoded


def _address(headers: _Headers, name: str) -> tuple[str, str]:
    """(display name, address) of the first address of a header; address "" if not valid."""
    raw = headers.raw(name)
    if not raw:
        return "", ""
    try:
        pairs = getaddresses([raw])
    except Exception:  # an unparseable address header counts as none
        pairs = []
    for display, address in pairs:
        address = address.strip()
        decoded_name, _clean = _decode_header_value(display) if display else ("", True)
        try:
            validate_email(address)
        except ValidationError:
            if decoded_name or address:
                return decoded_name[:200], ""
            continue
        return decoded_name[:200], address
    return "", ""


def _date(headers: _Headers) -> dt.datetime | None:
    value = headers.raw("Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "-0000": the time is UTC, its zone unknown (RFC 5322 §3.3)
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _is_automatic(headers: _Headers, from_address: str, content_type: str) -> bool:
    """A bounce, out-of-office or other machine-made message (RFC 3834 and common practice)."""
    auto = headers.raw("Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return True
    if headers.raw("X-Autoreply") or headers.raw("X-Autorespond"):
        return True
    if headers.raw("Precedence").strip().lower() == "auto_reply":
        return True
    if content_type == "multipart/report":
        return True
    local = from_address.partition("@")[0].lower()
    return local in {"mailer-daemon", "postmaster"}


# --- The body ---------------------------------------------------------------------------------


def _safe_filename(name: str, content_type: str, index: int) -> str:
    name = _CONTROL.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    if not name:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"bijlage-{index}{extension}"
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) < 10:
            name = f"{stem[: 190 - len(extension)]}.{extension}"
        name = name[:200]
    return name


class _Body:
    def __init__(self, parsed: ParsedMail) -> None:
        self.parsed = parsed
        self.texts: list[str] = []
        self.htmls: list[str] = []

    def text_of(self, part: Message) -> str:
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = str(part.get_payload()).encode("utf-8", "surrogateescape")
        try:
            charset = part.get_content_charset()
        except Exception:  # a broken charset parameter means "not declared"
            charset = None
        text, clean = _decode_bytes(data, charset)
        if not clean:
            self.parsed.problem("charset", charset or "undeclared")
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def attach(self, part: Message, content_type: str, data: bytes) -> None:
        try:
            filename = part.get_filename() or ""
        except Exception:  # an unreadable file name gets a made-up one
            filename = ""
        filename = _decode_header_value(filename)[0] if filename else ""
        index = len(self.parsed.attachments) + 1
        self.parsed.attachments.append(
            ParsedAttachment(_safe_filename(filename, content_type, index), content_type, data)
        )

    def walk(self, part: Message, depth: int = 0) -> None:
        for defect in getattr(part, "defects", []):
            self.parsed.problem("broken_mime", type(defect).__name__)
        if depth > MAX_DEPTH:
            self.parsed.problem("broken_mime", "nested too deeply")
            return
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            self.attach(part, content_type, _attached_message_bytes(part))
            return
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    self.walk(sub, depth + 1)
            return
        if part.get_content_maintype() == "multipart":
            # A multipart whose boundary is missing: its payload is the text as it came.
            self.texts.append(self.text_of(part))
            return
        disposition = part.get_content_disposition()
        named = part.get_param("name") or part.get_param("filename", header="content-disposition")
        is_body = disposition != "attachment" and not named
        if content_type in ("text/plain", "text/html") and is_body:
            (self.texts if content_type == "text/plain" else self.htmls).append(self.text_of(part))
            return
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = b""
        self.attach(part, content_type, data)


def _attached_message_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else payload
    try:
        if isinstance(inner, Message):
            return inner.as_bytes(policy=email.policy.compat32)
        return str(inner).encode("utf-8", "surrogateescape")
    except Exception:  # keep what can be kept of a broken attached message
        return part.as_bytes(policy=email.policy.compat32)


def mail_parse(raw: bytes) -> ParsedMail:
    """Everything kglijn keeps of a received message; problems are listed, not raised."""
    headers = _Headers(raw)
    header_message_id = headers.raw("Message-ID")
    key = message_id_key(header_message_id) if header_message_id else ""
    parsed = ParsedMail(
        message_id=key or synthetic_message_id(raw),
        message_id_synthetic=not key or key.endswith(f"@{SYNTHETIC_DOMAIN}>"),
        raw_size=len(raw),
    )
    in_reply_to = message_id_keys(headers.raw("In-Reply-To"))
    parsed.in_reply_to = in_reply_to[0] if in_reply_to else ""
    parsed.references = message_id_keys(headers.raw("References"))[-MAX_REFERENCES:]
    parsed.subject = headers.text("Subject")[:500]
    parsed.from_header = headers.text("From")[:500]
    parsed.from_name, parsed.from_address = _address(headers, "From")
    parsed.reply_to = _address(headers, "Reply-To")[1]
    parsed.to_addresses = headers.text("To")[:2000]
    parsed.sent_at = _date(headers)
    if not parsed.from_address:
        parsed.problem("no_sender", parsed.from_header[:100] or "no From header")

    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    parsed.auto_submitted = _is_automatic(headers, parsed.from_address, message.get_content_type())
    body = _Body(parsed)
    body.walk(message)
    html = "\n".join(body.htmls)
    if len(html) > MAX_HTML_CHARS:
        html = ""
        parsed.problem("truncated", "formatted text left out")
    parsed.html = html_sanitise(html.replace("\x00", "")) if html else ""
    text = "\n\n".join(part.strip("\n") for part in body.texts if part.strip())
    if not text and html:
        text = html_to_text(parsed.html)
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        parsed.problem("truncated", f"{MAX_TEXT_CHARS} characters kept")
    parsed.text = text.replace("\r\n", "\n").replace("\x00", "")
    for name in headers.unreadable:
        parsed.problem("headers", name)
    return parsed
