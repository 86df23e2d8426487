"""The e-mail panel on a contact's page, its htmx composer, attachment downloads and the
quarantine page: who sees what, and which reads are audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kglijn.contacts.models import Contact, Status
from kglijn.core.models import AuditEvent
from kglijn.mail.inbound import mail_ingest
from kglijn.mail.models import (
    DeliveryStatus,
    MailAttachment,
    MailDirection,
    MailMessage,
    Quarantine,
)
from tests.conftest import PASSWORD
from tests.contacts.factories import ContactFactory
from tests.mail import samples
from tests.mail.imap_server import make_message
from tests.surveys.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db


def ingest(raw: bytes) -> Contact:
    result = mail_ingest(raw=raw, received_at=timezone.now(), now=timezone.now())
    return Contact.objects.get(pk=result.contact_id)


def logged_in(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def detail(client: Client, contact: Contact) -> str:
    response = client.get(reverse("contacts:detail", kwargs={"contact_id": contact.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_contact_page_shows_the_thread_and_the_composer(
    client: Client, agent: User, mail_dir: Path
) -> None:
    contact = ingest(samples.EXE_ATTACHMENT)
    agent.first_name = "An"
    agent.save()
    html = detail(logged_in(client, agent), contact)
    assert 'id="mail"' in html
    assert "Zie bijlage." in html
    pdf = MailAttachment.objects.get(filename="attest.pdf")
    assert f'href="/mail/attachments/{pdf.pk}/"' in html
    assert "factuur.exe" in html
    assert "geweigerd: dit type bestand kan een programma starten en wordt niet aanvaard" in html
    assert "<dd data-reply-to>iemand@example.be</dd>" in html
    assert f"<dd data-reply-subject>Re: Factuur [{contact.reference}]</dd>" in html
    # the composer starts with a greeting and the agent's signature
    assert "Beste heer, mevrouw,\n\n\n\nMet vriendelijke groeten,\nAn\nKind en Gezin-Lijn" in html
    assert f"onder referentie {contact.reference}." in html  # a filled-in template
    assert 'data-template="ontvangst"' in html


def test_the_html_of_a_mail_is_shown_sanitised(client: Client, agent: User, mail_dir: Path) -> None:
    contact = ingest(samples.HTML_ONLY)
    html = detail(logged_in(client, agent), contact)
    assert "<p>Beste,<br>mijn <b>vraag</b>.</p>" in html
    assert "steal()" not in html
    assert "tracker.example" not in html
    assert "alert(" not in html


def test_a_damaged_mail_says_what_was_wrong(client: Client, agent: User, mail_dir: Path) -> None:
    contact = ingest(samples.NON_UTF8)
    html = detail(logged_in(client, agent), contact)
    assert "Dit bericht kwam niet ongeschonden aan:" in html
    assert (
        "tekens in een onbekende of verkeerde tekenset werden vervangen (x-unknown-charset)" in html
    )


def test_a_phone_contact_has_no_mail_panel(client: Client, agent: User) -> None:
    contact = ContactFactory.create()
    assert 'id="mail"' not in detail(logged_in(client, agent), contact)


def test_a_closed_contact_shows_the_thread_without_composer(
    client: Client, agent: User, mail_dir: Path
) -> None:
    contact = ingest(make_message())
    Contact.objects.filter(pk=contact.pk).update(status=Status.CLOSED)
    html = detail(logged_in(client, agent), contact)
    assert "Wanneer krijgt mijn dochter" in html
    assert 'id="mail-composer"' not in html
    assert "Dit contact is afgesloten; heropen het om te antwoorden." in html


@pytest.mark.django_db(transaction=True)
def test_sending_from_the_page_redirects_to_the_thread(
    client: Client, agent: User, smtp: SmtpSink, mail_dir: Path
) -> None:
    # Real commits: the answer goes out right after its transaction, before the page reloads.
    contact = ingest(make_message())
    url = reverse("mail:reply", kwargs={"contact_id": contact.pk})
    response = logged_in(client, agent).post(
        url, {"body": "Beste Jan, op 15 maanden."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("contacts:detail", args=[contact.pk])
    message = MailMessage.objects.get(direction=MailDirection.OUT)
    assert message.delivery_status == DeliveryStatus.SENT
    contact.refresh_from_db()
    assert contact.status == Status.OPEN  # "close" was not ticked
    html = detail(client, contact)
    assert f"Antwoord op {contact.reference} verzonden." in html
    assert 'data-delivery="sent"' in html


def test_an_empty_answer_comes_back_with_the_error_in_the_composer(
    client: Client, agent: User, mail_dir: Path
) -> None:
    contact = ingest(make_message())
    url = reverse("mail:reply", kwargs={"contact_id": contact.pk})
    response = logged_in(client, agent).post(
        url, {"body": "   \n  ", "close": "on"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="mail-composer" id="mail-composer"')
    assert "Schrijf een antwoord voor je verzendt." in html
    assert not MailMessage.objects.filter(direction=MailDirection.OUT).exists()
    # without htmx the same errors come on a page of their own
    page = client.post(url, {"body": "", "close": "on"})
    assert page.status_code == 200
    assert "Dit veld is verplicht." in page.content.decode()


def test_another_office_cannot_post_an_answer(
    client: Client, childcare_handler: User, mail_dir: Path
) -> None:
    contact = ingest(make_message())
    url = reverse("mail:reply", kwargs={"contact_id": contact.pk})
    response = logged_in(client, childcare_handler).post(url, {"body": "Hallo"})
    assert response.status_code == 404
    assert not MailMessage.objects.filter(direction=MailDirection.OUT).exists()


def test_an_attachment_downloads_as_a_file_and_the_read_is_audited(
    client: Client, agent: User, mail_dir: Path
) -> None:
    contact = ingest(samples.EXE_ATTACHMENT)
    pdf = MailAttachment.objects.get(filename="attest.pdf")
    response = logged_in(client, agent).get(reverse("mail:attachment", args=[pdf.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 attest"  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="attest.pdf"'
    event = AuditEvent.objects.filter(actor=agent, action=AuditEvent.Action.VIEW).latest("id")
    assert (event.object_id, event.detail) == (contact.pk, {"attachment": pdf.pk})


def test_refused_or_foreign_attachments_are_not_served(
    client: Client, agent: User, childcare_handler: User, mail_dir: Path
) -> None:
    ingest(samples.EXE_ATTACHMENT)
    exe = MailAttachment.objects.get(filename="factuur.exe")
    pdf = MailAttachment.objects.get(filename="attest.pdf")
    assert (
        logged_in(client, agent).get(reverse("mail:attachment", args=[exe.pk])).status_code == 404
    )
    client.logout()
    audits = AuditEvent.objects.count()
    other = logged_in(client, childcare_handler).get(reverse("mail:attachment", args=[pdf.pk]))
    assert other.status_code == 404
    assert AuditEvent.objects.count() == audits


def test_resend_from_the_page(
    client: Client,
    agent: User,
    smtp: SmtpSink,
    mail_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    contact = ingest(make_message())
    smtp.rcpt_reply = "550 no such user"
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(client, agent).post(
            reverse("mail:reply", kwargs={"contact_id": contact.pk}), {"body": "Antwoord"}
        )
    message = MailMessage.objects.get(direction=MailDirection.OUT)
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "Dit antwoord werd niet verzonden." in detail(client, contact)
    smtp.rcpt_reply = None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mail:resend", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert len(smtp.received) == 1


def _quarantined() -> Quarantine:
    result = mail_ingest(
        raw=make_message(sender="MAILER-DAEMON@example.be", subject="Undelivered"),
        received_at=timezone.now() - dt.timedelta(minutes=5),
        now=timezone.now(),
    )
    return Quarantine.objects.get(pk=result.quarantine_id)


def test_the_team_lead_reads_downloads_and_handles_quarantined_mail(
    client: Client, team_lead: User, mail_dir: Path
) -> None:
    quarantine = _quarantined()
    logged_in(client, team_lead)
    page = client.get(reverse("mail:quarantine"))
    assert page.status_code == 200
    assert "Undelivered" in page.content.decode()
    assert 'href="/mail/quarantaine/"' in page.content.decode()  # in the menu
    raw = client.get(reverse("mail:quarantine_raw", args=[quarantine.pk]))
    assert raw.content == bytes(quarantine.raw)
    assert raw["Content-Disposition"] == f'attachment; filename="quarantaine-{quarantine.pk}.eml"'
    events = AuditEvent.objects.filter(object_type="mail_quarantine", actor=team_lead)
    assert list(events.order_by("id").values_list("action", "object_id", "detail")) == [
        (AuditEvent.Action.VIEW, 0, {"list": "open"}),
        (AuditEvent.Action.VIEW, quarantine.pk, {"raw": True}),
    ]
    response = client.post(
        reverse("mail:quarantine_handle", args=[quarantine.pk]),
        {"resolution": "Bounce van een oude nieuwsbrief"},
    )
    assert response.status_code == 302
    quarantine.refresh_from_db()
    assert bytes(quarantine.raw) == b""
    assert quarantine.resolved_by == team_lead
    assert quarantine.resolution == "Bounce van een oude nieuwsbrief"
    assert client.get(reverse("mail:quarantine_raw", args=[quarantine.pk])).status_code == 404


def test_agents_do_not_see_the_quarantine(client: Client, agent: User, mail_dir: Path) -> None:
    quarantine = _quarantined()
    logged_in(client, agent)
    assert client.get(reverse("mail:quarantine")).status_code == 404
    assert client.get(reverse("mail:quarantine_raw", args=[quarantine.pk])).status_code == 404
    response = client.post(
        reverse("mail:quarantine_handle", args=[quarantine.pk]), {"resolution": "weg"}
    )
    assert response.status_code == 404
    quarantine.refresh_from_db()
    assert quarantine.resolved_at is None
    assert not AuditEvent.objects.filter(object_type="mail_quarantine").exists()
