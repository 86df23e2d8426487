"""The questionnaire as pages and fields: one page per theme, then the overall score (with
the choice questions outside a theme), then the open questions; the form fields of an item and
how a posted form becomes `answers_save` data. Shared by the public pages, the preview and the
phone form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kglijn.campaigns.models import Answer, Item, ItemKind, Theme
from kglijn.campaigns.questionnaire.services import FIELDS, SCORE_VALUES, TEXT_MAX

SEPARATOR = "__"


@dataclass
class Page:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)


def _lang_text(nl: str, en: str, language: str) -> str:
    return en if language.startswith("en") and en else nl


def theme_title(theme: Theme, language: str) -> str:
    return _lang_text(theme.title_nl, theme.title_en, language)


def item_text(item: Item, language: str) -> str:
    return _lang_text(item.text_nl, item.text_en, language)


def version_pages(items: Sequence[Item], language: str) -> list[Page]:
    """The pages of the questionnaire holding `items` (in position order); empty pages are left
    out. Theme pages in the themes' order, then "overall", then "open"."""
    themes: dict[int, Page] = {}
    theme_order: dict[int, int] = {}
    general = Page("overall", _("Overall"))
    open_page = Page("open", _("Finally"))
    for item in items:
        if item.theme_id is not None and item.theme is not None:
            if item.theme_id not in themes:
                themes[item.theme_id] = Page(item.theme.key, theme_title(item.theme, language))
                theme_order[item.theme_id] = item.theme.position
            themes[item.theme_id].items.append(item)
        elif item.kind == ItemKind.OPEN:
            open_page.items.append(item)
        else:
            general.items.append(item)
    pages = [themes[pk] for pk in sorted(themes, key=lambda pk: (theme_order[pk], pk))]
    return [page for page in [*pages, general, open_page] if page.items]


def field_name(item: Item, name: str) -> str:
    return f"{item.key}{SEPARATOR}{name}"


def posted_data(items: Sequence[Item], post: Mapping[str, str]) -> dict[str, dict[str, object]]:
    """The answers of `items` in a posted form ({key: {field: value}}); other fields ignored."""
    data: dict[str, dict[str, object]] = {}
    for item in items:
        data[item.key] = {name: post.get(field_name(item, name), "") for name in FIELDS[item.kind]}
    return data


@dataclass
class Option:
    value: str
    label: str
    id: str
    checked: bool
    end_label: str = ""


@dataclass
class Scale:
    """One 0-10 radio group (satisfaction, importance or the overall score)."""

    name: str
    legend: str
    low_label: str
    high_label: str
    options: list[Option]
    errors: list[str]


@dataclass
class Question:
    item: Item
    text: str
    scales: list[Scale] = field(default_factory=list)
    choices: list[Option] = field(default_factory=list)
    text_name: str = ""
    text_value: str = ""
    choice_name: str = ""
    errors: list[str] = field(default_factory=list)
    condition_name: str = ""
    condition_values: str = ""
    text_max: int = TEXT_MAX


def _value(answer: Answer | None, name: str) -> str:
    if answer is None:
        return ""
    value = getattr(answer, name)
    return "" if value is None else str(value)


def _labels(kind: str) -> tuple[str, str, str]:
    if kind == "importance":
        return (
            _("How important is this to you?"),
            _("not important at all"),
            _("very important"),
        )
    if kind == "score":
        return (_("Your score"), _("not satisfied at all"), _("very satisfied"))
    return (_("How satisfied are you?"), _("not satisfied at all"), _("very satisfied"))


def questions(
    items: Sequence[Item],
    language: str,
    *,
    values: Mapping[str, Mapping[str, str]] | None = None,
    answers: Mapping[str, Answer] | None = None,
    errors: Mapping[str, Mapping[str, list[str]]] | None = None,
) -> list[Question]:
    """The questions of a page, filled with the posted `values` (after a refusal) or the saved
    `answers`."""
    result = []
    for item in items:
        posted = (values or {}).get(item.key)
        answer = (answers or {}).get(item.key)
        item_errors = (errors or {}).get(item.key, {})

        def current(
            name: str,
            posted: Mapping[str, str] | None = posted,
            answer: Answer | None = answer,
        ) -> str:
            if posted is not None:
                return str(posted.get(name, "") or "")
            return _value(answer, name)

        question = Question(
            item=item, text=item_text(item, language), errors=list(item_errors.get("*", []))
        )
        if item.show_if_item is not None:
            question.condition_name = field_name(
                item.show_if_item, FIELDS[item.show_if_item.kind][0]
            )
            question.condition_values = " ".join(str(v) for v in item.show_if_values)
        for name in FIELDS[item.kind]:
            if name in ("satisfaction", "importance", "score"):
                legend, low, high = _labels(name)
                chosen = current(name)
                html_name = field_name(item, name)
                options = [
                    Option(
                        value=v,
                        label=v,
                        id=f"id_{html_name}_{v}",
                        checked=chosen == v,
                        end_label=low if v == SCORE_VALUES[0] else high if v == "10" else "",
                    )
                    for v in SCORE_VALUES
                ]
                if not item.required:
                    options.append(
                        Option(
                            value="",
                            label=_("Don't know / not applicable"),
                            id=f"id_{html_name}_none",
                            checked=chosen == "" and (posted is not None or answer is not None),
                        )
                    )
                question.scales.append(
                    Scale(
                        name=html_name,
                        legend=legend,
                        low_label=low,
                        high_label=high,
                        options=options,
                        errors=list(item_errors.get(name, [])),
                    )
                )
            elif name == "choice":
                chosen = current(name)
                question.choice_name = field_name(item, name)
                for index, choice in enumerate(item.choices):
                    value = str(choice.get("value", ""))
                    question.choices.append(
                        Option(
                            value=value,
                            label=_lang_text(
                                str(choice.get("label_nl", value)),
                                str(choice.get("label_en", "")),
                                language,
                            ),
                            id=f"id_{question.choice_name}_{index}",
                            checked=chosen == value,
                        )
                    )
                question.errors += item_errors.get(name, [])
            else:
                question.text_name = field_name(item, name)
                question.text_value = current(name)
                question.errors += item_errors.get(name, [])
        result.append(question)
    return result
