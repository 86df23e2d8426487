"""The contact's satisfaction survey on the contact page (settings.KGLIJN_CONTACT_PANELS)."""

from __future__ import annotations

from django.contrib.auth.models import User

from kglijn.contacts.models import Contact
from kglijn.contacts.panels import ContactPanel
from kglijn.surveys.selectors import contact_survey_panel


def survey_contact_panel(*, user: User, contact: Contact) -> ContactPanel:
    return ContactPanel(
        template="surveys/_contact_survey.html",
        context={"survey": contact_survey_panel(user=user, contact=contact)},
    )
