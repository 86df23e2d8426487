"""The satisfaction analysis of one month (issue 5 §6): its figures per channel, office and team,
the 13-month trend and the change against the month before with its significance, from the
grouped queries of queries.py; and what the figures mean (the page and the Excel file show the
same text)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kglijn.accounts.models import Team
from kglijn.contacts.models import Channel, Office
from kglijn.surveys.analysis.figures import SCALE_CRITERIA, Month, Sums, months_ending
from kglijn.surveys.analysis.queries import (
    NO_TEAM,
    AnalysisFilters,
    handler_teams,
    satisfaction_groups,
    satisfaction_trend,
    team_key,
)
from kglijn.surveys.analysis.stats import (
    MIN_N,
    Significance,
    Verdict,
    mean_change,
    nps_change,
    proportion_change,
)

CRITERION_LABELS: dict[str, Promise] = {
    "waiting_time": gettext_lazy("Waiting time"),
    "courtesy": gettext_lazy("Courtesy"),
    "information": gettext_lazy("Information provided"),
    "recommendation": gettext_lazy("Recommendation"),
}


@dataclass
class Breakdown:
    key: str
    label: str
    sums: Sums


@dataclass
class Change:
    """A figure this month against the month before, with the significance of the change."""

    key: str
    label: str
    previous: float | None
    current: float | None
    n_previous: int
    n_current: int
    significance: Significance

    @property
    def difference(self) -> float | None:
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous

    @property
    def digits(self) -> int:
        """Decimals to show: 2 for an average on 1–5, 1 for the NPS and the response rate."""
        return 2 if self.key in SCALE_CRITERIA else 1

    @property
    def hint(self) -> str:
        """The significance in words, e.g. "significant (p = 0.012)"; "–" without figures."""
        significance = self.significance
        verdict = significance.verdict
        if verdict == Verdict.NO_DATA:
            return "–"
        if verdict == Verdict.TOO_FEW:
            return _("not significant: too few answers (n < %(minimum)d)") % {"minimum": MIN_N}
        assert significance.p_value is not None
        if significance.p_value < 0.001:
            p_text = f"< {number_format(0.001, 3)}"
        else:
            p_text = f"= {number_format(significance.p_value, 3)}"
        if verdict == Verdict.SIGNIFICANT:
            return _("significant (p %(p)s)") % {"p": p_text}
        return _("not significant (p %(p)s)") % {"p": p_text}


@dataclass
class SatisfactionAnalysis:
    month: Month
    filters: AnalysisFilters
    months: list[Month]  # the trend's 13 months, the asked month last
    total: Sums  # the asked month
    previous: Sums  # the month before
    by_channel: list[Breakdown]
    by_office: list[Breakdown]
    by_team: list[Breakdown]
    trend: list[Sums]  # one per month of `months`
    changes: list[Change]


def team_labels() -> list[tuple[str, str, str, bool]]:
    """(key, name, office, active) of every team: active ones first, by office and name."""
    teams = Team.objects.order_by("-active", "office", "name")
    return [
        (str(pk), name, office, active)
        for pk, name, office, active in teams.values_list("id", "name", "office", "active")
    ]


def _changes(current: Sums, previous: Sums) -> list[Change]:
    changes = [
        Change(
            key="nps",
            label=_("NPS"),
            previous=previous.nps,
            current=current.nps,
            n_previous=previous.nps_n,
            n_current=current.nps_n,
            significance=nps_change(
                promoters_1=previous.promoters,
                detractors_1=previous.detractors,
                n_1=previous.nps_n,
                promoters_2=current.promoters,
                detractors_2=current.detractors,
                n_2=current.nps_n,
            ),
        )
    ]
    for criterion in SCALE_CRITERIA:
        before, now = previous.moments(criterion), current.moments(criterion)
        changes.append(
            Change(
                key=criterion,
                label=_("Average %(criterion)s")
                % {"criterion": str(CRITERION_LABELS[criterion]).lower()},
                previous=before.mean,
                current=now.mean,
                n_previous=before.n,
                n_current=now.n,
                significance=mean_change(before, now),
            )
        )
    changes.append(
        Change(
            key="response_rate",
            label=_("Response rate"),
            previous=previous.response_rate,
            current=current.response_rate,
            n_previous=previous.asked,
            n_current=current.asked,
            significance=proportion_change(
                hits_1=previous.answered,
                n_1=previous.asked,
                hits_2=current.answered,
                n_2=current.asked,
            ),
        )
    )
    return changes


def satisfaction_analysis(*, month: Month, filters: AnalysisFilters) -> SatisfactionAnalysis:
    """The month's figures per channel, office and team, the 13-month trend and the change
    against the month before — from six grouped queries (see the module docstring)."""
    teams = handler_teams()
    months = months_ending(month)
    trend = satisfaction_trend(months=months, filters=filters, teams=teams)
    selected = [
        (key, sums)
        for key, sums in satisfaction_groups(month=month, teams=teams).items()
        if filters.matches(*key)
    ]

    def breakdown(position: int, domain: Sequence[tuple[str, str]]) -> list[Breakdown]:
        per_key: dict[str, Sums] = {}
        for key, sums in selected:
            name = team_key(key[2]) if position == 2 else str(key[position])
            per_key.setdefault(name, Sums()).add(sums)
        rows = [Breakdown(k, label, per_key.pop(k, Sums())) for k, label in domain]
        rows += [Breakdown(k, k, sums) for k, sums in sorted(per_key.items())]
        return rows

    channels = [(str(k), str(label)) for k, label in Channel.choices]
    offices = [(str(k), str(label)) for k, label in Office.choices]
    if filters.channel:
        channels = [pair for pair in channels if pair[0] == filters.channel]
    if filters.office:
        offices = [pair for pair in offices if pair[0] == filters.office]
    # Active teams of the asked office always get a row (an empty row says something);
    # inactive teams and "without team" only when they have figures.
    always = set()
    team_rows = []
    for key, name, office, active in team_labels():
        team_rows.append((key, name))
        if active and (not filters.office or office == filters.office):
            always.add(key)
    team_rows.append((NO_TEAM, _("Without team")))
    if filters.team:
        team_rows = [pair for pair in team_rows if pair[0] == filters.team]
        always = {filters.team}
    by_team = [
        row
        for row in breakdown(2, team_rows)
        if row.sums.responses or row.sums.asked or row.key in always
    ]
    return SatisfactionAnalysis(
        month=month,
        filters=filters,
        months=months,
        total=trend[-1],
        previous=trend[-2],
        by_channel=breakdown(0, channels),
        by_office=breakdown(1, offices),
        by_team=by_team,
        trend=trend,
        changes=_changes(trend[-1], trend[-2]),
    )


# --- what the figures mean (the page and the Excel file show the same text) ---------------------

DEFINITIONS: tuple[Promise, ...] = (
    gettext_lazy(
        "Month: a response belongs to the month (Brussels time) in which it was answered."
    ),
    gettext_lazy(
        "Response rate: phone and chat — of the incoming contacts received in the month on that "
        "channel, the share that has a survey response; e-mail — of the survey invitations sent "
        "in the month, the share that was answered (only the senders who may be asked get an "
        "invitation, so the invitations are the denominator). The rate of a recent month can "
        "still rise: an invitation stays valid for 14 days."
    ),
    gettext_lazy(
        "Average per criterion (1–5): over the answered values only; a partial response (e.g. a "
        "caller who hung up after two questions) counts for the criteria it answered. "
        "Satisfied = the share of scores 4 and 5."
    ),
    gettext_lazy(
        "NPS = % promoters (9–10) − % detractors (0–6) of the answers to the recommendation "
        "question, from −100 to +100; passives (7–8) count only in the total. Without answers "
        "there is no NPS (–)."
    ),
    gettext_lazy(
        "Change against the previous month, tested two-sided at a significance level of 0.05: "
        "the NPS with a z-test on the difference (each answer scores +1, 0 or −1), averages "
        "with Welch's t-test, the response rate with a two-proportion z-test. With fewer than "
        "30 answers in either month there is no test and the change counts as not significant; "
        "figures on fewer than 30 answers are indicative."
    ),
    gettext_lazy(
        "Office: the contact's office. Team: the first active team (lowest number) with the "
        "contact's handler as a member, by today's membership; contacts without a handler or "
        "whose handler is in no team count under “Without team”."
    ),
    gettext_lazy(
        "Totals and the trend are computed from the counts, never as averages of averages."
    ),
)


def analysis_summary(analysis: SatisfactionAnalysis) -> list[tuple[str, str]]:
    """(label, text) lines that say what an analysis covers: month and filters, readable."""
    filters = analysis.filters
    everything = _("all")
    teams = {key: name for key, name, _office, _active in team_labels()}
    teams[NO_TEAM] = _("Without team")
    return [
        (_("Month"), analysis.month.label),
        (_("Channel"), str(Channel(filters.channel).label) if filters.channel else everything),
        (_("Office"), str(Office(filters.office).label) if filters.office else everything),
        (_("Team"), teams.get(filters.team, filters.team) if filters.team else everything),
    ]
