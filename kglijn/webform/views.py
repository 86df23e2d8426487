"""The public web contact form (/contact/): no login, Dutch, no third-party assets.

POST → spam checks (rate limit, honeypot, fill time) → form → webform_submit → redirect to the
confirmation page with the contact's reference (a signed, short-lived link: it reveals nothing
but the reference).
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kglijn.contacts.forms import apply_service_errors
from kglijn.contacts.models import format_reference
from kglijn.core.public import public_page
from kglijn.webform.forms import ContactForm
from kglijn.webform.services import webform_submit
from kglijn.webform.spam import (
    TOKEN_FIELD,
    TokenProblem,
    form_token,
    form_token_problem,
    form_token_use,
    rate_count,
    rate_limited,
)

_SENT_SALT = "kglijn.webform.sent"
SENT_LINK_VALID_SECONDS = 3600
PHONE = "078 150 100"


def _client_ip(request: HttpRequest) -> str:
    # `kglijn serve` puts the client's address in REMOTE_ADDR, taking X-Forwarded-For only from
    # KGLIJN_TRUSTED_PROXIES; the header is never read here, or anyone could dodge the limit.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _token_message(problem: TokenProblem) -> str:
    if problem == TokenProblem.TOO_FAST:
        return _("You sent the form very quickly. Check your message and send it again.")
    if problem == TokenProblem.EXPIRED:
        return _("The form was open for too long. Check your message and send it again.")
    if problem == TokenProblem.USED:
        return _("This form has already been sent. Check your message and send it again.")
    return _("Something went wrong with the form. Check your message and send it again.")


def _render_form(request: HttpRequest, form: ContactForm, *, status: int = 200) -> HttpResponse:
    return render(request, "webform/form.html", {"form": form, "phone": PHONE}, status=status)


@public_page
@require_http_methods(["GET", "POST"])
def contact_form(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    if request.method != "POST":
        return _render_form(request, ContactForm(initial={TOKEN_FIELD: form_token(now=now)}))
    ip = _client_ip(request)
    if rate_limited(ip=ip):
        return render(request, "webform/limited.html", {"phone": PHONE}, status=429)
    # Every rendering carries a fresh token: a resubmission after an error is timed from then.
    data = request.POST.copy()
    data[TOKEN_FIELD] = form_token(now=now)
    form = ContactForm(data)
    if form.honeypot_filled:
        # Look like success to the robot; nothing is stored.
        rate_count(ip=ip)
        return render(request, "webform/sent.html", {"reference": "", "phone": PHONE})
    sent_token = request.POST.get(TOKEN_FIELD, "")
    problem = form_token_problem(sent_token, now=now)
    valid = form.is_valid()
    if problem is None and valid:
        # Used up by this submission, whatever comes next: a refused one is shown again with a
        # fresh token, so no token ever serves two submissions.
        problem = form_token_use(sent_token)
    if problem is not None:
        form.add_error(None, _token_message(problem))
        return _render_form(request, form, status=400)
    if not valid:
        return _render_form(request, form, status=400)
    # Counted before storing (atomically in the shared cache), so parallel submissions cannot
    # all pass the check above; only well-formed submissions use up the limit.
    if not rate_count(ip=ip):
        return render(request, "webform/limited.html", {"phone": PHONE}, status=429)
    cleaned = form.cleaned_data
    try:
        contact = webform_submit(
            question_type=cleaned["question_type"],
            message=cleaned["message"],
            name=cleaned["name"],
            email=cleaned["email"],
            postcode=cleaned["postcode"],
        )
    except ValidationError as exc:
        apply_service_errors(form, exc, aliases={"caller_email": "email", "caller_name": "name"})
        return _render_form(request, form, status=400)
    token = signing.dumps(
        {"c": contact.pk, "e": bool(cleaned["email"])}, salt=_SENT_SALT, compress=False
    )
    return redirect("webform:sent", token=token)


@public_page
@require_GET
def sent(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = signing.loads(token, salt=_SENT_SALT, max_age=SENT_LINK_VALID_SECONDS)
        reference = format_reference(int(data["c"]))
        has_email = bool(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404 from None
    context = {"reference": reference, "has_email": has_email, "phone": PHONE}
    return render(request, "webform/sent.html", context)


@public_page
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "webform/privacy.html", {"phone": PHONE})
