"""Forwarding a K&G-Lijn contact into Opgroeipunt (issue 17 item 2): both pages link, the desk
role sees no case content afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.test import Client

from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.cases.services import CaseInvalid, case_from_contact
from kglijn.opgroeipunt.models import Case, Reporter
from tests.contacts.factories import ContactFactory
from tests.opgroeipunt.intake_helpers import make_location

pytestmark = pytest.mark.django_db


def login(make_user: Callable[..., User], role: str, name: str | None = None) -> Client:
    client = Client()
    client.force_login(make_user(role, name or role))
    return client


def forward(client: Client, contact_id: int, **fields: Any) -> Any:
    data = {
        "kind": "complaint",
        "location": "L1",
        "description": "Ouder belt: baby kreeg geen eten tijdens de middag.",
        **fields,
    }
    return client.post(f"/opgroeipunt/doorsturen/{contact_id}/", data)


def test_forwarding_links_both_ways_and_the_desk_sees_only_the_reference(
    make_user: Callable[..., User],
) -> None:
    make_location()
    contact = ContactFactory.create(with_caller=True)
    desk = login(make_user, "front_office")
    page = desk.get(f"/desk/contacts/{contact.pk}/").content.decode()
    assert "Doorsturen naar Opgroeipunt" in page

    response = forward(desk, contact.pk)
    assert response.status_code == 302
    assert response["Location"] == f"/desk/contacts/{contact.pk}/#opgroeipunt"
    case = Case.objects.get()
    assert (case.source, case.contact_id, case.kind) == ("contact", contact.pk, "complaint")
    assert [loc.external_id for loc in case.locations.all()] == ["L1"]
    assert not Reporter.objects.exists()  # the caller's details only when asked
    trail = AuditEvent.objects.get(object_type="contact", object_id=contact.pk, action="escalate")
    assert trail.detail == {"opgroeipunt": f"OP-{case.pk}", "caller_details": False}

    page = desk.get(f"/desk/contacts/{contact.pk}/").content.decode()
    assert f"Doorgestuurd naar Opgroeipunt als OP-{case.pk}" in page
    assert "baby kreeg geen eten" not in page
    assert f"/opgroeipunt/meldingen/{case.pk}/" not in page
    assert 'name="description"' not in page  # no second forward form
    assert desk.get(f"/opgroeipunt/meldingen/{case.pk}/").status_code == 403
    assert desk.get("/opgroeipunt/meldingen/").status_code == 403

    manager = login(make_user, "childcare_customer_manager", "km")
    detail = manager.get(f"/opgroeipunt/meldingen/{case.pk}/").content.decode()
    assert f'href="/desk/contacts/{contact.pk}/"' in detail
    assert "baby kreeg geen eten" in detail


def test_an_opgroeipunt_role_with_contacts_gets_a_link_to_the_case(
    make_user: Callable[..., User],
) -> None:
    lead = make_user("team_lead", "kg-lead")
    make_location()
    contact = ContactFactory.create()
    case = case_from_contact(
        contact=contact, user=lead, kind="signal", locations=["L1"], description="x"
    )
    lead.groups.add(Group.objects.get(name="Klantenbeheerder kinderopvang"))
    client = Client()
    client.force_login(lead)
    page = client.get(f"/desk/contacts/{contact.pk}/").content.decode()
    assert f'href="/opgroeipunt/meldingen/{case.pk}/"' in page


def test_the_callers_details_go_along_only_when_asked(make_user: Callable[..., User]) -> None:
    contact = ContactFactory.create(with_caller=True)
    desk = login(make_user, "front_office")
    forward(desk, contact.pk, location="", with_reporter="on")
    reporter = Reporter.objects.get()
    assert (reporter.name, reporter.email) == ("Jan Peeters", "jan.peeters@example.be")


def test_a_contact_is_forwarded_once(make_user: Callable[..., User]) -> None:
    contact = ContactFactory.create()
    desk = login(make_user, "front_office")
    assert forward(desk, contact.pk, location="").status_code == 302
    user = make_user("team_lead", "lead2")
    with pytest.raises(CaseInvalid) as caught:
        case_from_contact(contact=contact, user=user, kind="signal", locations=[], description="y")
    assert "Al doorgestuurd naar Opgroeipunt als OP-" in caught.value.errors["contact"]
    assert Case.objects.count() == 1


def test_location_search_errors_are_dutch_and_nothing_is_written(
    make_user: Callable[..., User],
) -> None:
    make_location("L1", name="Het Nestje", postcode="9000")
    make_location("L2", name="Het Nestje Noord", postcode="9000")
    contact = ContactFactory.create()
    desk = login(make_user, "front_office")
    ambiguous = forward(desk, contact.pk, location="Nestje 9000")
    assert ambiguous.status_code == 400
    assert "Meerdere locaties passen" in ambiguous.content.decode()
    unknown = forward(desk, contact.pk, location="Rupsje 2000")
    assert "Geen locatie gevonden" in unknown.content.decode()
    hostile = forward(desk, contact.pk, description="a\x00b")
    assert hostile.status_code == 400
    assert "NUL" in hostile.content.decode()
    assert not Case.objects.exists()


def test_who_may_forward(make_user: Callable[..., User]) -> None:
    contact = ContactFactory.create()
    assert forward(login(make_user, "analyst"), contact.pk).status_code == 403
    # The PGJO nurse has no forward permission (her contacts are not about childcare).
    assert forward(login(make_user, "pgjo_nurse"), contact.pk).status_code == 403
    manager = make_user("childcare_customer_manager", "km")
    with pytest.raises(PermissionDenied):
        case_from_contact(
            contact=contact, user=manager, kind="signal", locations=[], description="x"
        )
    assert not Case.objects.exists()
