"""A location's risk factors in words (gettext; Dutch on the pages)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kglijn.opgroeipunt.models import FindingSeverity, InspectionType
from kglijn.opgroeipunt.risk.text import THEMES

MAX_FACTORS = 5


def _count(value: float) -> int:
    return round(value)


def factor_label(feature: str, value: float, terms: list[str] | None = None) -> str:
    """One factor as a sentence, e.g. "3 meldingen met signaalwoord 'verwaarlozing' (12 mnd)"."""
    n = _count(value)
    if feature.startswith("theme_"):
        theme = feature.removeprefix("theme_").removesuffix("_24")
        word = THEMES[theme][1] if theme in THEMES else theme
        return ngettext(
            "%(n)d case with signal word '%(word)s' (24 months)",
            "%(n)d cases with signal word '%(word)s' (24 months)",
            n,
        ) % {"n": n, "word": word}
    if feature.startswith("text_"):
        return _("Wording of the case texts like '%(terms)s' (24 months)") % {
            "terms": ", ".join(terms or [])
        }
    if feature.startswith("insp_"):
        kind = feature.removeprefix("insp_").removesuffix("_24")
        label = InspectionType(kind).label if kind in InspectionType.values else kind
        return ngettext(
            "%(n)d inspection visit '%(type)s' (24 months)",
            "%(n)d inspection visits '%(type)s' (24 months)",
            n,
        ) % {"n": n, "type": label}
    if feature.startswith("findings_"):
        severity = feature.removeprefix("findings_").removesuffix("_24")
        label = FindingSeverity(severity).label if severity in FindingSeverity.values else severity
        return ngettext(
            "%(n)d inspection finding '%(severity)s' (24 months)",
            "%(n)d inspection findings '%(severity)s' (24 months)",
            n,
        ) % {"n": n, "severity": label}
    counted = {
        "signals_12": ngettext("%(n)d signal (12 months)", "%(n)d signals (12 months)", n),
        "signals_24": ngettext("%(n)d signal (24 months)", "%(n)d signals (24 months)", n),
        "complaints_12": ngettext("%(n)d complaint (12 months)", "%(n)d complaints (12 months)", n),
        "complaints_24": ngettext("%(n)d complaint (24 months)", "%(n)d complaints (24 months)", n),
        "danger_12": ngettext(
            "%(n)d danger situation (12 months)", "%(n)d danger situations (12 months)", n
        ),
        "danger_24": ngettext(
            "%(n)d danger situation (24 months)", "%(n)d danger situations (24 months)", n
        ),
        "staff_shortage_12": ngettext(
            "%(n)d staff-shortage report (12 months)", "%(n)d staff-shortage reports (12 months)", n
        ),
        "staff_shortage_24": ngettext(
            "%(n)d staff-shortage report (24 months)", "%(n)d staff-shortage reports (24 months)", n
        ),
        "urgent_12": ngettext("%(n)d urgent case (12 months)", "%(n)d urgent cases (12 months)", n),
        "enf_suspensions": ngettext(
            "%(n)d suspension in the past", "%(n)d suspensions in the past", n
        ),
        "enf_steps_24": ngettext(
            "%(n)d enforcement step (24 months)", "%(n)d enforcement steps (24 months)", n
        ),
        "places": ngettext("%(n)d place", "%(n)d places", n),
        "org_other_locations": ngettext(
            "The organiser has %(n)d other location",
            "The organiser has %(n)d other locations",
            n,
        ),
        "org_other_troubled_24": ngettext(
            "%(n)d other location of the organiser with a danger situation or enforcement "
            "(24 months)",
            "%(n)d other locations of the organiser with a danger situation or enforcement "
            "(24 months)",
            n,
        ),
        "days_since_inspection": ngettext(
            "Last inspection %(n)d day ago", "Last inspection %(n)d days ago", n
        ),
    }
    if feature in counted:
        return counted[feature] % {"n": n}
    flags = {
        "enf_ever_warned": (_("Formally warned before"), _("Never formally warned")),
        "enf_open_track": (_("Enforcement track open"), _("No open enforcement track")),
        "never_inspected": (_("Never inspected"), _("Inspected before")),
        "group_care": (_("Group care"), _("Family care")),
        "subsidy_T1": (_("Subsidy level T1"), _("Not subsidy level T1")),
        "subsidy_T2": (_("Subsidy level T2"), _("Not subsidy level T2")),
        "no_income_tariff": (_("No income-related tariff"), _("Income-related tariff")),
    }
    if feature in flags:
        yes, no = flags[feature]
        return yes if value else no
    return feature


def feature_title(feature: str) -> str:
    """A feature's name in words, without a value (the model page's table of coefficients)."""
    if feature.startswith("theme_"):
        theme = feature.removeprefix("theme_").removesuffix("_24")
        word = THEMES[theme][1] if theme in THEMES else theme
        return _("Cases with signal word '%(word)s' (24 months)") % {"word": word}
    if feature.startswith("text_"):
        return _("Text component %(n)s of the case texts (TF-IDF)") % {
            "n": feature.removeprefix("text_")
        }
    if feature.startswith("insp_"):
        kind = feature.removeprefix("insp_").removesuffix("_24")
        label = InspectionType(kind).label if kind in InspectionType.values else kind
        return _("Inspection visits '%(type)s' (24 months)") % {"type": label}
    if feature.startswith("findings_"):
        severity = feature.removeprefix("findings_").removesuffix("_24")
        label = FindingSeverity(severity).label if severity in FindingSeverity.values else severity
        return _("Inspection findings '%(severity)s' (24 months)") % {"severity": label}
    titles = {
        "signals_12": _("Signals (12 months)"),
        "signals_24": _("Signals (24 months)"),
        "complaints_12": _("Complaints (12 months)"),
        "complaints_24": _("Complaints (24 months)"),
        "danger_12": _("Danger situations (12 months)"),
        "danger_24": _("Danger situations (24 months)"),
        "staff_shortage_12": _("Staff-shortage reports (12 months)"),
        "staff_shortage_24": _("Staff-shortage reports (24 months)"),
        "urgent_12": _("Urgent cases (12 months)"),
        "enf_ever_warned": _("Formally warned before"),
        "enf_open_track": _("Enforcement track open"),
        "enf_suspensions": _("Suspensions in the past"),
        "enf_steps_24": _("Enforcement steps (24 months)"),
        "days_since_inspection": _("Days since the last inspection"),
        "never_inspected": _("Never inspected"),
        "group_care": _("Group care"),
        "places": _("Places"),
        "subsidy_T1": _("Subsidy level T1"),
        "subsidy_T2": _("Subsidy level T2"),
        "no_income_tariff": _("No income-related tariff"),
        "org_other_locations": _("The organiser's other locations"),
        "org_other_troubled_24": _(
            "Other locations of the organiser with a danger situation or enforcement (24 months)"
        ),
    }
    return str(titles.get(feature, feature))


def factors_of(
    *,
    names: list[str],
    raw: list[float],
    weights: list[float],
    text_terms: list[list[str]],
    text_terms_negative: list[list[str]] | None = None,
    limit: int = MAX_FACTORS,
) -> list[dict[str, Any]]:
    """The largest positive contributions, largest first, as stored in RiskScore.factors."""
    ranked = sorted(
        (i for i, weight in enumerate(weights) if weight > 0.005), key=lambda i: -weights[i]
    )[:limit]
    factors = []
    for i in ranked:
        name = names[i]
        terms = None
        if name.startswith("text_"):
            component = int(name.removeprefix("text_")) - 1
            # A positive contribution from a negative value: the texts lack the component's
            # positive terms and lean to its negative side; name that side.
            side = text_terms if raw[i] >= 0 else (text_terms_negative or [])
            terms = side[component] if component < len(side) else []
        factors.append(
            {
                "feature": name,
                "value": round(float(raw[i]), 3),
                "weight": round(float(weights[i]), 3),
                "terms": terms,
                "label": factor_label(name, raw[i], terms),
            }
        )
    return factors


def factor_text(factor: dict[str, Any]) -> str:
    """The factor's sentence in the active language (the stored label is Dutch)."""
    return factor_label(
        str(factor.get("feature", "")), float(factor.get("value", 0)), factor.get("terms")
    )
