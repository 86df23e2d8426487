"""Personeel (/sturing/personeel/): the front office's staffing need per half hour against the
planned staff, the roster upload, and the back offices' written backlog (issue 19 item 5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kglijn.core.excel import download_refused, xlsx_response
from kglijn.core.vocabulary import Office
from kglijn.steering.models import StaffPlan
from kglijn.steering.staffing.backlog import OfficeBacklog, back_office_backlogs
from kglijn.steering.staffing.exports import staffing_xlsx
from kglijn.steering.staffing.forms import RosterForm, StaffingForm
from kglijn.steering.staffing.need import (
    DEFAULT_SHRINKAGE,
    StaffingGrid,
    default_week,
    staffing_grid,
)
from kglijn.steering.staffing.roster import RosterError, roster_import

VIEW = "steering.view_staffing"
PLAN = "steering.plan_staff"
DOCUMENT_LANGUAGE = "nl-be"


def _grid(form: StaffingForm) -> StaffingGrid:
    data = form.cleaned_data
    shrinkage = data.get("shrinkage")
    return staffing_grid(
        week_start=data.get("week_start") or default_week(),
        shrinkage=float(shrinkage) / 100 if shrinkage is not None else DEFAULT_SHRINKAGE,
        erlang_a=data["model"] == "erlang_a",
        patience=data.get("patience"),
        aht=data.get("aht"),
    )


def _signed(value: Decimal) -> str:
    text = f"{value:+.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return "0" if value == 0 else text.replace("-", "−")


def _charts(grid: StaffingGrid, backlogs: list[OfficeBacklog]) -> dict[str, Any]:
    offices = dict(Office.choices)
    charts: dict[str, Any] = {
        "chart-staff-hours": {
            "kind": "bar",
            "labels": [date_format(t.day, "D d/m") for t in grid.totals],
            "datasets": [
                {"label": _("Needed"), "data": [float(t.needed_hours) for t in grid.totals]},
                {"label": _("Planned"), "data": [float(t.planned_hours) for t in grid.totals]},
            ],
            "yTitle": _("Agent-hours"),
            "decimals": 1,
        }
    }
    for item in backlogs:
        charts[f"chart-written-{item.office}"] = {
            "kind": "bar",
            "labels": [date_format(day, "d/m") for day in item.days],
            "datasets": [
                {"label": _("Received"), "data": item.intake},
                {"label": _("Closed"), "data": item.closed},
            ],
            "yTitle": _("Written contacts"),
            "title": str(offices[item.office]),
        }
    return charts


def _page(
    request: HttpRequest,
    *,
    roster_form: RosterForm | None = None,
    roster_problems: list[str] | None = None,
    roster_total: int = 0,
    status: int = 200,
) -> HttpResponse:
    form = StaffingForm(request.GET or None)
    valid = form.is_valid() if request.GET else False
    if not request.GET:
        form = StaffingForm({"model": "erlang_c"})
        valid = form.is_valid()
    grid = _grid(form) if valid else None
    backlogs = back_office_backlogs()
    rows = []
    if grid is not None:
        for time in grid.times:
            cells = []
            for cell in grid.row(time):
                diff = cell.difference if cell is not None else None
                cells.append(
                    {
                        "cell": cell,
                        "level": cell.level if cell is not None else "none",
                        "signed": _signed(diff) if diff is not None else None,
                    }
                )
            rows.append((time, cells))
    context: dict[str, Any] = {
        "form": form,
        "grid": grid,
        "rows": rows,
        "totals": [(t, _signed(t.difference)) for t in grid.totals] if grid else [],
        "backlogs": backlogs,
        "charts": _charts(grid, backlogs) if grid else {},
        "query": request.GET.urlencode(),
        "can_plan": request.user.has_perm(PLAN),
        "roster_form": roster_form or RosterForm(),
        "roster_problems": roster_problems or [],
        "roster_more": max(0, roster_total - len(roster_problems or [])),
        "plans": StaffPlan.objects.filter(office=Office.FRONT).select_related("uploaded_by")[:5],
        "shrinkage_pct": round(100 * grid.shrinkage, 1) if grid else None,
        "model_label": ("Erlang A" if grid and grid.patience else "Erlang C"),
    }
    return render(request, "steering/staffing/page.html", context, status=status)


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def staffing_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def staffing_download(request: HttpRequest) -> HttpResponse:
    form = StaffingForm(request.GET or {"model": "erlang_c"})
    if not form.is_valid():
        return download_refused(form)
    grid = _grid(form)
    with translation.override(DOCUMENT_LANGUAGE):
        content = staffing_xlsx(grid, back_office_backlogs())
    week: dt.date = grid.week_start
    return xlsx_response(content, filename=f"personeel-{week:%Y%m%d}.xlsx")


@require_POST
@login_required
@permission_required(PLAN, raise_exception=True)
def staffing_roster(request: HttpRequest) -> HttpResponse:
    """Upload a roster (counts or shifts); all rows are checked, nothing is written on error."""
    form = RosterForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, roster_form=form, status=400)
    upload = form.cleaned_data["file"]
    name = Path(upload.name or "rooster.csv").name[:200]
    user = request.user
    assert isinstance(user, User)
    try:
        plan = roster_import(content=upload.read(), name=name, user=user)
    except RosterError as exc:
        return _page(
            request,
            roster_form=form,
            roster_problems=exc.problems,
            roster_total=exc.total,
            status=400,
        )
    messages.success(
        request,
        _("Roster %(name)s stored: %(first)s to %(last)s, %(slots)d half hours.")
        % {
            "name": name,
            "first": plan.date_from.strftime("%d/%m/%Y"),
            "last": plan.date_to.strftime("%d/%m/%Y"),
            "slots": plan.slots.count(),
        },
    )
    return redirect(f"{reverse('steering:staffing')}?week={plan.date_from.isoformat()}")
