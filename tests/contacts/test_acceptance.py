"""Issue 2 "How it will be checked", at service level: from the front office's phone call to
the PGJO nurse closing it, with the audit trail showing every step and its actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import translation

from kglijn.contacts.models import Contact
from kglijn.contacts.selectors import (
    contact_escalations,
    contact_get_for_user,
    contact_history,
    contact_my_queue,
    contact_office_queue,
)
from kglijn.contacts.services import (
    contact_close,
    contact_escalate,
    contact_register,
    contact_take,
)
from kglijn.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    with translation.override("en"):
        yield


def test_front_office_call_escalated_to_pgjo_and_closed_by_the_nurse(
    agent: User, nurse: User, childcare_handler: User
) -> None:
    called_at = dt.datetime(2023, 11, 14, 16, 40, tzinfo=BRUSSELS)  # a Tuesday afternoon
    escalated_at = dt.datetime(2023, 11, 14, 16, 52, tzinfo=BRUSSELS)
    closed_at = dt.datetime(2023, 11, 15, 9, 20, tzinfo=BRUSSELS)

    # 1. The front-office agent registers an anonymous call: province from the postcode,
    #    topic, two reasons and a referral.
    contact = contact_register(
        by=agent,
        channel="phone",
        received_at=called_at,
        postcode="8400",
        topic="family_support",
        reason_codes=["vaccination", "cb-appointment"],
        referral_codes=["gezinsbond"],
        notes="Moeder twijfelt over vaccinatieschema.",
    )
    contact.refresh_from_db()
    assert contact.province == "BE-VWV"
    assert (contact.office, contact.status, contact.handler) == ("front", "open", agent)
    assert contact.anonymous is True
    assert sorted(contact.reasons.values_list("code", flat=True)) == [
        "cb-appointment",
        "vaccination",
    ]
    assert list(contact.referrals.values_list("code", flat=True)) == ["gezinsbond"]
    assert list(contact_my_queue(user=agent)) == [contact]

    # A personal-data field on an anonymous contact is refused with a clear message.
    with pytest.raises(ValidationError) as excinfo:
        contact_register(by=agent, channel="phone", caller_phone="0470123456")
    assert excinfo.value.message_dict == {
        "caller_phone": [
            "An anonymous contact cannot hold personal data: leave this field empty or "
            "untick “anonymous”."
        ]
    }
    assert Contact.objects.count() == 1

    # 2. The agent escalates it to the PGJO back office (open until 17:00: picked up now).
    escalation = contact_escalate(
        contact=contact,
        to_office="pgjo",
        reason="Medische vraag: verpleegkundige nodig",
        by=agent,
        now=escalated_at,
    )
    assert escalation.expected_pickup_at == escalated_at
    assert list(contact_my_queue(user=agent)) == []

    # 3. The nurse sees it in her office queue; the childcare back office does not.
    assert list(contact_office_queue(user=nurse, office="pgjo")) == [contact]
    assert list(contact_office_queue(user=childcare_handler, office="childcare")) == []
    seen = contact_get_for_user(user=nurse, contact_id=contact.pk)
    assert (seen.office, seen.status) == ("pgjo", "escalated")
    assert [(e.from_office, e.to_office, e.reason) for e in contact_escalations(contact=seen)] == [
        ("front", "pgjo", "Medische vraag: verpleegkundige nodig")
    ]

    # 4. She takes it up: it leaves the office queue for her own queue.
    contact_take(contact=contact, by=nurse)
    assert list(contact_office_queue(user=nurse, office="pgjo")) == []
    assert list(contact_my_queue(user=nurse)) == [contact]

    # 5. She closes it.
    contact_close(contact=contact, by=nurse, now=closed_at)
    contact.refresh_from_db()
    assert (contact.status, contact.handler, contact.closed_at) == ("closed", nurse, closed_at)
    assert list(contact_my_queue(user=nurse)) == []

    # 6. The audit log shows each step, in order, with the right actor. (Reading an anonymous
    #    contact without health note is not logged: it holds no personal data.)
    assert [
        (event.action, event.actor.username if event.actor else None, event.detail)
        for event in contact_history(contact=contact)
    ] == [
        ("create", "agent", {"channel": "phone", "office": "front", "anonymous": True}),
        ("escalate", "agent", {"from": "front", "to": "pgjo"}),
        ("assign", "nurse", {}),
        ("close", "nurse", {}),
    ]
    assert AuditEvent.objects.count() == 4
