"""The campaign list and the campaign's page (the hub that links its parts)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from kglijn.campaigns.models import Campaign


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.select_related("version__questionnaire").order_by("-created_at")
    return TemplateResponse(request, "campaigns/sampling/list.html", {"campaigns": campaigns})


@require_GET
@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(
        Campaign.objects.select_related("version__questionnaire", "previous"), pk=pk
    )
    return TemplateResponse(
        request, "campaigns/sampling/detail.html", {"campaign": campaign, "current": "detail"}
    )
