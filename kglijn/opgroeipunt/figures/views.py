"""The Opgroeipunt figures page (/opgroeipunt/cijfers/) and its Excel download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from kglijn.core.dates import parse_bounded_date
from kglijn.core.excel import xlsx_response
from kglijn.opgroeipunt.figures.exports import figures_rows, figures_xlsx, year_heading
from kglijn.opgroeipunt.figures.selectors import MAX_YEARS, opgroeipunt_figures

DOCUMENT_LANGUAGE = "nl-be"
PERMISSION = "opgroeipunt.view_opgroeipunt_figures"


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, list[str]]:
    """The asked period (default: 1 January three years ago up to today), corrected to a
    usable one, and what was wrong with the request."""
    today = timezone.localdate()
    start, error_from = parse_bounded_date(
        request.GET.get("from"), default=dt.date(today.year - 2, 1, 1), today=today
    )
    end, error_to = parse_bounded_date(request.GET.get("to"), default=today, today=today)
    errors = [error for error in (error_from, error_to) if error]
    if end < start:
        errors.append(_("The end date lies before the start date."))
        start, end = end, start
    if end.year - start.year >= MAX_YEARS:
        errors.append(_("Choose a period of at most %(years)d years.") % {"years": MAX_YEARS})
        start = dt.date(end.year - MAX_YEARS + 1, 1, 1)
    return start, end, errors


def _chart(figures: dict[str, Any]) -> dict[str, Any]:
    """The vendored Chart.js's spec (kglijn/charts.js): one bar series per year."""
    years = list(figures["years"])
    rows = figures_rows(figures)
    return {
        "kind": "bar",
        "horizontal": True,
        "labels": [label for label, _values in rows],
        "datasets": [
            {"label": year_heading(year, figures), "data": [values[i] for _l, values in rows]}
            for i, year in enumerate(years)
        ],
        "yTitle": pgettext("opgroeipunt figure", "Number"),  # the value axis
    }


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def figures_page(request: HttpRequest) -> HttpResponse:
    """Cijfers: the 002 figures per year of a chosen period, a chart, and the Excel download."""
    start, end, errors = _period(request)
    figures = opgroeipunt_figures(start=start, end=end)
    years = list(figures["years"])
    context = {
        "date_from": start,
        "date_to": end,
        "errors": errors,
        "years": [year_heading(year, figures) for year in years],
        "rows": figures_rows(figures),
        "chart": _chart(figures),
        "download_query": f"from={start.isoformat()}&to={end.isoformat()}",
    }
    return render(request, "opgroeipunt/figures/page.html", context)


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def figures_download(request: HttpRequest) -> HttpResponse:
    start, end, errors = _period(request)
    if errors:
        return HttpResponseBadRequest(" ".join(errors), content_type="text/plain; charset=utf-8")
    with translation.override(DOCUMENT_LANGUAGE):
        content = figures_xlsx(opgroeipunt_figures(start=start, end=end))
    return xlsx_response(content, filename=f"opgroeipunt-cijfers-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
