"""The location pages: find a location; one location with its enforcement and whole history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kglijn.opgroeipunt.decisions.forms import LocationSearchForm
from kglijn.opgroeipunt.enforcement.selectors import (
    HistoryItem,
    location_by_external_id,
    location_enforcement,
    location_history,
    location_search,
)
from kglijn.opgroeipunt.enforcement.transitions import allowed_kinds
from kglijn.opgroeipunt.models import (
    Case,
    Decision,
    EnforcementState,
    EnforcementTrack,
    FindingSeverity,
    InspectionType,
    LicenceStatus,
    Location,
    LocationVersion,
    NotAdmissibleReason,
    Proposal,
    RegionalTeam,
)
from kglijn.opgroeipunt.risk.selectors import risk_panel
from kglijn.opgroeipunt.services import AssignmentInvalid, location_assign, spoc_candidates
from kglijn.opgroeipunt.sync.selectors import visits_for_location

PAGE_SIZE = 50


@require_GET
@login_required
@permission_required("opgroeipunt.view_location", raise_exception=True)
def locations(request: HttpRequest) -> HttpResponse:
    form = LocationSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = location_search(
        q=filters.get("q", ""), province=filters.get("province", ""), state=filters.get("state", "")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    states = dict(EnforcementState.choices)
    results = []
    for location in page.object_list:
        state = getattr(location, "enforcement_state", None)  # annotated by location_search
        results.append((location, state, states[state or EnforcementState.NONE]))
    return render(
        request,
        "opgroeipunt/locations/locations.html",
        {"form": form, "page": page, "results": results, "query": query.urlencode()},
    )


@dataclass(frozen=True)
class HistoryRow:
    item: HistoryItem
    label: str
    detail: str
    by: User | None


def _version_detail(version: LocationVersion) -> str:
    if version.created:
        return _("Created") + (f" ({version.source})" if version.source else "")
    parts = []
    for name, (old, new) in sorted(version.changes.items()):
        try:
            field = Location._meta.get_field(name.removesuffix("_id"))
            label = str(getattr(field, "verbose_name", name))
        except FieldDoesNotExist:
            label = name
        if name == "licence_status":
            old = LicenceStatus(old).label if old in LicenceStatus.values else old
            new = LicenceStatus(new).label if new in LicenceStatus.values else new
        parts.append(f"{label}: {old} → {new}")
    text = "; ".join(parts)
    return f"{text} ({version.source})" if version.source else text


def _dates(decision: Decision) -> str:
    parts = []
    if decision.effective_from:
        parts.append(_("from %(date)s") % {"date": decision.effective_from.strftime("%d/%m/%Y")})
    if decision.effective_until:
        parts.append(_("until %(date)s") % {"date": decision.effective_until.strftime("%d/%m/%Y")})
    return " ".join(parts)


def _row(entry: HistoryItem) -> HistoryRow:
    item: Any = entry.item
    if isinstance(item, LocationVersion):
        return HistoryRow(entry, _("Master data"), _version_detail(item), item.changed_by)
    if isinstance(item, Case):
        text = f"{item.get_kind_display()} · {item.get_status_display()}"
        return HistoryRow(entry, _("Case"), text, None)
    if isinstance(item, Proposal):
        text = f"{item.get_kind_display()} · {item.get_status_display()}"
        if item.rejection_reason:
            text += " · " + _("reason: %(reason)s") % {"reason": item.rejection_reason}
        return HistoryRow(entry, _("Proposal"), text, item.proposed_by)
    if isinstance(item, Decision):
        text = item.get_kind_display()
        dates = _dates(item)
        if dates:
            text += f" · {dates}"
        if item.payload.get("reason") in NotAdmissibleReason.values:
            text += f" · {NotAdmissibleReason(item.payload['reason']).label}"
        if item.source == "import":
            text += " · " + _("imported")
        return HistoryRow(entry, _("Decision"), text, item.approved_by)
    assert isinstance(item, EnforcementTrack)
    if entry.what == "track_started":
        return HistoryRow(entry, _("Enforcement track"), _("opened"), None)
    return HistoryRow(entry, _("Enforcement track"), _("closed"), None)


@require_GET
@login_required
@permission_required("opgroeipunt.view_location", raise_exception=True)
def location_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    location = location_by_external_id(external_id)
    if location is None:
        raise Http404
    state, positive = location_enforcement(location)
    user = request.user
    history = [_row(entry) for entry in location_history(location)]
    history.reverse()  # newest first on the page
    steps = allowed_kinds(state) if user.has_perm("opgroeipunt.add_proposal") else []
    context = {
        "location": location,
        "state": state,
        "state_label": EnforcementState(state).label,
        "positive": positive,
        "history": history,
        "steps": steps,
        "tracks": EnforcementTrack.objects.filter(location=location).order_by("-started_at"),
        "can_assign": user.has_perm("opgroeipunt.change_location"),
    }
    if user.has_perm("opgroeipunt.view_inspectionvisit"):  # issue 18: Zorginspectie's visits
        context["visits"] = [
            {
                "visit": visit,
                "types": [_inspection_type_label(value) for value in visit.types],
                "findings": _findings_summary(visit.findings),
            }
            for visit in visits_for_location(location)[:MAX_VISITS_SHOWN]
        ]
    if user.has_perm("opgroeipunt.view_risk"):  # issue 18: the risk panel
        context.update(risk_panel(location))
    if context["can_assign"]:
        context["spoc_choices"] = spoc_candidates()
        context["teams"] = RegionalTeam.objects.all()
    return render(request, "opgroeipunt/locations/location_detail.html", context)


MAX_VISITS_SHOWN = 20


def _inspection_type_label(value: str) -> str:
    try:
        return str(InspectionType(value).label)
    except ValueError:
        return value


def _findings_summary(findings: list[dict[str, str]]) -> str:
    """'2 major, 1 minor' in the severity order critical, major, minor; '—' for none."""
    counts = Counter(str(finding.get("severity", "")) for finding in findings or [])
    parts = [
        f"{counts[severity.value]} {str(severity.label).lower()}"
        for severity in (FindingSeverity.CRITICAL, FindingSeverity.MAJOR, FindingSeverity.MINOR)
        if counts[severity.value]
    ]
    return ", ".join(parts) or "—"


@require_POST
@login_required
@permission_required("opgroeipunt.change_location", raise_exception=True)
def location_assign_view(request: HttpRequest, external_id: str) -> HttpResponse:
    """The team lead sets a location's single point of contact and regional team."""
    location = location_by_external_id(external_id)
    if location is None:
        raise Http404
    user = request.user
    assert isinstance(user, User)

    def _id(name: str) -> int | None:
        value = request.POST.get(name, "").strip()
        if not value:
            return None
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            raise AssignmentInvalid(_("Choose from the list."))
        return int(value)

    try:
        changed = location_assign(
            location=location,
            spoc_id=_id("spoc"),
            regional_team_id=_id("regional_team"),
            actor=user,
        )
    except AssignmentInvalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Assignment saved.") if changed else _("Nothing changed."))
    return redirect("opgroeipunt:location_detail", external_id=location.external_id)
