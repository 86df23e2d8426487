"""Pages of the report builder (with saved reports and downloads) and of the dashboard.

The builder's definition travels in the query string (measure, share_of, dim1, dim2, date_from,
date_to, f_<dimension>…), so a report's URL can be bookmarked or mailed; htmx requests get the
result fragment only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.dates import MONTHS_3
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kglijn.core.dates import BoundedDateField
from kglijn.core.excel import csv_response, xlsx_response
from kglijn.reports.builder.definition import (
    InvalidReport,
    ReportDefinition,
    definition_summary,
)
from kglijn.reports.builder.exports import report_csv, report_xlsx
from kglijn.reports.builder.measures import (
    CATEGORICAL_DIMENSIONS,
    DIMENSION_LABELS,
    MEASURES,
    SHARES_OF,
    filter_choices,
)
from kglijn.reports.builder.result import ReportResult
from kglijn.reports.builder.run import report_run
from kglijn.reports.builder.saved import (
    report_delete,
    report_save,
    saved_report_get,
    saved_report_list,
)
from kglijn.reports.dashboard import Dashboard, dashboard_default_year, dashboard_figures
from kglijn.reports.models import SavedReport

PERMISSION = "contacts.view_reports"
DOCUMENT_LANGUAGE = "nl-be"  # downloads are documents for parliament: Dutch headers
DIMENSION_CHOICES = [(name, label) for name, label in DIMENSION_LABELS.items()]


class BuilderForm(forms.Form):
    measure = forms.ChoiceField(
        label=gettext_lazy("Measure"), choices=MEASURES, widget=forms.RadioSelect
    )
    share_of = forms.ChoiceField(label=gettext_lazy("Share"), choices=SHARES_OF, required=False)
    dim1 = forms.ChoiceField(label=gettext_lazy("Rows"), choices=DIMENSION_CHOICES)
    dim2 = forms.ChoiceField(
        label=gettext_lazy("Columns"),
        choices=[("", gettext_lazy("(none)")), *DIMENSION_CHOICES],
        required=False,
    )
    date_from = BoundedDateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = BoundedDateField(
        label=gettext_lazy("To (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in CATEGORICAL_DIMENSIONS:
            self.fields[f"f_{name}"] = forms.MultipleChoiceField(
                label=str(DIMENSION_LABELS[name]),
                choices=filter_choices(name),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[f"f_{name}"] for name in CATEGORICAL_DIMENSIONS]

    def active_filter_count(self) -> int:
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return 0
        return sum(1 for name in CATEGORICAL_DIMENSIONS if self.cleaned_data.get(f"f_{name}"))

    def definition(self) -> ReportDefinition:
        data = self.cleaned_data
        return ReportDefinition(
            measure=data["measure"],
            share_of=data.get("share_of") or "total",
            dimensions=tuple(name for name in (data["dim1"], data.get("dim2")) if name),
            filters={name: tuple(data.get(f"f_{name}") or ()) for name in CATEGORICAL_DIMENSIONS},
            date_from=data["date_from"],
            date_to=data["date_to"],
        )

    def add_definition_errors(self, errors: dict[str, list[str]]) -> None:
        places = {"dimensions": "dim1", "measure": "measure", "share_of": "share_of"}
        for name, messages_ in errors.items():
            field = places.get(name, name if name in self.fields else None)
            for message in messages_:
                self.add_error(field, message)


def definition_query(definition: ReportDefinition) -> str:
    """The builder's query string for a definition (the inverse of BuilderForm)."""
    params: list[tuple[str, str]] = [
        ("measure", definition.measure),
        ("share_of", definition.share_of),
        ("dim1", definition.dimensions[0] if definition.dimensions else ""),
        ("dim2", definition.dimensions[1] if len(definition.dimensions) > 1 else ""),
        ("date_from", definition.date_from.isoformat() if definition.date_from else ""),
        ("date_to", definition.date_to.isoformat() if definition.date_to else ""),
    ]
    for name, values in definition.filters.items():
        params.extend((f"f_{name}", value) for value in values)
    return urlencode(params)


def _default_query() -> QueryDict:
    today = timezone.localdate()
    year = dashboard_default_year(today=today)
    definition = ReportDefinition(
        dimensions=("month", "channel"),
        date_from=dt.date(year, 1, 1),
        date_to=min(dt.date(year, 12, 31), today),
    )
    return QueryDict(definition_query(definition))


def _run(form: BuilderForm) -> ReportResult | None:
    """The form's result, or None with the definition's errors added to the form."""
    if not form.is_valid():
        return None
    try:
        return report_run(definition=form.definition())
    except InvalidReport as exc:
        form.add_definition_errors(exc.errors)
        return None


def result_chart(result: ReportResult) -> dict[str, Any]:
    """The chart data charts.js draws (see its header for the format)."""
    kind = result.chart_kind
    return {
        "kind": "line" if kind == "line" else "bar",
        "stacked": kind == "stacked",
        "horizontal": kind != "line" and result.row_dimension in ("reason", "referral"),
        "percent": result.is_percent,
        "decimals": result.decimals,
        "labels": result.row_labels,
        "datasets": [
            {"label": label, "data": [row[index] for row in result.values]}
            for index, label in enumerate(result.column_labels)
        ],
        "xTitle": result.row_dimension_label,
        "yTitle": result.measure_label,
        "aspect": 1.4 if result.row_dimension in ("reason", "referral") else 2.2,
    }


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def builder(request: HttpRequest) -> HttpResponse:
    """The builder: a definition form, the result's table and chart, saved reports."""
    form = BuilderForm(request.GET if "dim1" in request.GET else _default_query())
    result = _run(form)
    context: dict[str, Any] = {
        "form": form,
        "result": result,
        "chart": result_chart(result) if result else None,
        "query": definition_query(result.definition) if result else "",
        "summary": definition_summary(result.definition) if result else [],
    }
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    if partial:
        response = render(request, "reports/builder_result.html", context)
    else:
        context["saved_reports"] = saved_report_list(user=request.user)
        response = render(request, "reports/builder.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def builder_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The result as an Excel workbook with a native chart, or as CSV; Dutch headers."""
    with translation.override(DOCUMENT_LANGUAGE):
        form = BuilderForm(request.GET)
        result = _run(form)
        if result is None:
            problems = [str(error) for errors in form.errors.values() for error in errors]
            return HttpResponseBadRequest(
                " ".join(problems), content_type="text/plain; charset=utf-8"
            )
        definition = result.definition
        assert definition.date_from
        assert definition.date_to
        name = f"rapport_{definition.date_from.isoformat()}_{definition.date_to.isoformat()}"
        if fmt == "xlsx":
            return xlsx_response(report_xlsx(result), filename=f"{name}.xlsx")
        return csv_response(report_csv(result), filename=f"{name}.csv")


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def saved_create(request: HttpRequest) -> HttpResponse:
    """Save the posted definition (the builder's query string in `saved_query`) under a name;
    the user's report of that name is replaced."""
    form = BuilderForm(QueryDict(request.POST.get("saved_query", "")))
    back = reverse("reports:builder")
    if not form.is_valid():
        messages.error(request, _("The report could not be saved: check its definition."))
        return HttpResponseRedirect(back)
    definition = form.definition()
    user = request.user
    assert isinstance(user, User)
    try:
        report = report_save(owner=user, name=request.POST.get("name", ""), definition=definition)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return HttpResponseRedirect(f"{back}?{definition_query(definition)}")
    messages.success(request, _("Report “%(name)s” saved.") % {"name": report.name})
    return HttpResponseRedirect(f"{back}?{definition_query(definition)}")


def _saved_or_404(request: HttpRequest, report_id: int) -> SavedReport:
    try:
        return saved_report_get(user=request.user, report_id=report_id)
    except SavedReport.DoesNotExist as exc:
        raise Http404(_("No such saved report.")) from exc


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def saved_open(request: HttpRequest, report_id: int) -> HttpResponse:
    """Open a saved report in the builder."""
    report = _saved_or_404(request, report_id)
    try:
        definition = ReportDefinition.from_json(report.definition)
    except InvalidReport:
        messages.error(request, _("This report definition is damaged."))
        return HttpResponseRedirect(reverse("reports:builder"))
    return HttpResponseRedirect(f"{reverse('reports:builder')}?{definition_query(definition)}")


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def saved_delete(request: HttpRequest, report_id: int) -> HttpResponse:
    """Delete one's own saved report (403 for someone else's)."""
    report = _saved_or_404(request, report_id)
    user = request.user
    assert isinstance(user, User)
    report_delete(report=report, by=user)  # PermissionDenied -> 403
    messages.success(request, _("Report “%(name)s” deleted.") % {"name": report.name})
    return HttpResponseRedirect(reverse("reports:builder"))


# --- dashboard -----------------------------------------------------------------------------------


def _dashboard_charts(data: Dashboard) -> dict[str, dict[str, Any]]:
    previous = str(data.year - 1)
    charts: dict[str, dict[str, Any]] = {}
    for channel in data.channels:
        charts[f"chart-channel-{channel.channel}"] = {
            "kind": "line",
            "labels": [capfirst(str(MONTHS_3[month])) for month in range(1, 13)],
            "datasets": [
                {"label": previous, "data": channel.last_year, "muted": True, "dashed": True},
                {"label": str(data.year), "data": channel.this_year},
            ],
            "aspect": 1.5,
        }
    charts["chart-provinces"] = {
        "kind": "bar",
        "horizontal": True,
        "percent": True,
        "labels": data.provinces.row_labels,
        "datasets": [{"label": _("Share (%)"), "data": [row[0] for row in data.provinces.values]}],
        "aspect": 1.5,
    }
    charts["chart-topics"] = {
        "kind": "doughnut",
        "percent": True,
        "labels": data.topics.row_labels,
        "datasets": [{"label": _("Share (%)"), "data": [row[0] for row in data.topics.values]}],
        "aspect": 1.6,
    }
    charts["chart-referrals"] = {
        "kind": "bar",
        "horizontal": True,
        "labels": [name for _code, name, _count in data.top_referrals],
        "datasets": [
            {
                "label": _("Incoming contacts"),
                "data": [count for _code, _name, count in data.top_referrals],
            }
        ],
        "aspect": 2.4,
    }
    return charts


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    """This year against last year per channel and month, provinces, domains, top referrals."""
    today = timezone.localdate()
    default = dashboard_default_year(today=today)
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        year = default
    if not 2000 <= year <= today.year:
        year = default
    data = dashboard_figures(year=year, today=today)
    return render(
        request,
        "reports/dashboard.html",
        {
            "data": data,
            "charts": _dashboard_charts(data),
            "years": list(range(today.year, max(2000, today.year - 10) - 1, -1)),
            "province_rows": list(
                zip(data.provinces.row_labels, data.provinces.values, strict=True)
            ),
            "topic_rows": list(zip(data.topics.row_labels, data.topics.values, strict=True)),
            "month_rows": [
                (
                    label,
                    [
                        value
                        for channel in data.channels
                        for value in (channel.last_year[month], channel.this_year[month])
                    ],
                )
                for month, label in enumerate(data.month_labels)
            ],
        },
    )
