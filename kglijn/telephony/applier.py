"""The background applier: derives calls, legs and contacts from stored call events.

With KGLIJN_TELEPHONY_APPLY=background (production's default) the webhook only stores and
acknowledges events; this thread, started by `kglijn serve`, applies them in batches of up to
500, oldest first, waiting 250 ms whenever a batch was not full: events gather into batches,
and a batch costs ~0.5 ms an event against several times that one by one (ADR 0009). Several
appliers (several servers) may run at once: they take different events and serialise per
call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection

from kglijn.telephony.services import call_events_apply_pending

logger = logging.getLogger(__name__)


class CallEventApplier(threading.Thread):
    def __init__(self, *, batch: int = 500, idle_seconds: float = 0.25) -> None:
        super().__init__(name="kglijn-call-event-applier", daemon=True)
        self.batch = batch
        self.idle_seconds = idle_seconds
        self._stopping = threading.Event()
        self.applied = 0  # events applied since start (for logs and tests)

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    done = call_events_apply_pending(limit=self.batch)
                except Exception:
                    # The database went away or a call cannot be derived: the batch rolled
                    # back and stays unapplied; try again shortly on a fresh connection.
                    logger.exception("applying call events failed; retrying in 1 s")
                    connection.close()
                    self._stopping.wait(1.0)
                    continue
                self.applied += done
                if done < self.batch:
                    close_old_connections()
                    self._stopping.wait(self.idle_seconds)
        finally:
            connection.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch in progress and stop."""
        self._stopping.set()
        self.join(timeout)


def applier_start() -> Callable[[], None] | None:
    """`kglijn serve`'s background part (settings.KGLIJN_SERVER_BACKGROUND): start the applier
    when call events are applied in the background; returns its stop, or None (inline mode)."""
    if settings.KGLIJN_TELEPHONY_APPLY != "background":
        return None
    # In the supervising process: the worker processes only store events (ADR 0009).
    applier = CallEventApplier()
    applier.start()
    return applier.stop
