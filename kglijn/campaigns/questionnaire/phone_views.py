"""The phone short version: staff with campaigns.enter_phone_interview find a sampled unit not
yet answered (by its key or phone number; the read is audit-logged) and enter its answers in
one form: the items of the short version and the overall score. The response is saved with
mode phone and the user who entered it, completed at once, or refused with its problems
(nothing is kept: drop-outs on the phone are not recorded)."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kglijn.campaigns.models import (
    Campaign,
    CampaignStatus,
    FrameUnit,
    Invitation,
    Mode,
    Response,
    ResponseSource,
)
from kglijn.campaigns.questionnaire.pages import posted_data, questions
from kglijn.campaigns.questionnaire.services import (
    Problem,
    answers_check_and_save,
    drop_hidden,
    missing_required,
    response_complete,
    short_items,
)
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent

PERMISSION = "campaigns.enter_phone_interview"
LIST_LIMIT = 50
QUERY_MAX = 60


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("version__questionnaire"), pk=pk)


def _open_units(campaign: Campaign):  # type: ignore[no-untyped-def]
    return (
        FrameUnit.objects.filter(campaign=campaign, sampled=True)
        .exclude(response__completed_at__isnull=False)
        .select_related("invitation")
        .order_by("external_key")
    )


@require_GET
@login_required
@permission_required(PERMISSION, raise_exception=True)
def phone_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    query = (request.GET.get("q") or "").strip()
    error = ""
    units = _open_units(campaign)
    if len(query) > QUERY_MAX or "\x00" in query:
        error = _("Search with at most %(n)d characters.") % {"n": QUERY_MAX}
        query = ""
    elif query:
        digits = "".join(ch for ch in query if ch.isdigit())
        condition = Q(external_key__icontains=query)
        if len(digits) >= 3:
            condition |= Q(phone__contains=digits) | Q(phone__icontains=query)
        units = units.filter(condition)
    total = units.count()
    shown = list(units[:LIST_LIMIT])
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        object_type="campaign_phone_list",
        object_id=campaign.pk,
        detail={"units": [unit.pk for unit in shown], "searched": bool(query)},
    )
    return render(
        request,
        "campaigns/questionnaire/phone_list.html",
        {
            "campaign": campaign,
            "current": "phone",
            "units": shown,
            "total": total,
            "limit": LIST_LIMIT,
            "query": query,
            "error": error,
            "in_field": campaign.status == CampaignStatus.FIELDWORK,
        },
        status=400 if error else 200,
    )


def _problem_errors(problems: list[Problem]) -> dict[str, dict[str, list[str]]]:
    errors: dict[str, dict[str, list[str]]] = {}
    for problem in problems:
        errors.setdefault(problem.key, {}).setdefault(problem.field, []).append(problem.message)
    return errors


class _Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("refused")
        self.problems = problems


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(PERMISSION, raise_exception=True)
def phone_entry(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    unit = get_object_or_404(FrameUnit, campaign=campaign, pk=unit_pk)
    if not unit.sampled:
        raise PermissionDenied(_("This unit was not sampled."))
    existing = Response.objects.filter(unit=unit).first()
    if existing is not None and existing.completed_at is not None:
        how = existing.get_mode_display()
        messages.error(
            request,
            _("%(key)s already answered (%(how)s); a second questionnaire cannot be entered.")
            % {"key": unit.external_key, "how": how},
        )
        return redirect("campaigns:phone_list", campaign.pk)
    items = short_items(
        campaign.version.items.select_related("theme", "show_if_item").order_by("position")
    )
    errors: dict[str, dict[str, list[str]]] = {}
    values = None
    status = 200
    if request.method == "POST":
        if campaign.status != CampaignStatus.FIELDWORK:
            messages.error(
                request, _("Answers can only be entered while the survey is in the field.")
            )
            return redirect("campaigns:phone_list", campaign.pk)
        data = drop_hidden(items, posted_data(items, request.POST), {})
        try:
            response = _phone_save(campaign, unit, data, request)
        except _Refused as refused:
            errors = _problem_errors(refused.problems)
            values = {k: {f: str(v or "") for f, v in d.items()} for k, d in data.items()}
            status = 400
        else:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.CREATE,
                object_type="campaign_response",
                object_id=response.pk,
                detail={"mode": Mode.PHONE, "unit": unit.pk},
            )
            messages.success(
                request, _("Phone interview of %(key)s saved.") % {"key": unit.external_key}
            )
            return redirect("campaigns:phone_list", campaign.pk)
    else:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            object_type="campaign_unit",
            object_id=unit.pk,
            detail={"phone": True},
        )
    form_questions = questions(items, "nl-be", values=values, errors=errors)
    return render(
        request,
        "campaigns/questionnaire/phone_form.html",
        {
            "campaign": campaign,
            "current": "phone",
            "unit": unit,
            "questions": form_questions,
            "has_errors": bool(errors),
            "error_links": [
                (f"q-{q.item.key}", f"{q.item.key}: {m}")
                for q in form_questions
                for m in [*q.errors, *[m for s in q.scales for m in s.errors]]
            ],
            "in_field": campaign.status == CampaignStatus.FIELDWORK,
            "web_started": existing is not None,
        },
        status=status,
    )


def _phone_save(
    campaign: Campaign,
    unit: FrameUnit,
    data: Mapping[str, Mapping[str, object]],
    request: HttpRequest,
) -> Response:
    """Save the phone interview atomically; raises _Refused with the problems (nothing kept)."""
    now = timezone.now()
    with transaction.atomic():
        unit = FrameUnit.objects.select_for_update().get(pk=unit.pk)
        response = Response.objects.filter(unit=unit).first()
        if response is not None and response.completed_at is not None:
            raise _Refused([Problem("*", "*", _("This unit has already answered."))])
        invitation = Invitation.objects.filter(unit=unit).first()
        if response is None:
            response = Response(
                campaign=campaign,
                unit=unit,
                invitation=invitation,
                source=ResponseSource.APP,
                strata=unit.strata,
                stratum=unit.stratum,
                language=unit.language,
            )
        else:
            # A web drop-out answered on the phone after all: the phone interview replaces it.
            response.answers.all().delete()
            response.last_position = None
        response.mode = Mode.PHONE
        response.started_at = now
        response.entered_by = request.user if request.user.is_authenticated else None
        response.save()
        problems = answers_check_and_save(response, data, short=True)
        if not problems:
            problems = [
                Problem(item.key, "*", _("This question needs an answer."))
                for item in missing_required(response)
            ]
        if problems:
            raise _Refused(problems)  # leaves the atomic block: nothing is kept
        response_complete(response, now)
    return response
