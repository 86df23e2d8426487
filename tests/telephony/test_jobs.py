"""Callback numbers are erased after the retention period, on the call and in its event log."""

from __future__ import annotations

import datetime as dt

import pytest

from kglijn.core.models import AuditEvent
from kglijn.telephony.jobs import callback_numbers_expire
from kglijn.telephony.models import Call, CallEvent
from tests.telephony.calls import post

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2023, 3, 6, 9, 0, tzinfo=dt.UTC)


def _callback_call(client, call_id: str, at: dt.datetime) -> None:
    events = [
        {"event_id": f"{call_id}-1", "type": "offered", "call_id": call_id,
         "occurred_at": at.isoformat(), "queue": "front"},
        {"event_id": f"{call_id}-2", "type": "callback_requested", "call_id": call_id,
         "occurred_at": (at + dt.timedelta(seconds=50)).isoformat(),
         "caller_number": "0470 12 34 56"},
    ]  # fmt: skip
    assert post(client, events).status_code == 201


def test_numbers_older_than_the_retention_are_erased_once(client, settings) -> None:
    settings.KGLIJN_CALLBACK_RETENTION_DAYS = 30
    _callback_call(client, "old", T0)
    _callback_call(client, "recent", T0 + dt.timedelta(days=25))
    assert Call.objects.get(call_id="old").callback_number == "0470 12 34 56"

    erased = callback_numbers_expire(now=T0 + dt.timedelta(days=31))

    assert erased == 1
    numbers = dict(Call.objects.values_list("call_id", "callback_number"))
    assert numbers == {"old": "", "recent": "0470 12 34 56"}
    logged = dict(
        CallEvent.objects.filter(type="callback_requested").values_list(
            "call__call_id", "caller_number"
        )
    )
    assert logged == {"old": "", "recent": "0470 12 34 56"}
    old = Call.objects.get(call_id="old")
    assert AuditEvent.objects.filter(object_type="call", object_id=old.pk).count() == 1
    # the call itself stays: only the number goes
    assert (old.callback_requested, old.state) == (True, "ended")

    assert callback_numbers_expire(now=T0 + dt.timedelta(days=31)) == 0  # idempotent
    assert AuditEvent.objects.filter(object_type="call").count() == 1


def test_nothing_is_erased_within_the_retention(client, settings) -> None:
    settings.KGLIJN_CALLBACK_RETENTION_DAYS = 30
    _callback_call(client, "c1", T0)

    assert callback_numbers_expire(now=T0 + dt.timedelta(days=29)) == 0
    assert Call.objects.get(call_id="c1").callback_number == "0470 12 34 56"
