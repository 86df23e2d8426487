"""Small helpers shared by the desk views."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kglijn.contacts.models import Channel, Contact, Office
from kglijn.contacts.views.audit_labels import DETAIL_KEYS, DETAIL_VALUES, RECORD_TYPES
from kglijn.core.models import AuditEvent


def request_user(request: HttpRequest) -> User:
    """The logged-in user (views using this are behind login_required)."""
    user = request.user
    assert isinstance(user, User)
    return user


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    detail: str
    record: str  # what the record is, in words ("tevredenheidsantwoorden #47509")
    contact_id: int | None  # the contact the event is about, for a link (None: no contact)


def _field_label(name: str) -> str:
    try:
        field = Contact._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def describe_audit_detail(event: AuditEvent) -> str:
    """A readable, translated line for an audit event's detail (it never holds personal data)."""
    detail: dict[str, Any] = event.detail or {}
    offices = dict(Office.choices)
    channels = dict(Channel.choices)
    parts: list[str] = []
    if "from" in detail or "to" in detail:
        parts.append(
            _("from %(from)s to %(to)s")
            % {
                "from": offices.get(detail.get("from", ""), detail.get("from", "")),
                "to": offices.get(detail.get("to", ""), detail.get("to", "")),
            }
        )
    if "channel" in detail:
        parts.append(str(channels.get(detail["channel"], detail["channel"])))
    if "office" in detail:
        parts.append(str(offices.get(detail["office"], detail["office"])))
    if detail.get("anonymous") is True:
        parts.append(_("anonymous"))
    elif detail.get("anonymous") is False:
        parts.append(_("with personal data"))
    if detail.get("fields"):
        labels = ", ".join(_field_label(name) for name in detail["fields"])
        parts.append(_("fields: %(fields)s") % {"fields": labels})
    if detail.get("health_note"):
        parts.append(_("including the health note"))
    if "mail_in" in detail:
        parts.append(_("e-mail received"))
    if "mail_out" in detail:
        parts.append(_("answer sent by e-mail"))
    if "mail_resend" in detail:
        parts.append(_("answer sent again by e-mail"))
    if "attachment" in detail:
        parts.append(_("attachment downloaded"))
    if detail.get("purpose") == "survey_invitation":
        parts.append(_("address read for the satisfaction survey invitation"))
    if detail.get("via") == "api":
        parts.append(_("through the API"))
    known = {"from", "to", "channel", "office", "anonymous", "fields", "health_note"}
    known |= {"mail_in", "mail_out", "mail_resend", "attachment", "purpose", "invitation", "via"}
    known |= {"contact"}  # shown as the link to the contact
    parts += [_describe_pair(key, value) for key, value in detail.items() if key not in known]
    return " · ".join(str(part) for part in parts)


def _describe_value(value: Any) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None:
        return _("none")
    if isinstance(value, str):
        return str(DETAIL_VALUES.get(value, value))
    if isinstance(value, list):
        return ", ".join(_describe_value(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(_describe_pair(key, item) for key, item in value.items())
    return str(value)


def _describe_pair(key: str, value: Any) -> str:
    if key == "survey_remark":  # the id of the survey answers whose remark was read
        return _("remark of survey answers #%(id)s read") % {"id": value}
    label = DETAIL_KEYS.get(key)
    return f"{label if label is not None else key}: {_describe_value(value)}"


def describe_audit_record(event: AuditEvent) -> str:
    """The record in words: its type's Dutch label and its number."""
    label = RECORD_TYPES.get(event.object_type)
    return f"{label if label is not None else event.object_type} #{event.object_id}"


def _audit_contact_id(event: AuditEvent) -> int | None:
    if event.object_type == "contact":
        return event.object_id
    contact = (event.detail or {}).get("contact")
    return contact if isinstance(contact, int) and not isinstance(contact, bool) else None


def audit_rows(events: Iterable[AuditEvent]) -> list[AuditRow]:
    return [
        AuditRow(
            event,
            describe_audit_detail(event),
            describe_audit_record(event),
            _audit_contact_id(event),
        )
        for event in events
    ]
