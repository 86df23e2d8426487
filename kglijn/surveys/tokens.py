"""Survey invitation tokens: unguessable, only their SHA-256 stored (ADR 0008).

The link in the invitation mail is the only copy of a token: a database leak reveals no
usable link, and nobody at the K&G-Lijn can answer on a citizen's behalf.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet, no padding.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def token_new() -> tuple[str, str]:
    """A fresh token and the hash to store: (token, token_hash)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256 as 64 hexadecimal characters."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def token_well_formed(token: str) -> bool:
    """Could this be a token we issued? Refuses anything else before a database look-up."""
    return _TOKEN_RE.fullmatch(token) is not None
