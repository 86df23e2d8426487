"""The four-eyes pages: the queue of proposals, one proposal (approve / reject), propose."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kglijn.opgroeipunt.decisions.forms import ProposalForm, RejectForm
from kglijn.opgroeipunt.decisions.selectors import (
    proposal_get,
    proposal_queue,
    proposals_decided,
    proposals_of,
)
from kglijn.opgroeipunt.decisions.services import (
    ProposalAlreadyDecided,
    ProposalNotPermitted,
    ProposalRefused,
    kinds_for_subject,
    proposal_approve,
    proposal_create,
    proposal_reject,
)
from kglijn.opgroeipunt.enforcement.selectors import (
    location_by_external_id,
    location_enforcement,
)
from kglijn.opgroeipunt.models import (
    CASE_DECISION_KINDS,
    Case,
    Location,
    NotAdmissibleReason,
    Proposal,
    ProposalStatus,
)

PAGE_SIZE = 50
TABS = {
    "waiting": gettext_lazy("Waiting for a second pair of eyes"),
    "mine": gettext_lazy("My proposals"),
    "decided": gettext_lazy("Decided"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_GET
@login_required
@permission_required("opgroeipunt.view_proposal", raise_exception=True)
def proposals(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    tab = request.GET.get("tab", "waiting")
    if tab not in TABS:
        tab = "waiting"
    if tab == "mine":
        rows = proposals_of(user=user)
    elif tab == "decided":
        rows = proposals_decided()
    else:
        rows = proposal_queue()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {
        "waiting": proposal_queue().count(),
        "mine": proposals_of(user=user).filter(status=ProposalStatus.REJECTED).count(),
    }
    tabs = [{"key": key, "label": label, "count": counts.get(key)} for key, label in TABS.items()]
    return render(
        request,
        "opgroeipunt/decisions/proposals.html",
        {"tab": tab, "tabs": tabs, "page": page, "tab_label": TABS[tab]},
    )


def _why_not(user: User, proposal: Proposal) -> str:
    """Why this user cannot decide this proposal ("" when they can)."""
    if proposal.status != ProposalStatus.PROPOSED:
        return ""
    if proposal.proposed_by_id == user.pk:
        return _("You cannot approve your own proposal; another customer manager must.")
    if not user.has_perm("opgroeipunt.decide_proposal"):
        return _("You may not approve or reject proposals: that takes a customer manager's role.")
    return ""


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("opgroeipunt.view_proposal", raise_exception=True)
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    proposal = proposal_get(proposal_id=pk)
    if proposal is None:
        raise Http404
    reject_form = RejectForm()
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                proposal_approve(proposal_id=proposal.pk, approver=user)
                messages.success(request, _("Approved: the decision has taken effect."))
                return redirect("opgroeipunt:proposal_detail", pk=proposal.pk)
            if action == "reject":
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    proposal_reject(
                        proposal_id=proposal.pk,
                        rejecter=user,
                        reason=reject_form.cleaned_data["reason"],
                    )
                    messages.success(
                        request, _("Rejected: the proposal goes back to its proposer.")
                    )
                    return redirect("opgroeipunt:proposal_detail", pk=proposal.pk)
                status = 400
            else:
                error, status = _("Choose approve or reject."), 400
        except ProposalNotPermitted as exc:  # the proposer, or no right to decide
            error, status = str(exc), 403
        except ProposalAlreadyDecided as exc:
            error, status = str(exc), 409
        except ProposalRefused as exc:  # the subject's state moved since the proposal
            error, status = str(exc), 409
        proposal = proposal_get(proposal_id=pk) or proposal
    why_not = _why_not(user, proposal)
    decision = getattr(proposal, "decision", None) if proposal.status == "approved" else None
    context = {
        "proposal": proposal,
        "decision": decision,
        "reject_form": reject_form,
        "error": error,
        "why_not": why_not,
        "can_decide": proposal.status == ProposalStatus.PROPOSED and not why_not,
        "payload_reason": _payload_reason(proposal),
        "payload_from": _payload_date(proposal, "effective_from"),
        "payload_until": _payload_date(proposal, "effective_until"),
    }
    return render(request, "opgroeipunt/decisions/proposal_detail.html", context, status=status)


def _payload_reason(proposal: Proposal) -> str:
    reason = (proposal.payload or {}).get("reason")
    if reason in NotAdmissibleReason.values:
        return str(NotAdmissibleReason(reason).label)
    return ""


def _payload_date(proposal: Proposal, key: str) -> datetime.date | None:
    value = (proposal.payload or {}).get(key)
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _subject(request: HttpRequest) -> tuple[Case | None, Location | None]:
    case_id = request.GET.get("case", "").strip()
    external_id = request.GET.get("location", "").strip()
    if case_id:
        if not case_id.isascii() or not case_id.isdigit() or len(case_id) > 18:
            raise Http404
        case = Case.objects.filter(pk=int(case_id)).first()
        if case is None:
            raise Http404
        return case, None
    if external_id:
        location = location_by_external_id(external_id)
        if location is None:
            raise Http404
        return None, location
    return None, None


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("opgroeipunt.add_proposal", raise_exception=True)
def proposal_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    case, location = _subject(request)
    if case is None and location is None:
        return render(request, "opgroeipunt/decisions/proposal_new.html", {"no_subject": True})
    options = kinds_for_subject(case=case, location=location)
    kinds = [kind for kind, refusal in options if refusal is None]
    refused = [(kind, refusal) for kind, refusal in options if refusal is not None]
    form = ProposalForm(request.POST or None, kinds=kinds, for_case=case is not None)
    status = 200
    if request.method == "GET" and request.GET.get("kind") in {kind.value for kind in kinds}:
        form.initial["kind"] = request.GET["kind"]
    elif len(kinds) == 1:
        form.initial["kind"] = kinds[0].value
    if request.method == "POST":
        if form.is_valid():
            try:
                proposal = proposal_create(
                    kind=form.cleaned_data["kind"],
                    motivation=form.cleaned_data["motivation"],
                    proposed_by=user,
                    case=case,
                    location=location,
                    payload=form.payload(),
                )
            except ProposalRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Proposed: it takes effect when another customer manager approves it."),
                )
                return redirect("opgroeipunt:proposal_detail", pk=proposal.pk)
        status = 400
    state = positive = None
    if location is not None:
        state, positive = location_enforcement(location)
    context = {
        "form": form,
        "case": case,
        "location": location,
        "kinds": kinds,
        "refused": refused if case is not None else [],
        "state": state,
        "positive": positive,
        "case_kinds": CASE_DECISION_KINDS,
    }
    return render(request, "opgroeipunt/decisions/proposal_new.html", context, status=status)
