"""The report builder's vocabulary: its measures, dimensions and their values.

Which measures exist (contact counts from the rollups, call measures from the call legs,
satisfaction measures from the survey responses), which dimensions and filters each kind of
measure knows, and the values and labels of the categorical dimensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from kglijn.contacts.models import Channel, Direction, Office, Reason, ReferralOrganisation
from kglijn.core.provinces import PROVINCE_CHOICES_WITH_UNREGISTERED

MAX_YEARS = 20

# Satisfaction measures of the survey responses (surveys.py): they know only the period, the
# channel and the contact's office.
SURVEY_MEASURES: tuple[tuple[str, Promise], ...] = (
    ("survey_responses", gettext_lazy("Survey responses")),
    ("survey_waiting_time", gettext_lazy("Average score waiting time (1–5)")),
    ("survey_courtesy", gettext_lazy("Average score courtesy (1–5)")),
    ("survey_information", gettext_lazy("Average score information (1–5)")),
    ("survey_nps", gettext_lazy("NPS (−100 to +100)")),
)
SURVEY_MEASURE_KEYS = frozenset(key for key, _label in SURVEY_MEASURES)
# Measures shown with 2 decimals and drawn as grouped bars (they do not add up).
SURVEY_RATE_MEASURES = SURVEY_MEASURE_KEYS - {"survey_responses"}
SURVEY_DIMENSIONS = ("year", "quarter", "month", "channel", "office")
SURVEY_FILTERS = ("channel", "office")

MEASURES: tuple[tuple[str, Promise], ...] = (
    ("contacts", gettext_lazy("Contacts")),
    ("share", gettext_lazy("Share (%)")),
    ("offered_calls", gettext_lazy("Offered calls")),
    ("answered_calls", gettext_lazy("Answered calls")),
    ("abandoned_calls", gettext_lazy("Abandoned calls")),
    ("service_level", gettext_lazy("Service level (%)")),
    ("asa", gettext_lazy("Average speed of answer (s)")),
    *SURVEY_MEASURES,  # satisfaction: surveys.py
)
# Measures of the telephony's call legs (calls.py), not of the rollups: they know only the
# period and the office.
CALL_MEASURES = ("offered_calls", "answered_calls", "abandoned_calls", "service_level", "asa")
CALL_DIMENSIONS = ("year", "quarter", "month", "weekday", "hour", "office")
CALL_FILTERS = ("office",)
SHARES_OF: tuple[tuple[str, Promise], ...] = (
    ("total", gettext_lazy("of the grand total")),
    ("row", gettext_lazy("within each row")),
    ("column", gettext_lazy("within each column")),
)
TIME_DIMENSIONS = ("year", "quarter", "month", "weekday", "hour")
CATEGORICAL_DIMENSIONS = (
    "channel",
    "direction",
    "origin",
    "office",
    "province",
    "topic",
    "reason",
    "referral",
    "anonymous",
)
DIMENSION_LABELS: dict[str, Promise] = {
    "year": gettext_lazy("Year"),
    "quarter": gettext_lazy("Quarter"),
    "month": gettext_lazy("Month"),
    "weekday": gettext_lazy("Weekday"),
    "hour": gettext_lazy("Hour"),
    "channel": gettext_lazy("Channel"),
    "direction": gettext_lazy("Direction"),
    "origin": gettext_lazy("Origin"),
    "office": gettext_lazy("Office"),
    "province": gettext_lazy("Province"),
    "topic": gettext_lazy("Domain"),
    "reason": gettext_lazy("Reason"),
    "referral": gettext_lazy("Referral"),
    "anonymous": gettext_lazy("Anonymous"),
}
DIMENSIONS = tuple(DIMENSION_LABELS)

# Fixed value lists (key, label) of the single-valued categorical dimensions, in display order.
# Catalogue dimensions (reason, referral) come from the database.
FIXED_VALUES: dict[str, Sequence[tuple[str, Any]]] = {
    "channel": Channel.choices,
    "direction": Direction.choices,
    "origin": [
        ("", gettext_lazy("Not applicable")),
        ("mailbox", gettext_lazy("Mailbox")),
        ("webform", gettext_lazy("Web form")),
    ],
    "office": Office.choices,
    "province": PROVINCE_CHOICES_WITH_UNREGISTERED,
    "topic": [
        ("childcare", gettext_lazy("Childcare")),
        ("family_support", gettext_lazy("Preventive family support")),
        ("", gettext_lazy("No domain")),
    ],
    "anonymous": [("true", gettext_lazy("Anonymous")), ("false", gettext_lazy("Identified"))],
}


def label(dimension: str) -> str:
    """The dimension's name as shown (translated)."""
    return str(DIMENSION_LABELS[dimension])


def known_keys(dimension: str) -> list[str]:
    """Every key a categorical dimension can be filtered on (inactive catalogue codes too)."""
    if dimension == "reason":
        return list(Reason.objects.values_list("code", flat=True))
    if dimension == "referral":
        return list(ReferralOrganisation.objects.values_list("code", flat=True))
    return [str(key) for key, _label in FIXED_VALUES[dimension]]


def value_labels(dimension: str) -> list[tuple[str, str]]:
    """(key, label) of every value of a categorical dimension, inactive catalogue codes too."""
    if dimension in ("reason", "referral"):
        model = Reason if dimension == "reason" else ReferralOrganisation
        return [(code, name) for code, name in model.objects.values_list("code", "name")]
    return [(str(key), str(label)) for key, label in FIXED_VALUES[dimension]]


def filter_choices(dimension: str) -> list[tuple[str, str]]:
    """The values one can filter a categorical dimension on, in display order."""
    if dimension in ("reason", "referral"):
        model = Reason if dimension == "reason" else ReferralOrganisation
        return [
            (code, name)
            for code, name in model.objects.filter(active=True).values_list("code", "name")
        ]
    return value_labels(dimension)
