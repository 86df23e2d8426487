"""The Dutch translation is complete, not fuzzy, and the committed .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "kglijn" / "locale" / "nl" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"


def parse_po(path: Path) -> list[tuple[list[str], dict[str, str]]]:
    """(comment lines, {keyword: text}) per entry; keywords msgctxt, msgid, msgstr[0], ..."""
    entries: list[tuple[list[str], dict[str, str]]] = []
    comments: list[str] = []
    fields: dict[str, str] = {}
    last = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if fields:
                entries.append((comments, fields))
            comments, fields, last = [], {}, ""
        elif line.startswith("#"):
            comments.append(line)
        elif line.startswith('"'):
            fields[last] += ast.literal_eval(line)
        else:
            keyword, text = line.split(" ", 1)
            fields[keyword] = ast.literal_eval(text)
            last = keyword
    return entries


def messages(path: Path) -> list[tuple[list[str], dict[str, str]]]:
    return [(c, f) for c, f in parse_po(path) if f.get("msgid")]


def test_the_dutch_catalogue_exists_and_is_not_trivial():
    assert PO.exists(), "run `make messages` to create kglijn/locale/nl/LC_MESSAGES/django.po"
    assert len(messages(PO)) >= 250


def test_every_dutch_entry_is_translated():
    untranslated = [
        fields["msgid"]
        for _, fields in messages(PO)
        if not all(value for key, value in fields.items() if key.startswith("msgstr"))
    ]
    assert untranslated == []


def test_no_entry_is_fuzzy_not_even_the_header():
    fuzzy = [
        fields.get("msgid") or "<header>"
        for comments, fields in parse_po(PO)
        if any(c.startswith("#,") and "fuzzy" in c for c in comments)
    ]
    assert fuzzy == []


def test_the_compiled_mo_holds_exactly_the_po_translations():
    assert MO.exists(), "run `make messages` (compilemessages) and commit django.mo"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for _, fields in messages(PO):
        msgid = fields["msgid"]
        if "msgctxt" in fields:
            msgid = f"{fields['msgctxt']}\x04{msgid}"
        if "msgid_plural" in fields:
            for key, value in fields.items():
                if key.startswith("msgstr["):
                    expected[(msgid, int(key[7:-1]))] = value
        else:
            expected[msgid] = fields["msgstr"]
    compiled_messages = {key: value for key, value in compiled.items() if key != ""}
    assert compiled_messages == expected, "django.mo is stale: run `make messages`"


def test_every_string_in_the_code_has_a_dutch_translation(tmp_path: Path):
    """makemessages on a copy of the code: no string of a template, view or model (a verbose
    name, a permission, a choice) is missing from the catalogue or only guessed (fuzzy). The
    checks above read the catalogue; this one reads the code (issue 18 found 125 strings that
    showed in English because nobody had added them)."""
    if shutil.which("xgettext") is None:  # pragma: no cover - gettext comes with Debian's msgfmt
        pytest.fail("xgettext is missing: apt-get install gettext")
    source = PO.parents[3]  # kglijn/
    copy = tmp_path / "kglijn"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "static"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "nl", "--no-obsolete"],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        check=True,
        capture_output=True,
    )
    regenerated = copy / "locale" / "nl" / "LC_MESSAGES" / "django.po"
    missing = [
        fields.get("msgctxt", "") + "|" + fields["msgid"]
        for comments, fields in messages(regenerated)
        if any(c.startswith("#,") and "fuzzy" in c for c in comments)
        or not all(value for key, value in fields.items() if key.startswith("msgstr"))
    ]
    assert missing == [], "add these to kglijn/locale/nl/LC_MESSAGES/django.po"


@pytest.mark.parametrize(
    ("english", "dutch"),
    [
        ("Register a contact", "Klantcontact registreren"),
        ("Back office PGJO", "Backoffice PGJO"),
        ("Preventive family support", "Preventieve gezinsondersteuning"),
        ("Not registered", "Niet geregistreerd"),
        ("Antwerp", "Antwerpen"),
        ("Team lead", "Leidinggevende"),
    ],
)
def test_strings_render_in_dutch_for_the_default_language(english, dutch):
    with translation.override("nl-be"):
        assert translation.gettext(english) == dutch
    with translation.override("en"):
        assert translation.gettext(english) == english
