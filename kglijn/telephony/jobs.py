"""Telephony's `kglijn worker` jobs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.telephony.models import Call, CallEvent, EventType


def callback_numbers_expire(*, now: dt.datetime, batch: int = 1000) -> int:
    """Erase the callback numbers of calls that ended more than KGLIJN_CALLBACK_RETENTION_DAYS
    ago: on the call and on its callback_requested event (the only place the number is kept,
    ADR 0007). The number is personal data needed only to call back. Idempotent; how many
    calls were erased."""
    limit = now - dt.timedelta(days=settings.KGLIJN_CALLBACK_RETENTION_DAYS)
    with transaction.atomic():
        expired = list(
            Call.objects.alias(moment=Coalesce("ended_at", "abandoned_at", "offered_at"))
            .filter(~Q(callback_number=""), moment__lt=limit)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not expired:
            return 0
        Call.objects.filter(pk__in=expired).update(callback_number="")
        CallEvent.objects.filter(call_id__in=expired, type=EventType.CALLBACK_REQUESTED).exclude(
            caller_number=""
        ).update(caller_number="")
        for pk in expired:
            audit_record(
                actor=None,
                action=AuditEvent.Action.CHANGE,
                object_type="call",
                object_id=pk,
                detail={
                    "erased": "callback_number",
                    "retention_days": settings.KGLIJN_CALLBACK_RETENTION_DAYS,
                },
            )
    return len(expired)
