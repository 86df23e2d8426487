"""The urgent lane's escalation, a `kglijn worker` job (settings.KGLIJN_WORKER_JOBS).

An urgent case not taken up by its due time is escalated once: ``escalated_at`` is set with a
conditional update (only while it is still empty), a CaseEvent is written, and one mail to the
Opgroeipunt team leads goes into the outbox, all in one transaction per case. Running the job
twice, or in two processes at once, escalates a case exactly once (the conditional update, and
the outbox's one row per purpose and case).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from kglijn.opgroeipunt.cases.mail import ESCALATION_PURPOSE
from kglijn.opgroeipunt.models import Case, CaseEvent, CaseSource, CaseStatus
from kglijn.outbox.services import outbox_enqueue

BATCH = 200


def urgent_overdue(*, now: dt.datetime) -> list[int]:
    """Ids of urgent cases past their due time, not taken up, not yet escalated (oldest first).

    Imported history is never escalated."""
    return list(
        Case.objects.filter(
            urgent=True,
            taken_at__isnull=True,
            escalated_at__isnull=True,
            urgent_due_at__lte=now,
        )
        .exclude(status=CaseStatus.CLOSED)
        .exclude(source=CaseSource.IMPORT)
        .order_by("urgent_due_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )


def urgent_escalate(*, now: dt.datetime) -> int:
    """Escalate every overdue untaken urgent case once; returns how many were escalated."""
    escalated = 0
    for case_id in urgent_overdue(now=now):
        with transaction.atomic():
            claimed = Case.objects.filter(
                pk=case_id, escalated_at__isnull=True, taken_at__isnull=True, urgent=True
            ).update(escalated_at=now)
            if not claimed:
                continue  # taken up or escalated by another process meanwhile
            case = Case.objects.get(pk=case_id)
            CaseEvent.objects.create(
                case=case,
                what="escalated",
                changes={"escalated_at": [None, now.isoformat()]},
            )
            outbox_enqueue(purpose=ESCALATION_PURPOSE, reference=case_id, due_at=now)
        escalated += 1
    return escalated
