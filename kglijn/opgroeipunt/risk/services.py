"""Train the risk model (back-tested, kept with its metrics) and score every location with it."""

from __future__ import annotations

import datetime as dt
import io
import math
import time
from typing import Any

import joblib
import numpy as np
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from kglijn.core.audit import audit_record
from kglijn.core.models import AuditEvent
from kglijn.opgroeipunt.models import (
    Case,
    Decision,
    InspectionVisit,
    RiskBand,
    RiskModel,
    RiskScore,
)
from kglijn.opgroeipunt.risk.explain import factors_of
from kglijn.opgroeipunt.risk.features import (
    TextCache,
    cut_of,
    labels,
    scoring_locations,
    snapshot,
    surface_words,
)
from kglijn.opgroeipunt.risk.model import MEDIUM_SHARE, TOP_SHARE, FittedRisk, evaluate, fit

LABEL_DAYS = 182
TRAIN_SNAPSHOTS = 4
LABEL = (
    "A danger situation or an enforcement step (started, warning, intention, suspension, "
    "revocation) in the 6 months after the as-of date"
)
AUDIT_MODEL = "opgroeipunt_risk_model"
# A register whose last case, decision and visit are older than this has ended (an imported
# history): its present is then its last day, not today (``register_now``).
DATA_ENDED_AFTER = dt.timedelta(days=30)


class RiskTrainingRefused(ValueError):
    """Training is not possible (a bad date, no history); the message says why."""


def register_now(now: dt.datetime | None = None) -> dt.datetime:
    """The present of the register's data: ``now``, or the last case, decision or inspection
    visit when the data end earlier (an imported history that stops years ago, a register
    loaded from another system). Features counted "in the last 12 months" then mean the last
    12 months of the data, not an empty year before today."""
    now = now or timezone.now()
    latest: list[dt.datetime | None] = [
        Case.objects.aggregate(at=Max("received_at"))["at"],
        Decision.objects.aggregate(at=Max("decided_at"))["at"],
    ]
    visited = InspectionVisit.objects.aggregate(on=Max("visited_on"))["on"]
    if visited is not None:
        latest.append(
            dt.datetime.combine(visited, dt.time(23, 59), tzinfo=timezone.get_current_timezone())
        )
    known: list[dt.datetime] = [moment for moment in latest if moment is not None]
    if not known or now - max(known) < DATA_ENDED_AFTER:
        return now  # live data: its present is now
    return max(known) + dt.timedelta(days=1)


def default_as_of(today: dt.date | None = None) -> dt.date:
    """The back-test as-of date whose 6-month window is the latest complete one of the data."""
    present = today or timezone.localdate(register_now())
    return present - dt.timedelta(days=LABEL_DAYS)


def _dump(fitted: FittedRisk) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(fitted, buffer, compress=3)
    return buffer.getvalue()


def fitted_of(model: RiskModel) -> FittedRisk:
    """The fitted model of a training run (written only by ``risk_model_train``)."""
    loaded: FittedRisk = joblib.load(io.BytesIO(bytes(model.artefact)))
    return loaded


def risk_model_train(
    *,
    as_of: dt.date | None = None,
    by: User | None = None,
    snapshots: int = TRAIN_SNAPSHOTS,
    activate: bool = True,
) -> RiskModel:
    """Train on ``snapshots`` half-yearly as-of dates before ``as_of``, back-test on ``as_of``
    (its 6-month window must be complete), keep the run with its metrics and make it the active
    model. Raises RiskTrainingRefused when there is not enough history."""
    started = time.monotonic()
    today = timezone.localdate()
    test_day = as_of or default_as_of()
    if test_day + dt.timedelta(days=LABEL_DAYS) > today:
        raise RiskTrainingRefused(
            f"The back-test date {test_day.isoformat()} must lie at least {LABEL_DAYS} days "
            "in the past: its 6-month window is not complete yet."
        )
    if not 1 <= snapshots <= 12:
        raise RiskTrainingRefused("Choose between 1 and 12 training snapshots.")
    cache = TextCache()
    training = []
    for k in range(snapshots, 0, -1):
        cut = cut_of(test_day - dt.timedelta(days=LABEL_DAYS * k))
        snap = snapshot(cut=cut, cache=cache)
        training.append((snap, labels(cut=cut, location_ids=snap.location_ids, days=LABEL_DAYS)))
    try:
        fitted = fit(training, surface=surface_words(cache))
    except ValueError as exc:
        raise RiskTrainingRefused(str(exc)) from exc
    test_cut = cut_of(test_day)
    test_snap = snapshot(cut=test_cut, cache=cache)
    y_test = labels(cut=test_cut, location_ids=test_snap.location_ids, days=LABEL_DAYS)
    metrics = evaluate(fitted, test_snap, y_test)
    y_train = np.concatenate([y for _snap, y in training])
    metrics["train_base_rate"] = round(float(y_train.mean()), 4)
    metrics["train_snapshots"] = [timezone.localdate(snap.cut).isoformat() for snap, _y in training]
    metrics["seconds"] = round(time.monotonic() - started, 2)
    train_until = test_day - dt.timedelta(days=LABEL_DAYS)
    with transaction.atomic():
        if activate:
            RiskModel.objects.filter(active=True).update(active=False)
        model = RiskModel.objects.create(
            trained_at=timezone.now(),
            trained_by=by,
            label=LABEL[:200],
            train_until=train_until,
            test_until=test_day,
            n_train=len(y_train),
            n_test=len(y_test),
            metrics=metrics,
            feature_names=fitted.names,
            artefact=_dump(fitted),
            active=activate,
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            object_type=AUDIT_MODEL,
            object_id=model.pk,
            detail={"test_until": test_day.isoformat(), "n_train": len(y_train)},
        )
    return model


def bands_for(n: int) -> tuple[int, int]:
    """The last rank of the high band (top 5 %) and of the medium band (top 20 %)."""
    return max(1, math.ceil(TOP_SHARE * n)), max(1, math.ceil(MEDIUM_SHARE * n))


def risk_scores_compute(*, now: dt.datetime | None = None) -> int:
    """Score every active, licensed location with the active model as of ``now``: one RiskScore
    per location (the previous ones replaced in the same transaction). Returns how many; 0
    without an active model."""
    model = RiskModel.objects.filter(active=True).first()
    if model is None:
        return 0
    now = now or timezone.now()
    fitted = fitted_of(model)
    # Features as of the register's present (``now`` for live data); computed_at says when.
    snap = snapshot(cut=register_now(now), location_ids=scoring_locations())
    z = fitted.design(snap)
    probabilities = fitted.probabilities(z)
    weights = fitted.contributions(z)
    raw = snap.matrix
    order = np.argsort(-probabilities, kind="stable")
    high, medium = bands_for(len(order))
    rows = []
    with translation.override("nl"):
        for rank, i in enumerate(order, start=1):
            values: list[float] = list(raw[i]) + list(z[i, raw.shape[1] :])
            band = (
                RiskBand.HIGH
                if rank <= high
                else RiskBand.MEDIUM
                if rank <= medium
                else RiskBand.LOW
            )
            rows.append(
                RiskScore(
                    location_id=snap.location_ids[i],
                    model=model,
                    computed_at=now,
                    probability=float(min(1.0, max(0.0, probabilities[i]))),
                    band=band,
                    rank=rank,
                    factors=factors_of(
                        names=fitted.names,
                        raw=values,
                        weights=[float(w) for w in weights[i]],
                        text_terms=fitted.text_terms,
                        text_terms_negative=fitted.text_terms_negative,
                    ),
                )
            )
    with transaction.atomic():
        # One scorer at a time (two workers, or the daily job and a retrain): the first training
        # run's row is the lock, so the second's delete sees the first's scores and no location
        # gets two.
        RiskModel.objects.select_for_update().order_by("pk").values_list("pk").first()
        RiskScore.objects.all().delete()
        RiskScore.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def risk_model_summary(model: RiskModel) -> dict[str, Any]:
    """The figures of a training run as the pages and the report show them."""
    metrics = model.metrics or {}
    return {
        "id": model.pk,
        "trained_at": model.trained_at.isoformat(),
        "active": model.active,
        "train_until": model.train_until.isoformat(),
        "test_until": model.test_until.isoformat(),
        "n_train": model.n_train,
        "n_test": model.n_test,
        "base_rate": metrics.get("base_rate"),
        "model": metrics.get("model", {}),
        "baseline": metrics.get("baseline", {}),
        "brier_base_rate": metrics.get("brier_base_rate"),
        "ece": metrics.get("ece"),
        "seconds": metrics.get("seconds"),
    }
