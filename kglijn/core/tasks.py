"""The Tasks API's one-off work inside `kglijn worker` (ADR 0013).

One-off work ("send this mail now") is enqueued through django-tasks. Which backend runs it is
settings.KGLIJN_TASKS_BACKEND: `immediate` runs a task at once in the process that enqueues it
(`make run`, the tests); `database` (django-tasks-db) stores it, and the `kglijn worker` job
`tasks_run` below runs the stored tasks, so production has one worker process for periodic
sweeps and one-off tasks alike. A task that dies with its process stays "running" in
django-tasks-db; every task kglijn enqueues is therefore also covered by a periodic sweep
(the outbox's `outbox_send`), which finishes what a task did not.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

from django.db import OperationalError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from kglijn.core.worker import stop_requested

logger = logging.getLogger("kglijn.tasks")

TASK_BATCH = 50


def tasks_run(*, now: dt.datetime) -> int:
    """The `kglijn worker` job: run up to TASK_BATCH stored tasks that are ready, each claimed
    first (`SKIP LOCKED`), so several workers share them. Nothing to do under the immediate
    backend. Returns how many tasks ran."""
    from django_tasks_db import DatabaseBackend

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if not isinstance(backend, DatabaseBackend):
        return 0
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    worker = Worker(
        queue_names=list(backend.queues),
        interval=0,
        batch=True,
        backend_name=backend.alias,
        startup_delay=False,
        max_tasks=TASK_BATCH,
        worker_id=f"kglijn-worker-{os.getpid()}",
        excluded_queue_names=[],
    )
    ran = 0
    for _i in range(TASK_BATCH):
        if stop_requested():
            break
        ready = DBTaskResult.objects.ready().filter(
            backend_name=backend.alias, queue_name__in=backend.queues
        )
        try:
            with exclusive_transaction(ready.db):
                result = ready.get_locked()
                if result is not None:
                    result.claim(worker.worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                break  # SQLite busy: the next round tries again
            raise
        if result is None:
            break
        worker.run_task(result)  # records success or failure on the stored task
        ran += 1
    return ran
