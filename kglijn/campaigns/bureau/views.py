"""The page that loads a bureau's results into a campaign (campaigns.import_results)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kglijn.campaigns.bureau.files import FileRejected
from kglijn.campaigns.bureau.forms import MarginsForm, RespondentsForm
from kglijn.campaigns.bureau.services import (
    MAX_BYTES,
    margins_import,
    respondents_columns,
    respondents_import,
    respondents_template_csv,
)
from kglijn.campaigns.models import (
    Campaign,
    PopulationCount,
    PopulationKind,
    Response,
    ResponseSource,
    StratumPlan,
)
from kglijn.core.excel import download_response

PERMISSION = "campaigns.import_results"


def _campaign(pk: int) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("version__questionnaire"), pk=pk)
    if campaign.population_kind != PopulationKind.BUREAU:
        raise Http404("not a bureau's campaign")
    return campaign


def _page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    margins_form: MarginsForm | None = None,
    respondents_form: RespondentsForm | None = None,
    rejected: FileRejected | None = None,
    rejected_form: str = "",
) -> HttpResponse:
    margins: dict[str, list[PopulationCount]] = {}
    for margin in PopulationCount.objects.filter(campaign=campaign).order_by(
        "variable", "category"
    ):
        margins.setdefault(margin.variable, []).append(margin)
    plan = StratumPlan.objects.filter(campaign=campaign).aggregate(
        strata=Count("id"), population=Sum("population"), sample=Sum("sample")
    )
    responses = Response.objects.filter(campaign=campaign, source=ResponseSource.BUREAU).aggregate(
        complete=Count("id", filter=Q(completed_at__isnull=False)),
        dropouts=Count("id", filter=Q(completed_at__isnull=True)),
    )
    failed = rejected is not None or bool(
        (margins_form and margins_form.errors) or (respondents_form and respondents_form.errors)
    )
    context: dict[str, Any] = {
        "campaign": campaign,
        "current": "import",
        "margins": [
            (variable, rows, sum(m.count for m in rows)) for variable, rows in margins.items()
        ],
        "plan": plan,
        "responses": responses,
        "columns": respondents_columns(campaign),
        "margins_form": margins_form or MarginsForm(),
        "respondents_form": respondents_form or RespondentsForm(),
        "rejected": rejected,
        "rejected_form": rejected_form,
        "max_mb": MAX_BYTES // 1_000_000,
    }
    return TemplateResponse(
        request, "campaigns/bureau/import.html", context, status=400 if failed else 200
    )


def _read(upload: UploadedFile[bytes]) -> bytes:
    return bytes(upload.read(MAX_BYTES + 1))


@require_GET
@login_required
@permission_required(PERMISSION, raise_exception=True)
def bureau_import(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _campaign(pk))


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def bureau_margins_upload(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    form = MarginsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, campaign, margins_form=form)
    margins_file: UploadedFile[bytes] = form.cleaned_data["margins"]
    plan_file: UploadedFile[bytes] | None = form.cleaned_data.get("plan")
    try:
        result = margins_import(
            campaign=campaign,
            by=request.user,
            margins=_read(margins_file),
            margins_name=margins_file.name or "",
            plan=_read(plan_file) if plan_file else None,
            plan_name=(plan_file.name or "") if plan_file else "",
        )
    except FileRejected as exc:
        return _page(request, campaign, margins_form=form, rejected=exc, rejected_form="margins")
    message = _("%(n)d population counts loaded for %(variables)s.") % {
        "n": result.margins,
        "variables": ", ".join(result.variables),
    }
    if result.plans is not None:
        message += " " + _("Stratum plan: %(n)d strata.") % {"n": result.plans}
    messages.success(request, message)
    return redirect("campaigns:bureau_import", pk=campaign.pk)


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def bureau_respondents_upload(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    form = RespondentsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, campaign, respondents_form=form)
    upload: UploadedFile[bytes] = form.cleaned_data["respondents"]
    try:
        result = respondents_import(
            campaign=campaign, by=request.user, content=_read(upload), file_name=upload.name or ""
        )
    except FileRejected as exc:
        return _page(
            request, campaign, respondents_form=form, rejected=exc, rejected_form="respondents"
        )
    messages.success(
        request,
        _(
            "%(complete)d complete questionnaires and %(dropouts)d drop-outs loaded "
            "(%(answers)d answers); %(replaced)d responses of the previous file replaced."
        )
        % {
            "complete": result.complete,
            "dropouts": result.dropouts,
            "answers": result.answers,
            "replaced": result.replaced,
        },
    )
    return redirect("campaigns:bureau_import", pk=campaign.pk)


@require_GET
@login_required
@permission_required(PERMISSION, raise_exception=True)
def bureau_template(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    return download_response(
        respondents_template_csv(campaign),
        filename=f"respondenten-onderzoek-{campaign.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )
