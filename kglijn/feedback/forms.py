"""Forms of the feedback loop. They only parse input; the rules live in the services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kglijn.core.dates import check_month
from kglijn.core.provinces import Province
from kglijn.feedback.models import (
    QUESTIONS,
    REMARK_MAX_LENGTH,
    SCORE_LABELS,
    LocalTeam,
    VisitKind,
)

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError onto the form: per field where it has one, else on top."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, messages in error.message_dict.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class FeedbackForm(forms.Form):
    """The parent's answer: one question (1–5, every option labelled) and an optional remark."""

    score = forms.TypedChoiceField(
        coerce=int,
        choices=[
            (score, format_lazy("{} – {}", score, label)) for score, label in SCORE_LABELS.items()
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are (1 to 5).")},
    )
    remark = forms.CharField(
        label=_("Would you like to add something? (optional)"),
        required=False,
        max_length=REMARK_MAX_LENGTH,
        help_text=_(
            "Your remark goes to the employee who helped you and their team lead. Please do not "
            "write names or medical details."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REMARK_MAX_LENGTH}),
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["score"].label = QUESTIONS[VisitKind(kind)]


class VisitForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of visit"), choices=VisitKind.choices, widget=forms.RadioSelect
    )
    visited_on = forms.DateField(
        label=_("Date of the visit"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    local_team = forms.ModelChoiceField(
        label=_("Local team"), queryset=LocalTeam.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, teams: QuerySet[LocalTeam], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["local_team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teams
        self.fields["visited_on"].initial = timezone.localdate()


class TeamFiguresForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"}),
    )
    province = forms.ChoiceField(
        label=_("Province"),
        required=False,
        choices=[("", _("All provinces")), *Province.choices[:6]],
    )
    kind = forms.ChoiceField(
        label=_("Kind of visit"),
        required=False,
        choices=[("", _("All visits")), *VisitKind.choices],
    )

    def clean_month(self) -> dt.date:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return timezone.localdate().replace(day=1)
        match = _MONTH_RE.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2025-03."))
        # Year 0000 is not a date at all; it is as far out of range as 0001.
        month = dt.date(max(int(match.group(1)), dt.MINYEAR), int(match.group(2)), 1)
        check_month(month)
        return month
