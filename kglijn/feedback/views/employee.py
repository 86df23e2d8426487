"""The employee's pages: register a visit (and hand out its card), read one's own feedback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kglijn.core.periods import month_bounds
from kglijn.feedback.cards import qr_svg
from kglijn.feedback.figures import Figures
from kglijn.feedback.forms import VisitForm, apply_service_errors
from kglijn.feedback.models import SCORE_MAX, SCORE_MIN, LocalTeam
from kglijn.feedback.selectors import (
    feedback_for_employee,
    local_team_ids_led,
    local_teams_of_user,
    visit_answered,
    visit_get_for_employee,
    visits_open_for_employee,
)
from kglijn.feedback.services import feedback_mark_seen, visit_register, visit_token_reissue

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _token_key(visit_id: int) -> str:
    # The raw token lives only in the issuing employee's own (server-side) session, so the card
    # can be shown again and printed; the visit row holds its hash only.
    return f"feedback_token_{visit_id}"


@require_GET
@login_required
def my_feedback(request: HttpRequest) -> HttpResponse:
    """The feedback on the user's own visits, newest first; opening the page marks it seen."""
    user = _user(request)
    feedback = feedback_for_employee(user=user)
    page = Paginator(feedback, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    new_ids = {entry.pk for entry in entries if entry.seen_at is None}
    feedback_mark_seen(employee=user)
    scores = list(feedback.values_list("score", flat=True))
    summary = Figures(
        visits=0,
        distribution=tuple(scores.count(s) for s in range(SCORE_MIN, SCORE_MAX + 1)),
    )
    first, _last = month_bounds(timezone.localdate())
    led = LocalTeam.objects.filter(pk__in=local_team_ids_led(user=user)).order_by("name")
    return render(
        request,
        "feedback/my_feedback.html",
        {
            "page": page,
            "entries": entries,
            "new_ids": new_ids,
            "summary": summary,
            "teams": list(local_teams_of_user(user=user)),
            "open_visits": list(visits_open_for_employee(user=user)[:20]),
            "led_teams": list(led),
            "this_month": first.strftime("%Y-%m"),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    teams = local_teams_of_user(user=user)
    if not teams.exists():
        raise PermissionDenied
    form = VisitForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            visit, token = visit_register(
                employee=user,
                kind=form.cleaned_data["kind"],
                local_team=form.cleaned_data["local_team"],
                visited_on=form.cleaned_data["visited_on"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            request.session[_token_key(visit.pk)] = token
            return redirect("feedback:visit_card", visit_id=visit.pk)
    return render(request, "feedback/visit_new.html", {"form": form})


@never_cache
@require_GET
@login_required
def visit_card(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The printable card with the QR code and the short link, for the employee's own visit."""
    user = _user(request)
    visit = visit_get_for_employee(user=user, visit_id=visit_id)
    answered = visit_answered(visit=visit)
    expired = timezone.now() >= visit.token_expires_at
    token = request.session.get(_token_key(visit.pk)) if not (answered or expired) else None
    if answered or expired:
        request.session.pop(_token_key(visit.pk), None)
    link = qr = None
    if token:
        link = request.build_absolute_uri(reverse("feedback:answer", args=[token]))
        qr = qr_svg(link)
    return render(
        request,
        "feedback/visit_card.html",
        {"visit": visit, "answered": answered, "expired": expired, "link": link, "qr": qr},
    )


@require_POST
@login_required
def visit_reissue(request: HttpRequest, visit_id: int) -> HttpResponse:
    """A new link for a lost card; the old one stops working."""
    user = _user(request)
    visit = visit_get_for_employee(user=user, visit_id=visit_id)
    try:
        visit, token = visit_token_reissue(visit_id=visit.pk, employee=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        request.session[_token_key(visit.pk)] = token
    return redirect("feedback:visit_card", visit_id=visit.pk)
