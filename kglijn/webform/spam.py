"""Spam protection without third parties (no captcha service, no external script):

1. a honeypot field that people never see or fill in (bots fill every field);
2. a signed timestamp in the form: a submission sooner than MIN_FILL_SECONDS after the form was
   served is refused (people need longer to read and type), as is one older than MAX_FORM_AGE;
   each token serves one submission: its random id is remembered in the cache until the token
   would have expired anyway;
3. at most KGLIJN_WEBFORM_LIMIT accepted submissions per KGLIJN_WEBFORM_WINDOW seconds per IP
   address (kglijn.core.ratelimit: a keyed hash of the address in the shared cache; the address
   itself is stored nowhere, not on the contact either). With REDIS_URL set every server process
   counts together; without it each process counts on its own.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from django.conf import settings
from django.core import signing

from kglijn.core.ratelimit import once, ratelimit_hit, ratelimit_peek

HONEYPOT_FIELD = "kg_extra"
TOKEN_FIELD = "form_started"  # noqa: S105 - a field name
_TOKEN_SALT = "kglijn.webform.started"  # noqa: S105 - a signing salt, not a secret
MIN_FILL_SECONDS = 3
MAX_FORM_AGE = dt.timedelta(hours=24)
_RATE_SCOPE = "webform"


class TokenProblem(enum.Enum):
    MISSING = "missing"  # absent or tampered with
    TOO_FAST = "too_fast"
    EXPIRED = "expired"
    USED = "used"  # this token already served a submission


def form_token(*, now: dt.datetime) -> str:
    """A signed record of when the form was served, with a random id that makes it single use."""
    return signing.dumps(
        {"t": now.timestamp(), "n": secrets.token_urlsafe(12)}, salt=_TOKEN_SALT, compress=False
    )


def _token_data(token: str) -> tuple[float, str] | None:
    try:
        data = signing.loads(token, salt=_TOKEN_SALT)
        started, token_id = float(data["t"]), data["n"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if not isinstance(token_id, str) or not token_id:
        return None
    return started, token_id


def form_token_problem(token: str, *, now: dt.datetime) -> TokenProblem | None:
    """None when the form was served between MAX_FORM_AGE and MIN_FILL_SECONDS ago."""
    data = _token_data(token)
    if data is None:
        return TokenProblem.MISSING
    age = now.timestamp() - data[0]
    if age < MIN_FILL_SECONDS:
        return TokenProblem.TOO_FAST
    if age > MAX_FORM_AGE.total_seconds():
        return TokenProblem.EXPIRED
    return None


def form_token_use(token: str) -> TokenProblem | None:
    """Mark a good token as used; TokenProblem.USED when it already served a submission.

    Remembered a little longer than a token lives, so it cannot come back after being forgotten.
    """
    data = _token_data(token)
    if data is None:
        return TokenProblem.MISSING
    timeout = int(MAX_FORM_AGE.total_seconds()) + 3600
    return None if once(scope="webform-token", key=data[1], timeout=timeout) else TokenProblem.USED


def rate_limited(*, ip: str) -> bool:
    """True when this address already made its allowed submissions in the current window."""
    return not ratelimit_peek(
        scope=_RATE_SCOPE,
        client=ip,
        limit=settings.KGLIJN_WEBFORM_LIMIT,
        window=settings.KGLIJN_WEBFORM_WINDOW,
    ).allowed


def rate_count(*, ip: str) -> bool:
    """Count one submission from this address; False when it is one too many."""
    return ratelimit_hit(
        scope=_RATE_SCOPE,
        client=ip,
        limit=settings.KGLIJN_WEBFORM_LIMIT,
        window=settings.KGLIJN_WEBFORM_WINDOW,
    ).allowed
