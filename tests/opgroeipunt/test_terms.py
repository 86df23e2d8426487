"""Complaint and urgent terms on the one business calendar (issue 17 item 4, ADR 0015 §5)."""

from __future__ import annotations

import datetime as dt

import pytest

from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import ClosingDay
from kglijn.opgroeipunt.models import Case, Decision
from kglijn.opgroeipunt.terms import (
    COMPLAINT_RULES,
    Calendar,
    Term,
    TermKind,
    TermStatus,
    case_terms,
    due_date,
    worst_status,
)

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=BRUSSELS)


def complaint(received: dt.datetime, **fields: object) -> Case:
    return Case(kind="complaint", source="staff", received_at=received, **fields)


def terms_by_kind(
    case: Case, now: dt.datetime, refused_at: dt.datetime | None = None
) -> dict[TermKind, Term]:
    return {term.kind: term for term in case_terms(case, now=now, refused_at=refused_at)}


def due(kind: TermKind, received: dt.date) -> dt.date:
    return due_date(COMPLAINT_RULES[kind], received, Calendar())


def test_acknowledgment_counts_working_days_and_skips_11_november() -> None:
    # Monday 9 Nov 2026; Wednesday 11 Nov (Wapenstilstand) is no working day.
    assert due(TermKind.ACKNOWLEDGMENT, dt.date(2026, 11, 9)) == dt.date(2026, 11, 24)
    # The week before, without a holiday: exactly two weeks.
    assert due(TermKind.ACKNOWLEDGMENT, dt.date(2026, 10, 26)) == dt.date(2026, 11, 9)


def test_acknowledgment_skips_easter_monday() -> None:
    # Tuesday 23 March 2027; Easter Monday is 29 March 2027.
    assert due(TermKind.ACKNOWLEDGMENT, dt.date(2027, 3, 23)) == dt.date(2027, 4, 7)


def test_a_complaint_received_on_a_saturday_counts_from_monday() -> None:
    assert due(TermKind.ACKNOWLEDGMENT, dt.date(2026, 12, 5)) == dt.date(2026, 12, 21)


def test_calendar_day_terms_ending_on_a_holiday_end_on_the_next_working_day() -> None:
    # Refusal: 10 calendar days. 1 Nov 2026 + 10 = Wednesday 11 Nov (holiday) -> 12 Nov.
    assert due(TermKind.REFUSAL, dt.date(2026, 11, 1)) == dt.date(2026, 11, 12)
    assert due(TermKind.REFUSAL, dt.date(2026, 11, 9)) == dt.date(2026, 11, 19)
    # Answer: 45 calendar days. 12 Feb 2027 + 45 = Easter Monday 29 March 2027 -> 30 March.
    assert due(TermKind.ANSWER, dt.date(2027, 2, 12)) == dt.date(2027, 3, 30)
    # Ending on a Saturday: Monday.
    assert due(TermKind.ANSWER, dt.date(2026, 10, 28)) == dt.date(2026, 12, 14)


def test_a_closing_day_set_in_the_app_counts_too() -> None:
    ClosingDay.objects.create(date=dt.date(2026, 11, 10), name="Brugdag")
    assert due(TermKind.ACKNOWLEDGMENT, dt.date(2026, 11, 9)) == dt.date(2026, 11, 25)


def test_bulk_calendar_gives_the_same_due_dates() -> None:
    bulk = Calendar.covering(dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    day = dt.date(2026, 10, 1)
    while day < dt.date(2027, 5, 1):
        for kind, rule in COMPLAINT_RULES.items():
            assert due_date(rule, day, bulk) == due(kind, day), (kind, day)
        day += dt.timedelta(days=3)


def test_status_on_time_late_and_far_too_late_for_the_acknowledgment() -> None:
    received = at(2026, 11, 9)  # due 24 Nov; merely late up to 10 working days later: 8 Dec
    now = at(2027, 1, 15)
    cases = {
        TermStatus.ON_TIME: complaint(received, acknowledged_at=at(2026, 11, 24, 16)),
        TermStatus.LATE: complaint(received, acknowledged_at=at(2026, 12, 8, 16)),
        TermStatus.FAR_TOO_LATE: complaint(received, acknowledged_at=at(2026, 12, 9, 9)),
    }
    for expected, case in cases.items():
        term = terms_by_kind(case, now)[TermKind.ACKNOWLEDGMENT]
        assert term.status == expected
    late_by_a_day = complaint(received, acknowledged_at=at(2026, 11, 25, 9))
    assert terms_by_kind(late_by_a_day, now)[TermKind.ACKNOWLEDGMENT].status == TermStatus.LATE


def test_open_terms_are_measured_against_today() -> None:
    case = complaint(at(2026, 11, 9))
    on_time = terms_by_kind(case, at(2026, 11, 24, 23))
    assert on_time[TermKind.ACKNOWLEDGMENT].status == TermStatus.ON_TIME
    assert on_time[TermKind.ACKNOWLEDGMENT].open
    late = terms_by_kind(case, at(2026, 11, 25, 8))
    assert late[TermKind.ACKNOWLEDGMENT].status == TermStatus.LATE
    far = terms_by_kind(case, at(2026, 12, 9, 8))
    assert far[TermKind.ACKNOWLEDGMENT].status == TermStatus.FAR_TOO_LATE
    # The answer (45 days, due 24 Dec) is still on time then.
    assert far[TermKind.ANSWER].status == TermStatus.ON_TIME
    assert worst_status(case_terms(case, now=at(2026, 12, 9, 8))) == TermStatus.FAR_TOO_LATE


def test_which_terms_apply_follows_admissibility() -> None:
    now = at(2026, 12, 1)
    undecided = terms_by_kind(complaint(at(2026, 11, 9)), now)
    assert set(undecided) == {TermKind.ACKNOWLEDGMENT, TermKind.REFUSAL, TermKind.ANSWER}
    admissible = terms_by_kind(complaint(at(2026, 11, 9), admissible=True), now)
    assert set(admissible) == {TermKind.ACKNOWLEDGMENT, TermKind.ANSWER}
    refused = terms_by_kind(
        complaint(at(2026, 11, 9), admissible=False), now, refused_at=at(2026, 11, 19, 15)
    )
    assert set(refused) == {TermKind.ACKNOWLEDGMENT, TermKind.REFUSAL}
    assert refused[TermKind.REFUSAL].status == TermStatus.ON_TIME


def test_the_refusal_is_read_from_the_not_admissible_decision() -> None:
    case = complaint(at(2026, 11, 9), admissible=False)
    case.save()
    Decision.objects.create(
        kind="not_admissible", source="import", case=case, decided_at=at(2026, 11, 20, 9)
    )
    refusal = terms_by_kind(case, at(2026, 12, 1))[TermKind.REFUSAL]
    assert refusal.done_at == at(2026, 11, 20, 9)
    assert refusal.status == TermStatus.LATE


def test_other_kinds_have_no_complaint_terms() -> None:
    signal = Case(kind="signal", source="staff", received_at=at(2026, 11, 9))
    assert case_terms(signal, now=at(2027, 1, 1)) == []


def test_the_urgent_term_is_in_hours_on_the_clock_even_at_the_weekend() -> None:
    received = at(2026, 11, 7, 22)  # a Saturday night
    case = Case(
        kind="danger",
        source="staff",
        received_at=received,
        urgent=True,
        urgent_due_at=received + dt.timedelta(hours=4),
    )
    [term] = case_terms(case, now=received + dt.timedelta(hours=3))
    assert term.kind == TermKind.URGENT
    assert term.due == at(2026, 11, 8, 2)
    assert term.status == TermStatus.ON_TIME
    assert case_terms(case, now=received + dt.timedelta(hours=5))[0].status == TermStatus.LATE
    assert (
        case_terms(case, now=received + dt.timedelta(hours=8, minutes=1))[0].status
        == TermStatus.FAR_TOO_LATE
    )
    case.taken_at = received + dt.timedelta(hours=1)
    assert case_terms(case, now=received + dt.timedelta(days=2))[0].status == TermStatus.ON_TIME
