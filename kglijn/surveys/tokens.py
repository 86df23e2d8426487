"""Survey invitation tokens: the core helper's SURVEY_TOKEN kind (kglijn.core.tokens; ADR 0008).

The link in the invitation mail is the only copy of a token: a database leak reveals no
usable link, and nobody at the K&G-Lijn can answer on a citizen's behalf.
"""

from __future__ import annotations

from kglijn.core.tokens import SURVEY_TOKEN, token_hash

TOKEN_BYTES = SURVEY_TOKEN.random_bytes
# A fresh token and the hash to store: (token, token_hash).
token_new = SURVEY_TOKEN.new_with_hash
token_well_formed = SURVEY_TOKEN.well_formed

__all__ = ["TOKEN_BYTES", "token_hash", "token_new", "token_well_formed"]
