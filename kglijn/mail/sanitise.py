"""HTML of received mail, made safe to show on the desk (nh3, an allow-list sanitiser).

Only structure and emphasis survive: no scripts, styles, forms, frames or images (a remote
image is a tracking pixel that would tell the sender when an agent opened the mail), no
attributes but a link's address (http, https, mailto) and table spans. Links open in a new tab
without a referrer.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with everything inside them (the rest of the unknown tags keep their text).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "title", "head", "template", "noscript"})

_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|tr|h[1-6]|blockquote|pre|table)\s*>")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def html_sanitise(value: str) -> str:
    """The HTML with only the allow-listed tags and attributes left."""
    if not value.strip():
        return ""
    return nh3.clean(
        value,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    ).strip()


def html_to_text(value: str) -> str:
    """Readable plain text of an HTML body (for mails that have no text part)."""
    if not value.strip():
        return ""
    marked = _BLOCK_END.sub("\n", value)
    text = html.unescape(
        nh3.clean(marked, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT))
    )
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
