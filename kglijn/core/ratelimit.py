"""Fixed-window rate limits on the shared cache (Redis in production, see settings.CACHES).

A counter per (scope, client, window) is created with cache.add and raised with cache.incr, both
atomic on Redis, so parallel requests in several server processes count together. The client
key (an IP address) is stored only as a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int  # hits in the current window, this one included when it was counted
    retry_after: int  # seconds until the window ends


def _key(scope: str, client: str, window: int, now: float) -> tuple[str, int]:
    digest = hmac.new(settings.SECRET_KEY.encode(), client.encode(), hashlib.sha256).hexdigest()
    number = int(now // window)
    retry_after = max(1, int((number + 1) * window - now))
    return f"kglijn:rl:{scope}:{digest[:32]}:{number}", retry_after


def ratelimit_peek(
    *, scope: str, client: str, limit: int, window: int, now: float | None = None
) -> RateDecision:
    """Whether one more hit would still be allowed, without counting it. limit 0 = no limit."""
    key, retry_after = _key(scope, client, window, time.time() if now is None else now)
    count = cache.get(key, 0)
    count = count if isinstance(count, int) else 0
    return RateDecision(allowed=limit <= 0 or count < limit, count=count, retry_after=retry_after)


def ratelimit_hit(
    *, scope: str, client: str, limit: int, window: int, now: float | None = None
) -> RateDecision:
    """Count one hit; allowed while the window holds at most `limit` hits. limit 0 = no limit."""
    key, retry_after = _key(scope, client, window, time.time() if now is None else now)
    # A second longer than the window, so a counter never outlives its window by much.
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this hit opens a new counter
            cache.add(key, 1, timeout=window + 1)
            count = 1
    return RateDecision(allowed=limit <= 0 or count <= limit, count=count, retry_after=retry_after)


def once(*, scope: str, key: str, timeout: int) -> bool:
    """True the first time (scope, key) is seen within `timeout` seconds, False after that."""
    return bool(cache.add(f"kglijn:once:{scope}:{key}", 1, timeout=timeout))
