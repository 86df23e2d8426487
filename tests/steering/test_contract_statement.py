"""The monthly statement (kglijn/steering/contract/statement.py) against an independent recount
in plain Python over the generated rows; the months add up to the year; version selection,
malus and cap; the extrapolation; the CLI's JSON and xlsx."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kglijn.contacts.models import Contact
from kglijn.core.vocabulary import Channel, Direction, Office, Status
from kglijn.steering.contract.statement import NoContract, statement_month, statement_year
from kglijn.telephony.models import Call, CallLeg, LegOutcome
from tests.contacts.factories import ContactFactory
from tests.steering.contract_world import (
    BRUSSELS,
    FEES_V1,
    FEES_V2,
    PRICES_V1,
    PRICES_V2,
    TELECOM_V1,
    TELECOM_V2,
    build_world,
    make_contract,
)

pytestmark = pytest.mark.django_db

WORDS = {"in": "incoming", "out": "outgoing"}


def c(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def recount(month: dt.date, world) -> dict[str, tuple[Decimal, Decimal]]:
    """key -> (quantity, amount), written from the rules, over the rows as generated."""
    v2 = month >= dt.date(2023, 7, 1)
    prices = PRICES_V2 if v2 else PRICES_V1
    telecom = TELECOM_V2 if v2 else TELECOM_V1
    fees = FEES_V2 if v2 else FEES_V1
    counts = dict.fromkeys(prices, 0)
    for contact in Contact.objects.all():
        local = contact.received_at.astimezone(BRUSSELS)
        if (local.year, local.month) != (month.year, month.month):
            continue
        if contact.channel not in ("phone", "email"):
            continue
        if contact.office != "front" and contact.pk not in world.escalated_from_front:
            continue
        if contact.direction == "in" and contact.answered_at is None:
            continue
        counts[(contact.channel, contact.direction)] += 1
    result = {}
    for (channel, direction), n in counts.items():
        result[f"contacts-{channel}-{WORDS[direction]}"] = (
            Decimal(n),
            c(Decimal(n) * prices[(channel, direction)]),
        )
    seconds = sum(
        (
            Decimal(repr(leg.handle))
            for leg in world.legs
            if leg.office == "front"
            and leg.outcome == "answered"
            and leg.handle is not None
            and (leg.offered_at.year, leg.offered_at.month) == (month.year, month.month)
        ),
        Decimal(0),
    )
    minutes = c(seconds / 60)
    result["call-minutes"] = (minutes, c(minutes * telecom))
    for fee in fees:
        result[f"fee-{fee.code}"] = (Decimal(1), fee.monthly_amount)
    result["malus"] = (Decimal(0), Decimal(0))
    return result


def test_statement_equals_an_independent_recount_and_the_months_add_up_to_the_year() -> None:
    make_contract()
    world = build_world(seed=19)
    year = statement_year(2023, today=dt.date(2024, 2, 1))
    assert [s.month.month for s in year.months] == list(range(1, 13))
    total = Decimal("0")
    per_key: dict[str, Decimal] = {}
    for statement in year.months:
        expected = recount(statement.month, world)
        got = {line.key: (line.quantity, line.amount) for line in statement.lines}
        # No malus here (0 per point): only its line, at 0.
        got["malus"] = (Decimal(0), -statement.malus)
        assert statement.malus == 0
        assert got == expected, statement.month
        assert statement.total == sum(amount for _q, amount in expected.values())
        total += statement.total
        for key, (_q, amount) in expected.items():
            per_key[key] = per_key.get(key, Decimal(0)) + amount
    assert year.total == total
    assert {key: amount for key, _label, _q, amount in year.line_totals()} == per_key
    # Some of everything was counted (the test is not vacuous).
    assert per_key["contacts-phone-incoming"] > 0
    assert per_key["contacts-email-outgoing"] > 0
    assert per_key["call-minutes"] > 0
    # The data runs to 31 December at the latest: extrapolate only when it ends earlier.
    last = max(
        c.received_at.astimezone(BRUSSELS).date()
        for c in Contact.objects.all()
        if c.channel != "chat"
        and (c.office == "front" or c.pk in world.escalated_from_front)
        and not (c.direction == "in" and c.answered_at is None)
    )
    assert (year.extrapolation is None) == (last == dt.date(2023, 12, 31))


def test_the_version_valid_on_the_first_day_states_the_month() -> None:
    make_contract(change_month=dt.date(2023, 7, 1))
    received = dt.datetime(2023, 6, 30, 23, 30, tzinfo=BRUSSELS)  # June in Brussels, 21:30 UTC
    ContactFactory.create(received_at=received, answered_at=received)
    july = dt.datetime(2023, 7, 1, 0, 30, tzinfo=BRUSSELS)  # 30 June 22:30 UTC: July here
    ContactFactory.create(received_at=july, answered_at=july)
    ContactFactory.create(received_at=july)  # not answered: not counted
    june, jul = statement_month(dt.date(2023, 6, 15)), statement_month(dt.date(2023, 7, 1))
    assert june.version.valid_from == dt.date(2023, 1, 1)
    assert jul.version.valid_from == dt.date(2023, 7, 1)
    assert june.line("contacts-phone-incoming").amount == Decimal("3.13")  # 3.125 half up
    assert jul.line("contacts-phone-incoming").amount == Decimal("3.50")
    assert june.line("fee-info") is not None
    assert jul.line("fee-info") is None
    with pytest.raises(NoContract):
        statement_month(dt.date(2022, 12, 1))


def _legs(month: dt.date, in_time: int, late: int, short: int = 0) -> None:
    base = dt.datetime(month.year, month.month, 7, 10, tzinfo=BRUSSELS)
    rows = [(LegOutcome.ANSWERED, 5.0)] * in_time + [(LegOutcome.ANSWERED, 45.0)] * late
    rows += [(LegOutcome.ABANDONED, 1.0)] * short
    for n, (outcome, wait) in enumerate(rows):
        moment = base + dt.timedelta(minutes=n)
        call = Call.objects.create(call_id=f"m{month:%Y%m}-{n}", office="front", offered_at=moment)
        CallLeg.objects.create(
            call=call,
            seq=1,
            office="front",
            offered_at=moment,
            outcome=outcome,
            wait_seconds=wait,
            handle_seconds=120.0 if outcome == LegOutcome.ANSWERED else None,
        )


def test_malus_per_point_below_target_and_the_cap() -> None:
    make_contract(
        change_month=None, malus_per_point=Decimal("100.00"), malus_cap_per_month=Decimal("5000")
    )
    march = dt.date(2023, 3, 1)
    # Phone: 6 of 10 within 20 s = 60 % (short abandons are left out): 20 points below 80.
    _legs(march, in_time=6, late=4, short=3)
    # E-mail: received Monday 6 March; one answered the same day, one on Friday (4 working
    # days > 2): 50 % against 90 = 40 points.
    monday = dt.datetime(2023, 3, 6, 10, tzinfo=BRUSSELS)
    ContactFactory.create(
        channel=Channel.EMAIL, received_at=monday, answered_at=monday + dt.timedelta(hours=2)
    )
    ContactFactory.create(
        channel=Channel.EMAIL, received_at=monday, answered_at=monday + dt.timedelta(days=4)
    )
    statement = statement_month(march)
    phone, email = statement.service_levels["phone"], statement.service_levels["email"]
    assert (phone.achieved_pct, phone.shortfall_points) == (Decimal("60.00"), Decimal("20.00"))
    assert (email.achieved_pct, email.shortfall_points) == (Decimal("50.00"), Decimal("40.00"))
    assert statement.malus == Decimal("5000.00")  # 60 points × €100 = €6000, capped
    assert statement.malus_uncapped == Decimal("6000.00")
    assert statement.line("malus").amount == Decimal("-5000.00")
    assert statement.total == sum(line.amount for line in statement.lines)
    # April: only phone, 7 of 9 = 77.78 %: 2.22 points × €100 = €222, below the cap; no e-mail.
    april = dt.date(2023, 4, 1)
    _legs(april, in_time=7, late=2)
    statement = statement_month(april)
    assert statement.service_levels["phone"].achieved_pct == Decimal("77.78")
    assert statement.service_levels["email"].achieved_pct is None  # not measured: no malus
    assert statement.malus == Decimal("222.00")
    # May: nothing measured at all.
    assert statement_month(dt.date(2023, 5, 1)).malus == 0


def test_the_year_extrapolates_when_the_data_ends_before_december() -> None:
    make_contract(change_month=None)
    build_world(seed=5, contacts=120, legs=60, last=dt.date(2023, 11, 15))
    last_contact = dt.datetime(2023, 11, 15, 12, tzinfo=BRUSSELS)
    ContactFactory.create(received_at=last_contact, answered_at=last_contact)
    year = statement_year(2023, today=dt.date(2024, 2, 1))
    assert [s.month.month for s in year.months] == list(range(1, 12))
    assert [m.month for m in year.months_not_stated] == [12]
    e = year.extrapolation
    assert e is not None
    assert e.covered_to == dt.date(2023, 11, 15)
    assert (e.covered_days, e.year_days) == (319, 365)
    variable = sum(
        line.amount for s in year.months for line in s.lines if line.kind in ("contacts", "minutes")
    )
    assert e.variable_stated == variable
    assert e.variable == c(variable * 365 / Decimal(319))
    assert e.fees == 12 * sum(fee.monthly_amount for fee in FEES_V1)
    assert e.total == e.variable + e.fees + e.malus


def test_cli_json_contract(capsys) -> None:
    make_contract(illustrative=True)
    received = dt.datetime(2023, 3, 6, 10, tzinfo=BRUSSELS)
    ContactFactory.create(received_at=received, answered_at=received)
    ContactFactory.create(
        channel=Channel.EMAIL,
        direction=Direction.OUT,
        received_at=received,
        office=Office.FRONT,
        status=Status.CLOSED,
    )
    out = io.StringIO()
    call_command("contract", "statement", "--month", "2023-03", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["month"] == "2023-03"
    assert data["contract_version"]["valid_from"] == "2023-01-01"
    assert data["illustrative"] is True
    lines = {line["key"]: line for line in data["lines"]}
    assert set(lines) == {
        "contacts-phone-incoming",
        "contacts-phone-outgoing",
        "contacts-email-incoming",
        "contacts-email-outgoing",
        "call-minutes",
        "fee-ict",
        "fee-info",
        "malus",
    }
    for line in data["lines"]:
        assert set(line) == {"key", "label", "quantity", "unit", "unit_price", "amount"}
        assert isinstance(line["amount"], str)
        assert Decimal(line["amount"]) == Decimal(line["amount"]).quantize(Decimal("0.01"))
    assert lines["contacts-phone-incoming"]["quantity"] == "1"
    assert lines["contacts-phone-incoming"]["amount"] == "3.13"
    assert lines["contacts-email-outgoing"]["amount"] == "1.33"
    assert data["service_levels"]["phone"]["target_pct"] == "80.00"
    assert data["service_levels"]["phone"]["target_seconds"] == 20
    assert data["service_levels"]["phone"]["achieved_pct"] is None
    assert data["total"] == str(sum(Decimal(line["amount"]) for line in data["lines"]))
    assert data["total"] == "15504.96"  # 3.13 + 1.33 + 12500 + 3000.50


def test_cli_xlsx_and_errors(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="contract"):
        call_command("contract", "statement", "--month", "2023-03", stdout=io.StringIO())
    make_contract()
    for bad in ("2023-13", "maart", "1999-12", "2023-3"):
        with pytest.raises(CommandError) as caught:
            call_command("contract", "statement", "--month", bad, stdout=io.StringIO())
        assert caught.value.returncode == 2, bad
    target = tmp_path / "maart.xlsx"
    out = io.StringIO()
    call_command(
        "contract",
        "statement",
        "--month",
        "2023-03",
        "--format",
        "xlsx",
        "--output",
        str(target),
        stdout=out,
    )
    assert out.getvalue().strip() == str(target.resolve())
    sheet = openpyxl.load_workbook(target).worksheets[0]
    amounts = [row[5] for row in sheet.iter_rows(min_row=6, max_row=14, values_only=True)]
    assert 12500 in amounts
    assert all(isinstance(a, (int, float)) for a in amounts if a is not None)
    assert any(name.startswith("xl/charts/") for name in zipfile.ZipFile(target).namelist())
    year = tmp_path / "jaar.xlsx"
    call_command(
        "contract",
        "statement",
        "--year",
        "2023",
        "--format",
        "xlsx",
        "--output",
        str(year),
        stdout=io.StringIO(),
    )
    assert any(name.startswith("xl/charts/") for name in zipfile.ZipFile(year).namelist())
    out = io.StringIO()
    call_command("contract", "statement", "--year", "2023", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"] == str(sum(Decimal(m["total"]) for m in data["months"]))
    with pytest.raises(CommandError):
        call_command("contract", "statement", "--year", "20x3", stdout=io.StringIO())
