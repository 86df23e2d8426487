"""Forms of the staff pages: closing a follow-up task, the wording, the low-score rules.

(The citizens' survey form is forms.py.) Forms only parse input; the services validate the
business rules and their errors are put back on the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kglijn.contacts.models import Channel
from kglijn.core.dates import BoundedDateField
from kglijn.surveys.analysis.month import team_labels
from kglijn.surveys.analysis.queries import NO_TEAM
from kglijn.surveys.follow_ups import MAX_OUTCOME_LENGTH, RuleSetting, low_score_rule_bounds
from kglijn.surveys.models import Criterion, FollowUpStatus, LowScoreRule, SurveyVersion
from kglijn.surveys.selectors import FollowUpFilters
from kglijn.surveys.services import QuestionWording

WORDING_FIELDS: tuple[tuple[str, Any, int], ...] = (
    ("text_nl", _("Question (Dutch)"), 300),
    ("low_label_nl", _("Label of the lowest score (Dutch)"), 60),
    ("high_label_nl", _("Label of the highest score (Dutch)"), 60),
    ("text_en", _("Question (English)"), 300),
    ("low_label_en", _("Label of the lowest score (English)"), 60),
    ("high_label_en", _("Label of the highest score (English)"), 60),
)


class FollowUpDoneForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was done"),
        max_length=MAX_OUTCOME_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. called the parent back, discussed with the employee."),
    )


class FollowUpFilterForm(forms.Form):
    """The follow-up page's filters (GET): status, channel, team, the period the task opened."""

    status = forms.ChoiceField(label=_("Status"), choices=FollowUpStatus.choices, required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    opened_from = BoundedDateField(
        label=_("Opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    opened_to = BoundedDateField(
        label=_("Opened up to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)
        channel.choices = [("", _("All channels")), *Channel.choices]
        team = self.fields["team"]
        assert isinstance(team, forms.ChoiceField)
        team.choices = [
            ("", _("All teams")),
            *[(key, name) for key, name, _office, _active in team_labels()],
            (NO_TEAM, _("Without team")),
        ]

    def filters(self) -> FollowUpFilters:
        """The chosen filters; the defaults (open tasks, everything) for what is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        return FollowUpFilters(
            status=data.get("status") or FollowUpStatus.OPEN,
            channel=data.get("channel") or "",
            team=data.get("team") or "",
            opened_from=data.get("opened_from"),
            opened_to=data.get("opened_to"),
        )


class WordingForm(forms.Form):
    """All 4 questions with their scale labels, prefilled with the current version."""

    note = forms.CharField(
        label=_("What changed (note)"), max_length=200, required=False, strip=True
    )

    def __init__(self, *args: Any, current: SurveyVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions = {q.criterion: q for q in current.questions.all()}
        for criterion in Criterion:
            question = questions.get(criterion.value)
            for name, label, max_length in WORDING_FIELDS:
                self.fields[f"{criterion.value}-{name}"] = forms.CharField(
                    label=label,
                    max_length=max_length,
                    initial=getattr(question, name, ""),
                )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(criterion label, its bound fields) for the template."""
        return [
            (
                str(criterion.label),
                [self[f"{criterion.value}-{name}"] for name, _label, _max in WORDING_FIELDS],
            )
            for criterion in Criterion
        ]

    def texts(self) -> dict[str, QuestionWording]:
        data = self.cleaned_data
        return {
            criterion: QuestionWording(
                **{name: data[f"{criterion}-{name}"] for name, _label, _max in WORDING_FIELDS}
            )
            for criterion in Criterion.values
        }


class LowScoreRulesForm(forms.Form):
    """One row per criterion: active and the threshold (at or below)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        existing = {rule.criterion: rule for rule in LowScoreRule.objects.all()}
        for criterion in Criterion:
            rule = existing.get(criterion.value)
            low, high = low_score_rule_bounds(criterion.value)
            self.fields[f"{criterion.value}-active"] = forms.BooleanField(
                label=_("Opens a follow-up task"),
                required=False,
                initial=rule.active if rule else False,
            )
            self.fields[f"{criterion.value}-threshold"] = forms.IntegerField(
                label=_("At or below"),
                min_value=low,
                max_value=high,
                initial=rule.threshold if rule else low,
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(c.label), self[f"{c.value}-active"], self[f"{c.value}-threshold"])
            for c in Criterion
        ]

    def settings(self) -> dict[str, RuleSetting]:
        data = self.cleaned_data
        return {
            criterion: RuleSetting(
                active=data[f"{criterion}-active"], threshold=data[f"{criterion}-threshold"]
            )
            for criterion in Criterion.values
        }
