"""Issue 18 item 3: on a register with a planted risk structure (risk_world.py) the model beats
the complaint-count baseline on a held-out later period, is calibrated, keeps its training run,
scores every location once and names the planted factors in each high-risk explanation."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import time

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from kglijn.opgroeipunt.models import RiskModel, RiskScore
from kglijn.opgroeipunt.risk.features import scoring_locations
from kglijn.opgroeipunt.risk.jobs import risk_daily
from kglijn.opgroeipunt.risk.services import (
    bands_for,
    fitted_of,
    register_now,
    risk_model_train,
    risk_scores_compute,
)
from kglijn.opgroeipunt.risk.text import normalise
from tests.opgroeipunt.risk_world import (
    DANGER,
    INJURY,
    NEGLECT,
    NEUTRAL_COMPLAINTS,
    NEUTRAL_SIGNALS,
    UNDERSTAFFING,
    build_world,
)

pytestmark = pytest.mark.django_db

# The features through which the planted structure shows (risk_world.py's docstring): the hazard
# drives staff-shortage reports, the signal words and past outcomes; no income tariff and a
# troubled organiser raise it.
PLANTED = {
    "staff_shortage_12",
    "staff_shortage_24",
    "theme_neglect_24",
    "theme_injury_24",
    "theme_understaffing_24",
    "no_income_tariff",
    "org_other_troubled_24",
    "signals_12",
    "signals_24",
    "danger_12",
    "danger_24",
    "enf_ever_warned",
    "enf_steps_24",
}

# The words only the planted texts have: a TF-IDF component named by them is a planted factor.
PLANTED_WORDS = {
    w for text in NEGLECT + INJURY + UNDERSTAFFING for w in normalise(text).split()
} - {w for text in NEUTRAL_COMPLAINTS + NEUTRAL_SIGNALS + DANGER for w in normalise(text).split()}


def planted(factor: dict[str, object]) -> bool:
    if str(factor["feature"]).startswith("text_"):
        terms = factor.get("terms") or []
        assert isinstance(terms, list)
        return any(set(str(term).split()) & PLANTED_WORDS for term in terms)
    return factor["feature"] in PLANTED


def test_model_beats_the_baseline_is_calibrated_and_explains_the_planted_factors() -> None:
    world = build_world(n_locations=1200)

    started = time.monotonic()
    model = risk_model_train()
    seconds = time.monotonic() - started

    # The run is kept with its periods and metrics, and it is the one active model.
    model.refresh_from_db()
    assert model.active
    assert RiskModel.objects.filter(active=True).count() == 1
    assert (model.n_test, model.n_train) == (1200, 4 * 1200)
    assert model.test_until == timezone.localdate() - dt.timedelta(days=182)
    metrics = model.metrics
    m, b = metrics["model"], metrics["baseline"]
    print(
        f"\nAUC {m['auc']:.3f} vs {b['auc']:.3f}; top 5 % {m['top5_precision']:.3f} vs "
        f"{b['top5_precision']:.3f}; Brier {m['brier']:.4f} (base rate "
        f"{metrics['brier_base_rate']:.4f}); ECE {metrics['ece']:.4f}; "
        f"base rate {metrics['base_rate']:.3f}; {seconds:.1f} s"
    )
    assert m["auc"] >= b["auc"] + 0.15
    assert m["auc"] >= 0.68
    assert m["top5_precision"] >= 2 * b["top5_precision"]
    assert m["top5_precision"] >= 2 * metrics["base_rate"]
    # Calibrated: on average and per bin within a tolerance, and better than the base rate.
    assert abs(m["mean_predicted"] - metrics["base_rate"]) < 0.03
    assert metrics["ece"] < 0.05
    assert m["brier"] < metrics["brier_base_rate"]
    assert len(metrics["calibration"]) == 10
    assert sum(row["n"] for row in metrics["calibration"]) == 1200
    assert {c["feature"] for c in metrics["coefficients"][:6]} & PLANTED
    assert seconds < 30
    assert fitted_of(model).names[: len(model.feature_names)] == model.feature_names

    # Scoring: one score per active location, ranks 1..n, bands by the documented cut-offs.
    count = risk_scores_compute()
    scored = scoring_locations()
    assert count == len(scored) == RiskScore.objects.count() == 1200
    scores = list(RiskScore.objects.order_by("rank"))
    assert [s.rank for s in scores] == list(range(1, 1201))
    assert all(a.probability >= b.probability for a, b in itertools.pairwise(scores))
    high, medium = bands_for(1200)
    assert [s.band for s in scores].count("high") == high == 60
    assert [s.band for s in scores].count("medium") == medium - high

    # The high band is where the planted hazard is.
    high_ids = [s.location_id for s in scores if s.band == "high"]
    hazards = np.array(list(world.hazard.values()))
    assert np.mean([world.hazard[i] for i in high_ids]) > np.mean(hazards) + 1.0

    # Each high-risk explanation names planted factors, in Dutch, with a positive weight; a
    # location without an income tariff is told so when that is among its reasons.
    named_no_tariff = 0
    for score in scores[:high]:
        features = [f["feature"] for f in score.factors]
        assert score.factors
        assert planted(score.factors[0]), score.factors
        assert all(f["weight"] > 0 for f in score.factors)
        assert sum(planted(f) for f in score.factors) >= 2, features
        named_no_tariff += "no_income_tariff" in features
        assert all(
            world.no_tariff[score.location_id]
            for f in score.factors
            if f["feature"] == "no_income_tariff"
        )
    assert named_no_tariff >= 0.5 * sum(world.no_tariff[i] for i in high_ids)
    labels = " | ".join(f["label"] for s in scores[:high] for f in s.factors)
    assert "signaalwoord 'verwaarlozing'" in labels or "signaalwoord 'letsel'" in labels
    assert "personeelstekort" in labels
    assert "Geen inkomensgerelateerd tarief" in labels

    # The daily job scores once a day: not again the same day with the same model.
    assert risk_daily(now=timezone.now()) == 0

    # The report (CLI) shows the back-test and the top of the list.
    out = io.StringIO()
    call_command("opgroeipunt", "risk", "report", "--format", "json", "--top", "3", stdout=out)
    report = json.loads(out.getvalue())
    assert report["model"]["model"]["auc"] == m["auc"]
    assert [row["rank"] for row in report["top"]] == [1, 2, 3]

    # Retraining keeps the history and moves the active flag; the daily job rescores at once.
    second = risk_model_train(snapshots=1)
    assert RiskModel.objects.count() == 2
    assert list(RiskModel.objects.filter(active=True)) == [second]
    assert risk_daily(now=timezone.now()) == 1200
    assert set(RiskScore.objects.values_list("model_id", flat=True)) == {second.pk}


def test_a_register_whose_history_ended_years_ago_is_trained_and_scored_on_its_own_present():
    """Data imported from another system that stops in the past: the default back-test date
    and the scoring use the data's last day, not today (whose last 12 months would be empty)."""
    ended = timezone.now() - dt.timedelta(days=3 * 365)
    build_world(n_locations=600, seed=5, now=ended)

    model = risk_model_train()

    present = register_now()
    assert abs((present - ended).days) <= 1
    assert model.test_until == timezone.localdate(present) - dt.timedelta(days=182)
    metrics = model.metrics
    assert metrics["model"]["auc"] >= metrics["baseline"]["auc"] + 0.1
    assert risk_scores_compute() == 600
    probabilities = set(RiskScore.objects.values_list("probability", flat=True))
    assert len(probabilities) > 100  # features of the data's last year, not an empty one


def test_live_data_has_today_as_its_present():
    build_world(n_locations=50, seed=6)
    now = timezone.now()
    assert register_now(now) == now
