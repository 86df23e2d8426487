"""The audit-log page: who created, changed, escalated, took up, closed or viewed what."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kglijn.contacts.forms import AuditFilterForm
from kglijn.contacts.models import parse_reference
from kglijn.contacts.selectors import audit_event_list
from kglijn.contacts.views.common import audit_rows, request_user
from kglijn.core.htmx import is_htmx

PAGE_SIZE = 50


@require_GET
@login_required
@permission_required("core.view_audit_log", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = AuditFilterForm(request.GET or None)
    actor, action, object_id = "", "", None
    reference_unknown = False
    if form.is_valid():
        actor = form.cleaned_data["actor"]
        action = form.cleaned_data["action"]
        reference = form.cleaned_data["reference"].strip()
        if reference:
            object_id = parse_reference(reference)
            if object_id is None:
                reference_unknown = True
                object_id = 0  # matches nothing: an unreadable reference finds no events
    events = audit_event_list(user=user, actor=actor, action=action, object_id=object_id)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": audit_rows(page.object_list),
        "query": query.urlencode(),
        "reference_unknown": reference_unknown,
        "can_open_contacts": user.has_perm("contacts.view_contact"),
    }
    if is_htmx(request):
        return render(request, "contacts/audit_log.html#events", context)
    return render(request, "contacts/audit_log.html", context)
