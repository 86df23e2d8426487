"""`kglijn opgroeipunt risk train [--as-of D] [--snapshots N] | score | report [--format F]`.

Kept apart from the command module so the other subcommands' blocks merge cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError, OutputWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from kglijn.opgroeipunt.models import RiskModel, RiskScore
from kglijn.opgroeipunt.risk.services import (
    RiskTrainingRefused,
    risk_model_summary,
    risk_model_train,
    risk_scores_compute,
)

USAGE_ERROR = 2
EARLIEST = dt.date(2000, 1, 1)


def risk_parser_add(actions: Any) -> None:
    risk = actions.add_parser("risk", help=_("train the risk model, score the locations, report"))
    what = risk.add_subparsers(dest="risk_action", required=True)
    train = what.add_parser("train", help=_("train and back-test a new model; it becomes active"))
    train.add_argument(
        "--as-of", dest="as_of", help=_("back-test date YYYY-MM-DD (default: 182 days ago)")
    )
    train.add_argument("--snapshots", type=int, default=4, help=_("training snapshots (1-12)"))
    what.add_parser("score", help=_("score every location with the active model"))
    report = what.add_parser("report", help=_("the active model's back-test and the top list"))
    report.add_argument("--format", choices=["json", "table"], default="table")
    report.add_argument("--top", type=int, default=20, help=_("how many locations (max 500)"))


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--as-of: '%(value)s' is not a date (use YYYY-MM-DD)") % {"value": value[:40]},
            returncode=USAGE_ERROR,
        ) from None
    if not EARLIEST <= day <= timezone.localdate():
        raise CommandError(
            _("--as-of: choose a date between %(first)s and today") % {"first": EARLIEST},
            returncode=USAGE_ERROR,
        )
    return day


def risk_handle(stdout: OutputWrapper, options: dict[str, Any]) -> None:
    action = options["risk_action"]
    if action == "train":
        try:
            model = risk_model_train(as_of=_as_of(options["as_of"]), snapshots=options["snapshots"])
        except RiskTrainingRefused as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from exc
        stdout.write(_table(risk_model_summary(model)))
    elif action == "score":
        count = risk_scores_compute()
        if not count and not RiskModel.objects.filter(active=True).exists():
            raise CommandError(_("No active risk model: run `kglijn opgroeipunt risk train`."))
        stdout.write(_("Scored: %(count)d location(s)") % {"count": count})
    else:
        _report(stdout, options)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(summary: dict[str, Any]) -> str:
    model, baseline = summary["model"], summary["baseline"]
    lines = [
        _("Risk model #%(id)s, trained %(at)s (%(seconds)s s)")
        % {"id": summary["id"], "at": summary["trained_at"], "seconds": _fmt(summary["seconds"])},
        _("Training until %(train)s; back-test as of %(test)s (n = %(n)s, base rate %(rate)s)")
        % {
            "train": summary["train_until"],
            "test": summary["test_until"],
            "n": summary["n_test"],
            "rate": _fmt(summary["base_rate"]),
        },
        f"{'':24}{_('AUC'):>10}{_('top 5 %'):>10}{_('Brier'):>10}",
        f"{_('model'):24}{_fmt(model.get('auc')):>10}{_fmt(model.get('top5_precision')):>10}"
        f"{_fmt(model.get('brier')):>10}",
        f"{_('baseline (complaints)'):24}{_fmt(baseline.get('auc')):>10}"
        f"{_fmt(baseline.get('top5_precision')):>10}{_fmt(summary['brier_base_rate']):>10}",
    ]
    return "\n".join(lines) + "\n"


def _report(stdout: OutputWrapper, options: dict[str, Any]) -> None:
    model = RiskModel.objects.filter(active=True).first()
    if model is None:
        raise CommandError(_("No active risk model: run `kglijn opgroeipunt risk train`."))
    top = max(1, min(500, int(options["top"])))
    scores = list(
        RiskScore.objects.filter(model=model).select_related("location").order_by("rank")[:top]
    )
    if options["format"] == "json":
        data = {
            "model": {**risk_model_summary(model), "metrics": model.metrics},
            "top": [
                {
                    "rank": s.rank,
                    "location": s.location.external_id,
                    "name": s.location.name,
                    "probability": round(s.probability, 4),
                    "band": s.band,
                    "factors": s.factors,
                }
                for s in scores
            ],
        }
        stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        return
    stdout.write(_table(risk_model_summary(model)))
    for s in scores:
        reasons = "; ".join(str(f.get("label", "")) for f in s.factors[:3])
        stdout.write(
            f"{s.rank:>5} {s.location.external_id:<12} {s.probability:6.3f} {s.band:<6} {reasons}"
        )
