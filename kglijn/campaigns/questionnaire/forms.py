"""The builder's forms: a questionnaire, a version's introduction, a theme and an item. Each
says which field is wrong; the item form checks its choices and its condition against the
version (an earlier choice or scored item, answers among that item's)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kglijn.campaigns.models import (
    Audience,
    Item,
    ItemKind,
    Questionnaire,
    QuestionnaireVersion,
    Theme,
)
from kglijn.campaigns.questionnaire.services import (
    CONDITION_KINDS,
    condition_values,
)

KEY_HELP = gettext_lazy(
    "Lower-case letters, digits and hyphens (e.g. opening-hours); it links the answers across "
    "versions and surveys."
)
_key_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,59}$",
    gettext_lazy("Use lower-case letters, digits and hyphens only, at most 60 characters."),
)
_CHOICE_VALUE = re.compile(r"[A-Za-z0-9_-]+")
_NO_CONTROL = RegexValidator(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$",
    gettext_lazy("The text holds control characters that cannot be saved."),
)


class QuestionnaireForm(forms.ModelForm[Questionnaire]):
    class Meta:
        model = Questionnaire
        fields = ["name", "audience"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        audience: Any = self.fields["audience"]
        audience.choices = Audience.choices
        self.fields["name"].validators.append(_NO_CONTROL)


class IntroductionForm(forms.ModelForm[QuestionnaireVersion]):
    class Meta:
        model = QuestionnaireVersion
        fields = ["introduction_nl", "introduction_en"]
        widgets = {
            "introduction_nl": forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
            "introduction_en": forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].validators += [_NO_CONTROL, MaxLengthValidator(4000)]


class ThemeForm(forms.ModelForm[Theme]):
    class Meta:
        model = Theme
        fields = ["key", "title_nl", "title_en"]
        help_texts = {"key": KEY_HELP}

    def __init__(self, *args: Any, version: QuestionnaireVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["key"].validators.append(_key_validator)
        for name in ("title_nl", "title_en"):
            self.fields[name].validators.append(_NO_CONTROL)

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        others = self.version.themes.filter(key=key)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("This version already has a theme with this key."))
        return key


class ItemForm(forms.ModelForm[Item]):
    """An item; `choices_text` holds one choice a line: value | Dutch label | English label."""

    choices_text = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Choice items only: one choice a line, as value | Dutch label | English label "
            "(e.g. web | Via de website | Through the website)."
        ),
    )
    show_if_values_text = forms.CharField(
        label=gettext_lazy("Shown for the answers"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "With a condition: the answers (choice values, or scores 0 to 10) for which this "
            "item is shown, separated by commas."
        ),
    )

    class Meta:
        model = Item
        fields = [
            "key",
            "kind",
            "theme",
            "text_nl",
            "text_en",
            "required",
            "in_short_version",
            "show_if_item",
        ]
        help_texts = {"key": KEY_HELP}
        labels = {"show_if_item": gettext_lazy("Only shown after an answer to")}

    def __init__(self, *args: Any, version: QuestionnaireVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["key"].validators.append(_key_validator)
        for name in ("text_nl", "text_en"):
            self.fields[name].validators.append(_NO_CONTROL)
        kind: Any = self.fields["kind"]
        kind.choices = ItemKind.choices
        theme_field: Any = self.fields["theme"]
        theme_field.queryset = version.themes.order_by("position")
        theme_field.required = False
        earlier: Any = self.fields["show_if_item"]
        candidates = version.items.filter(kind__in=CONDITION_KINDS).order_by("position")
        if self.instance.pk:
            candidates = candidates.filter(position__lt=self.instance.position)
        earlier.queryset = candidates
        earlier.label_from_instance = lambda item: f"{item.key} — {item.text_nl}"
        if self.instance.pk and not self.is_bound:
            self.initial["choices_text"] = "\n".join(
                " | ".join(
                    [
                        str(c.get("value", "")),
                        str(c.get("label_nl", "")),
                        str(c.get("label_en", "")),
                    ]
                ).rstrip(" |")
                for c in self.instance.choices
            )
            self.initial["show_if_values_text"] = ", ".join(
                str(v) for v in self.instance.show_if_values
            )

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        others = self.version.items.filter(key=key)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("This version already has an item with this key."))
        return key

    def clean_choices_text(self) -> list[dict[str, str]]:
        text: str = self.cleaned_data.get("choices_text") or ""
        choices: list[dict[str, str]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) > 3 or not parts[0]:
                raise forms.ValidationError(
                    _("Line %(n)d: write value | Dutch label | English label.") % {"n": number}
                )
            value = parts[0]
            if len(value) > 60 or not _CHOICE_VALUE.fullmatch(value):
                raise forms.ValidationError(
                    _("Line %(n)d: a value is at most 60 letters, digits, hyphens or underscores.")
                    % {"n": number}
                )
            if any(c["value"] == value for c in choices):
                raise forms.ValidationError(
                    _("Line %(n)d: the value %(value)s is used twice.")
                    % {"n": number, "value": value}
                )
            label_nl = parts[1] if len(parts) > 1 and parts[1] else value
            label_en = parts[2] if len(parts) > 2 else ""
            choices.append({"value": value, "label_nl": label_nl, "label_en": label_en})
        return choices

    def clean_show_if_values_text(self) -> list[str]:
        text: str = self.cleaned_data.get("show_if_values_text") or ""
        return [value.strip() for value in text.split(",") if value.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        choices = data.get("choices_text") or []
        theme = data.get("theme")
        if kind == ItemKind.CHOICE and not choices and "choices_text" not in self.errors:
            self.add_error("choices_text", _("A choice item needs at least one choice."))
        if kind != ItemKind.CHOICE and choices:
            self.add_error("choices_text", _("Only a choice item has choices."))
        if kind == ItemKind.RATED and theme is None:
            self.add_error("theme", _("A rated item belongs to a theme."))
        if kind == ItemKind.OVERALL:
            others = self.version.items.filter(kind=ItemKind.OVERALL)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("kind", _("The version already has an overall score."))
        condition: Item | None = data.get("show_if_item")
        values = data.get("show_if_values_text") or []
        if condition is None and values:
            self.add_error(
                "show_if_values_text", _("Choose the item it depends on, or leave this empty.")
            )
        if condition is not None:
            if self.instance.pk and condition.pk == self.instance.pk:
                self.add_error("show_if_item", _("An item cannot depend on itself."))
            elif not values:
                self.add_error(
                    "show_if_values_text", _("Name the answers for which this item is shown.")
                )
            else:
                allowed = condition_values(condition)
                wrong = [value for value in values if value not in allowed]
                if wrong:
                    self.add_error(
                        "show_if_values_text",
                        _("%(values)s is not an answer of %(key)s (possible: %(allowed)s).")
                        % {
                            "values": ", ".join(wrong),
                            "key": condition.key,
                            "allowed": ", ".join(allowed),
                        },
                    )
        return data

    def save(self, commit: bool = True) -> Item:
        item: Item = super().save(commit=False)
        item.version = self.version
        item.choices = self.cleaned_data.get("choices_text") or []
        item.show_if_values = (
            self.cleaned_data.get("show_if_values_text") or [] if item.show_if_item_id else []
        )
        if commit:
            item.save()
        return item
