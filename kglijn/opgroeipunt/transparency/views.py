"""Staff pages of transparency under /opgroeipunt/openbaarheid/: the register of requests for
documents (passive openness) and recording a location's plan of approach."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kglijn.core.business_calendar import BRUSSELS
from kglijn.opgroeipunt.enforcement.selectors import location_by_external_id
from kglijn.opgroeipunt.enforcement.services import PlanRefused, track_plan_record
from kglijn.opgroeipunt.models import DocumentRequest, DocumentRequestStatus, EnforcementTrack
from kglijn.opgroeipunt.terms import openness_term
from kglijn.opgroeipunt.transparency.forms import (
    DocumentRequestForm,
    DocumentRequestHandleForm,
    PlanOfApproachForm,
    RequestFilterForm,
)
from kglijn.opgroeipunt.transparency.selectors import (
    document_request_requester,
    document_requests,
    request_rows,
)
from kglijn.opgroeipunt.transparency.services import (
    DocumentRequestInvalid,
    document_request_create,
    document_request_handle,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _apply(
    form: DocumentRequestForm | DocumentRequestHandleForm, exc: DocumentRequestInvalid
) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


REQUESTS_PER_PAGE = 50


@require_GET
@login_required
@permission_required("opgroeipunt.view_documentrequest", raise_exception=True)
def document_request_list(request: HttpRequest) -> HttpResponse:
    form = RequestFilterForm(request.GET or None)
    show = form.cleaned_data.get("show", "") if form.is_valid() else ""
    requests, overdue = document_requests(show=show)
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "opgroeipunt/transparency/requests.html",
        {
            "form": form,
            "rows": request_rows(page.object_list),
            "page": page,
            "total": page.paginator.count,
            "overdue": overdue,
            "show": show,
            "show_query": urlencode({"show": show}) if show else "",
        },
    )


def _received_at(day: dt.date | None) -> dt.datetime | None:
    if day is None or day == timezone.localdate():
        return None
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=BRUSSELS)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("opgroeipunt.add_documentrequest", raise_exception=True)
def document_request_new(request: HttpRequest) -> HttpResponse:
    form = DocumentRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        location = None
        if data["location"]:
            location = location_by_external_id(data["location"].strip())
            if location is None:
                form.add_error("location", _("No location with this external id."))
        if not form.errors:
            try:
                created = document_request_create(
                    requester_name=data["requester_name"],
                    requester_email=data["requester_email"],
                    subject=data["subject"],
                    location=location,
                    received_at=_received_at(data["received_on"]),
                    by=_user(request),
                )
            except DocumentRequestInvalid as exc:
                _apply(form, exc)
            else:
                messages.success(
                    request,
                    _("Request registered; answer it by %(date)s.")
                    % {"date": created.due_on.strftime("%d/%m/%Y")},
                )
                return redirect("opgroeipunt:document_request_detail", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "opgroeipunt/transparency/request_new.html", {"form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("opgroeipunt.view_documentrequest", raise_exception=True)
def document_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = DocumentRequest.objects.select_related("location", "handled_by").filter(pk=pk).first()
    if found is None:
        raise Http404
    user = _user(request)
    can_handle = user.has_perm("opgroeipunt.change_documentrequest") and (
        found.status == DocumentRequestStatus.RECEIVED
    )
    form = DocumentRequestHandleForm(request.POST or None) if can_handle else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                document_request_handle(
                    request_id=found.pk,
                    status=form.cleaned_data["status"],
                    answer=form.cleaned_data["answer"],
                    by=user,
                )
            except DocumentRequestInvalid as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Answer saved."))
                return redirect("opgroeipunt:document_request_detail", pk=found.pk)
    name, email = document_request_requester(request=found, user=user)
    context = {
        "item": found,
        "requester_name": name,
        "requester_email": email,
        "term": openness_term(due=found.due_on, answered_at=found.answered_at),
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "opgroeipunt/transparency/request_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("opgroeipunt.change_location", raise_exception=True)
def plan_of_approach(request: HttpRequest, external_id: str) -> HttpResponse:
    location = location_by_external_id(external_id)
    if location is None:
        raise Http404
    track = EnforcementTrack.objects.filter(location=location, closed_at__isnull=True).first()
    form = PlanOfApproachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            track_plan_record(location=location, on=form.cleaned_data["on"], actor=_user(request))
        except PlanRefused as exc:
            form.add_error("on", str(exc))
        else:
            messages.success(request, _("Plan of approach recorded; the public page shows it."))
            return redirect("opgroeipunt:plan_of_approach", external_id=location.external_id)
    status = 400 if request.method == "POST" else 200
    context = {"location": location, "track": track, "form": form}
    return render(request, "opgroeipunt/transparency/plan.html", context, status=status)
