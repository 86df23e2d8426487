"""Today's open work for the demo: a few contacts waiting in each queue, made through the real
services (so they are validated and audited like an agent's own), so that every demo role finds
something to do on the desk.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from kglijn.contacts.models import Contact, Customer
from kglijn.contacts.services import (
    contact_escalate,
    contact_register,
    contact_take,
    customer_find_or_create,
)

OPEN_WORK_MARK = "demo-open-"


def _user(username: str) -> User:
    return User.objects.get(username=username)


@transaction.atomic
def demo_open_work_create(*, now: dt.datetime | None = None) -> list[Contact]:
    """Register the open demo work once (idempotent on the external ids it uses)."""
    if Contact.objects.filter(external_id__startswith=OPEN_WORK_MARK).exists():
        return []
    now = now or timezone.now()
    agent1, agent2 = _user("agent1"), _user("agent2")
    nurse1, childcare1 = _user("nurse1"), _user("childcare1")
    made: list[Contact] = []

    def register(key: str, by: User | None, minutes_ago: int, **fields: object) -> Contact:
        contact = contact_register(
            by=by,
            external_id=f"{OPEN_WORK_MARK}{key}",
            received_at=now - dt.timedelta(minutes=minutes_ago),
            **fields,  # type: ignore[arg-type]
        )
        made.append(contact)
        return contact

    # Front office: two contacts still open with agent1 (one identified), one with agent2.
    customer: Customer = customer_find_or_create(
        kind=Customer.Kind.PARENT,
        name="Sofie Janssens",
        email="sofie.janssens@kglijn-demo.example",
        phone="+32470123456",
        postcode="9000",
    )
    register(
        "front-1",
        agent1,
        12,
        channel="phone",
        postcode="9000",
        topic="family_support",
        reason_codes=["cb-appointment"],
        anonymous=False,
        customer=customer,
        notes="Wil een afspraak in het consultatiebureau voor het 9-maandenonderzoek.",
    )
    register(
        "front-2",
        agent1,
        25,
        channel="email",
        origin="webform",
        postcode="2800",
        topic="childcare",
        reason_codes=["childcare-fees"],
        referral_codes=["groeipakket"],
    )
    register(
        "front-3", agent2, 40, channel="phone", topic="family_support", reason_codes=["info-kg"]
    )
    # Escalated to PGJO, waiting in the office queue; one already taken up by nurse1.
    for key, minutes, postcode, reason_codes, why in (
        ("pgjo-1", 30, "3500", ["advice"], "Baby drinkt slecht; moeder vraagt advies."),
        ("pgjo-2", 55, "8000", ["vaccination", "advice"], "Vraag over inhaalvaccinatie."),
        ("pgjo-3", 80, "2000", ["advice"], "Slaapproblemen peuter, vraagt terugbelafspraak."),
    ):
        contact = register(
            key,
            agent1,
            minutes,
            channel="phone",
            postcode=postcode,
            topic="family_support",
            reason_codes=reason_codes,
        )
        contact_escalate(contact=contact, to_office="pgjo", reason=why, by=agent1)
    taken = Contact.objects.get(external_id=f"{OPEN_WORK_MARK}pgjo-3")
    contact_take(contact=taken, by=nurse1)
    # A chat goes straight to the PGJO back office (chats bypass the front office).
    register(
        "chat-1",
        None,
        5,
        channel="chat",
        office="pgjo",
        topic="family_support",
        reason_codes=["advice"],
    )
    # Escalated to the childcare back office.
    for key, minutes, postcode, reason_codes, why in (
        ("kov-1", 20, "1000", ["childcare-qualification"], "Wil starten als onthaalouder."),
        ("kov-2", 65, "3000", ["childcare-addresses"], "Zoekt opvang vanaf september."),
    ):
        contact = register(
            key,
            agent2,
            minutes,
            channel="phone",
            postcode=postcode,
            topic="childcare",
            reason_codes=reason_codes,
        )
        contact_escalate(contact=contact, to_office="childcare", reason=why, by=agent2)
    contact_take(contact=Contact.objects.get(external_id=f"{OPEN_WORK_MARK}kov-2"), by=childcare1)
    return made
