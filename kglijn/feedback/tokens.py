"""The feedback link's token: the core helper's FEEDBACK_TOKEN kind (kglijn.core.tokens)."""

from __future__ import annotations

from kglijn.core.tokens import FEEDBACK_TOKEN, token_hash

TOKEN_BYTES = FEEDBACK_TOKEN.random_bytes
TOKEN_VALID_FOR = FEEDBACK_TOKEN.valid_for
# What a token can look like in a URL; anything else is refused before any lookup.
TOKEN_PATTERN = FEEDBACK_TOKEN.pattern
token_new = FEEDBACK_TOKEN.new
token_well_formed = FEEDBACK_TOKEN.well_formed

__all__ = [
    "TOKEN_BYTES",
    "TOKEN_PATTERN",
    "TOKEN_VALID_FOR",
    "token_hash",
    "token_new",
    "token_well_formed",
]
