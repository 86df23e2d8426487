"""The demo contract's calibration (issue 19 item 2): the year's statement total computed
independently of kglijn/steering/contract, by the documented rules, to check that the
illustrative price table puts 2023 (to 15 November, extrapolated to the year) near the real
invoice of €981,788. docs/steering-demo.md shows the figures of a full-scale run.

Rules (ADR 0017 §3, docs/steering.md):
- handled contacts of a month: channel phone or e-mail, received in the month (Brussels), whose
  office is the front office or that were escalated from the front office, and — incoming —
  answered; counted per channel and direction × the price;
- call minutes: Σ handle_seconds ÷ 60 of the front office's answered call legs offered in the
  month × the telecom price;
- fixed fees: each fee once a month;
- malus: per channel whose achieved service level of the month is below the target,
  (target − achieved) percentage points × the malus per point; the month's malus is capped;
  phone = the front office's service level (servicelevels.phone), e-mail = the share of the
  handled incoming e-mails answered within the target working days (servicelevels.mail's
  working-day count).
- the year extrapolated: variable lines (contacts + call minutes) × 365 ÷ covered days (1 January
  up to the last day with a handled contact), fees × 12, malus as stated (the months' sum, not
  extrapolated): total = variable × 365 ÷ days + fees × 12 − malus.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, Sum

from kglijn.contacts.models import Channel, Contact, Direction, Office
from kglijn.core.business_calendar import BRUSSELS, WorkingDays
from kglijn.servicelevels.phone import Period, service_levels
from kglijn.steering.demo import (
    CONTRACT_FEES,
    CONTRACT_PRICES,
    MALUS_CAP_PER_MONTH,
    MALUS_PER_POINT,
    TELECOM_PER_MINUTE,
)
from kglijn.telephony.models import CallLeg, LegOutcome

CENT = Decimal("0.01")
PHONE_TARGET = (Decimal("80"), 20)
EMAIL_TARGET = (Decimal("90"), 2)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class MonthEstimate:
    month: dt.date
    contacts: dict[tuple[str, str], int] = field(default_factory=dict)
    call_minutes: Decimal = Decimal("0")
    phone_pct: float | None = None
    email_pct: float | None = None
    contacts_amount: Decimal = Decimal("0")
    telecom_amount: Decimal = Decimal("0")
    fees_amount: Decimal = Decimal("0")
    malus: Decimal = Decimal("0")

    @property
    def variable(self) -> Decimal:
        return self.contacts_amount + self.telecom_amount

    @property
    def total(self) -> Decimal:
        return self.variable + self.fees_amount - self.malus


@dataclass
class YearEstimate:
    year: int
    months: list[MonthEstimate]
    last_day: dt.date | None

    @property
    def covered_days(self) -> int:
        if self.last_day is None:
            return 0
        return (self.last_day - dt.date(self.year, 1, 1)).days + 1

    @property
    def variable(self) -> Decimal:
        return sum((month.variable for month in self.months), Decimal("0"))

    @property
    def malus(self) -> Decimal:
        return sum((month.malus for month in self.months), Decimal("0"))

    @property
    def stated(self) -> Decimal:
        return sum((month.total for month in self.months), Decimal("0"))

    @property
    def extrapolated(self) -> Decimal:
        if not self.covered_days:
            return Decimal("0")
        days = dt.date(self.year, 12, 31).timetuple().tm_yday
        fees = sum((amount for _code, _name, amount in CONTRACT_FEES), Decimal("0")) * 12
        return _money(self.variable * days / self.covered_days + fees - self.malus)


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(first, dt.time(), BRUSSELS),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), BRUSSELS),
    )


def _handled() -> Q:
    front = Q(office=Office.FRONT) | Q(escalations__from_office=Office.FRONT)
    answered = Q(direction=Direction.OUT) | Q(answered_at__isnull=False)
    return Q(channel__in=[Channel.PHONE, Channel.EMAIL]) & front & answered


def _email_pct(first: dt.date, last: dt.date) -> float | None:
    """Handled incoming e-mails of the month answered within the target working days."""
    start, end = _bounds(first, last)
    pairs = (
        Contact.objects.filter(
            _handled(), channel=Channel.EMAIL, direction=Direction.IN, received_at__gte=start
        )
        .filter(received_at__lt=end)
        .distinct()
        .values_list("received_at", "answered_at")
    )
    calendar = WorkingDays(first, last + dt.timedelta(days=60))
    total = within = 0
    for received, answered in pairs:
        if answered is None:  # not handled (the filter keeps answered ones only)
            continue
        total += 1
        days = calendar.elapsed(
            received.astimezone(BRUSSELS).date(), answered.astimezone(BRUSSELS).date()
        )
        within += days <= EMAIL_TARGET[1]
    return 100.0 * within / total if total else None


def contract_year_estimate(year: int) -> YearEstimate:
    """The illustrative contract's statement of `year`, month by month, from the register."""
    months = []
    year_start, year_end = _bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
    last = (
        Contact.objects.filter(_handled(), received_at__gte=year_start, received_at__lt=year_end)
        .aggregate(last=Max("received_at"))
        .get("last")
    )
    last_day = last.astimezone(BRUSSELS).date() if last is not None else None
    phone = service_levels(
        date_from=dt.date(year, 1, 1),
        date_to=dt.date(year, 12, 31),
        period=Period.MONTH,
        offices=[Office.FRONT],
    )
    phone_pct = {row.start.date(): row.service_level_pct for row in phone.rows[Office.FRONT]}
    for number in range(1, 13):
        first = dt.date(year, number, 1)
        following = dt.date(year + (number == 12), number % 12 + 1, 1)
        if last_day is None or first > last_day:
            break
        start, end = _bounds(first, following - dt.timedelta(days=1))
        month = MonthEstimate(first)
        counts = (
            Contact.objects.filter(_handled(), received_at__gte=start, received_at__lt=end)
            .values("channel", "direction")
            .annotate(n=Count("id", distinct=True))
        )
        for row in counts:
            month.contacts[(row["channel"], row["direction"])] = row["n"]
        seconds = CallLeg.objects.filter(
            office=Office.FRONT,
            outcome=LegOutcome.ANSWERED,
            offered_at__gte=start,
            offered_at__lt=end,
        ).aggregate(s=Sum("handle_seconds"))["s"]
        month.call_minutes = Decimal(str(seconds or 0)) / 60
        month.contacts_amount = _money(
            sum(
                (Decimal(n) * CONTRACT_PRICES[key] for key, n in month.contacts.items()),
                Decimal("0"),
            )
        )
        month.telecom_amount = _money(month.call_minutes * TELECOM_PER_MINUTE)
        month.fees_amount = sum((amount for _code, _name, amount in CONTRACT_FEES), Decimal("0"))
        month.phone_pct = phone_pct.get(first)
        month.email_pct = _email_pct(first, following - dt.timedelta(days=1))
        points = Decimal("0")
        for achieved, (target, _limit) in (
            (month.phone_pct, PHONE_TARGET),
            (month.email_pct, EMAIL_TARGET),
        ):
            if achieved is not None and Decimal(str(achieved)) < target:
                points += target - Decimal(str(achieved))
        month.malus = _money(min(points * MALUS_PER_POINT, MALUS_CAP_PER_MONTH))
        months.append(month)
    return YearEstimate(year, months, last_day)
