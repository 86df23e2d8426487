"""After the Opgroeipunt demo is loaded: train the risk model and score every location through
the app's own services (``kglijn.opgroeipunt.risk.services``), and put one or two re-screening
proposals of the top-ranked locations in the four-eyes queue (``proposal_create``), so the risk
page, the re-screening list and the dashboard's risk bands are filled on a fresh demo.

The back-test date is the services' default (today - 182 days, the latest 6-month window that is
complete): the demo runs to the present day. Too little history (a tiny or partial demo) is a
clear message, never a traceback. The planted structure the model should find is described in
docs/opgroeipunt.md ("Inspecties, openbaarheid en geplante risico's").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation

from kglijn.opgroeipunt.decisions.services import (
    ProposalNotPermitted,
    ProposalRefused,
    proposal_create,
)
from kglijn.opgroeipunt.models import (
    DecisionKind,
    Proposal,
    ProposalStatus,
    RiskModel,
    RiskScore,
)
from kglijn.opgroeipunt.risk.services import (
    RiskTrainingRefused,
    risk_model_train,
    risk_scores_compute,
)

RESCREENING_PROPOSER = "klantenbeheer2"  # a demo customer manager (kglijn/demo/users.py)
RESCREENING_PROPOSALS = 2


@dataclass
class DemoRisk:
    model: RiskModel | None = None
    scored: int = 0
    train_seconds: float = 0.0
    score_seconds: float = 0.0
    refused: str = ""
    proposals: list[Proposal] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the command's output."""
        if self.model is None:
            return f"Risk model not trained: {self.refused}"
        metrics = self.model.metrics or {}
        model, baseline = metrics.get("model", {}), metrics.get("baseline", {})

        def f(value: object, pattern: str) -> str:
            return format(value, pattern) if isinstance(value, int | float) else "-"

        return (
            f"Risk model #{self.model.pk} (back-test as of {self.model.test_until}, "
            f"n {self.model.n_test:,}, base rate {f(metrics.get('base_rate'), '.1%')}): "
            f"AUC {f(model.get('auc'), '.3f')} vs baseline {f(baseline.get('auc'), '.3f')}, "
            f"top 5 % precision {f(model.get('top5_precision'), '.1%')} vs "
            f"{f(baseline.get('top5_precision'), '.1%')}; trained in {self.train_seconds:.1f} s, "
            f"{self.scored:,} locations scored in {self.score_seconds:.1f} s; "
            f"{len(self.proposals)} re-screening proposal(s) waiting"
        )


def _motivation(score: RiskScore) -> str:
    reasons = "; ".join(str(factor.get("label", "")) for factor in score.factors[:3])
    return (
        f"Risicoanalyse: rang {score.rank}, kans {score.probability:.0%} op een gevaarsituatie "
        f"of handhaving in de komende 6 maanden. Belangrijkste factoren: {reasons}."
    )[:5000]


def _rescreening_propose(count: int) -> list[Proposal]:
    """Re-screening proposals of the top-ranked locations by a demo customer manager, through
    the app's proposal service (the four eyes: another manager approves)."""
    proposer = User.objects.filter(username=RESCREENING_PROPOSER, is_active=True).first()
    if proposer is None or count < 1:
        return []
    made: list[Proposal] = []
    scores = RiskScore.objects.select_related("location").order_by("rank")[:20]
    with translation.override("nl"):
        for score in scores:
            if len(made) >= count:
                break
            if Proposal.objects.filter(
                location=score.location,
                kind=DecisionKind.RESCREENING,
                status=ProposalStatus.PROPOSED,
            ).exists():
                continue
            try:
                with transaction.atomic():
                    made.append(
                        proposal_create(
                            kind=DecisionKind.RESCREENING,
                            location=score.location,
                            motivation=_motivation(score),
                            proposed_by=proposer,
                        )
                    )
            except (ProposalRefused, ProposalNotPermitted):
                continue  # e.g. a location whose state refuses it: take the next one
    return made


def opgroeipunt_demo_risk(*, proposals: int = RESCREENING_PROPOSALS) -> DemoRisk:
    """Train (back-test as of today - 182 days), score every location, propose re-screenings."""
    result = DemoRisk()
    started = time.perf_counter()
    try:
        result.model = risk_model_train()
    except RiskTrainingRefused as exc:
        result.refused = str(exc)
        return result
    result.train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result.scored = risk_scores_compute()
    result.score_seconds = time.perf_counter() - started
    result.proposals = _rescreening_propose(proposals)
    return result
