"""The upgrade moves in-flight answers and invitations into the outbox: nothing unsent is lost,
and what was being sent at the upgrade is resolved like any interrupted send (never twice)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kglijn.mail.models import DeliveryStatus, MailDirection, MailMessage
from kglijn.outbox.models import OutboundMail
from kglijn.outbox.services import STALE_CLAIM, outbox_send
from kglijn.surveys.models import InvitationStatus, SurveyInvitation
from tests.contacts.factories import ContactFactory
from tests.surveys.invitation_helpers import answered_moment, email_contact
from tests.surveys.smtp_sink import SmtpSink, use_smtp

BEFORE = [
    ("mail", "0001_initial"),
    ("surveys", "0003_opt_out_and_sent_index"),
    ("outbox", "0001_initial"),
]
AFTER = [("mail", "0002_answers_into_outbox"), ("surveys", "0004_invitations_into_outbox")]


@pytest.fixture
def before_upgrade() -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def answer(contact: Any, status: str, **fields: Any) -> MailMessage:
    return MailMessage.objects.create(
        contact=contact,
        direction=MailDirection.OUT,
        message_id=f"<{status}.{contact.pk}@kindengezin.be>",
        subject="Re: vraag",
        from_address="info@kindengezin.be",
        to_addresses=f"{status}@example.be",
        body_text="Beste,\n\nHet antwoord.",
        delivery_status=status,
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_in_flight_answers_and_invitations_move_into_the_outbox(
    before_upgrade: MigrationExecutor, agent: User, settings: Any
) -> None:
    settings.KGLIJN_PUBLIC_BASE_URL = "https://kglijn.example.be"
    now = timezone.now()
    contact = ContactFactory.create(
        channel="email", origin="webform", anonymous=False, caller_email="x@example.be"
    )
    queued = answer(contact, DeliveryStatus.QUEUED, attempts=2, next_attempt_at=now)
    sending = answer(
        contact, DeliveryStatus.SENDING, attempts=1, claimed_at=now - dt.timedelta(minutes=1)
    )
    answer(contact, DeliveryStatus.SENT, attempts=1, sent_at=now)
    t = answered_moment()
    scheduled = SurveyInvitation.objects.create(
        contact=email_contact(handler=agent, answered_at=t, caller_email="ouder0@example.be"),
        due_at=t + dt.timedelta(hours=48),
    )
    in_flight = SurveyInvitation.objects.create(
        contact=email_contact(handler=agent, answered_at=t, caller_email="ouder1@example.be"),
        due_at=t + dt.timedelta(hours=48),
        status=InvitationStatus.SENDING,
        claimed_at=now - dt.timedelta(minutes=1),
        message_id="<survey-invitation.x@kindengezin.be>",
        token_hash="a" * 64,
        attempts=1,
    )
    assert not OutboundMail.objects.exists()

    # when the upgrade runs
    before_upgrade.loader.build_graph()
    before_upgrade.migrate(AFTER)

    # then exactly the unsent ones are in the outbox, as they were
    rows = {
        (mail.purpose, mail.reference): (mail.state, mail.attempts, mail.claimed_at)
        for mail in OutboundMail.objects.all()
    }
    assert rows == {
        ("mail_answer", queued.pk): ("pending", 2, None),
        ("mail_answer", sending.pk): ("sending", 1, sending.claimed_at),
        ("survey_invitation", scheduled.pk): ("pending", 0, None),
        ("survey_invitation", in_flight.pk): ("sending", 1, in_flight.claimed_at),
    }
    assert (
        OutboundMail.objects.get(
            purpose="survey_invitation", reference=scheduled.pk
        ).next_attempt_at
        == scheduled.due_at
    )

    # and the outbox sends the waiting ones once, and never the ones that were being sent
    with SmtpSink() as sink:
        use_smtp(settings, sink)
        outbox_send(now=now)
        outbox_send(now=now + STALE_CLAIM + dt.timedelta(minutes=2))
        outbox_send(now=now + dt.timedelta(days=1))
    assert sorted(mail.rcpt_tos[0] for mail in sink.received) == [
        "ouder0@example.be",
        "queued@example.be",
    ]
    states = dict(MailMessage.objects.values_list("message_id", "delivery_status"))
    assert states[queued.message_id] == DeliveryStatus.SENT
    assert states[sending.message_id] == DeliveryStatus.UNCERTAIN
    scheduled.refresh_from_db()
    in_flight.refresh_from_db()
    assert scheduled.status == InvitationStatus.SENT
    assert (in_flight.status, in_flight.skip_reason) == (InvitationStatus.SKIPPED, "interrupted")
