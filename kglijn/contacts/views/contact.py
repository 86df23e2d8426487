"""Registering, reading, changing, escalating, taking up and closing one contact."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kglijn.accounts.selectors import user_home_office
from kglijn.contacts import services
from kglijn.contacts.forms import (
    ContactRegisterForm,
    ContactUpdateForm,
    EscalateForm,
    ProvinceForm,
    SearchForm,
    WrapUpFields,
    apply_service_errors,
)
from kglijn.contacts.models import Contact, Customer, Office, Status
from kglijn.contacts.panels import contact_panels
from kglijn.contacts.selectors import (
    can_view_health_note,
    contact_escalations,
    contact_get_for_user,
    contact_history,
    contact_search,
    contact_visible_qs,
)
from kglijn.contacts.views.common import audit_rows, request_user
from kglijn.core.htmx import is_htmx
from kglijn.core.provinces import InvalidPostcode, province_for_postcode, province_label

# Service error keys that are named differently on the form.
_REGISTER_ALIASES = {"customer": "customer_kind", "reason_codes": "reasons"}
_ESCALATE_ALIASES = {"to_office": "escalate_to", "reason": "escalation_reason"}


def _customer_for(form: WrapUpFields) -> Customer | None:
    """The customer to link: only for a non-anonymous contact with a kind and a name."""
    data = form.cleaned_data
    if data["anonymous"] or not data["customer_kind"]:
        return None
    return services.customer_find_or_create(
        kind=data["customer_kind"],
        name=data["caller_name"],
        email=data["caller_email"],
        phone=data["caller_phone"],
        postcode=data["postcode"],
    )


def _personal_kwargs(form: WrapUpFields, customer: Customer | None) -> dict[str, Any]:
    data = form.cleaned_data
    if customer is not None:  # the customer record holds name, phone and e-mail
        return {"customer": customer, "caller_name": "", "caller_phone": "", "caller_email": ""}
    return {
        "customer": None,
        "caller_name": data["caller_name"],
        "caller_phone": data["caller_phone"],
        "caller_email": data["caller_email"],
    }


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("contacts.add_contact", raise_exception=True)
def contact_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    options = {
        "can_write_health_note": user.has_perm("contacts.change_health_note"),
        "can_escalate": user.has_perm("contacts.escalate_contact"),
    }
    initial = {"office": user_home_office(user=user) or Office.FRONT}
    form = ContactRegisterForm(request.POST or None, initial=initial, **options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # One transaction around the services: a refused contact leaves no customer behind.
            with transaction.atomic():
                customer = _customer_for(form)
                contact = services.contact_register(
                    by=user,
                    channel=data["channel"],
                    direction=data["direction"],
                    origin=data["origin"],
                    office=data["office"],
                    province=data["province"],
                    postcode=data["postcode"],
                    topic=data["topic"],
                    reason_codes=[r.code for r in data["reasons"]],
                    referral_codes=[r.code for r in data["referrals"]],
                    notes=data["notes"],
                    health_note=data.get("health_note", ""),
                    anonymous=data["anonymous"],
                    **_personal_kwargs(form, customer),
                )
                escalate_to = data.get("escalate_to")
                if escalate_to:
                    try:
                        services.contact_escalate(
                            contact=contact,
                            to_office=escalate_to,
                            reason=data["escalation_reason"],
                            by=user,
                        )
                    except ValidationError as exc:
                        apply_service_errors(form, exc, aliases=_ESCALATE_ALIASES)
                        raise
        except ValidationError as exc:
            if not form.errors:
                apply_service_errors(form, exc, aliases=_REGISTER_ALIASES)
            form.add_error(None, _("Nothing was saved. Correct the marked fields and try again."))
        else:
            if escalate_to:
                messages.success(
                    request,
                    _("Contact %(ref)s registered and escalated to %(office)s.")
                    % {"ref": contact.reference, "office": Office(escalate_to).label},
                )
            else:
                messages.success(
                    request, _("Contact %(ref)s registered.") % {"ref": contact.reference}
                )
            return redirect("contacts:detail", contact_id=contact.pk)
    return render(request, "contacts/contact_form.html", {"form": form})


@require_GET
@login_required
def province_lookup(request: HttpRequest) -> HttpResponse:
    """htmx: the province field for the typed postcode, with an inline message."""
    postcode = request.GET.get("postcode", "").strip()
    province = request.GET.get("province", "")
    message, error = "", False
    if postcode:
        try:
            province = str(province_for_postcode(postcode))
            message = _("Postcode %(postcode)s: %(province)s.") % {
                "postcode": postcode,
                "province": province_label(province),
            }
        except InvalidPostcode as exc:
            message, error = str(exc), True
    form = ProvinceForm(initial={"province": province})
    return render(
        request,
        "contacts/_wrapup_fields.html#province-field",
        {"form": form, "province_message": message, "province_error": error},
    )


def _actions(user: User, contact: Contact) -> dict[str, bool]:
    works_office = user.has_perm(f"contacts.queue_{contact.office}")
    is_open = contact.status != Status.CLOSED
    return {
        "can_edit": is_open and user.has_perm("contacts.change_contact"),
        "can_escalate": is_open
        and user.has_perm("contacts.escalate_contact")
        and contact.office == Office.FRONT,
        "can_take": is_open
        and works_office
        and not (contact.handler_id == user.pk and contact.status == Status.OPEN),
        "can_close": is_open and works_office and user.has_perm("contacts.close_contact"),
        "can_reopen": not is_open and works_office,
    }


@require_GET
@login_required
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = request_user(request)
    contact = contact_get_for_user(user=user, contact_id=contact_id)
    return _render_detail(request, user, contact, EscalateForm())


def _render_detail(
    request: HttpRequest, user: User, contact: Contact, escalate_form: EscalateForm
) -> HttpResponse:
    context = {
        "contact": contact,
        "reasons": list(contact.reasons.all()),
        "referrals": list(contact.referrals.all()),
        "escalations": list(contact_escalations(contact=contact)),
        "history": audit_rows(contact_history(contact=contact)),
        "sees_health_note": can_view_health_note(user=user),
        "escalate_form": escalate_form,
        **_actions(user, contact),
    }
    # The other apps' panels (mail thread, survey answers, …): settings.KGLIJN_CONTACT_PANELS.
    panels = contact_panels(user=user, contact=contact)
    for panel in panels:
        context.update(panel.context)
    context["contact_panels"] = panels
    return render(request, "contacts/contact_detail.html", context)


def _visible_contact(user: User, contact_id: int) -> Contact:
    """A contact to act on (no read audit: the action itself is audited by its service)."""
    return get_object_or_404(contact_visible_qs(user=user), pk=contact_id)


def _update_initial(contact: Contact) -> dict[str, Any]:
    customer = contact.customer
    return {
        "direction": contact.direction,
        "province": contact.province,
        "topic": contact.topic,
        "reasons": [r.code for r in contact.reasons.all()],
        "referrals": [r.code for r in contact.referrals.all()],
        "notes": contact.notes,
        "health_note": contact.health_note,
        "anonymous": contact.anonymous,
        "customer_kind": customer.kind if customer else "",
        "caller_name": customer.name if customer else contact.caller_name,
        "caller_phone": customer.phone if customer else contact.caller_phone,
        "caller_email": customer.email if customer else contact.caller_email,
    }


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("contacts.change_contact", raise_exception=True)
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = request_user(request)
    contact = contact_get_for_user(user=user, contact_id=contact_id)
    form = ContactUpdateForm(
        request.POST or None,
        initial=_update_initial(contact),
        can_write_health_note=user.has_perm("contacts.change_health_note"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields: dict[str, Any] = {
            "direction": data["direction"],
            "province": data["province"],
            "topic": data["topic"],
            "notes": data["notes"],
            "anonymous": data["anonymous"],
        }
        if "health_note" in form.fields:
            fields["health_note"] = data["health_note"]
        try:
            with transaction.atomic():
                customer = _customer_for(form)
                services.contact_update(
                    contact=contact,
                    by=user,
                    postcode=data["postcode"],
                    reason_codes=[r.code for r in data["reasons"]],
                    referral_codes=[r.code for r in data["referrals"]],
                    **fields,
                    **_personal_kwargs(form, customer),
                )
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases=_REGISTER_ALIASES)
            form.add_error(None, _("Nothing was saved. Correct the marked fields and try again."))
        else:
            messages.success(request, _("Contact %(ref)s saved.") % {"ref": contact.reference})
            return redirect("contacts:detail", contact_id=contact.pk)
    return render(request, "contacts/contact_edit.html", {"form": form, "contact": contact})


@require_POST
@login_required
def contact_escalate(request: HttpRequest, contact_id: int) -> HttpResponse:
    user = request_user(request)
    contact = _visible_contact(user, contact_id)
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            escalation = services.contact_escalate(
                contact=contact,
                to_office=form.cleaned_data["to_office"],
                reason=form.cleaned_data["reason"],
                by=user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={})
        else:
            messages.success(
                request,
                _("Contact %(ref)s escalated to %(office)s.")
                % {"ref": contact.reference, "office": Office(escalation.to_office).label},
            )
            return redirect("contacts:detail", contact_id=contact.pk)
    contact = contact_get_for_user(user=user, contact_id=contact_id)
    return _render_detail(request, user, contact, form)


def _simple_action(request: HttpRequest, contact_id: int, action: str) -> HttpResponse:
    user = request_user(request)
    contact = _visible_contact(user, contact_id)
    texts = {
        "take": _("You have taken up contact %(ref)s."),
        "close": _("Contact %(ref)s closed."),
        "reopen": _("Contact %(ref)s reopened."),
    }
    operations = {
        "take": services.contact_take,
        "close": services.contact_close,
        "reopen": services.contact_reopen,
    }
    try:
        operations[action](contact=contact, by=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, texts[action] % {"ref": contact.reference})
        if action == "close" and request.POST.get("next") == "desk":
            return redirect("contacts:desk")
    return redirect("contacts:detail", contact_id=contact.pk)


@require_POST
@login_required
def contact_take(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _simple_action(request, contact_id, "take")


@require_POST
@login_required
def contact_close(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _simple_action(request, contact_id, "close")


@require_POST
@login_required
def contact_reopen(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _simple_action(request, contact_id, "reopen")


@require_GET
@login_required
@permission_required("contacts.view_contact", raise_exception=True)
def search(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = SearchForm(request.GET or None)
    results: list[Contact] | None = None
    if form.is_valid() and any(form.cleaned_data.values()):
        results = list(
            contact_search(
                user=user,
                query=form.cleaned_data["q"],
                date_from=form.cleaned_data["date_from"],
                date_to=form.cleaned_data["date_to"],
            )
        )
    context = {"form": form, "results": results}
    if is_htmx(request):
        return render(request, "contacts/search.html#results", context)
    return render(request, "contacts/search.html", context)
