"""Forms of the knowledge base. They only parse input; every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kglijn.contacts.models import Reason, Topic
from kglijn.knowledge.models import ArticleKind, ArticleStatus, UseContext
from kglijn.knowledge.services import EDITABLE_STATUSES, MAX_BODY, MAX_NOTE, MAX_TITLE

TOPIC_CHOICES = [("", _("No specific topic")), *[(t.value, t.label) for t in Topic if t.value]]


class ReasonCodeField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ArticleKind.choices, widget=forms.RadioSelect, initial="article"
    )
    topic = forms.ChoiceField(
        label=_("Topic"), choices=TOPIC_CHOICES, required=False, widget=forms.RadioSelect
    )
    reasons = ReasonCodeField(
        label=_("Contact reasons"),
        queryset=Reason.objects.filter(active=True).order_by("sort_order", "name"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true", "lang": "nl"}),
        help_text=_(
            "Plain text. A blank line starts a new paragraph; “## ” a heading; “- ” a list "
            "item; **bold**, *italic* and [link text](https://…) work too."
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in EDITABLE_STATUSES],
        widget=forms.RadioSelect,
        initial=ArticleStatus.DRAFT,
        help_text=_("Agents and nurses only see published articles."),
    )
    note = forms.CharField(
        label=_("What did you change?"),
        max_length=MAX_NOTE,
        required=False,
        help_text=_("Optional; shown in the history."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, include_archived_reasons: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if include_archived_reasons:
            field = self.fields["reasons"]
            assert isinstance(field, ReasonCodeField)
            field.queryset = Reason.objects.order_by("sort_order", "name")

    def reason_codes(self) -> list[str]:
        return [reason.code for reason in self.cleaned_data.get("reasons") or []]


class SearchForm(forms.Form):
    """The search panel's parameters (GET)."""

    q = forms.CharField(required=False, max_length=200)
    topic = forms.ChoiceField(required=False, choices=TOPIC_CHOICES)
    reason = forms.IntegerField(required=False, min_value=1)
    kind = forms.ChoiceField(required=False, choices=[("", ""), *ArticleKind.choices])
    context = forms.ChoiceField(required=False, choices=UseContext.choices)
    contact = forms.IntegerField(required=False, min_value=1)
    panel = forms.SlugField(required=False, max_length=40)

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None


class UseForm(forms.Form):
    context = forms.ChoiceField(choices=UseContext.choices)
    contact = forms.IntegerField(required=False, min_value=1)
    panel = forms.SlugField(required=False, max_length=40)


class ManageFilterForm(forms.Form):
    q = forms.CharField(label=_("Title contains"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *ArticleStatus.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *ArticleKind.choices]
    )
    topic = forms.ChoiceField(
        label=_("Topic"),
        required=False,
        choices=[("", _("All")), *[(t.value, t.label) for t in Topic if t.value]],
    )
