"""Complaint and urgent terms (ADR 0015 §5; docs/opgroeipunt.md "Terms").

Counted on the one business calendar (``kglijn.core.business_calendar``: Belgian public holidays,
the configured extra closing days and ``core.ClosingDay``):

- **acknowledgment** of a complaint: 10 *working* days after day 0 (the day of receipt, or the
  next working day when it came in on a closed day);
- **refusal** (notification that a complaint is not admissible): 10 *calendar* days after the
  receipt; when the last day is a closed day the term ends on the next working day (the rule of
  art. 53 Gerechtelijk Wetboek, which Flemish administrations follow for their own terms);
- **answer** to a complaint: 45 *calendar* days, with the same rule for a last day that is closed;
- **urgent** response (danger situations, crisis reports): ``KGLIJN_OPGROEIPUNT_URGENT_HOURS``
  hours on the clock from the receipt (``Case.urgent_due_at``), not on working days;
- **openness**: a request for documents (passive openness, 002; issue 18) is answered within
  3 *working* days after day 0, counted like the acknowledgment (``DocumentRequest.due_on``).

Status of a term: *on time* (done by its due date, or still open and the due date not passed),
*late* (done or still open after it), *far too late* (past the due date by more than the term's
own length, counted in the term's own unit). Open terms are measured against today.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kglijn.core.business_calendar import BRUSSELS, WorkingDays, add_working_days, is_working_day

if TYPE_CHECKING:
    from kglijn.opgroeipunt.models import Case


class TermKind(enum.StrEnum):
    ACKNOWLEDGMENT = "acknowledgment"
    REFUSAL = "refusal"
    ANSWER = "answer"
    URGENT = "urgent"
    OPENNESS = "openness"


class TermUnit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    HOURS = "hours"


class TermStatus(enum.StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    FAR_TOO_LATE = "far_too_late"


TERM_STATUS_LABELS: dict[str, Promise] = {
    TermStatus.ON_TIME: _("on time"),
    TermStatus.LATE: _("late"),
    TermStatus.FAR_TOO_LATE: _("far too late"),
}
_SEVERITY = {TermStatus.ON_TIME: 0, TermStatus.LATE: 1, TermStatus.FAR_TOO_LATE: 2}


@dataclass(frozen=True)
class TermRule:
    kind: TermKind
    length: int
    unit: TermUnit
    label: Promise


COMPLAINT_RULES: dict[TermKind, TermRule] = {
    TermKind.ACKNOWLEDGMENT: TermRule(
        TermKind.ACKNOWLEDGMENT, 10, TermUnit.WORKING_DAYS, _("Written acknowledgment")
    ),
    TermKind.REFUSAL: TermRule(
        TermKind.REFUSAL, 10, TermUnit.CALENDAR_DAYS, _("Notification not admissible")
    ),
    TermKind.ANSWER: TermRule(TermKind.ANSWER, 45, TermUnit.CALENDAR_DAYS, _("Answer")),
}


def urgent_rule(hours: int) -> TermRule:
    return TermRule(TermKind.URGENT, hours, TermUnit.HOURS, _("Urgent response"))


class Calendar:
    """Working-day questions for one calculation: a bulk ``WorkingDays`` table when given
    (lists, the yearly report), else the business calendar's own functions."""

    def __init__(self, table: WorkingDays | None = None) -> None:
        self._table = table

    @classmethod
    def covering(cls, first: dt.date, last: dt.date) -> Calendar:
        return cls(WorkingDays(first, last))

    def is_working_day(self, day: dt.date) -> bool:
        if self._table is not None:
            return self._table.is_working_day(day)
        return is_working_day(day)

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        if self._table is None:
            return add_working_days(day, count)
        current = self._table.day_zero(day)
        remaining = count
        while remaining:
            current += dt.timedelta(days=1)
            if self._table.is_working_day(current):
                remaining -= 1
        return current

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the first working day after it."""
        return self.add_working_days(day, 0)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BRUSSELS).date()


def due_date(rule: TermRule, received: dt.date, calendar: Calendar) -> dt.date:
    """The last day a day term may be met on, for something received on ``received``."""
    if rule.unit == TermUnit.WORKING_DAYS:
        return calendar.add_working_days(received, rule.length)
    if rule.unit == TermUnit.CALENDAR_DAYS:
        return calendar.next_working_day(received + dt.timedelta(days=rule.length))
    raise ValueError("an hour term has a due moment, not a due date")


def far_too_late_after(rule: TermRule, due: dt.date, calendar: Calendar) -> dt.date:
    """The last day that is merely late: past it, the term is far too late."""
    if rule.unit == TermUnit.WORKING_DAYS:
        return calendar.add_working_days(due, rule.length)
    return due + dt.timedelta(days=rule.length)


def day_status(
    rule: TermRule, due: dt.date, done_on: dt.date | None, today: dt.date, calendar: Calendar
) -> TermStatus:
    measured = done_on if done_on is not None else today
    if measured <= due:
        return TermStatus.ON_TIME
    if measured > far_too_late_after(rule, due, calendar):
        return TermStatus.FAR_TOO_LATE
    return TermStatus.LATE


def hour_status(
    rule: TermRule, due: dt.datetime, done_at: dt.datetime | None, now: dt.datetime
) -> TermStatus:
    measured = done_at if done_at is not None else now
    if measured <= due:
        return TermStatus.ON_TIME
    if measured > due + dt.timedelta(hours=rule.length):
        return TermStatus.FAR_TOO_LATE
    return TermStatus.LATE


@dataclass(frozen=True)
class Term:
    rule: TermRule
    due: dt.date | dt.datetime  # a date for day terms, an aware moment for the urgent term
    done_at: dt.datetime | None
    status: TermStatus

    @property
    def kind(self) -> TermKind:
        return self.rule.kind

    @property
    def open(self) -> bool:
        return self.done_at is None

    @property
    def status_label(self) -> Promise:
        return TERM_STATUS_LABELS[self.status]

    @property
    def due_is_moment(self) -> bool:
        return isinstance(self.due, dt.datetime)


def case_terms(
    case: Case,
    *,
    now: dt.datetime | None = None,
    refused_at: dt.datetime | None = None,
    calendar: Calendar | None = None,
) -> list[Term]:
    """The terms that apply to a case, each with its due date and status.

    ``refused_at``: when the complaint was declared not admissible (the approved decision's
    moment); read from the case's decisions when not given and the case is not admissible.
    """
    from kglijn.opgroeipunt.models import CaseKind, DecisionKind

    now = now or timezone.now()
    today = local_date(now)
    calendar = calendar or Calendar()
    terms: list[Term] = []
    if case.urgent and case.urgent_due_at is not None:
        rule = urgent_rule(_urgent_hours(case))
        terms.append(
            Term(
                rule,
                case.urgent_due_at,
                case.taken_at,
                hour_status(rule, case.urgent_due_at, case.taken_at, now),
            )
        )
    if case.kind != CaseKind.COMPLAINT:
        return terms
    received = local_date(case.received_at)
    if case.admissible is False and refused_at is None and case.pk is not None:
        refused_at = (
            case.decisions.filter(kind=DecisionKind.NOT_ADMISSIBLE)
            .order_by("-decided_at")
            .values_list("decided_at", flat=True)
            .first()
        )
    steps: list[tuple[TermKind, dt.datetime | None]] = [
        (TermKind.ACKNOWLEDGMENT, case.acknowledged_at)
    ]
    if case.admissible is not True:
        # Open while admissibility is undecided; met by the notification of the refusal.
        steps.append((TermKind.REFUSAL, refused_at if case.admissible is False else None))
    if case.admissible is not False:
        steps.append((TermKind.ANSWER, case.answered_at))
    for kind, done_at in steps:
        rule = COMPLAINT_RULES[kind]
        due = due_date(rule, received, calendar)
        done_on = local_date(done_at) if done_at is not None else None
        terms.append(Term(rule, due, done_at, day_status(rule, due, done_on, today, calendar)))
    return terms


def _urgent_hours(case: Case) -> int:
    # The term as it was set at intake: due minus receipt (the setting may have changed since).
    assert case.urgent_due_at is not None
    seconds = (case.urgent_due_at - case.received_at).total_seconds()
    return max(1, round(seconds / 3600))


def worst_status(terms: Iterable[Term]) -> TermStatus | None:
    """The worst status among the terms (None: no terms)."""
    worst: TermStatus | None = None
    for term in terms:
        if worst is None or _SEVERITY[term.status] > _SEVERITY[worst]:
            worst = term.status
    return worst


OPENNESS_RULE = TermRule(
    TermKind.OPENNESS, 3, TermUnit.WORKING_DAYS, _("Answer to a request for documents")
)


def openness_due(received_at: dt.datetime, calendar: Calendar | None = None) -> dt.date:
    """The last day a request for documents received at ``received_at`` may be answered on."""
    return due_date(OPENNESS_RULE, local_date(received_at), calendar or Calendar())


def openness_term(
    *,
    due: dt.date,
    answered_at: dt.datetime | None,
    now: dt.datetime | None = None,
    calendar: Calendar | None = None,
) -> Term:
    """The openness term of one request: on time, late or far too late (answered or not)."""
    calendar = calendar or Calendar()
    today = local_date(now or timezone.now())
    done_on = local_date(answered_at) if answered_at is not None else None
    status = day_status(OPENNESS_RULE, due, done_on, today, calendar)
    return Term(OPENNESS_RULE, due, answered_at, status)
