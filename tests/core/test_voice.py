"""Kind en Gezin says "je" (docs/voice.md): no formal "u"/"uw" may come back in what kglijn says
in Dutch — the catalogue, the templates, the answer texts for mails, the survey asked now."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import django
import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as translate

import kglijn
from kglijn.knowledge.demo_content import demo_articles
from kglijn.mail.answer_templates import ANSWER_TEMPLATES, GREETING, SIGNATURE
from kglijn.mail.outbound import DEFAULT_SUBJECT
from kglijn.surveys.services import survey_version_current
from kglijn.surveys.wording import DEFAULT_WORDING

PACKAGE = Path(kglijn.__file__).parent
FORMAL = re.compile(r"\b(?:[Uu]w?|[Uu]we)\b")
# "u" is also the abbreviation of "uur" (hour): 2 u 05 min.
HOURS = re.compile(r"%\(hours\)d u\b")


def formal(text: str) -> list[str]:
    return FORMAL.findall(HOURS.sub("", text))


def test_the_rule_catches_the_formal_forms_and_nothing_else() -> None:
    assert formal("Hoe tevreden bent u over de wachttijd?") == ["u"]
    assert formal("Stel uw vraag. U krijgt antwoord.") == ["uw", "U"]
    assert formal("Hoe tevreden ben je over de wachttijd? Stel je vraag, jij ook.") == []
    assert formal("%(days)d d %(hours)d u, uur, nu, Uwe") == ["Uwe"]


def test_the_dutch_catalogue_says_je() -> None:
    path = PACKAGE / "locale" / "nl" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]

    offending = {str(msgid): text for msgid, text in catalogue.items() if formal(text)}

    assert offending == {}


def test_no_template_writes_formal_dutch_itself() -> None:
    templates = [
        path
        for path in PACKAGE.rglob("templates/**/*")
        if path.suffix in {".html", ".txt"} and path.is_file()
    ]
    assert len(templates) > 50

    offending = {
        str(path.relative_to(PACKAGE)): formal(path.read_text(encoding="utf-8"))
        for path in templates
    }

    assert {path: found for path, found in offending.items() if found} == {}


def test_the_mails_to_parents_say_je() -> None:
    texts = [DEFAULT_SUBJECT, GREETING, SIGNATURE]
    texts += [template.title + " " + template.text for template in ANSWER_TEMPLATES]
    # The knowledge base's demo articles: the answers agents paste into mails.
    texts += [article.title + " " + article.body for article in demo_articles()]

    assert [text for text in texts if formal(text)] == []


@pytest.mark.django_db
def test_the_survey_asked_now_says_je() -> None:
    asked = survey_version_current().questions.all()

    assert [q.text_nl for q in asked if formal(q.text_nl)] == []
    assert [texts[0] for texts in DEFAULT_WORDING.values() if formal(texts[0])] == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/contact/", "/contact/privacy/", "/chat/"])
def test_public_pages_say_je_to_an_english_browser_too(client: Client, url: str) -> None:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US")
    text = re.sub(r"<[^>]+>", " ", response.content.decode())

    assert response.status_code == 200
    assert " je " in text or "Je " in text
    assert formal(text) == []


def _msgids(po: Path) -> set[str]:
    """The msgids of a .po file (continued lines joined, escapes undone)."""
    found: set[str] = set()
    current: list[str] | None = None
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(("msgid ", "msgid_plural ")):
            if current is not None:
                found.add("".join(current))
            current = [line.split(" ", 1)[1][1:-1]]
        elif line.startswith('"') and current is not None:
            current.append(line[1:-1])
        else:
            if current is not None:
                found.add("".join(current))
            current = None
    return {msgid.replace('\\"', '"').replace("\\\\", "\\") for msgid in found}


def test_the_django_messages_we_translate_are_still_djangos_and_dutch() -> None:
    from kglijn.core.django_messages import DJANGO_MESSAGES, DJANGO_PLURAL_MESSAGES

    django_root = Path(django.__file__).parent
    django_msgids: set[str] = set()
    for app in ("contrib/admin", "contrib/auth", "conf"):
        django_msgids |= _msgids(django_root / app / "locale/en/LC_MESSAGES/django.po")
    ours = {*DJANGO_MESSAGES, "Your password must contain at least %(min_length)d character."}

    assert sorted(ours - django_msgids) == []  # Django dropped one: drop it here too
    with translation.override("nl-be"):
        assert [m for m in DJANGO_MESSAGES if translate(m) == m] == []
        assert [m for m in DJANGO_MESSAGES if formal(translate(m))] == []
        (minimum,) = DJANGO_PLURAL_MESSAGES
        assert minimum % {"min_length": 8} == "Je wachtwoord moet minstens 8 tekens lang zijn."
