"""The Opgroeipunt dashboard pages: the team lead's (open work) and the inspections and
enforcement one (issue 18 item 5)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kglijn.core.excel import xlsx_response
from kglijn.opgroeipunt.dashboard.exports import inspection_board_xlsx
from kglijn.opgroeipunt.dashboard.inspections import (
    SOURCE_SHARES,
    InspectionBoard,
    RiskRow,
    comparison_half_years,
    inspection_board,
    risk_bands,
)
from kglijn.opgroeipunt.dashboard.selectors import locations_without_spoc, opgroeipunt_dashboard

# Customer managers and the team lead: both hold it (kglijn/accounts/roles.py).
INSPECTIONS_PERMISSION = "opgroeipunt.view_inspectionvisit"
DOCUMENT_LANGUAGE = "nl-be"


@require_GET
@login_required
@permission_required("opgroeipunt.view_opgroeipunt_dashboard", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    board = opgroeipunt_dashboard(now=timezone.now())
    return render(
        request,
        "opgroeipunt/dashboard/dashboard.html",
        {"board": board, "without_spoc": locations_without_spoc()},
    )


def _charts(board: InspectionBoard) -> dict[str, Any]:
    """The vendored Chart.js's specs (kglijn/charts.js); every number is in a table too."""
    compared = comparison_half_years(board.half_years)
    datasets: list[dict[str, Any]] = [
        {"label": half.label, "data": [half.share(value) or 0 for value, _l in board.types]}
        for half in compared
    ]
    # The two reference columns of 002 in two greys (dark for the later year), apart from the
    # palette colours of the register's own half years.
    greys = ("#7d8995", "#3d4650")
    for index, (year, shares) in enumerate(SOURCE_SHARES.items()):
        datasets.append(
            {
                "label": _("002, January–June %(year)d") % {"year": year},
                "data": [shares.get(value, 0) for value, _l in board.types],
                "muted": True,
                "colour": greys[index % len(greys)],
            }
        )
    return {
        "types": {
            "kind": "bar",
            "percent": True,
            "decimals": 1,
            "labels": [label for _v, label in board.types],
            "datasets": datasets,
            "yTitle": _("Share of the visits, in percent"),
        },
        "months": {
            "kind": "line",
            "labels": [f"{row.month:%m/%Y}" for row in board.months],
            "datasets": [
                {"label": _("Cases"), "data": [row.cases for row in board.months]},
                {"label": _("Inspection visits"), "data": [row.visits for row in board.months]},
                {"label": _("Complaints"), "data": [row.complaints for row in board.months]},
                {"label": _("Danger situations"), "data": [row.danger for row in board.months]},
            ],
        },
        "risk": {
            "kind": "bar",
            "stacked": True,
            "horizontal": True,
            "labels": [row.label for row in board.risk_by_team],
            "datasets": [
                {"label": label, "data": [row.counts.get(value, 0) for row in board.risk_by_team]}
                for value, label in risk_bands()
            ],
        },
    }


def _risk_table(rows: list[RiskRow]) -> list[tuple[str, list[int], int]]:
    return [
        (row.label, [row.counts.get(value, 0) for value, _l in risk_bands()], row.total)
        for row in rows
    ]


@require_GET
@login_required
@permission_required(INSPECTIONS_PERMISSION, raise_exception=True)
def inspections(request: HttpRequest) -> HttpResponse:
    """Inspections by type per half year (002), risk bands per region, cases against
    inspections, the enforcement pipeline."""
    board = inspection_board(now=timezone.now())
    compared = comparison_half_years(board.half_years)
    context = {
        "board": board,
        "bands": risk_bands(),
        "compared": compared,
        "source": [
            (
                label,
                [half.share(value) for half in compared],
                SOURCE_SHARES[2020].get(value),
                SOURCE_SHARES[2023].get(value),
            )
            for value, label in board.types
        ],
        "charts": _charts(board),
        "half_rows": [
            (half, [half.by_type.get(value, 0) for value, _l in board.types])
            for half in board.half_years
        ],
        "risk_teams": _risk_table(board.risk_by_team),
        "risk_provinces": _risk_table(board.risk_by_province),
        "decision_rows": [
            (month, [counts.get(value, 0) for value, _l in board.decision_kinds])
            for month, counts in board.decisions_by_month
        ],
    }
    return render(request, "opgroeipunt/dashboard/inspections.html", context)


@require_GET
@login_required
@permission_required(INSPECTIONS_PERMISSION, raise_exception=True)
def inspections_download(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    with translation.override(DOCUMENT_LANGUAGE):
        content = inspection_board_xlsx(inspection_board(now=now))
    return xlsx_response(content, filename=f"opgroeipunt-inspecties-{now:%Y%m%d}.xlsx")
