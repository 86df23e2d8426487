"""The free-text remarks of the monthly satisfaction analysis: personal data, so only for the
team leads, and every remark shown is audited as a read of its contact."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.surveys.analysis.figures import Month
from kglijn.surveys.analysis.queries import AnalysisFilters, handler_teams, team_condition
from kglijn.surveys.models import SurveyResponse

REMARKS_PER_PAGE = 20
AUDIT_REMARK_DETAIL = "survey_remark"


def satisfaction_remarks_visible(*, user: User | AnonymousUser) -> bool:
    """Remarks are free text about a contact and may hold personal data: only for whom sees both
    the reports and the contacts (the team leads, who follow up quality); others see counts."""
    return user.has_perm("contacts.view_reports") and user.has_perm("contacts.view_contact")


def satisfaction_remark_page(
    *,
    user: User | AnonymousUser,
    month: Month,
    filters: AnalysisFilters,
    page_number: int | str | None,
) -> Page[SurveyResponse]:
    """One page of the month's remarks, latest first; each shown remark is audited as a read of
    its contact. PermissionDenied for whom may not read remarks."""
    if not satisfaction_remarks_visible(user=user):
        raise PermissionDenied
    queryset: QuerySet[SurveyResponse] = (
        SurveyResponse.objects.filter(answered_at__gte=month.start, answered_at__lt=month.end)
        .exclude(remark="")
        .select_related("contact")
        .order_by("-answered_at", "-id")
    )
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.office:
        queryset = queryset.filter(contact__office=filters.office)
    if filters.team:
        queryset = queryset.filter(
            team_condition("contact__handler_id", filters.team, handler_teams())
        )
    page = Paginator(queryset, REMARKS_PER_PAGE).get_page(page_number)
    for response in page:
        audit_record(
            actor=user,
            action=AuditEvent.Action.VIEW,
            object_type="contact",
            object_id=response.contact_id,
            detail={AUDIT_REMARK_DETAIL: response.pk},
        )
    return page
