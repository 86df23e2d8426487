"""Other apps contribute their panels to the contact page through KGLIJN_CONTACT_PANELS."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from kglijn.contacts.models import Contact
from kglijn.contacts.panels import ContactPanel
from tests.conftest import PASSWORD
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db


def reference_panel(*, user: User, contact: Contact) -> ContactPanel:
    return ContactPanel(
        template="contacts/_test_panel.html",
        context={"panel_text": f"panel of {contact.reference} for {user.username}"},
    )


@pytest.fixture
def panel_template(settings: Any, tmp_path: Any) -> None:
    (tmp_path / "contacts").mkdir()
    (tmp_path / "contacts" / "_test_panel.html").write_text("<p id=test-panel>{{ panel_text }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}
    ]


def page(client: Client, user: User, contact: Contact) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(f"/desk/contacts/{contact.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_default_panels_are_the_mail_thread_the_survey_and_opgroeipunt(
    client, agent, settings
) -> None:
    assert settings.KGLIJN_CONTACT_PANELS == [
        "kglijn.mail.panels.mail_contact_panel",
        "kglijn.surveys.panels.survey_contact_panel",
        "kglijn.opgroeipunt.cases.panels.opgroeipunt_contact_panel",
    ]
    html = page(client, agent, ContactFactory.create(handler=agent, channel="email"))
    assert html.index('id="mail"') < html.index('id="survey"')


def test_a_contributed_panel_is_shown_with_its_context(
    client, agent, settings, panel_template
) -> None:
    settings.KGLIJN_CONTACT_PANELS = [f"{__name__}.reference_panel"]
    contact = ContactFactory.create(handler=agent, channel="email")
    html = page(client, agent, contact)
    assert f"<p id=test-panel>panel of {contact.reference} for agent</p>" in html
    assert 'id="mail"' not in html
    assert 'id="survey"' not in html


def test_a_wrong_panel_path_is_a_configuration_error(client, agent, settings) -> None:
    settings.KGLIJN_CONTACT_PANELS = ["kglijn.nowhere.panel"]
    contact = ContactFactory.create(handler=agent)
    assert client.login(username=agent.username, password=PASSWORD)
    with pytest.raises(ImproperlyConfigured, match="KGLIJN_CONTACT_PANELS"):
        client.get(f"/desk/contacts/{contact.pk}/")
