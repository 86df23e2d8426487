"""The monthly statement of the front office's contract, computed from the register.

Pure services (no request, no output): `statement_month(month)` and `statement_year(year)`.
The rules are in docs/steering-contract.md and on the page ("Hoe wordt dit berekend?"):

- The version valid on the month's first day states the whole month.
- A handled contact: a phone or e-mail contact (chat is not the front office's) received in the
  month (Brussels), handled by the front office — its office is the front office, or it has an
  escalation from the front office — and, when incoming, answered (answered_at set). Abandoned
  and short-abandoned calls are no contacts and are never counted.
- Call minutes: talk + hold (handle_seconds) of the front office's answered call legs offered in
  the month, ÷ 60, rounded to 2 decimals.
- Fixed fees: one line per fee of the version.
- Malus: per channel measured below its target, (target − achieved) in percentage points
  (2 decimals) × the malus per point; summed over the channels, capped at the monthly cap; a
  negative line. A channel without measurements has no malus.
- Every line's amount is quantity × unit price rounded to cents (ROUND_HALF_UP); the total is the
  sum of the lines.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from kglijn.contacts.models import Contact, Escalation
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.vocabulary import Channel, Direction, Office
from kglijn.servicelevels.mail import email_service_levels
from kglijn.servicelevels.phone import service_levels
from kglijn.steering.models import Contract, ContractVersion
from kglijn.telephony.models import CallLeg, LegOutcome

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
# The channels and directions the front office is paid for, in the statement's order.
CONTACT_LINES: tuple[tuple[str, str], ...] = (
    (Channel.PHONE, Direction.IN),
    (Channel.PHONE, Direction.OUT),
    (Channel.EMAIL, Direction.IN),
    (Channel.EMAIL, Direction.OUT),
)
DIRECTION_WORDS = {Direction.IN: "incoming", Direction.OUT: "outgoing"}
KIND_CONTACTS, KIND_MINUTES, KIND_FEES, KIND_MALUS = "contacts", "minutes", "fees", "malus"
VARIABLE_KINDS = (KIND_CONTACTS, KIND_MINUTES)


class NoContract(Exception):
    """No contract version is valid on the month's first day (or no contract at all)."""


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def contact_line_key(channel: str, direction: str) -> str:
    return f"contacts-{channel}-{DIRECTION_WORDS[Direction(direction)]}"


def fee_line_key(code: str) -> str:
    return f"fee-{code}"


def month_first(month: dt.date) -> dt.date:
    return month.replace(day=1)


def month_last(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _brussels(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BRUSSELS)


@dataclass(frozen=True)
class StatementLine:
    key: str
    kind: str  # contacts | minutes | fees | malus
    label: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal

    def as_json(self) -> dict[str, str]:
        return {
            "key": self.key,
            "label": self.label,
            "quantity": str(self.quantity),
            "unit": self.unit,
            "unit_price": str(self.unit_price),
            "amount": str(self.amount),
        }


@dataclass(frozen=True)
class ChannelLevel:
    """A channel's service level of the month against the contract's target."""

    channel: str
    target_pct: Decimal
    target_seconds: int | None  # phone
    target_working_days: int | None  # e-mail
    achieved_pct: Decimal | None  # None: not measured
    in_time: int
    measured: int
    shortfall_points: Decimal  # 0 when on target or not measured
    note: str = ""

    @property
    def below_target(self) -> bool:
        return self.shortfall_points > 0

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "target_pct": str(self.target_pct),
            "achieved_pct": None if self.achieved_pct is None else str(self.achieved_pct),
            "measured": self.measured,
            "shortfall_points": str(self.shortfall_points),
        }
        if self.target_seconds is not None:
            data["target_seconds"] = self.target_seconds
        if self.target_working_days is not None:
            data["target_working_days"] = self.target_working_days
        return data


@dataclass
class Statement:
    month: dt.date  # first day
    contract: Contract
    version: ContractVersion
    lines: list[StatementLine]
    service_levels: dict[str, ChannelLevel]
    malus_uncapped: Decimal
    malus: Decimal  # positive; its line is −malus
    last_contact_day: dt.date | None  # the last Brussels day with a handled contact

    @property
    def illustrative(self) -> bool:
        return self.contract.illustrative

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def line(self, key: str) -> StatementLine | None:
        return next((line for line in self.lines if line.key == key), None)

    def kind_total(self, kind: str) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind == kind), Decimal("0.00"))

    def as_json(self) -> dict[str, object]:
        return {
            "month": f"{self.month:%Y-%m}",
            "contract": {"name": self.contract.name, "supplier": self.contract.supplier},
            "contract_version": {
                "id": self.version.pk,
                "valid_from": self.version.valid_from.isoformat(),
            },
            "illustrative": self.illustrative,
            "lines": [line.as_json() for line in self.lines],
            "service_levels": {
                channel: level.as_json() for channel, level in self.service_levels.items()
            },
            "malus": str(self.malus),
            "total": str(self.total),
        }


def version_for(month: dt.date) -> ContractVersion | None:
    """The version valid on the month's first day (of the newest contract)."""
    first = month_first(month)
    return (
        ContractVersion.objects.filter(valid_from__lte=first)
        .select_related("contract")
        .prefetch_related("prices", "fees")
        .order_by("-valid_from", "-contract_id")
        .first()
    )


def handled_contacts(first: dt.date, last: dt.date) -> QuerySet[Contact]:
    """The contacts the front office handled, received first..last (Brussels, inclusive)."""
    from_front = Escalation.objects.filter(contact=OuterRef("pk"), from_office=Office.FRONT)
    return (
        Contact.objects.filter(
            channel__in=[Channel.PHONE, Channel.EMAIL],
            received_at__gte=_brussels(first),
            received_at__lt=_brussels(last + dt.timedelta(days=1)),
        )
        .filter(Q(office=Office.FRONT) | Q(Exists(from_front)))
        .exclude(direction=Direction.IN, answered_at__isnull=True)
    )


def _contact_counts(first: dt.date, last: dt.date) -> dict[tuple[str, str], int]:
    rows = (
        handled_contacts(first, last)
        .values("channel", "direction")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["channel"], row["direction"]): row["n"] for row in rows}


def _last_contact_day(first: dt.date, last: dt.date) -> dt.date | None:
    latest = (
        handled_contacts(first, last)
        .order_by("-received_at")
        .values_list("received_at", flat=True)[:1]
    )
    for moment in latest:
        return moment.astimezone(BRUSSELS).date()
    return None


def call_minutes(first: dt.date, last: dt.date) -> Decimal:
    total = CallLeg.objects.filter(
        office=Office.FRONT,
        outcome=LegOutcome.ANSWERED,
        offered_at__gte=_brussels(first),
        offered_at__lt=_brussels(last + dt.timedelta(days=1)),
    ).aggregate(seconds=Sum("handle_seconds"))["seconds"]
    # The database sums floats; to the millisecond, the order of the sum does not matter.
    seconds = Decimal(repr(float(total or 0.0))).quantize(MILLI, rounding=ROUND_HALF_UP)
    return cents(seconds / Decimal(60))


def _pct(numerator: int, denominator: int) -> Decimal:
    return cents(Decimal(100 * numerator) / Decimal(denominator))


def _levels(version: ContractVersion, first: dt.date, last: dt.date) -> dict[str, ChannelLevel]:
    phone = service_levels(date_from=first, date_to=last, period="month", offices=[Office.FRONT])
    row = phone.totals[Office.FRONT]
    note = ""
    if row.target_seconds is not None and row.target_seconds != version.phone_target_seconds:
        note = _(
            "The service-level norm of the telephony measures %(norm)d s; the contract's "
            "target of %(target)d s is applied here."
        ) % {"norm": row.target_seconds, "target": version.phone_target_seconds}
        # Re-count with the contract's own target time.
        in_time = CallLeg.objects.filter(
            office=Office.FRONT,
            outcome=LegOutcome.ANSWERED,
            offered_at__gte=_brussels(first),
            offered_at__lt=_brussels(last + dt.timedelta(days=1)),
            wait_seconds__lte=version.phone_target_seconds,
        ).count()
    else:
        in_time = row.answered_in_target
    result = {
        Channel.PHONE.value: _level(
            Channel.PHONE,
            version.phone_target_pct,
            in_time,
            row.offered,
            note=note,
            target_seconds=version.phone_target_seconds,
        )
    }
    mail = email_service_levels(
        date_from=first,
        date_to=last,
        period="month",
        offices=[Office.FRONT],
        norm_days=version.email_target_working_days,
    )
    total = mail.totals[Office.FRONT]
    result[Channel.EMAIL.value] = _level(
        Channel.EMAIL,
        version.email_target_pct,
        total.answered_within_norm,
        total.decided,
        target_working_days=version.email_target_working_days,
    )
    return result


def _level(
    channel: str,
    target: Decimal,
    in_time: int,
    measured: int,
    *,
    note: str = "",
    target_seconds: int | None = None,
    target_working_days: int | None = None,
) -> ChannelLevel:
    achieved = _pct(in_time, measured) if measured else None
    shortfall = (
        cents(target - achieved) if achieved is not None and achieved < target else Decimal("0")
    )
    return ChannelLevel(
        channel=channel,
        target_pct=target,
        target_seconds=target_seconds,
        target_working_days=target_working_days,
        achieved_pct=achieved,
        in_time=in_time,
        measured=measured,
        shortfall_points=shortfall,
        note=note,
    )


def _contact_label(channel: str, direction: str) -> str:
    return {
        (Channel.PHONE, Direction.IN): _("Handled calls, incoming"),
        (Channel.PHONE, Direction.OUT): _("Calls made, outgoing"),
        (Channel.EMAIL, Direction.IN): _("Handled e-mails, incoming"),
        (Channel.EMAIL, Direction.OUT): _("E-mails sent, outgoing"),
    }[(Channel(channel), Direction(direction))]


def statement_month(month: dt.date) -> Statement:
    """The statement of the month containing `month`; raises NoContract without a version."""
    first, last = month_first(month), month_last(month)
    version = version_for(first)
    if version is None:
        raise NoContract(
            _("No contract version is valid on %(day)s.") % {"day": first.strftime("%d/%m/%Y")}
        )
    prices = {(price.channel, price.direction): price.price for price in version.prices.all()}
    counts = _contact_counts(first, last)
    lines: list[StatementLine] = []
    for channel, direction in CONTACT_LINES:
        quantity = Decimal(counts.get((channel, direction), 0))
        price = prices.get((channel, direction), Decimal("0"))
        lines.append(
            StatementLine(
                key=contact_line_key(channel, direction),
                kind=KIND_CONTACTS,
                label=_contact_label(channel, direction),
                quantity=quantity,
                unit=_("contact"),
                unit_price=price,
                amount=cents(quantity * price),
            )
        )
    minutes = call_minutes(first, last)
    lines.append(
        StatementLine(
            key="call-minutes",
            kind=KIND_MINUTES,
            label=_("Call minutes (telecom)"),
            quantity=minutes,
            unit=_("minute"),
            unit_price=version.telecom_per_minute,
            amount=cents(minutes * version.telecom_per_minute),
        )
    )
    for fee in sorted(version.fees.all(), key=lambda fee: fee.code):
        lines.append(
            StatementLine(
                key=fee_line_key(fee.code),
                kind=KIND_FEES,
                label=fee.name,
                quantity=Decimal("1"),
                unit=_("month"),
                unit_price=fee.monthly_amount,
                amount=cents(fee.monthly_amount),
            )
        )
    levels = _levels(version, first, last)
    points = sum((level.shortfall_points for level in levels.values()), Decimal("0"))
    uncapped = cents(points * version.malus_per_point)
    malus = min(uncapped, cents(version.malus_cap_per_month))
    lines.append(
        StatementLine(
            key="malus",
            kind=KIND_MALUS,
            label=_("Malus for service levels below target"),
            quantity=points,
            unit=_("percentage point"),
            unit_price=-version.malus_per_point,
            amount=-malus,
        )
    )
    return Statement(
        month=first,
        contract=version.contract,
        version=version,
        lines=lines,
        service_levels=levels,
        malus_uncapped=uncapped,
        malus=malus,
        last_contact_day=_last_contact_day(first, last),
    )


# --- the year --------------------------------------------------------------------------------


@dataclass
class Extrapolation:
    covered_from: dt.date
    covered_to: dt.date  # the last day with a handled contact
    covered_days: int
    year_days: int
    variable_stated: Decimal
    variable: Decimal  # variable_stated × year_days ÷ covered_days
    fees: Decimal  # the fees of all 12 months
    malus: Decimal  # as stated (negative)
    total: Decimal

    @property
    def factor(self) -> Decimal:
        return Decimal(self.year_days) / Decimal(self.covered_days)


@dataclass
class YearStatement:
    year: int
    months: list[Statement] = field(default_factory=list)
    # Months of the year without a contract version, and months after the data (not stated).
    months_without_contract: list[dt.date] = field(default_factory=list)
    months_not_stated: list[dt.date] = field(default_factory=list)
    extrapolation: Extrapolation | None = None

    @property
    def illustrative(self) -> bool:
        return any(statement.illustrative for statement in self.months)

    @property
    def total(self) -> Decimal:
        return sum((statement.total for statement in self.months), Decimal("0.00"))

    @property
    def malus(self) -> Decimal:
        return sum((statement.malus for statement in self.months), Decimal("0.00"))

    def kind_total(self, kind: str) -> Decimal:
        return sum((s.kind_total(kind) for s in self.months), Decimal("0.00"))

    def line_totals(self) -> list[tuple[str, str, Decimal, Decimal]]:
        """(key, label, quantity, amount) summed over the months, in first-seen order."""
        totals: dict[str, list[object]] = {}
        for statement in self.months:
            for line in statement.lines:
                entry = totals.setdefault(line.key, [line.label, Decimal("0"), Decimal("0")])
                entry[1] = entry[1] + line.quantity  # type: ignore[operator]
                entry[2] = entry[2] + line.amount  # type: ignore[operator]
        return [(key, str(v[0]), v[1], v[2]) for key, v in totals.items()]  # type: ignore[misc]

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "year": self.year,
            "illustrative": self.illustrative,
            "months": [
                {
                    "month": f"{s.month:%Y-%m}",
                    "contract_version": {"valid_from": s.version.valid_from.isoformat()},
                    "malus": str(s.malus),
                    "total": str(s.total),
                }
                for s in self.months
            ],
            "months_without_contract": [f"{m:%Y-%m}" for m in self.months_without_contract],
            "months_not_stated": [f"{m:%Y-%m}" for m in self.months_not_stated],
            "lines": [
                {"key": key, "label": label, "quantity": str(q), "amount": str(a)}
                for key, label, q, a in self.line_totals()
            ],
            "malus": str(self.malus),
            "total": str(self.total),
            "extrapolation": None,
        }
        if self.extrapolation is not None:
            e = self.extrapolation
            data["extrapolation"] = {
                "covered_from": e.covered_from.isoformat(),
                "covered_to": e.covered_to.isoformat(),
                "covered_days": e.covered_days,
                "year_days": e.year_days,
                "variable_stated": str(e.variable_stated),
                "variable": str(e.variable),
                "fees": str(e.fees),
                "malus": str(e.malus),
                "total": str(e.total),
            }
        return data


def _last_handled_day(year: int) -> dt.date | None:
    return _last_contact_day(dt.date(year, 1, 1), dt.date(year, 12, 31))


def statement_year(year: int, *, today: dt.date | None = None) -> YearStatement:
    """The months of the year from January up to the month of the last handled contact (or up to
    the current month when the year has none yet), each stated by its own version; months before
    the first version are listed as without contract. When the data ends before 31 December,
    the extrapolation to the full year (docs/steering-contract.md)."""
    today = today or dt.datetime.now(BRUSSELS).date()
    result = YearStatement(year=year)
    last_day = _last_handled_day(year)
    if last_day is not None:
        last_month = last_day.month
    elif year < today.year:
        last_month = 12
    elif year == today.year:
        last_month = today.month
    else:
        last_month = 0
    for number in range(1, 13):
        month = dt.date(year, number, 1)
        if number > last_month:
            result.months_not_stated.append(month)
            continue
        try:
            result.months.append(statement_month(month))
        except NoContract:
            result.months_without_contract.append(month)
    if last_day is not None and last_day < dt.date(year, 12, 31) and result.months:
        result.extrapolation = _extrapolate(result, last_day)
    return result


def _extrapolate(result: YearStatement, last_day: dt.date) -> Extrapolation:
    year = result.year
    first = dt.date(year, 1, 1)
    covered_days = (last_day - first).days + 1
    year_days = 366 if calendar.isleap(year) else 365
    variable_stated = sum((result.kind_total(kind) for kind in VARIABLE_KINDS), Decimal("0.00"))
    variable = cents(variable_stated * Decimal(year_days) / Decimal(covered_days))
    fees = result.kind_total(KIND_FEES)
    # The months not stated (after the data) are charged the fees of the last version.
    newest = result.months[-1].version
    newest_fees = sum((cents(fee.monthly_amount) for fee in newest.fees.all()), Decimal("0.00"))
    fees += newest_fees * len(result.months_not_stated)
    malus = result.kind_total(KIND_MALUS)
    return Extrapolation(
        covered_from=first,
        covered_to=last_day,
        covered_days=covered_days,
        year_days=year_days,
        variable_stated=variable_stated,
        variable=variable,
        fees=fees,
        malus=malus,
        total=variable + fees + malus,
    )


def months_of(year: int) -> list[dt.date]:
    return [dt.date(year, number, 1) for number in range(1, 13)]


__all__ = [
    "NoContract",
    "Statement",
    "StatementLine",
    "YearStatement",
    "statement_month",
    "statement_year",
]
