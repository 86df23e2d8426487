"""The survey services: recording answers, low-score follow-up, wording versions."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection
from django.utils import translation

from kglijn.contacts.models import Channel
from kglijn.core.models import AuditEvent
from kglijn.surveys.follow_ups import FollowUpInvalid, follow_up_complete
from kglijn.surveys.models import (
    FollowUpStatus,
    FollowUpTask,
    LowScoreRule,
    Source,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)
from kglijn.surveys.services import (
    QuestionWording,
    SurveyAlreadyAnswered,
    SurveyIdReused,
    SurveyInvalid,
    survey_response_record,
    survey_version_current,
    survey_wording_change,
)
from tests.contacts.factories import DEFAULT_RECEIVED_AT, ContactFactory
from tests.surveys.factories import ANSWERED_AT, GOOD, survey_snapshot, team_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # the messages the assertions read (the UI's default language is Dutch)
    with translation.override("en"):
        yield


def record(contact, **overrides):
    arguments = {
        "contact": contact,
        "source": Source.IVR,
        "answers": GOOD,
        "complete": True,
        "answered_at": ANSWERED_AT,
        "external_id": None,
    } | overrides
    return survey_response_record(**arguments)


# --- versions -------------------------------------------------------------------------------


def test_the_migrations_seed_version_1_then_version_2_says_je_and_the_default_rules() -> None:
    version = survey_version_current()

    assert version.number == 2  # 0005: the parents' "je" (docs/voice.md), v1 kept as it was
    texts = {
        q.criterion: (q.text_nl, q.low_label_nl, q.high_label_nl) for q in version.questions.all()
    }
    assert texts == {
        "waiting_time": (
            "Hoe tevreden ben je over de wachttijd?",
            "zeer ontevreden",
            "zeer tevreden",
        ),
        "courtesy": (
            "Hoe tevreden ben je over de beleefdheid van onze medewerker?",
            "zeer ontevreden",
            "zeer tevreden",
        ),
        "information": (
            "Hoe tevreden ben je over de informatie die je kreeg?",
            "zeer ontevreden",
            "zeer tevreden",
        ),
        "recommendation": (
            "Hoe waarschijnlijk is het dat je de K&G-Lijn aanbeveelt aan familie of vrienden?",
            "helemaal niet waarschijnlijk",
            "zeer waarschijnlijk",
        ),
    }
    first = SurveyVersion.objects.get(number=1).questions.get(criterion="information")
    assert first.text_nl == "Hoe tevreden bent u over de informatie die u kreeg?"
    assert {q.text_en for q in version.questions.all()} == {
        q.text_en for q in SurveyVersion.objects.get(number=1).questions.all()
    }
    rules = set(LowScoreRule.objects.values_list("criterion", "threshold", "active"))
    assert rules == {
        ("waiting_time", 1, False),
        ("courtesy", 2, True),
        ("information", 1, False),
        ("recommendation", 3, True),
    }


def test_without_any_version_the_current_one_is_created_with_the_default_wording() -> None:
    SurveyQuestion.objects.all().delete()
    SurveyVersion.objects.all().delete()

    version = survey_version_current()

    assert (version.number, version.questions.count()) == (1, 4)
    assert survey_version_current() == version
    assert SurveyVersion.objects.count() == 1


# --- recording ------------------------------------------------------------------------------


def test_complete_answers_are_stored_on_the_contact_with_version_and_channel() -> None:
    contact = ContactFactory.create()

    response, created = record(contact, external_id="ivr-1")

    assert created is True
    stored = SurveyResponse.objects.get(contact=contact)
    assert stored == response
    assert (
        stored.waiting_time,
        stored.courtesy,
        stored.information,
        stored.recommendation,
        stored.complete,
    ) == (4, 5, 5, 9, True)
    assert (stored.channel, stored.source, stored.external_id) == ("phone", "ivr", "ivr-1")
    assert stored.version == survey_version_current()
    assert stored.answered_at == ANSWERED_AT
    assert FollowUpTask.objects.count() == 0
    event = AuditEvent.objects.get(object_type="survey_response")
    assert (event.object_id, event.action, event.detail["contact"]) == (
        stored.pk,
        "create",
        contact.pk,
    )


def test_partial_answers_are_kept_as_partial() -> None:
    contact = ContactFactory.create()

    response, created = record(contact, answers={"waiting_time": 3, "courtesy": 4}, complete=False)

    response.refresh_from_db()
    assert created is True
    assert (
        response.waiting_time,
        response.courtesy,
        response.information,
        response.recommendation,
        response.complete,
    ) == (3, 4, None, None, False)


def test_a_replayed_submission_returns_the_stored_response_and_changes_nothing() -> None:
    contact = ContactFactory.create()
    first, _ = record(contact, external_id="ivr-1")
    before = survey_snapshot()

    again, created = record(
        contact,
        external_id="ivr-1",
        answers={"waiting_time": 1, "courtesy": 1},
        complete=False,
    )

    assert (again.pk, created) == (first.pk, False)
    assert survey_snapshot() == before


def test_a_second_response_for_the_same_contact_is_refused() -> None:
    contact = ContactFactory.create()
    first, _ = record(contact, external_id="ivr-1")
    before = survey_snapshot()

    with pytest.raises(SurveyAlreadyAnswered) as refused:
        record(contact, external_id="ivr-2")
    with pytest.raises(SurveyAlreadyAnswered):
        record(contact, external_id=None)

    assert refused.value.response == first
    assert survey_snapshot() == before


def test_a_submission_id_used_for_another_contact_is_refused() -> None:
    record(ContactFactory.create(), external_id="ivr-1")
    other = ContactFactory.create()
    before = survey_snapshot()

    with pytest.raises(SurveyIdReused):
        record(other, external_id="ivr-1")

    assert survey_snapshot() == before


@pytest.mark.parametrize(
    ("answers", "complete", "errors"),
    [
        pytest.param(
            {**GOOD, "friendliness": 3},
            True,
            [
                (
                    "friendliness",
                    "Unknown criterion; expected one of: waiting_time, courtesy, information, "
                    "recommendation.",
                )
            ],
            id="unknown-criterion",
        ),
        pytest.param(
            {**GOOD, "courtesy": 6, "recommendation": 11},
            True,
            [
                ("courtesy", "Score 6 is outside the scale 1–5."),
                ("recommendation", "Score 11 is outside the scale 0–10."),
            ],
            id="out-of-scale",
        ),
        pytest.param(
            {**GOOD, "waiting_time": 0},
            True,
            [("waiting_time", "Score 0 is outside the scale 1–5.")],
            id="zero-on-a-1-5-scale",
        ),
        pytest.param(
            {**GOOD, "courtesy": "5", "information": True, "waiting_time": 4.5},
            True,
            [
                ("waiting_time", "Expected a whole number or null."),
                ("courtesy", "Expected a whole number or null."),
                ("information", "Expected a whole number or null."),
            ],
            id="not-integers",
        ),
        pytest.param(
            {"waiting_time": 4, "courtesy": 5},
            True,
            [
                (
                    "information",
                    "A complete response answers every question; send complete=false for a "
                    "partial one.",
                ),
                (
                    "recommendation",
                    "A complete response answers every question; send complete=false for a "
                    "partial one.",
                ),
            ],
            id="complete-but-unanswered",
        ),
        pytest.param(
            {"waiting_time": None},
            False,
            [("answers", "At least one question must be answered.")],
            id="nothing-answered",
        ),
    ],
)
def test_wrong_answers_name_each_wrong_field_and_store_nothing(answers, complete, errors) -> None:
    contact = ContactFactory.create()
    before = survey_snapshot()

    with pytest.raises(SurveyInvalid) as invalid:
        record(contact, answers=answers, complete=complete)

    assert sorted(invalid.value.errors) == sorted(errors)
    assert survey_snapshot() == before


def test_source_time_and_id_are_validated() -> None:
    contact = ContactFactory.create(channel=Channel.EMAIL)
    before = survey_snapshot()

    with pytest.raises(SurveyInvalid) as invalid:
        record(
            contact,
            source=Source.IVR,
            answered_at=DEFAULT_RECEIVED_AT - dt.timedelta(minutes=1),
            external_id="x" * 101,
        )
    with pytest.raises(SurveyInvalid) as naive:
        record(contact, source=Source.MAIL, answered_at=dt.datetime(2023, 3, 6, 11, 0))
    with pytest.raises(SurveyInvalid) as unknown:
        record(contact, source="sms")

    assert invalid.value.errors == [
        ("source", "A “ivr” answer cannot be about a E-mail contact."),
        ("answered_at", "Cannot be before the contact was received."),
        ("external_id", "Between 1 and 100 characters."),
    ]
    assert naive.value.errors == [("answered_at", "A time zone is required.")]
    assert unknown.value.errors == [("source", "Unknown source “sms”.")]
    assert survey_snapshot() == before


def test_mail_and_chat_answers_keep_their_remark_and_channel() -> None:
    mail = ContactFactory.create(channel=Channel.EMAIL)
    chat = ContactFactory.create(channel=Channel.CHAT)

    by_mail, _ = record(mail, source=Source.MAIL, remark="  Vlot geholpen, dank u!  ")
    by_chat, _ = record(chat, source=Source.CHAT, answers={"courtesy": 5}, complete=False)

    assert (by_mail.channel, by_mail.source, by_mail.remark) == (
        "email",
        "mail",
        "Vlot geholpen, dank u!",
    )
    assert (by_chat.channel, by_chat.source, by_chat.remark) == ("chat", "chat", "")


# --- low scores -----------------------------------------------------------------------------


@pytest.fixture
def handler(make_user) -> User:
    return make_user("front_office", "agent07")


def test_a_low_courtesy_opens_one_task_for_the_lead_of_the_handlers_team(make_user, handler):
    lead = make_user("team_lead", "lead-a")
    other_lead = make_user("team_lead", "lead-b")
    team_make(name="Team A", lead=lead, members=[handler])
    team_make(name="Team B", lead=other_lead, members=[make_user("front_office", "agent08")])
    contact = ContactFactory.create(handler=handler)

    response, _ = record(contact, answers={**GOOD, "courtesy": 2})

    task = FollowUpTask.objects.get()
    assert (task.response, task.contact, task.assigned_to, task.status) == (
        response,
        contact,
        lead,
        FollowUpStatus.OPEN,
    )
    assert task.reasons == "beleefdheid: score 2 (drempel ≤ 2)"
    assert AuditEvent.objects.filter(object_type="survey_follow_up", object_id=task.pk).count() == 1


def test_two_low_scores_open_one_task_naming_both(handler) -> None:
    contact = ContactFactory.create(handler=handler)

    record(contact, answers={**GOOD, "courtesy": 1, "recommendation": 3})

    task = FollowUpTask.objects.get()
    assert task.reasons == (
        "beleefdheid: score 1 (drempel ≤ 2); aanbeveling (NPS): score 3 (drempel ≤ 3)"
    )
    # the handler is in no team: the task is for every team lead
    assert task.assigned_to is None


def test_an_inactive_team_or_one_without_lead_does_not_get_the_task(make_user, handler) -> None:
    team_make(
        name="Oud team", lead=make_user("team_lead", "lead-a"), members=[handler], active=False
    )
    team_make(name="Zonder leiding", lead=None, members=[handler])
    contact = ContactFactory.create(handler=handler)

    record(contact, answers={**GOOD, "recommendation": 0})

    assert FollowUpTask.objects.get().assigned_to is None


def test_scores_above_the_thresholds_and_inactive_rules_open_no_task() -> None:
    LowScoreRule.objects.filter(criterion="recommendation").update(active=False)

    record(ContactFactory.create(), answers={**GOOD, "courtesy": 3})
    record(ContactFactory.create(), answers={**GOOD, "recommendation": 0})

    assert FollowUpTask.objects.count() == 0


def test_a_changed_threshold_applies_to_the_next_response() -> None:
    LowScoreRule.objects.filter(criterion="waiting_time").update(threshold=3, active=True)

    record(ContactFactory.create(), answers={**GOOD, "waiting_time": 3})

    assert FollowUpTask.objects.get().reasons == "wachttijd: score 3 (drempel ≤ 3)"


def test_a_partial_response_is_judged_on_what_was_answered() -> None:
    record(ContactFactory.create(), answers={"courtesy": 2}, complete=False)

    assert FollowUpTask.objects.get().reasons == "beleefdheid: score 2 (drempel ≤ 2)"


def test_a_replayed_low_score_opens_no_second_task() -> None:
    contact = ContactFactory.create()
    record(contact, answers={**GOOD, "courtesy": 1}, external_id="ivr-9")

    record(contact, answers={**GOOD, "courtesy": 1}, external_id="ivr-9")

    assert FollowUpTask.objects.count() == 1


# --- follow-up ------------------------------------------------------------------------------


def test_a_team_lead_completes_a_task_with_an_outcome(team_lead) -> None:
    record(ContactFactory.create(), answers={**GOOD, "courtesy": 1})
    task = FollowUpTask.objects.get()

    done = follow_up_complete(task=task, by=team_lead, outcome="  Ouder teruggebeld.  ")

    task.refresh_from_db()
    assert (task.status, task.outcome, task.done_by) == ("done", "Ouder teruggebeld.", team_lead)
    assert task.done_at is not None
    assert done == task
    event = AuditEvent.objects.get(object_type="survey_follow_up", action="close")
    assert (event.object_id, event.actor) == (task.pk, team_lead)


def test_a_done_task_or_an_empty_outcome_is_refused_and_nothing_changes(team_lead) -> None:
    record(ContactFactory.create(), answers={**GOOD, "courtesy": 1})
    task = FollowUpTask.objects.get()
    with pytest.raises(FollowUpInvalid) as empty:
        follow_up_complete(task=task, by=team_lead, outcome="   ")
    assert empty.value.errors == [("outcome", "Describe what was done.")]
    follow_up_complete(task=task, by=team_lead, outcome="Besproken met de medewerker.")
    before = survey_snapshot()

    with pytest.raises(FollowUpInvalid) as twice:
        follow_up_complete(task=task, by=team_lead, outcome="Nog eens")

    assert twice.value.errors == [("status", "This follow-up task is already done.")]
    assert survey_snapshot() == before


def test_only_who_may_change_follow_ups_completes_them(agent) -> None:
    record(ContactFactory.create(), answers={**GOOD, "courtesy": 1})
    before = survey_snapshot()

    with pytest.raises(PermissionDenied):
        follow_up_complete(task=FollowUpTask.objects.get(), by=agent, outcome="Gedaan")

    assert survey_snapshot() == before


# --- wording --------------------------------------------------------------------------------

NEW_WAITING = QuestionWording(
    text_nl="Hoe tevreden ben je over hoe snel je iemand aan de lijn kreeg?",
    text_en="How satisfied are you with how quickly you got through?",
    low_label_nl="heel ontevreden",
    high_label_nl="heel tevreden",
    low_label_en="very dissatisfied",
    high_label_en="very satisfied",
)


def test_a_wording_change_starts_a_new_version_and_old_answers_keep_theirs(
    information_manager,
) -> None:
    old_contact = ContactFactory.create()
    old, _ = record(old_contact)
    v1 = survey_version_current()
    v1_questions = list(SurveyQuestion.objects.filter(version=v1).values().order_by("id"))

    v2 = survey_wording_change(
        by=information_manager, texts={"waiting_time": NEW_WAITING}, note="Wachttijd concreter"
    )
    new, _ = record(ContactFactory.create())

    assert (v2.number, v2.created_by, v2.note) == (
        v1.number + 1,
        information_manager,
        "Wachttijd concreter",
    )
    assert survey_version_current() == v2
    texts = {q.criterion: q.text_nl for q in v2.questions.all()}
    assert texts == {
        "waiting_time": "Hoe tevreden ben je over hoe snel je iemand aan de lijn kreeg?",
        "courtesy": "Hoe tevreden ben je over de beleefdheid van onze medewerker?",
        "information": "Hoe tevreden ben je over de informatie die je kreeg?",
        "recommendation": (
            "Hoe waarschijnlijk is het dat je de K&G-Lijn aanbeveelt aan familie of vrienden?"
        ),
    }
    old.refresh_from_db()
    assert old.version == v1
    assert list(SurveyQuestion.objects.filter(version=v1).values().order_by("id")) == v1_questions
    assert new.version == v2
    assert AuditEvent.objects.filter(object_type="survey_version", object_id=v2.pk).count() == 1


def test_a_wording_change_that_changes_nothing_or_is_incomplete_is_refused(
    information_manager,
) -> None:
    current = survey_version_current().questions.get(criterion="courtesy")
    same = QuestionWording.of(current)
    blank = QuestionWording(**{**NEW_WAITING.__dict__, "text_nl": " ", "high_label_en": ""})
    before = survey_snapshot()

    with pytest.raises(SurveyInvalid) as unchanged:
        survey_wording_change(by=information_manager, texts={"courtesy": same}, note="")
    with pytest.raises(SurveyInvalid) as incomplete:
        survey_wording_change(
            by=information_manager, texts={"waiting_time": blank, "speed": NEW_WAITING}, note=""
        )

    assert unchanged.value.errors == [("texts", "Nothing changed: the wording is the same.")]
    assert incomplete.value.errors == [
        ("waiting_time.text_nl", "This field is required."),
        ("waiting_time.high_label_en", "This field is required."),
        ("speed", "Unknown criterion."),
    ]
    assert survey_snapshot() == before


def test_only_information_managers_change_the_wording(team_lead) -> None:
    before = survey_snapshot()

    with pytest.raises(PermissionDenied):
        survey_wording_change(by=team_lead, texts={"waiting_time": NEW_WAITING}, note="")

    assert survey_snapshot() == before


# --- concurrency ----------------------------------------------------------------------------


def _race(jobs: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run the jobs at once, each in its own thread (own database connection)."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            while True:
                try:
                    results.append(job())
                    return
                except OperationalError as exc:
                    # SQLite's shared-cache test database reports a busy table at once instead
                    # of waiting like a file database; PostgreSQL never gets here.
                    if connection.vendor != "sqlite" or "locked" not in str(exc):
                        raise
                    time.sleep(0.005)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_the_same_submission_racing_four_times_is_stored_once_with_one_task() -> None:
    LowScoreRule.objects.update_or_create(
        criterion="courtesy", defaults={"threshold": 2, "active": True}
    )
    contact = ContactFactory.create()

    def job() -> object:
        return record(contact, answers={**GOOD, "courtesy": 1}, external_id="ivr-race")

    results, errors = _race([job] * 4)

    assert errors == []
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert len({response.pk for response, _ in results}) == 1
    assert SurveyResponse.objects.count() == 1
    assert FollowUpTask.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_different_submissions_for_one_contact_racing_store_one() -> None:
    contact = ContactFactory.create()

    results, errors = _race(
        [lambda: record(contact, external_id="ivr-a"), lambda: record(contact, external_id="ivr-b")]
    )

    assert [created for _, created in results] == [True]
    assert [type(error) for error in errors] == [SurveyAlreadyAnswered]
    assert SurveyResponse.objects.count() == 1


def test_a_version_without_its_questions_is_never_asked() -> None:
    # A survey page once answered 500 (KeyError) when the newest version had no questions.
    SurveyQuestion.objects.all().delete()
    broken = SurveyVersion.objects.create(number=99, note="zonder vragen")

    current = survey_version_current()

    assert current.number == 100
    assert current.questions.count() == 4
    assert SurveyVersion.objects.filter(pk=broken.pk).exists()  # history is not rewritten
