"""The urgent lane (issue 17 item 3): urgent at once, the term, one mail to the team through the
outbox, escalation to the team leads exactly once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from kglijn.opgroeipunt.cases.jobs import urgent_escalate
from kglijn.opgroeipunt.cases.mail import ESCALATION_PURPOSE, URGENT_PURPOSE
from kglijn.opgroeipunt.cases.services import ReporterData, case_create, case_take
from kglijn.opgroeipunt.models import Case, CaseEvent
from kglijn.outbox.models import OutboundMail
from kglijn.outbox.services import outbox_send
from tests.opgroeipunt.intake_helpers import make_location

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings: Any) -> None:
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


def test_a_danger_situation_from_the_public_form_is_urgent_at_once_with_one_team_mail(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_location(team="Regionaal team 2")
    before = timezone.now()
    response = client.post(
        "/melden/",
        {
            "kind": "danger",
            "location_name": "L1",
            "description": "Een kind werd alleen buiten gelaten.",
            "consent": "on",
            "name": "Mira",
            "email": "mira@voorbeeld.be",
        },
        REMOTE_ADDR="192.0.2.30",
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.urgent
    assert case.urgent_due_at == case.received_at + dt.timedelta(hours=4)
    assert before <= case.received_at <= timezone.now()
    assert case.regional_team is not None
    assert case.regional_team.name == "Regionaal team 2"
    mails = OutboundMail.objects.all()
    assert [(m.purpose, m.reference) for m in mails] == [(URGENT_PURPOSE, case.pk)]

    thanks = client.get(response["Location"]).content.decode()
    assert "data-urgent-advice" in thanks
    assert "112" in thanks

    # On top of the list, with its time left.
    other = case_create(kind="report", source="staff", description="later, not urgent")
    lead = make_user("opgroeipunt_team_lead", "lead-op")
    client.force_login(lead)
    html = client.get("/opgroeipunt/meldingen/").content.decode()
    assert html.index(f'data-case="{case.pk}"') < html.index(f'data-case="{other.pk}"')
    assert "nog 3 u" in html or "nog 4 u" in html

    # The sweep sends it to the team's mailbox, without the reporter or the description.
    outbox_send(now=timezone.now(), purposes=[URGENT_PURPOSE])
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["opgroeipunt.regio2@opgroeien.be"]
    assert f"OP-{case.pk}" in sent.subject
    assert "Dringend" in sent.subject
    assert "Mira" not in sent.body
    assert "alleen buiten" not in sent.body
    assert f"/opgroeipunt/meldingen/{case.pk}/" in sent.body


def test_a_crisis_report_of_another_kind_may_be_urgent_and_without_team_goes_to_central() -> None:
    case = case_create(kind="signal", source="inspection", description="Crisis", urgent=True)
    assert case.urgent
    assert case.regional_team is None
    outbox_send(now=timezone.now(), purposes=[URGENT_PURPOSE])
    assert mail.outbox[0].to == ["opgroeipunt.centraal@opgroeien.be"]


def test_the_urgent_term_follows_the_setting(settings: Any) -> None:
    settings.KGLIJN_OPGROEIPUNT_URGENT_HOURS = 2
    received = timezone.now() - dt.timedelta(minutes=5)
    case = case_create(kind="danger", source="staff", description="x", received_at=received)
    assert case.urgent_due_at == received + dt.timedelta(hours=2)


def test_imported_history_sends_no_mail_and_is_never_escalated() -> None:
    received = timezone.now() - dt.timedelta(days=400)
    case = case_create(kind="danger", source="import", received_at=received, description="oud")
    assert case.urgent
    assert not OutboundMail.objects.exists()
    assert urgent_escalate(now=timezone.now()) == 0


def test_escalation_happens_once_when_not_taken_up_in_time(
    make_user: Callable[..., User],
) -> None:
    lead = make_user("opgroeipunt_team_lead", "lead-op")
    lead.email = "teamleider@opgroeien.be"
    lead.save()
    make_user("opgroeipunt_team_lead", "lead-without-mail")
    received = timezone.now() - dt.timedelta(hours=1)
    case = case_create(
        kind="danger",
        source="staff",
        description="x",
        received_at=received,
        reporter=ReporterData(name="Geheim"),
    )
    assert urgent_escalate(now=received + dt.timedelta(hours=3)) == 0  # not yet due
    due = case.urgent_due_at
    assert due is not None
    assert urgent_escalate(now=due + dt.timedelta(minutes=1)) == 1
    assert urgent_escalate(now=due + dt.timedelta(minutes=2)) == 0
    assert urgent_escalate(now=due + dt.timedelta(days=1)) == 0
    case.refresh_from_db()
    assert case.escalated_at == due + dt.timedelta(minutes=1)
    assert OutboundMail.objects.filter(purpose=ESCALATION_PURPOSE, reference=case.pk).count() == 1
    assert CaseEvent.objects.filter(case=case, what="escalated").count() == 1
    outbox_send(now=due + dt.timedelta(minutes=3), purposes=[ESCALATION_PURPOSE])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["teamleider@opgroeien.be"]
    assert "Geheim" not in mail.outbox[0].body


def test_a_case_taken_up_in_time_is_not_escalated(make_user: Callable[..., User]) -> None:
    manager = make_user("childcare_customer_manager", "km")
    case = case_create(kind="danger", source="staff", description="x")
    case_take(case=case, user=manager)
    case.refresh_from_db()
    assert case.taken_at is not None
    assert case.status == "in_progress"
    assert urgent_escalate(now=timezone.now() + dt.timedelta(hours=10)) == 0
    assert not OutboundMail.objects.filter(purpose=ESCALATION_PURPOSE).exists()


def test_escalation_without_a_team_lead_address_fails_visibly_not_silently() -> None:
    case = case_create(
        kind="danger",
        source="staff",
        description="x",
        received_at=timezone.now() - dt.timedelta(hours=5),
    )
    assert urgent_escalate(now=timezone.now()) == 1
    outbox_send(now=timezone.now(), purposes=[ESCALATION_PURPOSE])
    row = OutboundMail.objects.get(purpose=ESCALATION_PURPOSE, reference=case.pk)
    assert row.state == "failed"
    assert "team lead" in row.error


def test_the_worker_runs_the_escalation_and_the_outbox_knows_both_purposes(settings: Any) -> None:
    from kglijn.core.worker import jobs_load
    from kglijn.outbox.purposes import purpose_get

    paths = [job.path for job in jobs_load(settings.KGLIJN_WORKER_JOBS)]
    assert "kglijn.opgroeipunt.cases.jobs.urgent_escalate" in paths
    assert purpose_get(URGENT_PURPOSE).key == URGENT_PURPOSE
    assert purpose_get(ESCALATION_PURPOSE).key == ESCALATION_PURPOSE


def test_the_oldest_untaken_urgent_case_for_the_dashboard(make_user: Callable[..., User]) -> None:
    from kglijn.opgroeipunt.cases.selectors import oldest_untaken_urgent

    manager = make_user("childcare_customer_manager", "km")
    now = timezone.now()
    oldest = case_create(
        kind="danger", source="staff", description="a", received_at=now - dt.timedelta(hours=3)
    )
    taken = case_create(
        kind="danger", source="staff", description="b", received_at=now - dt.timedelta(hours=5)
    )
    case_take(case=taken, user=manager)
    case_create(kind="danger", source="staff", description="c", received_at=now)
    case_create(
        kind="signal", source="staff", description="d", received_at=now - dt.timedelta(days=1)
    )
    assert oldest_untaken_urgent(user=manager) == oldest
    assert oldest_untaken_urgent(user=make_user("team_lead", "kg-lead")) is None
