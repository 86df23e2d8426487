"""The demo knowledge base: articles and answer templates on Kind en Gezin themes. DEMO ONLY.

The texts are data, one Markdown file per article in demo_articles/ (`NN-slug.md`, loaded in
the order of NN), each opening with a small header between `---` lines:

    kind: article | template
    title: the article's title
    topic: family_support | childcare | (empty)
    reasons: reason codes, comma-separated
    status: published | draft | archived
    sign_off: yes | no   (answer templates end with the K&G-Lijn's signature)

The body below the header is wrapped at 100 characters for editing; `DemoArticle.unwrapped`
gives the stored text (one line per paragraph or list item).

Themes from the source documents (000 §3: vaccination questions, consultation-clinic
appointments, introduction for pregnant women, childcare addresses, qualification requirements,
parent fees; 004: 14 themes on kindengezin.be, the consultation clinic up to age 3, the
Groeipakket). The texts are illustrative demo content written for kglijn, not Kind en Gezin's
official wording: information managers replace them with the real knowledge base.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

ARTICLES_DIR = Path(__file__).resolve().with_name("demo_articles")
FILE_NAME = re.compile(r"\d+-[a-z0-9-]+\.md")
HEADER_FIELDS = ("kind", "title", "topic", "reasons", "status", "sign_off")
SIGN_OFF = (
    "Met vriendelijke groeten,\nDe Kind en Gezin-Lijn\n078 150 100 – elke werkdag van 8 tot 20 uur"
)


class DemoArticle(NamedTuple):
    kind: str  # "article" | "template"
    title: str
    topic: str  # "family_support" | "childcare" | ""
    reasons: tuple[str, ...]
    body: str  # hard-wrapped in the data file; unwrapped() gives the stored text
    status: str = "published"
    sign_off: bool = False  # answer templates end with the K&G-Lijn's signature

    def unwrapped(self) -> str:
        """The body as an information manager would type it: one line per paragraph or list
        item (the data file wraps lines at 100 characters), plus the signature if any."""
        lines: list[str] = []
        for raw in self.body.split("\n"):
            line = raw.strip()
            starts_item = bool(re.match(r"(- |\d+\. |#)", line))
            joinable = lines and lines[-1] and line and not starts_item
            if joinable and (raw[:1].isspace() or not re.match(r"(- |\d+\. |#)", lines[-1])):
                lines[-1] += " " + line
            else:
                lines.append(line)
        text = "\n".join(lines)
        return f"{text}\n\n{SIGN_OFF}" if self.sign_off else text


def demo_article_read(path: Path) -> DemoArticle:
    """One article file; ValueError naming the file if its header is not as described above."""
    text = path.read_text(encoding="utf-8")
    header, separator, body = text.removeprefix("---\n").partition("\n---\n")
    if not text.startswith("---\n") or not separator:
        raise ValueError(f"{path.name}: the header between '---' lines is missing.")
    fields: dict[str, str] = {}
    for line in header.split("\n"):
        name, colon, value = line.partition(":")
        if not colon or name not in HEADER_FIELDS or name in fields:
            raise ValueError(f"{path.name}: unexpected header line {line!r}.")
        fields[name] = value.strip()
    if set(fields) != set(HEADER_FIELDS) or fields["sign_off"] not in ("yes", "no"):
        raise ValueError(f"{path.name}: the header needs {', '.join(HEADER_FIELDS)}.")
    return DemoArticle(
        kind=fields["kind"],
        title=fields["title"],
        topic=fields["topic"],
        reasons=tuple(code.strip() for code in fields["reasons"].split(",") if code.strip()),
        body=body.removesuffix("\n"),
        status=fields["status"],
        sign_off=fields["sign_off"] == "yes",
    )


@cache
def demo_articles() -> tuple[DemoArticle, ...]:
    """Every demo article and answer template, in the order of the files' numbers."""
    paths = [path for path in ARTICLES_DIR.iterdir() if FILE_NAME.fullmatch(path.name)]
    paths.sort(key=lambda path: int(path.name.split("-", 1)[0]))
    return tuple(demo_article_read(path) for path in paths)
