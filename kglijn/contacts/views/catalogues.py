"""Maintenance of the reason and referral catalogues: add, rename, (de)activate — never delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kglijn.contacts import services
from kglijn.contacts.forms import ReasonForm, ReferralForm, apply_service_errors
from kglijn.contacts.selectors import reason_list, referral_list
from kglijn.contacts.views.common import request_user


@dataclass(frozen=True)
class Catalogue:
    kind: str  # "reason" | "referral": the URL segment
    perm_model: str  # permission codename suffix
    title: Promise
    add_title: Promise
    form_class: type[forms.Form]
    fields: tuple[str, ...]  # passed to the save service besides code

    def queryset(self) -> QuerySet[Any]:
        return reason_list() if self.kind == "reason" else referral_list()

    def save(self, **values: Any) -> Model:
        if self.kind == "reason":
            return services.reason_save(**values)
        return services.referral_save(**values)

    def require(self, request: HttpRequest, action: str) -> None:
        if not request_user(request).has_perm(f"contacts.{action}_{self.perm_model}"):
            raise PermissionDenied


CATALOGUES = {
    "reason": Catalogue(
        "reason",
        "reason",
        gettext_lazy("Contact reasons"),
        gettext_lazy("New contact reason"),
        ReasonForm,
        ("name", "topic", "active", "sort_order"),
    ),
    "referral": Catalogue(
        "referral",
        "referralorganisation",
        gettext_lazy("Referral organisations"),
        gettext_lazy("New referral organisation"),
        ReferralForm,
        ("name", "active"),
    ),
}


def _catalogue(kind: str) -> Catalogue:
    try:
        return CATALOGUES[kind]
    except KeyError:
        raise Http404 from None


@require_GET
@login_required
def catalogue_index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    sections = []
    for catalogue in CATALOGUES.values():
        if user.has_perm(f"contacts.view_{catalogue.perm_model}"):
            sections.append(
                {
                    "catalogue": catalogue,
                    "entries": list(catalogue.queryset()),
                    "can_add": user.has_perm(f"contacts.add_{catalogue.perm_model}"),
                    "can_change": user.has_perm(f"contacts.change_{catalogue.perm_model}"),
                }
            )
    if not sections:
        raise PermissionDenied
    return render(request, "contacts/catalogues.html", {"sections": sections})


def _save(request: HttpRequest, catalogue: Catalogue, form: forms.Form, code: str) -> bool:
    values = {name: form.cleaned_data[name] for name in catalogue.fields}
    try:
        obj = catalogue.save(code=code, **values)
    except ValidationError as exc:
        apply_service_errors(form, exc, aliases={})
        return False
    messages.success(request, _("“%(name)s” saved.") % {"name": obj})
    return True


@require_http_methods(["GET", "POST"])
@login_required
def catalogue_add(request: HttpRequest, kind: str) -> HttpResponse:
    catalogue = _catalogue(kind)
    catalogue.require(request, "add")
    form = catalogue.form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if catalogue.queryset().filter(code=code.strip().lower()).exists():
            form.add_error("code", _("This code is already in use."))
        elif _save(request, catalogue, form, code):
            return redirect("contacts:catalogues")
    context = {"form": form, "catalogue": catalogue, "title": catalogue.add_title}
    return render(request, "contacts/catalogue_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def catalogue_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    catalogue = _catalogue(kind)
    catalogue.require(request, "change")
    obj = get_object_or_404(catalogue.queryset(), pk=pk)
    initial = {"code": obj.code, **{name: getattr(obj, name) for name in catalogue.fields}}
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        data["code"] = obj.code  # the code never changes: imports and reports rely on it
    form = catalogue.form_class(data, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid() and _save(request, catalogue, form, obj.code):
        return redirect("contacts:catalogues")
    context = {"form": form, "catalogue": catalogue, "title": obj.name, "object": obj}
    return render(request, "contacts/catalogue_form.html", context)


@require_POST
@login_required
def catalogue_toggle(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    catalogue = _catalogue(kind)
    catalogue.require(request, "change")
    obj = get_object_or_404(catalogue.queryset(), pk=pk)
    values = {name: getattr(obj, name) for name in catalogue.fields}
    values["active"] = not obj.active
    catalogue.save(code=obj.code, **values)
    if values["active"]:
        messages.success(request, _("“%(name)s” is active again.") % {"name": obj.name})
    else:
        messages.success(
            request,
            _("“%(name)s” is deactivated: it can no longer be chosen, history keeps it.")
            % {"name": obj.name},
        )
    return redirect("contacts:catalogues")
