"""The monthly satisfaction analysis page (/reports/satisfaction/) and its downloads.

The choice travels in the query string (month=YYYY-MM, channel, office, team) so that a page
can be bookmarked; the remarks' pages are fetched with htmx without recomputing the figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import permission_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kglijn.contacts.models import Channel, Office
from kglijn.core.excel import csv_response, xlsx_response
from kglijn.core.htmx import is_htmx_fragment
from kglijn.surveys.analysis.exports import analysis_csv, analysis_xlsx
from kglijn.surveys.analysis.figures import (
    DETRACTOR_MAX,
    NPS_CRITERION,
    PROMOTER_MIN,
    SCALE_CRITERIA,
    SCORES,
    Month,
    Sums,
)
from kglijn.surveys.analysis.month import (
    CRITERION_LABELS,
    DEFINITIONS,
    SatisfactionAnalysis,
    analysis_summary,
    satisfaction_analysis,
    team_labels,
)
from kglijn.surveys.analysis.queries import (
    NO_TEAM,
    AnalysisFilters,
)
from kglijn.surveys.analysis.remarks import (
    satisfaction_remark_page,
    satisfaction_remarks_visible,
)
from kglijn.surveys.analysis.stats import MIN_N
from kglijn.surveys.models import SurveyResponse

PERMISSION = "contacts.view_reports"
DOCUMENT_LANGUAGE = "nl-be"  # downloads are documents: Dutch headers whatever the UI language
FIRST_YEAR = 2000


class AnalysisForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "JJJJ-MM"}),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[("", gettext_lazy("All channels")), *Channel.choices],
        required=False,
    )
    office = forms.ChoiceField(
        label=gettext_lazy("Office"),
        choices=[("", gettext_lazy("All offices")), *Office.choices],
        required=False,
    )
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        teams = [(key, name) for key, name, _office, _active in team_labels()]
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ChoiceField)
        team_field.choices = [
            ("", _("All teams")),
            *teams,
            (NO_TEAM, _("Without team")),
        ]

    def clean_month(self) -> Month:
        text = self.cleaned_data.get("month") or ""
        if not text:
            return default_month(self.today)
        try:
            month = Month.parse(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("“%(value)s” is not a month (use YYYY-MM).") % {"value": text}
            ) from exc
        if month > Month.of(self.today):
            raise forms.ValidationError(_("Choose this month or an earlier one."))
        if month.year < FIRST_YEAR:
            raise forms.ValidationError(
                _("Choose a month from %(year)d onwards.") % {"year": FIRST_YEAR}
            )
        return month

    def choice(self) -> tuple[Month, AnalysisFilters]:
        data = self.cleaned_data
        return data["month"], AnalysisFilters(
            channel=data.get("channel") or "",
            office=data.get("office") or "",
            team=data.get("team") or "",
        )


def analysis_query(month: Month, filters: AnalysisFilters) -> str:
    """The page's query string for a choice (the inverse of AnalysisForm)."""
    return urlencode(
        {
            "month": month.iso,
            "channel": filters.channel,
            "office": filters.office,
            "team": filters.team,
        }
    )


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def analysis_charts(analysis: SatisfactionAnalysis) -> dict[str, dict[str, Any]]:
    """The chart data charts.js draws (see its header for the format)."""
    labels = [month.short_label for month in analysis.months]
    total = analysis.total
    nps_counts = total.distribution[NPS_CRITERION]
    groups = (
        (_("Detractors (0–6)"), range(0, DETRACTOR_MAX + 1)),
        (_("Passives (7–8)"), range(DETRACTOR_MAX + 1, PROMOTER_MIN)),
        (_("Promoters (9–10)"), range(PROMOTER_MIN, 11)),
    )
    return {
        "chart-trend-nps": {
            "kind": "line",
            "labels": labels,
            "datasets": [
                {"label": _("NPS"), "data": [_round(sums.nps, 1) for sums in analysis.trend]}
            ],
            "yTitle": _("NPS"),
            "decimals": 1,
            "aspect": 2.2,
        },
        "chart-trend-means": {
            "kind": "line",
            "labels": labels,
            "datasets": [
                {
                    "label": str(CRITERION_LABELS[criterion]),
                    "data": [_round(sums.mean(criterion), 2) for sums in analysis.trend],
                }
                for criterion in SCALE_CRITERIA
            ],
            "yTitle": _("Average (1–5)"),
            "decimals": 2,
            "aspect": 2.2,
        },
        "chart-distribution-scale": {
            "kind": "bar",
            "labels": [str(score) for score in SCORES[SCALE_CRITERIA[0]]],
            "datasets": [
                {
                    "label": str(CRITERION_LABELS[criterion]),
                    "data": total.distribution[criterion],
                }
                for criterion in SCALE_CRITERIA
            ],
            "xTitle": _("Score"),
            "yTitle": _("Answers"),
            "aspect": 1.6,
        },
        "chart-distribution-nps": {
            "kind": "bar",
            "stacked": True,
            "labels": [str(score) for score in SCORES[NPS_CRITERION]],
            "datasets": [
                {
                    "label": label,
                    "data": [
                        count if score in scores else None
                        for score, count in zip(SCORES[NPS_CRITERION], nps_counts, strict=True)
                    ],
                }
                for label, scores in groups
            ],
            "xTitle": _("Score"),
            "yTitle": _("Answers"),
            "aspect": 1.6,
        },
    }


def figures(sums: Sums) -> dict[str, Any]:
    """What a template shows of a group: counts, rate, NPS and per criterion (mean, n, % 4–5)."""
    return {
        "asked": sums.asked,
        "answered": sums.answered,
        "response_rate": sums.response_rate,
        "responses": sums.responses,
        "partial": sums.partial,
        "remarks": sums.remarks,
        "criteria": [
            {
                "key": criterion,
                "label": str(CRITERION_LABELS[criterion]),
                "mean": sums.mean(criterion),
                "n": sums.count(criterion),
                "satisfied_pct": sums.satisfied_pct(criterion),
            }
            for criterion in SCALE_CRITERIA
        ],
        "nps": sums.nps,
        "nps_n": sums.nps_n,
        "promoters": sums.promoters,
        "passives": sums.passives,
        "detractors": sums.detractors,
    }


def _remarks_context(
    request: HttpRequest, month: Month, filters: AnalysisFilters
) -> dict[str, Any]:
    if not satisfaction_remarks_visible(user=request.user):
        return {"remarks_visible": False}
    page = satisfaction_remark_page(
        user=request.user, month=month, filters=filters, page_number=request.GET.get("page")
    )
    return {"remarks_visible": True, "remarks": page}


def default_month(today: dt.date) -> Month:
    """The last complete month that has answers (else the last complete month): a register
    whose answers stop earlier (an import, the demo) opens on figures, not on an empty month."""
    before = Month.of(today).start
    latest = SurveyResponse.objects.filter(answered_at__lt=before).aggregate(Max("answered_at"))
    moment = latest["answered_at__max"]
    if moment is None:
        return Month.of(today).shift(-1)
    return Month.of(timezone.localtime(moment).date())


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def satisfaction(request: HttpRequest) -> HttpResponse:
    """The month's satisfaction per channel, office and team, its trend, change and remarks."""
    data = request.GET.copy()
    if not data.get("month"):  # shown in the month field, not only used
        data["month"] = default_month(timezone.localdate()).iso
    form = AnalysisForm(data)
    context: dict[str, Any] = {"form": form, "min_n": MIN_N}
    if form.is_valid():
        month, filters = form.choice()
        query = analysis_query(month, filters)
        context.update(_remarks_context(request, month, filters))
        context["query"] = query
        if is_htmx_fragment(request) and request.GET.get("part") == "remarks":
            response = render(request, "surveys/analysis/page.html#remarks", context)
            patch_vary_headers(response, ("HX-Request",))
            return response
        analysis = satisfaction_analysis(month=month, filters=filters)
        context.update(
            analysis=analysis,
            charts=analysis_charts(analysis),
            total=figures(analysis.total),
            trend_rows=[
                (month, figures(sums))
                for month, sums in zip(analysis.months, analysis.trend, strict=True)
            ],
            distribution_rows=[
                (
                    str(CRITERION_LABELS[criterion]),
                    analysis.total.distribution[criterion],
                    analysis.total.count(criterion),
                )
                for criterion in SCALE_CRITERIA
            ],
            scale_scores=SCORES[SCALE_CRITERIA[0]],
            nps_scores=list(
                zip(SCORES[NPS_CRITERION], analysis.total.distribution[NPS_CRITERION], strict=True)
            ),
            tables=[
                (
                    key,
                    title,
                    label,
                    [(row.label, figures(row.sums)) for row in rows],
                )
                for key, title, label, rows in (
                    ("channel", _("Per channel"), _("Channel"), analysis.by_channel),
                    ("office", _("Per office"), _("Office"), analysis.by_office),
                    ("team", _("Per team"), _("Team"), analysis.by_team),
                )
            ],
            summary=analysis_summary(analysis),
            definitions=DEFINITIONS,
        )
    response = render(request, "surveys/analysis/page.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def satisfaction_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The month's analysis as an Excel workbook (native charts) or CSV; Dutch headers, figures
    only (no remarks: free text stays in the application, where reading it is audited)."""
    with translation.override(DOCUMENT_LANGUAGE):
        form = AnalysisForm(request.GET)
        if not form.is_valid():
            problems = [str(error) for errors in form.errors.values() for error in errors]
            return HttpResponseBadRequest(
                " ".join(problems), content_type="text/plain; charset=utf-8"
            )
        month, filters = form.choice()
        analysis = satisfaction_analysis(month=month, filters=filters)
        name = f"tevredenheid_{month.iso}"
        if fmt == "xlsx":
            return xlsx_response(analysis_xlsx(analysis), filename=f"{name}.xlsx")
        return csv_response(analysis_csv(analysis), filename=f"{name}.csv")
