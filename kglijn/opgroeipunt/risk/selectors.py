"""Reads of the risk analysis for the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kglijn.opgroeipunt.models import Location, RiskModel, RiskScore
from kglijn.opgroeipunt.risk.explain import factor_text


def risk_model_active() -> RiskModel | None:
    return RiskModel.objects.filter(active=True).defer("artefact").first()


def risk_model_history(limit: int = 20) -> QuerySet[RiskModel]:
    return RiskModel.objects.defer("artefact").select_related("trained_by")[:limit]


def risk_list(
    *, regional_team: int | None = None, province: str = "", band: str = ""
) -> QuerySet[RiskScore]:
    """The scored locations by rank (highest risk first), filtered."""
    rows = RiskScore.objects.select_related(
        "location", "location__organiser", "location__regional_team"
    ).order_by("rank")
    if regional_team is not None:
        rows = rows.filter(location__regional_team_id=regional_team)
    if province:
        rows = rows.filter(location__province=province)
    if band:
        rows = rows.filter(band=band)
    return rows


def risk_of_location(location: Location) -> RiskScore | None:
    return RiskScore.objects.filter(location=location).first()


def risk_panel(location: Location) -> dict[str, Any]:
    """The location page's risk panel: the score and its factors in the active language."""
    risk = risk_of_location(location)
    factors = []
    if risk is not None:
        factors = [
            (factor_text(f), f"{float(f.get('weight', 0)):.2f}".replace(".", ","))
            for f in risk.factors
        ]
    return {
        "can_view_risk": True,
        "risk": risk,
        "risk_factors": factors,
        "risk_pct": f"{100 * risk.probability:.1f} %".replace(".", ",") if risk else "",
    }
