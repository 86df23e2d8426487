"""The steering demo (issue 19): call legs consistent with the demo contacts, abandoned calls in
range, plausible service levels, the illustrative contract and its calibration, the roster."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum

from kglijn.contacts.models import Channel, Contact, Direction, Escalation, Office
from kglijn.core.business_calendar import BRUSSELS, WorkingDays
from kglijn.demo.generator import phone_wait_seconds
from kglijn.demo.plan import year_plan
from kglijn.demo.services import demo_load
from kglijn.servicelevels.phone import service_levels
from kglijn.steering.contract.statement import contact_line_key, statement_year
from kglijn.steering.demo import (
    CALL_PREFIX,
    CONTRACT_FEES,
    CONTRACT_PRICES,
    DEMO_SUPPLIER,
    INVOICE_2023,
    ROSTER_FILE,
    TEAM_SIZE,
    TELECOM_PER_MINUTE,
    roster_period,
    steering_demo_load,
)
from kglijn.steering.models import Contract, ContractVersion, PlannedStaff, StaffPlan
from kglijn.telephony.models import Call, CallLeg, LegOutcome

pytestmark = pytest.mark.django_db
SEED = 7
LAST_DAY = dt.date(2023, 11, 15)


@pytest.fixture
def demo() -> str:
    demo_load(years=[2023], scale=0.02, seed=SEED)
    return steering_demo_load(seed=SEED, years=(2023,), scale=0.02)


def _front_phone_contacts() -> list[Contact]:
    return list(
        Contact.objects.filter(channel=Channel.PHONE, direction=Direction.IN)
        .filter(Q(office=Office.FRONT) | Q(escalations__from_office=Office.FRONT))
        .distinct()
    )


def test_every_answered_leg_is_its_front_office_phone_contact(demo: str) -> None:
    contacts = {contact.pk: contact for contact in _front_phone_contacts()}
    escalated = dict(
        Escalation.objects.filter(from_office=Office.FRONT).values_list(
            "contact_id", "escalated_at"
        )
    )
    legs = list(CallLeg.objects.filter(outcome=LegOutcome.ANSWERED).select_related("call"))
    assert len(legs) == len(contacts) == year_plan(2023, scale=0.02).incoming["phone"]
    for leg in legs:
        contact = contacts[leg.call.contact_id]
        assert leg.office == Office.FRONT
        assert leg.seq == 1
        assert leg.offered_at == contact.received_at == leg.call.offered_at
        assert leg.answered_at == contact.answered_at
        assert (
            leg.offered_at.astimezone(BRUSSELS).date()
            == contact.received_at.astimezone(BRUSSELS).date()
        )
        assert leg.wait_seconds == (contact.answered_at - contact.received_at).total_seconds()
        end = escalated.get(contact.pk, contact.closed_at)
        assert leg.handle_seconds == (end - contact.answered_at).total_seconds()
        assert leg.call.call_id == f"{CALL_PREFIX}{contact.pk}"
        assert leg.call.state == "ended"
        assert leg.call.talk_seconds == leg.handle_seconds


def test_abandoned_calls_in_range_and_without_contact(demo: str) -> None:
    abandoned = CallLeg.objects.filter(outcome=LegOutcome.ABANDONED)
    assert not Call.objects.filter(legs__in=abandoned, contact__isnull=False).exists()
    answered = CallLeg.objects.filter(outcome=LegOutcome.ANSWERED).count()
    short = abandoned.filter(wait_seconds__lt=5).count()
    long = abandoned.filter(wait_seconds__gte=5).count()
    assert 0.04 <= long / (answered + long) <= 0.10  # abandon rate, short abandons left out
    assert 0.1 <= short / (short + long) <= 0.4
    # Every abandoned call falls in an opening half hour of a working day.
    for (offered,) in abandoned.values_list("offered_at"):
        local = offered.astimezone(BRUSSELS)
        assert 8 <= local.hour < 20
        assert local.weekday() < 5


def test_service_level_page_figures_are_plausible(demo: str) -> None:
    report = service_levels(
        date_from=dt.date(2023, 1, 1), date_to=LAST_DAY, period="month", offices=[Office.FRONT]
    )
    total = report.totals[Office.FRONT]
    assert total.service_level_pct is not None
    assert 70 <= total.service_level_pct <= 86
    assert total.abandon_rate_pct is not None
    assert 4 <= total.abandon_rate_pct <= 10
    assert total.asa_seconds is not None
    assert 5 <= total.asa_seconds <= 25
    assert total.aht_seconds is not None
    assert 240 <= total.aht_seconds <= 450
    assert len(report.rows[Office.FRONT]) == 11  # January to November


def test_busy_hours_wait_longer() -> None:
    """The wait distribution: ~85 % within 20 s at pressure 1, far less when busy, one draw."""
    draws = [(index + 0.5) / 10_000 for index in range(10_000)]

    def within(pressure: float) -> float:
        return sum(phone_wait_seconds(pressure, u) <= 20 for u in draws) / len(draws)

    assert 0.85 <= within(1.0) <= 0.92
    assert within(1.6) < 0.72
    assert max(phone_wait_seconds(1.6, u) for u in draws) > 200  # the long tail


def test_rerun_replaces_its_own_rows(demo: str) -> None:
    before = (Call.objects.count(), CallLeg.objects.count(), PlannedStaff.objects.count())
    legs = list(
        CallLeg.objects.order_by("offered_at", "wait_seconds").values_list(
            "offered_at", "outcome", "wait_seconds"
        )
    )
    steering_demo_load(seed=SEED, years=(2023,), scale=0.02)
    after = (Call.objects.count(), CallLeg.objects.count(), PlannedStaff.objects.count())
    assert before == after
    assert Contract.objects.filter(supplier=DEMO_SUPPLIER).count() == 1
    assert StaffPlan.objects.filter(file_name=ROSTER_FILE).count() == 1
    assert legs == list(
        CallLeg.objects.order_by("offered_at", "wait_seconds").values_list(
            "offered_at", "outcome", "wait_seconds"
        )
    )  # deterministic per seed


def test_the_illustrative_contract(demo: str) -> None:
    contract = Contract.objects.get(supplier=DEMO_SUPPLIER)
    assert contract.illustrative
    version = ContractVersion.objects.get(contract=contract)
    assert version.valid_from == dt.date(2023, 1, 1)  # the first loaded year
    assert (version.phone_target_pct, version.phone_target_seconds) == (Decimal("80"), 20)
    assert (version.email_target_pct, version.email_target_working_days) == (Decimal("90"), 2)
    prices = {(p.channel, p.direction): p.price for p in version.prices.all()}
    assert prices == CONTRACT_PRICES
    assert all(Decimal("1") <= price <= Decimal("10") for price in prices.values())
    assert {fee.code for fee in version.fees.all()} == {code for code, _n, _a in CONTRACT_FEES}
    assert version.malus_per_point > 0
    assert version.malus_cap_per_month > 0


def test_the_demo_contract_states_2023_as_an_independent_recount(demo: str) -> None:
    # The demo's calibration is read off the statement itself (no second implementation).
    year = statement_year(2023)
    extrapolation = year.extrapolation
    assert extrapolation is not None
    assert extrapolation.covered_to == LAST_DAY
    assert extrapolation.covered_days == 319
    assert [month.month.month for month in year.months] == list(range(1, 12))
    # Recount: every phone/e-mail contact of the small demo is handled by the front office
    # (incoming ones all answered; outgoing ones only when the front office made them).
    handled = Counter(
        Contact.objects.filter(channel__in=["phone", "email"])
        .filter(Q(office=Office.FRONT) | Q(escalations__from_office=Office.FRONT))
        .distinct()
        .values_list("channel", "direction")
    )
    summed: Counter[tuple[str, str]] = Counter()
    for month in year.months:
        for channel, direction in CONTRACT_PRICES:
            line = month.line(contact_line_key(channel, direction))
            summed[(channel, direction)] += int(line.quantity) if line else 0
    assert +summed == handled
    seconds = CallLeg.objects.filter(outcome=LegOutcome.ANSWERED).aggregate(
        s=Sum("handle_seconds")
    )["s"]
    minutes = sum((month.line("call-minutes").quantity for month in year.months), Decimal("0"))
    assert float(minutes) == pytest.approx(seconds / 60, abs=0.01 * len(year.months))
    contacts_amount = sum(Decimal(n) * CONTRACT_PRICES[key] for key, n in handled.items())
    telecom = Decimal(str(seconds)) / 60 * TELECOM_PER_MINUTE
    variable = contacts_amount + telecom
    fees = sum(amount for _c, _n, amount in CONTRACT_FEES) * 12
    expected = variable * 365 / 319 + fees + extrapolation.malus
    assert float(extrapolation.total) == pytest.approx(float(expected), abs=1.0)
    for month in year.months:  # the malus rule, month by month
        levels = month.service_levels
        below = sum(
            max(Decimal("0"), target - (levels[channel].achieved_pct or target))
            for channel, target in (("phone", Decimal("80")), ("email", Decimal("90")))
        )
        assert float(month.malus) == pytest.approx(min(float(below) * 500, 5000), abs=0.06)


def test_calibration_at_full_scale_from_the_plan() -> None:
    """The full 2023 demo, from the plan's exact counts and the mean talk time (no database):
    the illustrative prices put the extrapolated year within 1 % of the invoice (measured on a
    full load: docs/steering-demo.md, within 0.5 %)."""
    plan = year_plan(2023)
    days = 319
    phone, email = plan.incoming["phone"], plan.incoming["email"]
    minutes = phone * (90 + 600) / 2 / 60  # talk 90-600 s, uniform
    variable = (
        phone * CONTRACT_PRICES[(Channel.PHONE, Direction.IN)]
        + email * CONTRACT_PRICES[(Channel.EMAIL, Direction.IN)]
        + Decimal(str(minutes)) * TELECOM_PER_MINUTE
    )
    fees = sum(amount for _c, _n, amount in CONTRACT_FEES) * 12
    malus = Decimal("11500")  # the full run's (docs/steering-demo.md)
    total = variable * 365 / days + fees - malus
    assert abs(total / INVOICE_2023 - 1) < Decimal("0.01")


def test_roster_covers_the_planned_weeks(demo: str) -> None:
    plan = StaffPlan.objects.get(file_name=ROSTER_FILE)
    first, last = roster_period(LAST_DAY)
    assert (plan.office, plan.date_from, plan.date_to) == (Office.FRONT, first, last)
    assert (first, last) == (dt.date(2023, 9, 21), dt.date(2023, 12, 27))
    per_day = Counter(
        slot.astimezone(BRUSSELS).date()
        for slot in PlannedStaff.objects.filter(plan=plan).values_list("slot_start", flat=True)
    )
    assert sorted(per_day) == WorkingDays(first, last).between(first, last)
    assert set(per_day.values()) == {24}  # every half hour 08:00-20:00
    agents = [
        float(a) for a in PlannedStaff.objects.filter(plan=plan).values_list("agents", flat=True)
    ]
    assert max(agents) <= TEAM_SIZE
    assert min(agents) >= 0
    assert max(agents) >= 20
    assert min(agents) <= 8
    slots = PlannedStaff.objects.filter(plan=plan).aggregate(n=Count("id"))["n"]
    assert slots == 24 * len(per_day)


def test_demo_command_runs_the_extra() -> None:
    out = io.StringIO()
    call_command("demo", years="2023", scale=0.01, seed=3, verbosity=0, stdout=out)
    assert "Steering demo 2023:" in out.getvalue()
    assert (
        CallLeg.objects.filter(outcome=LegOutcome.ANSWERED).count()
        == year_plan(2023, scale=0.01).incoming["phone"]
    )


def test_the_demo_adds_a_backtested_forecast_per_channel_and_an_invoice_to_check(
    demo: str,
) -> None:
    from kglijn.steering.contract.invoices import invoice_check
    from kglijn.steering.demo import DEMO_INVOICE_REFERENCE, INVOICE_EXTRA_CALLS
    from kglijn.steering.models import ForecastRun, Invoice

    runs = {run.channel: run for run in ForecastRun.objects.all()}
    assert set(runs) == {Channel.PHONE, Channel.EMAIL, Channel.CHAT}
    for run in runs.values():
        assert run.forecast_from == LAST_DAY + dt.timedelta(days=1)
        assert run.backtest_wape_pct is not None
        assert run.baseline_wape_pct is not None
        assert run.points.filter(backtest=False).exists()
    invoice = Invoice.objects.get(reference=DEMO_INVOICE_REFERENCE)
    assert invoice.month == dt.date(2023, 10, 1)
    check = invoice_check(invoice)
    flagged = {row.key: row for row in check.rows if row.flagged}
    # The three planted differences, and nothing else.
    assert set(flagged) == {"contacts-phone-incoming", "malus", "fee-opleiding"}
    phone = flagged["contacts-phone-incoming"]
    assert phone.invoice_quantity == phone.statement_quantity + INVOICE_EXTRA_CALLS
    assert flagged["malus"].invoice_amount is None
    assert flagged["fee-opleiding"].statement_amount is None


def test_demo_reset_removes_the_demo_calls_before_the_contacts(demo: str) -> None:
    from kglijn.demo.services import demo_reset

    assert Call.objects.exists()
    deleted = demo_reset()
    assert deleted["demo calls"] > 0
    assert not Call.objects.exists()
    assert not CallLeg.objects.exists()
    assert not Contact.objects.exists()
