"""Dutch whatever the browser says; English only once chosen on the NL/EN switch, remembered."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def test_an_english_browser_sees_dutch(client: Client) -> None:
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "nl-be"
    assert "Aanmelden" in html
    assert "Log in with your K&G-Lijn account." not in html


def test_choosing_english_on_the_switch_is_remembered_on_the_next_page(client: Client) -> None:
    chosen = client.post(
        "/i18n/setlang/", {"language": "en", "next": LOGIN}, HTTP_ACCEPT_LANGUAGE="nl"
    )

    assert chosen.status_code == 302
    cookie = chosen.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) == 365 * 24 * 60 * 60  # kept across visits, not per session
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="nl")
    assert response["Content-Language"] == "en"
    assert "Log in with your K&G-Lijn account." in response.content.decode()

    client.post("/i18n/setlang/", {"language": "nl-be", "next": LOGIN})
    assert "Aanmelden" in client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unknown_cookie_falls_back_to_dutch(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    assert client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "nl-be"


def test_the_machine_api_keeps_content_negotiation(client: Client) -> None:
    response = client.post(
        "/api/v1/telephony/events/",
        data=b"{}",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
