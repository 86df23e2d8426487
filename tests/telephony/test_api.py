"""The call-event webhook: signature, validation, idempotency, unknown calls, contacts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User

from kglijn.contacts.models import Contact, Escalation
from kglijn.contacts.rollups.services import rollups_check
from kglijn.core.models import AuditEvent
from kglijn.telephony.models import Call, CallEvent, CallLeg
from tests.telephony.calls import BRUSSELS, URL, at, event, post, sign

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2023, 3, 6, 9, 14, 3, tzinfo=BRUSSELS)


def seconds(n: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=n)


def snapshot() -> dict[str, Any]:
    """Everything the webhook may write, to prove that a request changed nothing."""
    return {
        "events": list(CallEvent.objects.values().order_by("id")),
        "calls": list(Call.objects.values().order_by("id")),
        "legs": list(CallLeg.objects.values().order_by("id")),
        "contacts": list(Contact.objects.values().order_by("id")),
        "escalations": list(Escalation.objects.values().order_by("id")),
        "audit": list(AuditEvent.objects.values().order_by("id")),
    }


@pytest.fixture
def agent07(make_user) -> User:
    return make_user("front_office", "agent07")


# --- signature ------------------------------------------------------------------------------


def _raw_post(client, body: bytes, **headers: str):
    return client.post(URL, data=body, content_type="application/json", **headers)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("sha256=" + "0" * 64, id="wrong"),
        pytest.param("sha1=abc", id="other-algorithm"),
        pytest.param("SIGNED", id="garbage"),
    ],
)
def test_a_bad_or_missing_signature_is_401_and_stores_nothing(client, header) -> None:
    body = json.dumps(event("e1", "offered", "c1", T0, queue="front")).encode()
    headers = {} if header is None else {"HTTP_X_KGLIJN_SIGNATURE": header}

    response = _raw_post(client, body, **headers)

    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "X-KGLijn-Signature"
    assert response["WWW-Authenticate"].startswith("HMAC-SHA256")
    assert (CallEvent.objects.count(), Call.objects.count(), Contact.objects.count()) == (0, 0, 0)


def test_a_signature_made_with_another_secret_or_for_another_body_is_refused(client) -> None:
    body = json.dumps(event("e1", "offered", "c1", T0, queue="front")).encode()
    other = json.dumps(event("e2", "offered", "c1", T0, queue="front")).encode()

    by_other_secret = _raw_post(client, body, HTTP_X_KGLIJN_SIGNATURE=sign(body, "not-the-secret"))
    for_other_body = _raw_post(client, body, HTTP_X_KGLIJN_SIGNATURE=sign(other))

    assert (by_other_secret.status_code, for_other_body.status_code) == (401, 401)
    assert CallEvent.objects.count() == 0


def test_a_signature_over_the_exact_bytes_is_accepted_uppercase_hex_too(client) -> None:
    # odd spacing and a newline: the signature is over these bytes, not a re-serialisation
    body = (
        b'{"event_id":"e1","type":"offered","call_id":"c1",\n'
        b' "occurred_at":"2023-03-06T09:14:03+01:00",   "queue":"front"}'
    )
    signature = "sha256=" + sign(body).removeprefix("sha256=").upper()

    response = _raw_post(client, body, HTTP_X_KGLIJN_SIGNATURE=signature)

    assert response.status_code == 201, response.content
    assert response.json()["accepted"] == 1


def test_only_post(client) -> None:
    assert client.get(URL).status_code == 405


# --- a call becomes a contact -------------------------------------------------------------


def test_an_answered_call_becomes_one_anonymous_phone_contact(client, agent07) -> None:
    events = [
        event("e1", "offered", "call-123", T0, queue="front"),
        event("e2", "queued", "call-123", T0, queue="front"),
        event("e3", "answered", "call-123", seconds(14), agent="agent07", queue="front"),
        event("e4", "ended", "call-123", seconds(314), hold_seconds=25),
    ]

    for item in events:
        assert post(client, item).status_code == 201

    call = Call.objects.get()
    contact = Contact.objects.get()
    assert call.contact == contact
    assert (contact.channel, contact.direction, contact.office) == ("phone", "in", "front")
    assert contact.external_id == "call-123"
    assert contact.received_at == T0
    assert contact.answered_at == seconds(14)
    assert contact.handler == agent07
    assert contact.status == "open"  # the agent still completes the wrap-up
    assert contact.anonymous is True
    assert not contact.has_personal_data
    assert (call.queue_wait_seconds, call.talk_seconds, call.hold_seconds) == (14.0, 275.0, 25)
    assert call.state == "ended"
    assert rollups_check() == []


def test_the_contact_exists_from_the_answer_not_while_the_caller_waits(client, agent07) -> None:
    post(client, event("e1", "offered", "c1", T0, queue="front"))
    assert (Call.objects.get().state, Contact.objects.count()) == ("waiting", 0)

    post(client, event("e2", "answered", "c1", seconds(3), agent="agent07"))

    assert Call.objects.get().state == "connected"
    assert Contact.objects.get().handler == agent07


def test_architecture_md_minimal_body_names_are_accepted(client, agent07) -> None:
    # {"id", "at", "caller"} as in ../shared/docs/architecture.md
    offered = {
        "id": "evt-1",
        "type": "offered",
        "call_id": "call-9",
        "at": at(T0),
        "queue": "front",
    }
    answered = {
        "id": "evt-7f3a",
        "type": "answered",
        "call_id": "call-9",
        "at": "2023-03-06T09:14:13+01:00",
        "queue": "front",
        "agent": "agent07",
        "caller": "+3231234567",
    }

    response = post(client, [offered, answered])

    assert response.status_code == 201, response.content
    assert set(CallEvent.objects.values_list("event_id", flat=True)) == {"evt-1", "evt-7f3a"}
    # the caller's number is not needed for an answered call: not stored anywhere
    assert not CallEvent.objects.exclude(caller_number="").exists()
    assert Contact.objects.get().answered_at == seconds(10)


def test_a_callback_request_keeps_the_number_on_the_call_only(client) -> None:
    post(client, event("e1", "offered", "c1", T0, queue="front"))
    post(
        client,
        event("e2", "callback_requested", "c1", seconds(40), caller_number="+32 3 123 45 67"),
    )

    call = Call.objects.get()
    contact = Contact.objects.get()
    assert (call.callback_requested, call.callback_number) == (True, "+32 3 123 45 67")
    assert contact.anonymous
    assert contact.caller_phone == ""
    assert (contact.status, contact.handler_id, contact.office) == ("open", None, "front")


def test_an_abandoned_call_is_a_closed_contact_without_handler(client) -> None:
    post(
        client,
        [
            event("e1", "offered", "c1", T0, queue="front"),
            event("e2", "abandoned", "c1", seconds(50)),
        ],
    )

    contact = Contact.objects.get()
    assert (contact.status, contact.handler_id, contact.answered_at) == ("closed", None, None)
    assert contact.closed_at == seconds(50)
    assert Call.objects.get().abandoned_at == seconds(50)


def test_a_transfer_is_an_escalation_to_the_back_office(client, agent07, make_user) -> None:
    nurse = make_user("pgjo_nurse", "nurse01")
    post(client, event("e1", "offered", "c1", T0, queue="front"))
    post(client, event("e2", "answered", "c1", seconds(5), agent="agent07"))
    contact = Contact.objects.get()
    assert (contact.office, contact.handler) == ("front", agent07)

    post(client, event("e3", "transferred", "c1", seconds(120), queue="pgjo", agent="agent07"))

    contact.refresh_from_db()
    assert (contact.office, contact.status, contact.handler) == ("pgjo", "escalated", None)
    escalation = Escalation.objects.get()
    assert (escalation.from_office, escalation.to_office) == ("front", "pgjo")
    assert escalation.escalated_by == agent07
    assert escalation.escalated_at == seconds(120)
    assert rollups_check() == []

    post(client, event("e4", "answered", "c1", seconds(150), agent="nurse01", queue="pgjo"))

    contact.refresh_from_db()
    assert (contact.office, contact.status, contact.handler) == ("pgjo", "open", nurse)
    assert contact.answered_at == seconds(5)  # the caller first reached someone then
    assert Escalation.objects.count() == 1
    assert list(CallLeg.objects.values_list("office", "outcome", "wait_seconds")) == [
        ("front", "answered", 5.0),
        ("pgjo", "answered", 30.0),
    ]
    actions = list(
        AuditEvent.objects.filter(object_type="contact", object_id=contact.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "change", "escalate", "change"]
    assert rollups_check() == []


def test_an_outbound_call_is_an_outgoing_contact_of_the_agents_office(client, make_user) -> None:
    nurse = make_user("pgjo_nurse", "nurse01")
    post(
        client,
        [
            event("o1", "outbound_started", "out-1", T0, agent="nurse01"),
            event("o2", "outbound_ended", "out-1", seconds(200), hold_seconds=0),
        ],
    )

    contact = Contact.objects.get()
    assert (contact.direction, contact.office, contact.handler) == ("out", "pgjo", nurse)
    assert contact.received_at == contact.answered_at == T0
    assert Call.objects.get().talk_seconds == 200.0
    assert rollups_check() == []


def test_the_desk_keeps_what_it_changed_when_later_events_arrive(client, agent07) -> None:
    post(client, event("e1", "offered", "c1", T0, queue="front"))
    post(client, event("e2", "answered", "c1", seconds(5), agent="agent07"))
    contact = Contact.objects.get()
    # the agent wraps up and closes the contact while still on the line
    Contact.objects.filter(pk=contact.pk).update(status="closed", topic="childcare")

    post(client, event("e3", "ended", "c1", seconds(200)))

    contact.refresh_from_db()
    assert (contact.status, contact.topic, contact.handler) == ("closed", "childcare", agent07)


def test_a_call_id_already_used_by_an_imported_contact_is_linked_to_it(client, agent07) -> None:
    from tests.contacts.factories import ContactFactory

    imported = ContactFactory.create(external_id="call-77", channel="phone", received_at=T0)
    from kglijn.contacts.rollups.services import rollups_rebuild

    rollups_rebuild()
    post(client, event("e1", "offered", "call-77", T0, queue="front"))
    post(client, event("e2", "answered", "call-77", seconds(9), agent="agent07"))

    assert Contact.objects.count() == 1
    assert Call.objects.get().contact == imported
    imported.refresh_from_db()
    assert (imported.answered_at, imported.handler) == (seconds(9), agent07)
    assert rollups_check() == []


# --- idempotency and order ------------------------------------------------------------------


def test_a_redelivered_event_changes_nothing(client, agent07) -> None:
    post(client, event("e1", "offered", "c1", T0, queue="front"))
    answered = event("e2", "answered", "c1", seconds(5), agent="agent07")
    first = post(client, answered)
    before = snapshot()

    again = post(client, answered)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {
        "accepted": 0,
        "duplicates": 1,
        "results": [{"index": 0, "event_id": "e2", "status": "duplicate", "call": "known"}],
    }
    assert snapshot() == before


def test_the_same_event_twice_in_one_batch_is_stored_once(client) -> None:
    offered = event("e1", "offered", "c1", T0, queue="front")

    response = post(client, [offered, offered])

    assert response.status_code == 201
    assert (response.json()["accepted"], response.json()["duplicates"]) == (1, 1)
    assert CallEvent.objects.count() == 1


def test_a_redelivery_with_other_content_is_still_a_duplicate(client) -> None:
    post(client, event("e1", "offered", "c1", T0, queue="front"))

    response = post(client, event("e1", "offered", "c1", seconds(60), queue="pgjo"))

    assert response.json()["duplicates"] == 1
    assert CallEvent.objects.get().queue == "front"  # the first delivery wins


def test_an_event_for_an_unknown_call_is_kept_as_pending_and_applies_later(client, agent07) -> None:
    answered = event("e2", "answered", "c1", seconds(8), agent="agent07")

    early = post(client, answered)

    assert early.status_code == 409
    body = early.json()
    assert body["accepted"] == 1
    assert body["results"][0]["call"] == "pending"
    assert body["errors"][0]["field"] == "call_id"
    assert "c1" in body["errors"][0]["message"]
    assert (CallEvent.objects.count(), Contact.objects.count()) == (1, 0)
    assert Call.objects.get().state == "pending"

    # redelivering it while the call is still unknown: duplicate, still pending
    assert post(client, answered).status_code == 409
    assert CallEvent.objects.count() == 1

    started = post(client, event("e1", "offered", "c1", T0, queue="front"))

    assert started.status_code == 201
    contact = Contact.objects.get()
    assert (contact.received_at, contact.answered_at, contact.handler) == (T0, seconds(8), agent07)
    # and now a redelivery of the early event is an ordinary duplicate
    assert post(client, answered).status_code == 200


def test_a_batch_with_the_start_after_its_events_is_not_pending(client, agent07) -> None:
    response = post(
        client,
        [
            event("e2", "answered", "c1", seconds(8), agent="agent07"),
            event("e1", "offered", "c1", T0, queue="front"),
        ],
    )

    assert response.status_code == 201
    assert Contact.objects.get().answered_at == seconds(8)


# --- malformed bodies: 400 naming the field, nothing stored ---------------------------------


GOOD = {
    "event_id": "e1",
    "type": "offered",
    "call_id": "c1",
    "occurred_at": at(T0),
    "queue": "front",
}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"event_id": None}, "event_id", "required"),
        ({"event_id": 12}, "event_id", "string"),
        ({"event_id": "x" * 101}, "event_id", "100"),
        ({"type": "ringing"}, "type", "Unknown type"),
        ({"type": None}, "type", "required"),
        ({"call_id": ""}, "call_id", "required"),
        ({"occurred_at": "yesterday"}, "occurred_at", "ISO 8601"),
        ({"occurred_at": "2023-03-06T09:14:03"}, "occurred_at", "UTC offset"),
        ({"occurred_at": 1678090443}, "occurred_at", "ISO 8601"),
        ({"queue": None}, "queue", "required"),
        ({"queue": "backoffice"}, "queue", "Unknown queue"),
        ({"type": "answered", "queue": None}, "agent", "required"),
        ({"type": "ended", "queue": None, "hold_seconds": -1}, "hold_seconds", "Between"),
        ({"type": "ended", "queue": None, "hold_seconds": "30"}, "hold_seconds", "whole number"),
        ({"hold_seconds": 30}, "hold_seconds", "ended"),
        ({"caller_number": "call me"}, "caller_number", "phone"),
    ],
)
def test_a_malformed_event_is_400_naming_the_field(client, change, field, message) -> None:
    item = {key: value for key, value in {**GOOD, **change}.items() if value is not None}

    response = post(client, item)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(error["index"], error["field"]) for error in errors] == [(0, field)]
    assert message in errors[0]["message"]
    assert (CallEvent.objects.count(), Call.objects.count()) == (0, 0)


def test_an_alias_and_its_name_disagreeing_is_400(client) -> None:
    response = post(client, {**GOOD, "id": "other"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "event_id"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b'"offered"', "one event object or an array"),
        (b"[]", "no events"),
        (b"[1]", "JSON object"),
    ],
)
def test_a_malformed_body_is_400(client, raw, message) -> None:
    response = post(client, None, raw=raw)

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] in {"body", "event"}
    assert message in error["message"]
    assert CallEvent.objects.count() == 0


def test_a_batch_with_one_bad_event_stores_none_of_them(client) -> None:
    batch = [
        {**GOOD, "event_id": "e1"},
        {**GOOD, "event_id": "e2", "call_id": "c2"},
        {**GOOD, "event_id": "e3", "queue": "nowhere"},
    ]

    response = post(client, batch)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 2, "field": "queue", "message": response.json()["errors"][0]["message"]}
    ]
    assert (CallEvent.objects.count(), Call.objects.count()) == (0, 0)


def test_a_batch_of_more_than_500_events_is_refused(client) -> None:
    batch = [{**GOOD, "event_id": f"e{n}"} for n in range(501)]

    response = post(client, batch)

    assert response.status_code == 400
    assert "500" in response.json()["errors"][0]["message"]
    assert CallEvent.objects.count() == 0


def test_a_batch_of_500_events_is_accepted(client) -> None:
    batch = [{**GOOD, "event_id": f"e{n}", "call_id": f"c{n}"} for n in range(500)]

    response = post(client, batch)

    assert response.status_code == 201
    assert response.json()["accepted"] == 500
    assert Call.objects.filter(state="waiting").count() == 500


def test_an_unknown_agent_is_stored_and_applied_with_its_raw_id(client, agent07) -> None:
    # The platform cannot fix an agent id kglijn does not know: refusing it (422, before
    # issue 15) dropped the answer and the call counted as not answered.
    batch = [
        event("e1", "offered", "c1", T0, queue="front"),
        event("e2", "answered", "c1", seconds(4), agent="agent99"),
        event("e3", "ended", "c1", seconds(60)),
    ]

    response = post(client, batch)

    assert response.status_code == 201
    assert response.json()["accepted"] == 3
    answered = CallEvent.objects.get(event_id="e2")
    assert (answered.agent_id, answered.agent_ref) == (None, "agent99")
    call = Call.objects.get(call_id="c1")
    assert call.answered_at == seconds(4)
    assert call.agent_id is None
    leg = CallLeg.objects.get(call=call)
    assert (leg.outcome, leg.agent_id) == ("answered", None)
    contact = Contact.objects.get(external_id="c1")
    assert (contact.status, contact.handler_id, contact.answered_at) == ("open", None, seconds(4))


def test_a_known_agent_keeps_its_raw_id_too(client, agent07) -> None:
    post(client, [event("e1", "offered", "c1", T0, queue="front")])

    post(client, event("e2", "answered", "c1", seconds(4), agent="agent07"))

    answered = CallEvent.objects.get(event_id="e2")
    assert (answered.agent_id, answered.agent_ref) == (agent07.pk, "agent07")


def test_an_inactive_user_is_not_an_agent(client, agent07) -> None:
    User.objects.filter(pk=agent07.pk).update(is_active=False)
    post(client, event("e1", "offered", "c1", T0, queue="front"))

    response = post(client, event("e2", "answered", "c1", seconds(4), agent="agent07"))

    assert response.status_code == 201
    assert CallEvent.objects.get(event_id="e2").agent_id is None
