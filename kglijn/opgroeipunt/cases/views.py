"""Opgroeipunt's case pages for staff: the list, one case, staff intake, the handler's steps,
the forward of a K&G-Lijn contact and the yearly complaints report. Thin: forms, then services
and selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kglijn.contacts.models import format_reference
from kglijn.contacts.selectors import contact_visible_qs
from kglijn.contacts.views.common import request_user
from kglijn.core.excel import xlsx_response
from kglijn.opgroeipunt.cases.forms import (
    CaseFilterForm,
    ForwardForm,
    StaffCaseForm,
    StepForm,
    YearForm,
    apply_case_invalid,
    default_report_year,
)
from kglijn.opgroeipunt.cases.panels import opgroeipunt_panel_context
from kglijn.opgroeipunt.cases.report import complaints_report, complaints_report_xlsx
from kglijn.opgroeipunt.cases.selectors import (
    CaseFilters,
    case_events,
    case_get_for_user,
    case_has_reporter,
    case_list,
    case_reporter,
    cases_terms,
)
from kglijn.opgroeipunt.cases.services import (
    CaseInvalid,
    ReporterData,
    case_create,
    case_from_contact,
    case_take,
    case_update,
)
from kglijn.opgroeipunt.models import (
    Case,
    CaseKind,
    CaseSource,
    CaseStatus,
    DecisionKind,
    NotAdmissibleReason,
    StaffShortageMeasure,
)
from kglijn.opgroeipunt.terms import worst_status

PAGE_SIZE = 50
_REPORTER_ALIASES = {
    "reporter_name": "reporter_name",
    "reporter_email": "reporter_email",
    "reporter_phone": "reporter_phone",
    "reporter_relation": "reporter_relation",
}


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("pagina", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 else 1


@require_GET
@login_required
@permission_required("opgroeipunt.view_case", raise_exception=True)
def case_list_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = CaseFilterForm(request.GET or None)
    filters = CaseFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = CaseFilters(
            kind=data["kind"],
            status=data["status"],
            team=data["team"].pk if data["team"] else None,
            term_status=data["term"],
        )
    paginator = Paginator(case_list(user=user, filters=filters), PAGE_SIZE)
    page = paginator.get_page(_page_number(request))
    now = timezone.now()
    cases = list(page.object_list)
    terms = cases_terms(cases, now=now)
    rows = []
    for case in cases:
        left = None
        if case.urgent and case.taken_at is None and case.urgent_due_at is not None:
            left = case.urgent_due_at - now
        rows.append(
            {
                "case": case,
                "term_status": worst_status(terms.get(case.pk, [])),
                "time_left": _duration(left)
                if left is not None and left.total_seconds() >= 0
                else "",
                "overdue": _duration(-left)
                if left is not None and left.total_seconds() < 0
                else "",
            }
        )
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "total": paginator.count,
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "opgroeipunt/cases/list.html", context, status=status)


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return _("%(days)d days") % {"days": hours // 24}
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


# The history's words: what happened, and the fields a change names (others are shown as stored).
EVENT_LABELS = {
    "created": gettext_lazy("Registered"),
    "taken": gettext_lazy("Taken up"),
    "escalated": gettext_lazy("Escalated"),
    "closed": gettext_lazy("Closed"),
    "note": gettext_lazy("Note"),
    "acknowledged_at": gettext_lazy("Acknowledgment sent"),
    "answered_at": gettext_lazy("Answer sent"),
    "conciliation": gettext_lazy("Conciliatory handling"),
    "handler_not_involved": gettext_lazy("Handler not involved in the facts"),
    "ombudsman_informed": gettext_lazy("Complainant told of the Vlaamse Ombudsdienst"),
}
FIELD_LABELS = {
    "kind": gettext_lazy("Kind"),
    "source": gettext_lazy("Source"),
    "urgent": gettext_lazy("Urgent"),
    "locations": gettext_lazy("Locations"),
    "reporter": gettext_lazy("Reporter"),
    "contact": gettext_lazy("K&G-Lijn contact"),
    "handler": gettext_lazy("Handler"),
    "status": gettext_lazy("Status"),
    "taken_at": gettext_lazy("Taken up"),
    "escalated_at": gettext_lazy("Escalated"),
    **{
        key: EVENT_LABELS[key]
        for key in (
            "acknowledged_at",
            "answered_at",
            "conciliation",
            "handler_not_involved",
            "ombudsman_informed",
        )
    },
}


def _value_text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(_value_text(item) for item in value) or "—"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment.tzinfo else value
    labels = {**dict(CaseKind.choices), **dict(CaseStatus.choices), **dict(CaseSource.choices)}
    return str(labels.get(value, value)) if isinstance(value, str) else str(value)


def _change_text(key: str, value: Any) -> str:
    label = str(FIELD_LABELS.get(key, key))
    if key == "handler" and isinstance(value, list) and len(value) == 2:
        names = dict(
            User.objects.filter(pk__in=[v for v in value if v]).values_list("pk", "username")
        )
        value = [names.get(v, v) if v else None for v in value]
    if isinstance(value, list) and len(value) == 2 and key not in ("locations", "measures"):
        return f"{label}: {_value_text(value[0])} → {_value_text(value[1])}"
    return f"{label}: {_value_text(value)}"


def _event_rows(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "event": event,
            "label": EVENT_LABELS.get(event.what, event.what),
            "changes": [_change_text(key, value) for key, value in event.changes.items()],
        }
        for event in case_events(case=case)
    ]


def _detail_context(
    request: HttpRequest, pk: int, step_form: StepForm | None = None
) -> dict[str, Any]:
    user = request_user(request)
    case = case_get_for_user(user=user, pk=pk)
    sees_reporter = user.has_perm("opgroeipunt.view_reporter_data")
    reporter = case_reporter(case=case, user=user) if sees_reporter else None
    can_handle = user.has_perm("opgroeipunt.take_case")
    if step_form is None and case.status == CaseStatus.IN_PROGRESS:
        step_form = StepForm(
            initial={
                "acknowledged_at": _local(case.acknowledged_at),
                "answered_at": _local(case.answered_at),
                "conciliation": case.conciliation,
                "handler_not_involved": case.handler_not_involved,
                "ombudsman_informed": case.ombudsman_informed,
            }
        )
    proposal_kinds: list[tuple[str, Any]] = []
    if user.has_perm("opgroeipunt.add_proposal") and case.status != CaseStatus.CLOSED:
        if case.kind == CaseKind.COMPLAINT and case.admissible is None:
            proposal_kinds += [
                (DecisionKind.ADMISSIBLE, DecisionKind.ADMISSIBLE.label),
                (DecisionKind.NOT_ADMISSIBLE, DecisionKind.NOT_ADMISSIBLE.label),
            ]
        if case.urgent:
            proposal_kinds.append(
                (DecisionKind.URGENCY_LOWERED, DecisionKind.URGENCY_LOWERED.label)
            )
        if case.kind == CaseKind.DANGER:
            proposal_kinds.append((DecisionKind.DANGER_CLOSED, DecisionKind.DANGER_CLOSED.label))
    return {
        "case": case,
        "locations": list(case.locations.select_related("organiser", "regional_team")),
        "sees_reporter": sees_reporter,
        "reporter": reporter,
        "anonymous": not case_has_reporter(case=case) if not sees_reporter else reporter is None,
        "terms": cases_terms([case]).get(case.pk, []),
        "events": _event_rows(case),
        "can_take": can_handle and case.status != CaseStatus.CLOSED and case.handler_id != user.pk,
        "step_form": step_form if can_handle else None,
        "proposal_kinds": proposal_kinds,
        "decisions": list(case.decisions.order_by("decided_at", "id")),
        "is_complaint": case.kind == CaseKind.COMPLAINT,
        # Only the reference: Opgroeipunt's roles read no contact content.
        "contact_reference": format_reference(case.contact_id) if case.contact_id else "",
        "measure_labels": [
            str(dict(StaffShortageMeasure.choices).get(value, value)) for value in case.measures
        ],
        "reason_label": dict(NotAdmissibleReason.choices).get(
            case.admissibility_reason, case.admissibility_reason
        ),
    }


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


@require_GET
@login_required
@permission_required("opgroeipunt.view_case", raise_exception=True)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "opgroeipunt/cases/detail.html", _detail_context(request, pk))


@require_POST
@login_required
@permission_required("opgroeipunt.take_case", raise_exception=True)
def case_take_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    case = case_get_for_user(user=user, pk=pk)
    try:
        case_take(case=case, user=user)
    except CaseInvalid as exc:
        for message in exc.errors.values():
            messages.error(request, message)
    else:
        messages.success(request, _("You took up %(ref)s.") % {"ref": case})
    return redirect("opgroeipunt:case_detail", pk=case.pk)


@require_POST
@login_required
@permission_required("opgroeipunt.take_case", raise_exception=True)
def case_steps_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    case = case_get_for_user(user=user, pk=pk)
    form = StepForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        complaint = case.kind == CaseKind.COMPLAINT
        try:
            case_update(
                case=case,
                user=user,
                acknowledged_at=data["acknowledged_at"],
                answered_at=data["answered_at"],
                conciliation=data["conciliation"] if complaint else None,
                handler_not_involved=data["handler_not_involved"] if complaint else None,
                ombudsman_informed=data["ombudsman_informed"] if complaint else None,
                close=data["close"],
                note=data["note"],
            )
        except CaseInvalid as exc:
            apply_case_invalid(form, exc, aliases={})
        else:
            messages.success(request, _("Saved."))
            return redirect("opgroeipunt:case_detail", pk=case.pk)
    context = _detail_context(request, pk, step_form=form)
    return render(request, "opgroeipunt/cases/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("opgroeipunt.add_case", raise_exception=True)
def case_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = StaffCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_create(
                kind=data["kind"],
                source=data["source"],
                received_at=data["received_at"],
                subject=data["subject"],
                description=data["description"],
                locations=data["locations"],
                reporter=ReporterData(
                    name=data["reporter_name"],
                    email=data["reporter_email"],
                    phone=data["reporter_phone"],
                    relation=data["reporter_relation"],
                ),
                created_by=user,
                urgent=True if data["urgent"] else None,
                measures=data["measures"],
                measures_from=data["measures_from"],
                measures_until=data["measures_until"],
            )
        except CaseInvalid as exc:
            apply_case_invalid(form, exc, aliases=_REPORTER_ALIASES)
        else:
            messages.success(request, _("Case %(ref)s registered.") % {"ref": case})
            return redirect("opgroeipunt:case_detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "opgroeipunt/cases/new.html", {"form": form}, status=status)


@require_POST
@login_required
@permission_required("opgroeipunt.forward_contact", raise_exception=True)
def forward_contact(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = request_user(request)
    contact = get_object_or_404(contact_visible_qs(user=user), pk=contact_id)
    form = ForwardForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = case_from_contact(
                contact=contact,
                user=user,
                kind=data["kind"],
                locations=data["location"],
                description=data["description"],
                with_reporter=data["with_reporter"],
            )
        except CaseInvalid as exc:
            apply_case_invalid(form, exc, aliases={"locations": "location"})
        else:
            messages.success(request, _("Forwarded to Opgroeipunt as %(ref)s.") % {"ref": case})
            return redirect(
                reverse("contacts:detail", kwargs={"contact_id": contact.pk}) + "#opgroeipunt"
            )
    panel = opgroeipunt_panel_context(user=user, contact=contact, form=form)
    return render(
        request,
        "opgroeipunt/cases/forward_page.html",
        {"contact": contact, "opgroeipunt": panel},
        status=400,
    )


@require_GET
@login_required
@permission_required("opgroeipunt.view_opgroeipunt_figures", raise_exception=True)
def complaints_report_page(request: HttpRequest) -> HttpResponse:
    year, form = _report_year(request)
    report = complaints_report(year=year)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "opgroeipunt/cases/complaints_report.html",
        {"form": form, "report": report, "year": year},
        status=status,
    )


@require_GET
@login_required
@permission_required("opgroeipunt.view_opgroeipunt_figures", raise_exception=True)
def complaints_report_download(request: HttpRequest) -> HttpResponse:
    year, form = _report_year(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            " ".join(str(error) for error in form.errors.get("year", [])),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    content = complaints_report_xlsx(complaints_report(year=year))
    return xlsx_response(content, filename=f"klachtenrapport-{year}.xlsx")


def _report_year(request: HttpRequest) -> tuple[int, YearForm]:
    if "year" not in request.GET:
        year = default_report_year()
        return year, YearForm(initial={"year": year})
    form = YearForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["year"], form
    return default_report_year(), form
