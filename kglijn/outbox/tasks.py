"""One-off background work of the outbox through the Tasks API (django-tasks, ADR 0013):
"send this mail now", enqueued after the commit that queued the mail. Under the immediate
backend (`KGLIJN_TASKS_BACKEND=immediate`, the default for `make run` and the tests) it runs
at once in the process that enqueued it; under `database` a `kglijn worker` runs it."""

from __future__ import annotations

from django_tasks import task

from kglijn.outbox.services import outbox_send_now


@task()
def outbox_send_task(*, mail_id: int) -> None:
    outbox_send_now(mail_id=mail_id)
