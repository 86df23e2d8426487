"""Opgroeipunt's mails through the one outbox (ADR 0013, ADR 0015 §6), registered in
settings.KGLIJN_OUTBOX_PURPOSES:

- ``URGENT`` (``opgroeipunt_urgent``): an urgent case came in; to the regional team's mailbox
  (the central team's when the case has no team). Reference: the case id.
- ``ESCALATION`` (``opgroeipunt_escalation``): an urgent case was not taken up in time; to
  every active Opgroeipunt team lead with an e-mail address. Reference: the case id.

One outbox row per (purpose, case): the database makes each mail exist at most once. A mail
says what and where (kind, reference, due time, locations, a link), never the reporter or the
description: those stay behind the login.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from kglijn.opgroeipunt.models import Case, RegionalTeam
from kglijn.outbox.models import OutboundMail
from kglijn.outbox.purposes import Decline, Outcome

logger = logging.getLogger("kglijn.opgroeipunt")

URGENT_PURPOSE = "opgroeipunt_urgent"
ESCALATION_PURPOSE = "opgroeipunt_escalation"
TEAM_LEAD_GROUP = "Teamleider Opgroeipunt"
MAIL_LANGUAGE = "nl-be"


def team_mailbox(case: Case) -> str:
    """Where a case's urgent mail goes: its team's mailbox, else the central team's."""
    if case.regional_team is not None and case.regional_team.email:
        return case.regional_team.email
    central = RegionalTeam.objects.filter(central=True).exclude(email="").first()
    return central.email if central is not None else ""


def team_lead_addresses() -> list[str]:
    """The e-mail addresses of the active Opgroeipunt team leads, sorted, each once."""
    addresses = (
        User.objects.filter(groups__name=TEAM_LEAD_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(set(addresses))


def _message(case: Case, *, template: str, to: list[str], key: str) -> EmailMessage:
    domain = settings.KGLIJN_MAIL_MESSAGE_ID_DOMAIN
    with translation.override(MAIL_LANGUAGE):
        context = {
            "case": case,
            "locations": list(case.locations.order_by("name")),
            "link": settings.KGLIJN_PUBLIC_BASE_URL
            + reverse("opgroeipunt:case_detail", kwargs={"pk": case.pk}),
            "kind": case.get_kind_display(),
        }
        subject = render_to_string(f"opgroeipunt/cases/mail/{template}_subject.txt", context)
        body = render_to_string(f"opgroeipunt/cases/mail/{template}.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.KGLIJN_MAIL_FROM,
        to=to,
        headers={
            "Message-ID": f"<opgroeipunt-{key}-{case.pk}@{domain}>",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )


class _UrgentPurpose:
    key = URGENT_PURPOSE

    def claimed(self, mail: OutboundMail, *, now: dt.datetime) -> EmailMessage | Decline:
        case = Case.objects.select_related("regional_team").filter(pk=mail.reference).first()
        if case is None:
            return Decline("the case no longer exists")
        address = team_mailbox(case)
        if not address:
            return Decline("no team mailbox: set the regional team's e-mail", failed=True)
        return _message(case, template="urgent", to=[address], key="urgent")

    def settled(self, mail: OutboundMail, outcome: Outcome, *, now: dt.datetime) -> None:
        if outcome.state != "sent":
            logger.warning("Urgent mail for case %s: %s", mail.reference, outcome.state)


class _EscalationPurpose:
    key = ESCALATION_PURPOSE

    def claimed(self, mail: OutboundMail, *, now: dt.datetime) -> EmailMessage | Decline:
        case = Case.objects.filter(pk=mail.reference).first()
        if case is None:
            return Decline("the case no longer exists")
        addresses = team_lead_addresses()
        if not addresses:
            return Decline("no Opgroeipunt team lead with an e-mail address", failed=True)
        return _message(case, template="escalation", to=addresses, key="escalation")

    def settled(self, mail: OutboundMail, outcome: Outcome, *, now: dt.datetime) -> None:
        if outcome.state != "sent":
            logger.warning("Escalation mail for case %s: %s", mail.reference, outcome.state)


URGENT = _UrgentPurpose()
ESCALATION = _EscalationPurpose()
