"""The feedback link's token: random, unguessable, stored only as its SHA-256 hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

# 16 random bytes = 128 bits: 22 URL-safe characters, short enough to type from a card.
TOKEN_BYTES = 16
TOKEN_VALID_FOR = dt.timedelta(days=14)
# What a token can look like in a URL; anything else is refused before any lookup.
TOKEN_PATTERN = r"[A-Za-z0-9_-]{16,64}"  # noqa: S105 - a pattern, not a secret
_TOKEN_RE = re.compile(rf"^{TOKEN_PATTERN}$")


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The stored form of a token. A plain hash suffices: the token has 128 random bits, so
    there is nothing to brute-force, and a stolen table holds no usable link."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def token_well_formed(token: str) -> bool:
    return bool(_TOKEN_RE.match(token))
