"""The staffing page's filter and the roster upload form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kglijn.core.dates import BoundedDateField
from kglijn.steering.staffing.need import week_start_of
from kglijn.steering.staffing.roster import MAX_FILE_BYTES

MODEL_CHOICES = [
    ("erlang_c", _("Erlang C (nobody hangs up)")),
    ("erlang_a", _("Erlang A (callers hang up)")),
]


class StaffingForm(forms.Form):
    week = BoundedDateField(
        label=_("Week of"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        help_text=_("Any day of the week; the week starts on Monday."),
    )
    model = forms.ChoiceField(label=_("Model"), choices=MODEL_CHOICES, required=False)
    shrinkage = forms.DecimalField(
        label=_("Shrinkage (%)"),
        min_value=0,
        max_value=90,
        decimal_places=1,
        required=False,
        help_text=_("Paid time off the phones: breaks, training, meetings. Default 30 %."),
    )
    patience = forms.IntegerField(
        label=_("Patience (s)"),
        min_value=1,
        max_value=3600,
        required=False,
        help_text=_("Erlang A only: callers' mean patience. Empty = measured."),
    )
    aht = forms.IntegerField(
        label=_("AHT (s)"),
        min_value=1,
        max_value=7200,
        required=False,
        help_text=_("Empty = measured (last 8 weeks), else 300 s."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        week = data.get("week")
        data["week_start"] = week_start_of(week) if isinstance(week, dt.date) else None
        data["model"] = data.get("model") or "erlang_c"
        return data


class RosterForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (CSV or XLSX)"),
        help_text=_(
            "Counts per half hour (datum;tijd;medewerkers) or shifts per agent "
            "(medewerker;datum;begin;einde)."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload
