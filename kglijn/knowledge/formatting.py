"""Article text: plain text with a few Markdown marks, rendered safely; and as plain text.

Supported: paragraphs (blank line), `## heading`, `- item` / `* item`, `1. item` (an indented
line continues the item), **bold**,
*italic*, [link text](https://…) (http, https and mailto only) and line breaks. Everything is
HTML-escaped *first*; the only tags in the output are the ones this module writes, so a `<script>`
typed into an article shows as text. No third-party Markdown parser: the marks information
managers need are few, and this cannot emit anything else.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
# Runs on escaped text: the URL cannot hold a quote or angle bracket any more.
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+(.*)$")


def _inline(text: str) -> str:
    """Escaped text with bold, italic and links as HTML."""
    html = str(escape(text))
    html = _LINK.sub(r'<a href="\2" rel="noopener noreferrer">\1</a>', html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _ITALIC.sub(r"<em>\1</em>", html)


def _blocks(body: str) -> list[list[str]]:
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


class _Block:
    """Renders the lines of one block (between blank lines) to HTML parts."""

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts
        self.paragraph: list[str] = []
        self.list_tag = ""
        self.items: list[str] = []

    def flush_paragraph(self) -> None:
        if self.paragraph:
            self.parts.append("<p>" + "<br>".join(self.paragraph) + "</p>")
            self.paragraph = []

    def flush_list(self) -> None:
        if self.items:
            tag = self.list_tag
            self.parts.append(
                f"<{tag}>" + "".join(f"<li>{i}</li>" for i in self.items) + f"</{tag}>"
            )
            self.items = []
        self.list_tag = ""

    def line(self, raw: str) -> None:
        line = raw.strip()
        heading = _HEADING.match(line)
        item = _BULLET.match(line) or _NUMBERED.match(line)
        if heading:
            self.flush_paragraph()
            self.flush_list()
            level = min(len(heading.group(1)) + 2, 5)  # ## -> h4: inside a page's sections
            self.parts.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif item:
            self.flush_paragraph()
            tag = "ul" if _BULLET.match(line) else "ol"
            if self.list_tag and self.list_tag != tag:
                self.flush_list()
            self.list_tag = tag
            self.items.append(_inline(item.group(1)))
        elif self.items and raw[:1].isspace():
            self.items[-1] += " " + _inline(line)  # an indented line continues the list item
        else:
            self.flush_list()
            self.paragraph.append(_inline(line))

    def close(self) -> None:
        self.flush_paragraph()
        self.flush_list()


def render_body(body: str) -> SafeString:
    """The article text as safe HTML (see the module docstring for what is supported)."""
    parts: list[str] = []
    for lines in _blocks(body):
        block = _Block(parts)
        for raw in lines:
            block.line(raw)
        block.close()
    return mark_safe("\n".join(parts))  # noqa: S308 - built from escaped text only


def plain_text(body: str) -> str:
    """The article text without marks, for pasting into an e-mail or chat answer."""
    lines = []
    for raw in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        heading = _HEADING.match(line.strip())
        if heading:
            line = heading.group(2)
        bullet = _BULLET.match(line.strip())
        if bullet:
            line = "- " + bullet.group(1)
        line = re.sub(r"\[([^\]\n]+)\]\(([^)\s]+)\)", r"\1 (\2)", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
        line = re.sub(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", r"\1", line)
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def excerpt(body: str, words: list[str], *, width: int = 180) -> tuple[str, str, str]:
    """(before, match, after) around the first query word in the plain text, for a result line
    with the match highlighted by the template (which escapes all three)."""
    text = " ".join(plain_text(body).split())
    lowered = text.lower()
    best = -1
    length = 0
    for word in words:
        found = lowered.find(word)
        if found != -1 and (best == -1 or found < best):
            best, length = found, len(word)
    if best == -1:
        cut = text[:width]
        return (cut + ("…" if len(text) > width else ""), "", "")
    # Widen the match to the whole word ("inent" -> "inenting", "vaccin" in "basisvaccin").
    end = best + length
    while best > 0 and text[best - 1].isalnum():
        best -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    start = max(0, best - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best else start
    stop = min(len(text), end + width - (end - start))
    before = ("…" if start else "") + text[start:best]
    after = text[end:stop] + ("…" if stop < len(text) else "")
    return (before, text[best:end], after)
