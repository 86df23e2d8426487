"""Spam protection without third parties (no captcha service, no external script):

1. a honeypot field that people never see or fill in (bots fill every field);
2. a signed timestamp in the form: a submission sooner than MIN_FILL_SECONDS after the form was
   served is refused (people need longer to read and type), as is one older than MAX_FORM_AGE;
3. at most RATE_LIMIT accepted submissions per RATE_WINDOW seconds per IP address, counted in
   Django's cache under a keyed hash of the address (the address itself is stored nowhere, not
   on the contact either). With the default per-process memory cache each server process counts
   on its own; configure a shared cache (Redis) to count across processes.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac

from django.conf import settings
from django.core import signing
from django.core.cache import cache

HONEYPOT_FIELD = "kg_extra"
TOKEN_FIELD = "form_started"  # noqa: S105 - a field name
_TOKEN_SALT = "kglijn.webform.started"  # noqa: S105 - a signing salt, not a secret
MIN_FILL_SECONDS = 3
MAX_FORM_AGE = dt.timedelta(hours=24)
RATE_LIMIT = 5
RATE_WINDOW = 600  # seconds


class TokenProblem(enum.Enum):
    MISSING = "missing"  # absent or tampered with
    TOO_FAST = "too_fast"
    EXPIRED = "expired"


def form_token(*, now: dt.datetime) -> str:
    """A signed record of when the form was served."""
    return signing.dumps({"t": now.timestamp()}, salt=_TOKEN_SALT, compress=False)


def form_token_problem(token: str, *, now: dt.datetime) -> TokenProblem | None:
    """None when the form was served between MAX_FORM_AGE and MIN_FILL_SECONDS ago."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT)
        started = float(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return TokenProblem.MISSING
    age = now.timestamp() - started
    if age < MIN_FILL_SECONDS:
        return TokenProblem.TOO_FAST
    if age > MAX_FORM_AGE.total_seconds():
        return TokenProblem.EXPIRED
    return None


def _rate_key(ip: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()
    return f"kglijn:webform:rate:{digest[:32]}"


def rate_limited(*, ip: str) -> bool:
    """True when this address already made RATE_LIMIT submissions in the current window."""
    count = cache.get(_rate_key(ip), 0)
    return isinstance(count, int) and count >= RATE_LIMIT


def rate_count(*, ip: str) -> None:
    """Count one submission from this address (the window starts at the first one)."""
    key = _rate_key(ip)
    if not cache.add(key, 1, timeout=RATE_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=RATE_WINDOW)
