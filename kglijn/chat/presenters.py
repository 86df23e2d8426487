"""How chat messages read for the parent and for staff: the websocket payloads and the
transcript text. System messages are stored as codes and worded here, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.chat.hours import PHONE_NUMBER
from kglijn.chat.models import Chat, ChatMessage, Sender, SystemEvent
from kglijn.core.business_calendar import BRUSSELS

Viewer = Literal["parent", "staff"]


@dataclass(frozen=True)
class RawMessage:
    """A stored message as it travels through the channel layer (plain values only)."""

    chat_id: int
    seq: int
    sender: str
    body: str
    sent_at: dt.datetime
    client_id: str
    author_id: int | None
    author_name: str  # the nurse's first name (what the parent sees), "" if none

    @classmethod
    def of(cls, message: ChatMessage) -> RawMessage:
        author = message.author
        return cls(
            chat_id=message.chat_id,
            seq=message.seq,
            sender=message.sender,
            body=message.body,
            sent_at=message.sent_at,
            client_id=message.client_id,
            author_id=message.author_id,
            author_name=(author.first_name or "") if author is not None else "",
        )

    def as_event(self) -> dict[str, Any]:
        return {
            "chat": self.chat_id,
            "seq": self.seq,
            "sender": self.sender,
            "body": self.body,
            "at": self.sent_at.isoformat(),
            "client_id": self.client_id,
            "author_id": self.author_id,
            "author_name": self.author_name,
        }

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> RawMessage:
        return cls(
            chat_id=int(event["chat"]),
            seq=int(event["seq"]),
            sender=str(event["sender"]),
            body=str(event["body"]),
            sent_at=dt.datetime.fromisoformat(str(event["at"])),
            client_id=str(event.get("client_id") or ""),
            author_id=event.get("author_id"),
            author_name=str(event.get("author_name") or ""),
        )


def _nurse_label(name: str) -> str:
    return _("%(name)s (nurse)") % {"name": name} if name else _("Nurse")


def system_text(event: str, *, viewer: Viewer, author_name: str) -> str:
    """The words of a system message for this reader."""
    if event == SystemEvent.ACCEPTED:
        if author_name:
            return _("%(name)s, a nurse of the Kind en Gezin-Lijn, is now chatting with you.") % {
                "name": author_name
            }
        return _("A nurse of the Kind en Gezin-Lijn is now chatting with you.")
    if event == SystemEvent.TRANSFERRED:
        if author_name:
            return _("%(name)s, a colleague, takes over the conversation.") % {"name": author_name}
        return _("A colleague takes over the conversation.")
    if event == SystemEvent.ENDED_PARENT:
        if viewer == "parent":
            return _("You ended the conversation.")
        return _("The parent ended the conversation.")
    if event == SystemEvent.ENDED_NURSE:
        return _("The nurse ended the conversation.")
    if event == SystemEvent.ENDED_LEFT:
        if viewer == "parent":
            return _("The conversation was ended because you were no longer connected.")
        return _("The parent left the conversation (no longer connected).")
    if event == SystemEvent.ENDED_CLOSING:
        return _(
            "The chat has closed before a nurse could answer you. Call us on %(phone)s or "
            "use the contact form."
        ) % {"phone": PHONE_NUMBER}
    return event


def sender_label(
    raw: RawMessage, *, viewer: Viewer, viewer_id: int | None = None, parent_name: str = ""
) -> str:
    if raw.sender == Sender.SYSTEM:
        return ""
    if raw.sender == Sender.PARENT:
        if viewer == "parent":
            return _("You")
        return parent_name or _("Parent")
    if viewer == "staff" and viewer_id is not None and raw.author_id == viewer_id:
        return _("You")
    return _nurse_label(raw.author_name)


def local_time(moment: dt.datetime) -> str:
    return timezone.localtime(moment, BRUSSELS).strftime("%H:%M")


def message_payload(
    raw: RawMessage, *, viewer: Viewer, viewer_id: int | None = None, parent_name: str = ""
) -> dict[str, Any]:
    """The websocket message a reader's browser gets for one stored message."""
    body = (
        system_text(raw.body, viewer=viewer, author_name=raw.author_name)
        if raw.sender == Sender.SYSTEM
        else raw.body
    )
    mine = (viewer == "parent" and raw.sender == Sender.PARENT) or (
        viewer == "staff" and raw.sender == Sender.NURSE and raw.author_id == viewer_id
    )
    return {
        "type": "message",
        "chat": raw.chat_id,
        "seq": raw.seq,
        "sender": raw.sender,
        "who": sender_label(raw, viewer=viewer, viewer_id=viewer_id, parent_name=parent_name),
        "body": body,
        "at": raw.sent_at.isoformat(),
        "time": local_time(raw.sent_at),
        "client_id": raw.client_id,
        "mine": mine,
    }


def transcript_text(chat: Chat, messages: list[ChatMessage], *, viewer: Viewer) -> str:
    """The transcript as a plain text file (UTF-8), one message a paragraph."""
    started = timezone.localtime(chat.created_at, BRUSSELS)
    lines = [
        _("Kind en Gezin-Lijn — chat conversation"),
        _("Started on %(date)s at %(time)s")
        % {
            "date": started.strftime("%d/%m/%Y"),
            "time": started.strftime("%H:%M"),
        },
        "",
    ]
    for message in messages:
        raw = RawMessage.of(message)
        payload = message_payload(raw, viewer=viewer, parent_name=chat.first_name)
        if raw.sender == Sender.SYSTEM:
            lines.append(f"[{payload['time']}] — {payload['body']}")
        else:
            lines.append(f"[{payload['time']}] {payload['who']}: {payload['body']}")
    return "\n".join(lines) + "\n"
