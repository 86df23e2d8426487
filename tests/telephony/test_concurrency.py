"""Deliveries racing in parallel (as several server processes would): stored once, no deadlock."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection, transaction

from kglijn.contacts.models import Contact
from kglijn.contacts.rollups.services import rollups_check
from kglijn.telephony.events import events_parse
from kglijn.telephony.models import Call, CallEvent
from kglijn.telephony.services import _lock_calls, call_events_apply_pending, call_events_ingest
from tests.telephony.calls import plan_calls
from tests.telephony.conftest import settle

pytestmark = pytest.mark.django_db(transaction=True)


def _race(jobs: list[Callable[[], object]]) -> list[BaseException]:
    """Run the jobs at once, each in its own thread (own database connection)."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _ingest(items: list[dict]) -> Callable[[], object]:
    body = json.dumps(items).encode()

    def job() -> object:
        while True:
            try:
                return call_events_ingest(events=events_parse(body))
            except OperationalError as exc:
                # SQLite's in-memory test database (shared cache) reports a busy table at
                # once instead of waiting like the file database's 20 s busy timeout in
                # production: wait and retry as that timeout would. PostgreSQL never gets here.
                if connection.vendor != "sqlite" or "locked" not in str(exc):
                    raise
                time.sleep(0.005)

    return job


def test_the_same_events_delivered_four_times_at_once_are_stored_once(call_agents) -> None:
    calls = plan_calls(30, seed=41)
    items = [item for call in calls for item in call.events]

    errors = _race([_ingest(items) for _ in range(4)])

    assert errors == []
    assert CallEvent.objects.count() == len(items)
    assert Contact.objects.count() == Call.objects.count() == 30
    assert rollups_check() == []


def test_batches_of_many_calls_in_opposite_orders_do_not_deadlock(call_agents) -> None:
    # every batch creates contacts of several offices: the shared rollup rows are taken in
    # different orders by the two batches
    calls = plan_calls(80, seed=42)
    halves = [calls[0::2], calls[1::2]]
    batches = [[item for call in half for item in call.events] for half in halves]
    jobs = [
        _ingest(batches[0]),
        _ingest(list(reversed(batches[1]))),
        _ingest(list(reversed(batches[0]))),
        _ingest(batches[1]),
    ]

    errors = _race(jobs)

    assert errors == []
    assert Contact.objects.count() == 80
    planned = {call.call_id: call for call in calls}
    for contact in Contact.objects.all():
        call = planned[contact.external_id or ""]
        assert (contact.received_at, contact.answered_at, contact.office) == (
            call.received_at,
            call.answered_at,
            call.office,
        )
    assert rollups_check() == []


def test_in_background_mode_events_of_new_calls_racing_are_each_stored_once(
    call_agents, settings
) -> None:
    # Every event of a call in its own request, all at once: the requests race to create the
    # call row (the losers' statement cannot see the winner's row yet and must ask again).
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    calls = plan_calls(12, seed=43)
    for call in calls:
        jobs = [_ingest([item]) for item in call.events]
        jobs += [_ingest([item]) for item in call.events]  # each event delivered twice at once
        assert _race(jobs) == []
    assert CallEvent.objects.count() == sum(len(call.events) for call in calls)
    assert Call.objects.count() == 12
    assert Contact.objects.count() == 0  # stored and acknowledged, not applied yet

    assert settle() == CallEvent.objects.count()

    assert Contact.objects.count() == 12
    for call in calls:
        contact = Contact.objects.get(external_id=call.call_id)
        assert (contact.received_at, contact.answered_at, contact.office) == (
            call.received_at,
            call.answered_at,
            call.office,
        )
    assert rollups_check() == []


def test_two_appliers_at_once_apply_every_event_once(call_agents, settings) -> None:
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    calls = plan_calls(80, seed=44)
    items = sorted(
        (item for call in calls for item in call.events), key=lambda item: item["occurred_at"]
    )
    for start in range(0, len(items), 50):
        call_events_ingest(events=events_parse(json.dumps(items[start : start + 50]).encode()))

    errors = _race([_settle_retrying, _settle_retrying, _settle_retrying])

    assert errors == []
    assert CallEvent.objects.filter(applied=False).count() == 0
    assert Contact.objects.count() == 80
    planned = {call.call_id: call for call in calls}
    for contact in Contact.objects.all():
        call = planned[contact.external_id or ""]
        assert (contact.received_at, contact.answered_at, contact.office, contact.status) == (
            call.received_at,
            call.answered_at,
            call.office,
            call.status,
        )
    assert rollups_check() == []


def _settle_retrying() -> None:
    while True:
        try:
            while call_events_apply_pending(limit=37):
                pass
            return
        except OperationalError as exc:  # SQLite's busy shared-cache table: see _ingest
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.005)


def test_the_webhook_never_waits_for_an_applier_holding_the_call(call_agents, settings) -> None:
    # An applier that keeps up holds the calls that ring right now; the webhook's insert of the
    # next event of such a call checks its foreign key to the call row and must not wait for
    # the applier's transaction (the lock is FOR NO KEY UPDATE, not FOR UPDATE: ADR 0009).
    settings.KGLIJN_TELEPHONY_APPLY = "background"
    call = plan_calls(1, seed=45)[0]
    first, rest = call.events[:1], call.events[1:]
    call_events_ingest(events=events_parse(json.dumps(first).encode()))
    call_pk = Call.objects.get(call_id=call.call_id).pk
    held = threading.Event()
    release = threading.Event()

    def applier_holding_the_call() -> None:
        with transaction.atomic():
            _lock_calls([call_pk])
            held.set()
            release.wait(30)

    def webhook() -> None:
        assert held.wait(30)
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '3s'")  # waiting would fail the test
            else:
                release.set()  # SQLite has one writer at a time: the webhook waits its turn
            _ingest(rest)()
        finally:
            release.set()

    errors = _race([applier_holding_the_call, webhook])

    assert errors == []
    assert CallEvent.objects.filter(call_id=call_pk).count() == len(call.events)
