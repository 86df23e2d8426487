"""The public pages of active transparency (/kinderopvang/): no login, Dutch, no personal data.

Only ``selectors.public_locations`` and ``selectors.public_location`` are read: the location,
its organiser's name, published inspection reports and a decided enforcement status.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kglijn.core.public import public_page
from kglijn.opgroeipunt.transparency.forms import PublicSearchForm
from kglijn.opgroeipunt.transparency.selectors import public_location, public_locations

PAGE_SIZE = 25


@public_page
@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    form = PublicSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = public_locations(q=filters.get("q", ""), province=filters.get("province", ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "searched": bool(filters.get("q") or filters.get("province")),
    }
    return render(request, "opgroeipunt/transparency/public_index.html", context)


@public_page
@require_GET
def public_location_page(request: HttpRequest, external_id: str) -> HttpResponse:
    shown = public_location(external_id=external_id[:64])
    if shown is None:
        raise Http404
    return render(request, "opgroeipunt/transparency/public_location.html", {"shown": shown})
