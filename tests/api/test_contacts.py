"""/api/v1/contacts/: the desk's permissions, privacy and services behind a token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kglijn.contacts.models import Contact, Customer
from kglijn.contacts.services import contact_escalate, contact_register, contact_update
from kglijn.core.models import AuditEvent
from tests.contacts.factories import BRUSSELS, ContactFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/"
HEALTH_NOTE = "Baby weent veel, gewicht opvolgen."


def views_of(contact: Contact) -> list[tuple[str, dict]]:
    return [
        (event.actor.username if event.actor else "", event.detail)
        for event in AuditEvent.objects.filter(
            object_type="contact", object_id=contact.pk, action="view"
        ).order_by("id")
    ]


@pytest.fixture
def pgjo_note_in_childcare(nurse, team_lead):
    """A PGJO contact with a health note, with a parent's name, escalated to childcare."""
    contact = contact_register(
        by=nurse,
        channel="phone",
        health_note=HEALTH_NOTE,
        anonymous=False,
        caller_name="Jan Peeters",
    )
    contact_escalate(contact=contact, to_office="childcare", reason="Opvangvraag", by=team_lead)
    return contact


def test_a_childcare_handler_s_token_reads_no_pgjo_health_note(
    api_for, childcare_handler, pgjo_note_in_childcare
) -> None:
    response = api_for(childcare_handler).get(f"{URL}{pgjo_note_in_childcare.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["health_note"] is None
    assert HEALTH_NOTE not in response.content.decode()
    assert body["caller_name"] == "Jan Peeters"
    # the read of personal data is audit-logged like a view on the desk, marked as the API's
    assert views_of(pgjo_note_in_childcare) == [("handler", {"health_note": False, "via": "api"})]


def test_a_nurse_s_token_reads_the_health_note_and_it_is_audited(
    api_for, nurse, pgjo_note_in_childcare
) -> None:
    contact = contact_register(by=nurse, channel="phone", health_note=HEALTH_NOTE)

    response = api_for(nurse).get(f"{URL}{contact.pk}/")

    assert response.json()["health_note"] == HEALTH_NOTE
    assert views_of(contact) == [("nurse", {"health_note": True, "via": "api"})]


def test_a_contact_of_another_office_does_not_exist_for_the_token(api_for, nurse) -> None:
    front = ContactFactory.create(office="front")

    client = api_for(nurse)

    assert client.get(f"{URL}{front.pk}/").status_code == 404
    assert client.get(URL, {"external_id": front.external_id or "x"}).json()["results"] == []


def test_an_analyst_s_token_may_not_read_contacts(api_for) -> None:
    response = api_for("analyst").get(URL)

    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] is None


def test_the_list_carries_no_personal_data_and_writes_no_audit(api_for, agent) -> None:
    contact = contact_register(by=agent, channel="phone", anonymous=False, caller_name="Els Jans")

    response = api_for(agent).get(URL)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == contact.pk
    assert row["reference"] == contact.reference
    assert "Els" not in response.content.decode()
    assert "caller_name" not in row
    assert "health_note" not in row
    assert views_of(contact) == []


def test_filters(api_for, team_lead) -> None:
    day = dt.datetime(2023, 3, 6, 23, 30, tzinfo=BRUSSELS)  # 22:30 UTC: still the 6th here
    a = ContactFactory.create(
        external_id="call-a", channel="phone", office="front", received_at=day
    )
    b = ContactFactory.create(
        external_id="mail-b",
        channel="email",
        office="pgjo",
        received_at=day + dt.timedelta(hours=1),
    )
    c = ContactFactory.create(channel="chat", office="pgjo", status="closed", received_at=day)
    client = api_for(team_lead)

    def ids(**params) -> list[int]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(external_id="call-a") == [a.pk]
    assert ids(channel="email") == [b.pk]
    assert ids(office="pgjo") == [b.pk, c.pk]
    assert ids(status="closed") == [c.pk]
    assert ids(received_from="2023-03-07") == [b.pk]
    assert ids(received_to="2023-03-06") == [a.pk, c.pk]
    assert ids(received_from="2023-03-06", received_to="2023-03-06") == [a.pk, c.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"received_from": "2023-13-01"}, "received_from"),
        ({"received_to": "1999-12-31"}, "received_to"),
        ({"received_from": "2023-03-07", "received_to": "2023-03-06"}, "received_to"),
        ({"updated_since": "gisteren"}, "updated_since"),
        ({"updated_since": "2023-03-06T10:00:00"}, "updated_since"),  # no offset
        ({"channel": "fax"}, "channel"),
        ({"office": "x"}, "office"),
        ({"status": "lost"}, "status"),
        ({"cursor": "bm9wZQ"}, "cursor"),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(api_for, agent, params, field) -> None:
    response = api_for(agent).get(URL, params)

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_a_forged_cursor_position_is_400_not_a_crash(api_for, agent) -> None:
    import base64

    cursor = base64.b64encode(b"p=abc").decode()
    response = api_for(agent).get(URL, {"cursor": cursor})

    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "cursor")


def test_cursor_pagination_walks_every_contact_once_in_id_order(api_for, team_lead) -> None:
    made = [ContactFactory.create().pk for _ in range(7)]
    client = api_for(team_lead)

    seen: list[int] = []
    page = client.get(URL, {"page_size": 3}).json()
    while True:
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.client.get(page["next"], **client.headers).json()

    assert seen == sorted(made)


def test_updated_since_follows_changes_of_codes_and_survey_answers(api_for, agent) -> None:
    from kglijn.surveys.services import survey_response_record
    from tests.contacts.factories import ReasonFactory

    contact = contact_register(by=agent, channel="phone")
    other = contact_register(by=agent, channel="phone")
    past = timezone.now() - dt.timedelta(hours=1)
    Contact.objects.filter(pk__in=[contact.pk, other.pk]).update(updated_at=past)
    since = (past + dt.timedelta(minutes=1)).isoformat()
    client = api_for(agent)
    assert client.get(URL, {"updated_since": since}).json()["results"] == []

    reason = ReasonFactory.create()
    contact_update(contact=contact, by=agent, reason_codes=[reason.code])

    assert [row["id"] for row in client.get(URL, {"updated_since": since}).json()["results"]] == [
        contact.pk
    ]
    survey_response_record(
        contact=other,
        source="ivr",
        answers={"waiting_time": 3},
        complete=False,
        answered_at=timezone.now(),
    )
    rows = client.get(URL, {"updated_since": since}).json()["results"]
    assert [row["id"] for row in rows] == [contact.pk, other.pk]
    assert rows[0]["reasons"] == [reason.code]


def test_post_registers_through_the_desk_service_and_is_idempotent(api_for, agent) -> None:
    client = api_for(agent)
    body = {
        "external_id": "opgroeipunt-42",
        "channel": "email",
        "origin": "webform",
        "received_at": "2023-03-06T10:00:00+01:00",
        "postcode": "9000",
        "reasons": ["vaccination"],
        "anonymous": False,
        "customer_kind": "parent",
        "caller_name": "An Smet",
        "caller_email": "an@example.org",
    }

    first = client.post(URL, body)
    again = client.post(URL, body)

    assert first.status_code == 201, first.json()
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    contact = Contact.objects.get(external_id="opgroeipunt-42")
    assert (contact.province, contact.office, contact.handler) == ("BE-VOV", "front", agent)
    assert contact.customer == Customer.objects.get(email="an@example.org")
    assert first.json()["reasons"] == ["vaccination"]
    assert first.json()["caller_name"] == "An Smet"
    creations = AuditEvent.objects.filter(
        object_type="contact", object_id=contact.pk, action="create"
    )
    assert creations.count() == 1
    assert views_of(contact) == [("agent", {"health_note": False, "via": "api"})]  # the 200


def test_post_again_with_a_conflicting_body_is_409(api_for, agent) -> None:
    client = api_for(agent)
    assert client.post(URL, {"external_id": "x-1", "channel": "phone"}).status_code == 201

    response = client.post(URL, {"external_id": "x-1", "channel": "chat"})

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "external_id"
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "phone", "anonymous": True, "caller_name": "Jan"}, "caller_name"),
        ({"channel": "phone", "reasons": ["no-such-code"]}, "reasons"),
        ({"channel": "phone", "postcode": "12"}, "postcode"),
        ({"channel": "phone", "origin": "webform"}, "origin"),
        ({"channel": "phone", "received_at": "1999-01-01T00:00:00Z"}, "received_at"),
        ({"channel": "phone", "health_note": "x"}, "health_note"),  # an agent writes none
        ({}, "channel"),
    ],
)
def test_post_validation_errors_name_the_field_and_store_nothing(
    api_for, agent, body, field
) -> None:
    response = api_for(agent).post(URL, body)

    assert response.status_code == 400, response.json()
    assert field in [error["field"] for error in response.json()["errors"]]
    assert (Contact.objects.count(), Customer.objects.count()) == (0, 0)


def test_patch_changes_desk_fields_through_the_service(api_for, agent) -> None:
    contact = contact_register(by=agent, channel="phone")
    client = api_for(agent)

    response = client.patch(
        f"{URL}{contact.pk}/",
        {"postcode": "2000", "topic": "childcare", "referrals": ["groeipakket"]},
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["province"], response.json()["referrals"]) == (
        "BE-VAN",
        ["groeipakket"],
    )
    audit = AuditEvent.objects.get(object_type="contact", object_id=contact.pk, action="change")
    assert audit.detail == {"fields": ["province", "topic", "referrals"]}
    bad = client.patch(f"{URL}{contact.pk}/", {"anonymous": True, "caller_name": "Jan"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "caller_name")


def test_actions_escalate_close_reopen(api_for, agent, team_lead) -> None:
    contact = contact_register(by=agent, channel="phone")
    client = api_for(agent)

    escalated = client.post(f"{URL}{contact.pk}/escalate/", {"to_office": "pgjo", "reason": "Zorg"})
    lead = api_for(team_lead)
    closed = lead.post(f"{URL}{contact.pk}/close/")
    closed_again = lead.post(f"{URL}{contact.pk}/close/")
    reopened = lead.post(f"{URL}{contact.pk}/reopen/")

    assert (escalated.status_code, escalated.json()["status"]) == (200, "escalated")
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert closed_again.status_code == 400
    assert (reopened.status_code, reopened.json()["status"]) == (200, "open")
    # the agent registered it and still sees it, but it is with PGJO now: not hers to close
    assert client.post(f"{URL}{contact.pk}/close/").status_code == 403


def test_an_id_that_is_no_number_or_too_large_is_a_json_404(api_for, agent) -> None:
    client = api_for(agent)

    for path in (f"{URL}abc/", f"{URL}{2**70}/", "/api/v1/nothing/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"


def test_catalogues_list_their_codes(api_for, agent) -> None:
    client = api_for(agent)

    reasons = client.get("/api/v1/reasons/").json()
    referrals = client.get("/api/v1/referrals/").json()

    assert "vaccination" in [row["code"] for row in reasons]
    assert "groeipakket" in [row["code"] for row in referrals]
    assert set(reasons[0]) == {"code", "name", "topic", "active"}
