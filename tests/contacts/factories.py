"""factory_boy factories for the contact register.

They write rows directly (no validation, no audit): use them to *arrange* state. The behaviour
under test goes through the services (kglijn.contacts.services), which is what users do.
Call ``XFactory.create(...)`` for a typed result (``XFactory(...)`` works too, untyped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from factory.declarations import Sequence, SubFactory, Trait
from factory.django import DjangoModelFactory

from kglijn.contacts.models import (
    Channel,
    Contact,
    Customer,
    Direction,
    Escalation,
    Office,
    Reason,
    ReferralOrganisation,
    Status,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
# A fixed Monday morning in Brussels: tests do not depend on the day they run.
DEFAULT_RECEIVED_AT = dt.datetime(2023, 3, 6, 10, 0, tzinfo=BRUSSELS)


class ReasonFactory(DjangoModelFactory[Reason]):
    class Meta:
        model = Reason
        django_get_or_create = ("code",)

    code = Sequence(lambda n: f"test-reason-{n}")
    name = Sequence(lambda n: f"Test reason {n}")
    topic = ""
    active = True


class ReferralOrganisationFactory(DjangoModelFactory[ReferralOrganisation]):
    class Meta:
        model = ReferralOrganisation
        django_get_or_create = ("code",)

    code = Sequence(lambda n: f"test-referral-{n}")
    name = Sequence(lambda n: f"Test organisation {n}")
    active = True


class CustomerFactory(DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    kind = Customer.Kind.PARENT
    name = Sequence(lambda n: f"Ouder {n}")
    email = Sequence(lambda n: f"ouder{n}@example.be")
    phone = Sequence(lambda n: f"0470{n:06d}")
    postcode = ""
    province = ""


class ContactFactory(DjangoModelFactory[Contact]):
    """An open, anonymous incoming phone contact at the front office.

    Traits: ``identified=True`` links a new customer (anonymous=False);
    ``with_caller=True`` fills caller name/phone/e-mail (anonymous=False).
    ``reasons=[...]`` and ``referrals=[...]`` take model instances (create only).
    """

    class Meta:
        model = Contact

    channel = Channel.PHONE
    direction = Direction.IN
    origin = ""
    received_at = DEFAULT_RECEIVED_AT
    office = Office.FRONT
    status = Status.OPEN
    province = ""
    topic = ""
    anonymous = True

    class Params:
        identified = Trait(anonymous=False, customer=SubFactory(CustomerFactory))
        with_caller = Trait(
            anonymous=False,
            caller_name="Jan Peeters",
            caller_phone="0470123456",
            caller_email="jan.peeters@example.be",
        )

    @classmethod
    def create(cls, **kwargs: Any) -> Contact:
        reasons: Iterable[Reason] = kwargs.pop("reasons", ())
        referrals: Iterable[ReferralOrganisation] = kwargs.pop("referrals", ())
        contact = super().create(**kwargs)
        if reasons:
            contact.reasons.set(reasons)
        if referrals:
            contact.referrals.set(referrals)
        return contact


class EscalationFactory(DjangoModelFactory[Escalation]):
    """An escalation row only; it does not move the contact (use contact_escalate for that)."""

    class Meta:
        model = Escalation

    contact = SubFactory(ContactFactory)
    from_office = Office.FRONT
    to_office = Office.PGJO
    reason = "Medische vraag"
    escalated_at = DEFAULT_RECEIVED_AT
    expected_pickup_at = DEFAULT_RECEIVED_AT
