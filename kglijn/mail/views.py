"""The e-mail panel's actions (answer, send again, attachments) and the quarantine page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from kglijn.contacts.forms import apply_service_errors
from kglijn.contacts.selectors import contact_visible_qs
from kglijn.contacts.views.common import request_user
from kglijn.core.htmx import is_htmx
from kglijn.mail.attachments import attachment_path
from kglijn.mail.forms import QuarantineResolveForm, ReplyForm
from kglijn.mail.models import DeliveryStatus, Quarantine
from kglijn.mail.outbound import mail_reply_queue, mail_resend
from kglijn.mail.selectors import (
    can_view_quarantine,
    mail_attachment_for_user,
    mail_message_for_user,
    mail_thread_panel,
    quarantine_list,
    quarantine_raw_for_user,
)
from kglijn.mail.services import quarantine_resolve


def _sent_text(status: str, reference: str) -> str:
    if status == DeliveryStatus.SENT:
        return _("Answer to %(ref)s sent.") % {"ref": reference}
    return _(
        "Answer to %(ref)s saved; the mail server did not take it yet, it is sent as soon as "
        "it can be."
    ) % {"ref": reference}


@require_POST
@login_required
def reply(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Send an answer; htmx: errors replace the composer, success reloads the contact page."""
    user = request_user(request)
    # An action, not a read: the service audits it (no 'view' event here).
    contact = get_object_or_404(contact_visible_qs(user=user), pk=contact_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            message = mail_reply_queue(
                contact=contact,
                by=user,
                body=form.cleaned_data["body"],
                close=form.cleaned_data["close"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={})
        else:
            message.refresh_from_db(fields=["delivery_status"])
            messages.success(request, _sent_text(message.delivery_status, contact.reference))
            target = reverse("contacts:detail", kwargs={"contact_id": contact.pk})
            if is_htmx(request):
                # Without a fragment: the same URL with only "#mail" added would not reload.
                return HttpResponseClientRedirect(target)
            return redirect(target + "#mail")
    panel = mail_thread_panel(user=user, contact=contact, form=form)
    context = {"contact": contact, "mail": panel}
    if is_htmx(request):
        return render(request, "mail/_composer.html", context)
    return render(request, "mail/reply_page.html", context)


@require_POST
@login_required
def resend(request: HttpRequest, message_id: int) -> HttpResponse:
    user = request_user(request)
    message = mail_message_for_user(user=user, message_id=message_id)
    try:
        message = mail_resend(message=message, by=user)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        message.refresh_from_db(fields=["delivery_status"])
        messages.success(request, _sent_text(message.delivery_status, message.contact.reference))
    target = reverse("contacts:detail", kwargs={"contact_id": message.contact_id}) + "#mail"
    return redirect(target)


@require_GET
@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Always as a download of unknown type: never shown inline in our own origin."""
    attachment = mail_attachment_for_user(user=request.user, attachment_id=attachment_id)
    path = attachment_path(attachment.sha256)
    if not path.exists():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def quarantine(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not can_view_quarantine(user=user):
        raise Http404
    resolved = request.GET.get("toon") == "afgehandeld"
    rows = list(quarantine_list(user=user, resolved=resolved)[:200])
    return render(
        request,
        "mail/quarantine.html",
        {"rows": rows, "resolved": resolved, "form": QuarantineResolveForm()},
    )


@require_GET
@login_required
def quarantine_raw(request: HttpRequest, quarantine_id: int) -> HttpResponse:
    item = quarantine_raw_for_user(user=request.user, quarantine_id=quarantine_id)
    if not item.raw:
        raise Http404
    response = HttpResponse(bytes(item.raw), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="quarantaine-{item.pk}.eml"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def quarantine_handle(request: HttpRequest, quarantine_id: int) -> HttpResponse:
    user = request_user(request)
    if not can_view_quarantine(user=user):
        raise Http404
    item = get_object_or_404(Quarantine.objects.defer("raw"), pk=quarantine_id)
    form = QuarantineResolveForm(request.POST)
    if form.is_valid():
        try:
            quarantine_resolve(quarantine=item, by=user, resolution=form.cleaned_data["resolution"])
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Quarantined e-mail %(id)s handled.") % {"id": item.pk})
    else:
        messages.error(request, _("Write down what was done with it."))
    return redirect("mail:quarantine")
