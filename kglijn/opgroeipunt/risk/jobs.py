"""The daily scoring, a `kglijn worker` job (settings.KGLIJN_WORKER_JOBS).

The worker calls every job each round; ``risk_daily`` scores only when the current scores were
computed before today (local time) or by another model than the active one, so it scores once a
day, and again at once after a retrain. Scoring replaces all scores in one transaction: running
it twice, or in two workers at once, leaves one score per location.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kglijn.opgroeipunt.models import RiskModel, RiskScore
from kglijn.opgroeipunt.risk.services import risk_scores_compute


def risk_scores_due(*, now: dt.datetime) -> bool:
    active = RiskModel.objects.filter(active=True).values_list("pk", flat=True).first()
    if active is None:
        return False
    latest = (
        RiskScore.objects.order_by("-computed_at").values_list("computed_at", "model_id").first()
    )
    if latest is None:
        return True
    computed_at, model_id = latest
    return model_id != active or timezone.localdate(computed_at) < timezone.localdate(now)


def risk_daily(*, now: dt.datetime) -> int:
    """Score every location with the active model once a day; returns how many were scored."""
    if not risk_scores_due(now=now):
        return 0
    return risk_scores_compute(now=now)
