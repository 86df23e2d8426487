"""The back offices' written work: open e-mails and web forms by age against the norm.

Rules (docs/steering-staffing.md):
- written work: incoming contacts of the e-mail channel (mailbox and web form) held by the
  office now (its queue: Contact.office, as the e-mail service level counts them);
- open: not closed and not answered yet (the e-mail service level's "open");
- age: working days after day 0 up to today (kglijn.core.business_calendar.WorkingDays: day 0 is
  the day of receipt, or the next working day); beyond the norm = age > the e-mail norm
  (kglijn.servicelevels.mail.norm_working_days(), 2 by default);
- intake per Brussels day = written contacts received that day; closed = those closed that day,
  over the last 4 weeks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from kglijn.contacts.models import Channel, Contact, Direction, Office, Status
from kglijn.core.business_calendar import BRUSSELS, WorkingDays
from kglijn.servicelevels.mail import norm_working_days

BACK_OFFICES = (Office.PGJO.value, Office.CHILDCARE.value)
HISTORY_DAYS = 28


@dataclass
class AgeBucket:
    label: str
    first: int  # working days, inclusive
    last: int | None  # None: and more
    count: int = 0
    beyond_norm: bool = False


@dataclass
class OfficeBacklog:
    office: str
    norm_days: int
    buckets: list[AgeBucket]
    open_total: int = 0
    beyond_norm: int = 0
    oldest_days: int | None = None
    days: list[dt.date] = field(default_factory=list)
    intake: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(dict(Office.choices)[self.office])

    @property
    def history(self) -> list[tuple[dt.date, int, int]]:
        return list(zip(self.days, self.intake, self.closed, strict=True))


def _written(office: str) -> QuerySet[Contact]:
    return Contact.objects.filter(office=office, channel=Channel.EMAIL, direction=Direction.IN)


def _per_day(queryset: QuerySet[Contact], field_name: str) -> dict[dt.date, int]:
    rows = (
        queryset.annotate(day=TruncDate(field_name, tzinfo=BRUSSELS))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["day"]: row["n"] for row in rows}


def _buckets(norm: int) -> list[AgeBucket]:
    top = norm + 3
    buckets = [AgeBucket(str(age), age, age, beyond_norm=age > norm) for age in range(top + 1)]
    buckets.append(AgeBucket(f"≥ {top + 1}", top + 1, None, beyond_norm=True))
    return buckets


def office_backlog(office: str, *, today: dt.date | None = None) -> OfficeBacklog:
    today = today or timezone.localdate()
    norm = norm_working_days()
    result = OfficeBacklog(office=office, norm_days=norm, buckets=_buckets(norm))
    open_per_day = _per_day(
        _written(office).exclude(status=Status.CLOSED).filter(answered_at__isnull=True),
        "received_at",
    )
    if open_per_day:
        calendar = WorkingDays(min(min(open_per_day), today), max(today, max(open_per_day)))
        ages: Counter[int] = Counter()
        for received, count in open_per_day.items():
            ages[calendar.elapsed(received, today) if received <= today else 0] += count
        for age, count in ages.items():
            bucket = next(b for b in result.buckets if b.last is None or b.first <= age <= b.last)
            bucket.count += count
            result.open_total += count
            if age > norm:
                result.beyond_norm += count
        result.oldest_days = max(ages)
    first = today - dt.timedelta(days=HISTORY_DAYS - 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=BRUSSELS)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=BRUSSELS)
    intake = _per_day(
        _written(office).filter(received_at__gte=start, received_at__lt=end), "received_at"
    )
    closed = _per_day(_written(office).filter(closed_at__gte=start, closed_at__lt=end), "closed_at")
    result.days = [first + dt.timedelta(days=i) for i in range(HISTORY_DAYS)]
    result.intake = [intake.get(day, 0) for day in result.days]
    result.closed = [closed.get(day, 0) for day in result.days]
    return result


def back_office_backlogs(*, today: dt.date | None = None) -> list[OfficeBacklog]:
    return [office_backlog(office, today=today) for office in BACK_OFFICES]
