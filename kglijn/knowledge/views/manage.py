"""Maintenance of the knowledge base by the information managers (/kennisbank/beheer/):
list, create, edit (a new version), history with the changes per version, archive, and which
articles are used."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kglijn.contacts.forms import apply_service_errors
from kglijn.core.periods import add_months
from kglijn.knowledge.forms import ArticleForm, ManageFilterForm
from kglijn.knowledge.models import Article, ArticleStatus
from kglijn.knowledge.selectors import (
    article_list_for_manager,
    article_usage_by_month,
    article_versions,
    articles_unused,
    can_manage,
    version_diff,
)
from kglijn.knowledge.services import article_archive, article_create, article_update

USAGE_MONTHS = 6
UNUSED_DAYS = 90


def _manager(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not can_manage(user=user):
        raise PermissionDenied
    return user


@require_GET
@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = ManageFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    articles = article_list_for_manager(
        status=data.get("status") or "",
        kind=data.get("kind") or "",
        topic=data.get("topic") or "",
        text=data.get("q") or "",
    )
    return render(request, "knowledge/manage_list.html", {"form": form, "articles": articles})


@require_http_methods(["GET", "POST"])
@login_required
def article_new(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = article_create(
                by=user,
                title=data["title"],
                body=data["body"],
                kind=data["kind"],
                topic=data["topic"],
                reason_codes=form.reason_codes(),
                status=data["status"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={})
        else:
            messages.success(request, _("“%(title)s” saved.") % {"title": article.title})
            return redirect("knowledge:manage_list")
    return render(request, "knowledge/manage_form.html", {"form": form, "title": _("New article")})


@require_http_methods(["GET", "POST"])
@login_required
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    user = _manager(request)
    article = get_object_or_404(Article.objects.prefetch_related("reasons"), pk=article_id)
    initial = {
        "title": article.title,
        "body": article.body,
        "kind": article.kind,
        "topic": article.topic,
        "reasons": [reason.code for reason in article.reasons.all()],
        "status": article.status
        if article.status != ArticleStatus.ARCHIVED
        else ArticleStatus.DRAFT,
        "expected_version": article.version,
    }
    form = ArticleForm(request.POST or None, initial=initial, include_archived_reasons=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = article_update(
                article=article,
                by=user,
                title=data["title"],
                body=data["body"],
                kind=data["kind"],
                topic=data["topic"],
                reason_codes=form.reason_codes(),
                status=data["status"],
                note=data["note"],
                expected_version=data.get("expected_version"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={})
        else:
            if saved.version == article.version:
                messages.info(request, _("Nothing changed; no new version."))
            else:
                messages.success(
                    request,
                    _("“%(title)s” saved as version %(version)d.")
                    % {"title": saved.title, "version": saved.version},
                )
            return redirect("knowledge:manage_list")
    context = {"form": form, "article": article, "title": _("Edit article")}
    return render(request, "knowledge/manage_form.html", context)


@require_GET
@login_required
def article_history(request: HttpRequest, article_id: int) -> HttpResponse:
    _manager(request)
    article = get_object_or_404(Article, pk=article_id)
    versions = list(article_versions(article=article))
    try:
        number = int(request.GET.get("versie", article.version))
    except ValueError:
        raise Http404 from None
    diff = version_diff(article=article, number=number)
    context = {"article": article, "versions": versions, "diff": diff}
    return render(request, "knowledge/manage_history.html", context)


@require_POST
@login_required
def article_archive_view(request: HttpRequest, article_id: int) -> HttpResponse:
    user = _manager(request)
    article = get_object_or_404(Article, pk=article_id)
    article_archive(article=article, by=user, note=request.POST.get("note", ""))
    messages.success(request, _("“%(title)s” archived.") % {"title": article.title})
    return redirect("knowledge:manage_list")


@require_GET
@login_required
def usage(request: HttpRequest) -> HttpResponse:
    """Which articles are used most (per month) and which published ones nobody uses."""
    if not request.user.has_perm("knowledge.view_usage"):
        raise PermissionDenied
    today = timezone.localdate()
    this_month = today.replace(day=1)
    first = add_months(this_month, -(USAGE_MONTHS - 1))
    since = timezone.now() - dt.timedelta(days=UNUSED_DAYS)
    context = {
        "months": article_usage_by_month(first_month=first, last_month=this_month),
        "unused": articles_unused(since=since),
        "unused_days": UNUSED_DAYS,
    }
    return render(request, "knowledge/usage.html", context)
