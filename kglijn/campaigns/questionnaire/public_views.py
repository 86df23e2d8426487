"""The respondent's pages behind the invitation mail: no login, Dutch with "je" (English when
the respondent picks it), one page per theme, answers saved per page.

The token in the URL is the only key: one of the invitation's mails' tokens (only its hash is
stored). An unknown or expired one gets a kind 404 page; an invitation already completed or
opted out, or a closed survey, a kind 410 page (single use). Every token of an invitation opens
the same response, so a reminder's link continues where the respondent stopped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kglijn.campaigns.models import (
    CampaignStatus,
    Invitation,
    InvitationMail,
    InvitationStatus,
    Item,
    Mode,
    OptOut,
    Response,
    ResponseSource,
)
from kglijn.campaigns.questionnaire.pages import Page, posted_data, questions, version_pages
from kglijn.campaigns.questionnaire.services import (
    Problem,
    answered,
    answers_check_and_save,
    condition_answers,
    drop_hidden,
    response_answers,
    response_complete,
    visible_among,
)
from kglijn.campaigns.tokens import (
    CAMPAIGN_TOKEN,
    optout_hash,
    token_hash,
    token_well_formed,
)

DUTCH = "nl-be"
ENGLISH = "en"
LANGUAGES = (DUTCH, ENGLISH)
View = Callable[..., HttpResponse]
_STEP = re.compile(r"[0-9]{1,6}")


def language_of(code: str) -> str:
    return ENGLISH if (code or "").lower().startswith("en") else DUTCH


def _public(view: View) -> View:
    """Never cached, not indexed, Dutch unless the view renders in the respondent's language."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        with translation.override(DUTCH):
            response = view(request, *args, **kwargs)
        if not response.has_header("Content-Language"):
            response["Content-Language"] = "nl"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    language: str = DUTCH,
    status: int = 200,
) -> HttpResponse:
    with translation.override(language):
        response = render(request, template, context, status=status)
    response["Content-Language"] = "en" if language == ENGLISH else "nl"
    return response


class Refused(Exception):
    def __init__(self, refusal: str, language: str = DUTCH) -> None:
        super().__init__(refusal)
        self.refusal = refusal
        self.language = language


REFUSAL_STATUS = {"unknown": 404, "expired": 404, "completed": 410, "opted_out": 410, "closed": 410}


def _refused(request: HttpRequest, refused: Refused) -> HttpResponse:
    return _render(
        request,
        "campaigns/public/refused.html",
        {"refusal": refused.refusal},
        language=refused.language,
        status=REFUSAL_STATUS[refused.refusal],
    )


def invitation_for_token(token: str, *, allow_expired: bool = False) -> Invitation:
    """The invitation whose mail carries `token`, or Refused("unknown"/"expired")."""
    if not token_well_formed(token):
        raise Refused("unknown")
    mail = (
        InvitationMail.objects.select_related("invitation__unit", "invitation__campaign__version")
        .filter(token_hash=token_hash(token), sent_at__isnull=False)
        .first()
    )
    if mail is None or mail.sent_at is None:
        raise Refused("unknown")
    invitation = mail.invitation
    if not allow_expired and CAMPAIGN_TOKEN.expires_at(mail.sent_at) < timezone.now():
        raise Refused("expired", language_of(invitation.unit.language))
    return invitation


def _open_invitation(token: str) -> Invitation:
    invitation = invitation_for_token(token)
    language = language_of(invitation.unit.language)
    if invitation.status == InvitationStatus.COMPLETED:
        raise Refused("completed", language)
    if invitation.status == InvitationStatus.OPTED_OUT:
        raise Refused("opted_out", language)
    if invitation.campaign.status == CampaignStatus.CLOSED:
        raise Refused("closed", language)
    return invitation


def _response_for(invitation: Invitation) -> Response:
    """The invitation's response, created on the first opening."""
    existing = Response.objects.filter(invitation=invitation).first()
    if existing is not None:
        return existing
    unit = invitation.unit
    try:
        with transaction.atomic():
            return Response.objects.create(
                campaign=invitation.campaign,
                unit=unit,
                invitation=invitation,
                source=ResponseSource.APP,
                mode=Mode.WEB,
                language=language_of(unit.language),
                strata=unit.strata,
                stratum=unit.stratum,
                started_at=timezone.now(),
            )
    except IntegrityError:  # opened twice at the same moment, or entered by phone meanwhile
        return Response.objects.get(unit=unit)


def _displayed(pages: list[Page], items: list[Item], saved: dict[str, str]) -> list[Page]:
    """The pages with the items to show: those visible with the saved answers, and those whose
    condition is on the same page (the page's script shows them as the answer is given)."""
    visible = {item.pk for item in visible_among(items, saved)}
    result = []
    for page in pages:
        keys = {item.pk for item in page.items}
        shown = [
            item
            for item in page.items
            if item.pk in visible
            or (item.show_if_item_id in keys and item.show_if_item_id in visible)
        ]
        if shown:
            result.append(Page(page.key, page.title, shown))
    return result


def _page_count(items: list[Item], language: str, response: Response) -> int:
    saved = condition_answers(response_answers(response))
    return len(_displayed(version_pages(items, language), items, saved))


def _step(value: str | None, count: int) -> int:
    """The page asked for (1-based), within the pages there are; anything else is page 1."""
    if value and _STEP.fullmatch(value):
        return min(max(int(value), 1), count)
    return 1


def _errors(problems: list[Problem]) -> dict[str, dict[str, list[str]]]:
    errors: dict[str, dict[str, list[str]]] = {}
    for problem in problems:
        errors.setdefault(problem.key, {}).setdefault(problem.field, []).append(problem.message)
    return errors


def _go(token: str, step: int) -> HttpResponseRedirect:
    return redirect(f"{reverse('campaigns_public:questionnaire', args=[token])}?stap={step}")


@_public
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = _open_invitation(token)
    except Refused as refused:
        return _refused(request, refused)
    response = _response_for(invitation)
    if response.completed_at is not None:
        return _refused(request, Refused("completed", language_of(response.language)))
    language = language_of(response.language)
    version = invitation.campaign.version
    items = list(version.items.select_related("theme", "show_if_item").order_by("position"))
    answers = response_answers(response)
    pages = _displayed(version_pages(items, language), items, condition_answers(answers))
    if not pages:
        return _refused(request, Refused("closed", language))
    post = request.POST if request.method == "POST" else None
    step = _step((post or request.GET).get("stap"), len(pages))

    if post is not None and post.get("taal") in LANGUAGES:
        response.language = post["taal"]
        response.save(update_fields=["language"])
        return _go(token, step)

    errors: dict[str, dict[str, list[str]]] = {}
    values: dict[str, dict[str, str]] | None = None
    status = 200
    if post is not None:
        page = pages[step - 1]
        action = post.get("actie", "next")
        data = drop_hidden(items, posted_data(page.items, post), condition_answers(answers))
        with translation.override(language):
            problems = answers_check_and_save(response, data)
            if not problems and action != "back":
                answers = response_answers(response)
                problems = _required_missing(page.items, items, answers)
        if problems:
            errors = _errors(problems)
            values = {k: {f: str(v or "") for f, v in d.items()} for k, d in data.items()}
            status = 400
        elif action == "back":
            return _go(token, max(step - 1, 1))
        elif step < _page_count(items, language, response):
            return _go(token, step + 1)  # an answer may have added a page (a condition met)
        else:
            with translation.override(language):
                missing = response_complete(response, timezone.now())
            if not missing:
                return redirect("campaigns_public:thanks")
            status = 400
            errors = {"*": {"*": [_("Some earlier questions still need an answer.")]}}
        answers = response_answers(response)
        pages = _displayed(version_pages(items, language), items, condition_answers(answers))
        step = min(step, len(pages))

    page = pages[step - 1]
    with translation.override(language):
        page_questions = questions(
            page.items, language, values=values, answers=answers, errors=errors
        )
        error_links = [
            (f"q-{q.item.key}", f"{q.text}: {message}")
            for q in page_questions
            for message in [*q.errors, *[m for s in q.scales for m in s.errors]]
        ] + [("main", message) for message in errors.get("*", {}).get("*", [])]
    return _render(
        request,
        "campaigns/public/questionnaire.html",
        {
            "page": page,
            "questions": page_questions,
            "step": step,
            "steps": len(pages),
            "progress": round(100 * step / len(pages)),
            "first": step == 1,
            "last": step == len(pages),
            "introduction": (
                (version.introduction_en or version.introduction_nl)
                if language == ENGLISH
                else version.introduction_nl
            )
            if step == 1
            else "",
            "error_links": error_links,
            "language": language,
            "token": token,
            "action": request.path,
        },
        language=language,
        status=status,
    )


def _required_missing(
    page_items: list[Item], items: list[Item], answers: dict[str, Any]
) -> list[Problem]:
    visible = {item.pk for item in visible_among(items, condition_answers(answers))}
    return [
        Problem(item.key, "*", _("This question needs an answer."))
        for item in page_items
        if item.required and item.pk in visible and not answered(answers.get(item.key))
    ]


@_public
@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    language = language_of(request.GET.get("taal", ""))
    return _render(request, "campaigns/public/thanks.html", {}, language=language)


# Exempt from CSRF, as the post-contact survey's opt-out: a mail client posts the one-click
# unsubscribe (RFC 8058) without our form; the token is the authorisation.
@csrf_exempt
@_public
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (link scanners must not opt anyone out); POST opts out for every
    later survey. An expired link still opts out; idempotent."""
    try:
        invitation = invitation_for_token(token, allow_expired=True)
    except Refused as refused:
        return _refused(request, refused)
    existing = Response.objects.filter(invitation=invitation).first()
    language = language_of(existing.language if existing else invitation.unit.language)
    if request.method == "POST":
        with transaction.atomic():
            email = invitation.unit.email
            if email:
                OptOut.objects.get_or_create(
                    email_hash=optout_hash(email), defaults={"campaign": invitation.campaign}
                )
            if invitation.status != InvitationStatus.COMPLETED:
                Invitation.objects.filter(pk=invitation.pk).update(
                    status=InvitationStatus.OPTED_OUT
                )
        return _render(request, "campaigns/public/opted_out.html", {}, language=language)
    return _render(
        request, "campaigns/public/opt_out.html", {"action": request.path}, language=language
    )
