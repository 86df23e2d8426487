"""What the embeddable search panel needs wherever it is included, and article text filters."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.safestring import SafeString

from kglijn.contacts.models import Reason, Topic
from kglijn.knowledge.formatting import plain_text, render_body
from kglijn.knowledge.models import ArticleKind
from kglijn.knowledge.selectors import reasons_for_filter

register = template.Library()


@dataclass(frozen=True)
class PanelChoices:
    topics: list[tuple[str, str]]
    kinds: list[tuple[str, str]]
    reasons: list[Reason]


@register.simple_tag
def knowledge_panel_choices() -> PanelChoices:
    """The filter options of the search panel (one query: the active contact reasons)."""
    return PanelChoices(
        topics=[(t.value, str(t.label)) for t in Topic if t.value],
        kinds=[(k.value, str(k.label)) for k in ArticleKind],
        reasons=list(reasons_for_filter()),
    )


@register.filter
def knowledge_body(body: str) -> SafeString:
    """The article text as safe HTML (escaped first; see kglijn.knowledge.formatting)."""
    return render_body(body)


@register.filter
def knowledge_plain(body: str) -> str:
    return plain_text(body)
