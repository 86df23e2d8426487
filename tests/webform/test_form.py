"""The public contact form: contacts it creates, Dutch field messages, spam protection."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from kglijn.contacts.models import Contact
from kglijn.core.models import AuditEvent
from kglijn.webform.services import NOTES_PREFIX
from kglijn.webform.spam import form_token

pytestmark = pytest.mark.django_db

URL = "/contact/"


RATE_LIMIT = 5  # settings.KGLIJN_WEBFORM_LIMIT's default; the cache is per test (conftest)


def token(seconds_ago: float = 30) -> str:
    return form_token(now=timezone.now() - dt.timedelta(seconds=seconds_ago))


def post(client, ip: str = "192.0.2.10", **fields):
    data = {
        "question_type": "vaccinatie",
        "message": "Wanneer krijgt mijn dochter haar volgende vaccin?",
        "consent": "on",
        "form_started": token(),
        **fields,
    }
    return client.post(URL, {k: v for k, v in data.items() if v is not None}, REMOTE_ADDR=ip)


def test_the_form_is_public_dutch_and_accessible(client) -> None:
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in html
    assert "Stel je vraag" in html
    assert re.search(r"<fieldset[^>]*>\s*<legend>Waarover gaat je vraag\?", html)
    assert 'autocomplete="name"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="postal-code"' in html
    assert 'aria-describedby="id_message-help"' in html
    assert 'href="/contact/privacy/"' in html
    assert 'name="form_started"' in html
    assert 'name="kg_extra"' in html
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html


def test_anonymous_message_becomes_an_anonymous_email_contact(client) -> None:
    response = post(client, postcode="2000")

    contact = Contact.objects.get()
    assert response.status_code == 302
    assert (contact.channel, contact.origin, contact.direction) == ("email", "webform", "in")
    assert (contact.office, contact.status, contact.topic) == ("front", "open", "family_support")
    assert list(contact.reasons.values_list("code", flat=True)) == ["vaccination"]
    assert contact.province == "BE-VAN"
    assert contact.anonymous is True
    assert (contact.caller_name, contact.caller_email, contact.customer) == ("", "", None)
    assert contact.notes == (f"{NOTES_PREFIX}\nWanneer krijgt mijn dochter haar volgende vaccin?")
    assert contact.handler is None
    assert contact.created_by is None
    assert "2000" not in contact.notes


def test_confirmation_shows_the_reference_and_says_we_cannot_write_back(client) -> None:
    response = post(client)
    contact = Contact.objects.get()

    page = client.get(response["Location"])
    html = page.content.decode()

    assert page.status_code == 200
    assert f"<strong data-reference>{contact.reference}</strong>" in html
    assert "Je gaf geen e-mailadres op" in html


def test_with_an_email_address_the_contact_is_not_anonymous(client) -> None:
    response = post(
        client,
        question_type="opvang-zoeken",
        name="  An Peeters ",
        email="an.peeters@example.be",
        postcode="9000",
    )

    contact = Contact.objects.get()
    assert (contact.anonymous, contact.caller_name, contact.caller_email) == (
        False,
        "An Peeters",
        "an.peeters@example.be",
    )
    assert (contact.topic, contact.office, contact.province) == ("childcare", "front", "BE-VOV")
    assert list(contact.reasons.values_list("code", flat=True)) == ["childcare-addresses"]
    html = client.get(response["Location"]).content.decode()
    assert "Je gaf geen e-mailadres op" not in html
    assert "binnen twee werkdagen" in html


@pytest.mark.parametrize(
    ("key", "topic", "reason"),
    [
        ("gezondheid", "family_support", "advice"),
        ("consultatiebureau", "family_support", "cb-appointment"),
        ("zwanger", "family_support", "pregnancy-intro"),
        ("zorg", "family_support", "care-report"),
        ("ouderbijdrage", "childcare", "childcare-fees"),
        ("opvang-starten", "childcare", "childcare-qualification"),
        ("andere", "", "general"),
    ],
)
def test_each_question_type_sets_topic_and_reason_and_goes_to_the_front_office(
    client, key, topic, reason
) -> None:
    post(client, question_type=key)

    contact = Contact.objects.get()
    assert (contact.topic, contact.office) == (topic, "front")
    assert list(contact.reasons.values_list("code", flat=True)) == [reason]


def test_the_ip_address_is_stored_nowhere(client) -> None:
    post(client, ip="198.51.100.77")

    contact = Contact.objects.get()
    assert all("198.51.100.77" not in str(value) for value in contact.__dict__.values())
    assert not any("198.51.100.77" in str(event.detail) for event in AuditEvent.objects.all())


def test_bad_input_gets_dutch_messages_per_field_and_creates_nothing(client) -> None:
    response = client.post(
        URL,
        {
            "message": "kort",
            "email": "geen-adres",
            "postcode": "123",
            "name": "x" * 201,
            "form_started": token(),
        },
        REMOTE_ADDR="192.0.2.11",
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert Contact.objects.count() == 0
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert '<a href="#id_question_type_0">Kies waarover je vraag gaat.</a>' in summary
    assert '<a href="#id_message">Schrijf je vraag in minstens 10 tekens.</a>' in summary
    assert '<a href="#id_name">Maximaal 200 tekens.</a>' in summary
    assert (
        '<a href="#id_email">Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.be.</a>'
        in summary
    )
    assert '<a href="#id_postcode">Een Belgische postcode heeft 4 cijfers.</a>' in summary
    assert (
        '<a href="#id_consent">Vink aan dat je akkoord gaat, anders kunnen we je bericht niet '
        "aanvaarden.</a>" in summary
    )
    assert 'id="id_email-error"' in html
    assert 'aria-describedby="id_email-help id_email-error" aria-invalid="true"' in html
    # What was typed stays in the form.
    assert 'value="geen-adres"' in html
    assert ">kort</textarea>" in html


def test_a_too_long_message_is_refused(client) -> None:
    response = post(client, message="a" * 5001)

    assert response.status_code == 400
    assert "Je bericht is te lang: maximaal 5000 tekens (nu 5001)." in response.content.decode()
    assert Contact.objects.count() == 0


def test_the_honeypot_looks_like_success_but_stores_nothing(client) -> None:
    response = post(client, kg_extra="http://spam.example")

    assert response.status_code == 200
    assert "Je vraag is verstuurd" in response.content.decode()
    assert "data-reference" not in response.content.decode()
    assert Contact.objects.count() == 0


def test_a_submission_within_seconds_of_opening_is_refused(client) -> None:
    form = client.get(URL).content.decode()
    fresh = re.search(r'name="form_started" value="([^"]+)"', form).group(1)

    response = post(client, form_started=fresh)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Je verstuurde het formulier erg snel." in html
    assert Contact.objects.count() == 0
    # The re-shown form has a new token; sent again a few seconds later it is accepted.
    again = re.search(r'name="form_started" value="([^"]+)"', html).group(1)
    assert again != fresh


@pytest.mark.parametrize(
    ("started", "message"),
    [
        (lambda: token(seconds_ago=25 * 3600), "Het formulier stond te lang open."),
        (lambda: token()[:-3] + "abc", "Er ging iets mis met het formulier."),
        (lambda: None, "Er ging iets mis met het formulier."),
    ],
    ids=["expired", "tampered", "missing"],
)
def test_an_old_or_forged_form_is_refused(client, started, message) -> None:
    response = post(client, form_started=started())

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Contact.objects.count() == 0


def test_at_most_five_messages_per_ten_minutes_per_address(client) -> None:
    for _ in range(RATE_LIMIT):
        assert post(client, ip="203.0.113.5").status_code == 302

    refused = post(client, ip="203.0.113.5")
    other_address = post(client, ip="203.0.113.6")

    assert refused.status_code == 429
    assert "Je verstuurde op korte tijd meerdere berichten." in refused.content.decode()
    assert other_address.status_code == 302
    assert Contact.objects.count() == RATE_LIMIT + 1


def test_field_errors_do_not_use_up_the_limit(client) -> None:
    for _ in range(RATE_LIMIT + 2):
        assert post(client, ip="203.0.113.9", message="kort").status_code == 400

    assert post(client, ip="203.0.113.9").status_code == 302


def test_the_confirmation_link_cannot_be_forged(client) -> None:
    response = post(client)

    assert client.get(response["Location"][:-4] + "xxxx/").status_code == 404
    assert client.get("/contact/verzonden/KG-0000001/").status_code == 404


def test_privacy_statement_page(client) -> None:
    response = client.get("/contact/privacy/")

    assert response.status_code == 200
    assert "Privacyverklaring" in response.content.decode()


def test_one_form_token_serves_one_submission(client) -> None:
    started = token()

    first = post(client, ip="203.0.113.20", form_started=started)
    replayed = post(client, ip="203.0.113.21", form_started=started)

    assert first.status_code == 302
    assert replayed.status_code == 400
    assert "Dit formulier werd al verstuurd." in replayed.content.decode()
    assert Contact.objects.count() == 1


def test_a_token_refused_for_field_errors_is_still_used_up_only_when_valid(client) -> None:
    started = token()

    assert post(client, form_started=started, message="kort").status_code == 400
    # The first submission had field errors: the token was not spent on it.
    assert post(client, form_started=started).status_code == 302
    assert post(client, form_started=started).status_code == 400
    assert Contact.objects.count() == 1


def test_a_forwarded_header_does_not_dodge_the_limit(client) -> None:
    for n in range(RATE_LIMIT):
        response = client.post(
            URL,
            {
                "question_type": "vaccinatie",
                "message": "Wanneer krijgt mijn dochter haar volgende vaccin?",
                "consent": "on",
                "form_started": token(),
            },
            REMOTE_ADDR="203.0.113.30",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        assert response.status_code == 302

    refused = post(client, ip="203.0.113.30")

    assert refused.status_code == 429
    assert Contact.objects.count() == RATE_LIMIT
