"""mail_parse: what kglijn keeps of a received message, however broken it is."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from kglijn.mail.parsing import (
    mail_parse,
    message_id_key,
    message_id_keys,
    subject_reference,
    synthetic_message_id,
)
from kglijn.mail.sanitise import html_sanitise, html_to_text
from tests.mail import samples
from tests.mail.imap_server import make_message


def test_a_well_formed_mail_is_read_completely() -> None:
    raw = make_message(
        sender="=?utf-8?q?Jan_P=C3=A9eters?= <jan.peeters@example.be>",
        subject="Vraag over de vaccinatie",
        body="Beste,\n\nMijn vraag.\n",
        message_id="<q1@example.be>",
        headers={"In-Reply-To": "<a@kindengezin.be>", "References": "<z@x.be> <a@kindengezin.be>"},
    )
    parsed = mail_parse(raw)
    assert parsed.message_id == "<q1@example.be>"
    assert parsed.message_id_synthetic is False
    assert parsed.from_name == "Jan Péeters"
    assert parsed.from_address == "jan.peeters@example.be"
    assert parsed.subject == "Vraag over de vaccinatie"
    assert parsed.to_addresses == "info@kindengezin.be"
    assert parsed.sent_at == dt.datetime(2023, 3, 6, 9, 0, tzinfo=dt.UTC)
    assert parsed.in_reply_to == "<a@kindengezin.be>"
    assert parsed.references == ["<z@x.be>", "<a@kindengezin.be>"]
    assert parsed.text == "Beste,\n\nMijn vraag."
    assert parsed.html == ""
    assert parsed.attachments == []
    assert parsed.problems == []
    assert parsed.auto_submitted is False
    assert parsed.raw_size == len(raw)


def test_missing_headers_give_a_stable_made_up_message_id() -> None:
    parsed = mail_parse(samples.MISSING_HEADERS)
    expected = f"<sha256.{hashlib.sha256(samples.MISSING_HEADERS).hexdigest()}@kglijn.invalid>"
    assert parsed.message_id == expected == synthetic_message_id(samples.MISSING_HEADERS)
    assert parsed.message_id_synthetic is True
    assert parsed.subject == ""
    assert parsed.sent_at is None
    assert parsed.from_address == "lena@example.be"
    assert parsed.text == "Hallo, wat zijn de openingsuren van het consultatiebureau?"
    assert parsed.problems == []


def test_broken_mime_is_read_as_far_as_possible_and_flagged() -> None:
    parsed = mail_parse(samples.BROKEN_MIME)
    assert "Ik zoek opvang in Gent." in parsed.text
    assert ("broken_mime", "NoBoundaryInMultipartDefect") in parsed.problems
    assert parsed.quarantine_reason.startswith("broken_mime: NoBoundaryInMultipartDefect")
    assert parsed.from_address == "sara@example.be"


def test_an_unknown_charset_and_8bit_headers_are_decoded_and_flagged() -> None:
    parsed = mail_parse(samples.NON_UTF8)
    assert parsed.text == "Mag ik koffie drinken? Groetjes, José"
    assert parsed.subject == "Vraag over caféïne tijdens de zwangerschap"
    assert parsed.from_name == "José Martens"
    assert parsed.from_address == "jose@example.be"
    assert ("charset", "x-unknown-charset") in parsed.problems
    assert ("headers", "Subject") in parsed.problems


def test_html_only_mail_is_sanitised_and_gets_a_text_version() -> None:
    parsed = mail_parse(samples.HTML_ONLY)
    assert parsed.html == (
        "<p>Beste,<br>mijn <b>vraag</b>.</p>"
        '<a target="_blank" rel="noopener noreferrer nofollow">klik</a> '
        '<a href="https://www.kindengezin.be" target="_blank" rel="noopener noreferrer nofollow">'
        "site</a>"
    )
    assert parsed.text == "Beste,\nmijn vraag.\nklik site"


def test_attachments_are_listed_with_their_names_and_types() -> None:
    parsed = mail_parse(samples.EXE_ATTACHMENT)
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("factuur.exe", "application/octet-stream"),
        ("attest.pdf", "application/pdf"),
    ]
    assert parsed.attachments[0].data.startswith(b"MZ")
    assert parsed.attachments[1].data == b"%PDF-1.4 attest"
    assert parsed.text == "Zie bijlage."


def test_a_mail_without_a_sender_address_is_flagged() -> None:
    parsed = mail_parse(b"Subject: anoniem\r\n\r\nTekst\r\n")
    assert parsed.from_address == ""
    assert parsed.problems == [("no_sender", "no From header")]


@pytest.mark.parametrize(
    ("headers", "automatic"),
    [
        ({"Auto-Submitted": "auto-replied"}, True),
        ({"Auto-Submitted": "no"}, False),
        ({"X-Autoreply": "yes"}, True),
        ({"Precedence": "auto_reply"}, True),
        ({}, False),
    ],
)
def test_automatic_messages_are_recognised(headers: dict[str, str], automatic: bool) -> None:
    assert mail_parse(make_message(headers=headers)).auto_submitted is automatic


def test_a_bounce_from_the_mailer_daemon_is_automatic() -> None:
    raw = make_message(sender="Mail Delivery System <MAILER-DAEMON@example.be>")
    assert mail_parse(raw).auto_submitted is True


def test_empty_bytes_still_parse() -> None:
    parsed = mail_parse(b"")
    assert parsed.text == ""
    assert parsed.message_id == synthetic_message_id(b"")
    assert parsed.problems == [("no_sender", "no From header")]


def test_message_id_keys_are_normalised_and_bounded() -> None:
    assert message_id_key("  <abc@example.be> ") == "<abc@example.be>"
    assert message_id_key("abc@example.be") == "<abc@example.be>"
    assert message_id_key("") == ""
    long_id = "<" + "x" * 300 + "@example.be>"
    key = message_id_key(long_id)
    assert key == message_id_key(long_id)
    assert key.endswith("@kglijn.invalid>")
    assert len(key) < 255
    assert message_id_keys("<a@x> <b@y>\r\n <a@x>") == ["<a@x>", "<b@y>"]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Uw vraag [KG-0001234]", 1234),
        ("Antw: vraag [kg-42]", 42),
        ("Vraag KG-0001234 zonder haken", None),
        ("Geen referentie", None),
    ],
)
def test_the_contact_reference_is_found_in_brackets(subject: str, expected: int | None) -> None:
    assert subject_reference(subject) == expected


def test_html_sanitising_keeps_an_allow_list_only() -> None:
    dirty = (
        '<div style="color:red"><h2>Titel</h2><iframe src="https://x"></iframe>'
        '<form><input name="p"></form><table><tr><td colspan="2" onmouseover="x()">c</td></tr>'
        "</table><style>p{}</style><!-- comment --></div>"
    )
    assert html_sanitise(dirty) == (
        '<div><h2>Titel</h2><table><tbody><tr><td colspan="2">c</td></tr></tbody></table></div>'
    )
    assert html_to_text("<p>Een &amp; twee</p><p>drie</p>") == "Een & twee\ndrie"
