"""The Opgroeipunt dashboard page (team leads)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kglijn.opgroeipunt.dashboard.selectors import locations_without_spoc, opgroeipunt_dashboard


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
