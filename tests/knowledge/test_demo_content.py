"""The demo articles as data files (demo_articles/*.md) give exactly the texts the former Python
module demo_content.py held (issue 14), and a damaged file is refused by name."""

import hashlib
import json
from pathlib import Path

import pytest

from kglijn.knowledge.demo_content import ARTICLES_DIR, demo_article_read, demo_articles

# sha256 of the canonical JSON below, computed once from the Python module before it became a
# loader (60 articles and templates; see the module in git history before issue 14) — it was
# 026b4970fd1e321e5b3e5271840e6cbab5a6a1da210fc328e8ec7392ce57e3fd — and since issue 16 with the
# parents addressed with "je" instead of "u" (docs/voice.md), the one deliberate change.
FORMER_CHECKSUM = "9826a2a7379292cfa0606c592e5f50b2f2efcd25f1d13a40a1bfb97483260976"


def canonical(items) -> str:
    return json.dumps(
        [[a.kind, a.title, a.topic, list(a.reasons), a.status, a.unwrapped()] for a in items],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def test_the_loaded_articles_equal_the_former_python_content() -> None:
    articles = demo_articles()

    assert len(articles) == 60
    assert hashlib.sha256(canonical(articles).encode()).hexdigest() == FORMER_CHECKSUM


def test_every_file_in_the_directory_is_loaded() -> None:
    files = sorted(ARTICLES_DIR.glob("*.md"))

    assert [demo_article_read(path).title for path in files] == [a.title for a in demo_articles()]


HEADER = "---\nkind: article\ntitle: T\ntopic:\nreasons: general\nstatus: published\n"
SIGNATURE = (
    "Met vriendelijke groeten,\nDe Kind en Gezin-Lijn\n078 150 100 – elke werkdag van 8 tot 20 uur"
)


def test_a_template_ends_with_the_signature_and_an_article_is_unwrapped() -> None:
    first, *_rest, last = demo_articles()

    assert (first.kind, first.topic, first.reasons) == (
        "article",
        "family_support",
        ("vaccination",),
    )
    item = "- 8 weken: zesvoudig vaccin (difterie, tetanus, kinkhoest, polio, Hib, hepatitis B), "
    assert f"\n{item}pneumokokken en rotavirus (drinkvaccin)\n" in first.unwrapped()
    assert (last.kind, last.topic, last.reasons) == ("template", "", ("general", "info-kg"))
    assert last.unwrapped().endswith(f"dit bericht.\n\n{SIGNATURE}")


@pytest.mark.parametrize(
    "text",
    [
        "kind: article\n\nNo header.\n",
        f"{HEADER}---\nNo sign_off.\n",
        f"{HEADER}sign_off: maybe\n---\nX\n",
        f"{HEADER}author: me\nsign_off: no\n---\nX\n",
        f"{HEADER}sign_off: no\nNo closing line.\n",
    ],
)
def test_a_damaged_file_is_refused_by_name(tmp_path: Path, text: str) -> None:
    path = tmp_path / "07-damaged.md"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ValueError, match=r"07-damaged\.md"):
        demo_article_read(path)


def test_a_sound_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "07-sound.md"
    path.write_text(f"{HEADER}sign_off: no\n---\nX\n", encoding="utf-8")

    assert demo_article_read(path).body == "X"
