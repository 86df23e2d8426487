"""One intake for every kind (issue 17 item 2): the service, the public form, hostile input."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.cases.services import CaseInvalid, ReporterData, case_create
from kglijn.opgroeipunt.models import Case, CaseEvent, Reporter
from kglijn.outbox.models import OutboundMail
from tests.opgroeipunt.intake_helpers import make_location

pytestmark = pytest.mark.django_db

URL = "/melden/"


@pytest.fixture(autouse=True)
def _own_cache(settings: Any) -> None:
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


def nothing_written() -> bool:
    return (
        not Case.objects.exists()
        and not Reporter.objects.exists()
        and not CaseEvent.objects.exists()
        and not OutboundMail.objects.exists()
    )


def post(client: Client, ip: str = "192.0.2.20", **fields: Any) -> Any:
    data = {
        "kind": "signal",
        "description": "De kinderen zitten de hele dag binnen.",
        "consent": "on",
        **fields,
    }
    return client.post(URL, {k: v for k, v in data.items() if v is not None}, REMOTE_ADDR=ip)


# --- The service ---------------------------------------------------------------------------


def test_a_signal_with_a_reporter_and_a_location() -> None:
    location = make_location()
    case = case_create(
        kind="signal",
        source="staff",
        description="Te weinig begeleiders.",
        locations=["L1"],
        reporter=ReporterData(name="An Peeters", email="an@voorbeeld.be", relation="ouder"),
    )
    assert case.status == "new"
    assert list(case.locations.all()) == [location]
    assert case.regional_team == location.regional_team
    assert not case.urgent
    assert case.urgent_due_at is None
    assert Reporter.objects.get(case=case).email == "an@voorbeeld.be"
    event = CaseEvent.objects.get(case=case)
    assert event.what == "created"
    assert event.changes["locations"] == ["L1"]
    assert event.changes["reporter"] is True
    assert AuditEvent.objects.filter(object_type="opgroeipunt_case", object_id=case.pk).exists()
    assert not OutboundMail.objects.exists()  # not urgent: no mail


def test_anonymous_case_has_no_reporter_row() -> None:
    case = case_create(kind="report", source="staff", description="x", reporter=ReporterData())
    assert not Reporter.objects.filter(case=case).exists()


def test_a_staff_shortage_report_keeps_its_measures() -> None:
    make_location()
    case = case_create(
        kind="staff_shortage",
        source="public_form",
        locations=["L1"],
        description="Twee begeleiders ziek.",
        measures=["reduced_hours", "closing_days"],
        measures_from=dt.date(2026, 12, 14),
        measures_until=dt.date(2026, 12, 18),
    )
    assert case.measures == ["reduced_hours", "closing_days"]
    assert (case.measures_from, case.measures_until) == (
        dt.date(2026, 12, 14),
        dt.date(2026, 12, 18),
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "gossip"}, "kind", "Kies de soort"),
        ({"source": "fax"}, "source", "Kies waar"),
        ({"description": "a\x00b"}, "description", "NUL"),
        ({"description": "x" * 10_001}, "description", "Hoogstens 10000 tekens"),
        ({"subject": "y" * 201}, "subject", "Hoogstens 200 tekens"),
        ({"received_at": dt.datetime(1999, 12, 31, tzinfo=dt.UTC)}, "received_at", "2000"),
        ({"received_at": timezone.now() + dt.timedelta(days=3)}, "received_at", "morgen"),
        ({"received_at": dt.datetime(2024, 1, 1)}, "received_at", "tijdzone"),
        ({"locations": ["NOPE"]}, "locations", "Onbekende locatie"),
        ({"reporter": ReporterData(email="geen-adres")}, "reporter_email", "geldig e-mailadres"),
        ({"reporter": ReporterData(phone="bel me")}, "reporter_phone", "telefoonnummer"),
        ({"measures": ["reduced_hours"]}, "measures", "personeelstekort"),
        ({"kind": "danger", "urgent": False}, "urgent", "altijd dringend"),
        ({"external_id": "z" * 65}, "external_id", "Hoogstens 64"),
    ],
)
def test_bad_input_is_refused_per_field_in_dutch_and_nothing_is_written(
    fields: dict[str, Any], field: str, message: str
) -> None:
    data: dict[str, Any] = {"kind": "report", "source": "staff", "description": "Iets."}
    data.update(fields)
    with pytest.raises(CaseInvalid) as caught:
        case_create(**data)
    assert field in caught.value.errors
    assert message in caught.value.errors[field]
    assert nothing_written()


def test_staff_shortage_needs_measures_and_sane_dates() -> None:
    with pytest.raises(CaseInvalid) as caught:
        case_create(
            kind="staff_shortage",
            source="staff",
            description="x",
            measures=["teleport"],
            measures_from=dt.date(1990, 1, 1),
            measures_until=dt.date(1989, 1, 1),
        )
    errors = caught.value.errors
    assert "Onbekende maatregel" in errors["measures"]
    assert "2000" in errors["measures_from"]
    assert "measures_until" in errors
    assert nothing_written()


def test_a_duplicate_external_id_is_refused() -> None:
    case_create(kind="report", source="api", description="x", external_id="EXT-1")
    with pytest.raises(CaseInvalid) as caught:
        case_create(kind="report", source="api", description="y", external_id="EXT-1")
    assert "external_id" in caught.value.errors
    assert Case.objects.count() == 1


# --- The public form -----------------------------------------------------------------------


def test_the_public_form_is_dutch_uses_je_and_warns_about_anonymous_complaints(
    client: Client,
) -> None:
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in html
    assert "112" in html
    assert "anonieme klacht" in html.lower()
    assert "je " in html  # "je" to citizens
    assert 'name="kg_extra"' in html
    assert "https://" not in html


def test_anonymous_public_report_stores_no_reporter(client: Client) -> None:
    response = post(client)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.source == "public_form"
    assert not Reporter.objects.exists()
    thanks = client.get(response["Location"])
    assert f"OP-{case.pk}" in thanks.content.decode()


def test_public_location_matched_on_name_and_postcode_else_kept_in_the_text(
    client: Client,
) -> None:
    make_location(name="Het Nestje", postcode="9000")
    post(client, location_name="het nestje", location_postcode="9000")
    matched = Case.objects.get()
    assert [loc.external_id for loc in matched.locations.all()] == ["L1"]
    post(client, ip="192.0.2.21", location_name="De Rups", location_postcode="2000")
    unmatched = Case.objects.exclude(pk=matched.pk).get()
    assert not unmatched.locations.exists()
    assert unmatched.description.startswith("Opvanglocatie (zoals opgegeven): De Rups, 2000")


def test_a_complaint_with_contact_details_keeps_them_as_reporter(client: Client) -> None:
    post(client, kind="complaint", name="Jan", email="jan@voorbeeld.be", phone="09 123 45 67")
    reporter = Reporter.objects.get()
    assert (reporter.name, reporter.email, reporter.phone) == (
        "Jan",
        "jan@voorbeeld.be",
        "09 123 45 67",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": "ab\x00cd"}, "NUL"),
        ({"description": "x" * 10_001}, "te lang"),
        ({"kind": "gossip"}, "Kies wat je wilt melden"),
        ({"consent": None}, "Vink aan"),
        ({"email": "geen-adres"}, "geldig e-mailadres"),
        ({"location_postcode": "90000"}, "4 cijfers"),
        (
            {"kind": "staff_shortage", "measures": "reduced_hours", "measures_from": "31/02/2026"},
            "geldige datum",
        ),
        (
            {"kind": "staff_shortage", "measures": "reduced_hours", "measures_from": "1990-01-01"},
            "2000",
        ),
    ],
)
def test_hostile_public_input_gives_dutch_field_errors_and_writes_nothing(
    client: Client, fields: dict[str, Any], message: str
) -> None:
    response = post(client, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "data-error-summary" in html
    assert nothing_written()


def test_the_honeypot_looks_like_success_and_stores_nothing(client: Client) -> None:
    response = post(client, kg_extra="http://spam.example")
    assert response.status_code == 200
    assert nothing_written()


def test_the_public_form_is_rate_limited(client: Client, settings: Any) -> None:
    settings.KGLIJN_OPGROEIPUNT_FORM_LIMIT = 2
    assert post(client).status_code == 302
    assert post(client).status_code == 302
    response = post(client)
    assert response.status_code == 429
    assert Case.objects.count() == 2
    assert post(client, ip="192.0.2.99").status_code == 302  # another address


def test_the_thanks_link_is_signed(client: Client) -> None:
    assert client.get("/melden/bedankt/vervalst/").status_code == 404
    response = post(client)
    assert re.match(r"^/melden/bedankt/[^/]+/$", response["Location"])
