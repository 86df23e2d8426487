"""The follow-up of low scores: closing a team lead's task, and setting the rules that open
them (the rules themselves are applied by `survey_response_record`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.surveys.models import SCALES, Criterion, FollowUpStatus, FollowUpTask, LowScoreRule
from kglijn.surveys.services import AUDIT_FOLLOW_UP, SurveyInvalid

AUDIT_RULE = "survey_low_score_rule"
MAX_OUTCOME_LENGTH = 2000


class FollowUpInvalid(Exception):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


@transaction.atomic
def follow_up_complete(*, task: FollowUpTask, by: User, outcome: str) -> FollowUpTask:
    """Close an open follow-up task with what was done; a done task stays as it was."""
    if not by.has_perm("surveys.change_followuptask"):
        raise PermissionDenied
    locked = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    outcome = outcome.strip()
    errors: list[tuple[str, str]] = []
    if locked.status != FollowUpStatus.OPEN:
        errors.append(("status", _("This follow-up task is already done.")))
    if not outcome:
        errors.append(("outcome", _("Describe what was done.")))
    elif len(outcome) > MAX_OUTCOME_LENGTH:
        errors.append(("outcome", _("At most %(max)s characters.") % {"max": MAX_OUTCOME_LENGTH}))
    if errors:
        raise FollowUpInvalid(errors)
    locked.status = FollowUpStatus.DONE
    locked.outcome = outcome
    locked.done_at = timezone.now()
    locked.done_by = by
    locked.save(update_fields=["status", "outcome", "done_at", "done_by"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.CLOSE,
        object_type=AUDIT_FOLLOW_UP,
        object_id=locked.pk,
        detail={"contact": locked.contact_id},
    )
    return locked


@dataclass(frozen=True)
class RuleSetting:
    active: bool
    threshold: int


def low_score_rule_bounds(criterion: str) -> tuple[int, int]:
    """The thresholds that make sense: from the lowest score up to one below the highest."""
    low, high = SCALES[criterion]
    return low, high - 1


@transaction.atomic
def low_score_rules_save(*, by: User, rules: Mapping[str, RuleSetting]) -> list[LowScoreRule]:
    """Set the low-score rules (one per criterion); they apply to answers stored from now on."""
    if not by.has_perm("surveys.change_lowscorerule"):
        raise PermissionDenied
    errors: list[tuple[str, str]] = []
    for criterion, setting in rules.items():
        if criterion not in Criterion.values:
            errors.append((str(criterion), _("Unknown criterion.")))
            continue
        low, high = low_score_rule_bounds(criterion)
        if not low <= setting.threshold <= high:
            errors.append(
                (
                    criterion,
                    _("The threshold must lie between %(low)s and %(high)s.")
                    % {"low": low, "high": high},
                )
            )
    if errors:
        raise SurveyInvalid(errors)
    existing = {rule.criterion: rule for rule in LowScoreRule.objects.select_for_update()}
    changed: dict[str, dict[str, object]] = {}
    saved = []
    for criterion in Criterion.values:
        rule = existing.get(criterion)
        if criterion not in rules:
            if rule is not None:
                saved.append(rule)
            continue
        setting = rules[criterion]
        if rule is None:
            rule = LowScoreRule.objects.create(
                criterion=criterion, threshold=setting.threshold, active=setting.active
            )
            changed[criterion] = {"threshold": setting.threshold, "active": setting.active}
        elif (rule.threshold, rule.active) != (setting.threshold, setting.active):
            rule.threshold, rule.active = setting.threshold, setting.active
            rule.save(update_fields=["threshold", "active"])
            changed[criterion] = {"threshold": setting.threshold, "active": setting.active}
        saved.append(rule)
    for criterion, detail in changed.items():
        audit_record(
            actor=by,
            action=AuditEvent.Action.CHANGE,
            object_type=AUDIT_RULE,
            object_id=next(rule.pk for rule in saved if rule.criterion == criterion),
            detail={"criterion": criterion, **detail},
        )
    return saved
