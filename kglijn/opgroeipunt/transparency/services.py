"""Writes of passive openness: register a request for documents, answer it (issue 18).

The term is 3 working days on the business calendar (``terms.OPENNESS_RULE``, ADR 0016
"Transparency"); ``due_on`` is fixed at registration. Every write is audit-logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.core.audit import audit_record
from kglijn.core.dates import date_in_bounds
from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.models import DocumentRequest, DocumentRequestStatus, Location
from kglijn.opgroeipunt.terms import openness_due

AUDIT_TYPE = "opgroeipunt_document_request"
MAX_NAME = 200
MAX_TEXT = 5_000
ANSWERS = (
    DocumentRequestStatus.GRANTED,
    DocumentRequestStatus.PARTLY_GRANTED,
    DocumentRequestStatus.REFUSED,
)


class DocumentRequestInvalid(Exception):
    """Nothing was written; ``errors`` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _text(value: str, *, field: str, limit: int, errors: dict[str, str], required: bool) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        errors[field] = _("No NUL characters.")
    elif len(text) > limit:
        errors[field] = _("At most %(limit)d characters.") % {"limit": limit}
    elif required and not text:
        errors[field] = _("This field is required.")
    return text


@transaction.atomic
def document_request_create(
    *,
    requester_name: str,
    requester_email: str,
    subject: str,
    by: User,
    location: Location | None = None,
    received_at: dt.datetime | None = None,
) -> DocumentRequest:
    """Register a request for documents with its due date (3 working days); raises
    DocumentRequestInvalid (nothing written)."""
    errors: dict[str, str] = {}
    now = timezone.now()
    received = received_at or now
    name = _text(
        requester_name, field="requester_name", limit=MAX_NAME, errors=errors, required=True
    )
    email = _text(requester_email, field="requester_email", limit=254, errors=errors, required=True)
    if email and "requester_email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["requester_email"] = _("Enter a valid e-mail address.")
    text = _text(subject, field="subject", limit=MAX_TEXT, errors=errors, required=True)
    if received > now + dt.timedelta(minutes=5) or not date_in_bounds(timezone.localdate(received)):
        errors["received_at"] = _("The date of receipt cannot be in the future or before 2000.")
    if errors:
        raise DocumentRequestInvalid(errors)
    request = DocumentRequest.objects.create(
        received_at=received,
        requester_name=name,
        requester_email=email,
        location=location,
        subject=text,
        due_on=openness_due(received),
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        object_type=AUDIT_TYPE,
        object_id=request.pk,
        detail={"location": location.external_id if location else None},
    )
    return request


@transaction.atomic
def document_request_handle(
    *, request_id: int, status: str, answer: str, by: User
) -> DocumentRequest:
    """Answer a request (granted, partly granted or refused) once, with the answer's text;
    raises DocumentRequestInvalid (nothing written) when it was answered already or the input
    is wrong."""
    request = DocumentRequest.objects.select_for_update().get(pk=request_id)
    errors: dict[str, str] = {}
    if request.status != DocumentRequestStatus.RECEIVED:
        errors["status"] = _("This request was answered already.")
    elif status not in ANSWERS:
        errors["status"] = _("Choose granted, partly granted or refused.")
    text = _text(answer, field="answer", limit=MAX_TEXT, errors=errors, required=True)
    if errors:
        raise DocumentRequestInvalid(errors)
    request.status = status
    request.answer = text
    request.answered_at = timezone.now()
    request.handled_by = by
    request.save(update_fields=["status", "answer", "answered_at", "handled_by"])
    detail: dict[str, Any] = {"status": status, "due_on": request.due_on.isoformat()}
    audit_record(
        actor=by,
        action=AuditEvent.Action.CHANGE,
        object_type=AUDIT_TYPE,
        object_id=request.pk,
        detail=detail,
    )
    return request
