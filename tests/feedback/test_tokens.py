"""The feedback link: single-use, expires 14 days after issue, a tampered token is refused, and
the token itself is stored nowhere (only its SHA-256 hash)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from kglijn.feedback.models import VisitFeedback
from kglijn.feedback.selectors import FeedbackLinkError, visit_for_token
from kglijn.feedback.services import feedback_submit
from kglijn.feedback.tokens import token_well_formed
from tests.feedback.conftest import noon

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)


def reason(**kwargs) -> str:
    with pytest.raises(FeedbackLinkError) as caught:
        feedback_submit(**kwargs)
    return caught.value.reason


def test_a_link_is_single_use(register) -> None:
    _visit, token = register()
    feedback_submit(token=token, score=5, remark="Eerste")

    assert reason(token=token, score=1, remark="Tweede") == "answered"
    assert list(VisitFeedback.objects.values_list("score", "remark")) == [(5, "Eerste")]


def test_a_link_expires_14_days_after_issue(register) -> None:
    visit, token = register(visited_on=DAY)
    expiry = noon(DAY) + dt.timedelta(days=14)
    assert visit.token_expires_at == expiry

    assert reason(token=token, score=4, now=expiry) == "expired"
    assert reason(token=token, score=4, now=expiry + dt.timedelta(days=30)) == "expired"
    assert VisitFeedback.objects.count() == 0
    # One second earlier it still works.
    feedback_submit(token=token, score=4, now=expiry - dt.timedelta(seconds=1))
    assert VisitFeedback.objects.count() == 1


def test_an_answered_link_says_answered_even_after_expiry(register) -> None:
    _visit, token = register(visited_on=DAY)
    feedback_submit(token=token, score=3, now=noon(DAY))
    with pytest.raises(FeedbackLinkError) as caught:
        visit_for_token(token=token, now=noon(DAY) + dt.timedelta(days=20))
    assert caught.value.reason == "answered"


def _flip(character: str) -> str:
    return "B" if character != "B" else "C"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + _flip(t[-1]),  # last character changed
        lambda t: _flip(t[0]) + t[1:],  # first character changed
        lambda t: t[:-1],  # one character short
        lambda t: t + "A",  # one character more
        lambda t: t.upper() if t.upper() != t else t.lower(),  # case changed
        lambda t: t[:11],  # cut in half
        lambda t: "",
        lambda t: t + "/../mine",
        lambda t: t[:-1] + "é",  # not ASCII
    ],
    ids=["last", "first", "short", "long", "case", "half", "empty", "path", "non-ascii"],
)
def test_a_tampered_token_is_refused_and_changes_nothing(register, tamper) -> None:
    _visit, token = register()
    forged = tamper(token)
    assert forged != token

    assert reason(token=forged, score=5) == "unknown"
    assert VisitFeedback.objects.count() == 0
    # The real link still works afterwards.
    feedback_submit(token=token, score=5)
    assert VisitFeedback.objects.count() == 1


def test_well_formed_tokens() -> None:
    assert token_well_formed("AbCdEfGhIjKlMnOpQrStUv")
    assert token_well_formed("a-b_c" * 4)
    assert not token_well_formed("mine")
    assert not token_well_formed("AbCdEfGhIjKlMnOp.rStUv")
    assert not token_well_formed("x" * 65)


def test_the_token_is_stored_nowhere_in_the_database(register) -> None:
    _visit, token = register()
    feedback_submit(token=token, score=5, remark="Goed")
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                found += [
                    (table, name)
                    for name, value in zip(columns, row, strict=True)
                    if token in str(value)
                ]
    assert found == []
