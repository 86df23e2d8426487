"""Retraining on demand through the Tasks API (django-tasks, ADR 0013): the team lead's button
enqueues it; under the immediate backend it runs at once, under `database` a `kglijn worker`
runs it. Scoring with the new model follows in the same task."""

from __future__ import annotations

from django.contrib.auth.models import User
from django_tasks import task

from kglijn.opgroeipunt.risk.services import risk_model_train, risk_scores_compute


@task()
def risk_retrain_task(*, user_id: int | None) -> None:
    by = User.objects.filter(pk=user_id).first() if user_id is not None else None
    risk_model_train(by=by)
    risk_scores_compute()
