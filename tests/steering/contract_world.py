"""Test data for the contract tests: a price table, random contacts and call legs (rows written
with the register's factories and the telephony models; no statement code is used here)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from kglijn.contacts.models import Contact
from kglijn.core.vocabulary import Channel, Direction, Office, Status
from kglijn.steering.contract.services import FeeInput, contract_version_create
from kglijn.steering.models import ContractVersion
from kglijn.telephony.models import Call, CallLeg, LegOutcome
from tests.contacts.factories import ContactFactory, EscalationFactory

BRUSSELS = ZoneInfo("Europe/Brussels")

PRICES_V1 = {
    ("phone", "in"): Decimal("3.1250"),
    ("phone", "out"): Decimal("2.5000"),
    ("email", "in"): Decimal("4.0100"),
    ("email", "out"): Decimal("1.3333"),
}
PRICES_V2 = {
    ("phone", "in"): Decimal("3.5000"),
    ("phone", "out"): Decimal("2.7500"),
    ("email", "in"): Decimal("4.2500"),
    ("email", "out"): Decimal("1.5000"),
}
FEES_V1 = [
    FeeInput("ict", "ICT-tools", Decimal("12500.00")),
    FeeInput("info", "Infodienst", Decimal("3000.50")),
]
FEES_V2 = [FeeInput("ict", "ICT-tools", Decimal("13000.00"))]
TELECOM_V1 = Decimal("0.0450")
TELECOM_V2 = Decimal("0.0525")


def make_contract(
    *, by=None, change_month: dt.date | None = dt.date(2023, 7, 1), illustrative=False, **v1
) -> list[ContractVersion]:
    options = {
        "malus_per_point": Decimal("0"),
        "malus_cap_per_month": Decimal("0"),
        **v1,
    }
    versions = [
        contract_version_create(
            by=by,
            valid_from=dt.date(2023, 1, 1),
            telecom_per_minute=TELECOM_V1,
            prices=PRICES_V1,
            fees=FEES_V1,
            note="Start",
            contract_name="Raamcontract frontoffice",
            supplier="Leverancier NV",
            illustrative=illustrative,
            today=dt.date(2024, 1, 1),
            **options,
        )
    ]
    if change_month is not None:
        versions.append(
            contract_version_create(
                by=by,
                valid_from=change_month,
                telecom_per_minute=TELECOM_V2,
                prices=PRICES_V2,
                fees=FEES_V2,
                note="Indexering",
                today=dt.date(2024, 1, 1),
                **options,
            )
        )
    return versions


@dataclass
class LegRow:
    office: str
    offered_at: dt.datetime
    outcome: str
    wait: float
    handle: float | None


@dataclass
class World:
    contacts: list[Contact] = field(default_factory=list)
    escalated_from_front: set[int] = field(default_factory=set)
    legs: list[LegRow] = field(default_factory=list)


def random_moment(rng: random.Random, year: int, last: dt.date | None = None) -> dt.datetime:
    first = dt.date(year, 1, 1)
    end = last or dt.date(year, 12, 31)
    day = first + dt.timedelta(days=rng.randrange((end - first).days + 1))
    # Late evenings and just after midnight on purpose: the month is the Brussels one.
    hour = rng.choice([0, 0, 1, 8, 9, 10, 14, 16, 22, 23, 23])
    return dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=BRUSSELS)


def build_world(
    seed: int = 19,
    *,
    contacts: int = 500,
    legs: int = 300,
    year: int = 2023,
    last: dt.date | None = None,
) -> World:
    rng = random.Random(seed)
    world = World()
    for n in range(contacts):
        received = random_moment(rng, year, last)
        channel = rng.choice([Channel.PHONE, Channel.PHONE, Channel.EMAIL, Channel.CHAT])
        direction = rng.choice([Direction.IN, Direction.IN, Direction.IN, Direction.OUT])
        office = rng.choice(
            [Office.FRONT, Office.FRONT, Office.FRONT, Office.PGJO, Office.CHILDCARE]
        )
        answered = rng.random() < 0.8
        answered_at = received + dt.timedelta(minutes=rng.randrange(1, 50)) if answered else None
        contact = ContactFactory.create(
            channel=channel,
            direction=direction,
            office=office,
            received_at=received,
            answered_at=answered_at,
            # An incoming e-mail never answered is closed (spam): it is out of the e-mail
            # service level, which this recount does not re-derive.
            status=Status.CLOSED if not answered else Status.OPEN,
            external_id=f"w{seed}-{n}",
            with_caller=rng.random() < 0.3,
        )
        world.contacts.append(contact)
        if office != Office.FRONT and rng.random() < 0.5:
            EscalationFactory.create(contact=contact, from_office=Office.FRONT, to_office=office)
            world.escalated_from_front.add(contact.pk)
        elif office == Office.CHILDCARE and rng.random() < 0.5:
            EscalationFactory.create(contact=contact, from_office=Office.PGJO, to_office=office)
    for n in range(legs):
        offered = random_moment(rng, year, last)
        office = rng.choice([Office.FRONT, Office.FRONT, Office.PGJO])
        outcome = rng.choice(
            [LegOutcome.ANSWERED] * 5 + [LegOutcome.ABANDONED] * 2 + [LegOutcome.CALLBACK]
        )
        if outcome == LegOutcome.ANSWERED:
            # Waits clear of the 20 s target, abandons clear of the 5 s threshold.
            wait = rng.choice([rng.uniform(0, 15), rng.uniform(25, 90)])
            handle = None if rng.random() < 0.05 else round(rng.uniform(30, 900), 1)
        else:
            wait = rng.choice([rng.uniform(0, 3), rng.uniform(10, 120)])
            handle = None
        call = Call.objects.create(call_id=f"w{seed}-call-{n}", office=office, offered_at=offered)
        CallLeg.objects.create(
            call=call,
            seq=1,
            office=office,
            offered_at=offered,
            answered_at=offered + dt.timedelta(seconds=wait)
            if outcome == LegOutcome.ANSWERED
            else None,
            ended_at=offered + dt.timedelta(seconds=wait + (handle or 0)),
            outcome=outcome,
            wait_seconds=wait,
            handle_seconds=handle,
        )
        world.legs.append(LegRow(office, offered, outcome, wait, handle))
    return world
