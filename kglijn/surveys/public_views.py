"""The public survey page behind the invitation mail: no login, Dutch, one use per link.

The token in the URL is the only key (ADR 0008): an unknown or altered one is refused (404),
an expired or already used one kindly (410). Nothing about the contact is shown but the date
of our answer.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kglijn.core.public import public_page
from kglijn.surveys.forms import SurveyForm
from kglijn.surveys.invitations import (
    InvitationRefused,
    Refusal,
    invitation_answer,
    invitation_for_token,
    invitation_opt_out,
)
from kglijn.surveys.services import SurveyInvalid, survey_version_current

LANGUAGE = "nl-be"
REFUSAL_STATUS = {Refusal.UNKNOWN: 404, Refusal.EXPIRED: 410, Refusal.USED: 410}


def _refused(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    return render(
        request,
        "surveys/public/refused.html",
        {"refusal": refusal.value},
        status=REFUSAL_STATUS[refusal],
    )


@public_page(noindex=True)
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_for_token(token=token, now=timezone.now())
    except InvitationRefused as refused:
        return _refused(request, refused.refusal)
    version = survey_version_current()
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, version=version, language=LANGUAGE)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_answer(
                token=token, answers=form.answers(), remark=form.remark(), now=timezone.now()
            )
        except InvitationRefused as refused:
            return _refused(request, refused.refusal)
        except SurveyInvalid as invalid:
            for field, message in invalid.errors:
                form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("survey_public:thanks")
    return render(
        request,
        "surveys/public/survey.html",
        {"form": form, "answered_at": invitation.contact.answered_at},
    )


@public_page(noindex=True)
@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/public/thanks.html")


# Exempt from CSRF: mail clients post the one-click unsubscribe of RFC 8058 without a form.
# The token is the authorisation; a forged post can only do what the link's owner asked.
@csrf_exempt
@public_page(noindex=True)
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (link scanners must not opt anyone out); POST opts out."""
    if request.method == "POST":
        try:
            invitation_opt_out(token=token)
        except InvitationRefused as refused:
            return _refused(request, refused.refusal)
        return render(request, "surveys/public/opted_out.html")
    try:
        invitation_for_token(token=token, now=timezone.now())
    except InvitationRefused as refused:
        if refused.refusal == Refusal.UNKNOWN:
            return _refused(request, refused.refusal)
    return render(request, "surveys/public/opt_out.html", {"action": request.path})
