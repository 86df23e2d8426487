"""Active transparency and passive openness (issue 18 item 6): the public location pages show
only what may be public; requests for documents are registered with their 3-working-day term,
answered once, and their requester is read only with the right, audit-logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.cases.services import ReporterData, case_create
from kglijn.opgroeipunt.models import (
    DocumentRequest,
    EnforcementTrack,
    InspectionVisit,
    Location,
    OutgoingChange,
)
from kglijn.opgroeipunt.terms import openness_due, openness_term
from kglijn.opgroeipunt.transparency.selectors import document_requests, request_rows
from kglijn.opgroeipunt.transparency.services import (
    DocumentRequestInvalid,
    document_request_create,
    document_request_handle,
)
from tests.opgroeipunt.test_decisions import make_location, propose, step

pytestmark = pytest.mark.django_db

REPORTER = ReporterData(name="Sara Peeters", email="sara.peeters@example.be", phone="0471234567")
DESCRIPTION = "Onze zoon Lotte-Jan kwam thuis met een blauwe plek."


@pytest.fixture
def managers(make_user: Callable[..., User]) -> tuple[User, User]:
    return make_user("childcare_customer_manager", "anna.claes"), make_user(
        "opgroeipunt_team_lead", "bert.wouters"
    )


def _visit(location: Location, external_id: str, **kw: object) -> InspectionVisit:
    values: dict[str, object] = {
        "external_id": external_id,
        "location": location,
        "visited_on": dt.date(2026, 3, 2),
        "types": ["regular", "complaint"],
        "findings": [{"theme": "veiligheid", "severity": "major", "text": "Trap zonder hekje"}],
        "report_reference": f"ZI-{external_id}",
        "report_url": f"https://zorginspectie.example.be/verslagen/{external_id}.pdf",
        **kw,
    }
    return InspectionVisit.objects.create(**values)


def _public(client: Client, external_id: str) -> str:
    response = client.get(reverse("opgroeipunt_transparency:location", args=[external_id]))
    assert response.status_code == 200
    assert response["Content-Language"] == "nl"
    return response.content.decode()


# --- the public location page ------------------------------------------------------------------


def test_the_public_page_shows_the_location_its_published_reports_and_decided_enforcement(
    client: Client, managers: tuple[User, User]
) -> None:
    anna, bert = managers
    location = make_location("LOC1", spoc=anna)
    _visit(location, "V1", report_published_on=dt.date(2026, 3, 20))
    _visit(location, "V2", visited_on=dt.date(2026, 5, 4))  # report not published
    _visit(location, "V3", report_published_on=dt.date(2026, 1, 5), active=False)  # withdrawn
    case_create(
        kind="complaint",
        source="staff",
        subject="Blauwe plek",
        description=DESCRIPTION,
        locations=[location],
        reporter=REPORTER,
        created_by=anna,
    )
    html = _public(client, "LOC1")
    assert "Het Nestje LOC1" in html
    assert "Vzw Kindjes" in html
    assert "9000" in html
    assert "Oost-Vlaanderen" in html
    assert "Groepsopvang" in html
    assert "ZI-V1" in html
    assert "https://zorginspectie.example.be/verslagen/V1.pdf" in html
    assert "20/03/2026" in html
    assert "Reguliere inspectie" in html
    assert "ZI-V2" not in html
    assert "ZI-V3" not in html
    # a proposal is not a decision: nothing about enforcement yet
    propose(anna, "warning", location=location)
    html = _public(client, "LOC1")
    assert "Er loopt geen handhavingstraject" in html
    assert "data-enforcement" not in html
    # decided: the state, and once recorded, the plan of approach
    step(location, "enforcement_started", anna, bert)
    html = _public(client, "LOC1")
    assert 'data-enforcement="improvement_track"' in html
    assert "nog geen plan van aanpak" in html
    EnforcementTrack.objects.filter(location=location).update(
        plan_of_approach_on=dt.date(2026, 6, 1)
    )
    html = _public(client, "LOC1")
    assert "plan van aanpak (sinds 01/06/2026)" in html
    # nothing personal, no case text, no names of people, no findings' text
    for secret in (
        REPORTER.name,
        REPORTER.email,
        REPORTER.phone,
        DESCRIPTION,
        "Blauwe plek",
        "Trap zonder hekje",
        "anna.claes",
        "bert.wouters",
        "Zie verslag",  # the proposal's motivation
    ):
        assert secret not in html, secret


@pytest.mark.parametrize("external_id", ["NOPE", "INACTIVE", "L\x00X", "x" * 65])
def test_unknown_inactive_or_impossible_locations_are_not_found(
    client: Client, external_id: str
) -> None:
    make_location("INACTIVE", active=False)
    response = client.get(f"/kinderopvang/{external_id}/")
    assert response.status_code == 404


def test_the_public_index_finds_active_locations_by_name_organiser_postcode_and_province(
    client: Client,
) -> None:
    make_location("A1", name="De Speelvogel", postcode="2000", province="BE-VAN")
    make_location("A2", name="Kribbebijtertjes", postcode="9000")
    make_location("A3", name="De Speelhoek", postcode="9000", active=False)
    url = reverse("opgroeipunt_transparency:index")

    def names(query: str) -> list[str]:
        response = client.get(url + query)
        assert response.status_code == 200
        text = response.content.decode()
        return [
            name for name in ("De Speelvogel", "Kribbebijtertjes", "De Speelhoek") if name in text
        ]

    assert names("") == ["De Speelvogel", "Kribbebijtertjes"]
    assert names("?q=speel") == ["De Speelvogel"]
    assert names("?q=9000") == ["Kribbebijtertjes"]
    assert names("?q=kindjes") == ["De Speelvogel", "Kribbebijtertjes"]  # the organiser
    assert names("?province=BE-VAN") == ["De Speelvogel"]
    assert names("?province=XX") == ["De Speelvogel", "Kribbebijtertjes"]  # a bad filter: all


def test_the_public_index_is_paginated(client: Client) -> None:
    for number in range(30):
        make_location(f"P{number:02d}", name=f"Opvang {number:02d}")
    url = reverse("opgroeipunt_transparency:index")
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert "Opvang 24" in first
    assert "Opvang 25" not in first
    assert "Opvang 25" in second
    assert "Opvang 29" in second
    assert "Pagina 1 van 2" in first


# --- the plan of approach ----------------------------------------------------------------------


def test_the_team_lead_records_the_plan_of_approach_audited_and_sent_out(
    client: Client, managers: tuple[User, User]
) -> None:
    anna, bert = managers
    location = make_location("LOC1")
    url = reverse("opgroeipunt:plan_of_approach", args=["LOC1"])
    client.force_login(bert)
    today = timezone.localdate()
    response = client.post(url, {"on": today.isoformat()})
    assert response.status_code == 400  # no open track
    assert "geen lopend handhavingstraject" in response.content.decode()
    step(location, "warning", anna, bert)
    events = OutgoingChange.objects.count()
    response = client.post(url, {"on": (today + dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 400  # in the future
    response = client.post(url, {"on": today.isoformat()})
    assert response.status_code == 302
    track = EnforcementTrack.objects.get(location=location)
    assert track.plan_of_approach_on == today
    audit = AuditEvent.objects.filter(object_type="opgroeipunt_enforcement_track").get()
    assert (audit.actor, audit.object_id) == (bert, track.pk)
    assert OutgoingChange.objects.count() == events + 1
    # a customer manager may not (change_location is the team lead's)
    client.force_login(anna)
    assert client.get(url).status_code == 403
    assert client.post(url, {"on": today.isoformat()}).status_code == 403


# --- passive openness --------------------------------------------------------------------------


def test_the_term_is_three_working_days_on_the_business_calendar() -> None:
    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(10), tzinfo=BRUSSELS)

    assert openness_due(at(dt.date(2026, 12, 1))) == dt.date(2026, 12, 4)  # Tue -> Fri
    assert openness_due(at(dt.date(2026, 12, 3))) == dt.date(2026, 12, 8)  # Thu -> Tue
    # Christmas and the weekend do not count; a Saturday's day 0 is the Monday
    assert openness_due(at(dt.date(2026, 12, 24))) == dt.date(2026, 12, 30)
    assert openness_due(at(dt.date(2026, 12, 5))) == dt.date(2026, 12, 10)
    due = dt.date(2026, 12, 4)
    assert openness_term(due=due, answered_at=None, now=at(due)).status == "on_time"
    assert openness_term(due=due, answered_at=None, now=at(dt.date(2026, 12, 7))).status == "late"
    late = openness_term(due=due, answered_at=None, now=at(dt.date(2026, 12, 10)))
    assert late.status == "far_too_late"
    assert openness_term(due=due, answered_at=at(due), now=at(dt.date(2026, 12, 20))).status == (
        "on_time"
    )


def test_register_and_answer_a_request_once(managers: tuple[User, User]) -> None:
    anna, _bert = managers
    location = make_location("LOC1")
    with pytest.raises(DocumentRequestInvalid) as refused:
        document_request_create(
            requester_name="", requester_email="geen-adres", subject="", by=anna
        )
    assert set(refused.value.errors) == {"requester_name", "requester_email", "subject"}
    assert DocumentRequest.objects.count() == 0
    request = document_request_create(
        requester_name="Jan Journalist",
        requester_email="jan@krant.example.be",
        subject="Het inspectieverslag van maart.",
        location=location,
        by=anna,
    )
    assert request.due_on == openness_due(request.received_at)
    with pytest.raises(DocumentRequestInvalid) as refused:
        document_request_handle(request_id=request.pk, status="granted", answer=" ", by=anna)
    assert set(refused.value.errors) == {"answer"}
    with pytest.raises(DocumentRequestInvalid):
        document_request_handle(request_id=request.pk, status="received", answer="x", by=anna)
    handled = document_request_handle(
        request_id=request.pk, status="partly_granted", answer="Verslag zonder namen.", by=anna
    )
    assert (handled.status, handled.handled_by) == ("partly_granted", anna)
    with pytest.raises(DocumentRequestInvalid) as refused:
        document_request_handle(request_id=request.pk, status="refused", answer="Nee.", by=anna)
    assert set(refused.value.errors) == {"status"}
    request.refresh_from_db()
    assert request.status == "partly_granted"
    assert request.answer == "Verslag zonder namen."
    actions = list(
        AuditEvent.objects.filter(object_type="opgroeipunt_document_request")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "change"]


def test_the_register_pages_filter_open_and_late_and_audit_the_requester(
    client: Client, managers: tuple[User, User]
) -> None:
    anna, _bert = managers
    long_ago = timezone.now() - dt.timedelta(days=20)
    late = document_request_create(
        requester_name="Lien Laat",
        requester_email="lien@example.be",
        subject="Oud verzoek",
        received_at=long_ago,
        by=anna,
    )
    fresh = document_request_create(
        requester_name="Fien Vers", requester_email="fien@example.be", subject="Nieuw", by=anna
    )
    client.force_login(anna)
    url = reverse("opgroeipunt:document_requests")
    page = client.get(url).content.decode()
    assert f"Verzoek {late.pk}" in page
    assert f"Verzoek {fresh.pk}" in page
    assert "Lien Laat" not in page
    assert "lien@example.be" not in page
    assert "1 open verzoek is over zijn termijn" in page
    late_page = client.get(url + "?show=late").content.decode()
    assert f"Verzoek {late.pk}" in late_page
    assert f"Verzoek {fresh.pk}" not in late_page
    assert 'data-term="far_too_late"' in late_page
    assert AuditEvent.objects.filter(action="view").count() == 0
    detail = client.get(reverse("opgroeipunt:document_request_detail", args=[late.pk]))
    assert "Lien Laat" in detail.content.decode()
    view = AuditEvent.objects.get(action="view")
    assert (view.actor, view.object_type, view.object_id) == (
        anna,
        "opgroeipunt_document_request",
        late.pk,
    )
    # answered through the page
    response = client.post(
        reverse("opgroeipunt:document_request_detail", args=[fresh.pk]),
        {"status": "refused", "answer": "Dit document bestaat niet."},
    )
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.status == "refused"
    # a new request through the form: a bad location is named, nothing written
    new = reverse("opgroeipunt:document_request_new")
    response = client.post(
        new,
        {
            "requester_name": "X",
            "requester_email": "x@example.be",
            "subject": "Y",
            "location": "NOPE",
        },
    )
    assert response.status_code == 400
    assert "Geen locatie met dit extern id" in response.content.decode()
    assert DocumentRequest.objects.count() == 2


def test_other_roles_do_not_see_requests(client: Client, make_user: Callable[..., User]) -> None:
    client.force_login(make_user("front_office", "desk"))
    assert client.get(reverse("opgroeipunt:document_requests")).status_code == 403
    assert client.get(reverse("opgroeipunt:sync_outgoing")).status_code == 403


# --- the outgoing status page ------------------------------------------------------------------


def test_the_outgoing_page_shows_problems_and_the_team_lead_sends_a_failed_event_again(
    client: Client, managers: tuple[User, User]
) -> None:
    anna, bert = managers
    location = make_location("LOC1")
    step(location, "enforcement_started", anna, bert)
    change = OutgoingChange.objects.order_by("id").first()
    assert change is not None
    OutgoingChange.objects.filter(pk=change.pk).update(
        webhook_state="failed", webhook_error="HTTP 500", webhook_attempts=12
    )
    url = reverse("opgroeipunt:sync_outgoing")
    client.force_login(anna)
    page = client.get(url).content.decode()
    assert str(change.event_id) in page
    assert "HTTP 500" in page
    assert 'data-count="failed">1<' in page
    assert client.post(url, {"event_id": str(change.event_id)}).status_code == 403
    client.force_login(bert)
    assert client.post(url, {"event_id": "not-a-uuid"}).status_code == 302
    assert client.post(url, {"event_id": str(change.event_id)}).status_code == 302
    change.refresh_from_db()
    assert (change.webhook_state, change.webhook_attempts) == ("pending", 0)


def test_the_register_is_paginated_with_its_true_total_and_keeps_its_filter(
    client: Client, managers: tuple[User, User]
) -> None:
    anna, _bert = managers
    for n in range(55):
        document_request_create(
            requester_name=f"Aanvrager {n}",
            requester_email=f"a{n}@example.be",
            subject="Verslag",
            by=anna,
        )
    client.force_login(anna)
    url = reverse("opgroeipunt:document_requests")
    first = client.get(url, {"show": "open"}).content.decode()
    assert "55 verzoeken" in first
    assert first.count('href="/opgroeipunt/openbaarheid/') >= 50
    assert "?show=open&amp;page=2" in first
    second = client.get(url, {"show": "open", "page": 2}).content.decode()
    assert "Pagina 2 van 2" in second
    assert "?show=open&amp;page=1" in second


def test_the_late_filter_in_sql_agrees_with_the_term_of_every_request(
    managers: tuple[User, User],
) -> None:
    """Open past the due date, or answered on a day after it: the register's "late" query
    picks exactly the requests whose openness_term is not on time."""
    anna, _bert = managers
    received = timezone.now() - dt.timedelta(days=30)
    made = [
        document_request_create(
            requester_name=f"R{n}", requester_email=f"r{n}@example.be", subject="S",
            received_at=received, by=anna,
        )
        for n in range(4)
    ]  # fmt: skip
    due = made[0].due_on
    noon = dt.time(12, 0, tzinfo=BRUSSELS)
    answers = {
        made[0].pk: dt.datetime.combine(due, noon),  # on its last day: on time
        made[1].pk: dt.datetime.combine(due + dt.timedelta(days=1), noon),  # a day late
        made[2].pk: dt.datetime.combine(due, dt.time(23, 30, tzinfo=BRUSSELS)),  # late evening
    }  # made[3] stays open, past its due date
    for pk, at in answers.items():
        DocumentRequest.objects.filter(pk=pk).update(status="granted", answered_at=at)
    late, _overdue = document_requests(show="late")
    everything, _overdue = document_requests()
    expected = {row.request.pk for row in request_rows(everything) if row.term.status != "on_time"}
    assert {request.pk for request in late} == expected == {made[1].pk, made[3].pk}
