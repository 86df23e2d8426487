"""Every write of the satisfaction surveys goes through these functions (see conventions.md).

`survey_response_record` is the one way answers reach a contact, whatever the channel (IVR,
e-mail invitation, end of a chat): validate first, store once, apply the low-score rules and
audit, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.accounts.models import Team
from kglijn.contacts.models import Channel, Contact
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.surveys.models import (
    SCALES,
    Criterion,
    FollowUpTask,
    LowScoreRule,
    Source,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)
from kglijn.surveys.wording import CRITERION_NL, DEFAULT_WORDING

AUDIT_RESPONSE = "survey_response"
AUDIT_FOLLOW_UP = "survey_follow_up"
AUDIT_VERSION = "survey_version"
MAX_REMARK_LENGTH = 2000
MAX_EXTERNAL_ID_LENGTH = 100

# The channel a source belongs to: IVR answers are about a call, mail answers about an e-mail.
SOURCE_CHANNEL: dict[str, str] = {
    Source.IVR: Channel.PHONE,
    Source.MAIL: Channel.EMAIL,
    Source.CHAT: Channel.CHAT,
}


class SurveyInvalid(Exception):
    """The input is wrong; `errors` names each wrong field as (field, message). Nothing stored."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


class SurveyConflict(Exception):
    """The input is valid but contradicts what is stored. Nothing stored."""


class SurveyAlreadyAnswered(SurveyConflict):
    """The contact already has a (different) response: one response per contact."""

    def __init__(self, response: SurveyResponse) -> None:
        super().__init__(f"contact {response.contact_id} already has response {response.pk}")
        self.response = response


class SurveyIdReused(SurveyConflict):
    """The submission id is already used for another contact's response."""

    def __init__(self, response: SurveyResponse) -> None:
        super().__init__(f"submission id {response.external_id} belongs to response {response.pk}")
        self.response = response


@dataclass(frozen=True)
class QuestionWording:
    """The wording of one criterion: question and the labels of both ends of its scale."""

    text_nl: str
    text_en: str
    low_label_nl: str
    high_label_nl: str
    low_label_en: str
    high_label_en: str

    @classmethod
    def of(cls, question: SurveyQuestion) -> QuestionWording:
        return cls(
            text_nl=question.text_nl,
            text_en=question.text_en,
            low_label_nl=question.low_label_nl,
            high_label_nl=question.high_label_nl,
            low_label_en=question.low_label_en,
            high_label_en=question.high_label_en,
        )


DEFAULT_QUESTIONS: dict[str, QuestionWording] = {
    criterion: QuestionWording(*texts) for criterion, texts in DEFAULT_WORDING.items()
}


def _create_version(
    *, number: int, texts: Mapping[str, QuestionWording], by: User | None, note: str
) -> SurveyVersion:
    version = SurveyVersion.objects.create(number=number, created_by=by, note=note)
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            version=version,
            criterion=criterion,
            text_nl=texts[criterion].text_nl,
            text_en=texts[criterion].text_en,
            low_label_nl=texts[criterion].low_label_nl,
            high_label_nl=texts[criterion].high_label_nl,
            low_label_en=texts[criterion].low_label_en,
            high_label_en=texts[criterion].high_label_en,
        )
        for criterion in Criterion.values
    )
    return version


def _complete_versions() -> QuerySet[SurveyVersion]:
    """Versions that word every criterion: a version without its questions cannot be asked."""
    return (
        SurveyVersion.objects.annotate(asked=Count("questions"))
        .filter(asked=len(Criterion.values))
        .order_by("-number")
    )


def survey_version_current() -> SurveyVersion:
    """The version asked now (highest number with all its questions); creates one with the
    default wording if there is none (the first, or the next number after an incomplete one)."""
    version = _complete_versions().first()
    if version is not None:
        return version
    top = SurveyVersion.objects.aggregate(top=Max("number"))["top"] or 0
    try:
        with transaction.atomic():
            return _create_version(
                number=top + 1, texts=DEFAULT_QUESTIONS, by=None, note="Eerste versie"
            )
    except IntegrityError:  # created concurrently
        return _complete_versions()[0]


def _validate_answers(
    answers: Mapping[str, int | None], *, complete: bool, errors: list[tuple[str, str]]
) -> dict[str, int | None]:
    scores: dict[str, int | None] = dict.fromkeys(Criterion.values)
    for name, value in answers.items():
        if name not in SCALES:
            errors.append(
                (
                    str(name),
                    _("Unknown criterion; expected one of: %(names)s.")
                    % {"names": ", ".join(Criterion.values)},
                )
            )
            continue
        if value is None:
            continue
        low, high = SCALES[name]
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append((name, _("Expected a whole number or null.")))
        elif not low <= value <= high:
            errors.append(
                (
                    name,
                    _("Score %(value)s is outside the scale %(low)s–%(high)s.")
                    % {"value": value, "low": low, "high": high},
                )
            )
        else:
            scores[name] = value
    if not errors:
        if all(score is None for score in scores.values()):
            errors.append(("answers", _("At least one question must be answered.")))
        elif complete:
            for name, score in scores.items():
                if score is None:
                    errors.append(
                        (
                            name,
                            _(
                                "A complete response answers every question; send "
                                "complete=false for a partial one."
                            ),
                        )
                    )
    return scores


def survey_answers_errors(
    *, answers: Mapping[str, int | None], complete: bool
) -> list[tuple[str, str]]:
    """The problems of a set of answers on their own (names, scales, completeness)."""
    errors: list[tuple[str, str]] = []
    _validate_answers(answers, complete=complete, errors=errors)
    return errors


def _validate(
    *,
    contact: Contact,
    source: str,
    answers: Mapping[str, int | None],
    remark: str,
    complete: bool,
    answered_at: dt.datetime,
    external_id: str | None,
) -> dict[str, int | None]:
    errors: list[tuple[str, str]] = []
    if source not in Source.values:
        errors.append(("source", _("Unknown source “%(value)s”.") % {"value": source}))
    elif SOURCE_CHANNEL[source] != contact.channel:
        errors.append(
            (
                "source",
                _("A “%(source)s” answer cannot be about a %(channel)s contact.")
                % {"source": source, "channel": contact.get_channel_display()},
            )
        )
    scores = _validate_answers(answers, complete=complete, errors=errors)
    if len(remark) > MAX_REMARK_LENGTH:
        errors.append(("remark", _("At most %(max)s characters.") % {"max": MAX_REMARK_LENGTH}))
    if timezone.is_naive(answered_at):
        errors.append(("answered_at", _("A time zone is required.")))
    elif answered_at < contact.received_at:
        errors.append(("answered_at", _("Cannot be before the contact was received.")))
    if external_id is not None and not 0 < len(external_id) <= MAX_EXTERNAL_ID_LENGTH:
        errors.append(
            (
                "external_id",
                _("Between 1 and %(max)s characters.") % {"max": MAX_EXTERNAL_ID_LENGTH},
            )
        )
    if errors:
        raise SurveyInvalid(errors)
    return scores


def _team_lead_of(handler_id: int | None) -> User | None:
    """The lead of an active team the handler belongs to (the oldest such team), else None."""
    if handler_id is None:
        return None
    team = (
        Team.objects.filter(active=True, members__id=handler_id, lead__isnull=False)
        .select_related("lead")
        .order_by("id")
        .first()
    )
    return team.lead if team is not None else None


def low_score_reasons(
    *, scores: Mapping[str, int | None], rules: Iterable[tuple[str, int]]
) -> list[str]:
    """Dutch descriptions of the (criterion, threshold) rules these scores meet, in criterion
    order; empty: no follow-up. Pure, so the demo's bulk rows follow the same rules."""
    reasons = []
    for criterion, threshold in sorted(rules, key=lambda rule: Criterion.values.index(rule[0])):
        score = scores.get(criterion)
        if score is not None and score <= threshold:
            reasons.append(f"{CRITERION_NL[criterion]}: score {score} (drempel ≤ {threshold})")
    return reasons


def low_score_rules_active() -> list[tuple[str, int]]:
    return list(LowScoreRule.objects.filter(active=True).values_list("criterion", "threshold"))


def _apply_low_score_rules(response: SurveyResponse, contact: Contact) -> FollowUpTask | None:
    scores = {criterion: getattr(response, criterion) for criterion in Criterion.values}
    reasons = low_score_reasons(scores=scores, rules=low_score_rules_active())
    if not reasons:
        return None
    task = FollowUpTask.objects.create(
        response=response,
        contact=contact,
        assigned_to=_team_lead_of(contact.handler_id),
        reasons="; ".join(reasons)[:300],
    )
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATE,
        object_type=AUDIT_FOLLOW_UP,
        object_id=task.pk,
        detail={"contact": contact.pk, "assigned_to": task.assigned_to_id},
    )
    return task


def _existing(external_id: str | None, contact: Contact) -> SurveyResponse | None:
    """The stored response this submission repeats, or raise if it clashes with one.

    One query for both keys: two queries could see a concurrent submission's commit between
    them, and call a replay of the same id "already answered"."""
    lookup = Q(contact=contact)
    if external_id is not None:
        lookup |= Q(external_id=external_id)
    found = list(SurveyResponse.objects.filter(lookup))
    for response in found:
        if external_id is not None and response.external_id == external_id:
            if response.contact_id != contact.pk:
                raise SurveyIdReused(response)
            return response
    if found:
        raise SurveyAlreadyAnswered(found[0])
    return None


def survey_response_record(
    *,
    contact: Contact,
    source: str,
    answers: Mapping[str, int | None],
    remark: str = "",
    complete: bool,
    answered_at: dt.datetime,
    external_id: str | None = None,
) -> tuple[SurveyResponse, bool]:
    """Store the answers about a contact once; idempotent on external_id (a replay returns the
    stored response with created=False and changes nothing). Raises SurveyInvalid (nothing
    stored), SurveyAlreadyAnswered / SurveyIdReused (one response per contact and per id)."""
    remark = remark.strip()
    scores = _validate(
        contact=contact,
        source=source,
        answers=answers,
        remark=remark,
        complete=complete,
        answered_at=answered_at,
        external_id=external_id,
    )
    with transaction.atomic():
        existing = _existing(external_id, contact)
        if existing is not None:
            return existing, False
        version = survey_version_current()
        try:
            # A savepoint: a concurrent submission for the same contact or id makes this insert
            # fail on the unique constraints; the outer transaction then reports the winner.
            with transaction.atomic():
                response = SurveyResponse.objects.create(
                    contact=contact,
                    version=version,
                    channel=contact.channel,
                    source=source,
                    external_id=external_id,
                    remark=remark,
                    complete=complete,
                    answered_at=answered_at,
                    **scores,
                )
        except IntegrityError:
            existing = _existing(external_id, contact)
            if existing is not None:
                return existing, False
            raise
        task = _apply_low_score_rules(response, contact)
        # The contact's representation (its satisfaction) changed: API synchronisation by
        # updated_since must see it.
        Contact.objects.filter(pk=contact.pk).update(updated_at=timezone.now())
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATE,
            object_type=AUDIT_RESPONSE,
            object_id=response.pk,
            detail={
                "contact": contact.pk,
                "source": source,
                "version": version.number,
                "complete": complete,
                "follow_up": task.pk if task is not None else None,
            },
        )
    return response, True


@transaction.atomic
def survey_wording_change(
    *, by: User, texts: Mapping[str, QuestionWording], note: str
) -> SurveyVersion:
    """Start version n+1 with all 4 questions: the given wordings, the others copied from the
    current version. Existing versions are never edited, so old answers keep their wording."""
    if not by.has_perm("surveys.add_surveyversion"):
        raise PermissionDenied
    errors: list[tuple[str, str]] = []
    for criterion, wording in texts.items():
        if criterion not in Criterion.values:
            errors.append((str(criterion), _("Unknown criterion.")))
            continue
        for field, limit in (
            ("text_nl", 300),
            ("text_en", 300),
            ("low_label_nl", 60),
            ("high_label_nl", 60),
            ("low_label_en", 60),
            ("high_label_en", 60),
        ):
            value = getattr(wording, field).strip()
            if not value:
                errors.append((f"{criterion}.{field}", _("This field is required.")))
            elif len(value) > limit:
                errors.append(
                    (f"{criterion}.{field}", _("At most %(max)s characters.") % {"max": limit})
                )
    note = note.strip()
    if len(note) > 200:
        errors.append(("note", _("At most %(max)s characters.") % {"max": 200}))
    if errors:
        raise SurveyInvalid(errors)
    current = survey_version_current()
    # Lock the current version's row so two simultaneous changes cannot both become n+1.
    SurveyVersion.objects.select_for_update().filter(pk=current.pk).first()
    current_texts = {q.criterion: QuestionWording.of(q) for q in current.questions.all()}
    new_texts = {
        criterion: QuestionWording(
            **{field: value.strip() for field, value in texts[criterion].__dict__.items()}
        )
        if criterion in texts
        else current_texts.get(criterion, DEFAULT_QUESTIONS[criterion])
        for criterion in Criterion.values
    }
    if new_texts == current_texts:
        raise SurveyInvalid([("texts", _("Nothing changed: the wording is the same."))])
    number = (SurveyVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    version = _create_version(number=number, texts=new_texts, by=by, note=note)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        object_type=AUDIT_VERSION,
        object_id=version.pk,
        detail={"number": number, "changed": sorted(texts)},
    )
    return version
