"""The case pages (issue 17 items 2-4): who may see them, the audited reporter, the handler's
steps with their history, the list's filters, staff intake and the yearly complaints report."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import openpyxl
import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.cases.selectors import case_reporter
from kglijn.opgroeipunt.cases.services import (
    CaseInvalid,
    ReporterData,
    case_create,
    case_take,
    case_update,
)
from kglijn.opgroeipunt.models import Case, CaseEvent, Decision, NotAdmissibleReason
from tests.opgroeipunt.intake_helpers import make_location

pytestmark = pytest.mark.django_db

KG_LIJN_ROLES = (
    "front_office",
    "pgjo_nurse",
    "childcare_handler",
    "team_lead",
    "information_manager",
    "analyst",
    "administrator",
)


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=BRUSSELS)


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("childcare_customer_manager", "km")


@pytest.fixture
def manager_client(manager: User) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def reporter_reads(case: Case) -> int:
    return AuditEvent.objects.filter(
        object_type="opgroeipunt_case", object_id=case.pk, action="view"
    ).count()


@pytest.mark.parametrize("role", KG_LIJN_ROLES)
def test_kg_lijn_roles_are_refused(make_user: Callable[..., User], role: str) -> None:
    case = case_create(kind="signal", source="staff", description="x")
    client = Client()
    client.force_login(make_user(role, role))
    for url in (
        "/opgroeipunt/meldingen/",
        f"/opgroeipunt/meldingen/{case.pk}/",
        "/opgroeipunt/meldingen/nieuw/",
        "/opgroeipunt/klachtenrapport/",
        "/opgroeipunt/klachtenrapport/excel/",
    ):
        assert client.get(url).status_code == 403, url


def test_the_reporter_is_shown_to_the_team_and_every_read_is_audited(
    manager_client: Client,
) -> None:
    case = case_create(
        kind="complaint",
        source="staff",
        description="x",
        reporter=ReporterData(name="Els Janssens", email="els@voorbeeld.be"),
    )
    html = manager_client.get(f"/opgroeipunt/meldingen/{case.pk}/").content.decode()
    assert "Els Janssens" in html
    assert reporter_reads(case) == 1
    manager_client.get(f"/opgroeipunt/meldingen/{case.pk}/")
    assert reporter_reads(case) == 2


def test_without_the_permission_the_reporter_is_refused_and_not_read(
    make_user: Callable[..., User],
) -> None:
    case = case_create(
        kind="complaint", source="staff", description="x", reporter=ReporterData(name="Els")
    )
    reader = make_user("analyst", "reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_case"))
    reader = User.objects.get(pk=reader.pk)  # fresh permission cache
    with pytest.raises(PermissionDenied):
        case_reporter(case=case, user=reader)
    client = Client()
    client.force_login(reader)
    html = client.get(f"/opgroeipunt/meldingen/{case.pk}/").content.decode()
    assert "Els" not in html
    assert "Alleen het behandelende team" in html
    assert reporter_reads(case) == 0


def test_the_selector_reads_an_anonymous_case_without_an_audit_event(manager: User) -> None:
    case = case_create(kind="signal", source="staff", description="x")
    assert case_reporter(case=case, user=manager) is None
    assert reporter_reads(case) == 0


def test_take_and_steps_write_the_history_with_old_and_new(
    manager: User, manager_client: Client
) -> None:
    case = case_create(kind="complaint", source="staff", description="x")
    assert manager_client.post(f"/opgroeipunt/meldingen/{case.pk}/opnemen/").status_code == 302
    case.refresh_from_db()
    assert (case.status, case.handler) == ("in_progress", manager)
    response = manager_client.post(
        f"/opgroeipunt/meldingen/{case.pk}/stappen/",
        {
            "acknowledged_at": case.received_at.astimezone(BRUSSELS).strftime("%Y-%m-%dT%H:%M"),
            "conciliation": "Gesprek met de organisator.",
            "handler_not_involved": "on",
            "ombudsman_informed": "on",
            "note": "Eerste stappen",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.acknowledged_at is not None
    assert case.conciliation == "Gesprek met de organisator."
    assert case.handler_not_involved
    assert case.ombudsman_informed
    events = {event.what: event for event in CaseEvent.objects.filter(case=case)}
    assert set(events) == {
        "created",
        "taken",
        "acknowledged_at",
        "conciliation",
        "handler_not_involved",
        "ombudsman_informed",
    }
    assert events["conciliation"].changes == {"conciliation": ["", "Gesprek met de organisator."]}
    assert events["taken"].changes["status"] == ["new", "in_progress"]
    html = manager_client.get(f"/opgroeipunt/meldingen/{case.pk}/").content.decode()
    assert 'data-event="ombudsman_informed"' in html
    assert 'data-term="acknowledgment" data-term-status="on_time"' in html

    manager_client.post(f"/opgroeipunt/meldingen/{case.pk}/stappen/", {"close": "on"})
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.closed_at is not None


def test_bad_steps_are_refused_in_dutch_and_nothing_changes(
    manager: User, manager_client: Client
) -> None:
    case = case_create(kind="danger", source="staff", description="x")
    with pytest.raises(CaseInvalid) as caught:
        case_update(case=case, user=manager, close=True)
    assert "Neem de zaak eerst op" in caught.value.errors["status"]
    case_take(case=case, user=manager)
    before = CaseEvent.objects.count()
    response = manager_client.post(
        f"/opgroeipunt/meldingen/{case.pk}/stappen/",
        {"close": "on", "answered_at": "1999-01-01T10:00"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "vier-ogenprincipe" in html
    with pytest.raises(CaseInvalid) as caught:
        case_update(case=case, user=manager, conciliation="bemiddeld")
    assert "hoort bij een klacht" in caught.value.errors["conciliation"]
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert case.answered_at is None
    assert CaseEvent.objects.count() == before


def test_staff_intake_page(manager_client: Client) -> None:
    make_location()
    assert manager_client.get("/opgroeipunt/meldingen/nieuw/").status_code == 200
    response = manager_client.post(
        "/opgroeipunt/meldingen/nieuw/",
        {
            "kind": "report",
            "source": "inspection",
            "locations": "L1",
            "description": "Vaststelling Zorginspectie",
            "urgent": "on",
            "reporter_name": "Inspecteur",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.created_by is not None
    assert (case.source, case.urgent, case.created_by.username) == ("inspection", True, "km")
    bad = manager_client.post(
        "/opgroeipunt/meldingen/nieuw/",
        {
            "kind": "report",
            "source": "staff",
            "received_at": "2099-01-01T10:00",
            "description": "x\x00",
            "reporter_email": "nee",
        },
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "NUL" in html
    assert Case.objects.count() == 1


def test_the_list_filters_on_kind_team_and_term_status(manager_client: Client) -> None:
    make_location("L1", team="Regionaal team 3")
    far = case_create(
        kind="complaint", source="staff", description="oud", received_at=at(2025, 1, 6)
    )
    fresh = case_create(kind="complaint", source="staff", description="nieuw", locations=["L1"])
    signal = case_create(kind="signal", source="staff", description="signaal")

    def ids(query: str) -> set[int]:
        response = manager_client.get(f"/opgroeipunt/meldingen/?{query}")
        assert response.status_code == 200
        html = response.content.decode()
        return {case.pk for case in (far, fresh, signal) if f'data-case="{case.pk}"' in html}

    assert ids("") == {far.pk, fresh.pk, signal.pk}
    assert ids("kind=complaint") == {far.pk, fresh.pk}
    assert ids("term=far_too_late") == {far.pk}
    assert ids("term=on_time") == {fresh.pk}
    assert ids(f"team={fresh.regional_team_id}") == {fresh.pk}
    bad = manager_client.get("/opgroeipunt/meldingen/?kind=nope&pagina=x")
    assert bad.status_code == 400


def test_the_complaints_report_page_and_excel(manager_client: Client) -> None:
    admissible = case_create(
        kind="complaint",
        source="staff",
        description="a",
        received_at=at(2025, 3, 3),
        reporter=ReporterData(name="K"),
    )
    Case.objects.filter(pk=admissible.pk).update(
        admissible=True,
        acknowledged_at=at(2025, 3, 5),
        answered_at=at(2025, 6, 30),  # 45 days after 3 March: 17 April; far too late after 1 June
        conciliation="bemiddeld",
        ombudsman_informed=True,
    )
    refused = case_create(
        kind="complaint", source="staff", description="b", received_at=at(2025, 3, 10)
    )
    Case.objects.filter(pk=refused.pk).update(
        admissible=False, admissibility_reason="already_handled"
    )
    Decision.objects.create(
        kind="not_admissible", source="import", case=refused, decided_at=at(2025, 3, 14)
    )
    case_create(kind="danger", source="import", description="c", received_at=at(2025, 7, 1))
    case_create(
        kind="complaint", source="staff", description="other year", received_at=at(2024, 12, 31, 23)
    )

    response = manager_client.get("/opgroeipunt/klachtenrapport/?year=2025")
    assert response.status_code == 200
    report = response.context["report"]
    assert report.complaints == 2
    assert (report.admissible, report.not_admissible, report.undecided) == (1, 1, 0)
    assert report.anonymous == 1
    assert report.reasons["already_handled"] == 1
    assert report.per_kind_month["complaint"][2] == 2
    assert report.per_kind_month["danger"][6] == 1
    assert report.conciliation == 1
    assert report.ombudsman_informed == 1
    assert report.terms["answer"].far_too_late == 1
    assert report.terms["refusal"].on_time == 1
    assert report.terms["acknowledgment"].on_time == 1
    assert (
        report.terms["acknowledgment"].far_too_late == 1
    )  # the refused one was never acknowledged
    html = response.content.decode()
    assert "Klachtenrapport 2025" in html

    xlsx = manager_client.get("/opgroeipunt/klachtenrapport/excel/?year=2025")
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == 'attachment; filename="klachtenrapport-2025.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert cells["Ontvangen klachten"] == 2
    assert cells["Niet ontvankelijk"] == 1
    with translation.override("nl-be"):
        reason = str(NotAdmissibleReason.ALREADY_HANDLED.label)
    assert cells[reason] == 1

    assert manager_client.get("/opgroeipunt/klachtenrapport/?year=1999").status_code == 400
    assert manager_client.get("/opgroeipunt/klachtenrapport/excel/?year=abc").status_code == 400
