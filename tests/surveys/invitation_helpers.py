"""Arranging e-mail contacts and invitations for the invitation and survey-page tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from kglijn.contacts.models import Channel, Contact, Origin, Status
from kglijn.surveys.models import InvitationStatus, SurveyInvitation
from kglijn.surveys.tokens import token_new
from tests.contacts.factories import ContactFactory, CustomerFactory

SENDER = "an.peeters@example.be"


def answered_moment() -> dt.datetime:
    """T: three days ago, whole seconds. Links sent at T + 48 h are still valid today."""
    return (timezone.now() - dt.timedelta(days=3)).replace(microsecond=0)


def email_contact(
    *,
    handler: User | None,
    answered_at: dt.datetime | None,
    caller_email: str = SENDER,
    **fields: Any,
) -> Contact:
    """An e-mail contact from an identified sender, answered (and closed) at answered_at."""
    values: dict[str, Any] = {
        "channel": Channel.EMAIL,
        "origin": Origin.MAILBOX,
        "received_at": (answered_at or timezone.now()) - dt.timedelta(hours=5),
        "answered_at": answered_at,
        "closed_at": answered_at,
        "status": Status.CLOSED if answered_at else Status.OPEN,
        "handler": handler,
        "anonymous": False,
        "caller_name": "An Peeters",
        "caller_email": caller_email,
    }
    values.update(fields)
    return ContactFactory.create(**values)


def customer_contact(*, handler: User, answered_at: dt.datetime, email: str) -> Contact:
    """An answered e-mail contact linked to a customer, without an address of its own."""
    return email_contact(
        handler=handler,
        answered_at=answered_at,
        caller_email="",
        caller_name="",
        customer=CustomerFactory.create(email=email),
    )


def sent_invitation(
    contact: Contact, *, expires_at: dt.datetime | None = None, status: str = InvitationStatus.SENT
) -> tuple[SurveyInvitation, str]:
    """An invitation as the worker leaves it after sending, and the token of its link."""
    token, hashed = token_new()
    now = timezone.now()
    invitation = SurveyInvitation.objects.create(
        contact=contact,
        status=status,
        due_at=now - dt.timedelta(hours=1),
        token_hash=hashed,
        message_id=f"<test-{contact.pk}@example.be>",
        claimed_at=now - dt.timedelta(hours=1),
        sent_at=now - dt.timedelta(hours=1),
        expires_at=expires_at or now + dt.timedelta(days=14),
        attempts=1,
    )
    return invitation, token
