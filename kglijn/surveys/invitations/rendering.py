"""The invitation mail itself (ADR 0008 §7): Dutch, plain text and HTML, with the survey and
opt-out links of its token."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac

from kglijn.contacts.models import Contact
from kglijn.surveys.models import SurveyInvitation

MAIL_LANGUAGE = "nl-be"


def invitation_message_id(invitation_id: int) -> str:
    """Deterministic per invitation (and per installation): a re-send would be recognisable."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "kglijn.invalid"
    install = salted_hmac("kglijn.surveys.message-id", "installation").hexdigest()[:10]
    return f"<survey-invitation.{invitation_id}.{install}@{domain}>"


def _public_url(name: str, token: str) -> str:
    base = settings.KGLIJN_PUBLIC_BASE_URL
    if not base:
        raise ImproperlyConfigured("Set KGLIJN_PUBLIC_BASE_URL: the links in mails need it.")
    return base + reverse(f"survey_public:{name}", kwargs={"token": token})


def survey_link(token: str) -> str:
    """The absolute address of the survey page of a token."""
    return _public_url("survey", token)


def optout_link(token: str) -> str:
    """The absolute address of the opt-out page of a token."""
    return _public_url("opt_out", token)


def _local_date(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


def invitation_message(
    *, invitation: SurveyInvitation, contact: Contact, address: str, token: str
) -> EmailMultiAlternatives:
    """The invitation mail (Dutch, plain text and HTML) for one invitation and its token."""
    assert contact.answered_at is not None
    assert invitation.expires_at is not None
    with translation.override(MAIL_LANGUAGE):
        context = {
            "link": survey_link(token),
            "optout_link": optout_link(token),
            "answered_on": _local_date(contact.answered_at),
            "expires_on": _local_date(invitation.expires_at),
            "from_name": parseaddr(settings.DEFAULT_FROM_EMAIL)[0] or "K&G-Lijn",
        }
        subject = render_to_string("surveys/mail/invitation_subject.txt", context).strip()
        text = render_to_string("surveys/mail/invitation.txt", context)
        html = render_to_string("surveys/mail/invitation.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Message-ID": invitation.message_id,
            # RFC 3834: out-of-office replies and other auto-responders stay silent.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            # RFC 2369 / 8058: mail clients offer "unsubscribe", posting to the opt-out page.
            "List-Unsubscribe": f"<{optout_link(token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
