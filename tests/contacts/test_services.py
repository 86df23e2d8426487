"""Writes to the contact register: validation first, nothing written on error, all audited."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kglijn.contacts.models import Contact, Customer, Escalation, Reason, ReferralOrganisation
from kglijn.contacts.services import (
    contact_close,
    contact_escalate,
    contact_register,
    contact_reopen,
    contact_take,
    contact_update,
    customer_find_or_create,
    reason_save,
    referral_save,
)
from kglijn.core.models import AuditEvent
from tests.contacts.factories import CustomerFactory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
FRIDAY_EVENING = dt.datetime(2023, 3, 3, 18, 30, tzinfo=BRUSSELS)
MONDAY_0900 = dt.datetime(2023, 3, 6, 9, 0, tzinfo=BRUSSELS)
ANONYMOUS_MSG = (
    "An anonymous contact cannot hold personal data: leave this field empty or untick “anonymous”."
)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    # Messages are asserted by their English msgid, whatever the Dutch catalogue says later.
    with translation.override("en"):
        yield


def db_state() -> dict[str, int]:
    """Row counts of everything a contact service may write."""
    return {
        "contacts": Contact.objects.count(),
        "contact_reasons": Contact.reasons.through.objects.count(),
        "contact_referrals": Contact.referrals.through.objects.count(),
        "audit": AuditEvent.objects.count(),
        "escalations": Escalation.objects.count(),
        "customers": Customer.objects.count(),
        "reasons": Reason.objects.count(),
        "referrals": ReferralOrganisation.objects.count(),
    }


def row(contact: Contact) -> dict[str, Any]:
    """The stored row of a contact, to prove it did not change."""
    return dict(Contact.objects.filter(pk=contact.pk).values().get())


def audit_of(contact: Contact) -> list[tuple[str, str | None, dict[str, Any]]]:
    return [
        (event.action, event.actor.username if event.actor else None, event.detail)
        for event in AuditEvent.objects.filter(object_type="contact", object_id=contact.pk)
        .select_related("actor")
        .order_by("id")
    ]


def register(by: User | None, **kwargs: Any) -> Contact:
    values: dict[str, Any] = {"channel": "phone"}
    values.update(kwargs)
    return contact_register(by=by, **values)


# === contact_register ======================================================================


def test_register_anonymous_phone_contact(agent: User) -> None:
    # given a front-office agent and an empty register
    before = timezone.now()
    # when registering an anonymous call with a postcode, topic, two reasons and a referral
    contact = contact_register(
        by=agent,
        channel="phone",
        postcode="2000",
        topic="family_support",
        reason_codes=["vaccination", "advice"],
        referral_codes=["gezinsbond"],
        notes="  Vraag over vaccinatieschema  ",
    )
    # then the contact is stored with the province, not the postcode
    contact.refresh_from_db()
    assert contact.province == "BE-VAN"
    assert contact.channel == "phone"
    assert contact.direction == "in"
    assert contact.origin == ""
    assert contact.office == "front"
    assert contact.status == "open"
    assert contact.handler == agent
    assert contact.created_by == agent
    assert contact.topic == "family_support"
    assert contact.notes == "Vraag over vaccinatieschema"
    assert contact.anonymous is True
    assert contact.customer is None
    assert (contact.caller_name, contact.caller_phone, contact.caller_email) == ("", "", "")
    assert contact.health_note == ""
    assert contact.external_id is None
    assert before <= contact.received_at <= timezone.now()
    assert (contact.answered_at, contact.closed_at) == (None, None)
    assert sorted(contact.reasons.values_list("code", flat=True)) == ["advice", "vaccination"]
    assert list(contact.referrals.values_list("code", flat=True)) == ["gezinsbond"]
    # the postcode is stored nowhere on the contact
    assert "postcode" not in {field.name for field in Contact._meta.get_fields()}
    assert "2000" not in json.dumps(row(contact), default=str)
    # and exactly one audit event says who created it
    assert audit_of(contact) == [
        ("create", "agent", {"channel": "phone", "office": "front", "anonymous": True})
    ]
    assert AuditEvent.objects.count() == 1


def test_register_defaults_office_to_the_registrars_home_office(
    nurse: User, childcare_handler: User, team_lead: User
) -> None:
    assert register(nurse).office == "pgjo"
    assert register(childcare_handler).office == "childcare"
    assert register(team_lead).office == "front"
    assert register(None).office == "front"
    assert register(team_lead, office="childcare").office == "childcare"


def test_register_identified_contact(agent: User) -> None:
    customer = CustomerFactory.create(name="An Peeters")
    contact = register(
        agent,
        anonymous=False,
        customer=customer,
        caller_name=" An Peeters ",
        caller_phone="0470 12 34 56",
        caller_email="an@example.be",
    )
    contact.refresh_from_db()
    assert contact.anonymous is False
    assert contact.customer == customer
    assert (contact.caller_name, contact.caller_phone, contact.caller_email) == (
        "An Peeters",
        "0470 12 34 56",
        "an@example.be",
    )
    assert contact.has_personal_data is True
    assert audit_of(contact) == [
        ("create", "agent", {"channel": "phone", "office": "front", "anonymous": False})
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer", None),  # filled with a real customer in the test
        ("caller_name", "Jan Peeters"),
        ("caller_phone", "0470123456"),
        ("caller_email", "jan@example.be"),
    ],
)
def test_register_refuses_each_personal_field_on_an_anonymous_contact(
    agent: User, field: str, value: str | None
) -> None:
    # given an empty register (apart from one customer)
    personal: Any = CustomerFactory.create() if field == "customer" else value
    before = db_state()
    # when an anonymous contact is registered with one personal field
    with pytest.raises(ValidationError) as excinfo:
        register(
            agent,
            anonymous=True,
            reason_codes=["vaccination", "advice"],
            referral_codes=["gezinsbond"],
            **{field: personal},
        )
    # then the error names exactly that field with a clear message
    assert excinfo.value.message_dict == {field: [ANONYMOUS_MSG]}
    # and nothing was written: no contact, no reason/referral links, no audit event
    assert db_state() == before


def test_register_names_every_personal_field_at_once(agent: User) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(
            agent,
            customer=CustomerFactory.create(),
            caller_name="Jan",
            caller_phone="0470",
            caller_email="jan@example.be",
        )
    assert excinfo.value.message_dict == {
        "customer": [ANONYMOUS_MSG],
        "caller_name": [ANONYMOUS_MSG],
        "caller_phone": [ANONYMOUS_MSG],
        "caller_email": [ANONYMOUS_MSG],
    }
    assert db_state() == {**before, "customers": before["customers"] + 1}


def test_register_treats_whitespace_only_personal_fields_as_empty(agent: User) -> None:
    contact = register(agent, caller_name="   ", caller_phone=" ", caller_email="  ")
    assert contact.anonymous is True
    assert (contact.caller_name, contact.caller_phone, contact.caller_email) == ("", "", "")


def test_register_validates_the_caller_email_of_an_identified_contact(agent: User) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(agent, anonymous=False, caller_email="not-an-address")
    assert excinfo.value.message_dict == {"caller_email": ["Enter a valid e-mail address."]}
    assert db_state() == before


def test_register_conflicting_postcode_and_province(agent: User) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(agent, postcode="2000", province="BE-VOV")
    assert excinfo.value.message_dict == {
        "province": ["Postcode 2000 lies in Antwerp, not in the chosen province."]
    }
    assert db_state() == before


def test_register_matching_postcode_and_province(agent: User) -> None:
    assert register(agent, postcode=" 9000 ", province="BE-VOV").province == "BE-VOV"


def test_register_province_without_postcode(agent: User) -> None:
    assert register(agent, province="BE-WLX").province == "BE-WLX"
    assert register(agent).province == ""


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("20000", "A Belgian postcode has 4 digits."),
        ("abcd", "A Belgian postcode has 4 digits."),
        ("0999", "Not a valid Belgian postcode (1000 to 9999)."),
    ],
)
def test_register_invalid_postcode(agent: User, postcode: str, message: str) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(agent, postcode=postcode)
    assert excinfo.value.message_dict == {"postcode": [message]}
    assert db_state() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "fax"),
        ("direction", "sideways"),
        ("topic", "sports"),
        ("province", "BE-XXX"),
        ("office", "helpdesk"),
    ],
)
def test_register_unknown_choice(agent: User, field: str, value: str) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(agent, **{field: value})
    assert excinfo.value.message_dict == {field: [f"Unknown value “{value}”."]}
    assert db_state() == before


def test_register_names_unknown_reason_and_referral_codes(agent: User) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(
            agent,
            reason_codes=["vaccination", "nope", "zzz"],
            referral_codes=["gezinsbond", "acme"],
        )
    assert excinfo.value.message_dict == {
        "reasons": ["Unknown code(s): nope, zzz."],
        "referrals": ["Unknown code(s): acme."],
    }
    assert db_state() == before


def test_register_names_inactive_reason_and_referral_codes(agent: User) -> None:
    reason_save(code="advice", name="Adviesvraag", topic="family_support", active=False)
    referral_save(code="one", name="ONE", active=False)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(agent, reason_codes=["vaccination", "advice"], referral_codes=["one"])
    assert excinfo.value.message_dict == {
        "reasons": ["No longer in use: advice."],
        "referrals": ["No longer in use: one."],
    }
    assert db_state() == before


def test_register_ignores_blank_and_duplicate_codes(agent: User) -> None:
    contact = register(agent, reason_codes=[" advice ", "", "advice"], referral_codes=[" "])
    assert list(contact.reasons.values_list("code", flat=True)) == ["advice"]
    assert contact.referrals.count() == 0


def test_register_origin_only_for_email(agent: User) -> None:
    before = db_state()
    for channel in ("phone", "chat"):
        with pytest.raises(ValidationError) as excinfo:
            register(agent, channel=channel, origin="mailbox")
        assert excinfo.value.message_dict == {
            "origin": ["Only an e-mail has an origin (mailbox or web form)."]
        }
    assert db_state() == before
    assert register(agent, channel="email", origin="webform").origin == "webform"
    assert register(agent, channel="email").origin == ""


def test_register_health_note_only_by_a_nurse(
    agent: User, childcare_handler: User, team_lead: User, nurse: User
) -> None:
    before = db_state()
    for user in (agent, childcare_handler, team_lead, None):
        with pytest.raises(ValidationError) as excinfo:
            register(user, health_note="Koorts sinds gisteren")
        assert excinfo.value.message_dict == {
            "health_note": ["Only a PGJO nurse can write a health note."]
        }
    assert db_state() == before
    contact = register(nurse, health_note="  Koorts sinds gisteren ")
    contact.refresh_from_db()
    assert contact.health_note == "Koorts sinds gisteren"
    assert contact.office == "pgjo"


def test_register_duplicate_external_id(agent: User) -> None:
    register(agent, external_id="call-2023-0001")
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(agent, external_id="call-2023-0001")
    assert excinfo.value.message_dict == {
        "external_id": ["A contact with this external id already exists."]
    }
    assert db_state() == before


def test_register_blank_external_id_means_none(agent: User) -> None:
    first = register(agent, external_id="")
    second = register(agent, external_id="  ")
    assert (first.external_id, second.external_id) == (None, None)


def test_register_received_at(agent: User) -> None:
    moment = dt.datetime(2021, 5, 4, 9, 15, tzinfo=BRUSSELS)
    contact = register(agent, received_at=moment)
    contact.refresh_from_db()
    assert contact.received_at == moment


def test_register_refuses_a_naive_received_at(agent: User) -> None:
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(agent, received_at=dt.datetime(2021, 5, 4, 9, 15))
    assert excinfo.value.message_dict == {"received_at": ["The time of receipt needs a time zone."]}
    assert db_state() == before


def test_register_outgoing_chat(agent: User) -> None:
    contact = register(agent, channel="chat", direction="out")
    assert (contact.channel, contact.direction) == ("chat", "out")


# === contact_update ========================================================================


def test_update_audits_field_names_not_values(agent: User) -> None:
    # given a registered anonymous contact
    contact = register(agent, topic="childcare", reason_codes=["childcare-fees"])
    # when the agent identifies the caller and changes notes and reasons
    contact_update(
        contact=contact,
        by=agent,
        anonymous=False,
        caller_name="Jan Peeters",
        caller_phone="0470123456",
        notes="Belt terug",
        reason_codes=["childcare-fees", "childcare-addresses"],
    )
    # then the fields are stored
    contact.refresh_from_db()
    assert (contact.anonymous, contact.caller_name, contact.caller_phone, contact.notes) == (
        False,
        "Jan Peeters",
        "0470123456",
        "Belt terug",
    )
    assert sorted(contact.reasons.values_list("code", flat=True)) == [
        "childcare-addresses",
        "childcare-fees",
    ]
    # and the audit names the fields only, never the values
    trail = audit_of(contact)
    assert trail[-1] == (
        "change",
        "agent",
        {"fields": ["anonymous", "caller_name", "caller_phone", "notes", "reasons"]},
    )
    serialised = json.dumps([detail for _a, _b, detail in trail])
    for value in ("Jan", "Peeters", "0470123456", "Belt terug"):
        assert value not in serialised
    assert len(trail) == 2


def test_update_without_change_writes_no_audit(agent: User) -> None:
    contact = register(agent, topic="childcare", reason_codes=["childcare-fees"])
    stored = row(contact)
    contact_update(contact=contact, by=agent, topic="childcare", reason_codes=["childcare-fees"])
    assert row(contact) == stored
    assert [action for action, _by, _d in audit_of(contact)] == ["create"]


def test_update_refuses_personal_data_on_an_anonymous_contact(agent: User) -> None:
    contact = register(agent)
    stored, before = row(contact), db_state()
    with pytest.raises(ValidationError) as excinfo:
        contact_update(contact=contact, by=agent, caller_email="jan@example.be")
    assert excinfo.value.message_dict == {"caller_email": [ANONYMOUS_MSG]}
    assert (row(contact), db_state()) == (stored, before)


def test_update_refuses_making_a_contact_with_personal_data_anonymous(agent: User) -> None:
    contact = register(agent, anonymous=False, caller_name="Jan")
    stored = row(contact)
    with pytest.raises(ValidationError) as excinfo:
        contact_update(contact=contact, by=agent, anonymous=True)
    assert excinfo.value.message_dict == {"caller_name": [ANONYMOUS_MSG]}
    assert row(contact) == stored
    # clearing the personal data in the same change is fine
    contact_update(contact=contact, by=agent, anonymous=True, caller_name="")
    contact.refresh_from_db()
    assert (contact.anonymous, contact.caller_name) == (True, "")


def test_update_postcode_replaces_the_stored_province(agent: User) -> None:
    contact = register(agent, postcode="2000")
    contact_update(contact=contact, by=agent, postcode="9000")
    contact.refresh_from_db()
    assert contact.province == "BE-VOV"
    assert audit_of(contact)[-1] == ("change", "agent", {"fields": ["province"]})


def test_update_postcode_conflicting_with_a_province_in_the_same_call(agent: User) -> None:
    contact = register(agent, postcode="2000")
    stored = row(contact)
    with pytest.raises(ValidationError) as excinfo:
        contact_update(contact=contact, by=agent, postcode="9000", province="BE-VAN")
    assert excinfo.value.message_dict == {
        "province": ["Postcode 9000 lies in East Flanders, not in the chosen province."]
    }
    assert row(contact) == stored


def test_update_invalid_postcode_keeps_the_province(agent: User) -> None:
    contact = register(agent, postcode="2000")
    with pytest.raises(ValidationError) as excinfo:
        contact_update(contact=contact, by=agent, postcode="99")
    assert excinfo.value.message_dict == {"postcode": ["A Belgian postcode has 4 digits."]}
    contact.refresh_from_db()
    assert contact.province == "BE-VAN"


def test_update_health_note_only_by_a_nurse(agent: User, nurse: User) -> None:
    contact = register(nurse)
    stored = row(contact)
    with pytest.raises(ValidationError) as excinfo:
        contact_update(contact=contact, by=agent, health_note="Allergie")
    assert excinfo.value.message_dict == {
        "health_note": ["Only a PGJO nurse can write a health note."]
    }
    assert row(contact) == stored
    contact_update(contact=contact, by=nurse, health_note="Allergie")
    contact.refresh_from_db()
    assert contact.health_note == "Allergie"
    assert audit_of(contact)[-1] == ("change", "nurse", {"fields": ["health_note"]})


def test_update_unknown_reason_code(agent: User) -> None:
    contact = register(agent, reason_codes=["advice"])
    with pytest.raises(ValidationError) as excinfo:
        contact_update(contact=contact, by=agent, reason_codes=["advice", "bogus"])
    assert excinfo.value.message_dict == {"reasons": ["Unknown code(s): bogus."]}
    assert list(contact.reasons.values_list("code", flat=True)) == ["advice"]


def test_update_a_closed_contact_is_refused(agent: User) -> None:
    contact = register(agent)
    contact_close(contact=contact, by=agent)
    stored = row(contact)
    with pytest.raises(ValidationError) as excinfo:
        contact_update(contact=contact, by=agent, notes="later")
    assert excinfo.value.messages == ["This contact is closed; reopen it before changing it."]
    assert row(contact) == stored


def test_update_refuses_fields_outside_the_wrap_up(agent: User) -> None:
    contact = register(agent)
    with pytest.raises(TypeError, match=r"contact_update cannot change \['office', 'status'\]"):
        contact_update(contact=contact, by=agent, status="closed", office="pgjo")


def test_update_by_a_role_without_change_right(agent: User, analyst: User) -> None:
    contact = register(agent)
    stored, before = row(contact), db_state()
    with pytest.raises(PermissionDenied):
        contact_update(contact=contact, by=analyst, notes="x")
    assert (row(contact), db_state()) == (stored, before)


# === contact_escalate ======================================================================


def test_escalate_front_to_pgjo(agent: User) -> None:
    # given a contact handled by the front office
    contact = register(agent, topic="family_support")
    # when the agent escalates it on a Friday evening
    escalation = contact_escalate(
        contact=contact,
        to_office="pgjo",
        reason="  Medische vraag over koorts  ",
        by=agent,
        now=FRIDAY_EVENING,
    )
    # then the escalation is written with the reason and the PGJO's next opening
    escalation.refresh_from_db()
    assert escalation.contact_id == contact.pk
    assert (escalation.from_office, escalation.to_office) == ("front", "pgjo")
    assert escalation.reason == "Medische vraag over koorts"
    assert escalation.escalated_by == agent
    assert escalation.escalated_at == FRIDAY_EVENING
    assert escalation.expected_pickup_at == MONDAY_0900
    # and the contact moved to the PGJO queue, unassigned
    contact.refresh_from_db()
    assert (contact.office, contact.status, contact.handler) == ("pgjo", "escalated", None)
    assert audit_of(contact)[-1] == ("escalate", "agent", {"from": "front", "to": "pgjo"})
    assert Escalation.objects.count() == 1


def test_escalate_within_opening_hours_is_picked_up_now(agent: User) -> None:
    now = dt.datetime(2023, 3, 6, 10, 0, tzinfo=BRUSSELS)
    escalation = contact_escalate(
        contact=register(agent), to_office="childcare", reason="Opvang", by=agent, now=now
    )
    assert escalation.expected_pickup_at == now


def test_escalate_before_easter_monday_is_picked_up_tuesday(agent: User) -> None:
    escalation = contact_escalate(
        contact=register(agent),
        to_office="childcare",
        reason="Opvang",
        by=agent,
        now=dt.datetime(2023, 4, 7, 19, 0, tzinfo=BRUSSELS),
    )
    assert escalation.expected_pickup_at == dt.datetime(2023, 4, 11, 9, 0, tzinfo=BRUSSELS)


def test_escalate_defaults_to_the_current_time(agent: User) -> None:
    frozen = dt.datetime(2023, 3, 3, 18, 30, tzinfo=BRUSSELS)
    with mock.patch("django.utils.timezone.now", return_value=frozen):
        escalation = contact_escalate(
            contact=register(agent), to_office="pgjo", reason="Medisch", by=agent
        )
    assert escalation.escalated_at == frozen
    assert escalation.expected_pickup_at == MONDAY_0900


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_escalate_without_reason_is_refused(agent: User, reason: str) -> None:
    contact = register(agent)
    stored, before = row(contact), db_state()
    with pytest.raises(ValidationError) as excinfo:
        contact_escalate(contact=contact, to_office="pgjo", reason=reason, by=agent)
    assert excinfo.value.message_dict == {"reason": ["Write down why the contact is escalated."]}
    assert (row(contact), db_state()) == (stored, before)


def test_escalate_to_the_same_office_is_refused(agent: User) -> None:
    contact = register(agent)
    stored, before = row(contact), db_state()
    with pytest.raises(ValidationError) as excinfo:
        contact_escalate(contact=contact, to_office="front", reason="x", by=agent)
    assert excinfo.value.message_dict == {"to_office": ["The contact is already with this office."]}
    assert (row(contact), db_state()) == (stored, before)


def test_escalate_back_to_the_front_office_is_refused(agent: User, team_lead: User) -> None:
    contact = register(agent)
    contact_escalate(contact=contact, to_office="pgjo", reason="Medisch", by=agent)
    stored, before = row(contact), db_state()
    with pytest.raises(ValidationError) as excinfo:
        contact_escalate(contact=contact, to_office="front", reason="terug", by=team_lead)
    assert excinfo.value.message_dict == {
        "to_office": ["Escalation goes from the front office to a back office."]
    }
    assert (row(contact), db_state()) == (stored, before)


def test_escalate_to_an_unknown_office_is_refused(agent: User) -> None:
    contact = register(agent)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        contact_escalate(contact=contact, to_office="helpdesk", reason="x", by=agent)
    assert excinfo.value.message_dict == {"to_office": ["Unknown office."]}
    assert db_state() == before


def test_escalate_a_closed_contact_is_refused(agent: User) -> None:
    contact = register(agent)
    contact_close(contact=contact, by=agent)
    stored, before = row(contact), db_state()
    with pytest.raises(ValidationError) as excinfo:
        contact_escalate(contact=contact, to_office="pgjo", reason="x", by=agent)
    assert excinfo.value.message_dict == {"to_office": ["A closed contact cannot be escalated."]}
    assert (row(contact), db_state()) == (stored, before)


@pytest.mark.parametrize("role", ["pgjo_nurse", "childcare_handler", "analyst", "administrator"])
def test_escalate_without_the_right_is_denied(agent: User, make_user: Any, role: str) -> None:
    contact = register(agent)
    user = make_user(role)
    stored, before = row(contact), db_state()
    with pytest.raises(PermissionDenied, match=r"^You may not escalate contacts\.$"):
        contact_escalate(contact=contact, to_office="pgjo", reason="Medisch", by=user)
    assert (row(contact), db_state()) == (stored, before)


def test_escalate_refuses_a_naive_now(agent: User) -> None:
    contact = register(agent)
    before = db_state()
    with pytest.raises(ValueError, match="aware"):
        contact_escalate(
            contact=contact,
            to_office="pgjo",
            reason="x",
            by=agent,
            now=dt.datetime(2023, 3, 3, 18, 30),
        )
    assert db_state() == before


# === contact_take / contact_close / contact_reopen =========================================


@pytest.fixture
def escalated(agent: User) -> Contact:
    contact = register(agent, anonymous=False, caller_name="Jan")
    contact_escalate(contact=contact, to_office="pgjo", reason="Medisch", by=agent)
    contact.refresh_from_db()
    return contact


def test_take_assigns_the_contact(escalated: Contact, nurse: User) -> None:
    taken = contact_take(contact=escalated, by=nurse)
    taken.refresh_from_db()
    assert (taken.handler, taken.status, taken.office) == (nurse, "open", "pgjo")
    assert audit_of(escalated)[-1] == ("assign", "nurse", {})


def test_take_twice_by_the_same_user_is_idempotent(escalated: Contact, nurse: User) -> None:
    contact_take(contact=escalated, by=nurse)
    stored, before = row(escalated), db_state()
    contact_take(contact=escalated, by=nurse)
    assert (row(escalated), db_state()) == (stored, before)


def test_take_from_a_colleague_reassigns(escalated: Contact, nurse: User, make_user: Any) -> None:
    colleague = make_user("pgjo_nurse", "nurse2")
    contact_take(contact=escalated, by=nurse)
    contact_take(contact=escalated, by=colleague)
    escalated.refresh_from_db()
    assert escalated.handler == colleague
    assert [a for a, _u, _d in audit_of(escalated)][-2:] == ["assign", "assign"]


def test_take_from_another_office_is_denied(escalated: Contact, childcare_handler: User) -> None:
    stored, before = row(escalated), db_state()
    with pytest.raises(PermissionDenied, match=r"^This contact is with another office\.$"):
        contact_take(contact=escalated, by=childcare_handler)
    assert (row(escalated), db_state()) == (stored, before)


def test_take_a_closed_contact_is_refused(escalated: Contact, nurse: User) -> None:
    contact_close(contact=escalated, by=nurse)
    stored, before = row(escalated), db_state()
    with pytest.raises(ValidationError) as excinfo:
        contact_take(contact=escalated, by=nurse)
    assert excinfo.value.messages == ["A closed contact cannot be taken up."]
    assert (row(escalated), db_state()) == (stored, before)


def test_close_by_the_nurse(escalated: Contact, nurse: User) -> None:
    contact_take(contact=escalated, by=nurse)
    closed_at = dt.datetime(2023, 3, 6, 11, 0, tzinfo=BRUSSELS)
    contact_close(contact=escalated, by=nurse, now=closed_at)
    escalated.refresh_from_db()
    assert (escalated.status, escalated.handler, escalated.closed_at) == (
        "closed",
        nurse,
        closed_at,
    )
    assert escalated.answered_at == closed_at
    assert audit_of(escalated)[-1] == ("close", "nurse", {})


def test_close_an_unassigned_contact_makes_the_closer_its_handler(
    escalated: Contact, nurse: User
) -> None:
    assert escalated.handler is None
    contact_close(contact=escalated, by=nurse)
    escalated.refresh_from_db()
    assert escalated.handler == nurse


def test_close_keeps_an_earlier_answer_time(agent: User) -> None:
    answered = dt.datetime(2023, 3, 6, 10, 1, tzinfo=BRUSSELS)
    contact = register(agent)
    contact_update(contact=contact, by=agent, answered_at=answered)
    contact_close(contact=contact, by=agent, now=dt.datetime(2023, 3, 6, 10, 9, tzinfo=BRUSSELS))
    contact.refresh_from_db()
    assert contact.answered_at == answered


def test_childcare_handler_cannot_close_a_pgjo_contact(
    escalated: Contact, childcare_handler: User
) -> None:
    stored, before = row(escalated), db_state()
    with pytest.raises(PermissionDenied, match=r"^This contact is with another office\.$"):
        contact_close(contact=escalated, by=childcare_handler)
    assert (row(escalated), db_state()) == (stored, before)


@pytest.mark.parametrize("role", ["analyst", "information_manager", "administrator"])
def test_roles_without_close_right_cannot_close(
    escalated: Contact, make_user: Any, role: str
) -> None:
    stored, before = row(escalated), db_state()
    with pytest.raises(PermissionDenied, match=r"^You may not close contacts\.$"):
        contact_close(contact=escalated, by=make_user(role))
    assert (row(escalated), db_state()) == (stored, before)


def test_close_twice_is_refused(escalated: Contact, nurse: User) -> None:
    contact_close(contact=escalated, by=nurse)
    stored, before = row(escalated), db_state()
    with pytest.raises(ValidationError) as excinfo:
        contact_close(contact=escalated, by=nurse)
    assert excinfo.value.messages == ["This contact is already closed."]
    assert (row(escalated), db_state()) == (stored, before)


def test_team_lead_closes_in_any_office(escalated: Contact, team_lead: User) -> None:
    contact_close(contact=escalated, by=team_lead)
    escalated.refresh_from_db()
    assert escalated.status == "closed"


def test_reopen(escalated: Contact, nurse: User) -> None:
    contact_close(contact=escalated, by=nurse)
    contact_reopen(contact=escalated, by=nurse)
    escalated.refresh_from_db()
    assert (escalated.status, escalated.closed_at, escalated.handler) == ("open", None, nurse)
    assert audit_of(escalated)[-1] == ("reopen", "nurse", {})


def test_reopen_an_open_contact_is_refused(escalated: Contact, nurse: User) -> None:
    stored, before = row(escalated), db_state()
    with pytest.raises(ValidationError) as excinfo:
        contact_reopen(contact=escalated, by=nurse)
    assert excinfo.value.messages == ["Only a closed contact can be reopened."]
    assert (row(escalated), db_state()) == (stored, before)


def test_reopen_in_another_office_is_denied(
    escalated: Contact, nurse: User, childcare_handler: User
) -> None:
    contact_close(contact=escalated, by=nurse)
    stored, before = row(escalated), db_state()
    with pytest.raises(PermissionDenied):
        contact_reopen(contact=escalated, by=childcare_handler)
    assert (row(escalated), db_state()) == (stored, before)


# === customer_find_or_create ===============================================================


def test_customer_created_with_province_from_postcode() -> None:
    customer = customer_find_or_create(
        kind="parent", name=" An Peeters ", email=" An@Example.BE ", phone="0470123456",
        postcode="3500",
    )  # fmt: skip
    customer.refresh_from_db()
    assert (customer.kind, customer.name, customer.email, customer.phone) == (
        "parent",
        "An Peeters",
        "an@example.be",
        "0470123456",
    )
    assert (customer.postcode, customer.province) == ("3500", "BE-VLI")


def test_customer_dedup_by_email_case_insensitively() -> None:
    first = customer_find_or_create(kind="parent", name="An", email="an@example.be")
    again = customer_find_or_create(kind="pregnant", name="An P.", email="AN@example.be ")
    assert again.pk == first.pk
    assert Customer.objects.count() == 1
    again.refresh_from_db()
    assert (again.kind, again.name) == ("parent", "An")  # the existing record is not changed


def test_customer_dedup_by_phone() -> None:
    first = customer_find_or_create(kind="parent", name="An", phone="0470123456")
    again = customer_find_or_create(kind="parent", name="An", phone=" 0470123456 ")
    assert again.pk == first.pk
    assert Customer.objects.count() == 1


def test_customer_email_match_wins_over_phone_match() -> None:
    by_phone = customer_find_or_create(kind="parent", name="A", phone="0470000001")
    by_email = customer_find_or_create(kind="parent", name="B", email="b@example.be")
    found = customer_find_or_create(
        kind="parent", name="B", email="b@example.be", phone="0470000001"
    )
    assert found.pk == by_email.pk != by_phone.pk


def test_customer_different_contact_data_is_a_new_customer() -> None:
    customer_find_or_create(kind="parent", name="An", email="an@example.be")
    customer_find_or_create(kind="parent", name="An", email="an2@example.be")
    customer_find_or_create(kind="organiser", name="Crèche Zonneschijn")
    customer_find_or_create(kind="organiser", name="Crèche Zonneschijn")
    # Without e-mail or phone there is nothing to match on: two records.
    assert Customer.objects.count() == 4


def test_customer_validation_writes_nothing() -> None:
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        customer_find_or_create(kind="alien", name=" ", email="nope", postcode="12")
    assert excinfo.value.message_dict == {
        "customer_kind": ["Choose who is contacting us."],
        "caller_name": ["A name is needed to register a customer."],
        "caller_email": ["Enter a valid e-mail address."],
        "postcode": ["A Belgian postcode has 4 digits."],
    }
    assert db_state() == before


# === catalogues ============================================================================


def test_reason_save_creates_and_updates_by_code() -> None:
    created = reason_save(code=" Night-Care ", name=" Nachtopvang ", topic="childcare")
    assert (created.code, created.name, created.topic, created.active, created.sort_order) == (
        "night-care",
        "Nachtopvang",
        "childcare",
        True,
        100,
    )
    updated = reason_save(code="night-care", name="Nachtopvang (nieuw)", sort_order=5)
    assert updated.pk == created.pk
    updated.refresh_from_db()
    assert (updated.name, updated.topic, updated.sort_order) == ("Nachtopvang (nieuw)", "", 5)
    assert Reason.objects.filter(code="night-care").count() == 1


def test_deactivated_reason_keeps_history_but_cannot_be_used(agent: User) -> None:
    # given a contact registered with a reason
    old = register(agent, reason_codes=["vaccination"])
    # when the information manager deactivates the reason
    reason_save(code="vaccination", name="Vaccinatievraag", topic="family_support", active=False)
    # then the old contact still lists it
    assert list(old.reasons.values_list("code", flat=True)) == ["vaccination"]
    assert Reason.objects.get(code="vaccination").active is False
    # and a new contact cannot use it
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(agent, reason_codes=["vaccination"])
    assert excinfo.value.message_dict == {"reasons": ["No longer in use: vaccination."]}
    assert db_state() == before
    # and reactivating makes it usable again
    reason_save(code="vaccination", name="Vaccinatievraag", topic="family_support")
    assert list(register(agent, reason_codes=["vaccination"]).reasons.all()) == [
        Reason.objects.get(code="vaccination")
    ]


def test_deactivated_referral_keeps_history_but_cannot_be_used(agent: User) -> None:
    old = register(agent, referral_codes=["groeipakket"])
    referral_save(code="groeipakket", name="Agentschap Uitbetaling Groeipakket", active=False)
    assert list(old.referrals.values_list("code", flat=True)) == ["groeipakket"]
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        register(agent, referral_codes=["groeipakket"])
    assert excinfo.value.message_dict == {"referrals": ["No longer in use: groeipakket."]}
    assert db_state() == before


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "A code has lowercase letters, digits and hyphens only."),
        ("two words", "A code has lowercase letters, digits and hyphens only."),
        ("snake_case", "A code has lowercase letters, digits and hyphens only."),
        ("crèche", "A code has lowercase letters, digits and hyphens only."),
        ("x²", "A code has lowercase letters, digits and hyphens only."),
        ("a" * 51, "A code has at most 50 characters."),
    ],
)
def test_catalogue_code_rules(code: str, message: str) -> None:
    before = db_state()
    for save in (reason_save, referral_save):
        with pytest.raises(ValidationError) as excinfo:
            save(code=code, name="Naam")
        assert excinfo.value.message_dict == {"code": [message]}
    assert db_state() == before


def test_catalogue_name_rules() -> None:
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        reason_save(code="x", name="  ")
    assert excinfo.value.message_dict == {"name": ["A name is required."]}
    with pytest.raises(ValidationError) as excinfo:
        referral_save(code="x", name="n" * 201)
    assert excinfo.value.message_dict == {"name": ["A name has at most 200 characters."]}
    assert db_state() == before


def test_reason_unknown_topic() -> None:
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        reason_save(code="x", name="X", topic="sports")
    assert excinfo.value.message_dict == {"topic": ["Unknown topic."]}
    assert db_state() == before


def test_referral_save_creates_and_updates_by_code() -> None:
    created = referral_save(code="huis-vh-kind", name="Huis van het Kind")
    updated = referral_save(code="HUIS-VH-KIND", name="Huis van het Kind Gent", active=False)
    assert updated.pk == created.pk
    updated.refresh_from_db()
    assert (updated.code, updated.name, updated.active) == (
        "huis-vh-kind",
        "Huis van het Kind Gent",
        False,
    )
