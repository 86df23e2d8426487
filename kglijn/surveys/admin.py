"""The surveys in the management site (/beheer/): the low-score rules (editable) and the
wording versions (read only: a change of wording goes through `survey_wording_change` on
/surveys/wording/, which starts a new version instead of editing one that has answers).

Answers, invitations and follow-up tasks are not here: they are read on the contact, through
the selectors that check who may see it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kglijn.surveys.follow_ups import RuleSetting, low_score_rule_bounds, low_score_rules_save
from kglijn.surveys.models import SCALES, LowScoreRule, SurveyQuestion, SurveyVersion

if TYPE_CHECKING:
    _RuleAdminBase = admin.ModelAdmin[LowScoreRule]
    _VersionAdminBase = admin.ModelAdmin[SurveyVersion]
    _QuestionInlineBase = admin.TabularInline[SurveyQuestion, SurveyVersion]
    _RuleFormBase = forms.ModelForm[LowScoreRule]
else:  # generic for the type checker only
    _RuleAdminBase = admin.ModelAdmin
    _VersionAdminBase = admin.ModelAdmin
    _QuestionInlineBase = admin.TabularInline
    _RuleFormBase = forms.ModelForm


class LowScoreRuleForm(_RuleFormBase):
    class Meta:
        model = LowScoreRule
        fields = ("criterion", "threshold", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        criterion, threshold = data.get("criterion"), data.get("threshold")
        if criterion in SCALES and threshold is not None:
            low, high = low_score_rule_bounds(criterion)
            if not low <= threshold <= high:
                self.add_error(
                    "threshold",
                    _("The threshold must lie between %(low)s and %(high)s.")
                    % {"low": low, "high": high},
                )
        return data


@admin.register(LowScoreRule)
class LowScoreRuleAdmin(_RuleAdminBase):
    form = LowScoreRuleForm
    list_display = ("criterion", "threshold", "active")
    list_editable = ("threshold", "active")
    ordering = ("criterion",)

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form", LowScoreRuleForm)
        return super().get_changelist_form(request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("criterion",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: LowScoreRule, form: Any, change: bool) -> None:
        # Through the service, like every write: permission check and audit.
        user = request.user
        assert isinstance(user, User)
        low_score_rules_save(
            by=user,
            rules={obj.criterion: RuleSetting(active=obj.active, threshold=obj.threshold)},
        )
        obj.pk = LowScoreRule.objects.get(criterion=obj.criterion).pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate a rule instead: the history of tasks keeps its meaning


class SurveyQuestionInline(_QuestionInlineBase):
    model = SurveyQuestion
    fields = (
        "criterion",
        "text_nl",
        "low_label_nl",
        "high_label_nl",
        "text_en",
        "low_label_en",
        "high_label_en",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SurveyVersion)
class SurveyVersionAdmin(_VersionAdminBase):
    list_display = ("number", "created_at", "created_by", "note")
    readonly_fields = ("number", "created_at", "created_by", "note")
    inlines = (SurveyQuestionInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
