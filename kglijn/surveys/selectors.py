"""Every read of the survey answers for the staff pages, permission-aware (see conventions.md).

The answers are shown on the contact they are about, to whoever may see that contact; the
remark is free text and may hold personal data, so showing one is audit-logged like any read
of personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kglijn.contacts.models import Contact
from kglijn.contacts.selectors import contact_visible_qs
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.surveys.analysis.queries import handler_teams, team_condition
from kglijn.surveys.models import (
    SCALES,
    Criterion,
    FollowUpStatus,
    FollowUpTask,
    LowScoreRule,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)
from kglijn.surveys.services import AUDIT_RESPONSE

AnyUser = User | AnonymousUser
FOLLOW_UPS_PER_PAGE = 25  # tasks per page on the follow-up page


@dataclass(frozen=True)
class AnswerRow:
    criterion: str
    label: str
    question: str
    score: int | None
    low: int
    high: int
    low_label: str
    high_label: str
    low_score: bool  # at or below an active rule's threshold


@dataclass(frozen=True)
class ContactSurvey:
    """What the contact page shows of the contact's survey."""

    response: SurveyResponse | None
    answers: list[AnswerRow]
    follow_up: FollowUpTask | None
    invitation: SurveyInvitation | None
    time_to_answer: dt.timedelta | None  # contact received -> answered by the K&G-Lijn
    survey_after: dt.timedelta | None  # contact received -> survey answered
    show_remark: bool

    @property
    def time_to_answer_text(self) -> str:
        return duration_text(self.time_to_answer)

    @property
    def survey_after_text(self) -> str:
        return duration_text(self.survey_after)


def _english() -> bool:
    return (get_language() or "nl").startswith("en")


def question_text(question: SurveyQuestion) -> tuple[str, str, str]:
    """(question, low label, high label) in the reader's language."""
    if _english():
        return question.text_en, question.low_label_en, question.high_label_en
    return question.text_nl, question.low_label_nl, question.high_label_nl


def duration_text(value: dt.timedelta | None) -> str:
    """A short readable duration: '45 s', '12 min', '3 h 05 min', '2 d 4 h'."""
    if value is None:
        return "—"
    seconds = max(int(value.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)d s") % {"seconds": seconds}


def contact_survey_panel(*, user: AnyUser, contact: Contact) -> ContactSurvey:
    """The survey of a contact the caller already got through contact_get_for_user (which
    checked that the user may see it). Audits the read when a remark is shown."""
    response = (
        SurveyResponse.objects.filter(contact_id=contact.pk)
        .select_related("version", "follow_up__assigned_to", "follow_up__done_by")
        .first()
    )
    invitation = SurveyInvitation.objects.filter(contact_id=contact.pk).first()
    time_to_answer = (
        contact.answered_at - contact.received_at if contact.answered_at is not None else None
    )
    if response is None:
        return ContactSurvey(None, [], None, invitation, time_to_answer, None, False)
    questions = {q.criterion: q for q in response.version.questions.all()}
    rules = dict(LowScoreRule.objects.filter(active=True).values_list("criterion", "threshold"))
    answers = []
    for criterion in Criterion:
        score = getattr(response, criterion.value)
        low, high = SCALES[criterion.value]
        question = questions.get(criterion.value)
        text, low_label, high_label = question_text(question) if question else ("", "", "")
        threshold = rules.get(criterion.value)
        answers.append(
            AnswerRow(
                criterion=criterion.value,
                label=str(criterion.label),
                question=text,
                score=score,
                low=low,
                high=high,
                low_label=low_label,
                high_label=high_label,
                low_score=score is not None and threshold is not None and score <= threshold,
            )
        )
    follow_up = getattr(response, "follow_up", None)
    if response.remark:
        audit_record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            object_type=AUDIT_RESPONSE,
            object_id=response.pk,
            detail={"contact": contact.pk, "remark": True},
        )
    return ContactSurvey(
        response=response,
        answers=answers,
        follow_up=follow_up,
        invitation=invitation,
        time_to_answer=time_to_answer,
        survey_after=response.answered_at - contact.received_at,
        show_remark=bool(response.remark),
    )


def _follow_ups_qs(user: AnyUser) -> QuerySet[FollowUpTask]:
    """Tasks for this team lead: assigned to them or to nobody (every lead), on contacts they
    may see."""
    if not user.is_authenticated or not user.has_perm("surveys.view_followuptask"):
        return FollowUpTask.objects.none()
    return (
        FollowUpTask.objects.filter(Q(assigned_to_id=user.pk) | Q(assigned_to__isnull=True))
        .filter(contact_id__in=contact_visible_qs(user=user).values("pk"))
        .select_related("contact", "response", "assigned_to", "done_by")
    )


@dataclass(frozen=True, kw_only=True)
class FollowUpFilters:
    status: str = FollowUpStatus.OPEN
    channel: str = ""
    team: str = ""  # a team id, NO_TEAM (contacts handled outside a team) or "" (all)
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None  # inclusive


@dataclass(frozen=True)
class FollowUps:
    page: Page[FollowUpTask]
    open_count: int  # every open task of this lead, whatever the filters


def follow_up_page(
    *, user: AnyUser, filters: FollowUpFilters, page_number: int | str | None
) -> FollowUps:
    """One page of the lead's tasks: open ones oldest first (the longest waiting), done ones
    most recent first."""
    tasks = _follow_ups_qs(user)
    open_count = tasks.filter(status=FollowUpStatus.OPEN).count()
    chosen = tasks.filter(status=filters.status)
    if filters.channel:
        chosen = chosen.filter(contact__channel=filters.channel)
    if filters.team:
        chosen = chosen.filter(team_condition("contact__handler_id", filters.team, handler_teams()))
    if filters.opened_from:
        chosen = chosen.filter(created_at__gte=day_start(filters.opened_from))
    if filters.opened_to:
        chosen = chosen.filter(created_at__lt=day_start(filters.opened_to + dt.timedelta(days=1)))
    if filters.status == FollowUpStatus.DONE:
        chosen = chosen.order_by("-done_at", "-id")
    else:
        chosen = chosen.order_by("created_at", "id")
    page = Paginator(chosen, FOLLOW_UPS_PER_PAGE).get_page(page_number)
    return FollowUps(page=page, open_count=open_count)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, Brussels time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0)))


def follow_up_get_for_user(*, user: AnyUser, task_id: int) -> FollowUpTask:
    try:
        return _follow_ups_qs(user).get(pk=task_id)
    except FollowUpTask.DoesNotExist as exc:
        raise Http404 from exc


def follow_up_open_count(*, user: AnyUser) -> int:
    return _follow_ups_qs(user).filter(status=FollowUpStatus.OPEN).count()


@dataclass(frozen=True)
class VersionRow:
    version: SurveyVersion
    questions: list[tuple[str, str, str, str]]  # criterion label, question, low, high label
    responses: int


def survey_versions_overview() -> list[VersionRow]:
    """Every version, newest first, with its wording and how many answers it holds."""
    versions = (
        SurveyVersion.objects.annotate(responses=Count("surveyresponse"))
        .select_related("created_by")
        .prefetch_related("questions")
        .order_by("-number")
    )
    labels = dict(Criterion.choices)
    order = {criterion: index for index, criterion in enumerate(Criterion.values)}
    rows = []
    for version in versions:
        questions = sorted(version.questions.all(), key=lambda q: order[q.criterion])
        rows.append(
            VersionRow(
                version=version,
                questions=[(str(labels[q.criterion]), *question_text(q)) for q in questions],
                responses=version.responses,
            )
        )
    return rows
