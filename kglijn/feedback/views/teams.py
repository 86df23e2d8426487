"""Feedback per local team and month (+ Excel) for leads and analysts; a lead's team remarks."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kglijn.core.excel import xlsx_response
from kglijn.core.periods import month_bounds
from kglijn.feedback.exports import team_figures_xlsx
from kglijn.feedback.figures import (
    SCORES,
    Figures,
    TeamMonthReport,
    monthly_trend,
    team_month_figures,
)
from kglijn.feedback.forms import TeamFiguresForm
from kglijn.feedback.models import SCORE_LABELS
from kglijn.feedback.selectors import local_team_ids_led, team_remarks_for_lead

DOCUMENT_LANGUAGE = "nl-be"
TREND_MONTHS = 13


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _report(form: TeamFiguresForm) -> tuple[TeamMonthReport, list[tuple[Any, Figures]]]:
    data = form.cleaned_data
    report = team_month_figures(month=data["month"], province=data["province"], kind=data["kind"])
    trend = monthly_trend(
        last_month=data["month"],
        months=TREND_MONTHS,
        province=data["province"],
        kind=data["kind"],
    )
    return report, trend


def _charts(trend: list[tuple[Any, Figures]]) -> dict[str, Any]:
    labels = [date_format(first, "M Y") for first, _figures in trend]
    return {
        "chart-feedback-scores": {
            "kind": "bar",
            "stacked": True,
            "labels": labels,
            "datasets": [
                {
                    "label": f"{score} – {SCORE_LABELS[score]}",
                    "data": [figures.distribution[index] for _first, figures in trend],
                }
                for index, score in enumerate(SCORES)
            ],
            "yTitle": str(_("Answers")),
        },
        "chart-feedback-rate": {
            "kind": "line",
            "percent": True,
            "labels": labels,
            "datasets": [
                {
                    "label": str(_("Response rate")),
                    "data": [
                        round(figures.response_rate_pct, 2)
                        if figures.response_rate_pct is not None
                        else None
                        for _first, figures in trend
                    ],
                }
            ],
        },
    }


@require_GET
@login_required
@permission_required("feedback.view_team_report", raise_exception=True)
def team_figures(request: HttpRequest) -> HttpResponse:
    form = TeamFiguresForm(request.GET)
    context: dict[str, Any] = {"form": form, "report": None}
    if form.is_valid():
        report, trend = _report(form)
        context.update(
            report=report,
            trend=trend,
            charts=_charts(trend),
            led_ids=local_team_ids_led(user=_user(request)),
            month_value=report.first_day.strftime("%Y-%m"),
            query=request.GET.urlencode(),
            scores=SCORES,
            score_labels=SCORE_LABELS,
        )
    return render(request, "feedback/team_figures.html", context)


@require_GET
@login_required
@permission_required("feedback.view_team_report", raise_exception=True)
def team_figures_download(request: HttpRequest) -> HttpResponse:
    form = TeamFiguresForm(request.GET)
    if not form.is_valid():
        return render(request, "feedback/team_figures.html", {"form": form}, status=400)
    with translation.override(DOCUMENT_LANGUAGE):
        report, trend = _report(form)
        content = team_figures_xlsx(report, trend)
    filename = f"feedback-lokale-teams-{report.first_day:%Y-%m}.xlsx"
    return xlsx_response(content, filename=filename)


@require_GET
@login_required
def team_remarks(request: HttpRequest, team_id: int) -> HttpResponse:
    """A team's remarks in a month, for a lead of that team only (each read audit-logged)."""
    form = TeamFiguresForm({"month": request.GET.get("month", "")})
    form.is_valid()
    month = form.cleaned_data.get("month")
    if month is None:
        return render(request, "feedback/team_remarks.html", {"form": form}, status=400)
    first, last = month_bounds(month)
    team, remarks = team_remarks_for_lead(
        user=_user(request), local_team_id=team_id, first_day=first, last_day=last
    )
    return render(
        request,
        "feedback/team_remarks.html",
        {
            "form": form,
            "team": team,
            "remarks": remarks,
            "first_day": first,
            "month_value": first.strftime("%Y-%m"),
        },
    )
