"""The fieldwork: invitations through the outbox and a real SMTP server, the token link, the
opt-out, and reminders once per due step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from kglijn.campaigns.models import (
    Campaign,
    CampaignStatus,
    Design,
    Invitation,
    InvitationMail,
    InvitationStatus,
    OptOut,
    Response,
)
from kglijn.campaigns.sampling.mailing import CAMPAIGN_PURPOSE, reminders_schedule
from kglijn.campaigns.sampling.services import CampaignRefused, fieldwork_begin, sample_draw
from kglijn.campaigns.tokens import optout_hash, token_hash
from kglijn.outbox.models import OutboundMail, OutboxState
from kglijn.outbox.services import outbox_send
from tests.campaigns.sampling_world import campaign_make, frame_fill, version_ready
from tests.surveys.smtp_sink import SmtpSink, use_smtp

pytestmark = pytest.mark.django_db

BASE_URL = "https://kglijn.example.be"
LINK = rf"{BASE_URL}/onderzoek/([A-Za-z0-9_-]{{43}})/"


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    settings.KGLIJN_PUBLIC_BASE_URL = BASE_URL
    settings.DEFAULT_FROM_EMAIL = "Kind en Gezin <onderzoek@kindengezin.be>"
    with SmtpSink() as sink:
        use_smtp(settings, sink)
        yield sink


def in_the_field(now: dt.datetime, *, units: int = 3, phone_only: int = 1) -> Campaign:
    campaign = campaign_make(design=Design.CENSUS, sample_size=None)
    frame_fill(campaign, {"BE-VAN": units})
    frame_fill(campaign, {"BE-VLI": phone_only}, email=False)
    sample_draw(campaign, now=now)
    fieldwork_begin(campaign, now=now)
    campaign.refresh_from_db()
    return campaign


def send(now: dt.datetime) -> int:
    return outbox_send(now=now, purposes=[CAMPAIGN_PURPOSE])


def test_the_fieldwork_creates_an_invitation_and_an_outbox_row_per_address() -> None:
    now = timezone.now()
    campaign = campaign_make(design=Design.CENSUS, sample_size=None)
    frame_fill(campaign, {"BE-VAN": 3})
    frame_fill(campaign, {"BE-VLI": 2}, email=False)
    with pytest.raises(CampaignRefused):
        fieldwork_begin(campaign, now=now)  # not drawn yet
    sample_draw(campaign, now=now)
    result = fieldwork_begin(campaign, now=now)
    assert (result.invitations, result.phone_only, result.no_address) == (3, 2, 0)
    mails = InvitationMail.objects.filter(invitation__campaign=campaign)
    assert sorted(mails.values_list("sequence", flat=True)) == [0, 0, 0]
    assert set(
        OutboundMail.objects.filter(purpose=CAMPAIGN_PURPOSE).values_list("reference", flat=True)
    ) == set(mails.values_list("pk", flat=True))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FIELDWORK
    assert campaign.version.frozen_at == now
    with pytest.raises(CampaignRefused):
        fieldwork_begin(campaign, now=now)  # once


def test_a_version_without_an_overall_score_cannot_go_into_the_field() -> None:
    now = timezone.now()
    campaign = campaign_make(
        design=Design.CENSUS, sample_size=None, version=version_ready(overall=False)
    )
    frame_fill(campaign, {"BE-VAN": 2})
    sample_draw(campaign, now=now)
    with pytest.raises(CampaignRefused):
        fieldwork_begin(campaign, now=now)
    assert not Invitation.objects.exists()


def test_the_mail_carries_a_fresh_token_link_and_the_opt_out(smtp: SmtpSink) -> None:
    now = timezone.now()
    campaign = in_the_field(now, units=1, phone_only=0)
    assert send(now) == 1
    (received,) = smtp.received
    assert received.rcpt_tos == ["ouder.be-van.0@example.be"]
    assert received.message["Subject"] == "Hoe tevreden ben je over Kind en Gezin?"
    text = received.part("text/plain")
    assert "Je werd willekeurig gekozen" in text
    import re

    (token,) = re.findall(LINK + r"(?=\s)", text)
    assert f"{BASE_URL}/onderzoek/{token}/afmelden/" in text
    assert f"{BASE_URL}/onderzoek/{token}/afmelden/" in received.message["List-Unsubscribe"]
    assert token in received.part("text/html")
    mail = InvitationMail.objects.get(invitation__campaign=campaign)
    assert mail.token_hash == token_hash(token)
    assert mail.sent_at == now
    assert mail.invitation.status == InvitationStatus.SENT
    assert OutboundMail.objects.get(reference=mail.pk).state == OutboxState.SENT


def test_an_opted_out_address_gets_no_mail(smtp: SmtpSink) -> None:
    now = timezone.now()
    campaign = in_the_field(now, units=2, phone_only=0)
    OptOut.objects.create(email_hash=optout_hash(" Ouder.BE-VAN.1@example.be"))
    send(now)
    assert [mail.rcpt_tos for mail in smtp.received] == [["ouder.be-van.0@example.be"]]
    declined = Invitation.objects.get(campaign=campaign, unit__external_key="u-BE-VAN-0001")
    assert declined.status == InvitationStatus.OPTED_OUT
    assert declined.mails.get().token_hash is None
    assert OutboundMail.objects.get(reference=declined.mails.get().pk).state == (
        OutboxState.CANCELLED
    )


def test_a_closed_campaign_sends_nothing_more(smtp: SmtpSink) -> None:
    now = timezone.now()
    campaign = in_the_field(now, units=2, phone_only=0)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    send(now)
    assert smtp.received == []


def test_reminders_once_per_due_step_and_never_more_than_the_maximum(smtp: SmtpSink) -> None:
    now = timezone.now()
    campaign = in_the_field(now, units=3, phone_only=0)  # reminders after 7 days, at most 2
    send(now)
    completed, opted_out, reminded = Invitation.objects.filter(campaign=campaign).order_by(
        "unit__external_key"
    )
    Response.objects.create(
        campaign=campaign,
        invitation=completed,
        source="app",
        mode="web",
        started_at=now,
        completed_at=now,
    )
    Invitation.objects.filter(pk=opted_out.pk).update(status=InvitationStatus.OPTED_OUT)
    day = dt.timedelta(days=1)
    assert reminders_schedule(now=now + 6 * day) == 0
    assert reminders_schedule(now=now + 7 * day) == 1
    assert reminders_schedule(now=now + 7 * day) == 0  # idempotent
    assert reminders_schedule(now=now + 8 * day) == 0  # the reminder is not sent yet
    send(now + 7 * day)
    assert smtp.received[-1].message["Subject"] == (
        "Herinnering: hoe tevreden ben je over Kind en Gezin?"
    )
    assert smtp.received[-1].rcpt_tos == [reminded.unit.email]
    assert reminders_schedule(now=now + 13 * day) == 0
    assert reminders_schedule(now=now + 14 * day) == 1
    send(now + 14 * day)
    assert reminders_schedule(now=now + 40 * day) == 0  # two reminders: the maximum
    assert list(reminded.mails.values_list("sequence", flat=True)) == [0, 1, 2]
    tokens = set(reminded.mails.values_list("token_hash", flat=True))
    assert len(tokens) == 3  # every mail its own token
    assert len(smtp.received) == 5
    assert not completed.mails.filter(sequence__gt=0).exists()
    assert not opted_out.mails.filter(sequence__gt=0).exists()


def test_no_reminder_after_the_fieldwork_ends(smtp: SmtpSink) -> None:
    now = timezone.now()
    campaign = in_the_field(now, units=1, phone_only=0)
    send(now)
    Campaign.objects.filter(pk=campaign.pk).update(
        fieldwork_end=(now + dt.timedelta(days=5)).date()
    )
    assert reminders_schedule(now=now + dt.timedelta(days=7)) == 0
