"""Single-use link tokens: random, unguessable, stored only as their SHA-256 hash.

One helper for every link that stands in for a login (the feedback card after a visit, the
satisfaction survey mail). Each use is a TokenKind: how many random bytes, which lengths are
accepted in a URL and how long a link is valid. The stored form is the same for every kind —
the SHA-256 of the token's ASCII text as 64 hexadecimal characters — so links already sent keep
working. A plain hash suffices: a token has at least 128 random bits, there is nothing to
brute-force, and a stolen table holds no usable link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass, field

# The URL-safe base64 alphabet of secrets.token_urlsafe (no padding).
_ALPHABET = "A-Za-z0-9_-"


def token_hash(token: str) -> str:
    """The stored form of any token: its SHA-256 as 64 hexadecimal characters."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class TokenKind:
    """One use of link tokens: `random_bytes` of entropy, accepted lengths, validity."""

    random_bytes: int
    min_length: int
    max_length: int
    valid_for: dt.timedelta
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.random_bytes < 16:
            raise ValueError("a link token needs at least 128 random bits")
        pattern = re.compile(rf"[{_ALPHABET}]{{{self.min_length},{self.max_length}}}")
        object.__setattr__(self, "_pattern", pattern)

    @property
    def pattern(self) -> str:
        """What a token of this kind can look like (e.g. for a URL pattern)."""
        return self._pattern.pattern

    def new(self) -> str:
        """A fresh token; store only token_hash(token)."""
        return secrets.token_urlsafe(self.random_bytes)

    def new_with_hash(self) -> tuple[str, str]:
        """A fresh token and the hash to store: (token, token_hash)."""
        token = self.new()
        return token, token_hash(token)

    def well_formed(self, token: str) -> bool:
        """Could this be a token of this kind? Refuses anything else before a database look-up."""
        return self._pattern.fullmatch(token) is not None

    def expires_at(self, issued: dt.datetime) -> dt.datetime:
        return issued + self.valid_for


# 16 random bytes = 128 bits: 22 URL-safe characters, short enough to type from a card.
# Accepted: 16 to 64 characters, so the cards printed so far keep working.
FEEDBACK_TOKEN = TokenKind(
    random_bytes=16, min_length=16, max_length=64, valid_for=dt.timedelta(days=14)
)
# 32 random bytes: exactly 43 characters; the link in the invitation mail is clicked, not typed.
SURVEY_TOKEN = TokenKind(
    random_bytes=32, min_length=43, max_length=43, valid_for=dt.timedelta(days=14)
)
