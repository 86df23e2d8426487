"""Campaign link tokens and opt-out hashes (ADR 0018 §5).

Each invitation mail carries its own token (32 random bytes, only the SHA-256 kept on the
`InvitationMail`); the link opens the invitation's one response until it is completed. Valid
for the fieldwork plus a margin: `CAMPAIGN_TOKEN.valid_for` from the mail's sending.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from kglijn.core.tokens import TokenKind, token_hash

CAMPAIGN_TOKEN = TokenKind(
    random_bytes=32, min_length=43, max_length=43, valid_for=dt.timedelta(days=60)
)
# A fresh token and the hash to store: (token, token_hash).
token_new = CAMPAIGN_TOKEN.new_with_hash
token_well_formed = CAMPAIGN_TOKEN.well_formed


def optout_hash(email: str) -> str:
    """The stored form of an opted-out address: SHA-256 of the trimmed, lower-cased address."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


__all__ = ["CAMPAIGN_TOKEN", "optout_hash", "token_hash", "token_new", "token_well_formed"]
