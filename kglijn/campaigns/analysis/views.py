"""A campaign's results page, the weighting button and the Excel download
(docs/campaigns-analysis.md)."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kglijn.campaigns.actions.services import actions_by_theme_key
from kglijn.campaigns.analysis.exports import results_xlsx
from kglijn.campaigns.analysis.services import (
    QUADRANTS,
    CampaignResults,
    campaign_results,
    campaign_weights_compute,
    quadrant_labels,
)
from kglijn.campaigns.models import Campaign
from kglijn.core.audit import audit_record
from kglijn.core.excel import xlsx_response
from kglijn.core.models import AuditEvent

# The matrix's point shapes per quadrant, so the quadrant is not told by colour alone.
POINT_STYLES = {
    "concentrate": "triangle",
    "keep_up": "circle",
    "low_priority": "rect",
    "overkill": "rectRot",
}


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("version__questionnaire", "previous"), pk=pk
    )


def _bounds(axis: str, values: list[float]) -> dict[str, float]:
    """The axis's range: the values with half a point around them, whole numbers within 0-10."""
    if not values:
        return {f"{axis}Min": 0, f"{axis}Max": 10}
    return {
        f"{axis}Min": max(0, math.floor(min(values) - 0.5)),
        f"{axis}Max": min(10, math.ceil(max(values) + 0.5)),
    }


def matrix_spec(results: CampaignResults) -> dict[str, Any]:
    """The importance × satisfaction scatter for charts.js (kind "scatter")."""
    labels = quadrant_labels()
    datasets: list[dict[str, Any]] = []
    for quadrant in QUADRANTS:
        points = [
            {
                "x": round(theme.satisfaction.mean, 3),
                "y": round(theme.importance_value, 3),
                "label": theme.theme.title_nl,
            }
            for theme in results.themes
            if theme.quadrant == quadrant
            and theme.satisfaction is not None
            and theme.importance_value is not None
        ]
        if points:
            datasets.append(
                {"label": labels[quadrant], "data": points, "pointStyle": POINT_STYLES[quadrant]}
            )
    crosshair = results.crosshair
    xs = [point["x"] for dataset in datasets for point in dataset["data"]]
    ys = [point["y"] for dataset in datasets for point in dataset["data"]]
    if crosshair is not None:
        xs.append(crosshair.satisfaction)
        ys.append(crosshair.importance)
    return {
        "kind": "scatter",
        **_bounds("x", xs),
        **_bounds("y", ys),
        "datasets": datasets,
        "crosshair": (
            {"x": round(crosshair.satisfaction, 3), "y": round(crosshair.importance, 3)}
            if crosshair
            else None
        ),
        "quadrants": {
            "topLeft": labels["concentrate"],
            "topRight": labels["keep_up"],
            "bottomLeft": labels["low_priority"],
            "bottomRight": labels["overkill"],
        },
        "pointLabels": True,
        "xTitle": _("Satisfaction (0–10)"),
        "yTitle": _("Importance (0–10)"),
        "decimals": 1,
    }


def themes_spec(results: CampaignResults) -> dict[str, Any]:
    themes = [theme for theme in results.themes if theme.satisfaction is not None]
    spec: dict[str, Any] = {
        "kind": "bar",
        "horizontal": True,
        "labels": [theme.theme.title_nl for theme in themes],
        "datasets": [
            {
                "label": _("Satisfaction"),
                "data": [
                    round(theme.satisfaction.mean, 2) for theme in themes if theme.satisfaction
                ],
            }
        ],
        "yTitle": _("Satisfaction (0–10)"),  # the value axis (horizontal bars: along x)
        "decimals": 1,
    }
    previous = [theme.change.previous.mean if theme.change else None for theme in themes]
    if any(value is not None for value in previous):
        spec["datasets"].append(
            {
                "label": _("Previous measurement"),
                "data": [round(value, 2) if value is not None else None for value in previous],
                "muted": True,
            }
        )
    return spec


@require_GET
@login_required
@permission_required("campaigns.view_results", raise_exception=True)
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    results = campaign_results(campaign)
    actions = actions_by_theme_key(campaign)
    if results.open_answers:
        # Open answers are free text and may hold personal data: reading them is recorded.
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            object_type="campaign_open_answers",
            object_id=campaign.pk,
            detail={"answers": results.open_answers},
        )
    return TemplateResponse(
        request,
        "campaigns/analysis/results.html",
        {
            "campaign": campaign,
            "current": "results",
            "results": results,
            "report": campaign.weighting_report or {},
            "derived_any": any(theme.derived is not None for theme in results.themes),
            # Each theme beside the improvement actions taken after the earlier measurements.
            "theme_rows": [(theme, actions.get(theme.theme.key, [])) for theme in results.themes],
            "charts": {
                "chart-matrix": matrix_spec(results),
                "chart-themes": themes_spec(results),
            },
        },
    )


@require_POST
@login_required
@permission_required("campaigns.manage_campaign", raise_exception=True)
def results_weights(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    report = campaign_weights_compute(campaign, now=timezone.now())
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.CHANGE,
        object_type="campaign_weights",
        object_id=campaign.pk,
        detail=report,
    )
    if report.get("errors"):
        messages.error(request, _("The weights could not be computed: see the problems below."))
    else:
        messages.success(
            request,
            _("Weights computed for %(n)d complete responses.") % {"n": report["n"]},
        )
    return redirect("campaigns:results", pk=campaign.pk)


@require_GET
@login_required
@permission_required("campaigns.view_results", raise_exception=True)
def results_download(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    content = results_xlsx(campaign_results(campaign))
    return xlsx_response(content, filename=f"onderzoek-{campaign.pk}-resultaten.xlsx")
