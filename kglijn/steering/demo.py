"""The steering demo (issue 19, ADR 0017): the front office's call legs, the illustrative
contract and a roster, on top of `kglijn demo`'s register (settings.KGLIJN_DEMO_EXTRAS).

- **Calls**: for the last loaded year, one ended Call + one answered front-office CallLeg per
  incoming phone contact the front office handled (offered = received_at, answered =
  answered_at, handle = the conversation: answered_at to closed_at, or to the escalation for an
  escalated call), and abandoned calls without a contact: per half hour, each answered call
  brings an abandoned one with a chance that grows with the half hour's mean wait (busy half
  hours lose more callers); a quarter of those hang up within 5 s (short abandons).
- **Contract**: one illustrative Contract with one ContractVersion from the first loaded year;
  the prices are invented and calibrated so that 2023 extrapolated to the year lands near the
  real invoice of €981,788 (docs/steering-demo.md shows the computation).
- **Roster**: a StaffPlan of the front office for the last 8 weeks of data and the 6 weeks
  after, from a team of 45 agents in shifts (docs/steering-demo.md).

Deterministic per seed; its own rows (call ids "demo-…", the demo supplier's contract, the plan
named ROSTER_FILE) are replaced on every run. Bulk SQL through core.bulk like the demo loader.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Max, Q

from kglijn.contacts.models import Channel, Contact, Direction, Escalation, Office
from kglijn.core.bulk import BulkWriter, fast_writes, first_free_ids, table_spec
from kglijn.core.business_calendar import BRUSSELS, WorkingDays
from kglijn.demo.calls import CALL_PREFIX, demo_calls_delete
from kglijn.demo.timeline import TimestampText
from kglijn.steering.contract.invoices import invoice_import
from kglijn.steering.contract.statement import NoContract, statement_month
from kglijn.steering.forecast.services import ForecastRefused, forecast_run
from kglijn.steering.models import (
    Contract,
    ContractFee,
    ContractPrice,
    ContractVersion,
    ForecastRun,
    Invoice,
    PlannedStaff,
    StaffPlan,
)
from kglijn.telephony.models import Call, CallLeg, CallState, LegOutcome

DEMO_SUPPLIER = "Leverancier frontoffice (illustratief)"
DEMO_CONTRACT_NAME = "Raamovereenkomst frontoffice Kind en Gezin-Lijn (illustratief)"
ROSTER_FILE = "demo-rooster-frontoffice.csv"

# --- abandoned calls ---------------------------------------------------------------------------
# Chance per answered call that the half hour also had one abandoned call: base + slope × the
# half hour's mean wait of answered calls (s), at most ABANDON_MAX. About 7 % of the offered
# calls (short abandons left out) over a year, 12-20 % in the busiest half hours.
ABANDON_BASE = 0.045
ABANDON_PER_WAIT_SECOND = 0.0042
ABANDON_MAX = 0.35
SHORT_ABANDON_SHARE = 0.25  # of the abandons: hung up within 5 s (0-4.9 s)
SHORT_ABANDON_SECONDS = 5.0
PATIENCE_SECONDS = 25.0  # a longer abandon waits 5 s + exponential(this + the mean wait)

# --- the illustrative contract (invented; calibrated to €981,788 for 2023, see the docs) -------
CONTRACT_PRICES: dict[tuple[str, str], Decimal] = {
    (Channel.PHONE, Direction.IN): Decimal("3.7500"),
    (Channel.EMAIL, Direction.IN): Decimal("4.2500"),
    (Channel.PHONE, Direction.OUT): Decimal("3.1000"),
    (Channel.EMAIL, Direction.OUT): Decimal("3.9000"),
}
CONTRACT_FEES: tuple[tuple[str, str, Decimal], ...] = (
    ("ict-tools", "Contactcentertools (ICT)", Decimal("12500.00")),
    ("information-service", "Beheer informatiedienstverlening", Decimal("9000.00")),
)
TELECOM_PER_MINUTE = Decimal("0.0250")
MALUS_PER_POINT = Decimal("500.00")
MALUS_CAP_PER_MONTH = Decimal("5000.00")
ONE_DAY = dt.timedelta(days=1)
CENT = Decimal("0.01")
INVOICE_2023 = Decimal("981788")  # excl. VAT, source 000

# --- the roster --------------------------------------------------------------------------------
TEAM_SIZE = 45  # front-office agents (source 000)
ROSTER_WEEKS_BACK = 8
ROSTER_WEEKS_AHEAD = 6
OPEN_HOUR, CLOSE_HOUR = 8, 20
# Shifts (start, end in half hours from 08:00, lunch break half hour) and how many agents work
# each; every agent also has a written-work block (e-mail) of 2 hours off the phone.
SHIFTS = (
    ("early", 0, 17, 9),  # 08:00-16:30, lunch 12:30
    ("day", 2, 19, 10),  # 09:00-17:30, lunch 13:00
    ("late", 7, 24, 12),  # 11:30-20:00, lunch 15:00
)
SHIFT_MIX = (18, 16, 11)  # agents per shift: the roster is the same every weekday
# Contracted days a week: 25 full-time, 12 four-fifths (Wednesday off), 8 half-time (Mon-Tue
# or Thu-Fri alternately).
FTE_MIX = ((1.0, 25), (0.8, 12), (0.5, 8))
LEAVE_SHARE = 0.09  # planned leave on a given day (more around Christmas)
CHRISTMAS_LEAVE_SHARE = 0.3
WRITTEN_WORK_SLOTS = 4  # half hours a day on e-mail instead of the phone


@dataclass(frozen=True)
class DemoSteering:
    year: int
    calls: int
    abandoned: int
    short_abandons: int
    contract_versions: int
    roster_slots: int
    roster_from: dt.date | None
    roster_to: dt.date | None
    seconds: float
    forecasts: tuple[str, ...] = ()
    invoice: str = ""

    def summary(self) -> str:
        return (
            f"Steering demo {self.year}: {self.calls:,} answered front-office calls, "
            f"{self.abandoned:,} abandoned calls ({self.short_abandons:,} short), "
            f"{self.contract_versions} illustrative contract version, "
            f"{self.roster_slots:,} roster half hours "
            f"({self.roster_from} to {self.roster_to}), "
            f"forecasts {', '.join(self.forecasts) or 'none'}, invoice {self.invoice or 'none'} "
            f"in {self.seconds:.1f} s"
        )


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime(year, 1, 1, tzinfo=BRUSSELS),
        dt.datetime(year + 1, 1, 1, tzinfo=BRUSSELS),
    )


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


@dataclass(frozen=True)
class _Answered:
    contact_id: int
    offered: int
    answered: int
    ended: int
    agent_id: int | None


def _front_phone_contacts(year: int) -> list[_Answered]:
    """Incoming phone contacts of the year handled by the front office, in order of receipt."""
    start, end = _year_bounds(year)
    escalated = {
        contact_id: (at, by)
        for contact_id, at, by in Escalation.objects.filter(
            from_office=Office.FRONT,
            contact__channel=Channel.PHONE,
            contact__direction=Direction.IN,
            contact__received_at__gte=start,
            contact__received_at__lt=end,
        ).values_list("contact_id", "escalated_at", "escalated_by_id")
    }
    rows = (
        Contact.objects.filter(
            channel=Channel.PHONE,
            direction=Direction.IN,
            received_at__gte=start,
            received_at__lt=end,
            answered_at__isnull=False,
        )
        .filter(Q(office=Office.FRONT) | Q(pk__in=list(escalated)))
        .order_by("received_at", "pk")
        .values_list("pk", "received_at", "answered_at", "closed_at", "handler_id")
    )
    result = []
    for pk, received, answered, closed, handler in rows:
        assert answered is not None  # filtered above
        done, agent = escalated.get(pk, (closed or answered, handler))
        answered_at = _epoch(answered)
        result.append(
            _Answered(pk, _epoch(received), answered_at, max(_epoch(done), answered_at), agent)
        )
    return result


def _half_hour(moment: int) -> int:
    return moment - moment % 1800


def _write_calls(
    year: int, seed: int, writer: BulkWriter, stamp: TimestampText
) -> tuple[int, int, int]:
    answered = _front_phone_contacts(year)
    rng = random.Random(seed * 7_919 + year)
    waits: dict[int, list[int]] = defaultdict(list)
    for call in answered:
        waits[_half_hour(call.offered)].append(call.answered - call.offered)
    mean_wait = {slot: sum(values) / len(values) for slot, values in waits.items()}

    call_fields = (
        "id", "call_id", "state", "direction", "office", "offered_at", "answered_at",
        "ended_at", "abandoned_at", "agent_id", "queue_wait_seconds", "talk_seconds",
        "hold_seconds", "contact_id", "updated_at",
    )  # fmt: skip
    leg_fields = (
        "id", "call_id", "seq", "office", "offered_at", "answered_at", "ended_at", "outcome",
        "agent_id", "wait_seconds", "handle_seconds",
    )  # fmt: skip
    call_spec = table_spec(
        Call,
        call_fields,
        connection=connection,
        constants={"transferred_to": "", "callback_number": ""},
    )
    leg_spec = table_spec(CallLeg, leg_fields, connection=connection)
    call_id, leg_id = first_free_ids([call_spec, leg_spec], connection)
    calls: list[tuple[object, ...]] = []
    legs: list[tuple[object, ...]] = []
    abandoned = short = 0
    for item in answered:
        wait = item.answered - item.offered
        handle = item.ended - item.answered
        calls.append(
            (
                call_id, f"{CALL_PREFIX}{item.contact_id}", CallState.ENDED, Direction.IN,
                Office.FRONT, stamp(item.offered), stamp(item.answered), stamp(item.ended),
                None, item.agent_id, float(wait), float(handle), 0, item.contact_id,
                stamp(item.ended),
            )
        )  # fmt: skip
        legs.append(
            (
                leg_id, call_id, 1, Office.FRONT, stamp(item.offered), stamp(item.answered),
                stamp(item.ended), LegOutcome.ANSWERED, item.agent_id, float(wait),
                float(handle),
            )
        )  # fmt: skip
        call_id += 1
        leg_id += 1
        slot = _half_hour(item.offered)
        chance = min(ABANDON_MAX, ABANDON_BASE + ABANDON_PER_WAIT_SECOND * mean_wait[slot])
        if rng.random() >= chance:
            continue
        offered = slot + rng.randrange(1800)
        if rng.random() < SHORT_ABANDON_SHARE:
            gave_up = rng.uniform(0.0, SHORT_ABANDON_SECONDS - 0.1)
            short += 1
        else:
            gave_up = SHORT_ABANDON_SECONDS + rng.expovariate(
                1 / (PATIENCE_SECONDS + mean_wait[slot])
            )
        gave_up = round(gave_up, 1)
        end = stamp(offered + int(gave_up))
        abandoned += 1
        calls.append(
            (
                call_id, f"{CALL_PREFIX}a{year}-{abandoned}", CallState.ENDED, Direction.IN,
                Office.FRONT, stamp(offered), None, end, end, None, gave_up, None, None, None,
                end,
            )
        )  # fmt: skip
        legs.append(
            (
                leg_id, call_id, 1, Office.FRONT, stamp(offered), None, end,
                LegOutcome.ABANDONED, None, gave_up, None,
            )
        )  # fmt: skip
        call_id += 1
        leg_id += 1
    writer.write(call_spec, calls)
    writer.write(leg_spec, legs)
    return len(answered), abandoned, short


def demo_contract_delete() -> int:
    contracts = Contract.objects.filter(illustrative=True, supplier=DEMO_SUPPLIER)
    versions = ContractVersion.objects.filter(contract__in=contracts)
    ContractPrice.objects.filter(version__in=versions).delete()
    ContractFee.objects.filter(version__in=versions).delete()
    versions.delete()
    return contracts.delete()[0]


def _write_contract(first_year: int) -> int:
    contract = Contract.objects.create(
        name=DEMO_CONTRACT_NAME, supplier=DEMO_SUPPLIER, illustrative=True
    )
    version = ContractVersion.objects.create(
        contract=contract,
        valid_from=dt.date(first_year, 1, 1),
        telecom_per_minute=TELECOM_PER_MINUTE,
        phone_target_pct=Decimal("80"),
        phone_target_seconds=20,
        email_target_pct=Decimal("90"),
        email_target_working_days=2,
        malus_per_point=MALUS_PER_POINT,
        malus_cap_per_month=MALUS_CAP_PER_MONTH,
        note=(
            "Demo: illustratieve prijstabel, verzonnen en zo gekozen dat 2023 (tot 15 november, "
            "geëxtrapoleerd naar het jaar) dicht bij de factuur van € 981.788 uitkomt."
        ),
    )
    ContractPrice.objects.bulk_create(
        ContractPrice(version=version, channel=channel, direction=direction, price=price)
        for (channel, direction), price in CONTRACT_PRICES.items()
    )
    ContractFee.objects.bulk_create(
        ContractFee(version=version, code=code, name=name, monthly_amount=amount)
        for code, name, amount in CONTRACT_FEES
    )
    return 1


def demo_roster_delete() -> int:
    return StaffPlan.objects.filter(file_name=ROSTER_FILE).delete()[0]


def roster_period(last_day: dt.date) -> tuple[dt.date, dt.date]:
    """The last 8 weeks of data up to `last_day` and the 6 weeks after it."""
    return (
        last_day - dt.timedelta(weeks=ROSTER_WEEKS_BACK) + dt.timedelta(days=1),
        last_day + dt.timedelta(weeks=ROSTER_WEEKS_AHEAD),
    )


def _team(rng: random.Random) -> list[tuple[int, frozenset[int], int]]:
    """The 45 agents: (shift index, weekdays worked, first half hour of the written work)."""
    fte = [share for share, count in FTE_MIX for _ in range(count)]
    shifts = [index for index, count in enumerate(SHIFT_MIX) for _ in range(count)]
    rng.shuffle(fte)
    team = []
    for number, (share, shift) in enumerate(zip(fte, shifts, strict=True)):
        if share == 1.0:
            days = frozenset(range(5))
        elif share == 0.8:
            days = frozenset({0, 1, 3, 4})
        else:
            days = frozenset({0, 1} if number % 2 else {3, 4})
        _name, first, last, _lunch = SHIFTS[shift]
        team.append((shift, days, rng.randrange(first + 1, last - WRITTEN_WORK_SLOTS)))
    return team


def _write_roster(last_day: dt.date, seed: int) -> tuple[int, dt.date, dt.date]:
    first, last = roster_period(last_day)
    rng = random.Random(seed * 104_729 + last_day.toordinal())
    team = _team(rng)
    plan = StaffPlan.objects.create(
        office=Office.FRONT, file_name=ROSTER_FILE, date_from=first, date_to=last
    )
    slots = []
    for day in WorkingDays(first, last).between(first, last):
        christmas = day.month == 12 and day.day >= 20
        leave = CHRISTMAS_LEAVE_SHARE if christmas else LEAVE_SHARE
        on_phone = [0] * ((CLOSE_HOUR - OPEN_HOUR) * 2)
        for shift, days, written in team:
            if day.weekday() not in days or rng.random() < leave:
                continue
            _name, start, end, lunch = SHIFTS[shift]
            for slot in range(start, end):
                if slot == lunch or written <= slot < written + WRITTEN_WORK_SLOTS:
                    continue
                on_phone[slot] += 1
        opening = dt.datetime.combine(day, dt.time(OPEN_HOUR), BRUSSELS)
        for slot, agents in enumerate(on_phone):
            slots.append(
                PlannedStaff(
                    plan=plan,
                    office=Office.FRONT,
                    slot_start=opening + dt.timedelta(minutes=30 * slot),
                    agents=Decimal(agents),
                )
            )
    PlannedStaff.objects.bulk_create(slots, batch_size=2_000)
    return len(slots), first, last


def _last_phone_day(year: int) -> dt.date | None:
    start, end = _year_bounds(year)
    last = Contact.objects.filter(
        channel=Channel.PHONE, direction=Direction.IN, received_at__gte=start, received_at__lt=end
    ).aggregate(last=Max("received_at"))["last"]
    return last.astimezone(BRUSSELS).date() if last is not None else None


def steering_demo_load(*, seed: int, years: Sequence[int], scale: float) -> str:
    """The steering demo for `kglijn demo` (settings.KGLIJN_DEMO_EXTRAS); replaces its rows."""
    del scale  # the calls follow the loaded contacts, whatever their scale
    started = time.perf_counter()
    year = max(years)
    stamp = TimestampText("+00" if connection.vendor == "postgresql" else "")
    with fast_writes(connection), transaction.atomic():
        demo_calls_delete()
        demo_contract_delete()
        demo_roster_delete()
        writer = BulkWriter(connection)
        calls, abandoned, short = _write_calls(year, seed, writer, stamp)
        writer.finish()
        versions = _write_contract(min(years))
        last_day = _last_phone_day(year)
        roster = _write_roster(last_day, seed) if last_day is not None else (0, None, None)
    forecasts = _forecasts(last_day) if last_day is not None else ()
    invoice = _invoice(last_day) if last_day is not None else ""
    result = DemoSteering(
        year=year,
        calls=calls,
        abandoned=abandoned,
        short_abandons=short,
        contract_versions=versions,
        roster_slots=roster[0],
        roster_from=roster[1],
        roster_to=roster[2],
        seconds=time.perf_counter() - started,
        forecasts=forecasts,
        invoice=invoice,
    )
    return result.summary()


def _forecasts(last_day: dt.date) -> tuple[str, ...]:
    """A forecast per channel from the day after the data, each with its back-test; a channel
    with too little history (a small demo) is left out."""
    ForecastRun.objects.filter(created_by__isnull=True, forecast_from=last_day + ONE_DAY).delete()
    made = []
    for channel in (Channel.PHONE, Channel.EMAIL, Channel.CHAT):
        try:
            run = forecast_run(channel=channel, weeks=6, today=last_day + ONE_DAY)
        except ForecastRefused:
            continue
        made.append(
            f"{channel} (WAPE {run.backtest_wape_pct:.1f} % vs {run.baseline_wape_pct:.1f} %)"
        )
    return tuple(made)


# The demo invoice: the last complete month as the supplier could have billed it, with three
# differences for the invoice check to find (docs/steering-demo.md).
DEMO_INVOICE_REFERENCE = "DEMO-FACTUUR"
INVOICE_EXTRA_CALLS = 112  # the supplier also billed abandoned calls longer than 30 s
INVOICE_UNKNOWN_LINE = ("fee-opleiding", "Opleiding nieuwe medewerkers", Decimal("1250.00"))


def _invoice(last_day: dt.date) -> str:
    month = (last_day.replace(day=1) - ONE_DAY).replace(day=1)
    Invoice.objects.filter(reference=DEMO_INVOICE_REFERENCE).delete()
    try:
        statement = statement_month(month)
    except NoContract:
        return ""
    rows = ["code;omschrijving;aantal;eenheidsprijs;bedrag"]
    for line in statement.lines:
        quantity, amount = line.quantity, line.amount
        if line.key == "contacts-phone-incoming":
            quantity += INVOICE_EXTRA_CALLS
            amount = (quantity * line.unit_price).quantize(CENT, ROUND_HALF_UP)
        elif line.key == "malus":
            continue  # the supplier "forgot" the malus
        rows.append(f"{line.key};{line.label};{quantity};{line.unit_price};{amount}")
    code, label, amount = INVOICE_UNKNOWN_LINE
    rows.append(f"{code};{label};1;{amount};{amount}")
    invoice_import(
        by=None,
        month=month,
        reference=DEMO_INVOICE_REFERENCE,
        file_name=f"demo-factuur-{month:%Y-%m}.csv",
        content=("\r\n".join(rows) + "\r\n").encode(),
    )
    return f"{month:%Y-%m}"
