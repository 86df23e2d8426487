"""The questionnaire builder: the questionnaires, a version's themes and items (add, edit,
reorder, delete), its preview, a new version and freezing. Reading needs
campaigns.view_questionnaire, every change campaigns.manage_questionnaire; a frozen version
(frozen, in the field or answered) refuses every change with the reason."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kglijn.campaigns.models import Item, Questionnaire, QuestionnaireVersion, Theme
from kglijn.campaigns.questionnaire.forms import (
    IntroductionForm,
    ItemForm,
    QuestionnaireForm,
    ThemeForm,
)
from kglijn.campaigns.questionnaire.pages import questions, version_pages
from kglijn.campaigns.questionnaire.services import (
    BuilderRefused,
    VersionFrozen,
    item_delete,
    item_move,
    next_position,
    theme_delete,
    theme_move,
    version_copy,
    version_freeze,
    version_frozen_reason,
    version_problems,
)

VIEW = "campaigns.view_questionnaire"
MANAGE = "campaigns.manage_questionnaire"


def _version_url(version: QuestionnaireVersion) -> str:
    return reverse("campaigns:version_detail", args=[version.pk])


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    rows = []
    for questionnaire in Questionnaire.objects.prefetch_related("versions__campaigns"):
        versions = sorted(questionnaire.versions.all(), key=lambda v: -v.number)
        rows.append(
            {
                "questionnaire": questionnaire,
                "versions": [
                    {
                        "version": version,
                        "frozen": version_frozen_reason(version) is not None,
                        "problems": len(version_problems(version)),
                        "campaigns": list(version.campaigns.all()),
                    }
                    for version in versions
                ],
            }
        )
    return render(
        request,
        "campaigns/questionnaire/list.html",
        {"rows": rows, "can_manage": request.user.has_perm(MANAGE)},
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(MANAGE, raise_exception=True)
def questionnaire_new(request: HttpRequest) -> HttpResponse:
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            questionnaire = form.save()
            version = QuestionnaireVersion.objects.create(
                questionnaire=questionnaire,
                number=1,
                created_by=request.user if request.user.is_authenticated else None,
            )
        messages.success(request, _("Questionnaire created: add its themes and items."))
        return redirect(_version_url(version))
    return render(
        request,
        "campaigns/questionnaire/questionnaire_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _version(pk: int) -> QuestionnaireVersion:
    return get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk)


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    items = list(version.items.select_related("theme", "show_if_item").order_by("position"))
    return render(
        request,
        "campaigns/questionnaire/version.html",
        {
            "version": version,
            "themes": list(version.themes.order_by("position")),
            "items": items,
            "problems": version_problems(version),
            "frozen_reason": version_frozen_reason(version),
            "can_manage": request.user.has_perm(MANAGE),
            "campaigns": list(version.campaigns.all()),
            "others": list(version.questionnaire.versions.exclude(pk=version.pk)),
        },
    )


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def version_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The public questionnaire, every page below the other, not answerable."""
    version = _version(pk)
    language = "en" if request.GET.get("taal") == "en" else "nl-be"
    items = list(version.items.select_related("theme", "show_if_item").order_by("position"))
    with translation.override(language):
        pages = [
            {"page": page, "questions": questions(page.items, language)}
            for page in version_pages(items, language)
        ]
        response = render(
            request,
            "campaigns/questionnaire/preview.html",
            {
                "version": version,
                "pages": pages,
                "language": language,
                "introduction": (version.introduction_en if language == "en" else "")
                or version.introduction_nl,
            },
        )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refuse_frozen(request: HttpRequest, version: QuestionnaireVersion) -> HttpResponse | None:
    reason = version_frozen_reason(version)
    if reason is None:
        return None
    messages.error(request, reason)
    return redirect(_version_url(version))


@require_POST
@login_required
@permission_required(MANAGE, raise_exception=True)
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    new = version_copy(version, by=request.user)  # the signed-in user
    messages.success(
        request,
        _("Version %(n)d made from version %(m)d: you can change it now.")
        % {"n": new.number, "m": version.number},
    )
    return redirect(_version_url(new))


@require_POST
@login_required
@permission_required(MANAGE, raise_exception=True)
def version_freeze_view(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    problems = version_problems(version)
    if problems:
        messages.error(request, _("Solve the version's problems before freezing it."))
    else:
        version_freeze(version, timezone.now())
        messages.success(request, _("Version frozen: a change is now a new version."))
    return redirect(_version_url(version))


def _edit_page(
    request: HttpRequest,
    version: QuestionnaireVersion,
    template: str,
    context: dict[str, Any],
    form: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {"version": version, "form": form, **context},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(MANAGE, raise_exception=True)
def version_introduction(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    if (refused := _refuse_frozen(request, version)) is not None:
        return refused
    form = IntroductionForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Introduction saved."))
        return redirect(_version_url(version))
    return _edit_page(
        request,
        version,
        "campaigns/questionnaire/edit_form.html",
        {"title": _("Introduction")},
        form,
    )


def _theme_form(
    request: HttpRequest, version: QuestionnaireVersion, theme: Theme | None
) -> HttpResponse:
    if (refused := _refuse_frozen(request, version)) is not None:
        return refused
    form = ThemeForm(request.POST or None, instance=theme, version=version)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.version = version
        if theme is None:
            saved.position = next_position(version, themes=True)
        saved.save()
        messages.success(request, _("Theme %(key)s saved.") % {"key": saved.key})
        return redirect(_version_url(version))
    title = _("Edit theme %(key)s") % {"key": theme.key} if theme else _("New theme")
    return _edit_page(
        request, version, "campaigns/questionnaire/edit_form.html", {"title": title}, form
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(MANAGE, raise_exception=True)
def theme_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _theme_form(request, _version(pk), None)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(MANAGE, raise_exception=True)
def theme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("version__questionnaire"), pk=pk)
    return _theme_form(request, theme.version, theme)


def _item_form(
    request: HttpRequest, version: QuestionnaireVersion, item: Item | None
) -> HttpResponse:
    if (refused := _refuse_frozen(request, version)) is not None:
        return refused
    form = ItemForm(request.POST or None, instance=item, version=version)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if item is None:
                saved.position = next_position(version)
            saved.save()
        messages.success(request, _("Item %(key)s saved.") % {"key": saved.key})
        return redirect(_version_url(version))
    title = _("Edit item %(key)s") % {"key": item.key} if item else _("New item")
    return _edit_page(
        request, version, "campaigns/questionnaire/edit_form.html", {"title": title}, form
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(MANAGE, raise_exception=True)
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_form(request, _version(pk), None)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(MANAGE, raise_exception=True)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("version__questionnaire"), pk=pk)
    return _item_form(request, item.version, item)


def _change(request: HttpRequest, version: QuestionnaireVersion, change: Any) -> HttpResponse:
    try:
        change()
    except (VersionFrozen, BuilderRefused) as refused:
        messages.error(request, str(refused))
    return redirect(_version_url(version))


@require_POST
@login_required
@permission_required(MANAGE, raise_exception=True)
def item_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("version"), pk=pk)
    up = request.POST.get("richting") != "down"
    return _change(request, item.version, lambda: item_move(item, up=up))


@require_POST
@login_required
@permission_required(MANAGE, raise_exception=True)
def item_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("version"), pk=pk)
    return _change(request, item.version, lambda: item_delete(item))


@require_POST
@login_required
@permission_required(MANAGE, raise_exception=True)
def theme_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("version"), pk=pk)
    up = request.POST.get("richting") != "down"
    return _change(request, theme.version, lambda: theme_move(theme, up=up))


@require_POST
@login_required
@permission_required(MANAGE, raise_exception=True)
def theme_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("version"), pk=pk)
    return _change(request, theme.version, lambda: theme_delete(theme))
