"""A campaign's mails through the one outbox (ADR 0013, ADR 0018 §5): `CAMPAIGN_MAIL` is their
purpose, `reminders_schedule` the worker job that queues the reminders.

Every `InvitationMail` (sequence 0 = the invitation, 1.. = reminders) is one outbox row (its pk
the reference). When the outbox claims it, `claimed` re-checks (campaign in the fieldwork and
not past its end, invitation not completed/opted out/skipped, address not opted out), makes a
fresh token (only its hash kept on the mail) and renders the Dutch mail, all in the claim's
transaction. `settled` records `sent_at` (the invitation is then "sent"), drops the token of a
mail that will be retried (a retry gets a new one), and marks an invitation whose first mail
failed "skipped" with the reason.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.crypto import salted_hmac

from kglijn.campaigns.models import (
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationMail,
    InvitationStatus,
    OptOut,
    Response,
)
from kglijn.campaigns.tokens import optout_hash, token_new
from kglijn.core.business_calendar import BRUSSELS
from kglijn.outbox.models import OutboundMail, OutboxState
from kglijn.outbox.purposes import Decline, Failure, Outcome
from kglijn.outbox.services import outbox_enqueue_many

logger = logging.getLogger("kglijn.campaigns.mailing")

CAMPAIGN_PURPOSE = "campaign_invitation"
MAIL_LANGUAGE = "nl-be"
# Invitations whose last mail is still on its way are not reminded; these are "in play".
_OPEN = (InvitationStatus.SCHEDULED, InvitationStatus.SENT)


def mail_message_id(mail_id: int) -> str:
    """Deterministic per mail (and installation): a re-send is recognisable."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "kglijn.invalid"
    install = salted_hmac("kglijn.campaigns.message-id", "installation").hexdigest()[:10]
    return f"<campaign-mail.{mail_id}.{install}@{domain}>"


def _public_url(path: str) -> str:
    base = settings.KGLIJN_PUBLIC_BASE_URL
    if not base:
        raise ImproperlyConfigured("Set KGLIJN_PUBLIC_BASE_URL: the links in mails need it.")
    return base + path


def answer_link(token: str) -> str:
    return _public_url(reverse("campaigns_public:questionnaire", kwargs={"token": token}))


def optout_link(token: str) -> str:
    return _public_url(reverse("campaigns_public:opt_out", kwargs={"token": token}))


def campaign_message(
    *, mail: InvitationMail, campaign: Campaign, address: str, token: str, now: dt.datetime
) -> EmailMultiAlternatives:
    """The invitation (sequence 0) or a reminder, Dutch, plain text and HTML."""
    with translation.override(MAIL_LANGUAGE):
        context = {
            "reminder": mail.sequence > 0,
            "audience": campaign.audience,
            "link": answer_link(token),
            "optout_link": optout_link(token),
            "until": (
                formats.date_format(campaign.fieldwork_end, "j F Y")
                if campaign.fieldwork_end
                else ""
            ),
            "from_name": parseaddr(settings.DEFAULT_FROM_EMAIL)[0] or "Kind en Gezin",
        }
        subject = render_to_string("campaigns/mail/invitation_subject.txt", context).strip()
        text = render_to_string("campaigns/mail/invitation.txt", context)
        html = render_to_string("campaigns/mail/invitation.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Message-ID": mail_message_id(mail.pk),
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "List-Unsubscribe": f"<{optout_link(token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _decline_reason(invitation: Invitation, campaign: Campaign, *, now: dt.datetime) -> str:
    if campaign.status != CampaignStatus.FIELDWORK:
        return f"the campaign is {campaign.status}, not in the fieldwork"
    if campaign.fieldwork_end and now.astimezone(BRUSSELS).date() > campaign.fieldwork_end:
        return "the fieldwork has ended"
    if invitation.status not in _OPEN:
        return f"the invitation is {invitation.status}"
    if Response.objects.filter(invitation=invitation, completed_at__isnull=False).exists():
        return "the questionnaire was completed"
    if not invitation.unit.email:
        return "no e-mail address"
    return ""


class _CampaignMailPurpose:
    key = CAMPAIGN_PURPOSE

    def claimed(self, mail: OutboundMail, *, now: dt.datetime) -> EmailMessage | Decline:
        row = (
            InvitationMail.objects.select_for_update()
            .select_related("invitation__unit", "invitation__campaign")
            .get(pk=mail.reference)
        )
        invitation = row.invitation
        campaign = invitation.campaign
        reason = _decline_reason(invitation, campaign, now=now)
        if reason:
            return Decline(reason)
        address = invitation.unit.email
        if OptOut.objects.filter(email_hash=optout_hash(address)).exists():
            Invitation.objects.filter(pk=invitation.pk, status__in=_OPEN).update(
                status=InvitationStatus.OPTED_OUT
            )
            return Decline("the address opted out")
        token, hashed = token_new()
        row.token_hash = hashed
        # Rendered before the claim commits: a template error leaves the mail pending.
        message = campaign_message(
            mail=row, campaign=campaign, address=address, token=token, now=now
        )
        row.save(update_fields=["token_hash"])
        return message

    def settled(self, mail: OutboundMail, outcome: Outcome, *, now: dt.datetime) -> None:
        state = OutboxState(outcome.state)
        row = InvitationMail.objects.select_related("invitation").get(pk=mail.reference)
        invitation = row.invitation
        if state == OutboxState.SENT:
            row.sent_at = mail.sent_at or now
            row.save(update_fields=["sent_at"])
            Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.SCHEDULED).update(
                status=InvitationStatus.SENT
            )
        elif state == OutboxState.PENDING:
            row.token_hash = None  # the retry gets a new token
            row.due_at = mail.next_attempt_at
            row.save(update_fields=["token_hash", "due_at"])
        elif state in (OutboxState.FAILED, OutboxState.UNKNOWN):
            if state == OutboxState.FAILED:
                row.token_hash = None
                row.save(update_fields=["token_hash"])
                reason = f"{'refused' if outcome.permanent else 'gave_up'}: {outcome.code}"
            else:
                # Perhaps sent: the token stays valid, so a mail that arrived can be answered.
                reason = "interrupted" if outcome.failure == Failure.INTERRUPTED else "uncertain"
            if row.sequence == 0:
                Invitation.objects.filter(
                    pk=invitation.pk, status=InvitationStatus.SCHEDULED
                ).update(status=InvitationStatus.SKIPPED, skip_reason=reason[:200])
        # cancelled when claimed: `claimed` already brought the invitation in step


CAMPAIGN_MAIL = _CampaignMailPurpose()


def _chunks(values: list[int], size: int = 5000) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def reminders_schedule(*, now: dt.datetime) -> int:
    """The `kglijn worker` job: queue the next reminder of every invitation whose latest mail
    was sent at least `reminder_after_days` ago, that has had fewer than `max_reminders`
    reminders and is neither completed nor opted out, of campaigns in the fieldwork (none after
    its end). Idempotent: a mail per (invitation, sequence), an outbox row per mail. Returns
    how many reminders were queued."""
    today = now.astimezone(BRUSSELS).date()
    queued = 0
    campaigns = Campaign.objects.filter(status=CampaignStatus.FIELDWORK)
    for campaign in campaigns:
        if campaign.fieldwork_end is not None and today > campaign.fieldwork_end:
            continue
        latest = InvitationMail.objects.filter(invitation=OuterRef("pk")).order_by("-sequence")
        due = (
            Invitation.objects.filter(campaign=campaign, status__in=_OPEN)
            .exclude(response__completed_at__isnull=False)
            .annotate(
                last_sequence=Max("mails__sequence"),
                last_sent=Subquery(latest.values("sent_at")[:1]),
            )
            .filter(
                last_sent__lte=now - dt.timedelta(days=campaign.reminder_after_days),
                last_sequence__lt=campaign.max_reminders,
            )
            .values_list("pk", "last_sequence")
        )
        wanted = list(due)
        if not wanted:
            continue
        with transaction.atomic():
            InvitationMail.objects.bulk_create(
                [
                    InvitationMail(invitation_id=pk, sequence=last + 1, due_at=now)
                    for pk, last in wanted
                ],
                ignore_conflicts=True,
            )
            target = {pk: last + 1 for pk, last in wanted}
            mail_ids = [
                mail_pk
                for chunk in _chunks(list(target))
                for mail_pk, invitation_id, sequence in InvitationMail.objects.filter(
                    invitation_id__in=chunk
                ).values_list("pk", "invitation_id", "sequence")
                if target[invitation_id] == sequence
            ]
            queued_already = {
                reference
                for chunk in _chunks(mail_ids)
                for reference in OutboundMail.objects.filter(
                    purpose=CAMPAIGN_PURPOSE, reference__in=chunk
                ).values_list("reference", flat=True)
            }
            fresh = set(mail_ids) - queued_already
            outbox_enqueue_many(purpose=CAMPAIGN_PURPOSE, items=[(pk, now) for pk in sorted(fresh)])
        queued += len(fresh)
    return queued


__all__ = ["CAMPAIGN_MAIL", "CAMPAIGN_PURPOSE", "reminders_schedule"]
