"""The re-screening list's filters and the proposal's motivation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kglijn.core.provinces import Province
from kglijn.opgroeipunt.models import RegionalTeam, RiskBand


class RiskListFilterForm(forms.Form):
    regional_team = forms.ModelChoiceField(
        label=_("Regional team"),
        queryset=RegionalTeam.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    province = forms.ChoiceField(
        label=_("Province"), required=False, choices=[("", _("All")), *Province.choices]
    )
    band = forms.ChoiceField(
        label=_("Risk band"), required=False, choices=[("", _("All")), *RiskBand.choices]
    )


class RescreeningForm(forms.Form):
    motivation = forms.CharField(
        label=_("Motivation"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 4})
    )
