"""Reading the knowledge base: the search page, the embeddable search panel's endpoints, an
article, and counting a use (opened from the panel, or an answer template inserted)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kglijn.contacts.models import Contact
from kglijn.contacts.selectors import contact_visible_qs
from kglijn.core.htmx import is_htmx
from kglijn.knowledge.formatting import plain_text
from kglijn.knowledge.forms import SearchForm, UseForm
from kglijn.knowledge.models import Article, ArticleKind, UseAction, UseContext
from kglijn.knowledge.selectors import (
    article_get_for_user,
    article_search,
    can_manage,
    can_read,
)
from kglijn.knowledge.services import article_use_record


def _reader(request: HttpRequest) -> User:
    """The logged-in user, when they may read the knowledge base."""
    user = request.user
    if not isinstance(user, User) or not can_read(user=user):
        raise PermissionDenied
    return user


def _contact(user: User, contact_id: int | None) -> Contact | None:
    """The contact a use is about, if the user may see it; otherwise no contact."""
    if not contact_id:
        return None
    return contact_visible_qs(user=user).filter(pk=contact_id).first()


def _search_context(request: HttpRequest, user: User, form: SearchForm) -> dict[str, Any]:
    data = form.cleaned_data if form.is_valid() else {}
    result = article_search(
        user=user,
        text=data.get("q") or "",
        topic=data.get("topic") or "",
        reason_id=data.get("reason"),
        kind=data.get("kind") or "",
    )
    return {
        "kb_result": result,
        "kb_context": data.get("context") or UseContext.KNOWLEDGE,
        "kb_contact_id": data.get("contact") or "",
        "panel_id": data.get("panel") or "kb",
        "searched": bool(request.GET),
        "can_manage": can_manage(user=user),
    }


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The knowledge base page: the search panel as a plain form, results below."""
    user = _reader(request)
    form = SearchForm(request.GET)
    context = _search_context(request, user, form)
    context["kb_form"] = form
    return render(request, "knowledge/index.html", context)


@require_GET
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The search panel's results (htmx partial); a plain request gets the full page."""
    user = _reader(request)
    if not is_htmx(request):
        return redirect(f"{reverse('knowledge:index')}?{request.GET.urlencode()}")
    form = SearchForm(request.GET)
    return render(request, "knowledge/_search_results.html", _search_context(request, user, form))


@require_GET
@login_required
def detail(request: HttpRequest, article_id: int) -> HttpResponse:
    user = _reader(request)
    article = article_get_for_user(user=user, article_id=article_id)
    return render(
        request,
        "knowledge/article.html",
        {"article": article, "can_manage": can_manage(user=user)},
    )


def _use(
    request: HttpRequest, user: User, article_id: int, action: str
) -> tuple[Article, UseForm] | None:
    form = UseForm(request.POST)
    if not form.is_valid():
        return None
    article = article_get_for_user(user=user, article_id=article_id)
    # A draft opened by an information manager is read, not used: nothing to count then.
    with contextlib.suppress(ValidationError):
        article_use_record(
            article=article,
            user=user,
            context=form.cleaned_data["context"],
            action=action,
            contact=_contact(user, form.cleaned_data.get("contact")),
        )
    return article, form


@require_POST
@login_required
def open_in_panel(request: HttpRequest, article_id: int) -> HttpResponse:
    """Open an article inside the search panel; counts as a use."""
    user = _reader(request)
    used = _use(request, user, article_id, UseAction.OPENED)
    if used is None:
        return HttpResponseBadRequest()
    article, form = used
    if not is_htmx(request):
        return redirect("knowledge:detail", article_id=article.pk)
    context = {
        "article": article,
        "kb_context": form.cleaned_data["context"],
        "kb_contact_id": form.cleaned_data.get("contact") or "",
        "panel_id": form.cleaned_data.get("panel") or "kb",
        "insert_text": plain_text(article.body) if article.kind == ArticleKind.TEMPLATE else "",
    }
    return render(request, "knowledge/_article_in_panel.html", context)


@require_POST
@login_required
def use(request: HttpRequest, article_id: int) -> HttpResponse:
    """An answer template was inserted into an answer (the browser fired kglijn:insert-snippet)."""
    user = _reader(request)
    if _use(request, user, article_id, UseAction.INSERTED) is None:
        return HttpResponseBadRequest()
    return HttpResponse(status=204)
