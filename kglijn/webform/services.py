"""The web contact form's one write: a message becomes an e-mail contact (origin webform)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kglijn.contacts.models import Channel, Contact, Origin, Reason
from kglijn.contacts.services import contact_register
from kglijn.webform.question_types import QUESTION_TYPES_BY_KEY

MAX_MESSAGE = 5000
MIN_MESSAGE = 10
# The message is kept in the contact's notes under this heading: kglijn.mail has no way (yet)
# to store an inbound message that did not come through the mailbox (docs/knowledge.md).
NOTES_PREFIX = "Bericht via contactformulier:"


@transaction.atomic
def webform_submit(
    *,
    question_type: str,
    message: str,
    name: str = "",
    email: str = "",
    postcode: str = "",
    received_at: dt.datetime | None = None,
) -> Contact:
    """Register one web-form message as an incoming e-mail contact for the office, topic and
    reason of its question type; anonymous unless a name or e-mail address is given. The
    postcode only yields the province (contact_register does not store it)."""
    question = QUESTION_TYPES_BY_KEY.get(question_type)
    message = message.strip()
    errors: dict[str, str] = {}
    if question is None:
        errors["question_type"] = _("Choose what your question is about.")
    if len(message) < MIN_MESSAGE:
        errors["message"] = _("Write your question in at least %(min)d characters.") % {
            "min": MIN_MESSAGE
        }
    elif len(message) > MAX_MESSAGE:
        errors["message"] = _("Your message is too long: at most %(max)d characters.") % {
            "max": MAX_MESSAGE
        }
    if errors:
        raise ValidationError(errors)
    assert question is not None
    name, email = name.strip(), email.strip()
    # A reason the information managers switched off must not make the citizen's message fail.
    reason_codes = list(
        Reason.objects.filter(code=question.reason_code, active=True).values_list("code", flat=True)
    )
    return contact_register(
        by=None,
        channel=Channel.EMAIL,
        origin=Origin.WEBFORM,
        received_at=received_at,
        office=question.office,
        topic=question.topic,
        reason_codes=reason_codes,
        postcode=postcode.strip(),
        notes=f"{NOTES_PREFIX}\n{message}",
        anonymous=not (name or email),
        caller_name=name,
        caller_email=email,
    )
