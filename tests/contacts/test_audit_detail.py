"""The contact history's readable lines for the e-mail channel's and the survey's audit events."""

from __future__ import annotations

import pytest
from django.utils import translation

from kglijn.contacts.views.common import describe_audit_detail
from kglijn.core.models import AuditEvent


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
