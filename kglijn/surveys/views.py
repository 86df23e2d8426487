"""Staff pages of the surveys: the team leads' follow-up tasks, the wording (information
managers) and the low-score rules (team leads, administrators). Thin: forms parse, services
write, selectors read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kglijn.surveys.follow_ups import FollowUpInvalid, follow_up_complete, low_score_rules_save
from kglijn.surveys.models import FollowUpStatus
from kglijn.surveys.selectors import (
    follow_up_get_for_user,
    follow_up_page,
    survey_versions_overview,
)
from kglijn.surveys.services import SurveyInvalid, survey_version_current, survey_wording_change
from kglijn.surveys.staff_forms import (
    FollowUpDoneForm,
    FollowUpFilterForm,
    LowScoreRulesForm,
    WordingForm,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


FILTER_PARAMS = ("status", "channel", "team", "opened_from", "opened_to")


def _render_follow_ups(
    request: HttpRequest, *, failed_task: int | None = None, form: FollowUpDoneForm | None = None
) -> HttpResponse:
    """The page of the lead's tasks. The filters and the page number travel as GET
    parameters (on a failed completion: in `next`); `complete=<id>` opens the one task's
    outcome box, so the page holds at most one text box."""
    user = _user(request)
    source = request.GET
    if failed_task is not None:  # back on the page the form was sent from
        source = QueryDict(urlsplit(request.POST.get("next", "")).query)
    filter_form = FollowUpFilterForm({key: source[key] for key in FILTER_PARAMS if source.get(key)})
    follow_ups = follow_up_page(
        user=user, filters=filter_form.filters(), page_number=source.get("page")
    )
    query = urlencode({key: source[key] for key in FILTER_PARAMS if source.get(key)})
    page_query = urlencode(
        [*((key, source[key]) for key in FILTER_PARAMS if source.get(key)),
         ("page", follow_ups.page.number)]
    )  # fmt: skip
    completing = failed_task
    if completing is None:
        try:
            completing = int(source.get("complete", ""))
        except ValueError:
            completing = None
    context: dict[str, Any] = {
        "follow_ups": follow_ups,
        "filter_form": filter_form,
        "showing_done": filter_form.filters().status == FollowUpStatus.DONE,
        "query": query,
        "back_to": f"{reverse('surveys:follow_ups')}?{page_query}",
        "page_query": page_query,
        "completing": completing,
        "can_complete": user.has_perm("surveys.change_followuptask"),
        "failed_form": form,
        "done_form": FollowUpDoneForm(),
    }
    return render(request, "surveys/follow_ups.html", context, status=400 if form else 200)


@require_http_methods(["GET"])
@login_required
@permission_required("surveys.view_followuptask", raise_exception=True)
def follow_ups(request: HttpRequest) -> HttpResponse:
    return _render_follow_ups(request)


@require_POST
@login_required
@permission_required("surveys.change_followuptask", raise_exception=True)
def follow_up_done(request: HttpRequest, task_id: int) -> HttpResponse:
    user = _user(request)
    task = follow_up_get_for_user(user=user, task_id=task_id)
    form = FollowUpDoneForm(request.POST)
    if form.is_valid():
        try:
            follow_up_complete(task=task, by=user, outcome=form.cleaned_data["outcome"])
        except FollowUpInvalid as exc:
            for field, message in exc.errors:
                form.add_error("outcome" if field == "outcome" else None, message)
    if form.errors:
        return _render_follow_ups(request, failed_task=task.pk, form=form)
    messages.success(
        request,
        _("Follow-up of contact %(reference)s done.") % {"reference": task.contact.reference},
    )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("surveys:follow_ups")


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("surveys.view_surveyversion", raise_exception=True)
def wording(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    can_change = user.has_perm("surveys.add_surveyversion")
    current = survey_version_current()
    form = WordingForm(request.POST or None, current=current)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                version = survey_wording_change(
                    by=user, texts=form.texts(), note=form.cleaned_data["note"]
                )
            except SurveyInvalid as exc:
                for field, message in exc.errors:
                    name = field.replace(".", "-")
                    form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _("Version %(number)s is now asked; earlier answers keep their version.")
                    % {"number": version.number},
                )
                return redirect("surveys:wording")
    context = {
        "form": form,
        "current": current,
        "can_change": can_change,
        "versions": survey_versions_overview(),
    }
    return render(request, "surveys/wording.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("surveys.view_lowscorerule", raise_exception=True)
def rules(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    can_change = user.has_perm("surveys.change_lowscorerule")
    form = LowScoreRulesForm(request.POST or None)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                low_score_rules_save(by=user, rules=form.settings())
            except SurveyInvalid as exc:
                for field, message in exc.errors:
                    name = f"{field}-threshold"
                    form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(request, _("The low-score rules were saved."))
                return redirect("surveys:rules")
    context = {"form": form, "can_change": can_change}
    return render(request, "surveys/rules.html", context, status=400 if form.errors else 200)
