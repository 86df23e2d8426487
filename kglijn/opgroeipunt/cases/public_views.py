"""The public intake form (/melden/): no login, Dutch, no third-party assets, anonymous allowed.

POST -> rate limit (kglijn.core.ratelimit, its own scope) -> honeypot -> form -> case_create ->
redirect to the thanks page with the reference (a signed, short-lived link that reveals only
the reference and whether it was a danger situation). A location given by name and postcode is
linked when it matches exactly one location; otherwise what was typed goes into the
description, so nothing the citizen said is lost.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kglijn.core.public import public_page
from kglijn.core.ratelimit import ratelimit_hit, ratelimit_peek
from kglijn.opgroeipunt.cases.forms import PublicCaseForm, apply_case_invalid
from kglijn.opgroeipunt.cases.services import CaseInvalid, ReporterData, case_create
from kglijn.opgroeipunt.models import CaseKind, CaseSource, Location

_THANKS_SALT = "kglijn.opgroeipunt.thanks"
THANKS_LINK_VALID_SECONDS = 3600
_RATE_SCOPE = "opgroeipunt_form"
_ALIASES = {
    "reporter_name": "name",
    "reporter_email": "email",
    "reporter_phone": "phone",
    "locations": "location_name",
}


def _client_ip(request: HttpRequest) -> str:
    # As the web form: `kglijn serve` sets REMOTE_ADDR (X-Forwarded-For only from trusted proxies).
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _limited(ip: str) -> bool:
    return not ratelimit_peek(
        scope=_RATE_SCOPE,
        client=ip,
        limit=settings.KGLIJN_OPGROEIPUNT_FORM_LIMIT,
        window=settings.KGLIJN_OPGROEIPUNT_FORM_WINDOW,
    ).allowed


def _count(ip: str) -> bool:
    return ratelimit_hit(
        scope=_RATE_SCOPE,
        client=ip,
        limit=settings.KGLIJN_OPGROEIPUNT_FORM_LIMIT,
        window=settings.KGLIJN_OPGROEIPUNT_FORM_WINDOW,
    ).allowed


def public_location_match(name: str, postcode: str) -> Location | None:
    """The one location with this name (or external id) and postcode, else None."""
    name = " ".join(name.split())
    if not name:
        return None
    qs = Location.objects.filter(external_id=name)
    if not qs.exists():
        qs = Location.objects.filter(name__iexact=name)
        if postcode:
            qs = qs.filter(postcode=postcode)
    found = list(qs[:2])
    return found[0] if len(found) == 1 else None


def _render(request: HttpRequest, form: PublicCaseForm, *, status: int = 200) -> HttpResponse:
    return render(request, "opgroeipunt/public/form.html", {"form": form}, status=status)


@public_page
@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, PublicCaseForm())
    ip = _client_ip(request)
    if _limited(ip):
        return render(request, "opgroeipunt/public/limited.html", status=429)
    form = PublicCaseForm(request.POST)
    if form.honeypot_filled:
        _count(ip)  # looks like success to the robot; nothing is stored
        return render(request, "opgroeipunt/public/thanks.html", {"reference": ""})
    if not form.is_valid():
        return _render(request, form, status=400)
    if not _count(ip):
        return render(request, "opgroeipunt/public/limited.html", status=429)
    data = form.cleaned_data
    location = public_location_match(data["location_name"], data["location_postcode"])
    description = data["description"]
    if location is None and (data["location_name"] or data["location_postcode"]):
        given = ", ".join(
            part for part in (data["location_name"], data["location_postcode"]) if part
        )
        description = _("Childcare location (as given): %(location)s") % {"location": given} + (
            "\n\n" + description
        )
    try:
        case = case_create(
            kind=data["kind"],
            source=CaseSource.PUBLIC_FORM,
            description=description,
            locations=[location] if location is not None else [],
            reporter=ReporterData(name=data["name"], email=data["email"], phone=data["phone"]),
            measures=data["measures"],
            measures_from=data["measures_from"],
            measures_until=data["measures_until"],
        )
    except CaseInvalid as exc:
        apply_case_invalid(form, exc, aliases=_ALIASES)
        return _render(request, form, status=400)
    token = signing.dumps(
        {"c": case.pk, "d": case.kind == CaseKind.DANGER, "k": case.kind},
        salt=_THANKS_SALT,
        compress=False,
    )
    return redirect("opgroeipunt_public:thanks", token=token)


@public_page
@require_GET
def public_thanks(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = signing.loads(token, salt=_THANKS_SALT, max_age=THANKS_LINK_VALID_SECONDS)
        reference = f"OP-{int(data['c'])}"
        danger = bool(data["d"])
        kind = str(data.get("k", ""))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404 from None
    context = {"reference": reference, "danger": danger, "complaint": kind == CaseKind.COMPLAINT}
    return render(request, "opgroeipunt/public/thanks.html", context)
