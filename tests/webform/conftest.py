"""Web form test helpers: a cache of its own per test (the suite may run on a shared Redis)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _own_cache(settings: Any) -> None:
    # A key prefix per test instead of cache.clear(): on Redis clear() would flush the whole
    # database, channel layer included, under the feet of whatever else uses it.
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }
