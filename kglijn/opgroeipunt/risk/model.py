"""The risk model: a calibrated logistic regression on standardised features plus TF-IDF topics.

Label: a danger situation received, or an enforcement step decided (started, warning,
intention, suspension, revocation), in the 182 days after the as-of date.

Design matrix: the FEATURES of ``features.snapshot`` through log1p (counts are skewed) and a
StandardScaler, plus ``TEXT_COMPONENTS`` components of a TF-IDF of the stemmed case texts of the
last 24 months (TruncatedSVD, also standardised). A LogisticRegression on that is explainable:
a location's factor *j* contributes ``coef_j × z_j`` to the log-odds (z: its standardised value,
so 0 for an average location). Calibration: CalibratedClassifierCV(method="sigmoid",
ensemble=False) — Platt scaling fitted on cross-validated predictions, one final regression on
all training rows, so the explanation's coefficients are those of the model that scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from kglijn.opgroeipunt.risk.features import FEATURES, Snapshot

# scikit-learn is imported where a model is fitted or measured: importing it costs ~2 s, which
# every process's first request paid through the URL conf (the pages need only the constants).
if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

TEXT_COMPONENTS = 6
TOP_SHARE = 0.05  # the re-screening list: the top 5 %
MEDIUM_SHARE = 0.20  # band medium: the next 15 % (top 20 % minus the top 5 %)
CALIBRATION_BINS = 10
C = 0.5  # mild L2 regularisation


def text_name(component: int) -> str:
    return f"text_{component + 1}"


@dataclass
class FittedRisk:
    """Everything needed to score a snapshot; stored with joblib in RiskModel.artefact."""

    names: list[str]
    scaler: StandardScaler
    tfidf: TfidfVectorizer | None
    svd: TruncatedSVD | None
    text_scaler: StandardScaler | None
    calibrated: CalibratedClassifierCV
    # Per text component: its strongest terms in the positive and in the negative direction.
    text_terms: list[list[str]] = field(default_factory=list)
    text_terms_negative: list[list[str]] = field(default_factory=list)

    @property
    def regression(self) -> LogisticRegression:
        estimator: LogisticRegression = self.calibrated.calibrated_classifiers_[0].estimator
        return estimator

    def design(self, snap: Snapshot) -> np.ndarray:
        z = self.scaler.transform(np.log1p(np.clip(snap.matrix, 0, None)))
        if self.tfidf is not None and self.svd is not None and self.text_scaler is not None:
            topics = self.svd.transform(self.tfidf.transform(snap.documents))
            z = np.hstack([z, self.text_scaler.transform(topics)])
        result: np.ndarray = z
        return result

    def probabilities(self, z: np.ndarray) -> np.ndarray:
        result: np.ndarray = self.calibrated.predict_proba(z)[:, 1]
        return result

    def contributions(self, z: np.ndarray) -> np.ndarray:
        """Per row and feature: coef × standardised value (log-odds units)."""
        result: np.ndarray = z * self.regression.coef_[0]
        return result


def fit(
    snapshots: list[tuple[Snapshot, np.ndarray]], surface: dict[str, str] | None = None
) -> FittedRisk:
    """Fit on the training snapshots (features, labels); ``surface`` names a stem by a word
    (for the explanation of the TF-IDF components)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    surface = surface or {}

    def in_words(term: str) -> str:
        return " ".join(surface.get(stem, stem) for stem in term.split())

    matrix = np.vstack([np.log1p(np.clip(snap.matrix, 0, None)) for snap, _y in snapshots])
    y = np.concatenate([labels for _snap, labels in snapshots])
    if len(set(y.tolist())) < 2:
        raise ValueError("The training period has no positive (or no negative) examples.")
    scaler = StandardScaler().fit(matrix)
    z = scaler.transform(matrix)
    names = list(FEATURES)
    documents = [doc for snap, _y in snapshots for doc in snap.documents]
    tfidf = svd = text_scaler = None
    text_terms: list[list[str]] = []
    text_terms_negative: list[list[str]] = []
    if sum(1 for doc in documents if doc) >= 20:
        tfidf = TfidfVectorizer(min_df=5, max_df=0.5, sublinear_tf=True, ngram_range=(1, 2))
        try:
            words = tfidf.fit_transform(documents)
        except ValueError:  # too few words left after min_df
            tfidf = None
        else:
            components = min(TEXT_COMPONENTS, words.shape[1] - 1)
            if components >= 1:
                svd = TruncatedSVD(n_components=components, random_state=0)
                topics = svd.fit_transform(words)
                text_scaler = StandardScaler().fit(topics)
                z = np.hstack([z, text_scaler.transform(topics)])
                vocabulary = np.array(tfidf.get_feature_names_out())
                for row in svd.components_:
                    up, down = np.argsort(-row)[:4], np.argsort(row)[:4]
                    text_terms.append([in_words(str(t)) for t in vocabulary[up]])
                    text_terms_negative.append(
                        [in_words(str(vocabulary[j])) for j in down if row[j] < 0]
                    )
                names += [text_name(c) for c in range(components)]
            else:
                tfidf = None
    calibrated = CalibratedClassifierCV(
        LogisticRegression(C=C, max_iter=2000), method="sigmoid", cv=5, ensemble=False
    )
    calibrated.fit(z, y)
    return FittedRisk(
        names=names,
        scaler=scaler,
        tfidf=tfidf,
        svd=svd,
        text_scaler=text_scaler,
        calibrated=calibrated,
        text_terms=text_terms,
        text_terms_negative=text_terms_negative,
    )


# --- Metrics --------------------------------------------------------------------------------


def top_precision(scores: np.ndarray, y: np.ndarray, share: float = TOP_SHARE) -> float:
    """Precision of the top ``share`` by score; ties at the cut are shared at random (the
    expected precision), so a baseline with many equal counts is not flattered or punished."""
    n = len(scores)
    if n == 0:
        return 0.0
    k = max(1, math.ceil(share * n))
    order = np.argsort(-scores, kind="stable")
    threshold = scores[order[k - 1]]
    above = scores > threshold
    tied = scores == threshold
    slots = k - int(above.sum())
    hits = float(y[above].sum()) + slots * float(y[tied].mean())
    return hits / k


def auc(scores: np.ndarray, y: np.ndarray) -> float | None:
    if len(set(y.tolist())) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores))


def calibration_table(
    p: np.ndarray, y: np.ndarray, bins: int = CALIBRATION_BINS
) -> list[dict[str, Any]]:
    """Reliability table: equal-count bins of predicted probability, each with its mean
    prediction and the observed rate."""
    if len(p) == 0:
        return []
    order = np.argsort(p, kind="stable")
    table = []
    for part in np.array_split(order, min(bins, len(p))):
        if len(part) == 0:
            continue
        table.append(
            {
                "n": len(part),
                "predicted": round(float(p[part].mean()), 4),
                "observed": round(float(y[part].mean()), 4),
            }
        )
    return table


def expected_calibration_error(table: list[dict[str, Any]]) -> float:
    total = sum(row["n"] for row in table)
    if not total:
        return 0.0
    return float(sum(row["n"] * abs(row["predicted"] - row["observed"]) for row in table) / total)


def evaluate(fitted: FittedRisk, snap: Snapshot, y: np.ndarray) -> dict[str, Any]:
    """The back-test of the model and of the baseline on one held-out snapshot."""
    from sklearn.metrics import brier_score_loss

    z = fitted.design(snap)
    p = fitted.probabilities(z)
    baseline = snap.column("complaints_12")
    table = calibration_table(p, y)
    base_rate = float(y.mean()) if len(y) else 0.0
    coef = fitted.regression.coef_[0]
    order = np.argsort(-np.abs(coef))[:12]
    return {
        "n": len(y),
        "positives": int(y.sum()),
        "base_rate": round(base_rate, 4),
        "model": {
            "auc": auc(p, y),
            "top5_precision": round(top_precision(p, y), 4),
            "brier": round(float(brier_score_loss(y, p)), 5) if len(y) else None,
            "mean_predicted": round(float(p.mean()), 4) if len(p) else None,
        },
        "baseline": {
            "name": "complaints_12",
            "auc": auc(baseline, y),
            "top5_precision": round(top_precision(baseline, y), 4),
        },
        "brier_base_rate": round(float(np.mean((base_rate - y) ** 2)), 5) if len(y) else None,
        "calibration": table,
        "ece": round(expected_calibration_error(table), 4),
        "coefficients": [
            {"feature": fitted.names[i], "coef": round(float(coef[i]), 4)} for i in order
        ],
        "text_terms": fitted.text_terms,
        "text_terms_negative": fitted.text_terms_negative,
    }
