"""The contact history's readable lines for the e-mail channel's and the survey's audit events."""

from __future__ import annotations

import pytest
from django.utils import translation

from kglijn.contacts.views.common import audit_rows, describe_audit_detail
from kglijn.core.models import AuditEvent
from tests.contacts.factories import ContactFactory


@pytest.mark.parametrize(
    ("detail", "line"),
    [
        ({"mail_in": 12}, "e-mail ontvangen"),
        ({"mail_out": 3}, "antwoord per e-mail verstuurd"),
        ({"mail_resend": 3}, "antwoord opnieuw per e-mail verstuurd"),
        ({"attachment": 9}, "bijlage gedownload"),
        (
            {"purpose": "survey_invitation", "invitation": 4},
            "adres gelezen voor de uitnodiging tot de tevredenheidsbevraging",
        ),
        ({"other": 1}, "other: 1"),
    ],
)
def test_mail_and_survey_events_read_as_dutch_lines(detail: dict[str, int], line: str) -> None:
    event = AuditEvent(action="view", object_type="contact", object_id=1, detail=detail)
    with translation.override("nl"):
        assert describe_audit_detail(event) == line


@pytest.mark.parametrize(
    ("event", "record", "line", "contact_id"),
    [
        (
            AuditEvent(
                action="create",
                object_type="survey_response",
                object_id=47509,
                detail={
                    "contact": 812,
                    "source": "chat",
                    "version": 2,
                    "complete": True,
                    "follow_up": None,
                },
            ),
            "antwoorden tevredenheidsbevraging #47509",
            "bron: einde van de chat · versie: 2 · volledig: ja · opvolgtaak: geen",
            812,
        ),
        (
            AuditEvent(
                action="view", object_type="contact", object_id=9, detail={"survey_remark": 47005}
            ),
            "klantcontact #9",
            "opmerking bij tevredenheidsantwoorden #47005 gelezen",
            9,
        ),
        (
            AuditEvent(
                action="change",
                object_type="survey_low_score_rule",
                object_id=3,
                detail={"criterion": "courtesy", "threshold": 2, "active": False},
            ),
            "regel voor lage scores #3",
            "criterium: courtesy · drempel: 2 · actief: nee",
            None,
        ),
        (
            AuditEvent(action="change", object_type="something_new", object_id=5, detail={"k": 1}),
            "something_new #5",
            "k: 1",
            None,
        ),
    ],
)
def test_the_audit_log_shows_dutch_labels_and_the_contact_to_link(
    event: AuditEvent, record: str, line: str, contact_id: int | None
) -> None:
    with translation.override("nl"):
        (row,) = audit_rows([event])

    assert (row.record, row.detail, row.contact_id) == (record, line, contact_id)


@pytest.mark.django_db
def test_the_audit_log_page_links_a_survey_response_to_its_contact(admin_client) -> None:
    contact = ContactFactory.create()
    AuditEvent.objects.create(
        action="create",
        object_type="survey_response",
        object_id=47509,
        detail={"contact": contact.pk, "source": "ivr", "complete": True, "follow_up": None},
    )

    html = admin_client.get("/desk/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "antwoorden tevredenheidsbevraging #47509" in html
    assert f'href="/desk/contacts/{contact.pk}/"' in html
    assert "bron: telefoon (keuzemenu na het gesprek) · volledig: ja · opvolgtaak: geen" in html
    assert "survey_response" not in html
