"""The live response monitoring page /onderzoeken/<pk>/respons/ and the methodology page
/onderzoeken/<pk>/methodologie/, with their Excel downloads. Aggregates only: no respondent's
answers or addresses are shown, so nothing here is audit-logged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from kglijn.campaigns.models import Campaign
from kglijn.campaigns.monitoring import services
from kglijn.campaigns.monitoring.answers import as_rows, methodology_answers, p_text
from kglijn.campaigns.monitoring.exports import (
    methodology_xlsx,
    position_label,
    reported_rows,
    response_charts,
    response_xlsx,
    variable_label,
)
from kglijn.core.excel import xlsx_response

DOCUMENT_LANGUAGE = "nl-be"


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("version__questionnaire", "previous"), pk=pk
    )


def _updated() -> str:
    return time_format(timezone.localtime(), "H:i")


def _tests(
    tests: list[services.RepresentativenessTest],
) -> list[tuple[services.RepresentativenessTest, str, str]]:
    return [
        (test, variable_label(test), p_text(test.p_value) if test.p_value is not None else "")
        for test in tests
    ]


def _filename(campaign: Campaign, what: str) -> str:
    return f"{what}-{campaign.pk}-{slugify(campaign.name)[:40] or 'onderzoek'}.xlsx"


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def response_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Respons: totals, response rate per stratum against the minimum, per mode, drop-outs by
    the last item reached and the representativeness of the respondents."""
    campaign = _campaign(pk)
    strata = services.response_by_stratum(campaign)
    totals = services.response_totals(campaign, strata)
    modes = services.response_by_mode(campaign)
    dropouts = services.dropouts_by_position(campaign)
    tests = services.representativeness(campaign)
    minimum = float(campaign.min_response_rate_pct)
    context = {
        "campaign": campaign,
        "current": "response",
        "updated": _updated(),
        "totals": totals,
        "strata": strata,
        "modes": modes,
        "dropouts": [(row, position_label(row)) for row in dropouts],
        "tests": _tests(tests),
        "reported": reported_rows(totals),
        "minimum": minimum,
        "charts": response_charts(strata, modes, dropouts, minimum),
    }
    return TemplateResponse(request, "campaigns/monitoring/response.html", context)


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def response_download(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    with translation.override(DOCUMENT_LANGUAGE):
        strata = services.response_by_stratum(campaign)
        content = response_xlsx(
            campaign_name=campaign.name,
            updated=timezone.localtime().strftime("%d/%m/%Y %H:%M"),
            totals=services.response_totals(campaign, strata),
            strata=strata,
            modes=services.response_by_mode(campaign),
            dropouts=services.dropouts_by_position(campaign),
            tests=services.representativeness(campaign),
            minimum=float(campaign.min_response_rate_pct),
        )
    return xlsx_response(content, filename=_filename(campaign, "respons"))


@require_GET
@login_required
@permission_required("campaigns.view_results", raise_exception=True)
def methodology_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Methodologie: parliament's questions answered from the campaign's stored rows."""
    campaign = _campaign(pk)
    report = services.methodology(campaign)
    context = {
        "campaign": campaign,
        "current": "methodology",
        "updated": _updated(),
        "report": report,
        "answers": methodology_answers(report),
        "tests": _tests(report.representativeness),
    }
    return TemplateResponse(request, "campaigns/monitoring/methodology.html", context)


@require_GET
@login_required
@permission_required("campaigns.view_results", raise_exception=True)
def methodology_download(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    with translation.override(DOCUMENT_LANGUAGE):
        report = services.methodology(campaign)
        content = methodology_xlsx(as_rows(methodology_answers(report)), report)
    return xlsx_response(content, filename=_filename(campaign, "methodologie"))
