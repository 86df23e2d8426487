"""The risk pages under /opgroeipunt/risico/: the model's back-test and the re-screening list.

The list is a help for the customer managers, not a verdict: a re-screening is proposed by one
and approved by another (four eyes), like every decision (docs/opgroeipunt-risk.md).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tasks.base import TaskResultStatus

from kglijn.opgroeipunt.decisions.services import (
    ProposalNotPermitted,
    ProposalRefused,
    proposal_create,
)
from kglijn.opgroeipunt.enforcement.selectors import location_by_external_id
from kglijn.opgroeipunt.models import DecisionKind, Proposal, ProposalStatus, RiskScore
from kglijn.opgroeipunt.risk.charts import calibration_svg
from kglijn.opgroeipunt.risk.explain import factor_text, feature_title
from kglijn.opgroeipunt.risk.forms import RescreeningForm, RiskListFilterForm
from kglijn.opgroeipunt.risk.model import MEDIUM_SHARE, TOP_SHARE
from kglijn.opgroeipunt.risk.selectors import (
    risk_list,
    risk_model_active,
    risk_model_history,
)
from kglijn.opgroeipunt.risk.services import risk_model_summary
from kglijn.opgroeipunt.risk.tasks import risk_retrain_task

PAGE_SIZE = 50
SAFE_QUERY = re.compile(r"(\?[A-Za-z0-9_=&%.+-]{0,400})?")


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):.1f} %".replace(".", ",")


def _num(value: Any, digits: int = 3) -> str:
    return "—" if value is None else f"{float(value):.{digits}f}".replace(".", ",")


@require_GET
@login_required
@permission_required("opgroeipunt.view_risk", raise_exception=True)
def risk_model_page(request: HttpRequest) -> HttpResponse:
    model = risk_model_active()
    context: dict[str, Any] = {
        "model": model,
        "history": [(run, risk_model_summary(run)) for run in risk_model_history()],
        "can_train": request.user.has_perm("opgroeipunt.train_risk_model"),
        "top_share": _pct(TOP_SHARE),
        "medium_share": _pct(MEDIUM_SHARE),
    }
    if model is not None:
        metrics = model.metrics or {}
        summary = risk_model_summary(model)
        context.update(
            summary=summary,
            rows=[
                (
                    _("Model"),
                    _num(summary["model"].get("auc")),
                    _pct(summary["model"].get("top5_precision")),
                    _num(summary["model"].get("brier"), 4),
                ),
                (
                    _("Baseline: number of complaints in the last year"),
                    _num(summary["baseline"].get("auc")),
                    _pct(summary["baseline"].get("top5_precision")),
                    _num(summary["brier_base_rate"], 4),
                ),
            ],
            base_rate=_pct(summary["base_rate"]),
            ece=_pct(summary["ece"]),
            chart=calibration_svg(metrics.get("calibration", [])),
            calibration=[
                (row["n"], _pct(row["predicted"]), _pct(row["observed"]))
                for row in metrics.get("calibration", [])
            ],
            coefficients=[
                {**row, "title": feature_title(str(row.get("feature", "")))}
                for row in metrics.get("coefficients", [])
            ],
        )
    return render(request, "opgroeipunt/risk/model.html", context)


@require_POST
@login_required
@permission_required("opgroeipunt.train_risk_model", raise_exception=True)
def risk_retrain(request: HttpRequest) -> HttpResponse:
    """The team lead retrains: in the background (a task); the page shows the new run."""
    result = risk_retrain_task.enqueue(user_id=request.user.pk)
    if result.status == TaskResultStatus.FAILED:
        messages.error(
            request,
            _(
                "Retraining failed: there is not enough history with both outcomes. "
                "Nothing changed."
            ),
        )
    elif result.status == TaskResultStatus.SUCCESSFUL:
        messages.success(request, _("The model was retrained and the locations scored."))
    else:
        messages.success(request, _("Retraining started; the new run appears here when done."))
    return redirect("opgroeipunt:risk_model")


def _motivation(score: RiskScore) -> str:
    reasons = "; ".join(factor_text(factor) for factor in score.factors)
    return _(
        "Re-screening proposed on the basis of the risk analysis (probability %(p)s, rank "
        "%(rank)d, band %(band)s). Reasons: %(reasons)s."
    ) % {
        "p": _pct(score.probability),
        "rank": score.rank,
        "band": score.get_band_display(),
        "reasons": reasons or "—",
    }


@require_GET
@login_required
@permission_required("opgroeipunt.view_risk", raise_exception=True)
def risk_rescreening_list(request: HttpRequest) -> HttpResponse:
    form = RiskListFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    team = filters.get("regional_team")
    rows = risk_list(
        regional_team=team.pk if team else None,
        province=filters.get("province", ""),
        band=filters.get("band", ""),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    waiting = set(
        Proposal.objects.filter(
            kind=DecisionKind.RESCREENING,
            status=ProposalStatus.PROPOSED,
            location_id__in=[score.location_id for score in page.object_list],
        ).values_list("location_id", flat=True)
    )
    results = [
        (
            score,
            [(factor_text(f), _num(f.get("weight"), 2)) for f in score.factors],
            _motivation(score),
            score.location_id in waiting,
        )
        for score in page.object_list
    ]
    return render(
        request,
        "opgroeipunt/risk/list.html",
        {
            "form": form,
            "page": page,
            "results": results,
            "query": query.urlencode(),
            "model": risk_model_active(),
            "can_propose": request.user.has_perm("opgroeipunt.add_proposal"),
        },
    )


@require_POST
@login_required
@permission_required("opgroeipunt.view_risk", raise_exception=True)
def risk_rescreen(request: HttpRequest, external_id: str) -> HttpResponse:
    """Propose a re-screening of the location (four eyes: another manager approves)."""
    location = location_by_external_id(external_id)
    if location is None:
        raise Http404
    user = request.user
    assert isinstance(user, User)
    form = RescreeningForm(request.POST)
    back = request.POST.get("back", "")
    if not form.is_valid():
        messages.error(
            request, _("Motivation: say why a re-screening is proposed (at most 5,000 characters).")
        )
    else:
        try:
            proposal = proposal_create(
                kind=DecisionKind.RESCREENING,
                location=location,
                motivation=form.cleaned_data["motivation"],
                proposed_by=user,
            )
        except ProposalNotPermitted as exc:
            messages.error(request, str(exc))
        except ProposalRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Re-screening proposed for %(location)s; another customer manager approves it.")
                % {"location": location.name},
            )
            return redirect("opgroeipunt:proposal_detail", pk=proposal.pk)
    if not SAFE_QUERY.fullmatch(back):
        back = ""
    return redirect(reverse("opgroeipunt:risk_list") + back)
