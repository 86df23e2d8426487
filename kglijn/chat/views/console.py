"""The nurse's side: the console page (live over the websocket, static/chat/console.js), the
wrap-up of an ended chat into a contact, and the transcript pages for PGJO roles (audited)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kglijn.chat import selectors, services
from kglijn.chat.forms import ChatWrapUpForm
from kglijn.chat.models import Chat, ChatStatus
from kglijn.chat.presenters import RawMessage, message_payload, transcript_text
from kglijn.contacts.forms import apply_service_errors
from kglijn.contacts.models import Contact, Customer
from kglijn.contacts.services import customer_find_or_create

KNOWLEDGE_PANEL = "knowledge/_search_panel.html"
_ALIASES = {"customer": "customer_kind", "reason_codes": "reasons"}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _knowledge_panel() -> str | None:
    """The knowledge base's search panel when that app provides it (else no panel)."""
    try:
        get_template(KNOWLEDGE_PANEL)
    except TemplateDoesNotExist:
        return None
    return KNOWLEDGE_PANEL


def console_texts() -> dict[str, str]:
    """The console script's words, translated here (the script itself holds no text)."""
    return {
        "connecting": _("Connecting…"),
        "online": _("Online: you receive chats."),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "forbidden": _("You may not answer chats."),
        "parent": _("Parent"),
        "waiting": _("waiting %(time)s"),
        "waited": _("waited %(seconds)s s"),
        "accept": _("Accept"),
        "accept_label": _("Accept the chat of %(who)s"),
        "full": _("You have %(max)s chats at once."),
        "ended": _("ended — wrap it up"),
        "you": _("You"),
        "sending": _("sending…"),
        "no_colleagues": _("No colleague online with room"),
        "colleague": _("%(name)s (%(active)s chats)"),
        "transfer_confirm": _("Transfer this chat to the chosen colleague?"),
        "end_confirm": _("End this chat? The parent can no longer write."),
        "parent_gone": _(
            "The parent is no longer connected. Without a connection the chat ends by itself "
            "after %(seconds)s seconds."
        )
        % {"seconds": int(settings.KGLIJN_CHAT_PRESENCE_TIMEOUT)},
        "parent_back": _("The parent is back."),
        "parent_left": _("The parent left the conversation. You can wrap it up."),
    }


@require_GET
@login_required
@permission_required("chat.handle_chat", raise_exception=True)
def console(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "chat/console.html",
        {
            "max_per_nurse": selectors.max_per_nurse(),
            "knowledge_panel": _knowledge_panel(),
            "recent": list(selectors.chat_recent_wrapped(user=user)),
            "can_view_transcript": selectors.can_view_transcript(user=user),
            "texts": console_texts(),
        },
    )


def _rows(chat: Chat, user: User) -> list[dict[str, Any]]:
    return [
        message_payload(
            RawMessage.of(message), viewer="staff", viewer_id=user.pk, parent_name=chat.first_name
        )
        for message in selectors.chat_messages_after(chat_id=chat.pk, after=0)
    ]


def _customer_for(form: ChatWrapUpForm) -> Customer | None:
    data = form.cleaned_data
    if data["anonymous"] or not data["customer_kind"]:
        return None
    return customer_find_or_create(
        kind=data["customer_kind"],
        name=data["caller_name"],
        email=data["caller_email"],
        phone=data["caller_phone"],
        postcode=data["postcode"],
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("chat.handle_chat", raise_exception=True)
def wrap_up(request: HttpRequest, chat_id: int) -> HttpResponse:
    """Register the nurse's own ended chat as one chat contact. The transcript shown here is the
    nurse's own conversation (not a staff read of someone else's: not audited)."""
    user = _user(request)
    chat = selectors.chat_get(chat_id=chat_id)
    if chat is None or chat.nurse_id != user.pk or chat.status != ChatStatus.ENDED:
        messages.error(request, _("This chat cannot be wrapped up (any more)."))
        return redirect("chat:console")
    initial = {
        "province": chat.province,
        # A first name is personal data: the contact is anonymous unless the parent gave one
        # (ADR 0011 §6); the nurse can still tick "anonymous" and drop it.
        "anonymous": not chat.first_name,
        "caller_name": chat.first_name,
    }
    can_write = user.has_perm("contacts.change_health_note")
    form = ChatWrapUpForm(request.POST or None, initial=initial, can_write_health_note=can_write)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                customer = _customer_for(form)
                contact = services.chat_wrap_up(
                    chat_id=chat.pk,
                    by=user,
                    now=timezone.now(),
                    province=data["province"],
                    postcode=data["postcode"],
                    topic=data["topic"],
                    reason_codes=[r.code for r in data["reasons"]],
                    referral_codes=[r.code for r in data["referrals"]],
                    notes=data["notes"],
                    health_note=data.get("health_note", ""),
                    anonymous=data["anonymous"],
                    customer=customer,
                    caller_name="" if customer else data["caller_name"],
                    caller_phone="" if customer else data["caller_phone"],
                    caller_email="" if customer else data["caller_email"],
                )
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases=_ALIASES)
            form.add_error(None, _("Nothing was saved. Correct the marked fields and try again."))
        except services.ChatError as exc:
            messages.error(request, exc.message)
            return redirect("chat:console")
        else:
            messages.success(
                request,
                _("Chat wrapped up: contact %(ref)s registered.") % {"ref": contact.reference},
            )
            return redirect("chat:console")
    return render(
        request,
        "chat/wrapup.html",
        {"chat": chat, "form": form, "rows": _rows(chat, user)},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@login_required
def transcript(request: HttpRequest, chat_id: int) -> HttpResponse:
    user = _user(request)
    chat, chat_messages = selectors.transcript_get_for_user(user=user, chat_id=chat_id)
    rows = [
        message_payload(RawMessage.of(m), viewer="staff", parent_name=chat.first_name)
        for m in chat_messages
    ]
    contact: Contact | None = chat.contact
    return render(
        request,
        "chat/transcript.html",
        {
            "chat": chat,
            "rows": rows,
            "contact": contact,
            "retention_days": settings.KGLIJN_CHAT_RETENTION_DAYS,
        },
    )


@require_GET
@login_required
def transcript_txt(request: HttpRequest, chat_id: int) -> HttpResponse:
    user = _user(request)
    chat, chat_messages = selectors.transcript_get_for_user(user=user, chat_id=chat_id)
    response = HttpResponse(
        transcript_text(chat, chat_messages, viewer="staff"),
        content_type="text/plain; charset=utf-8",
    )
    reference = chat.contact.reference if chat.contact else f"chat-{chat.pk}"
    response["Content-Disposition"] = f'attachment; filename="transcript-{reference}.txt"'
    return response


@require_GET
@login_required
def contact_transcript(request: HttpRequest, contact_id: int) -> HttpResponse:
    """From a contact to the transcript of the chat it came from (PGJO roles only)."""
    chat_id = selectors.transcript_chat_for_contact(user=_user(request), contact_id=contact_id)
    return redirect("chat:transcript", chat_id=chat_id)
