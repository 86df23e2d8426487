"""The agent desk through HTTP: each role's landing page, the acceptance flow and privacy."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kglijn.contacts import services
from kglijn.contacts.models import Contact, Customer, Escalation, Office, Status
from kglijn.core.models import AuditEvent
from tests.conftest import PASSWORD

NAV_LINKS = {
    "new": "/desk/contacts/new/",
    "search": "/desk/contacts/search/",
    "catalogues": "/desk/catalogues/",
    "audit": "/desk/audit/",
    "reports": "/reports/",
}


@pytest.fixture(autouse=True)
def english(client: Client) -> None:
    """Most assertions quote the English msgids; Dutch is checked in dedicated tests."""
    client.cookies["django_language"] = "en"


def login(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def nav_of(html: str) -> set[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert nav is not None
    return {name for name, href in NAV_LINKS.items() if f'href="{href}"' in nav.group(0)}


@pytest.fixture
def client_nl(client: Client) -> Client:
    client.cookies["django_language"] = "nl-be"
    return client


# --- landing pages and navigation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected_nav", "template"),
    [
        ("front_office", {"new", "search"}, "contacts/desk.html"),
        ("pgjo_nurse", {"new", "search"}, "contacts/desk.html"),
        ("childcare_handler", {"new", "search"}, "contacts/desk.html"),
        ("team_lead", {"new", "search", "catalogues", "reports", "audit"}, "contacts/desk.html"),
        ("information_manager", {"catalogues", "reports"}, "contacts/landing.html"),
        ("analyst", {"catalogues", "reports"}, "contacts/landing.html"),
        ("administrator", {"catalogues", "audit"}, "contacts/landing.html"),
    ],
)
def test_each_role_lands_on_a_working_page_with_only_its_menu(
    client, make_user, role, expected_nav, template
):
    login(client, make_user(role))

    response = client.get("/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [("/desk/", 302)]
    assert template in [t.name for t in response.templates]
    assert nav_of(response.content.decode()) == expected_nav


def test_nav_targets_outside_the_role_are_refused(client, make_user):
    login(client, make_user("analyst"))

    assert client.get(NAV_LINKS["new"]).status_code == 403
    assert client.get(NAV_LINKS["search"]).status_code == 403
    assert client.get(NAV_LINKS["audit"]).status_code == 403


def test_anonymous_visitor_is_sent_to_login_page_in_dutch(client_nl, db):
    response = client_nl.get("/desk/", follow=True)

    assert response.redirect_chain == [("/login/?next=/desk/", 302)]
    html = response.content.decode()
    assert '<html lang="nl-be">' in html
    assert "Aanmelden" in html
    assert 'href="#main"' in html


def test_team_lead_sees_my_queue_and_three_office_tabs(client, team_lead):
    login(client, team_lead)

    response = client.get("/desk/")

    assert [tab.key for tab in response.context["tabs"]] == ["mine", "front", "pgjo", "childcare"]


def test_logout_is_a_post_form(client, agent):
    login(client, agent)

    html = client.get("/desk/").content.decode()
    assert re.search(r'<form method="post" action="/logout/"', html)
    assert client.post("/logout/").status_code == 302
    assert client.get("/desk/").status_code == 302


# --- the acceptance flow ---------------------------------------------------------------------


def wrap_up(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "channel": "phone",
        "direction": "in",
        "origin": "",
        "office": "front",
        "postcode": "2000",
        "province": "",
        "topic": "family_support",
        "reasons": ["advice", "vaccination"],
        "referrals": ["gezinsbond"],
        "notes": "Vraag over vaccinatieschema.",
        "anonymous": "on",
        "customer_kind": "",
        "caller_name": "",
        "caller_phone": "",
        "caller_email": "",
        "escalate_to": "",
        "escalation_reason": "",
    }
    data.update(overrides)
    return data


def test_acceptance_flow_register_escalate_take_close_and_audit(client, agent, nurse, team_lead):
    # Given a front-office agent
    agent_client = login(Client(), agent)

    # The postcode lookup fills the province while typing
    lookup = agent_client.get("/desk/contacts/province/", {"postcode": "2000"})
    assert lookup.status_code == 200
    assert '<option value="BE-VAN" selected>' in lookup.content.decode()

    # When she registers an anonymous phone contact
    response = agent_client.post("/desk/contacts/new/", wrap_up())
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/contacts/{contact.pk}/"
    assert contact.channel == "phone"
    assert contact.direction == "in"
    assert contact.anonymous is True
    assert contact.province == "BE-VAN"
    assert contact.topic == "family_support"
    assert sorted(contact.reasons.values_list("code", flat=True)) == ["advice", "vaccination"]
    assert list(contact.referrals.values_list("code", flat=True)) == ["gezinsbond"]
    assert contact.customer is None
    detail = agent_client.get(response["Location"])
    assert f"{contact.reference}" in str(next(iter(detail.context["messages"])))

    # and escalates it to PGJO
    response = agent_client.post(
        f"/desk/contacts/{contact.pk}/escalate/",
        {"to_office": "pgjo", "reason": "Adviesvraag voor verpleegkundige."},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.office, contact.status, contact.handler) == ("pgjo", "escalated", None)

    # Then the nurse sees it in her PGJO queue, with the escalation reason
    nurse_client = login(Client(), nurse)
    queue = nurse_client.get("/desk/?queue=pgjo")
    assert [row.contact.pk for row in queue.context["rows"]] == [contact.pk]
    assert "Adviesvraag voor verpleegkundige." in queue.content.decode()

    # takes it up and closes it
    assert nurse_client.post(f"/desk/contacts/{contact.pk}/take/").status_code == 302
    mine = nurse_client.get("/desk/?queue=mine")
    assert [row.contact.pk for row in mine.context["rows"]] == [contact.pk]
    assert nurse_client.post(f"/desk/contacts/{contact.pk}/close/").status_code == 302
    contact.refresh_from_db()
    assert contact.status == Status.CLOSED
    assert contact.handler == nurse
    assert nurse_client.get("/desk/?queue=pgjo").context["rows"] == []

    # And the audit log shows each step
    lead_client = login(Client(), team_lead)
    lead_client.cookies["django_language"] = "en"
    audit = lead_client.get("/desk/audit/", {"reference": contact.reference})
    assert audit.status_code == 200
    steps = [(row.event.action, row.event.actor) for row in audit.context["rows"]]
    assert steps == [
        ("close", nurse),
        ("assign", nurse),
        ("escalate", agent),
        ("create", agent),
    ]
    html = audit.content.decode()
    for label in (">created<", ">escalated<", ">taken up<", ">closed<"):
        assert label in html
    assert "from Front office to Back office PGJO" in html


def test_register_and_escalate_in_one_go(client, agent):
    login(client, agent)

    response = client.post(
        "/desk/contacts/new/",
        wrap_up(escalate_to="pgjo", escalation_reason="Complexe vraag."),
    )

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert (contact.office, contact.status) == ("pgjo", "escalated")
    assert Escalation.objects.get().reason == "Complexe vraag."


def test_register_and_escalate_without_reason_saves_nothing(client, agent):
    login(client, agent)

    response = client.post("/desk/contacts/new/", wrap_up(escalate_to="pgjo"))

    assert response.status_code == 200
    assert "escalation_reason" in response.context["form"].errors
    assert Contact.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_the_escalation_reason_is_marked_as_required(client, agent):
    # Issue 16: required when escalating, for the eye (the marker) and for a screen reader.
    login(client, agent)

    html = client.get("/desk/contacts/new/").content.decode()

    assert re.search(r'<textarea name="escalation_reason"[^>]* aria-required="true"', html)
    assert re.search(
        r'<label for="id_escalation_reason">[^<]*<span class="required" aria-hidden="true">\*',
        html,
    )


def test_register_form_defaults_for_a_quick_wrap_up(client, agent):
    login(client, agent)

    response = client.get("/desk/contacts/new/")

    form = response.context["form"]
    assert response.status_code == 200
    assert form["channel"].value() == "phone"
    assert form["direction"].value() == "in"
    assert form["anonymous"].value() is True
    assert form["office"].value() == "front"
    html = response.content.decode()
    assert re.search(r'<input[^>]*name="postcode"[^>]*autofocus', html)
    assert 'name="health_note"' not in html
    assert re.search(r'<label[^>]*for="id_caller_name"', html)


def test_nurse_gets_the_health_note_field_and_her_office(client, nurse):
    login(client, nurse)

    response = client.get("/desk/contacts/new/")

    assert 'name="health_note"' in response.content.decode()
    assert response.context["form"]["office"].value() == "pgjo"


def test_inactive_reasons_are_not_offered(client, agent):
    services.reason_save(code="vaccination", name="Vaccinatievraag", active=False)
    login(client, agent)

    response = client.get("/desk/contacts/new/")

    assert 'value="vaccination"' not in response.content.decode()
    assert 'value="advice"' in response.content.decode()


@pytest.mark.parametrize(
    ("postcode", "message"),
    [("20", "A Belgian postcode has 4 digits."), ("0999", "Not a valid Belgian postcode")],
)
def test_postcode_lookup_reports_an_invalid_postcode_inline(client, agent, postcode, message):
    login(client, agent)

    response = client.get("/desk/contacts/province/", {"postcode": postcode, "province": "BE-VLI"})

    html = response.content.decode()
    assert message in html
    assert 'class="help error"' in html
    assert '<option value="BE-VLI" selected>' in html


def test_postcode_lookup_in_dutch(client_nl, agent):
    login(client_nl, agent)

    response = client_nl.get("/desk/contacts/province/", {"postcode": "9000"})

    assert "Postcode 9000: Oost-Vlaanderen." in response.content.decode()


# --- privacy ----------------------------------------------------------------------------------


def test_personal_data_on_an_anonymous_contact_is_refused_and_nothing_saved(client, agent):
    login(client, agent)

    response = client.post(
        "/desk/contacts/new/",
        wrap_up(caller_name="Jan Peeters", caller_phone="0470123456"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    message = (
        "An anonymous contact cannot hold personal data: leave this field empty "
        "or untick “anonymous”."
    )
    assert errors["caller_name"] == [message]
    assert errors["caller_phone"] == [message]
    html = response.content.decode()
    assert 'id="id_caller_name_error"' in html
    assert 'aria-invalid="true"' in html
    # The error summary links to the fields, which come back with their values: the page keeps
    # a field that holds a value enabled, so it can be cleared (issue 16).
    assert '<a href="#id_caller_name">' in html
    assert re.search(r'<input type="text" name="caller_name" value="Jan Peeters"[^>]*>', html)
    assert "disabled" not in re.search(r"<fieldset id=\"personal-data\"[^>]*>", html)[0]
    assert Contact.objects.count() == 0
    assert Customer.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_identified_contact_links_a_customer(client, agent):
    login(client, agent)

    response = client.post(
        "/desk/contacts/new/",
        wrap_up(
            anonymous="",
            customer_kind="parent",
            caller_name="Jan Peeters",
            caller_email="Jan@example.be",
        ),
    )

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert contact.anonymous is False
    assert contact.customer is not None
    assert (contact.customer.name, contact.customer.email) == ("Jan Peeters", "jan@example.be")
    detail = client.get(response["Location"])
    assert "Jan Peeters" in detail.content.decode()


def test_customer_error_saves_no_contact(client, agent):
    login(client, agent)

    response = client.post(
        "/desk/contacts/new/",
        wrap_up(anonymous="", customer_kind="parent", caller_name="", caller_email="x"),
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"caller_name", "caller_email"}
    assert Contact.objects.count() == 0
    assert Customer.objects.count() == 0


@pytest.fixture
def pgjo_contact_with_health_note(nurse: User) -> Contact:
    return services.contact_register(
        by=nurse,
        channel="chat",
        topic="family_support",
        health_note="Baby weegt te weinig; opvolgen.",
        anonymous=False,
        caller_name="Sara",
    )


def test_childcare_handler_gets_404_on_a_pgjo_contact(
    client, childcare_handler, pgjo_contact_with_health_note
):
    login(client, childcare_handler)
    pk = pgjo_contact_with_health_note.pk

    for url in (
        f"/desk/contacts/{pk}/",
        f"/desk/contacts/{pk}/edit/",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "Baby weegt te weinig" not in response.content.decode()
    assert client.post(f"/desk/contacts/{pk}/take/").status_code == 404
    search = client.get("/desk/contacts/search/", {"q": pgjo_contact_with_health_note.reference})
    assert search.context["results"] == []
    assert "Baby weegt te weinig" not in search.content.decode()


def test_nurse_sees_the_health_note_and_the_read_is_audited(
    client, nurse, pgjo_contact_with_health_note
):
    login(client, nurse)
    before = AuditEvent.objects.filter(action="view").count()

    response = client.get(f"/desk/contacts/{pgjo_contact_with_health_note.pk}/")

    assert response.status_code == 200
    assert "Baby weegt te weinig; opvolgen." in response.content.decode()
    assert AuditEvent.objects.filter(action="view").count() == before + 1


def test_front_office_agent_never_sees_health_note_text(client, agent, nurse):
    contact = services.contact_register(by=agent, channel="phone")
    services.contact_update(contact=contact, by=nurse, health_note="Geheime gezondheidsnota.")
    login(client, agent)

    response = client.get(f"/desk/contacts/{contact.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Geheime gezondheidsnota." not in html
    assert "Health note" not in html
    assert "Gezondheidsnotitie" not in html


def test_team_lead_sees_the_health_note_but_cannot_write_one(
    client, team_lead, pgjo_contact_with_health_note
):
    login(client, team_lead)
    pk = pgjo_contact_with_health_note.pk

    detail = client.get(f"/desk/contacts/{pk}/")
    edit = client.get(f"/desk/contacts/{pk}/edit/")

    assert "Baby weegt te weinig; opvolgen." in detail.content.decode()
    assert 'name="health_note"' not in edit.content.decode()


# --- detail actions, edit, search -------------------------------------------------------------


def test_escalate_without_permission_is_403(client, nurse):
    contact = services.contact_register(by=nurse, channel="chat")
    login(client, nurse)

    response = client.post(
        f"/desk/contacts/{contact.pk}/escalate/", {"to_office": "childcare", "reason": "x"}
    )

    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.office == Office.PGJO


def test_escalate_errors_are_shown_on_the_detail_page(client, agent):
    contact = services.contact_register(by=agent, channel="phone")
    login(client, agent)

    response = client.post(
        f"/desk/contacts/{contact.pk}/escalate/", {"to_office": "pgjo", "reason": " "}
    )

    assert response.status_code == 200
    assert response.context["escalate_form"].errors["reason"]
    assert Escalation.objects.count() == 0


def test_closing_a_closed_contact_shows_the_service_message(client, agent):
    contact = services.contact_register(by=agent, channel="phone")
    services.contact_close(contact=contact, by=agent)
    login(client, agent)

    response = client.post(f"/desk/contacts/{contact.pk}/close/", follow=True)

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["This contact is already closed."]
    assert response.context["can_reopen"] is True


def test_reopen_a_closed_contact(client, agent):
    contact = services.contact_register(by=agent, channel="phone")
    services.contact_close(contact=contact, by=agent)
    login(client, agent)

    client.post(f"/desk/contacts/{contact.pk}/reopen/")

    contact.refresh_from_db()
    assert contact.status == Status.OPEN


def test_edit_wrap_up_changes_the_contact_and_audits_field_names(client, agent):
    contact = services.contact_register(by=agent, channel="phone", reason_codes=["general"])
    login(client, agent)

    response = client.post(
        f"/desk/contacts/{contact.pk}/edit/",
        {
            "direction": "in",
            "postcode": "3500",
            "province": "",
            "topic": "childcare",
            "reasons": ["childcare-fees"],
            "notes": "Aangevuld.",
            "anonymous": "on",
        },
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.province, contact.topic, contact.notes) == ("BE-VLI", "childcare", "Aangevuld.")
    assert list(contact.reasons.values_list("code", flat=True)) == ["childcare-fees"]
    change = AuditEvent.objects.get(action="change")
    assert change.detail == {"fields": ["notes", "province", "topic", "reasons"]}


def test_search_by_reference_number_and_period(client, agent):
    first = services.contact_register(by=agent, channel="phone")
    services.contact_register(by=agent, channel="email")
    login(client, agent)

    by_reference = client.get("/desk/contacts/search/", {"q": first.reference})
    by_number = client.get("/desk/contacts/search/", {"q": str(first.pk)})
    by_period = client.get(
        "/desk/contacts/search/", {"date_from": "2000-01-01", "date_to": "2000-12-31"}
    )

    assert [c.pk for c in by_reference.context["results"]] == [first.pk]
    assert [c.pk for c in by_number.context["results"]] == [first.pk]
    assert by_period.context["results"] == []


def test_search_htmx_returns_only_the_results_partial(client, agent):
    contact = services.contact_register(
        by=agent, channel="phone", anonymous=False, caller_name="Fatima El Amrani"
    )
    login(client, agent)

    response = client.get("/desk/contacts/search/", {"q": "amrani"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert contact.reference in html
    assert "Fatima" not in html  # the list shows no personal data; the detail page is audited


def test_desk_htmx_tab_returns_only_the_tabs_and_panel(client, agent):
    login(client, agent)

    response = client.get("/desk/?queue=front", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queue-area"')
    assert "<header" not in html
    # the chosen tab is marked current in the swapped-in tabs
    assert 'href="?queue=front" class="tabs__tab" aria-current="page"' in html


def test_escalated_contact_shows_pickup_time(client, agent, nurse):
    contact = services.contact_register(by=agent, channel="phone")
    services.contact_escalate(contact=contact, to_office="pgjo", reason="Advies", by=agent)
    login(client, nurse)

    response = client.get("/desk/?queue=pgjo")

    row = response.context["rows"][0]
    assert row.escalation.reason == "Advies"
    assert row.pickup_at is not None
    expected = "from " if row.office_closed else "expected "
    assert expected in response.content.decode()


# --- audit log page ---------------------------------------------------------------------------


def test_audit_log_filters_by_user_and_action_and_paginates(client, agent, administrator):
    for _ in range(3):
        services.contact_register(by=agent, channel="phone")
    login(client, administrator)

    all_events = client.get("/desk/audit/")
    by_action = client.get("/desk/audit/", {"action": "close"})
    by_user = client.get("/desk/audit/", {"actor": "agent"})
    by_other_user = client.get("/desk/audit/", {"actor": "nobody"})
    bad_reference = client.get("/desk/audit/", {"reference": "abc"})

    assert len(all_events.context["rows"]) == 3
    assert by_action.context["rows"] == []
    assert len(by_user.context["rows"]) == 3
    assert by_other_user.context["rows"] == []
    assert bad_reference.context["reference_unknown"] is True
    assert bad_reference.context["rows"] == []
    # The administrator reads no contact content: references are not links for her.
    assert 'href="/desk/contacts/' not in all_events.content.decode()


def test_audit_log_pages_by_fifty(client, agent, team_lead):
    for _ in range(51):
        services.contact_register(by=agent, channel="phone")
    login(client, team_lead)

    first = client.get("/desk/audit/")
    second = client.get("/desk/audit/", {"page": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1
    assert 'rel="next"' in first.content.decode()


def test_audit_log_is_refused_to_front_office(client, agent):
    login(client, agent)

    assert client.get("/desk/audit/").status_code == 403


def test_language_switch_to_english(client, agent):
    login(client, agent)

    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/desk/"}, follow=True
    )

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "My queue" in html
