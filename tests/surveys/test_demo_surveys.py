"""The demo's survey answers: who answered, what, follow-up tasks — measured back with the ORM
and checked against the rules the live services apply."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Avg, Count, F, Q

from kglijn.contacts.models import Contact
from kglijn.core.business_calendar import BRUSSELS
from kglijn.demo.services import demo_load
from kglijn.surveys.models import (
    FollowUpTask,
    InvitationStatus,
    LowScoreRule,
    SurveyInvitation,
    SurveyResponse,
)
from kglijn.surveys.services import low_score_reasons, survey_version_current

pytestmark = pytest.mark.django_db

CRITERIA = ("waiting_time", "courtesy", "information", "recommendation")
# The demo's last contact is of 15 November 2023: 13 calendar months from 1 November 2022.
WINDOW_START = dt.datetime(2022, 11, 1, tzinfo=BRUSSELS)


@pytest.fixture
def loaded():
    """2022-2023 at 3 %: 13 months of answers end in 2023, the months before have none."""
    return demo_load(years=[2022, 2023], scale=0.03)


def _rows() -> list[tuple[object, ...]]:
    return list(
        SurveyResponse.objects.order_by("id").values_list(
            "id", "contact_id", "source", "external_id", *CRITERIA, "remark", "complete",
            "answered_at",
        )
    )  # fmt: skip


def test_answers_cover_the_last_13_months_on_the_contacts_channel(loaded) -> None:
    responses = SurveyResponse.objects.select_related("contact")
    first = responses.order_by("contact__received_at").first()

    assert loaded.rows["survey responses"] == responses.count() > 0
    assert first is not None
    assert first.contact.received_at >= WINDOW_START
    assert Contact.objects.filter(received_at__lt=WINDOW_START).count() > 1000  # none answered
    assert not responses.exclude(channel=F("contact__channel")).exists()
    assert not responses.filter(answered_at__lt=F("contact__received_at")).exists()
    assert not responses.filter(contact__direction="out").exists()
    assert set(responses.values_list("version", flat=True)) == {survey_version_current().pk}
    sources = dict(responses.values_list("channel").annotate(n=Count("source", distinct=True)))
    assert set(responses.values_list("channel", "source").distinct()) == {
        ("phone", "ivr"),
        ("email", "mail"),
        ("chat", "chat"),
    }
    assert set(sources.values()) == {1}


def test_response_rates_per_channel_are_realistic(loaded) -> None:
    in_window = Contact.objects.filter(direction="in", received_at__gte=WINDOW_START)
    calls = in_window.filter(channel="phone").count()
    chats = in_window.filter(channel="chat").count()
    invited = SurveyInvitation.objects.count()
    answered = Counter(SurveyResponse.objects.values_list("channel", flat=True))

    assert 0.22 <= answered["phone"] / calls <= 0.28
    assert 0.24 <= answered["chat"] / chats <= 0.36
    assert 0.11 <= answered["email"] / invited <= 0.19


def test_only_identified_senders_are_invited_once_and_every_mail_answer_has_its_invitation(
    loaded,
) -> None:
    invitations = SurveyInvitation.objects.select_related("contact")

    assert not invitations.filter(contact__anonymous=True).exists()
    assert not invitations.exclude(contact__channel="email").exists()
    assert set(invitations.values_list("status", flat=True)) == {
        InvitationStatus.SENT,
        InvitationStatus.ANSWERED,
    }
    answered = set(
        invitations.filter(status=InvitationStatus.ANSWERED).values_list("contact_id", flat=True)
    )
    assert answered == set(
        SurveyResponse.objects.filter(source="mail").values_list("contact_id", flat=True)
    )
    for invitation in invitations.filter(status=InvitationStatus.ANSWERED)[:50]:
        response = invitation.contact.survey_response
        assert invitation.sent_at is not None
        assert invitation.expires_at is not None
        assert invitation.sent_at >= invitation.contact.answered_at + dt.timedelta(hours=48)
        assert invitation.sent_at <= response.answered_at <= invitation.expires_at


def test_scores_are_positive_some_partial_and_remarks_only_in_writing(loaded) -> None:
    responses = SurveyResponse.objects.all()
    total = responses.count()
    averages = responses.aggregate(*(Avg(name) for name in CRITERIA))
    nps_given = responses.exclude(recommendation=None)
    promoters = nps_given.filter(recommendation__gte=9).count()
    detractors = nps_given.filter(recommendation__lte=6).count()
    partial = responses.filter(complete=False)

    assert 4.2 <= averages["courtesy__avg"] <= 4.7
    assert 3.7 <= averages["waiting_time__avg"] <= 4.3
    assert 7.8 <= averages["recommendation__avg"] <= 8.8
    assert 35 <= 100 * (promoters - detractors) / nps_given.count() <= 60
    assert 0.05 <= partial.count() / total <= 0.15
    # complete = all 4 answered; a partial one stopped after 1-3 questions, in order
    assert (
        not responses.filter(complete=True)
        .filter(
            Q(waiting_time=None) | Q(courtesy=None) | Q(information=None) | Q(recommendation=None)
        )
        .exists()
    )
    for response in partial:
        given = [getattr(response, name) is not None for name in CRITERIA]
        assert given in ([True, False, False, False], [True, True, False, False],
                         [True, True, True, False])  # fmt: skip
    assert not responses.filter(source="ivr").exclude(remark="").exists()
    assert responses.filter(source__in=["mail", "chat"]).exclude(remark="").count() > 10


def test_low_scores_have_exactly_the_tasks_the_rules_open(loaded) -> None:
    rules = list(LowScoreRule.objects.filter(active=True).values_list("criterion", "threshold"))
    expected = {}
    for row in SurveyResponse.objects.values("id", *CRITERIA):
        reasons = low_score_reasons(scores=row, rules=rules)
        if reasons:
            expected[row["id"]] = "; ".join(reasons)
    tasks = FollowUpTask.objects.select_related("response", "assigned_to")

    assert {task.response_id: task.reasons for task in tasks} == expected
    assert 0.02 <= len(expected) / SurveyResponse.objects.count() <= 0.08
    assert not tasks.exclude(contact_id=F("response__contact_id")).exists()
    assert set(tasks.values_list("assigned_to__username", flat=True)) == {"lead"}
    done = tasks.filter(status="done")
    assert done.count() > 0
    assert tasks.filter(status="open").count() > 0
    assert not done.filter(Q(outcome="") | Q(done_at=None) | Q(done_by=None)).exists()
    assert not tasks.filter(status="open").exclude(outcome="").exists()


def test_the_load_is_deterministic_and_a_reset_removes_the_survey_rows(loaded) -> None:
    first = _rows()
    tasks = list(FollowUpTask.objects.order_by("id").values_list("response_id", "reasons"))

    result = demo_load(years=[2022, 2023], scale=0.03, reset=True)

    assert result.deleted["survey responses"] == len(first)
    assert result.deleted["follow-up tasks"] == len(tasks)
    assert _rows() == first
    assert list(FollowUpTask.objects.order_by("id").values_list("response_id", "reasons")) == (
        tasks
    )
