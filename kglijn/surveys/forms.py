"""The survey form: the 4 questions of a version and an optional remark.

One form for every place a citizen answers in a browser: the page behind the invitation mail
and, later, the end of a chat (render it with surveys/public/_survey_form.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kglijn.surveys.models import SCALES, Criterion, SurveyQuestion, SurveyVersion
from kglijn.surveys.services import MAX_REMARK_LENGTH


@dataclass(frozen=True)
class ScoreOption:
    value: int
    id: str
    checked: bool
    end_label: str  # the wording of this end of the scale ("" between the ends)


@dataclass(frozen=True)
class Question:
    """What the template needs to render one question as a fieldset of radio buttons."""

    criterion: str
    name: str
    text: str
    low: int
    high: int
    low_label: str
    high_label: str
    options: list[ScoreOption]
    errors: list[str]

    @property
    def first_id(self) -> str:
        return self.options[0].id


class SurveyForm(forms.Form):
    """Scores 1–5 (0–10 for the recommendation), each optional; at least one when
    `require_one` (the mail page). Unanswered questions are None in `answers()`."""

    def __init__(
        self,
        *args: Any,
        version: SurveyVersion,
        language: str | None = None,
        require_one: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.require_one = require_one
        self.english = (language or get_language() or "nl").lower().startswith("en")
        self._questions: dict[str, SurveyQuestion] = {
            question.criterion: question for question in version.questions.all()
        }
        for criterion in Criterion.values:
            low, high = SCALES[criterion]
            self.fields[criterion] = forms.TypedChoiceField(
                label=self._text(criterion),
                choices=[(str(score), str(score)) for score in range(low, high + 1)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": _("Choose a score from %(low)s to %(high)s.")
                    % {"low": low, "high": high}
                },
            )
        self.fields["remark"] = forms.CharField(
            label=_("Anything else you would like to tell us?"),
            help_text=_("Optional. Please do not write personal or medical details here."),
            required=False,
            max_length=MAX_REMARK_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def _text(self, criterion: str) -> str:
        question = self._questions[criterion]
        return question.text_en if self.english else question.text_nl

    def _labels(self, criterion: str) -> tuple[str, str]:
        question = self._questions[criterion]
        if self.english:
            return question.low_label_en, question.high_label_en
        return question.low_label_nl, question.high_label_nl

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.require_one and all(
            cleaned.get(criterion) is None for criterion in Criterion.values
        ):
            raise ValidationError(_("Answer at least one question."), code="no_answer")
        return cleaned

    def answers(self) -> dict[str, int | None]:
        """The scores of a valid form, None for each question left open."""
        return {criterion: self.cleaned_data.get(criterion) for criterion in Criterion.values}

    def remark(self) -> str:
        return str(self.cleaned_data.get("remark", "")).strip()

    def questions(self) -> list[Question]:
        """The questions in their fixed order, ready for the template."""
        result = []
        for criterion in Criterion.values:
            bound = self[criterion]
            low, high = SCALES[criterion]
            low_label, high_label = self._labels(criterion)
            value = bound.value()
            chosen = str(value) if value not in (None, "") else None
            result.append(
                Question(
                    criterion=criterion,
                    name=bound.html_name,
                    text=self._text(criterion),
                    low=low,
                    high=high,
                    low_label=low_label,
                    high_label=high_label,
                    options=[
                        ScoreOption(
                            value=score,
                            id=f"{bound.auto_id}_{score}",
                            checked=chosen == str(score),
                            end_label=low_label
                            if score == low
                            else high_label
                            if score == high
                            else "",
                        )
                        for score in range(low, high + 1)
                    ],
                    errors=[str(error) for error in bound.errors],
                )
            )
        return result

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary at the top of the page."""
        links: list[tuple[str, str]] = []
        questions = {question.criterion: question for question in self.questions()}
        first = next(iter(questions.values())).first_id
        links.extend((first, str(error)) for error in self.non_field_errors())
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS:
                continue
            anchor = questions[name].first_id if name in questions else self[name].auto_id
            links.extend((str(anchor), str(error)) for error in errors)
        return links
