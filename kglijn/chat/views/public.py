"""The parent's chat page: no login, Dutch, never cached. The signed chat cookie is the only key.

One page, four states: the start form (open), the closed notice with the other channels, the
live chat (the websocket widget, static/chat/widget.js) and the ended chat (transcript, download,
satisfaction survey). Every write goes through kglijn.chat.services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kglijn.chat import selectors, services
from kglijn.chat.forms import ChatStartForm
from kglijn.chat.hours import PHONE_NUMBER, ChatOpening, chat_opening
from kglijn.chat.models import Chat, ChatStatus, EndedBy
from kglijn.chat.presenters import RawMessage, message_payload, transcript_text
from kglijn.chat.tokens import (
    COOKIE_NAME,
    COOKIE_PATH,
    TOKEN_MAX_AGE,
    chat_token_make,
    chat_token_read,
)
from kglijn.core.public import public_page
from kglijn.core.ratelimit import ratelimit_hit
from kglijn.surveys.forms import SurveyForm
from kglijn.surveys.services import SurveyInvalid, survey_version_current

LANGUAGE = "nl-be"
CONTACT_FORM_URL = "/contact/"


def _chat_of(request: HttpRequest) -> Chat | None:
    chat_id = chat_token_read(request.COOKIES.get(COOKIE_NAME))
    if chat_id is None:
        return None
    chat = selectors.chat_get(chat_id=chat_id)
    if chat is None or chat.transcript_deleted_at is not None:
        return None
    return chat


def _hours(office: str) -> tuple[str, str] | None:
    monday = settings.KGLIJN_OPENING_HOURS.get(office, {}).get(0)
    if monday is None:
        return None
    return (monday[0].lstrip("0").replace(":00", ""), monday[1].lstrip("0").replace(":00", ""))


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    opening: ChatOpening = extra.pop("opening", None) or chat_opening(now=now)
    return {
        "opening": opening,
        "phone": PHONE_NUMBER,
        "contact_url": CONTACT_FORM_URL,
        "chat_hours": _hours("pgjo"),
        "phone_hours": _hours("front"),
        **extra,
    }


def _transcript_rows(chat: Chat) -> list[dict[str, Any]]:
    return [
        message_payload(RawMessage.of(message), viewer="parent")
        for message in selectors.chat_messages_after(chat_id=chat.pk, after=0)
    ]


def _ended_context(
    chat: Chat, survey_form: SurveyForm | None = None, *, confirm_new: bool = False
) -> dict[str, Any]:
    survey_open = chat.accepted_at is not None and chat.survey_answered_at is None
    if survey_open and survey_form is None:
        survey_form = SurveyForm(
            version=survey_version_current(), language=LANGUAGE, require_one=True
        )
    return {
        "state": "ended",
        "chat": chat,
        "rows": _transcript_rows(chat),
        "survey_form": survey_form if survey_open else None,
        "survey_done": chat.survey_answered_at is not None,
        "closed_unanswered": chat.accepted_at is None
        and chat.ended_by in (EndedBy.CLOSING, EndedBy.LEFT),
        "confirm_new": confirm_new and survey_open,
    }


def widget_texts() -> dict[str, str]:
    """The widget script's words, translated here (the script itself holds no text)."""
    return {
        "connecting": _("Connecting…"),
        "reconnecting": _("The connection was lost. We are reconnecting…"),
        "queued": _("You are number %(position)s in the queue."),
        "wait_now": _("A nurse will answer you in a moment."),
        "wait_one": _("Expected waiting time: about 1 minute."),
        "wait_minutes": _("Expected waiting time: about %(minutes)s minutes."),
        "wait_unknown": _(
            "No nurse is available at this moment. Please wait, or call us on %(phone)s."
        )
        % {"phone": PHONE_NUMBER},
        "active": _("You are chatting with %(nurse)s."),
        "active_anonymous": _("You are chatting with a nurse."),
        "ended": _("The conversation has ended."),
        "sending": _("sending…"),
        "not_sent": _("not sent yet"),
        "you": _("You"),
        "end_confirm": _("Do you want to end the chat?"),
        "gone": _("This chat is no longer available."),
    }


@public_page
@require_GET
def widget(request: HttpRequest) -> HttpResponse:
    chat = _chat_of(request)
    if chat is not None and chat.status in (ChatStatus.QUEUED, ChatStatus.ACTIVE):
        context = _context(request, state="live", chat=chat, texts=widget_texts())
        return render(request, "chat/widget.html", context)
    if chat is not None:
        return render(request, "chat/widget.html", _context(request, **_ended_context(chat)))
    context = _context(request, form=ChatStartForm())
    context["state"] = "start" if context["opening"].open else "closed"
    return render(request, "chat/widget.html", context)


@public_page
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    current = _chat_of(request)
    if current is not None and current.status in (ChatStatus.QUEUED, ChatStatus.ACTIVE):
        return redirect("chat:widget")  # one chat at a time per browser
    form = ChatStartForm(request.POST)
    if form.is_valid():
        # Counted per client in the shared cache before anything is stored (REMOTE_ADDR is the
        # real client: `kglijn serve` only believes X-Forwarded-For from trusted proxies).
        starts = ratelimit_hit(
            scope="chat-start",
            client=str(request.META.get("REMOTE_ADDR") or "unknown"),
            limit=settings.KGLIJN_CHAT_START_LIMIT,
            window=settings.KGLIJN_CHAT_START_WINDOW,
        )
        if not starts.allowed:
            message = _(
                "You started several chats in a short time. Try again in a few minutes, call "
                "us on %(phone)s or use the contact form."
            ) % {"phone": PHONE_NUMBER}
            response = render(
                request,
                "chat/widget.html",
                _context(request, state="busy", busy_message=message),
                status=429,
            )
            response["Retry-After"] = str(starts.retry_after)
            return response
        try:
            chat = services.chat_start(
                first_name=form.cleaned_data["first_name"],
                postcode=form.cleaned_data["postcode"],
                now=timezone.now(),
            )
        except services.ChatClosed as closed:
            return render(
                request,
                "chat/widget.html",
                _context(request, state="closed", opening=closed.opening),
            )
        except services.ChatQueueFull as full:
            response = render(
                request,
                "chat/widget.html",
                _context(request, state="busy", busy_message=full.message),
                status=503,
            )
            response["Retry-After"] = "60"
            return response
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            response = redirect("chat:widget")
            response.set_cookie(
                COOKIE_NAME,
                chat_token_make(chat_id=chat.pk),
                max_age=TOKEN_MAX_AGE,
                path=COOKIE_PATH,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
    context = _context(request, form=form)
    context["state"] = "start" if context["opening"].open else "closed"
    return render(request, "chat/widget.html", context, status=400)


@public_page
@require_POST
def end(request: HttpRequest) -> HttpResponse:
    chat = _chat_of(request)
    if chat is not None:
        services.chat_end(chat_id=chat.pk, ended_by=EndedBy.PARENT, now=timezone.now())
    return redirect("chat:widget")


@public_page
@require_POST
def new_chat(request: HttpRequest) -> HttpResponse:
    """Forget this browser's chat (its cookie) so the parent can start a new one. With the
    satisfaction survey still unanswered the page asks first (no silent drop); the parent's
    "yes" comes back with confirm=1."""
    chat = _chat_of(request)
    if (
        chat is not None
        and chat.status in (ChatStatus.ENDED, ChatStatus.WRAPPED)
        and chat.accepted_at is not None
        and chat.survey_answered_at is None
        and request.POST.get("confirm") != "1"
    ):
        return render(
            request, "chat/widget.html", _context(request, **_ended_context(chat, confirm_new=True))
        )
    if chat is not None and chat.status in (ChatStatus.QUEUED, ChatStatus.ACTIVE):
        services.chat_end(chat_id=chat.pk, ended_by=EndedBy.PARENT, now=timezone.now())
    response = redirect("chat:widget")
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, samesite="Lax")
    return response


@public_page
@require_GET
def transcript_download(request: HttpRequest) -> HttpResponse:
    chat = _chat_of(request)
    if chat is None:
        raise Http404
    messages = selectors.chat_messages_after(chat_id=chat.pk, after=0)
    started: dt.datetime = timezone.localtime(chat.created_at)
    response = HttpResponse(
        transcript_text(chat, messages, viewer="parent"), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="kind-en-gezin-lijn-chat-{started:%Y%m%d-%H%M}.txt"'
    )
    return response


@public_page
@require_http_methods(["POST"])
def survey(request: HttpRequest) -> HttpResponse:
    chat = _chat_of(request)
    if chat is None:
        return redirect("chat:widget")
    form = SurveyForm(request.POST, version=survey_version_current(), language=LANGUAGE)
    if form.is_valid():
        try:
            services.chat_survey_answer(
                chat_id=chat.pk, answers=form.answers(), remark=form.remark(), now=timezone.now()
            )
        except SurveyInvalid as invalid:
            for field, message in invalid.errors:
                form.add_error(field if field in form.fields else None, message)
        except services.ChatError:
            return redirect("chat:widget")  # already answered, or no survey for this chat
        else:
            return redirect("chat:widget")
    chat.refresh_from_db()
    return render(
        request,
        "chat/widget.html",
        _context(request, **_ended_context(chat, survey_form=form)),
        status=400,
    )
