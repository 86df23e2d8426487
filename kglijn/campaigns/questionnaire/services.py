"""The questionnaire's rules: building versions, conditions, saving and completing answers.

Other packages call these names (docs/campaigns-questionnaire.md):
- `version_problems(version)`: what keeps a version from being used (a campaign may only start
  fieldwork with a version without problems); `version_frozen_reason(version)`: why it can no
  longer be edited (None when it can); `version_freeze(version, now)`.
- `visible_items(version, answers)`: the items asked, given the answers so far.
- `answers_save(response, data, short=...)`: validate and save one page (or the whole form)
  atomically; `response_complete(response, now)`.

Answers to a condition are strings keyed by the item's key: a choice's value, a score's digits
(a rated item's condition reads its satisfaction).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kglijn.campaigns.models import (
    SCORE_MAX,
    SCORE_MIN,
    Answer,
    CampaignStatus,
    InvitationStatus,
    Item,
    ItemKind,
    Mode,
    QuestionnaireVersion,
    Response,
    Theme,
)

TEXT_MAX = 4000
SCORE_VALUES = tuple(str(n) for n in range(SCORE_MIN, SCORE_MAX + 1))
# The kinds an item may depend on, and the answer fields each kind has.
CONDITION_KINDS = (ItemKind.CHOICE, ItemKind.RATED, ItemKind.OVERALL)
FIELDS: dict[str, tuple[str, ...]] = {
    ItemKind.RATED: ("satisfaction", "importance"),
    ItemKind.OVERALL: ("score",),
    ItemKind.CHOICE: ("choice",),
    ItemKind.OPEN: ("text",),
}
SCORE_FIELDS = frozenset({"satisfaction", "importance", "score"})
_DIGITS = re.compile(r"[0-9]{1,2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class VersionFrozen(Exception):
    """An edit of a version that can no longer change (the message says why)."""


# --- versions ----------------------------------------------------------------------------------


def version_frozen_reason(version: QuestionnaireVersion) -> str | None:
    """Why `version` can no longer be edited, or None: frozen, in the field or answered."""
    if version.frozen_at is not None:
        return _("This version was frozen on %(day)s: make a new version to change it.") % {
            "day": version.frozen_at.strftime("%d/%m/%Y")
        }
    if version.campaigns.filter(
        status__in=[CampaignStatus.FIELDWORK, CampaignStatus.CLOSED]
    ).exists():
        return _("A survey uses this version in the field: make a new version to change it.")
    if Response.objects.filter(campaign__version=version).exists():
        return _("This version has responses: make a new version to change it.")
    return None


def version_editable_check(version: QuestionnaireVersion) -> None:
    reason = version_frozen_reason(version)
    if reason is not None:
        raise VersionFrozen(reason)


def version_freeze(version: QuestionnaireVersion, now: dt.datetime) -> QuestionnaireVersion:
    """Freeze `version` (idempotent: the first freezing time is kept)."""
    if version.frozen_at is None:
        QuestionnaireVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(
            frozen_at=now
        )
        version.refresh_from_db(fields=["frozen_at"])
    return version


def choice_values(item: Item) -> list[str]:
    return [str(choice.get("value", "")) for choice in item.choices if isinstance(choice, dict)]


def condition_values(item: Item) -> list[str]:
    """The answers an item depending on `item` may be shown for."""
    return choice_values(item) if item.kind == ItemKind.CHOICE else list(SCORE_VALUES)


def version_problems(version: QuestionnaireVersion) -> list[str]:
    """What keeps `version` from being used; empty when it is ready."""
    problems: list[str] = []
    themes = list(version.themes.all())
    items = list(version.items.select_related("theme", "show_if_item"))
    overall = [item for item in items if item.kind == ItemKind.OVERALL]
    if len(overall) != 1:
        problems.append(
            _("The version needs exactly one overall score; it has %(n)d.") % {"n": len(overall)}
        )
    if not any(item.kind == ItemKind.RATED for item in items):
        problems.append(_("The version has no rated item (satisfaction and importance)."))
    for kind_label, keys in (
        (_("theme"), [theme.key for theme in themes]),
        (_("item"), [item.key for item in items]),
    ):
        doubles = sorted({key for key in keys if keys.count(key) > 1})
        for key in doubles:
            problems.append(
                _("The %(kind)s key %(key)s is used twice.") % {"kind": kind_label, "key": key}
            )
    for item in items:
        problems.extend(_item_problems(item))
    return problems


def _item_problems(item: Item) -> list[str]:
    problems: list[str] = []
    name = item.key
    if item.kind == ItemKind.RATED and item.theme_id is None:
        problems.append(_("Item %(key)s: a rated item needs a theme.") % {"key": name})
    if item.kind == ItemKind.CHOICE:
        values = choice_values(item)
        if not values:
            problems.append(_("Item %(key)s: a choice item needs choices.") % {"key": name})
        elif len(set(values)) != len(values) or "" in values:
            problems.append(
                _("Item %(key)s: every choice needs its own, non-empty value.") % {"key": name}
            )
    condition = item.show_if_item
    if condition is None:
        if item.show_if_values:
            problems.append(
                _("Item %(key)s: answers for a condition without the item it depends on.")
                % {"key": name}
            )
        return problems
    if condition.position >= item.position:
        problems.append(
            _("Item %(key)s: it can only depend on an earlier item (%(other)s comes later).")
            % {"key": name, "other": condition.key}
        )
    if condition.kind not in CONDITION_KINDS:
        problems.append(
            _("Item %(key)s: it can only depend on a choice or a scored item.") % {"key": name}
        )
    allowed = condition_values(condition)
    wanted = [str(value) for value in item.show_if_values]
    if not wanted:
        problems.append(
            _("Item %(key)s: name the answers to %(other)s for which it is shown.")
            % {"key": name, "other": condition.key}
        )
    wrong = [value for value in wanted if value not in allowed]
    if wrong:
        problems.append(
            _("Item %(key)s: %(values)s is not an answer of %(other)s.")
            % {"key": name, "values": ", ".join(wrong), "other": condition.key}
        )
    return problems


@transaction.atomic
def version_copy(
    version: QuestionnaireVersion, *, by: User | AnonymousUser | None = None
) -> QuestionnaireVersion:
    """A new, editable version (the questionnaire's highest number + 1) with the same themes,
    items and conditions."""
    questionnaire = version.questionnaire
    highest = questionnaire.versions.aggregate(n=Max("number"))["n"] or 0
    new = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=highest + 1,
        introduction_nl=version.introduction_nl,
        introduction_en=version.introduction_en,
        created_by=by if isinstance(by, User) else None,
    )
    themes: dict[int, Theme] = {}
    for theme in version.themes.order_by("position"):
        themes[theme.pk] = Theme.objects.create(
            version=new,
            key=theme.key,
            position=theme.position,
            title_nl=theme.title_nl,
            title_en=theme.title_en,
        )
    items: dict[int, Item] = {}
    for item in version.items.order_by("position"):
        items[item.pk] = Item.objects.create(
            version=new,
            theme=themes[item.theme_id] if item.theme_id else None,
            key=item.key,
            position=item.position,
            kind=item.kind,
            text_nl=item.text_nl,
            text_en=item.text_en,
            choices=item.choices,
            required=item.required,
            in_short_version=item.in_short_version,
            show_if_item=items.get(item.show_if_item_id) if item.show_if_item_id else None,
            show_if_values=item.show_if_values,
        )
    # A condition on a later item (a problem, but copied as it is).
    for item in version.items.filter(show_if_item__isnull=False):
        copy = items[item.pk]
        if copy.show_if_item_id is None and item.show_if_item_id in items:
            copy.show_if_item = items[item.show_if_item_id]
            copy.save(update_fields=["show_if_item"])
    return new


# --- conditions --------------------------------------------------------------------------------


def visible_items(version: QuestionnaireVersion, answers: Mapping[str, str]) -> list[Item]:
    """The items of `version` asked given `answers` (strings keyed by item key): an item whose
    condition is not met is hidden, and so is every item depending on a hidden one."""
    return visible_among(list(version.items.select_related("theme").order_by("position")), answers)


def visible_among(items: Sequence[Item], answers: Mapping[str, str]) -> list[Item]:
    by_pk = {item.pk: item for item in items}
    shown: dict[int, bool] = {}

    def is_shown(item: Item, depth: int = 0) -> bool:
        if item.pk in shown:
            return shown[item.pk]
        result = True
        if item.show_if_item_id is not None:
            condition = by_pk.get(item.show_if_item_id)
            if condition is None or depth > len(by_pk):
                result = False
            else:
                wanted = {str(value) for value in item.show_if_values}
                result = is_shown(condition, depth + 1) and answers.get(condition.key) in wanted
        shown[item.pk] = result
        return result

    return [item for item in items if is_shown(item)]


def condition_answer(item: Item, answer: Answer) -> str | None:
    """An answer as a condition reads it (None: no answer)."""
    if item.kind == ItemKind.CHOICE:
        return answer.choice or None
    if item.kind == ItemKind.RATED:
        return None if answer.satisfaction is None else str(answer.satisfaction)
    if item.kind == ItemKind.OVERALL:
        return None if answer.score is None else str(answer.score)
    return answer.text or None


def response_answers(response: Response) -> dict[str, Answer]:
    return {a.item.key: a for a in response.answers.select_related("item")}


def condition_answers(answers: Mapping[str, Answer]) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, answer in answers.items():
        value = condition_answer(answer.item, answer)
        if value is not None:
            result[key] = value
    return result


def short_items(items: Iterable[Item]) -> list[Item]:
    """The phone short version: the items marked for it and the overall score."""
    return [item for item in items if item.in_short_version or item.kind == ItemKind.OVERALL]


# --- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One refused value: the item's key, the answer field and what is wrong."""

    key: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}.{self.field}: {self.message}"


def _score(value: object) -> tuple[int | None, str | None]:
    """(score, problem): "" / None is no answer; digits 0..10 or an int 0..10."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, _("a score from 0 to 10 is expected")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None, None
        if not _DIGITS.fullmatch(text):
            return None, _("a score from 0 to 10 is expected (a whole number)")
        number = int(text)
    else:
        return None, _("a score from 0 to 10 is expected")
    if not SCORE_MIN <= number <= SCORE_MAX:
        return None, _("a score from 0 to 10 is expected")
    return number, None


def _text(value: object) -> tuple[str, str | None]:
    if value is None:
        return "", None
    if not isinstance(value, str):
        return "", _("text is expected")
    if "\x00" in value or _SURROGATE.search(value):
        return "", _("the text holds characters that cannot be saved (such as a NUL)")
    text = value.strip()
    if len(text) > TEXT_MAX:
        return "", _("at most %(n)d characters (this text has %(m)d)") % {
            "n": TEXT_MAX,
            "m": len(text),
        }
    return text, None


def _choice(item: Item, value: object) -> tuple[str, str | None]:
    if value is None or value == "":
        return "", None
    if not isinstance(value, str) or value not in choice_values(item):
        return "", _("not one of the choices")
    return value, None


def _item_values(
    item: Item, given: Mapping[str, object]
) -> tuple[dict[str, object], list[Problem]]:
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for name in FIELDS[item.kind]:
        raw = given.get(name)
        problem: str | None
        if name in SCORE_FIELDS:
            values[name], problem = _score(raw)
        elif name == "choice":
            values[name], problem = _choice(item, raw)
        else:
            values[name], problem = _text(raw)
        if problem:
            problems.append(Problem(item.key, name, problem))
    return values, problems


def _has_value(values: Mapping[str, object]) -> bool:
    return any(value not in (None, "") for value in values.values())


def answers_check_and_save(
    response: Response, data: Mapping[str, Mapping[str, object]], *, short: bool = False
) -> list[Problem]:
    """answers_save with the problems as `Problem`s (the pages show them by field)."""
    version = response.campaign.version
    all_items = list(version.items.select_related("theme").order_by("position"))
    asked = short_items(all_items) if short else all_items
    by_key = {item.key: item for item in asked}
    problems: list[Problem] = []
    new: dict[str, dict[str, object]] = {}
    for key, given in data.items():
        item = by_key.get(key)
        if item is None:
            continue  # unknown keys (and, short, items not in the short version) are ignored
        if not isinstance(given, Mapping):
            problems.append(Problem(key, "*", _("answer fields are expected")))
            continue
        values, item_problems = _item_values(item, given)
        problems.extend(item_problems)
        new[key] = values
    with transaction.atomic():
        existing = response_answers(Response.objects.select_for_update().get(pk=response.pk))
        merged = condition_answers({k: a for k, a in existing.items() if k not in new})
        for key, values in new.items():
            item = by_key[key]
            probe = Answer(item=item, **values)
            value = condition_answer(item, probe)
            if value is not None:
                merged[key] = value
        shown = {item.key for item in visible_among(asked, merged)}
        for key, values in new.items():
            if key not in shown and _has_value(values):
                condition = by_key[key].show_if_item
                problems.append(
                    Problem(
                        key,
                        "*",
                        _("not asked with the answer given to %(other)s")
                        % {"other": condition.key if condition else "?"},
                    )
                )
        if problems:
            return problems
        for key, values in new.items():
            item = by_key[key]
            if _has_value(values):
                Answer.objects.update_or_create(response=response, item=item, defaults=values)
            else:
                Answer.objects.filter(response=response, item=item).delete()
        # Answers to items the new answers hide are not kept.
        hidden = [item.pk for item in all_items if item.key not in shown and item in asked]
        hidden += [item.pk for item in all_items if item not in asked]
        response.answers.filter(item_id__in=hidden).delete()
        reached = [by_key[key].position for key in new]
        if reached and (response.last_position or 0) < max(reached):
            response.last_position = max(reached)
            response.save(update_fields=["last_position"])
    return []


def answers_save(
    response: Response, data: Mapping[str, Mapping[str, object]], *, short: bool = False
) -> list[str]:
    """Validate and save the answers in `data` ({item key: {"satisfaction"|"importance"|
    "score"|"choice"|"text": value}}; "" or None is no answer, which removes an earlier one)
    atomically: nothing is saved when there is a problem ("key.field: message"). Unknown keys
    are ignored (`short`: so are items not in the phone short version); an answer to an item
    hidden by a condition is refused, and saved answers the new ones hide are deleted.
    `last_position` becomes the highest position answered so far."""
    return [str(problem) for problem in answers_check_and_save(response, data, short=short)]


def drop_hidden(
    items: Sequence[Item],
    data: Mapping[str, Mapping[str, object]],
    saved: Mapping[str, str],
) -> dict[str, Mapping[str, object]]:
    """`data` without the items the answers in it (over `saved`) hide: a page that showed a
    conditional item next to its condition posts what the respondent could not know to leave
    out."""
    by_key = {item.key: item for item in items}
    merged = dict(saved)
    for key, given in data.items():
        item = by_key.get(key)
        if item is None or not isinstance(given, Mapping):
            continue
        values, problems = _item_values(item, given)
        if not problems:
            value = condition_answer(item, Answer(item=item, **values))
            merged.pop(key, None)
            if value is not None:
                merged[key] = value
    shown = {item.key for item in visible_among(items, merged)}
    return {key: given for key, given in data.items() if key in shown or key not in by_key}


def missing_required(response: Response) -> list[Item]:
    """The required items asked of `response` (short for a phone response) left unanswered."""
    items = list(response.campaign.version.items.select_related("theme").order_by("position"))
    if response.mode == Mode.PHONE:
        items = short_items(items)
    answers = response_answers(response)
    visible = visible_among(items, condition_answers(answers))
    return [item for item in visible if item.required and not answered(answers.get(item.key))]


def _answer_values(answer: Answer) -> dict[str, object]:
    return {name: getattr(answer, name) for name in FIELDS[answer.item.kind]}


def answered(answer: Answer | None) -> bool:
    """Does `answer` hold a value (a saved row always should)?"""
    return answer is not None and _has_value(_answer_values(answer))


def response_complete(response: Response, now: dt.datetime) -> list[str]:
    """Complete `response` when every required item asked is answered: `completed_at` and the
    invitation's status COMPLETED (its tokens then open the "already answered" page). Returns
    the problems (nothing changes then); idempotent."""
    missing = missing_required(response)
    if missing:
        return [str(Problem(item.key, "*", _("this question needs an answer"))) for item in missing]
    with transaction.atomic():
        if response.completed_at is None:
            response.completed_at = now
            response.save(update_fields=["completed_at"])
        if response.invitation_id is not None:
            response.invitation.status = InvitationStatus.COMPLETED  # type: ignore[union-attr]
            response.invitation.save(update_fields=["status"])  # type: ignore[union-attr]
    return []


# --- the builder's changes ---------------------------------------------------------------------


class BuilderRefused(Exception):
    """A change the builder cannot make (the message says why)."""


def next_position(version: QuestionnaireVersion, *, themes: bool = False) -> int:
    rows = version.themes if themes else version.items
    return (rows.aggregate(n=Max("position"))["n"] or 0) + 1


def _swap(model: type[Theme] | type[Item], first: Theme | Item, second: Theme | Item) -> None:
    """Swap two positions under the unique (version, position) constraint of items."""
    a, b = first.position, second.position
    model.objects.filter(pk=first.pk).update(position=0)
    model.objects.filter(pk=second.pk).update(position=a)
    model.objects.filter(pk=first.pk).update(position=b)


@transaction.atomic
def item_move(item: Item, *, up: bool) -> None:
    """Swap `item` with the item before (`up`) or after it; a move that would put a condition
    after the item depending on it is refused."""
    version_editable_check(item.version)
    items = item.version.items.order_by("position")
    other = (
        items.filter(position__lt=item.position).last()
        if up
        else items.filter(position__gt=item.position).first()
    )
    if other is None:
        return
    earlier, later = (other, item) if up else (item, other)
    if later.show_if_item_id == earlier.pk:
        raise BuilderRefused(
            _("%(later)s depends on %(earlier)s, which must stay before it.")
            % {"later": later.key, "earlier": earlier.key}
        )
    _swap(Item, item, other)


@transaction.atomic
def theme_move(theme: Theme, *, up: bool) -> None:
    version_editable_check(theme.version)
    themes = theme.version.themes.order_by("position")
    other = (
        themes.filter(position__lt=theme.position).last()
        if up
        else themes.filter(position__gt=theme.position).first()
    )
    if other is not None:
        a, b = theme.position, other.position
        Theme.objects.filter(pk=theme.pk).update(position=b)
        Theme.objects.filter(pk=other.pk).update(position=a)


@transaction.atomic
def item_delete(item: Item) -> None:
    version_editable_check(item.version)
    dependants = list(item.dependants.values_list("key", flat=True))
    if dependants:
        raise BuilderRefused(
            _("%(keys)s depend on this item: change their condition first.")
            % {"keys": ", ".join(dependants)}
        )
    item.delete()


@transaction.atomic
def theme_delete(theme: Theme) -> None:
    version_editable_check(theme.version)
    if theme.items.exists():
        raise BuilderRefused(_("Move or delete the theme's items first."))
    theme.delete()
