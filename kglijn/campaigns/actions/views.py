"""Improvement actions: a campaign's actions (and those of its previous measurement beside the
theme's change), a new action from a theme, editing one, and the overview of all actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kglijn.campaigns.actions.forms import ActionCreateForm, ActionEditForm, ActionFilterForm
from kglijn.campaigns.actions.services import is_overdue, overdue_filter, theme_changes
from kglijn.campaigns.models import Campaign, ImprovementAction

VIEW = "campaigns.view_improvementaction"
ADD = "campaigns.add_improvementaction"
CHANGE = "campaigns.change_improvementaction"
PAGE_SIZE = 50


def _rows(actions: Any) -> list[tuple[ImprovementAction, bool]]:
    today = timezone.localdate()
    return [(action, is_overdue(action, today)) for action in actions]


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def campaign_actions(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(
        Campaign.objects.select_related("version__questionnaire", "previous"), pk=pk
    )
    actions = campaign.actions.select_related("owner", "theme").order_by("due_date", "pk")
    return TemplateResponse(
        request,
        "campaigns/actions/campaign.html",
        {
            "campaign": campaign,
            "current": "actions",
            "rows": _rows(actions),
            "changes": theme_changes(campaign),
            "themes": campaign.version.themes.order_by("position"),
            "can_add": request.user.has_perm(ADD),
            "can_change": request.user.has_perm(CHANGE),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(ADD, raise_exception=True)
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("version"), pk=pk)
    if request.method == "POST":
        form = ActionCreateForm(request.POST, campaign=campaign)
        if form.is_valid():
            action: ImprovementAction = form.save(commit=False)
            action.campaign = campaign
            action.theme_key = action.theme.key
            action.created_by = request.user  # type: ignore[assignment]
            action.save()
            messages.success(
                request, _("Improvement action “%(title)s” added.") % {"title": action.title}
            )
            return redirect("campaigns:campaign_actions", pk=campaign.pk)
    else:
        initial: dict[str, Any] = {"owner": request.user.pk}
        key = request.GET.get("thema", "")
        theme = campaign.version.themes.filter(key=key).first() if key else None
        if theme is not None:
            initial["theme"] = theme.pk
        form = ActionCreateForm(initial=initial, campaign=campaign)
    return TemplateResponse(
        request,
        "campaigns/actions/form.html",
        {"campaign": campaign, "current": "actions", "form": form, "action": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(CHANGE, raise_exception=True)
def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(
        ImprovementAction.objects.select_related("campaign", "theme"), pk=action_id
    )
    campaign = action.campaign
    form = ActionEditForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, _("Improvement action “%(title)s” saved.") % {"title": action.title}
        )
        return redirect("campaigns:campaign_actions", pk=campaign.pk)
    return TemplateResponse(
        request,
        "campaigns/actions/form.html",
        {"campaign": campaign, "current": "actions", "form": form, "action": action},
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def action_list(request: HttpRequest) -> HttpResponse:
    form = ActionFilterForm(request.GET or None)
    actions = ImprovementAction.objects.select_related("owner", "campaign", "theme").order_by(
        "due_date", "pk"
    )
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
        actions = actions.none()
    elif form.is_bound:
        if form.cleaned_data["status"]:
            actions = actions.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["overdue"]:
            actions = overdue_filter(actions)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return TemplateResponse(
        request,
        "campaigns/actions/list.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(page.object_list),
            "overdue_total": overdue_filter(ImprovementAction.objects.all()).count(),
            "query": query.urlencode(),
            "can_change": request.user.has_perm(CHANGE),
        },
        status=status,
    )
