"""Raw mails as they arrive in the wild, for the parser and the mailbox tests."""

from __future__ import annotations

import base64

CRLF = b"\r\n"


def join(*lines: bytes) -> bytes:
    return CRLF.join(lines) + CRLF


# A multipart that says it is one but has no boundary parameter.
BROKEN_MIME = join(
    b"From: Sara Janssens <sara@example.be>",
    b"To: info@kindengezin.be",
    b"Subject: Opvang gezocht",
    b"Message-ID: <broken-mime-1@example.be>",
    b"MIME-Version: 1.0",
    b"Content-Type: multipart/mixed",
    b"",
    b"--zzz",
    b"Content-Type: text/plain",
    b"",
    b"Ik zoek opvang in Gent.",
    b"--zzz--",
)

# No Message-ID, no Date, no Subject, no To.
MISSING_HEADERS = join(
    b"From: lena@example.be",
    b"",
    b"Hallo, wat zijn de openingsuren van het consultatiebureau?",
)

# Windows-1252 text declared as an unknown charset, and raw 8-bit bytes in the headers.
NON_UTF8 = join(
    b"From: Jos\xe9 Martens <jose@example.be>",
    b"Subject: Vraag over caf\xe9\xefne tijdens de zwangerschap",
    b"Message-ID: <non-utf8-1@example.be>",
    b"Content-Type: text/plain; charset=x-unknown-charset",
    b"Content-Transfer-Encoding: 8bit",
    b"",
    b"Mag ik koffie drinken? Groetjes, Jos\xe9",
)

# A Windows program attached under its own name, next to a harmless PDF.
EXE_ATTACHMENT = join(
    b"From: iemand@example.be",
    b"Subject: Factuur",
    b"Message-ID: <exe-1@example.be>",
    b"MIME-Version: 1.0",
    b'Content-Type: multipart/mixed; boundary="b1"',
    b"",
    b"--b1",
    b"Content-Type: text/plain; charset=utf-8",
    b"",
    b"Zie bijlage.",
    b"--b1",
    b'Content-Type: application/octet-stream; name="factuur.exe"',
    b'Content-Disposition: attachment; filename="factuur.exe"',
    b"Content-Transfer-Encoding: base64",
    b"",
    base64.encodebytes(b"MZ\x90\x00" + b"\x00" * 60).strip(),
    b"--b1",
    b'Content-Type: application/pdf; name="attest.pdf"',
    b'Content-Disposition: attachment; filename="attest.pdf"',
    b"Content-Transfer-Encoding: base64",
    b"",
    base64.encodebytes(b"%PDF-1.4 attest").strip(),
    b"--b1--",
)

# An HTML-only mail with a script, a tracking pixel and an event handler.
HTML_ONLY = join(
    b"From: Ann <ann@example.be>",
    b"Subject: Vraag",
    b"Message-ID: <html-1@example.be>",
    b"MIME-Version: 1.0",
    b"Content-Type: text/html; charset=utf-8",
    b"",
    b'<html><body><p onclick="steal()">Beste,<br>mijn <b>vraag</b>.</p>'
    b'<img src="https://tracker.example/p.gif"><script>alert(1)</script>'
    b'<a href="javascript:alert(2)">klik</a> <a href="https://www.kindengezin.be">site</a>'
    b"</body></html>",
)


def with_attachment(size: int, *, filename: str = "scan.pdf") -> bytes:
    """A mail with one PDF attachment of `size` bytes."""
    data = b"%PDF-1.4\n" + b"0" * max(0, size - 9)
    return join(
        b"From: Bart <bart@example.be>",
        b"Subject: Attest in bijlage",
        f"Message-ID: <attachment-{size}@example.be>".encode(),
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/mixed; boundary="b2"',
        b"",
        b"--b2",
        b"Content-Type: text/plain; charset=utf-8",
        b"",
        b"Het attest zit in bijlage.",
        b"--b2",
        f'Content-Type: application/pdf; name="{filename}"'.encode(),
        f'Content-Disposition: attachment; filename="{filename}"'.encode(),
        b"Content-Transfer-Encoding: base64",
        b"",
        base64.encodebytes(data).strip(),
        b"--b2--",
    )
