"""Every write of the chat channel goes through these functions (see conventions.md).

Each is one transaction that locks the chat's row, so a chat's message numbers have no gaps
and no doubles, whichever server process writes; websocket pushes go out after commit
(kglijn.chat.push).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kglijn.chat import push
from kglijn.chat.hours import PHONE_NUMBER, ChatOpening, chat_opening
from kglijn.chat.models import (
    Chat,
    ChatMessage,
    ChatStatus,
    EndedBy,
    NursePresence,
    Sender,
    SystemEvent,
)
from kglijn.chat.presenters import RawMessage
from kglijn.chat.selectors import PRESENCE_FRESH, max_per_nurse, nurse_active_count
from kglijn.contacts.models import Channel, Contact, Customer, Office
from kglijn.contacts.services import contact_close, contact_register, contact_update
from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.core.provinces import InvalidPostcode, province_for_postcode
from kglijn.surveys.models import Source
from kglijn.surveys.services import (
    SurveyConflict,
    SurveyInvalid,
    survey_answers_errors,
    survey_response_record,
)

logger = logging.getLogger("kglijn.chat")

AUDIT_CHAT = "chat"
MAX_BODY = 2000
MAX_FIRST_NAME = 40
MAX_CLIENT_ID = 64
# Flood protection: at most RATE_MESSAGES parent messages per RATE_SECONDS in one chat.
RATE_MESSAGES = 10
RATE_SECONDS = 10


class ChatError(Exception):
    """A refused action, with a message for the person who tried it. Nothing was stored."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ChatClosed(ChatError):
    def __init__(self, opening: ChatOpening) -> None:
        super().__init__(_("The chat is closed now."), code="closed")
        self.opening = opening


class ChatRateLimited(ChatError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _(
                "You are sending many messages in a short time. Please wait %(seconds)s "
                "seconds; your message has not been sent yet."
            )
            % {"seconds": retry_after},
            code="rate_limited",
        )
        self.retry_after = retry_after


def _locked(chat_id: int) -> Chat:
    try:
        return Chat.objects.select_for_update().get(pk=chat_id)
    except Chat.DoesNotExist as exc:
        raise ChatError(_("This chat does not exist (any more)."), code="unknown") from exc


def _seconds(start: dt.datetime, end: dt.datetime) -> int:
    return max(0, int((end - start).total_seconds()))


def _add_message(
    chat: Chat,
    *,
    sender: str,
    body: str,
    now: dt.datetime,
    author: User | None = None,
) -> ChatMessage:
    """Number and store one message of a locked chat."""
    chat.last_seq += 1
    chat.save(update_fields=["last_seq"])
    return _store(chat.pk, chat.last_seq, sender=sender, body=body, now=now, author=author)


def _store(
    chat_id: int,
    seq: int,
    *,
    sender: str,
    body: str,
    now: dt.datetime,
    author: User | None = None,
    client_id: str = "",
) -> ChatMessage:
    """Store message number `seq`; push it to the chat's group after commit."""
    message = ChatMessage.objects.create(
        chat_id=chat_id,
        seq=seq,
        sender=sender,
        author=author,
        body=body,
        client_id=client_id,
        sent_at=now,
    )
    _push_message(message)
    return message


def _push_message(message: ChatMessage) -> None:
    push.push(
        push.chat_group(message.chat_id),
        {"type": "chat.message", **RawMessage.of(message).as_event()},
    )


def _push_status(chat: Chat) -> None:
    push.push(push.chat_group(chat.pk), {"type": "chat.status", "chat": chat.pk})


class ChatQueueFull(ChatError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Many parents are waiting for a nurse right now, so you cannot start a chat at "
                "this moment. Try again later, call us on %(phone)s or use the contact form."
            )
            % {"phone": PHONE_NUMBER},
            code="queue_full",
        )


# NUL (refused by PostgreSQL) and lone surrogates (not encodable as UTF-8) never reach the database.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_text(value: str) -> str:
    """`value` without the characters no database column can hold."""
    return _UNSTORABLE.sub("", value)


@transaction.atomic
def chat_start(*, first_name: str = "", postcode: str = "", now: dt.datetime) -> Chat:
    """A parent starts a chat: it joins the PGJO queue. Refused outside opening hours
    (ChatClosed); the postcode only gives the province and is not stored; no IP is stored."""
    opening = chat_opening(now=now)
    if not opening.open:
        raise ChatClosed(opening)
    errors: dict[str, str] = {}
    first_name = " ".join(clean_text(first_name).split())
    if len(first_name) > MAX_FIRST_NAME:
        errors["first_name"] = _("At most %(max)s characters.") % {"max": MAX_FIRST_NAME}
    province = ""
    if postcode.strip():
        try:
            province = str(province_for_postcode(postcode))
        except InvalidPostcode as exc:
            errors["postcode"] = str(exc)
    if errors:
        raise ValidationError(errors)
    cap = settings.KGLIJN_CHAT_MAX_WAITING
    if cap > 0 and Chat.objects.filter(status=ChatStatus.QUEUED).count() >= cap:
        raise ChatQueueFull
    chat = Chat.objects.create(
        office=Office.PGJO,
        first_name=first_name,
        province=province,
        created_at=now,
        parent_seen_at=now,  # the page's socket has some seconds to connect
    )
    push.push_queue_changed()
    return chat


def _existing_message(chat_id: int, client_id: str) -> ChatMessage | None:
    found = list(
        ChatMessage.objects.filter(chat_id=chat_id, client_id=client_id).select_related("author")[
            :1
        ]
    )
    return found[0] if found else None


def chat_message_post(
    *,
    chat_id: int,
    sender: str,
    body: str,
    now: dt.datetime,
    author: User | None = None,
    client_id: str = "",
) -> tuple[ChatMessage, bool]:
    """Store a parent's or the chat's nurse's message with the next number, before anyone gets
    it; (message, created). Idempotent on client_id: a re-sent message is stored once.
    Parent messages are rate-limited (ChatRateLimited, nothing stored)."""
    if not isinstance(body, str) or not isinstance(client_id, str):
        raise ChatError(_("A message must be text."), code="body")
    client_id = clean_text(client_id).strip()[:MAX_CLIENT_ID]
    body = clean_text(body).strip()
    if not body:
        raise ChatError(_("An empty message is not sent."), code="empty")
    if len(body) > MAX_BODY:
        raise ChatError(
            _("A message has at most %(max)s characters.") % {"max": MAX_BODY}, code="too_long"
        )
    if sender not in (Sender.PARENT, Sender.NURSE):
        raise ChatError(_("Unknown sender."), code="sender")
    try:
        with transaction.atomic():
            message = _post(chat_id, sender, body, now, author, client_id)
    except IntegrityError:
        # A re-sent message (same client id): the unique constraint refused the second copy
        # and the transaction gave its number back. The stored copy is the answer.
        existing = _existing_message(chat_id, client_id) if client_id else None
        if existing is None:
            raise
        return existing, False
    return message, True


# The hot path of the chat in plain SQL (a message costs three statements and the commit; the
# ORM's query building was a third of a server process's CPU under load). Same tables, same
# constraints; the values are adapted by the backend's own operations.
_TAKE_NUMBER = (
    "UPDATE chat_chat SET last_seq = last_seq + 1 WHERE id = %s "
    "RETURNING status, nurse_id, last_seq"
)
_RECENT_PARENT = (
    "SELECT COUNT(*) FROM (SELECT 1 FROM chat_chatmessage WHERE chat_id = %s AND sender = %s "
    "AND sent_at > %s LIMIT %s) AS recent"
)
_INSERT = (
    "INSERT INTO chat_chatmessage (chat_id, seq, sender, author_id, body, client_id, sent_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id"
)


def _post(
    chat_id: int, sender: str, body: str, now: dt.datetime, author: User | None, client_id: str
) -> ChatMessage:
    ops = connection.ops
    with connection.cursor() as cursor:
        # One statement locks the chat's row and takes the next number; a refusal below rolls
        # the number back with the transaction.
        cursor.execute(_TAKE_NUMBER, [chat_id])
        row = cursor.fetchone()
        if row is None:
            raise ChatError(_("This chat does not exist (any more)."), code="unknown")
        status, nurse_id, seq = row
        if sender == Sender.PARENT:
            if status not in (ChatStatus.QUEUED, ChatStatus.ACTIVE):
                raise ChatError(_("This conversation has ended."), code="ended")
            window_start = now - dt.timedelta(seconds=RATE_SECONDS)
            cursor.execute(
                _RECENT_PARENT,
                [
                    chat_id,
                    Sender.PARENT.value,
                    ops.adapt_datetimefield_value(window_start),
                    RATE_MESSAGES,
                ],
            )
            if cursor.fetchone()[0] >= RATE_MESSAGES:
                raise ChatRateLimited(_retry_after(chat_id, window_start, now))
            author = None
        elif author is None or nurse_id != author.pk or status != ChatStatus.ACTIVE:
            raise ChatError(_("You are not in conversation in this chat."), code="not_yours")
        cursor.execute(
            _INSERT,
            [
                chat_id,
                seq,
                sender,
                author.pk if author is not None else None,
                body,
                client_id,
                ops.adapt_datetimefield_value(now),
            ],
        )
        (message_id,) = cursor.fetchone()
    message = ChatMessage(
        id=message_id,
        chat_id=chat_id,
        seq=seq,
        sender=sender,
        author=author,
        body=body,
        client_id=client_id,
        sent_at=now,
    )
    _push_message(message)
    return message


def _retry_after(chat_id: int, window_start: dt.datetime, now: dt.datetime) -> int:
    """Seconds until the oldest of the last RATE_MESSAGES parent messages leaves the window."""
    recent = list(
        ChatMessage.objects.filter(chat_id=chat_id, sender=Sender.PARENT, sent_at__gt=window_start)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)[:RATE_MESSAGES]
    )
    return max(1, RATE_SECONDS - int((now - recent[-1]).total_seconds()))


def _require_handler(user: User) -> None:
    if not user.is_active or not user.has_perm("chat.handle_chat"):
        raise ChatError(_("You may not answer chats."), code="forbidden")


@transaction.atomic
def chat_accept(*, chat_id: int, nurse: User, now: dt.datetime) -> Chat:
    """A nurse takes the chat from the queue, within their maximum of simultaneous chats.
    Of two nurses accepting at once, one gets it (the chat's row lock); the other is refused."""
    _require_handler(nurse)
    # The nurse's row serialises their own accepts (two tabs): the maximum holds.
    User.objects.select_for_update().filter(pk=nurse.pk).first()
    chat = _locked(chat_id)
    if chat.status != ChatStatus.QUEUED:
        if chat.nurse_id == nurse.pk and chat.status == ChatStatus.ACTIVE:
            return chat
        raise ChatError(_("This chat is no longer waiting."), code="taken")
    if nurse_active_count(user_id=nurse.pk) >= max_per_nurse():
        raise ChatError(
            _("You already have %(max)s chats at once; end one first.") % {"max": max_per_nurse()},
            code="full",
        )
    chat.status = ChatStatus.ACTIVE
    chat.nurse = nurse
    chat.accepted_at = now
    chat.wait_seconds = _seconds(chat.created_at, now)
    chat.save(update_fields=["status", "nurse", "accepted_at", "wait_seconds"])
    _add_message(chat, sender=Sender.SYSTEM, body=SystemEvent.ACCEPTED, now=now, author=nurse)
    _push_status(chat)
    push.push(push.nurse_group(nurse.pk), {"type": "nurse.assigned", "chat": chat.pk})
    push.push_queue_changed()
    return chat


@transaction.atomic
def chat_transfer(*, chat_id: int, by: User, to_user_id: int, now: dt.datetime) -> Chat:
    """The chat's nurse hands it to a colleague who is online and has room for it."""
    _require_handler(by)
    chat = _locked(chat_id)
    if chat.status != ChatStatus.ACTIVE or chat.nurse_id != by.pk:
        raise ChatError(_("You are not in conversation in this chat."), code="not_yours")
    target = User.objects.select_for_update().filter(pk=to_user_id, is_active=True).first()
    if target is None or target.pk == by.pk or not target.has_perm("chat.handle_chat"):
        raise ChatError(_("Choose a colleague who answers chats."), code="target")
    online = NursePresence.objects.filter(user=target, seen_at__gte=now - PRESENCE_FRESH).exists()
    if not online:
        raise ChatError(_("This colleague is not online."), code="offline")
    if nurse_active_count(user_id=target.pk) >= max_per_nurse():
        raise ChatError(_("This colleague has no room for another chat."), code="full")
    chat.nurse = target
    chat.save(update_fields=["nurse"])
    _add_message(chat, sender=Sender.SYSTEM, body=SystemEvent.TRANSFERRED, now=now, author=target)
    _push_status(chat)
    push.push(push.nurse_group(by.pk), {"type": "nurse.unassigned", "chat": chat.pk})
    push.push(push.nurse_group(target.pk), {"type": "nurse.assigned", "chat": chat.pk})
    audit_record(
        actor=by,
        action=AuditEvent.Action.ASSIGN,
        object_type=AUDIT_CHAT,
        object_id=chat.pk,
        detail={"from": by.pk, "to": target.pk},
    )
    return chat


_END_EVENT: dict[str, str] = {
    EndedBy.PARENT: SystemEvent.ENDED_PARENT,
    EndedBy.NURSE: SystemEvent.ENDED_NURSE,
    EndedBy.CLOSING: SystemEvent.ENDED_CLOSING,
    EndedBy.LEFT: SystemEvent.ENDED_LEFT,
}


@transaction.atomic
def chat_end(*, chat_id: int, ended_by: str, now: dt.datetime, nurse: User | None = None) -> Chat:
    """End a waiting or running chat (idempotent: an ended chat stays as it is). A nurse ends
    only their own chat; closing time ends only chats nobody has answered."""
    chat = _locked(chat_id)
    if chat.status in (ChatStatus.ENDED, ChatStatus.WRAPPED):
        return chat
    if ended_by == EndedBy.NURSE and (nurse is None or chat.nurse_id != nurse.pk):
        raise ChatError(_("You are not in conversation in this chat."), code="not_yours")
    if ended_by == EndedBy.CLOSING and chat.status != ChatStatus.QUEUED:
        return chat
    if ended_by not in _END_EVENT:
        raise ChatError(_("Unknown sender."), code="sender")
    return _end(chat, ended_by=ended_by, now=now, nurse=nurse)


def _end(chat: Chat, *, ended_by: str, now: dt.datetime, nurse: User | None = None) -> Chat:
    """End a locked, waiting or running chat."""
    chat.status = ChatStatus.ENDED
    chat.ended_at = now
    chat.ended_by = ended_by
    if chat.accepted_at is not None:
        chat.handle_seconds = _seconds(chat.accepted_at, now)
    chat.save(update_fields=["status", "ended_at", "ended_by", "handle_seconds"])
    _add_message(chat, sender=Sender.SYSTEM, body=_END_EVENT[ended_by], now=now, author=nurse)
    _push_status(chat)
    push.push_queue_changed()  # the queue or the number of running chats changed
    return chat


def _record_survey(chat: Chat, contact: Contact) -> None:
    """Attach the parent's kept survey answers to the contact, then forget them on the chat."""
    answers = chat.survey_answers or {}
    assert chat.survey_answered_at is not None
    try:
        with transaction.atomic():
            survey_response_record(
                contact=contact,
                source=Source.CHAT,
                answers=answers,
                remark=chat.survey_remark,
                complete=all(value is not None for value in answers.values()),
                answered_at=chat.survey_answered_at,
            )
    except (SurveyInvalid, SurveyConflict):
        # Checked when the parent answered; should this still fail, the wrap-up goes on.
        logger.exception("chat %s: survey answers not recorded", chat.pk)
    chat.survey_answers = None
    chat.survey_remark = ""
    chat.save(update_fields=["survey_answers", "survey_remark"])


@transaction.atomic
def chat_wrap_up(
    *,
    chat_id: int,
    by: User,
    now: dt.datetime,
    province: str = "",
    postcode: str = "",
    topic: str = "",
    reason_codes: Iterable[str] = (),
    referral_codes: Iterable[str] = (),
    notes: str = "",
    health_note: str = "",
    anonymous: bool = True,
    customer: Customer | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    caller_email: str = "",
) -> Contact:
    """The nurse wraps up their ended chat: it becomes one chat contact of the PGJO office
    (received = chat start, answered = accepted, closed = end), with the transcript linked and
    the parent's survey answers, if any, recorded on it. Validation errors (ValidationError,
    from contact_register) leave nothing behind."""
    _require_handler(by)
    chat = _locked(chat_id)
    if chat.nurse_id != by.pk:
        raise ChatError(_("Only the nurse of this chat can wrap it up."), code="not_yours")
    if chat.status == ChatStatus.WRAPPED or chat.contact_id is not None:
        raise ChatError(_("This chat is already wrapped up."), code="wrapped")
    if chat.status != ChatStatus.ENDED or chat.accepted_at is None or chat.ended_at is None:
        raise ChatError(_("End the conversation before wrapping it up."), code="not_ended")
    contact = contact_register(
        by=by,
        channel=Channel.CHAT,
        office=Office.PGJO,
        received_at=chat.created_at,
        province=province,
        postcode=postcode,
        topic=topic,
        reason_codes=reason_codes,
        referral_codes=referral_codes,
        notes=notes,
        health_note=health_note,
        anonymous=anonymous,
        customer=customer,
        caller_name=caller_name,
        caller_phone=caller_phone,
        caller_email=caller_email,
        external_id=f"chat-{chat.pk}",
    )
    contact = contact_update(contact=contact, by=by, answered_at=chat.accepted_at)
    contact = contact_close(contact=contact, by=by, now=chat.ended_at)
    chat.contact = contact
    chat.status = ChatStatus.WRAPPED
    chat.wrapped_at = now
    chat.save(update_fields=["contact", "status", "wrapped_at"])
    if chat.survey_answered_at is not None and chat.survey_answers is not None:
        _record_survey(chat, contact)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CLOSE,
        object_type=AUDIT_CHAT,
        object_id=chat.pk,
        detail={"contact": contact.pk},
    )
    _push_status(chat)
    push.push(push.nurse_group(by.pk), {"type": "nurse.unassigned", "chat": chat.pk})
    return contact


@transaction.atomic
def chat_survey_answer(
    *, chat_id: int, answers: Mapping[str, int | None], remark: str, now: dt.datetime
) -> None:
    """The parent's answers to the satisfaction survey after an answered chat, once per chat.

    Recorded on the chat's contact when it exists; else kept on the chat and recorded by the
    wrap-up (ADR 0011 §5). Invalid answers raise SurveyInvalid; nothing is stored then."""
    chat = _locked(chat_id)
    if chat.status not in (ChatStatus.ENDED, ChatStatus.WRAPPED) or chat.accepted_at is None:
        raise ChatError(_("The survey follows an answered chat."), code="no_survey")
    if chat.survey_answered_at is not None:
        raise ChatError(_("You have already answered the survey."), code="answered")
    complete = all(value is not None for value in answers.values())
    errors = survey_answers_errors(answers=answers, complete=complete)
    if errors:
        raise SurveyInvalid(errors)
    chat.survey_answered_at = now
    if chat.contact is not None:
        chat.save(update_fields=["survey_answered_at"])
        survey_response_record(
            contact=chat.contact,
            source=Source.CHAT,
            answers=answers,
            remark=remark,
            complete=complete,
            answered_at=now,
        )
        return
    chat.survey_answers = dict(answers)
    chat.survey_remark = remark.strip()
    chat.save(update_fields=["survey_answered_at", "survey_answers", "survey_remark"])


# --- the parent's presence (docs/chat.md "Presence") -------------------------------------------

_OPEN = (ChatStatus.QUEUED, ChatStatus.ACTIVE)


def presence_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=max(1, int(settings.KGLIJN_CHAT_PRESENCE_TIMEOUT)))


def _push_parent_presence(chat_id: int, *, present: bool) -> None:
    push.push(
        push.chat_group(chat_id), {"type": "chat.presence", "chat": chat_id, "present": present}
    )


@transaction.atomic
def chat_parent_connected(*, chat_id: int, now: dt.datetime) -> None:
    """A parent's socket opened: one more connection, seen now. The chat's nurse is told the
    parent is back when this is the parent's only connection."""
    chat = Chat.objects.select_for_update().filter(pk=chat_id, status__in=_OPEN).first()
    if chat is None:
        return
    chat.parent_connections += 1
    chat.parent_seen_at = now
    chat.save(update_fields=["parent_connections", "parent_seen_at"])
    if chat.parent_connections == 1 and chat.status == ChatStatus.ACTIVE:
        _push_parent_presence(chat.pk, present=True)


@transaction.atomic
def chat_parent_disconnected(*, chat_id: int, now: dt.datetime) -> None:
    """A parent's socket closed: the timeout counts from now. The chat's nurse is told when the
    parent has no connection left (the console shows it after a short grace)."""
    chat = Chat.objects.select_for_update().filter(pk=chat_id, status__in=_OPEN).first()
    if chat is None:
        return
    chat.parent_connections = max(0, chat.parent_connections - 1)
    chat.parent_seen_at = now
    chat.save(update_fields=["parent_connections", "parent_seen_at"])
    if chat.parent_connections == 0 and chat.status == ChatStatus.ACTIVE:
        _push_parent_presence(chat.pk, present=False)


def chat_parent_seen(*, chat_id: int, now: dt.datetime) -> None:
    """Heartbeat of an open parent socket: the parent is still there."""
    Chat.objects.filter(pk=chat_id, status__in=_OPEN).update(parent_seen_at=now)


def chat_presence_sweep(*, now: dt.datetime) -> int:
    """End the waiting and running chats whose parent has not been seen for the presence
    timeout (KGLIJN_CHAT_PRESENCE_TIMEOUT): a waiting one leaves the queue, a running one is
    ended by the parent's leaving and waits for the nurse's wrap-up. Safe in several processes
    at once (each chat is re-checked under its row lock). Returns the number of chats ended."""
    cutoff = now - presence_timeout()
    stale = Q(parent_seen_at__lt=cutoff) | Q(parent_seen_at__isnull=True, created_at__lt=cutoff)
    ended = 0
    for chat_id in Chat.objects.filter(stale, status__in=_OPEN).values_list("pk", flat=True):
        with transaction.atomic():
            chat = Chat.objects.select_for_update().filter(pk=chat_id, status__in=_OPEN).first()
            if chat is None:
                continue
            seen = chat.parent_seen_at or chat.created_at
            if seen >= cutoff:
                continue  # came back meanwhile
            _end(chat, ended_by=EndedBy.LEFT, now=now)
            ended += 1
    if ended:
        logger.info("chat presence: %s chat(s) ended, the parent left", ended)
    return ended


def presence_enter(*, user: User, channel_name: str, now: dt.datetime) -> None:
    """A nurse console connected: the nurse counts as online (for the estimate and transfers)."""
    with transaction.atomic():
        NursePresence.objects.update_or_create(
            channel_name=channel_name, defaults={"user": user, "seen_at": now}
        )
        push.push_queue_changed()


def presence_touch(*, channel_name: str, now: dt.datetime) -> None:
    NursePresence.objects.filter(channel_name=channel_name).update(seen_at=now)


def presence_leave(*, channel_name: str) -> None:
    with transaction.atomic():
        NursePresence.objects.filter(channel_name=channel_name).delete()
        push.push_queue_changed()


@transaction.atomic
def chat_transcript_purge(*, chat_id: int, now: dt.datetime) -> bool:
    """Delete a chat's transcript and the parent's first name (retention); keeps the times for
    the figures. Idempotent: False when there was nothing left to delete."""
    chat = _locked(chat_id)
    if chat.transcript_deleted_at is not None:
        return False
    ChatMessage.objects.filter(chat=chat).delete()
    chat.first_name = ""
    chat.survey_answers = None
    chat.survey_remark = ""
    chat.transcript_deleted_at = now
    chat.save(
        update_fields=["first_name", "survey_answers", "survey_remark", "transcript_deleted_at"]
    )
    return True


def presence_purge(*, now: dt.datetime) -> int:
    """Forget consoles that stopped pinging (a server that died cannot say goodbye)."""
    stale = now - 10 * PRESENCE_FRESH
    deleted, _rows = NursePresence.objects.filter(seen_at__lt=stale).delete()
    return int(deleted)


def chat_retention_days() -> int:
    return int(settings.KGLIJN_CHAT_RETENTION_DAYS)
