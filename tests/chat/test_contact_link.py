"""A chat contact's page links to its transcript for the roles that may read it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _page(make_user, role: str, contact_id: int) -> str:
    user = make_user(role)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("contacts:detail", args=[contact_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_nurse_and_the_team_lead_get_the_transcript_link(make_user) -> None:
    contact = ContactFactory.create(channel="chat", office="pgjo")
    link = reverse("chat:contact_transcript", args=[contact.pk])

    assert link in _page(make_user, "pgjo_nurse", contact.pk)
    assert link in _page(make_user, "team_lead", contact.pk)


def test_no_link_for_other_channels_or_roles(make_user) -> None:
    chat = ContactFactory.create(channel="chat", office="front")
    phone = ContactFactory.create(channel="phone", office="pgjo")

    assert "/chat/contact/" not in _page(make_user, "front_office", chat.pk)
    assert "/chat/contact/" not in _page(make_user, "pgjo_nurse", phone.pk)
