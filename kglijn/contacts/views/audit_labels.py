"""Dutch words for what the audit log stores as keys: the record types and detail keys that the
apps write (contacts cannot import them; the keys are their stable, stored vocabulary)."""

from __future__ import annotations

from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# AuditEvent.object_type -> what the record is.
RECORD_TYPES: Final[dict[str, Promise]] = {
    "contact": _("contact"),
    "call": _("call"),
    "chat": _("chat"),
    "chat_transcript": _("chat transcript"),
    "survey_response": _("survey answers"),
    "survey_follow_up": _("follow-up task"),
    "survey_version": _("survey wording version"),
    "survey_low_score_rule": _("low-score rule"),
    "feedback_visit": _("visit"),
    "visit_feedback": _("visit feedback"),
    "mail_quarantine": _("quarantined e-mail"),
    "user": _("user"),
    "login_lockout": _("login lockout"),
}

# Detail keys written by the apps -> their label (the value follows it).
DETAIL_KEYS: Final[dict[str, Promise]] = {
    "source": _("source"),
    "version": _("version"),
    "complete": _("complete"),
    "follow_up": _("follow-up task"),
    "assigned_to": _("assigned to"),
    "criterion": _("criterion"),
    "changed": _("changed"),
    "number": _("number"),
    "remark": _("remark read"),
    "kind": _("kind"),
    "local_team": _("local team"),
    "list": _("list"),
    "raw": _("original message read"),
    "erased": _("erased"),
    "retention_days": _("retention (days)"),
    "username": _("username"),
    "before": _("before"),
    "after": _("after"),
    "event": _("event"),
    "ip_address": _("IP address"),
    "threshold": _("threshold"),
    "active": _("active"),
}

# Stored values that are words of their own.
DETAIL_VALUES: Final[dict[str, Promise]] = {
    "ivr": _("phone (IVR after the call)"),
    "mail": _("e-mail invitation"),
    "chat": _("end of the chat"),
    "telephony": _("telephony platform"),
    "callback_number": _("callback number"),
    "locked_out": _("locked out"),
    "unlocked": _("unlocked"),
    "open": _("open"),
    "resolved": _("resolved"),
}
