"""Permission-aware reads: who sees which contact, health-note privacy, read audit, search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404
from django.utils import translation

from kglijn.contacts.models import Contact
from kglijn.contacts.selectors import (
    can_view_health_note,
    contact_escalations,
    contact_get_for_user,
    contact_history,
    contact_my_queue,
    contact_office_queue,
    contact_search,
    contact_visible_qs,
)
from kglijn.contacts.services import (
    contact_close,
    contact_escalate,
    contact_register,
    contact_take,
)
from kglijn.core.models import AuditEvent
from tests.contacts.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = dt.UTC
HEALTH_NOTE = "Baby 3 maanden, koorts 39,5 °C"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    with translation.override("en"):
        yield


def views_of(contact: Contact) -> list[tuple[str | None, dict[str, Any]]]:
    return [
        (event.actor.username if event.actor else None, event.detail)
        for event in AuditEvent.objects.filter(
            object_type="contact", object_id=contact.pk, action="view"
        ).order_by("id")
    ]


@pytest.fixture
def pgjo_with_note(nurse: User) -> Contact:
    """An anonymous PGJO contact with a health note, registered by the nurse."""
    contact = contact_register(by=nurse, channel="phone", health_note=HEALTH_NOTE)
    assert contact.office == "pgjo"
    return contact


@pytest.fixture
def moved_to_childcare(pgjo_with_note: Contact, team_lead: User) -> Contact:
    """The same contact escalated from PGJO to the childcare back office, note and all."""
    contact_escalate(
        contact=pgjo_with_note, to_office="childcare", reason="Vraag over opvang", by=team_lead
    )
    pgjo_with_note.refresh_from_db()
    assert (pgjo_with_note.office, pgjo_with_note.health_note) == ("childcare", HEALTH_NOTE)
    return pgjo_with_note


# --- who may open which contact -------------------------------------------------------------


def test_childcare_handler_cannot_read_a_pgjo_contact(
    pgjo_with_note: Contact, childcare_handler: User
) -> None:
    audit_before = AuditEvent.objects.count()
    with pytest.raises(Http404):
        contact_get_for_user(user=childcare_handler, contact_id=pgjo_with_note.pk)
    assert pgjo_with_note not in contact_visible_qs(user=childcare_handler)
    assert AuditEvent.objects.count() == audit_before


def test_childcare_handler_gets_no_health_note_on_an_escalated_contact(
    moved_to_childcare: Contact, childcare_handler: User
) -> None:
    # when the childcare handler opens the contact now in her office
    seen = contact_get_for_user(user=childcare_handler, contact_id=moved_to_childcare.pk)
    # then she sees the contact without the health note
    assert seen.pk == moved_to_childcare.pk
    assert seen.health_note == ""
    assert can_view_health_note(user=childcare_handler) is False
    # and the note itself is untouched in the database
    assert Contact.objects.get(pk=moved_to_childcare.pk).health_note == HEALTH_NOTE
    # an anonymous contact whose note she cannot see: nothing personal was read, no event
    assert views_of(moved_to_childcare) == []


@pytest.mark.parametrize("reader", ["nurse", "team_lead"])
def test_nurse_and_team_lead_see_the_health_note(
    moved_to_childcare: Contact, request: pytest.FixtureRequest, reader: str
) -> None:
    user: User = request.getfixturevalue(reader)
    seen = contact_get_for_user(user=user, contact_id=moved_to_childcare.pk)
    assert seen.health_note == HEALTH_NOTE
    # reading a health note is a read of personal (health) data: logged once, with the reader
    assert views_of(moved_to_childcare) == [(user.username, {"health_note": True})]


def test_agent_who_registered_a_contact_still_sees_it_but_not_its_health_note(
    agent: User, nurse: User
) -> None:
    contact = contact_register(by=agent, channel="phone", anonymous=False, caller_name="Jan")
    contact_escalate(contact=contact, to_office="pgjo", reason="Medisch", by=agent)
    from kglijn.contacts.services import contact_update

    contact_update(contact=contact, by=nurse, health_note=HEALTH_NOTE)
    seen = contact_get_for_user(user=agent, contact_id=contact.pk)
    assert (seen.office, seen.health_note, seen.caller_name) == ("pgjo", "", "Jan")
    assert views_of(contact) == [("agent", {"health_note": False})]


def test_lists_never_carry_a_health_note_the_reader_may_not_see(
    moved_to_childcare: Contact,
    childcare_handler: User,
    nurse: User,
    django_assert_num_queries: Any,
) -> None:
    # given the contact with a health note in the childcare queue
    # when the childcare handler lists her queue, searches, or filters the visible contacts
    queue = list(contact_office_queue(user=childcare_handler, office="childcare"))
    found = list(contact_search(user=childcare_handler, query=moved_to_childcare.reference))
    filtered = list(contact_visible_qs(user=childcare_handler).filter(pk=moved_to_childcare.pk))
    # then every instance reads "" and touching the field does not fetch it afterwards
    assert queue == found == filtered == [moved_to_childcare]
    with django_assert_num_queries(0):
        assert [c.health_note for c in (*queue, *found, *filtered)] == ["", "", ""]
    # while the nurse's lists carry it
    nurse_found = list(contact_search(user=nurse, query=moved_to_childcare.reference))
    assert [c.health_note for c in nurse_found] == [HEALTH_NOTE]


@pytest.mark.parametrize("role", ["analyst", "information_manager", "administrator"])
def test_roles_without_contact_work_see_no_contacts(
    make_user: Any, agent: User, pgjo_with_note: Contact, role: str
) -> None:
    user = make_user(role)
    identified = contact_register(by=agent, channel="phone", anonymous=False, caller_name="Jan")
    assert Contact.objects.count() == 2
    assert list(contact_visible_qs(user=user)) == []
    for contact in (identified, pgjo_with_note):
        with pytest.raises(Http404):
            contact_get_for_user(user=user, contact_id=contact.pk)
    assert list(contact_my_queue(user=user)) == []
    for office in ("front", "pgjo", "childcare"):
        assert list(contact_office_queue(user=user, office=office)) == []
    assert list(contact_search(user=user, query="Jan")) == []
    assert list(contact_search(user=user, query=identified.reference)) == []
    assert AuditEvent.objects.filter(action="view").count() == 0


def test_anonymous_web_user_sees_nothing(pgjo_with_note: Contact) -> None:
    anonymous = AnonymousUser()
    assert list(contact_visible_qs(user=anonymous)) == []
    assert can_view_health_note(user=anonymous) is False
    with pytest.raises(Http404):
        contact_get_for_user(user=anonymous, contact_id=pgjo_with_note.pk)


def test_unknown_contact_id_is_404(agent: User) -> None:
    with pytest.raises(Http404):
        contact_get_for_user(user=agent, contact_id=987654321)


def test_visibility_per_office(
    agent: User, nurse: User, childcare_handler: User, team_lead: User
) -> None:
    front = ContactFactory.create(office="front")
    pgjo = ContactFactory.create(office="pgjo")
    childcare = ContactFactory.create(office="childcare")
    own_pgjo = ContactFactory.create(office="pgjo", handler=childcare_handler)
    assert set(contact_visible_qs(user=agent)) == {front}
    assert set(contact_visible_qs(user=nurse)) == {pgjo, own_pgjo}
    assert set(contact_visible_qs(user=childcare_handler)) == {childcare, own_pgjo}
    assert set(contact_visible_qs(user=team_lead)) == {front, pgjo, childcare, own_pgjo}


# --- read audit -----------------------------------------------------------------------------


def test_every_read_of_personal_data_is_logged_once_with_the_reader(
    agent: User, team_lead: User
) -> None:
    contact = contact_register(
        by=agent, channel="phone", anonymous=False, customer=CustomerFactory.create()
    )
    contact_get_for_user(user=agent, contact_id=contact.pk)
    contact_get_for_user(user=team_lead, contact_id=contact.pk)
    contact_get_for_user(user=agent, contact_id=contact.pk)
    assert views_of(contact) == [
        ("agent", {"health_note": False}),
        ("lead", {"health_note": False}),
        ("agent", {"health_note": False}),
    ]


@pytest.mark.parametrize(
    "field", ["caller_name", "caller_phone", "caller_email", "customer"], ids=str
)
def test_each_personal_field_makes_a_read_logged(agent: User, field: str) -> None:
    value: Any = CustomerFactory.create() if field == "customer" else "jan@example.be"
    contact = contact_register(by=agent, channel="phone", anonymous=False, **{field: value})
    before = AuditEvent.objects.count()
    contact_get_for_user(user=agent, contact_id=contact.pk)
    assert AuditEvent.objects.count() == before + 1
    assert views_of(contact) == [("agent", {"health_note": False})]


def test_reading_an_anonymous_contact_without_health_note_is_not_logged(
    agent: User, team_lead: User
) -> None:
    contact = contact_register(by=agent, channel="phone", notes="Algemene vraag")
    before = AuditEvent.objects.count()
    contact_get_for_user(user=agent, contact_id=contact.pk)
    contact_get_for_user(user=team_lead, contact_id=contact.pk)
    assert AuditEvent.objects.count() == before


# --- queues ---------------------------------------------------------------------------------


def test_my_queue_holds_my_open_contacts_only(
    agent: User, make_user: Any, nurse: User, team_lead: User
) -> None:
    colleague = make_user("front_office", "agent2")
    mine_open = contact_register(by=agent, channel="phone")
    mine_chat = contact_register(by=agent, channel="chat")
    mine_closed = contact_register(by=agent, channel="phone")
    contact_close(contact=mine_closed, by=agent)
    escalated = contact_register(by=agent, channel="phone")
    contact_escalate(contact=escalated, to_office="pgjo", reason="Medisch", by=agent)
    colleagues = contact_register(by=colleague, channel="phone")
    assert set(contact_my_queue(user=agent)) == {mine_open, mine_chat}
    assert set(contact_my_queue(user=colleague)) == {colleagues}
    assert list(contact_my_queue(user=nurse)) == []
    contact_take(contact=escalated, by=nurse)
    assert list(contact_my_queue(user=nurse)) == [escalated]
    assert list(contact_my_queue(user=team_lead)) == []


def test_office_queue_holds_unassigned_open_contacts_oldest_first(
    agent: User, nurse: User, childcare_handler: User, team_lead: User
) -> None:
    def escalate(received: dt.datetime, office: str) -> Contact:
        contact = contact_register(by=agent, channel="phone", received_at=received)
        contact_escalate(contact=contact, to_office=office, reason="Doorgestuurd", by=agent)
        return contact

    newer = escalate(dt.datetime(2023, 3, 6, 11, 0, tzinfo=BRUSSELS), "pgjo")
    older = escalate(dt.datetime(2023, 3, 6, 10, 0, tzinfo=BRUSSELS), "pgjo")
    taken = escalate(dt.datetime(2023, 3, 6, 9, 0, tzinfo=BRUSSELS), "pgjo")
    contact_take(contact=taken, by=nurse)
    closed = escalate(dt.datetime(2023, 3, 6, 8, 0, tzinfo=BRUSSELS), "pgjo")
    contact_close(contact=closed, by=nurse)
    childcare = escalate(dt.datetime(2023, 3, 6, 7, 0, tzinfo=BRUSSELS), "childcare")
    front_unassigned = ContactFactory.create(office="front", handler=None)

    assert list(contact_office_queue(user=nurse, office="pgjo")) == [older, newer]
    assert list(contact_office_queue(user=team_lead, office="pgjo")) == [older, newer]
    assert list(contact_office_queue(user=childcare_handler, office="childcare")) == [childcare]
    assert list(contact_office_queue(user=agent, office="front")) == [front_unassigned]
    # not your office: empty, not an error
    assert list(contact_office_queue(user=childcare_handler, office="pgjo")) == []
    assert list(contact_office_queue(user=nurse, office="childcare")) == []
    assert list(contact_office_queue(user=agent, office="pgjo")) == []
    assert list(contact_office_queue(user=nurse, office="helpdesk")) == []


# --- search ---------------------------------------------------------------------------------


@pytest.fixture
def numbered(agent: User) -> dict[int, Contact]:
    """Front-office contacts with chosen ids, registered by the agent."""
    return {
        pk: ContactFactory.create(pk=pk, office="front", created_by=agent)
        for pk in (12, 21, 120, 1200)
    }


@pytest.mark.parametrize(
    "query", ["KG-0000012", "kg-0000012", "KG0000012", "12", " 12 ", "0000012", "kg12"]
)
def test_search_by_reference(agent: User, numbered: dict[int, Contact], query: str) -> None:
    assert list(contact_search(user=agent, query=query)) == [numbered[12]]


def test_search_by_reference_respects_visibility(
    childcare_handler: User, numbered: dict[int, Contact]
) -> None:
    assert list(contact_search(user=childcare_handler, query="KG-0000012")) == []


def test_search_by_customer_and_caller(agent: User) -> None:
    peeters = CustomerFactory.create(
        name="An Peeters", email="an.peeters@example.be", phone="0470111222"
    )
    janssens = CustomerFactory.create(
        name="Piet Janssens", email="piet@example.be", phone="0470333444"
    )
    by_peeters = ContactFactory.create(anonymous=False, customer=peeters, created_by=agent)
    by_janssens = ContactFactory.create(anonymous=False, customer=janssens, created_by=agent)
    caller = ContactFactory.create(
        anonymous=False,
        caller_name="Marie Peeters",
        caller_phone="0470555666",
        caller_email="marie@example.be",
        created_by=agent,
    )
    ContactFactory.create(created_by=agent)  # anonymous, never matches a person

    def search(query: str) -> set[Contact]:
        return set(contact_search(user=agent, query=query))

    assert search("AN.PEETERS@example.be") == {by_peeters}
    assert search("0470111222") == {by_peeters}
    assert search("peeters") == {by_peeters, caller}
    assert search("Janssens") == {by_janssens}
    assert search("marie@EXAMPLE.be") == {caller}
    assert search("0470555666") == {caller}
    assert search("nobody") == set()
    # a partial e-mail address or phone number is not a match (exact lookups)
    assert search("an.peeters") == set()
    assert search("0470111") == set()


def test_search_by_external_id(agent: User) -> None:
    contact = ContactFactory.create(external_id="call-2023-77", created_by=agent)
    assert list(contact_search(user=agent, query="call-2023-77")) == [contact]


def test_search_by_brussels_date_range(agent: User) -> None:
    # 5 March 2023 23:30 in Brussels is 22:30 UTC: it belongs to the 5th, not the 6th.
    late_on_5th = ContactFactory.create(
        received_at=dt.datetime(2023, 3, 5, 22, 30, tzinfo=UTC), created_by=agent
    )
    # 6 March 00:30 in Brussels is still 5 March in UTC: it belongs to the 6th.
    early_on_6th = ContactFactory.create(
        received_at=dt.datetime(2023, 3, 5, 23, 30, tzinfo=UTC), created_by=agent
    )
    first_minute_5th = ContactFactory.create(
        received_at=dt.datetime(2023, 3, 5, 0, 0, tzinfo=BRUSSELS), created_by=agent
    )
    on_4th = ContactFactory.create(
        received_at=dt.datetime(2023, 3, 4, 23, 59, 59, tzinfo=BRUSSELS), created_by=agent
    )

    def search(date_from: dt.date | None, date_to: dt.date | None) -> list[Contact]:
        return list(contact_search(user=agent, date_from=date_from, date_to=date_to))

    day5, day6 = dt.date(2023, 3, 5), dt.date(2023, 3, 6)
    assert search(day5, day5) == [late_on_5th, first_minute_5th]
    assert search(day6, day6) == [early_on_6th]
    assert search(day5, day6) == [early_on_6th, late_on_5th, first_minute_5th]
    assert search(None, dt.date(2023, 3, 4)) == [on_4th]
    assert search(day6, None) == [early_on_6th]


def test_search_date_range_across_dst(agent: User) -> None:
    # 26 March 2023 (DST starts): 23:30 Brussels = 21:30 UTC.
    late = ContactFactory.create(
        received_at=dt.datetime(2023, 3, 26, 21, 30, tzinfo=UTC), created_by=agent
    )
    next_day = ContactFactory.create(
        received_at=dt.datetime(2023, 3, 26, 22, 0, tzinfo=UTC), created_by=agent
    )
    day = dt.date(2023, 3, 26)
    assert list(contact_search(user=agent, date_from=day, date_to=day)) == [late]
    assert list(contact_search(user=agent, date_from=dt.date(2023, 3, 27))) == [next_day]


def test_search_combines_query_and_period_newest_first_with_limit(agent: User) -> None:
    customer = CustomerFactory.create(name="An Peeters")
    contacts = [
        ContactFactory.create(
            anonymous=False,
            customer=customer,
            created_by=agent,
            received_at=dt.datetime(2023, 3, day, 10, 0, tzinfo=BRUSSELS),
        )
        for day in (1, 2, 3, 4)
    ]
    result = contact_search(
        user=agent, query="Peeters", date_from=dt.date(2023, 3, 2), date_to=dt.date(2023, 3, 4)
    )
    assert list(result) == [contacts[3], contacts[2], contacts[1]]
    assert list(contact_search(user=agent, query="Peeters", limit=2)) == contacts[:1:-1]


def test_search_writes_no_audit_and_blank_query_lists_everything_visible(agent: User) -> None:
    visible = [ContactFactory.create(created_by=agent) for _ in range(3)]
    ContactFactory.create(office="pgjo")
    assert set(contact_search(user=agent)) == set(visible)
    assert AuditEvent.objects.count() == 0


# --- history --------------------------------------------------------------------------------


def test_history_and_escalations_oldest_first(agent: User, nurse: User) -> None:
    contact = contact_register(by=agent, channel="phone", anonymous=False, caller_name="Jan")
    contact_escalate(contact=contact, to_office="pgjo", reason="Medisch", by=agent)
    contact_get_for_user(user=nurse, contact_id=contact.pk)
    contact_take(contact=contact, by=nurse)
    contact_close(contact=contact, by=nurse)
    other = contact_register(by=agent, channel="chat")
    history = contact_history(contact=contact)
    assert [(e.action, e.actor.username if e.actor else None) for e in history] == [
        ("create", "agent"),
        ("escalate", "agent"),
        ("view", "nurse"),
        ("assign", "nurse"),
        ("close", "nurse"),
    ]
    assert [e.action for e in contact_history(contact=other)] == ["create"]
    escalations = list(contact_escalations(contact=contact))
    assert [(e.from_office, e.to_office, e.reason) for e in escalations] == [
        ("front", "pgjo", "Medisch")
    ]
    assert list(contact_escalations(contact=other)) == []
