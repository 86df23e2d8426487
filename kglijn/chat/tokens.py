"""The parent's chat identity: the chat id in a signed, HttpOnly cookie (no login, no IP).

The cookie is the only key to a chat: it lets the parent's browser reconnect after a network
drop or a page reload, download the transcript and answer the survey. It is signed with the
SECRET_KEY (an altered cookie is refused) and expires after TOKEN_MAX_AGE.
"""

from __future__ import annotations

from django.core import signing

COOKIE_NAME = "kglijn_chat"
COOKIE_PATH = "/chat/"
TOKEN_MAX_AGE = 24 * 60 * 60  # seconds: the day of the chat, for the transcript and survey
_SALT = "kglijn.chat.parent"


def chat_token_make(*, chat_id: int) -> str:
    return signing.dumps(chat_id, salt=_SALT)


def chat_token_read(token: str | None) -> int | None:
    """The chat id in a valid, unexpired token; None for anything else."""
    if not token:
        return None
    try:
        value = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
