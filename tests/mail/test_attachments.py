"""Which attachments are refused, and how accepted ones are stored."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from kglijn.mail.attachments import (
    MAX_ATTACHMENTS,
    attachment_path,
    attachment_refusal,
    attachment_store,
)

PDF = b"%PDF-1.4 attest"


@pytest.mark.parametrize(
    ("filename", "content_type", "data", "index", "refusal"),
    [
        ("attest.pdf", "application/pdf", PDF, 1, ""),
        ("foto.JPG", "image/jpeg", b"\xff\xd8\xff\xe0", 1, ""),
        ("script.js", "text/plain", b"alert(1)", 1, "dangerous_type"),
        ("Brief.DOCM", "application/octet-stream", b"PK\x03\x04", 1, "dangerous_type"),
        ("screensaver.scr", "application/octet-stream", b"x", 1, "dangerous_type"),
        ("run.bat", "application/octet-stream", b"x", 1, "dangerous_type"),
        ("macro.vbs", "text/plain", b"x", 1, "dangerous_type"),
        ("pagina.html", "text/html", b"<p>", 1, "dangerous_type"),
        ("zonder-extensie", "application/x-msdownload", b"x", 1, "dangerous_type"),
        ("factuur.pdf", "application/pdf", b"MZ\x90\x00rest", 1, "executable"),
        ("leeg.txt", "text/plain", b"", 1, "empty"),
        ("attest.pdf", "application/pdf", PDF, MAX_ATTACHMENTS + 1, "too_many"),
    ],
)
def test_attachment_refusal(
    filename: str, content_type: str, data: bytes, index: int, refusal: str
) -> None:
    assert (
        attachment_refusal(filename=filename, content_type=content_type, data=data, index=index)
        == refusal
    )


def test_the_size_limit_is_a_setting(settings: Any) -> None:
    settings.KGLIJN_MAIL_MAX_ATTACHMENT_BYTES = len(PDF)
    assert attachment_refusal(filename="a.pdf", content_type="", data=PDF, index=1) == ""
    assert attachment_refusal(filename="a.pdf", content_type="", data=PDF + b"x", index=1) == (
        "too_large"
    )


def test_files_are_stored_once_per_content(settings: Any, tmp_path: Path) -> None:
    settings.KGLIJN_MAIL_DIR = tmp_path
    digest = attachment_store(PDF)
    assert digest == hashlib.sha256(PDF).hexdigest()
    path = attachment_path(digest)
    assert path == tmp_path / "attachments" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == PDF
    assert path.stat().st_mode & 0o777 == 0o600
    assert attachment_store(PDF) == digest
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [path]


def test_a_path_is_only_made_from_a_digest() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        attachment_path("../../etc/passwd")
