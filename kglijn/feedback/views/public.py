"""The parent's page: answer one question about a visit, without logging in.

Dutch by default, mobile-first, no third-party assets, not cached, not indexed; with nothing
loaded from elsewhere the link never leaks through a Referer header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kglijn.feedback.forms import FeedbackForm, apply_service_errors
from kglijn.feedback.selectors import FeedbackLinkError, visit_for_token
from kglijn.feedback.services import feedback_submit

REFUSED_STATUS = {
    FeedbackLinkError.UNKNOWN: 404,
    FeedbackLinkError.EXPIRED: 410,
    FeedbackLinkError.ANSWERED: 409,
}


def _private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        # Referrer-Policy stays the site's "same-origin": the page loads nothing from elsewhere,
        # so the token never leaves in a Referer; "no-referrer" would make Chromium send
        # "Origin: null" with the form and fail the CSRF check.
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "feedback/public_refused.html",
        {"reason": reason},
        status=REFUSED_STATUS[reason],
    )


@_private
@require_http_methods(["GET", "POST"])
def feedback_answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        visit = visit_for_token(token=token)
    except FeedbackLinkError as error:
        return _refused(request, error.reason)
    form = FeedbackForm(request.POST or None, kind=visit.kind)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_submit(
                token=token,
                score=form.cleaned_data["score"],
                remark=form.cleaned_data["remark"],
            )
        except FeedbackLinkError as error:
            return _refused(request, error.reason)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("feedback:thanks")
    return render(
        request,
        "feedback/public_answer.html",
        {"form": form, "visit": visit},
    )


@_private
@require_GET
def feedback_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/public_thanks.html")
