"""Attachments of received mail: which are refused, and where the accepted ones are kept.

Refused: anything over KGLIJN_MAIL_MAX_ATTACHMENT_BYTES, more than MAX_ATTACHMENTS per message,
and every type that runs code when opened (programs, scripts, macro documents, HTML, SVG,
shortcuts, disk images, archives that can hide them), recognised by name, by declared type, and
by content (a Windows or Linux program under an innocent name). A refused attachment is noted
with its name, size and reason; its bytes are not stored.

Accepted files are stored once per content (SHA-256) under KGLIJN_MAIL_DIR/attachments/, written
atomically *before* the database transaction that records them (ADR 0010 §2).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

MAX_ATTACHMENTS = 25

REFUSED_EXTENSIONS = frozenset(
    {
        # programs and installers
        "exe", "com", "scr", "pif", "msi", "msp", "dll", "cpl", "jar", "app", "apk", "deb",
        "rpm", "bin", "elf",
        # scripts
        "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "sh", "py",
        "hta", "reg", "inf", "scf", "lnk", "url",
        # documents with macros
        "docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "sldm",
        # markup that runs in a browser
        "html", "htm", "xhtml", "shtml", "svg", "mht", "mhtml",
        # disk images and archives (they hide the above)
        "iso", "img", "vhd", "vhdx", "zip", "rar", "7z", "cab", "gz", "tgz", "ace", "arj",
    }
)  # fmt: skip
REFUSED_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-dosexec",
        "application/x-executable",
        "application/x-msi",
        "application/vnd.microsoft.portable-executable",
        "application/java-archive",
        "application/javascript",
        "application/x-javascript",
        "text/javascript",
        "application/x-sh",
        "application/x-bat",
        "application/hta",
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "application/vnd.ms-word.document.macroenabled.12",
        "application/vnd.ms-excel.sheet.macroenabled.12",
        "application/vnd.ms-powerpoint.presentation.macroenabled.12",
        "application/zip",
        "application/x-zip-compressed",
        "application/x-rar-compressed",
        "application/vnd.rar",
        "application/x-7z-compressed",
        "application/x-iso9660-image",
    }
)
# The first bytes of programs: Windows (MZ), Linux (ELF), macOS (Mach-O), Java (class).
EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xcf\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xca\xfe\xba\xbe",
)


def attachment_refusal(*, filename: str, content_type: str, data: bytes, index: int) -> str:
    """Why this attachment is refused ("" when it is accepted); index counts from 1."""
    if index > MAX_ATTACHMENTS:
        return "too_many"
    if len(data) > settings.KGLIJN_MAIL_MAX_ATTACHMENT_BYTES:
        return "too_large"
    if not data:
        return "empty"
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if extension in REFUSED_EXTENSIONS or content_type.lower() in REFUSED_TYPES:
        return "dangerous_type"
    if data.startswith(EXECUTABLE_MAGIC):
        return "executable"
    return ""


def attachment_path(sha256: str) -> Path:
    """Where the file with this SHA-256 is kept."""
    if len(sha256) != 64 or not all(char in "0123456789abcdef" for char in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(settings.KGLIJN_MAIL_DIR) / "attachments" / sha256[:2] / sha256[2:4] / sha256


def attachment_store(data: bytes) -> str:
    """Store the bytes (once per content) and return their SHA-256; safe to repeat."""
    digest = hashlib.sha256(data).hexdigest()
    path = attachment_path(digest)
    if path.exists() and path.stat().st_size == len(data):
        return digest
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest
