"""Survey invitations, time-travelled: sent once 48 h after the answer, through a real SMTP
server, to the right people only, and never twice across a worker that dies mid-batch."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kglijn.contacts.models import Channel, Contact, Direction
from kglijn.contacts.services import contact_reopen
from kglijn.core.models import AuditEvent
from kglijn.outbox import services as outbox
from kglijn.outbox.services import MAX_ATTEMPTS, RETRY_AFTER, STALE_CLAIM
from kglijn.surveys import invitations
from kglijn.surveys.invitations import TOKEN_VALID, Skip, invitations_send
from kglijn.surveys.invitations import sending as invitation_sending
from kglijn.surveys.invitations.scheduling import INVITATION_PURPOSE
from kglijn.surveys.models import (
    InvitationStatus,
    SurveyInvitation,
    SurveyOptOut,
    SurveyResponse,
)
from kglijn.surveys.tokens import token_hash
from tests.surveys.invitation_helpers import (
    SENDER,
    answered_moment,
    customer_contact,
    email_contact,
)
from tests.surveys.smtp_sink import SmtpSink, use_smtp

BASE_URL = "https://kglijn.example.be"
H48 = dt.timedelta(hours=48)


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSink]:
    settings.KGLIJN_PUBLIC_BASE_URL = BASE_URL
    settings.DEFAULT_FROM_EMAIL = "K&G-Lijn <tevredenheid@kindengezin.be>"
    with SmtpSink() as sink:
        use_smtp(settings, sink)
        yield sink


def invitation_of(contact: Contact) -> SurveyInvitation:
    return SurveyInvitation.objects.get(contact=contact)


def rows() -> list[Any]:
    return list(SurveyInvitation.objects.values().order_by("id"))


# --- the 48-hour rule ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_email_answered_at_t_gets_exactly_one_invitation_at_t_plus_48h(
    smtp: SmtpSink, agent: User
) -> None:
    # given an e-mail answered by a front-office employee at T
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    # when the worker runs one second before T + 48 h
    assert invitations_send(now=t + H48 - dt.timedelta(seconds=1)) == 0
    # then nothing is scheduled or sent yet
    assert SurveyInvitation.objects.count() == 0
    assert smtp.received == []
    # when it runs at T + 48 h
    assert invitations_send(now=t + H48) == 2  # scheduled, then sent
    # then exactly one mail went to the sender
    assert len(smtp.received) == 1
    invitation = invitation_of(contact)
    assert invitation.status == InvitationStatus.SENT
    assert invitation.due_at == t + H48
    assert invitation.sent_at == t + H48
    assert invitation.claimed_at == t + H48
    assert invitation.expires_at == t + H48 + TOKEN_VALID
    assert invitation.attempts == 1
    # the address was read for the mail: on the contact's audit trail, once
    reads = AuditEvent.objects.filter(
        object_type="contact", object_id=contact.pk, action=AuditEvent.Action.VIEW
    )
    assert [event.detail for event in reads] == [
        {"purpose": "survey_invitation", "invitation": invitation.pk}
    ]
    assert reads[0].actor is None
    # and later runs send nothing more
    for later in (dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=3)):
        assert invitations_send(now=t + H48 + later) == 0
    assert len(smtp.received) == 1
    assert SurveyInvitation.objects.count() == 1


@pytest.mark.django_db
def test_the_mail_has_the_headers_link_and_opt_out_line(smtp: SmtpSink, agent: User) -> None:
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t, caller_email="An.Peeters@Example.be")
    invitations_send(now=t + H48)
    (mail,) = smtp.received
    invitation = invitation_of(contact)
    message = mail.message
    # the envelope and headers
    assert mail.mail_from == "tevredenheid@kindengezin.be"
    assert mail.rcpt_tos == ["An.Peeters@Example.be"]
    assert message["From"] == "K&G-Lijn <tevredenheid@kindengezin.be>"
    assert message["To"] == "An.Peeters@Example.be"
    assert message["Subject"] == "Hoe tevreden ben je over ons antwoord?"
    assert message["Message-ID"] == invitation.message_id
    assert invitation.message_id.startswith(f"<survey-invitation.{invitation.pk}.")
    assert invitation.message_id.endswith("@kindengezin.be>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    # the same single-use link in the plain text and the HTML part
    (token,) = mail.tokens("text/plain")
    assert mail.tokens("text/html") == [token] * 3  # the button, the copyable link and its text
    assert token_hash(token) == invitation.token_hash
    survey_url = f"{BASE_URL}/tevredenheid/{token}/"
    optout_url = f"{BASE_URL}/tevredenheid/{token}/afmelden/"
    text = mail.part("text/plain")
    assert survey_url in text
    assert optout_url in text
    assert message["List-Unsubscribe"].strip() == f"<{optout_url}>"  # folded: long line
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Dutch, with the date of the answer and the last day of the link
    answered_on = timezone.localtime(t).day
    assert text.splitlines()[0] == "Beste,"
    assert f"Op {answered_on} " in text
    assert "Geen bevragingen meer? Meld je hier af:" in text
    assert 'lang="nl"' in mail.part("text/html")
    # the token is stored nowhere but as its hash
    assert token not in str(rows())


@pytest.mark.django_db
def test_the_link_from_the_received_mail_works_once(
    smtp: SmtpSink, agent: User, client: Client
) -> None:
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    invitations_send(now=t + H48)
    (token,) = smtp.received[0].tokens()
    url = reverse("survey_public:survey", kwargs={"token": token})
    assert client.get(url).status_code == 200
    answers = {"waiting_time": "4", "courtesy": "5", "information": "3", "recommendation": "8"}
    first = client.post(url, {**answers, "remark": "Snel en duidelijk."})
    assert first.status_code == 302
    response = SurveyResponse.objects.get(contact=contact)
    assert (response.waiting_time, response.courtesy, response.information) == (4, 5, 3)
    assert response.recommendation == 8
    assert response.complete is True
    assert response.source == "mail"
    assert response.remark == "Snel en duidelijk."
    invitation = invitation_of(contact)
    assert invitation.status == InvitationStatus.ANSWERED
    assert invitation.used_at is not None
    # a second submission is refused kindly and changes nothing
    before = list(SurveyResponse.objects.values())
    second = client.post(url, {**answers, "courtesy": "1"})
    assert second.status_code == 410
    assert "Je hebt deze bevraging al ingevuld. Bedankt!" in second.content.decode()
    assert list(SurveyResponse.objects.values()) == before


@pytest.mark.django_db
def test_the_customers_address_is_used_when_the_contact_has_none(
    smtp: SmtpSink, agent: User
) -> None:
    t = answered_moment()
    customer_contact(handler=agent, answered_at=t, email="ouder@example.be")
    invitations_send(now=t + H48)
    assert [mail.rcpt_tos for mail in smtp.received] == [["ouder@example.be"]]


# --- who never gets one ----------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_contacts_and_senders_without_address_get_no_mail(
    smtp: SmtpSink, agent: User
) -> None:
    t = answered_moment()
    anonymous = email_contact(
        handler=agent, answered_at=t, anonymous=True, caller_name="", caller_email=""
    )
    no_address = email_contact(handler=agent, answered_at=t, caller_email="")
    invitations_send(now=t + H48)
    assert smtp.received == []
    for contact, reason in ((anonymous, Skip.ANONYMOUS), (no_address, Skip.NO_ADDRESS)):
        invitation = invitation_of(contact)
        assert invitation.status == InvitationStatus.SKIPPED
        assert invitation.skip_reason == reason
        assert invitation.token_hash is None
        assert invitation.attempts == 0
    # and they are not reconsidered later; no address was read for a mail
    invitations_send(now=t + H48 + dt.timedelta(days=1))
    assert smtp.received == []
    assert SurveyInvitation.objects.count() == 2
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


@pytest.mark.django_db
def test_only_incoming_emails_answered_by_an_employee_in_the_last_week_are_considered(
    smtp: SmtpSink, agent: User
) -> None:
    t = answered_moment()
    email_contact(handler=None, answered_at=t)  # answered by nobody (imported history)
    email_contact(handler=agent, answered_at=None)  # not answered
    email_contact(handler=agent, answered_at=t, direction=Direction.OUT)
    email_contact(handler=agent, answered_at=t, channel=Channel.CHAT, origin="")
    # answered 48 h + 7 days + 1 s before the run: outside the catch-up week
    email_contact(handler=agent, answered_at=t - dt.timedelta(days=7, seconds=1))
    assert invitations_send(now=t + H48) == 0
    assert SurveyInvitation.objects.count() == 0
    assert smtp.received == []


@pytest.mark.django_db
def test_a_contact_reopened_after_the_answer_gets_no_mail(smtp: SmtpSink, agent: User) -> None:
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    contact_reopen(contact=contact, by=agent)
    invitations_send(now=t + H48)
    assert smtp.received == []
    invitation = invitation_of(contact)
    assert (invitation.status, invitation.skip_reason) == (InvitationStatus.SKIPPED, "reopened")


@pytest.mark.django_db
def test_a_reopen_before_the_answer_does_not_count(smtp: SmtpSink, agent: User) -> None:
    # reopened (now), then answered a minute later: the answer is the one that counts
    contact = email_contact(handler=agent, answered_at=answered_moment())
    contact_reopen(contact=contact, by=agent)
    answered = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=1)
    Contact.objects.filter(pk=contact.pk).update(answered_at=answered)
    invitations_send(now=answered + H48)
    assert len(smtp.received) == 1
    assert invitation_of(contact).status == InvitationStatus.SENT


@pytest.mark.django_db
def test_a_reopen_between_scheduling_and_sending_is_seen_at_send_time(
    smtp: SmtpSink, agent: User
) -> None:
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    invitations.invitations_schedule(now=t + H48)
    assert invitation_of(contact).status == InvitationStatus.SCHEDULED
    contact_reopen(contact=contact, by=agent)
    invitations_send(now=t + H48 + dt.timedelta(seconds=5))
    assert smtp.received == []
    assert invitation_of(contact).skip_reason == Skip.REOPENED


@pytest.mark.django_db
def test_an_opted_out_sender_gets_no_more_mail(smtp: SmtpSink, agent: User, client: Client) -> None:
    # given a sender who got an invitation and opted out through its link
    t = answered_moment()
    first = email_contact(handler=agent, answered_at=t - dt.timedelta(days=1))
    invitations_send(now=t - dt.timedelta(days=1) + H48)
    (token,) = smtp.received[0].tokens()
    page = client.post(reverse("survey_public:opt_out", kwargs={"token": token}))
    assert page.status_code == 200
    assert invitation_of(first).skip_reason == Skip.OPTED_OUT
    # when the same sender (other capitals) and someone else write again and are answered
    again = email_contact(handler=agent, answered_at=t, caller_email=SENDER.upper())
    same_customer = customer_contact(handler=agent, answered_at=t, email=SENDER)
    other = email_contact(handler=agent, answered_at=t, caller_email="iemand@example.be")
    invitations_send(now=t + H48)
    # then only the other sender gets a mail
    assert [mail.rcpt_tos for mail in smtp.received[1:]] == [["iemand@example.be"]]
    for contact in (again, same_customer):
        invitation = invitation_of(contact)
        assert (invitation.status, invitation.skip_reason) == (
            InvitationStatus.SKIPPED,
            "opted_out",
        )
    assert invitation_of(other).status == InvitationStatus.SENT


@pytest.mark.django_db
def test_an_opt_out_outlives_the_contact_it_came_through(
    smtp: SmtpSink, agent: User, client: Client
) -> None:
    # given a sender who opted out, and the contact of that invitation deleted since
    t = answered_moment()
    first = email_contact(handler=agent, answered_at=t - dt.timedelta(days=1))
    invitations_send(now=t - dt.timedelta(days=1) + H48)
    (token,) = smtp.received[0].tokens()
    assert client.post(reverse("survey_public:opt_out", kwargs={"token": token})).status_code == 200
    first.delete()
    # only a hash of the address is kept
    (opt_out,) = SurveyOptOut.objects.all()
    assert SENDER.lower() not in opt_out.address_hash
    assert opt_out.address_hash == invitations.address_hash(f"  {SENDER.upper()} ")
    # when the sender writes again and is answered
    again = email_contact(handler=agent, answered_at=t, caller_email=SENDER)
    invitations_send(now=t + H48)
    # then no mail goes out
    assert len(smtp.received) == 1
    assert invitation_of(again).skip_reason == Skip.OPTED_OUT


@pytest.mark.django_db
def test_an_invitation_more_than_a_week_overdue_is_not_sent(smtp: SmtpSink, agent: User) -> None:
    # scheduled in time, but the mail server was unreachable for over a week
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    invitations.invitations_schedule(now=t + H48)
    invitations_send(now=t + H48 + dt.timedelta(days=7, seconds=1))
    assert smtp.received == []
    assert invitation_of(contact).skip_reason == Skip.TOO_LATE


# --- the mail server says no, or is away -----------------------------------------------------


@pytest.mark.django_db
def test_an_address_refused_by_the_mail_server_is_not_retried(smtp: SmtpSink, agent: User) -> None:
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    smtp.rcpt_reply = "550 5.1.1 No such user"
    invitations_send(now=t + H48)
    invitation = invitation_of(contact)
    assert invitation.status == InvitationStatus.SKIPPED
    assert invitation.skip_reason == "refused: 550"
    assert invitation.token_hash is None
    smtp.rcpt_reply = None
    invitations_send(now=t + H48 + dt.timedelta(days=1))
    assert smtp.received == []


@pytest.mark.django_db
def test_a_refused_sender_address_uses_up_no_invitation(smtp: SmtpSink, agent: User) -> None:
    # a wrong DEFAULT_FROM_EMAIL is our problem, not the citizens': retry, stop the batch
    t = answered_moment()
    first = email_contact(handler=agent, answered_at=t, caller_email="ouder0@example.be")
    second = email_contact(handler=agent, answered_at=t, caller_email="ouder1@example.be")
    smtp.mail_reply = "553 5.7.1 Sender address rejected"
    invitations_send(now=t + H48)
    one, two = invitation_of(first), invitation_of(second)
    assert (one.status, one.attempts, one.due_at) == ("scheduled", 1, t + H48 + RETRY_AFTER)
    assert (two.status, two.attempts) == ("scheduled", 0)
    smtp.mail_reply = None
    invitations_send(now=t + H48 + RETRY_AFTER)
    assert sorted(mail.rcpt_tos[0] for mail in smtp.received) == [
        "ouder0@example.be",
        "ouder1@example.be",
    ]


@pytest.mark.django_db
def test_a_refused_message_is_not_retried_and_stops_the_batch(smtp: SmtpSink, agent: User) -> None:
    t = answered_moment()
    first = email_contact(handler=agent, answered_at=t, caller_email="ouder0@example.be")
    second = email_contact(handler=agent, answered_at=t, caller_email="ouder1@example.be")
    smtp.data_reply = "554 5.7.1 Message rejected"
    invitations_send(now=t + H48)
    one, two = invitation_of(first), invitation_of(second)
    assert (one.status, one.skip_reason, one.token_hash) == ("skipped", "refused: 554", None)
    assert (two.status, two.attempts) == ("scheduled", 0)
    assert smtp.received == []


@pytest.mark.django_db
def test_a_temporary_refusal_is_retried_later_with_a_new_token(smtp: SmtpSink, agent: User) -> None:
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    smtp.data_reply = "451 4.3.0 Try again later"
    invitations_send(now=t + H48)
    invitation = invitation_of(contact)
    assert invitation.status == InvitationStatus.SCHEDULED
    assert invitation.due_at == t + H48 + RETRY_AFTER
    assert invitation.attempts == 1
    assert invitation.token_hash is None
    assert invitation.claimed_at is None
    # not before the retry time; then sent once
    smtp.data_reply = None
    invitations_send(now=t + H48 + RETRY_AFTER - dt.timedelta(seconds=1))
    assert smtp.received == []
    invitations_send(now=t + H48 + RETRY_AFTER)
    assert len(smtp.received) == 1
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == (InvitationStatus.SENT, 2)
    assert token_hash(smtp.received[0].tokens()[0]) == invitation.token_hash


@pytest.mark.django_db
def test_after_the_last_attempt_the_invitation_is_given_up(smtp: SmtpSink, agent: User) -> None:
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    smtp.data_reply = "451 4.3.0 Try again later"
    now = t + H48
    for _attempt in range(MAX_ATTEMPTS):
        invitations_send(now=now)
        now += RETRY_AFTER * MAX_ATTEMPTS
    invitation = invitation_of(contact)
    assert invitation.status == InvitationStatus.SKIPPED
    assert invitation.skip_reason == "gave_up: 451"
    assert invitation.attempts == MAX_ATTEMPTS


@pytest.mark.django_db
def test_an_unreachable_mail_server_claims_nothing(settings: Any, agent: User) -> None:
    settings.KGLIJN_PUBLIC_BASE_URL = BASE_URL
    use_smtp(settings, SmtpSink())  # a free port nobody listens on
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    assert invitations_send(now=t + H48) == 1  # scheduled only
    invitation = invitation_of(contact)
    assert invitation.status == InvitationStatus.SCHEDULED
    assert invitation.attempts == 0
    assert invitation.token_hash is None


@pytest.mark.django_db
def test_a_server_that_hangs_up_after_taking_the_mail_is_not_sent_to_twice(
    smtp: SmtpSink, agent: User
) -> None:
    # the server took the whole message, then broke off before saying "250"
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    smtp.drop_after_data = True
    invitations_send(now=t + H48)
    assert len(smtp.received) == 1
    invitation = invitation_of(contact)
    assert (invitation.status, invitation.skip_reason) == (InvitationStatus.SKIPPED, "uncertain")
    smtp.drop_after_data = False
    invitations_send(now=t + H48 + STALE_CLAIM * 2)
    assert len(smtp.received) == 1
    # the mail did arrive: its link still works
    token = smtp.received[0].tokens()[0]
    assert token_hash(token) == invitation.token_hash


@pytest.mark.django_db
def test_without_a_public_base_url_nothing_is_claimed(settings: Any, agent: User) -> None:
    settings.KGLIJN_PUBLIC_BASE_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    with pytest.raises(Exception, match="KGLIJN_PUBLIC_BASE_URL"):
        invitations_send(now=t + H48)
    invitation = invitation_of(contact)
    assert (invitation.status, invitation.attempts) == (InvitationStatus.SCHEDULED, 0)


# --- a worker that dies mid-batch ------------------------------------------------------------


class WorkerKilled(BaseException):
    """Stands for the process dying: nothing catches it, open transactions roll back."""


def kill_at(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, *, call: int) -> None:
    """Make the `call`-th call of module.<name> kill the worker instead."""
    original = getattr(module, name)
    calls = {"n": 0}

    def dying(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == call:
            raise WorkerKilled
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, dying)


def three_due(agent: User) -> tuple[dt.datetime, list[Contact]]:
    t = answered_moment()
    contacts = [
        email_contact(
            handler=agent,
            answered_at=t + dt.timedelta(seconds=i),
            caller_email=f"ouder{i}@example.be",
        )
        for i in range(3)
    ]
    return t + H48 + dt.timedelta(seconds=2), contacts


@pytest.mark.django_db(transaction=True)
def test_dying_after_the_server_took_a_mail_doubles_and_loses_nothing(
    smtp: SmtpSink, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given three due invitations, and a worker that dies after the mail server accepted the
    # second mail but before it wrote down "sent"
    now, contacts = three_due(agent)
    kill_at(monkeypatch, outbox, "_settle", call=2)
    with pytest.raises(WorkerKilled):
        invitations_send(now=now)
    monkeypatch.undo()
    assert [mail.rcpt_tos[0] for mail in smtp.received] == [
        "ouder0@example.be",
        "ouder1@example.be",
    ]
    statuses = [invitation_of(contact).status for contact in contacts]
    assert statuses == ["sent", "sending", "scheduled"]
    # when the worker restarts a minute later
    invitations_send(now=now + dt.timedelta(minutes=1))
    # then the third goes out, the second (claim not yet stale) waits
    assert [mail.rcpt_tos[0] for mail in smtp.received] == [
        "ouder0@example.be",
        "ouder1@example.be",
        "ouder2@example.be",
    ]
    # and once the claim is stale it is resolved without sending again
    invitations_send(now=now + STALE_CLAIM + dt.timedelta(minutes=1))
    invitations_send(now=now + dt.timedelta(days=1))
    assert len(smtp.received) == 3
    second = invitation_of(contacts[1])
    assert (second.status, second.skip_reason) == (InvitationStatus.SKIPPED, "interrupted")
    assert [invitation_of(c).status for c in (contacts[0], contacts[2])] == ["sent", "sent"]
    # the second mail did arrive: its link works, and answering shows it was delivered
    (token,) = smtp.received[1].tokens()
    assert token_hash(token) == second.token_hash
    invitations.invitation_answer(token=token, answers={"courtesy": 5}, now=timezone.now())
    assert invitation_of(contacts[1]).status == InvitationStatus.ANSWERED


@pytest.mark.django_db(transaction=True)
def test_dying_between_claim_and_send_loses_only_that_one_mail_and_says_so(
    smtp: SmtpSink, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the remaining window (ADR 0008): claimed, then the process died before the mail server
    # saw the message. At most once: it is not sent later, and the invitation says why.
    now, contacts = three_due(agent)
    kill_at(monkeypatch, outbox, "outbox_deliver", call=2)
    with pytest.raises(WorkerKilled):
        invitations_send(now=now)
    monkeypatch.undo()
    invitations_send(now=now + dt.timedelta(minutes=1))
    invitations_send(now=now + STALE_CLAIM + dt.timedelta(minutes=1))
    assert [mail.rcpt_tos[0] for mail in smtp.received] == [
        "ouder0@example.be",
        "ouder2@example.be",
    ]
    second = invitation_of(contacts[1])
    assert (second.status, second.skip_reason) == (InvitationStatus.SKIPPED, "interrupted")
    assert second.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_dying_before_a_claim_commits_leaves_the_invitation_to_the_next_run(
    smtp: SmtpSink, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # dies while the second claim is being written: its transaction rolls back entirely
    now, contacts = three_due(agent)
    kill_at(monkeypatch, invitation_sending, "invitation_message", call=2)
    with pytest.raises(WorkerKilled):
        invitations_send(now=now)
    monkeypatch.undo()
    second = invitation_of(contacts[1])
    assert (second.status, second.attempts, second.token_hash) == ("scheduled", 0, None)
    invitations_send(now=now + dt.timedelta(minutes=1))
    assert sorted(mail.rcpt_tos[0] for mail in smtp.received) == [
        "ouder0@example.be",
        "ouder1@example.be",
        "ouder2@example.be",
    ]
    assert SurveyInvitation.objects.filter(status=InvitationStatus.SENT).count() == 3


@pytest.mark.django_db
def test_two_workers_never_claim_the_same_invitation(smtp: SmtpSink, agent: User) -> None:
    # a claim only takes a scheduled invitation: once one worker has it, another cannot
    t = answered_moment()
    contact = email_contact(handler=agent, answered_at=t)
    invitations.invitations_schedule(now=t + H48)
    claimed = outbox.outbox_claim(now=t + H48, purposes=[INVITATION_PURPOSE])
    assert claimed is not None
    assert claimed.email is not None
    assert outbox.outbox_claim(now=t + H48, purposes=[INVITATION_PURPOSE]) is None
    assert invitation_of(contact).status == InvitationStatus.SENDING
    assert smtp.received == []


@pytest.mark.django_db(transaction=True)
def test_workers_running_at_the_same_time_send_each_invitation_once(
    smtp: SmtpSink, agent: User
) -> None:
    # given 12 due invitations and 4 workers starting at the same moment
    t = answered_moment()
    for i in range(12):
        email_contact(handler=agent, answered_at=t, caller_email=f"ouder{i}@example.be")
    now = t + H48
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            while True:
                try:
                    invitations_send(now=now)
                    return
                except OperationalError as exc:
                    # SQLite's shared-cache test database reports a busy table at once
                    # instead of waiting (production: a 20 s busy timeout). PostgreSQL
                    # never gets here.
                    if connection.vendor != "sqlite" or "locked" not in str(exc):
                        raise
                    time.sleep(0.01)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    invitations_send(now=now + STALE_CLAIM + dt.timedelta(minutes=1))
    # then nobody got two mails, and every invitation is accounted for
    recipients = [mail.rcpt_tos[0] for mail in smtp.received]
    assert len(recipients) == len(set(recipients))
    assert SurveyInvitation.objects.count() == 12
    sent = set(
        SurveyInvitation.objects.filter(status=InvitationStatus.SENT).values_list(
            "contact__caller_email", flat=True
        )
    )
    assert sent <= set(recipients)
    others = SurveyInvitation.objects.exclude(status=InvitationStatus.SENT)
    assert set(others.values_list("skip_reason", flat=True)) <= {Skip.INTERRUPTED}
    if connection.vendor == "postgresql":  # no retries there: all 12 sent, each once
        assert len(sent) == 12
        assert sorted(recipients) == sorted(f"ouder{i}@example.be" for i in range(12))
