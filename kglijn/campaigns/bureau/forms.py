"""The upload forms of the bureau page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

_ACCEPT = {"accept": ".csv,.xlsx,text/csv"}


class MarginsForm(forms.Form):
    margins = forms.FileField(
        label=gettext_lazy("Population margins (CSV or XLSX)"),
        help_text=gettext_lazy("Columns variabele;categorie;populatie."),
        widget=forms.ClearableFileInput(attrs=_ACCEPT),
    )
    plan = forms.FileField(
        label=gettext_lazy("Stratum plan (CSV or XLSX, optional)"),
        help_text=gettext_lazy("Columns stratum;populatie;steekproef."),
        required=False,
        widget=forms.ClearableFileInput(attrs=_ACCEPT),
    )


class RespondentsForm(forms.Form):
    respondents = forms.FileField(
        label=gettext_lazy("Respondents (CSV or XLSX)"),
        help_text=gettext_lazy("One row per respondent, with the columns of the template."),
        widget=forms.ClearableFileInput(attrs=_ACCEPT),
    )
