"""The improvement action forms and the overview's filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy

from kglijn.campaigns.models import ActionStatus, Campaign, ImprovementAction, Theme


class _OwnerChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class _ThemeChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title_nl)


def _owners() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class ActionEditForm(forms.ModelForm):  # type: ignore[type-arg]
    owner = _OwnerChoice(queryset=User.objects.none(), label=gettext_lazy("Owner"))

    class Meta:
        model = ImprovementAction
        fields = ["title", "description", "owner", "due_date", "status", "result"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
            "result": forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = _owners()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("title", "description", "result"):
            if "\x00" in str(data.get(name) or ""):
                self.add_error(name, gettext_lazy("Contains a NUL character."))
        return data


class ActionCreateForm(ActionEditForm):
    theme = _ThemeChoice(queryset=Theme.objects.none(), label=gettext_lazy("Theme"))

    class Meta(ActionEditForm.Meta):
        fields = ["theme", "title", "description", "owner", "due_date", "status"]

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme = self.fields["theme"]
        assert isinstance(theme, forms.ModelChoiceField)
        theme.queryset = campaign.version.themes.order_by("position")


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *ActionStatus.choices],
    )
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue actions"), required=False)
