"""The reachability dashboard /sturing/bereikbaarheid/ and its Excel download."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kglijn.core.dates import BoundedDateField
from kglijn.core.excel import download_refused, xlsx_response
from kglijn.steering.reachability.exports import (
    charts,
    day_label,
    headline,
    met_text,
    reachability_xlsx,
    row_values,
    rule,
)
from kglijn.steering.reachability.figures import (
    MAX_DAYS,
    ReachabilityReport,
    default_period,
    reachability,
)

DOCUMENT_LANGUAGE = "nl-be"


class ReachabilityForm(forms.Form):
    date_from = BoundedDateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )
    date_to = BoundedDateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from is None or date_to is None:
            return data
        if date_from > date_to:
            self.add_error("date_to", _("The end date lies before the start date."))
        elif (date_to - date_from).days + 1 > MAX_DAYS:
            self.add_error("date_from", _("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        return data


def _with_defaults(request: HttpRequest) -> dict[str, str]:
    """The period as asked, completed with the default: the last 8 weeks with call data."""
    date_from, date_to = default_period(timezone.localdate())
    data = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    for key in data:
        value = request.GET.get(key)
        if value:
            data[key] = value
    return data


def _report(form: ReachabilityForm) -> ReachabilityReport:
    return reachability(
        date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
    )


def _period_values(form: ReachabilityForm) -> dict[str, dt.date]:
    return {"date_from": form.cleaned_data["date_from"], "date_to": form.cleaned_data["date_to"]}


@require_GET
@login_required
@permission_required("steering.view_reachability", raise_exception=True)
def reachability_page(request: HttpRequest) -> HttpResponse:
    """Bereikbaarheid: per day offered, service level, abandon rate and ASA of the front office
    against the forecast and the staff planned; the days that were reachable enough."""
    form = ReachabilityForm(_with_defaults(request))
    report = _report(form) if form.is_valid() else None
    context: dict[str, Any] = {"form": form, "report": report}
    if report is not None:
        period = _period_values(form)
        context |= {
            "rows": [(day, day_label(day), row_values(day), met_text(day)) for day in report.days],
            "charts": charts(report),
            "headline": headline(report),
            "rule": rule(report),
            "query": urlencode({key: value.isoformat() for key, value in period.items()}),
        }
    return render(request, "steering/reachability/dashboard.html", context)


@require_GET
@login_required
@permission_required("steering.view_reachability", raise_exception=True)
def reachability_download(request: HttpRequest) -> HttpResponse:
    form = ReachabilityForm(_with_defaults(request))
    if not form.is_valid():
        return download_refused(form)
    report = _report(form)
    with translation.override(DOCUMENT_LANGUAGE):
        content = reachability_xlsx(report)
    name = f"bereikbaarheid-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.xlsx"
    return xlsx_response(content, filename=name)
