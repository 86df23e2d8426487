"""The campaign's set-up form and the frame upload form (docs/campaigns-sampling.md)."""

from __future__ import annotations

import secrets
from collections import Counter
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kglijn.campaigns.models import (
    Audience,
    Campaign,
    Design,
    FrameUnit,
    PopulationKind,
    QuestionnaireVersion,
)
from kglijn.campaigns.sampling.allocation import AllocationError
from kglijn.campaigns.sampling.frames import (
    FIXED_COLUMNS,
    REGISTER_VARIABLES,
    VARIABLE,
    FrameRejected,
    register_rows,
)
from kglijn.campaigns.strata import stratum_key
from kglijn.contacts.models import Customer
from kglijn.core.provinces import PROVINCE_CHOICES_WITH_UNREGISTERED

SEED_MAX = 2**31 - 1
MAX_VARIABLES = 4
STRATIFIED = (Design.STRATIFIED_PROPORTIONAL, Design.STRATIFIED_MINIMUM)


def seed_fresh() -> int:
    """A fresh random 31-bit seed (shown and kept: the draw can be repeated with it)."""
    return secrets.randbelow(SEED_MAX + 1)


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    audience = forms.ChoiceField(label=gettext_lazy("Audience"), choices=Audience.choices)
    version = forms.ModelChoiceField(
        label=gettext_lazy("Questionnaire version"),
        queryset=QuestionnaireVersion.objects.select_related("questionnaire").order_by(
            "questionnaire__name", "-number"
        ),
    )
    previous = forms.ModelChoiceField(
        label=gettext_lazy("Previous measurement"),
        queryset=Campaign.objects.order_by("-created_at"),
        required=False,
        help_text=gettext_lazy("The campaign this one is compared with (trend)."),
    )
    population_kind = forms.ChoiceField(
        label=gettext_lazy("Population"),
        choices=[
            (PopulationKind.REGISTER, PopulationKind.REGISTER.label),
            (PopulationKind.UPLOAD, PopulationKind.UPLOAD.label),
            (PopulationKind.MISSED_CONSULTATIONS, PopulationKind.MISSED_CONSULTATIONS.label),
            (PopulationKind.BUREAU, PopulationKind.BUREAU.label),
        ],
        help_text=gettext_lazy(
            "Children who missed two consultations become available with the appointments "
            "(issue 21)."
        ),
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Register: kinds of customer"),
        choices=Customer.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every kind."),
    )
    contact_from = forms.DateField(
        label=gettext_lazy("Register: contact from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    contact_to = forms.DateField(
        label=gettext_lazy("Register: contact until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    provinces = forms.MultipleChoiceField(
        label=gettext_lazy("Register: provinces"),
        choices=PROVINCE_CHOICES_WITH_UNREGISTERED,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every province."),
    )
    strata_variables = forms.CharField(
        label=gettext_lazy("Strata variables"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Separated by commas, in order. Register: province, kind, channel. Uploaded "
            "frame: the names of its columns (lower case letters, digits, _)."
        ),
    )
    design = forms.ChoiceField(label=gettext_lazy("Design"), choices=Design.choices)
    sample_size = forms.IntegerField(
        label=gettext_lazy("Sample size"), min_value=1, max_value=1_000_000, required=False
    )
    min_per_stratum = forms.IntegerField(
        label=gettext_lazy("Minimum per stratum"),
        min_value=1,
        max_value=1_000_000,
        required=False,
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Seed"),
        min_value=0,
        max_value=SEED_MAX,
        help_text=gettext_lazy(
            "The same seed and the same population draw the same sample. Kept with the draw."
        ),
    )
    reminder_after_days = forms.IntegerField(
        label=gettext_lazy("Reminder after (days)"), min_value=1, max_value=60
    )
    max_reminders = forms.IntegerField(
        label=gettext_lazy("Reminders at most"), min_value=0, max_value=5
    )
    min_response_rate_pct = forms.DecimalField(
        label=gettext_lazy("Minimum response rate per stratum (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        localize=True,
    )
    fieldwork_start = forms.DateField(
        label=gettext_lazy("Fieldwork from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    fieldwork_end = forms.DateField(
        label=gettext_lazy("Fieldwork until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    cost_eur = forms.DecimalField(
        label=gettext_lazy("Cost (EUR excl. VAT)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        required=False,
        localize=True,
    )

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if campaign is not None:
            self.fields["previous"].queryset = Campaign.objects.exclude(pk=campaign.pk).order_by(  # type: ignore[attr-defined]
                "-created_at"
            )

    @staticmethod
    def initial_for(campaign: Campaign | None) -> dict[str, Any]:
        if campaign is None:
            return {
                "seed": seed_fresh(),
                "reminder_after_days": 7,
                "max_reminders": 2,
                "min_response_rate_pct": Decimal("30"),
                "population_kind": PopulationKind.REGISTER,
                "design": Design.STRATIFIED_PROPORTIONAL,
            }
        criteria = campaign.population_criteria or {}
        return {
            "name": campaign.name,
            "audience": campaign.audience,
            "version": campaign.version_id,
            "previous": campaign.previous_id,
            "population_kind": campaign.population_kind,
            "kinds": criteria.get("kinds", []),
            "contact_from": criteria.get("contact_from"),
            "contact_to": criteria.get("contact_to"),
            "provinces": criteria.get("provinces", []),
            "strata_variables": ", ".join(campaign.strata_variables),
            "design": campaign.design,
            "sample_size": campaign.sample_size,
            "min_per_stratum": campaign.min_per_stratum,
            "seed": campaign.seed if campaign.seed is not None else seed_fresh(),
            "reminder_after_days": campaign.reminder_after_days,
            "max_reminders": campaign.max_reminders,
            "min_response_rate_pct": campaign.min_response_rate_pct,
            "fieldwork_start": campaign.fieldwork_start,
            "fieldwork_end": campaign.fieldwork_end,
            "cost_eur": campaign.cost_eur,
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if "\x00" in name or not name:
            raise forms.ValidationError(_("Give a name."))
        return name

    def clean_population_kind(self) -> str:
        kind = str(self.cleaned_data["population_kind"])
        if kind == PopulationKind.MISSED_CONSULTATIONS:
            raise forms.ValidationError(
                _(
                    "The list of children who missed two consultations is not available yet: "
                    "it comes with the appointments (issue 21). Choose the register or an "
                    "uploaded frame."
                )
            )
        return kind

    def clean_strata_variables(self) -> list[str]:
        text = self.cleaned_data.get("strata_variables", "")
        names = [part.strip().lower() for part in text.split(",") if part.strip()]
        bad = [name for name in names if not VARIABLE.match(name)]
        if bad:
            raise forms.ValidationError(
                _("Not a valid variable name: %(names)s (lower case letters, digits, _).")
                % {"names": ", ".join(bad)}
            )
        doubled = sorted(name for name, count in Counter(names).items() if count > 1)
        if doubled:
            raise forms.ValidationError(
                _("Named twice: %(names)s.") % {"names": ", ".join(doubled)}
            )
        reserved = [name for name in names if name in FIXED_COLUMNS]
        if reserved:
            raise forms.ValidationError(
                _("%(names)s is a column of the frame itself, not a strata variable.")
                % {"names": ", ".join(reserved)}
            )
        if len(names) > MAX_VARIABLES:
            raise forms.ValidationError(_("At most %(n)d strata variables.") % {"n": MAX_VARIABLES})
        return names

    def criteria(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data.get("population_kind") != PopulationKind.REGISTER:
            return {}
        return {
            "kinds": list(data.get("kinds") or []),
            "contact_from": data["contact_from"].isoformat() if data.get("contact_from") else "",
            "contact_to": data["contact_to"].isoformat() if data.get("contact_to") else "",
            "provinces": list(data.get("provinces") or []),
        }

    def _population(self, kind: str, variables: list[str]) -> Counter[str] | None:
        """The population per stratum as far as it is known now (None: not yet)."""
        if kind == PopulationKind.REGISTER:
            try:
                rows = register_rows(self.criteria(), variables)
            except FrameRejected:
                return None
            return Counter(stratum_key(row.strata, variables) for row in rows)
        if kind == PopulationKind.UPLOAD and self.campaign is not None:
            if self.campaign.strata_variables != variables:
                return None  # the stored frame has other columns: it must be uploaded again
            counts = Counter(
                FrameUnit.objects.filter(campaign=self.campaign).values_list("stratum", flat=True)
            )
            return counts or None
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("population_kind")
        design = data.get("design")
        variables = data.get("strata_variables")
        if kind == PopulationKind.REGISTER:
            if not data.get("contact_from"):
                self.add_error("contact_from", _("Give the first day of the contact period."))
            if not data.get("contact_to"):
                self.add_error("contact_to", _("Give the last day of the contact period."))
            if (
                data.get("contact_from")
                and data.get("contact_to")
                and data["contact_to"] < data["contact_from"]
            ):
                self.add_error("contact_to", _("The end lies before the start."))
            if variables:
                unknown = [name for name in variables if name not in REGISTER_VARIABLES]
                if unknown:
                    self.add_error(
                        "strata_variables",
                        _("The register offers only %(names)s as strata variables.")
                        % {"names": ", ".join(REGISTER_VARIABLES)},
                    )
                    variables = None
        if design in STRATIFIED and variables is not None and not variables:
            self.add_error(
                "strata_variables",
                _("A stratified design needs at least one strata variable."),
            )
        n = data.get("sample_size")
        if (
            design in (Design.SIMPLE_RANDOM, *STRATIFIED)
            and not n
            and "sample_size" not in self.errors
        ):
            self.add_error("sample_size", _("Give the sample size for this design."))
        minimum_missing = not data.get("min_per_stratum") and "min_per_stratum" not in self.errors
        if design == Design.STRATIFIED_MINIMUM and minimum_missing:
            self.add_error("min_per_stratum", _("Give the minimum per stratum."))
        if design == Design.CENSUS:
            data["sample_size"] = None
        if design != Design.STRATIFIED_MINIMUM:
            data["min_per_stratum"] = None
        start, end = data.get("fieldwork_start"), data.get("fieldwork_end")
        if start and end and end < start:
            self.add_error("fieldwork_end", _("The end of the fieldwork lies before its start."))
        if self.errors or kind is None or variables is None:
            return data
        population = self._population(str(kind), variables)
        if population is None or design == Design.CENSUS or not n:
            return data
        total = sum(population.values())
        if n > total:
            self.add_error(
                "sample_size",
                _("The sample size (%(n)d) is larger than the population (%(total)d).")
                % {"n": n, "total": total},
            )
        elif design == Design.STRATIFIED_MINIMUM and data.get("min_per_stratum"):
            minimum = data["min_per_stratum"]
            needed = sum(min(size, minimum) for size in population.values())
            if needed > n:
                self.add_error(
                    "min_per_stratum",
                    _(
                        "The minimum per stratum (%(minimum)d) over %(strata)d strata asks "
                        "for %(needed)d units, more than the sample size (%(n)d)."
                    )
                    % {"minimum": minimum, "strata": len(population), "needed": needed, "n": n},
                )
        return data

    def apply(self, campaign: Campaign) -> Campaign:
        """Copy the cleaned values onto `campaign` (not saved)."""
        data = self.cleaned_data
        for name in (
            "name",
            "audience",
            "version",
            "previous",
            "population_kind",
            "strata_variables",
            "design",
            "sample_size",
            "min_per_stratum",
            "seed",
            "reminder_after_days",
            "max_reminders",
            "min_response_rate_pct",
            "fieldwork_start",
            "fieldwork_end",
            "cost_eur",
        ):
            setattr(campaign, name, data[name])
        campaign.population_criteria = self.criteria()
        return campaign


class FrameUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Frame file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )


__all__ = ["AllocationError", "CampaignForm", "FrameUploadForm", "seed_fresh"]
