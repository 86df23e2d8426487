"""The campaign list and the campaign's page (the hub that links its parts), its set-up, the
frame upload and download, the draw, the fieldwork and the sample table."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kglijn.campaigns.models import (
    Campaign,
    CampaignStatus,
    FrameUnit,
    PopulationKind,
    StratumPlan,
)
from kglijn.campaigns.sampling.allocation import AllocationError
from kglijn.campaigns.sampling.exports import sample_xlsx
from kglijn.campaigns.sampling.forms import CampaignForm, FrameUploadForm
from kglijn.campaigns.sampling.frames import (
    FIXED_COLUMNS,
    MAX_BYTES,
    FrameRejected,
    frame_parse,
    frame_replace,
    frame_upload_allowed,
)
from kglijn.campaigns.sampling.services import (
    AUDIT_TYPE,
    CampaignRefused,
    campaign_close,
    campaign_counts,
    fieldwork_begin,
    sample_draw,
)
from kglijn.campaigns.strata import ALL, stratum_values, value_label
from kglijn.core.audit import audit_record
from kglijn.core.excel import csv_response, xlsx_response
from kglijn.core.models import AuditEvent

EDITABLE = (CampaignStatus.DRAFT, CampaignStatus.DRAWN)


def not_uploadable() -> str:
    return _(
        "A frame can only be uploaded for a campaign with an uploaded population, before the "
        "fieldwork."
    )


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("version__questionnaire", "previous"), pk=pk
    )


def _plan_rows(campaign: Campaign) -> list[dict[str, Any]]:
    rows = []
    register = campaign.population_kind == PopulationKind.REGISTER
    for plan in StratumPlan.objects.filter(campaign=campaign).order_by("stratum"):
        values = stratum_values(plan.stratum)
        rows.append(
            {
                "stratum": plan.stratum,
                "values": [
                    value_label(name, values.get(name, ""), register=register)
                    for name in campaign.strata_variables
                ],
                "population": plan.population,
                "sample": plan.sample,
                "fraction_pct": 100 * plan.sample / plan.population if plan.population else 0,
            }
        )
    return rows


def _plan_context(campaign: Campaign) -> dict[str, Any]:
    rows = _plan_rows(campaign)
    population = sum(row["population"] for row in rows)
    sample = sum(row["sample"] for row in rows)
    return {
        "plan": rows,
        "plan_population": population,
        "plan_sample": sample,
        "plan_fraction_pct": 100 * sample / population if population else 0,
        "variables": campaign.strata_variables if rows and rows[0]["stratum"] != ALL else [],
    }


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.select_related("version__questionnaire").order_by("-created_at")
    return TemplateResponse(
        request,
        "campaigns/sampling/list.html",
        {"campaigns": campaigns, "can_manage": request.user.has_perm("campaigns.manage_campaign")},
    )


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    user = request.user
    can_manage = user.has_perm("campaigns.manage_campaign")
    context = {
        "campaign": campaign,
        "current": "detail",
        "counts": campaign_counts(campaign),
        "can_manage": can_manage,
        "can_view_frame": user.has_perm("campaigns.view_frame"),
        "can_edit": can_manage and campaign.status in EDITABLE,
        "can_upload": can_manage and frame_upload_allowed(campaign),
        "can_draw": can_manage
        and campaign.status in EDITABLE
        and campaign.population_kind in (PopulationKind.REGISTER, PopulationKind.UPLOAD),
        "can_begin": can_manage and campaign.status == CampaignStatus.DRAWN,
        "can_close": can_manage and campaign.status == CampaignStatus.FIELDWORK,
        "criteria": campaign.population_criteria,
        **_plan_context(campaign),
    }
    return TemplateResponse(request, "campaigns/sampling/detail.html", context)


def _form_page(
    request: HttpRequest, form: CampaignForm, campaign: Campaign | None, status: int = 200
) -> HttpResponse:
    return TemplateResponse(
        request,
        "campaigns/sampling/form.html",
        {"form": form, "campaign": campaign, "current": "detail"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("campaigns.manage_campaign", raise_exception=True)
def campaign_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, CampaignForm(initial=CampaignForm.initial_for(None)), None)
    form = CampaignForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, None, status=400)
    with transaction.atomic():
        campaign = form.apply(Campaign(created_by=request.user))  # type: ignore[misc]
        campaign.save()
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.CREATE,
            object_type=AUDIT_TYPE,
            object_id=campaign.pk,
            detail={"event": "campaign_create", "name": campaign.name},
        )
    messages.success(request, _("Survey “%(name)s” created.") % {"name": campaign.name})
    return redirect("campaigns:campaign_detail", campaign.pk)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("campaigns.manage_campaign", raise_exception=True)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    if campaign.status not in EDITABLE:
        messages.error(request, _("A campaign in the fieldwork or closed cannot be changed."))
        return redirect("campaigns:campaign_detail", campaign.pk)
    if request.method != "POST":
        form = CampaignForm(initial=CampaignForm.initial_for(campaign), campaign=campaign)
        return _form_page(request, form, campaign)
    form = CampaignForm(request.POST, campaign=campaign)
    if not form.is_valid():
        return _form_page(request, form, campaign, status=400)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status not in EDITABLE:
            messages.error(request, _("A campaign in the fieldwork or closed cannot be changed."))
            return redirect("campaigns:campaign_detail", campaign.pk)
        was_drawn = locked.status == CampaignStatus.DRAWN
        old_variables = list(locked.strata_variables)
        form.apply(locked)
        locked.save()
        if was_drawn or old_variables != locked.strata_variables:
            # The draw (and a frame whose addresses it blanked, or whose columns no longer
            # match) no longer holds: the campaign is a draft that draws anew.
            from kglijn.campaigns.sampling.frames import draw_clear

            draw_clear(locked)
            FrameUnit.objects.filter(campaign=locked).delete()
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.CHANGE,
            object_type=AUDIT_TYPE,
            object_id=locked.pk,
            detail={"event": "campaign_change", "draw_undone": was_drawn},
        )
    if was_drawn:
        messages.warning(request, _("Saved. The earlier draw was undone: draw the sample again."))
    else:
        messages.success(request, _("Saved."))
    return redirect("campaigns:campaign_detail", campaign.pk)


def _upload_page(
    request: HttpRequest,
    campaign: Campaign,
    form: FrameUploadForm,
    errors: list[str],
    status: int = 200,
) -> HttpResponse:
    return TemplateResponse(
        request,
        "campaigns/sampling/upload.html",
        {
            "campaign": campaign,
            "current": "detail",
            "form": form,
            "errors": errors,
            "columns": [*FIXED_COLUMNS, *campaign.strata_variables],
            "max_mb": MAX_BYTES // 1_000_000,
            "units": FrameUnit.objects.filter(campaign=campaign).count(),
            "allowed": frame_upload_allowed(campaign),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("campaigns.manage_campaign", raise_exception=True)
def frame_upload(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    if request.method != "POST":
        return _upload_page(request, campaign, FrameUploadForm(), [])
    form = FrameUploadForm(request.POST, request.FILES)
    if not frame_upload_allowed(campaign):
        return _upload_page(
            request,
            campaign,
            form,
            [not_uploadable()],
            status=400,
        )
    if not form.is_valid():
        return _upload_page(request, campaign, form, [], status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_BYTES:
        errors = [_("The file is larger than %(n)d MB.") % {"n": MAX_BYTES // 1_000_000}]
        return _upload_page(request, campaign, form, errors, status=400)
    try:
        rows = frame_parse(
            upload.read(MAX_BYTES + 1),
            file_name=upload.name or "",
            variables=list(campaign.strata_variables),
        )
        with transaction.atomic():
            count = frame_replace(campaign, rows)
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.CHANGE,
                object_type=AUDIT_TYPE,
                object_id=campaign.pk,
                detail={
                    "event": "frame_upload",
                    "units": count,
                    "file_name": (upload.name or "")[-200:],
                },
            )
    except FrameRejected as exc:
        return _upload_page(request, campaign, form, exc.errors, status=400)
    messages.success(request, _("Population loaded: %(n)d units.") % {"n": count})
    return redirect("campaigns:campaign_detail", campaign.pk)


@require_GET
@login_required
@permission_required("campaigns.view_frame", raise_exception=True)
def frame_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The frame with its addresses (only the drawn units still have them), audit-logged."""
    campaign = _campaign(pk)
    variables = list(campaign.strata_variables)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([*FIXED_COLUMNS, *variables, "steekproef"])
    count = 0
    for key, email, phone, language, strata, sampled in (
        FrameUnit.objects.filter(campaign=campaign)
        .order_by("external_key")
        .values_list("external_key", "email", "phone", "language", "strata", "sampled")
        .iterator(chunk_size=5000)
    ):
        writer.writerow(
            [
                key,
                email,
                phone,
                language,
                *(strata.get(name, "") for name in variables),
                int(sampled),
            ]
        )
        count += 1
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        object_type=AUDIT_TYPE,
        object_id=campaign.pk,
        detail={"event": "frame_download", "units": count},
    )
    return csv_response("\ufeff" + out.getvalue(), filename=f"populatie-{campaign.pk}.csv")


# --- actions with a confirmation ---------------------------------------------------------------


def _confirm(
    request: HttpRequest, campaign: Campaign, action: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    return TemplateResponse(
        request,
        "campaigns/sampling/confirm.html",
        {
            "campaign": campaign,
            "current": "detail",
            "action": action,
            "error": error,
            "counts": campaign_counts(campaign),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("campaigns.manage_campaign", raise_exception=True)
def campaign_draw(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    if request.method != "POST":
        return _confirm(request, campaign, "draw")
    try:
        result = sample_draw(campaign, now=timezone.now(), by=request.user)
    except (CampaignRefused, AllocationError, FrameRejected) as exc:
        error = " ".join(exc.errors) if isinstance(exc, FrameRejected) else str(exc)
        return _confirm(request, campaign, "draw", error=error, status=400)
    messages.success(
        request,
        _(
            "Sample drawn: %(sample)d of %(population)d units in %(strata)d strata; "
            "%(email)d with an e-mail address, %(phone)d by phone only."
        )
        % {
            "sample": result.sample,
            "population": result.population,
            "strata": result.strata,
            "email": result.with_email,
            "phone": result.phone_only,
        },
    )
    return redirect("campaigns:campaign_detail", campaign.pk)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("campaigns.manage_campaign", raise_exception=True)
def campaign_fieldwork(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    if request.method != "POST":
        return _confirm(request, campaign, "fieldwork")
    try:
        result = fieldwork_begin(campaign, now=timezone.now(), by=request.user)
    except CampaignRefused as exc:
        return _confirm(request, campaign, "fieldwork", error=str(exc), status=400)
    messages.success(
        request,
        _(
            "Fieldwork started: %(n)d invitations are being sent; %(phone)d units can only be "
            "reached by phone."
        )
        % {"n": result.invitations, "phone": result.phone_only},
    )
    return redirect("campaigns:campaign_detail", campaign.pk)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("campaigns.manage_campaign", raise_exception=True)
def campaign_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    if request.method != "POST":
        return _confirm(request, campaign, "close")
    try:
        campaign_close(campaign, now=timezone.now(), by=request.user)
    except CampaignRefused as exc:
        return _confirm(request, campaign, "close", error=str(exc), status=400)
    messages.success(request, _("The fieldwork is closed."))
    return redirect("campaigns:campaign_detail", campaign.pk)


# --- the sample table ----------------------------------------------------------------------


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_sample(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    return TemplateResponse(
        request,
        "campaigns/sampling/sample.html",
        {"campaign": campaign, "current": "sample", **_plan_context(campaign)},
    )


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_sample_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    content = sample_xlsx(campaign, _plan_rows(campaign))
    return xlsx_response(content, filename=f"steekproef-{campaign.pk}.xlsx")
