"""Issue 4's checks: 1,000 calls, 10 % redelivered and 10 % out of order, make exactly 1,000
contacts with the right times; a wrong signature stores nothing; the service level equals an
independent computation from the same event log; the rollups stay exact."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.contrib.auth.models import User

from kglijn.contacts.models import Contact
from kglijn.contacts.rollups.services import rollups_check
from kglijn.servicelevels.phone import Period, service_levels
from kglijn.telephony.models import Call, CallEvent
from tests.telephony.calls import (
    DAY,
    URL,
    delivery,
    independent_service_levels,
    plan_calls,
    post,
)
from tests.telephony.conftest import settle

pytestmark = pytest.mark.django_db

CALLS = 1000
BATCH = 40


@pytest.fixture
def replayed(client, call_agents: dict[str, User], apply_mode: str):
    """1,000 planned calls delivered in batches of 40, 10 % of the events redelivered later and
    10 % moved later than their turn (some arrive before their call was offered); in the
    background mode the applier runs after every 5th batch and at the end."""
    calls = plan_calls(CALLS, seed=2023)
    stream = delivery(calls, seed=7, redeliver=0.10, disorder=0.10)
    statuses: Counter[int] = Counter()
    pending = 0
    for start in range(0, len(stream), BATCH):
        response = post(client, stream[start : start + BATCH])
        statuses[response.status_code] += 1
        body = response.json()
        accepted = 201 if apply_mode == "inline" else 202
        assert response.status_code in (200, accepted, 409), body
        if response.status_code == 409:
            assert {error["field"] for error in body["errors"]} == {"call_id"}
            pending += len(body["errors"])
        if apply_mode == "background" and start // BATCH % 5 == 4:
            assert Contact.objects.count() < CALLS  # not all applied yet
            settle()
    if apply_mode == "background":
        settle()
    assert CallEvent.objects.filter(applied=False).count() == 0
    return calls, stream, statuses, pending


def test_a_thousand_calls_make_exactly_a_thousand_contacts_with_the_right_times(
    replayed, call_agents
) -> None:
    calls, stream, _statuses, pending = replayed
    unique_events = {item["event_id"] for item in stream}
    assert len(stream) > len(unique_events)  # there were redeliveries
    assert pending > 0  # and events that arrived before their call's start

    assert CallEvent.objects.count() == len(unique_events)
    assert Call.objects.count() == CALLS
    assert Call.objects.filter(state="pending").count() == 0
    assert Contact.objects.count() == CALLS
    contacts = {
        contact.external_id: contact
        for contact in Contact.objects.select_related("handler").filter(channel="phone")
    }
    wrong = []
    for planned in calls:
        contact = contacts[planned.call_id]
        got = (
            contact.direction,
            contact.received_at,
            contact.answered_at,
            contact.handler.username if contact.handler else None,
            contact.office,
            contact.status,
            contact.anonymous,
        )
        want = (
            planned.direction,
            planned.received_at,
            planned.answered_at,
            planned.handler,
            planned.office,
            planned.status,
            True,
        )
        if got != want:
            wrong.append((planned.call_id, got, want))
    assert wrong == []
    assert rollups_check() == []


def test_the_service_level_equals_an_independent_computation_from_the_event_log(
    replayed,
) -> None:
    _calls, stream, _statuses, _pending = replayed
    expected = independent_service_levels(stream, target=20, short=5)

    report = service_levels(date_from=DAY, date_to=DAY, period=Period.HOUR)

    for office in ("front", "pgjo", "childcare"):
        total = report.totals[office]
        want = expected[office]
        assert total.offered == want["offered"], office
        assert total.answered == want["answered"], office
        assert total.answered_in_target == want["in_target"], office
        assert total.abandoned == want["abandoned"], office
        assert total.short_abandons == want.get("short", 0), office
        assert total.service_level_pct == pytest.approx(want["service_level"], abs=1e-9)
        assert total.asa_seconds == pytest.approx(want["asa"], abs=1e-9)
        # the hourly rows add up to the day
        assert sum(row.offered for row in report.rows[office]) == total.offered
    assert expected["front"]["short"] > 0  # the plan does contain short abandons


def test_a_replay_with_a_wrong_secret_stores_nothing(client, call_agents) -> None:
    stream = delivery(plan_calls(50, seed=3), seed=1, redeliver=0.1, disorder=0.1)

    for start in range(0, len(stream), BATCH):
        response = post(client, stream[start : start + BATCH], secret="a-wrong-secret")
        assert response.status_code == 401

    assert (CallEvent.objects.count(), Call.objects.count(), Contact.objects.count()) == (0, 0, 0)


def test_single_event_deliveries_out_of_order_give_the_same_result_as_batches(
    client, call_agents, apply_mode
) -> None:
    calls = plan_calls(60, seed=99)
    stream = delivery(calls, seed=5, redeliver=0.10, disorder=0.10)

    for number, item in enumerate(stream):
        body = json.dumps(item).encode()
        response = post(client, None, raw=body)
        assert response.status_code in (200, 201, 202, 409), response.content
        if apply_mode == "background" and number % 7 == 6:
            settle()
    settle()

    assert Contact.objects.count() == 60
    for planned in calls:
        contact = Contact.objects.get(external_id=planned.call_id)
        assert (contact.received_at, contact.answered_at, contact.office, contact.status) == (
            planned.received_at,
            planned.answered_at,
            planned.office,
            planned.status,
        )
    assert rollups_check() == []
    assert URL == "/api/v1/telephony/events/"
