"""The whole e-mail channel against real servers: a question arrives in the IMAP mailbox,
becomes one contact, is answered from the desk (SMTP), and the citizen's reply to that answer
comes back onto the same contact and reopens it."""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kglijn.contacts.models import Contact, Status
from kglijn.mail.imap import PROCESSED_KEYWORD, mailbox_poll
from kglijn.mail.models import DeliveryStatus, MailDirection, MailMessage
from tests.conftest import PASSWORD
from tests.mail.imap_server import ImapServer, make_message
from tests.surveys.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db


def citizen_reply_to(answer: EmailMessage, text: str) -> bytes:
    """What Jan's mail program sends when he presses "reply" on our answer."""
    reply = EmailMessage()
    reply["From"] = "Jan Peeters <jan.peeters@example.be>"
    reply["To"] = str(answer["Reply-To"])
    reply["Subject"] = f"Re: {answer['Subject']}"
    reply["Date"] = email.utils.format_datetime(timezone.now())
    reply["Message-ID"] = "<jan-reply-1@example.be>"
    reply["In-Reply-To"] = str(answer["Message-ID"])
    reply["References"] = f"{answer['References']} {answer['Message-ID']}"
    reply.set_content(text)
    return reply.as_bytes()


def test_question_answer_and_reply_stay_one_contact(
    mailbox: ImapServer,
    smtp: SmtpSink,
    agent: User,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Given a question in the mailbox, the worker makes one open contact of it
    mailbox.deliver(make_message(message_id="<question@example.be>"))
    assert mailbox_poll(now=timezone.now()) == 1
    contact = Contact.objects.get()
    assert contact.status == Status.OPEN

    # When the agent answers it from the contact's page (and closes it)
    assert client.login(username="agent", password=PASSWORD)
    page = client.get(reverse("contacts:detail", kwargs={"contact_id": contact.pk}))
    assert b"Wanneer krijgt mijn dochter haar volgende vaccin?" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mail:reply", kwargs={"contact_id": contact.pk}),
            {"body": "Beste Jan,\n\nOp 15 maanden.\n\nAn", "close": "on"},
        )
    assert response.status_code == 302

    # Then the mail server got the answer, threaded onto the question
    (sent,) = smtp.received
    assert sent.message["In-Reply-To"] == "<question@example.be>"
    assert f"[{contact.reference}]" in str(sent.message["Subject"])
    contact.refresh_from_db()
    assert (contact.status, contact.handler) == (Status.CLOSED, agent)
    answer = MailMessage.objects.get(direction=MailDirection.OUT)
    assert answer.delivery_status == DeliveryStatus.SENT

    # When Jan replies to the answer
    uid = mailbox.deliver(citizen_reply_to(sent.message, "Dank u! En daarna?"))
    assert mailbox_poll(now=timezone.now()) == 1

    # Then his reply is on the same contact, which is open again, and nothing else was made
    assert Contact.objects.count() == 1
    contact.refresh_from_db()
    assert contact.status == Status.OPEN
    assert list(
        MailMessage.objects.filter(contact=contact)
        .order_by("created_at", "id")
        .values_list("direction", "message_id")
    ) == [
        ("in", "<question@example.be>"),
        ("out", answer.message_id),
        ("in", "<jan-reply-1@example.be>"),
    ]
    assert mailbox.flags()[uid] == {"\\Seen", PROCESSED_KEYWORD}
    page = client.get(reverse("contacts:detail", kwargs={"contact_id": contact.pk}))
    assert b"Dank u! En daarna?" in page.content
