"""Parliament's questions answered from a campaign's methodology (services.methodology), one
sentence per question with its figure: the page and its Excel download say the same."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kglijn.campaigns.monitoring.exports import variable_label
from kglijn.campaigns.monitoring.services import Methodology, design_text


@dataclass(frozen=True)
class MethodologyAnswer:
    key: str
    question: str
    answer: str
    figure: int | float | None  # the answer's number (Excel's "Figure" column)


def num(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """A number in the active language's format (7.525 and 24,5 in Dutch)."""
    if value is None:
        return "–"
    # Rounded here: number_format cuts the decimals off (15.96 would read 15,9).
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def p_text(value: float) -> str:
    """ "= 0,034" or "< 0,001" (p-values below 0.001 are not shown to more digits)."""
    return "< " + num(0.001, 3) if value < 0.001 else "= " + num(value, 3)


def _population(report: Methodology) -> MethodologyAnswer:
    campaign = report.campaign
    parts = [str(campaign.get_population_kind_display())]
    if report.criteria:
        parts.append(
            _("criteria: %(criteria)s")
            % {"criteria": "; ".join(f"{name} = {value}" for name, value in report.criteria)}
        )
    if campaign.strata_variables:
        parts.append(
            _("strata: %(variables)s") % {"variables": ", ".join(campaign.strata_variables)}
        )
    totals = report.totals
    if totals.population is not None:
        sources = {
            "plan": _("from the frame, per stratum"),
            "margins": _("from the population counts"),
            "reported": _("as reported by the bureau"),
        }
        parts.append(
            _("population N = %(n)s (%(source)s)")
            % {"n": num(totals.population), "source": sources.get(totals.population_source, "")}
        )
    else:
        parts.append(_("population size unknown"))
    return MethodologyAnswer(
        "population",
        _("Which population was surveyed, and how was it defined?"),
        "; ".join(parts) + ".",
        totals.population,
    )


def _sample(report: Methodology) -> MethodologyAnswer:
    totals = report.totals
    planned = [row for row in report.strata if row.sample is not None]
    if totals.sample is None:
        answer = _("The sample size is not known.")
    elif planned:
        answer = _("n = %(n)s units drawn over %(strata)s strata (per stratum in the table).") % {
            "n": num(totals.sample),
            "strata": num(len(planned)),
        }
    elif totals.sample_source == "reported":
        answer = _("n = %(n)s, as reported by the bureau.") % {"n": num(totals.sample)}
    else:
        answer = _("n = %(n)s.") % {"n": num(totals.sample)}
    return MethodologyAnswer("sample", _("How large was the sample?"), answer, totals.sample)


def _invited(report: Methodology) -> MethodologyAnswer:
    totals = report.totals
    reported = totals.reported.get("invited")
    if totals.invited:
        answer = _("%(n)s sampled units got at least one invitation mail; %(out)s opted out.") % {
            "n": num(totals.invited),
            "out": num(totals.opted_out),
        }
        figure: int | None = totals.invited
    elif reported is not None:
        answer = _("%(n)s invited, as reported by the bureau.") % {"n": num(reported)}
        figure = reported
    else:
        answer = _("No invitation has been sent yet.")
        figure = 0
    return MethodologyAnswer("invited", _("How many were invited?"), answer, figure)


def _respondents(report: Methodology) -> MethodologyAnswer:
    totals = report.totals
    answer = _(
        "%(complete)s usable (complete) questionnaires and %(dropouts)s drop-outs (started but "
        "not finished; not used in the results)."
    ) % {"complete": num(totals.complete), "dropouts": num(totals.dropouts)}
    reported = totals.reported
    if "complete" in reported or "dropouts" in reported:
        answer += " " + _(
            "The bureau reported %(complete)s usable questionnaires and %(dropouts)s drop-outs."
        ) % {
            "complete": num(reported.get("complete")),
            "dropouts": num(reported.get("dropouts")),
        }
    return MethodologyAnswer("respondents", _("How many respondents?"), answer, totals.complete)


def _response_rate(report: Methodology) -> MethodologyAnswer:
    totals = report.totals
    minimum = num(report.campaign.min_response_rate_pct, 1)
    bases = {
        "sample": _("complete ÷ sample"),
        "reported_sample": _("complete ÷ the sample the bureau reported"),
        "reported_invited": _("complete ÷ the number the bureau invited"),
    }
    if totals.response_rate_pct is None:
        answer = _("The response rate cannot be computed: the sample size is not known.")
    else:
        answer = _("%(rate)s %% (%(basis)s).") % {
            "rate": num(totals.response_rate_pct, 1),
            "basis": bases.get(totals.response_rate_basis, ""),
        }
    if totals.invited_rate_pct is not None:
        answer += " " + _("Complete ÷ invited: %(rate)s %%.") % {
            "rate": num(totals.invited_rate_pct, 1)
        }
    rated = [row for row in report.strata if row.response_rate_pct is not None]
    if rated:
        answer += " " + _(
            "The minimum response rate per stratum is %(minimum)s %%: %(below)s of %(strata)s "
            "strata are below it."
        ) % {
            "minimum": minimum,
            "below": num(totals.strata_below_minimum),
            "strata": num(len(rated)),
        }
    else:
        answer += " " + _(
            "The minimum response rate per stratum is %(minimum)s %%; without a stratum plan it "
            "cannot be checked per stratum."
        ) % {"minimum": minimum}
    return MethodologyAnswer(
        "response_rate",
        _("What is the response rate, and is there a minimum response rate?"),
        answer,
        None if totals.response_rate_pct is None else round(totals.response_rate_pct, 2),
    )


def _modes(report: Methodology) -> MethodologyAnswer:
    answer = _(
        "%(digital)s digitally (web, %(digital_pct)s %%) and %(physical)s by phone or on paper "
        "(%(physical_pct)s %%)."
    ) % {
        "digital": num(report.digital),
        "digital_pct": num(report.digital_pct or 0, 1),
        "physical": num(report.physical),
        "physical_pct": num(report.physical_pct or 0, 1),
    }
    details = ", ".join(f"{m.label}: {num(m.complete)}" for m in report.modes)
    return MethodologyAnswer(
        "modes",
        _("Was the survey digital or physical?"),
        f"{answer} ({details})",
        None if report.digital_pct is None else round(report.digital_pct, 2),
    )


def _weighting(report: Methodology) -> MethodologyAnswer:
    weights = report.weights
    if not weights.weighted:
        answer = _("Not weighted: every complete response counts once.")
        if weights.outdated:
            answer += " " + _(
                "%(missing)s complete responses have no weight yet: the weights are out of date "
                "and must be computed again."
            ) % {"missing": num(weights.complete - weights.with_weight)}
        return MethodologyAnswer("weighting", _("How were the results weighted?"), answer, None)
    methods = {"raking": _("raking"), "post-stratification": _("post-stratification")}
    answer = _(
        "%(method)s to the population's margins of %(variables)s; weighting efficiency "
        "%(efficiency)s %%, design effect of the weights %(deff)s."
    ) % {
        "method": methods.get(report.weighting_method, report.weighting_method or _("weighted")),
        "variables": ", ".join(report.weighting_variables) or "–",
        "efficiency": num(weights.efficiency_pct, 1),
        "deff": num(weights.deff_weights, 2),
    }
    return MethodologyAnswer(
        "weighting",
        _("How were the results weighted?"),
        answer[:1].upper() + answer[1:],
        round(weights.deff_weights, 4),
    )


def _standardised(report: Methodology) -> MethodologyAnswer:
    if report.weights.weighted and report.weighting_variables:
        answer = _("Yes: weighted to the population's margins of %(variables)s.") % {
            "variables": ", ".join(report.weighting_variables)
        }
    else:
        answer = _("No: the results are not weighted to the population.")
    return MethodologyAnswer("standardised", _("Are the results standardised?"), answer, None)


def _margin(report: Methodology) -> MethodologyAnswer:
    weights = report.weights
    if report.margin_of_error_pct is None:
        return MethodologyAnswer(
            "margin",
            _("What is the margin of error?"),
            _("No complete response yet."),
            None,
        )
    answer = _(
        "± %(moe)s percentage points for a percentage of 50 %% (95 %% confidence), with the "
        "effective sample size n / deff = %(n)s / %(deff)s = %(neff)s"
    ) % {
        "moe": num(report.margin_of_error_pct, 1),
        "n": num(weights.complete),
        "deff": num(weights.deff_weights, 2),
        "neff": num(weights.n_effective, 0),
    }
    if report.totals.population:
        answer += " " + _("and the finite-population correction for N = %(n)s") % {
            "n": num(report.totals.population)
        }
    return MethodologyAnswer(
        "margin",
        _("What is the margin of error?"),
        answer + ".",
        round(report.margin_of_error_pct, 2),
    )


def _overall(report: Methodology) -> MethodologyAnswer:
    overall = report.overall
    estimate = overall.estimate
    if estimate is None:
        return MethodologyAnswer(
            "overall", _("What is the overall score?"), _("No overall score answered yet."), None
        )
    answer = _(
        "%(mean)s out of 10 (95 %% confidence interval %(low)s to %(high)s; %(n)s respondents"
    ) % {
        "mean": num(estimate.mean, 2),
        "low": num(estimate.ci_low, 2),
        "high": num(estimate.ci_high, 2),
        "n": num(estimate.n),
    }
    answer += "; " + (_("weighted") if overall.weighted else _("not weighted"))
    if overall.stratified:
        answer += "; " + _("variance by stratum")
    answer += ")."
    return MethodologyAnswer(
        "overall", _("What is the overall score?"), answer, round(estimate.mean, 4)
    )


def _representativeness(report: Methodology) -> MethodologyAnswer:
    if not report.representativeness:
        return MethodologyAnswer(
            "representativeness",
            _("How representative are the respondents?"),
            _("There are no population counts to compare the respondents with."),
            None,
        )
    parts = []
    for test in report.representativeness:
        if test.chi2 is None:
            parts.append(f"{variable_label(test)}: {test.verdict}")
        else:
            parts.append(
                f"{variable_label(test)}: χ² = {num(test.chi2, 2)}, {_('df')} = {test.df}, "
                f"p {p_text(test.p_value or 0.0)}. {test.verdict}"
            )
    return MethodologyAnswer(
        "representativeness",
        _("How representative are the respondents?"),
        " ".join(parts),
        None,
    )


def _trend(report: Methodology) -> MethodologyAnswer:
    trend = report.trend
    question = _("What is the trend against the previous measurement?")
    if trend is None:
        return MethodologyAnswer("trend", question, _("There is no previous measurement."), None)
    now, before = trend.current.estimate, trend.before.estimate
    if now is None or before is None or trend.difference is None:
        return MethodologyAnswer(
            "trend",
            question,
            _("The overall score of %(name)s or of this campaign is not known.")
            % {"name": trend.previous.name},
            None,
        )
    diff = trend.difference
    answer = _(
        "Overall score %(now)s now against %(before)s in %(name)s: a difference of %(diff)s "
        "(p %(p)s), %(verdict)s."
    ) % {
        "now": num(now.mean, 2),
        "before": num(before.mean, 2),
        "name": trend.previous.name,
        "diff": ("+" if diff.difference > 0 else "") + num(diff.difference, 2),
        "p": p_text(diff.p_value),
        "verdict": _("significant (p < 0.05)")
        if diff.significant
        else _("not significant (p ≥ 0.05)"),
    }
    return MethodologyAnswer("trend", question, answer, round(diff.difference, 4))


def _follow_up(report: Methodology) -> MethodologyAnswer:
    text = report.campaign.follow_up.strip()
    answer = text if text else _("Nothing recorded yet.")
    counts = ", ".join(f"{label.lower()} {num(count)}" for _s, label, count in report.actions)
    answer += " " + _("Improvement actions: %(total)s (%(counts)s).") % {
        "total": num(report.actions_total),
        "counts": counts,
    }
    return MethodologyAnswer(
        "follow_up", _("What was done with the results?"), answer, report.actions_total
    )


def _cost(report: Methodology) -> MethodologyAnswer:
    if report.cost_eur is None:
        return MethodologyAnswer("cost", _("What did it cost?"), _("Not recorded."), None)
    answer = _("€ %(cost)s excl. VAT") % {"cost": num(report.cost_eur, 2)}
    if report.cost_per_complete_eur is not None:
        answer += " " + _("(€ %(each)s per usable questionnaire)") % {
            "each": num(report.cost_per_complete_eur, 2)
        }
    return MethodologyAnswer("cost", _("What did it cost?"), answer + ".", float(report.cost_eur))


def _design(report: Methodology) -> MethodologyAnswer:
    return MethodologyAnswer(
        "design",
        _("Was the sample stratified, random or self-selected?"),
        design_text(report.campaign, report.totals.reported),
        report.campaign.seed if report.campaign.seed is not None and not report.is_bureau else None,
    )


def methodology_answers(report: Methodology) -> list[MethodologyAnswer]:
    """The questions in the page's order (their number is their place, from 1)."""
    return [
        _population(report),
        _design(report),
        _sample(report),
        _invited(report),
        _respondents(report),
        _response_rate(report),
        _modes(report),
        _weighting(report),
        _standardised(report),
        _margin(report),
        _overall(report),
        _representativeness(report),
        _trend(report),
        _follow_up(report),
        _cost(report),
    ]


def as_rows(answers: list[MethodologyAnswer]) -> list[tuple[str, str, Any]]:
    return [(a.question, a.answer, a.figure) for a in answers]
