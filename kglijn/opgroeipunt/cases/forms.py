"""Forms of the intake pages: field checks in Dutch; the service checks the rest (CaseInvalid)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kglijn.opgroeipunt.cases.services import (
    MAX_DESCRIPTION,
    MAX_SUBJECT,
    MAX_TEXT,
    CaseInvalid,
    location_match,
)
from kglijn.opgroeipunt.models import (
    CaseKind,
    CaseSource,
    CaseStatus,
    Location,
    RegionalTeam,
    StaffShortageMeasure,
)
from kglijn.opgroeipunt.terms import TERM_STATUS_LABELS

HONEYPOT_FIELD = "kg_extra"
_NO_NUL = _("The text contains a NUL character.")

# The kinds in words a citizen or an organiser recognises.
PUBLIC_KIND_CHOICES = [
    (CaseKind.SIGNAL, _("A signal: something about a childcare location worries me")),
    (CaseKind.REPORT, _("A report (melding) about a childcare location")),
    (CaseKind.COMPLAINT, _("A complaint about how Opgroeien or a childcare location treated me")),
    (CaseKind.FEEDBACK, _("Feedback or a suggestion")),
    (CaseKind.DANGER, _("A danger situation: a child is not safe in childcare")),
    (
        CaseKind.STAFF_SHORTAGE,
        _("Staff shortage (for organisers): we take measures because of too few staff"),
    ),
]


def _no_nul(value: Any) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise forms.ValidationError(_NO_NUL)


class NulFreeCharField(forms.CharField):
    def to_python(self, value: Any) -> str:
        _no_nul(value)
        return str(super().to_python(value))


def apply_case_invalid(form: forms.Form, error: CaseInvalid, *, aliases: dict[str, str]) -> None:
    """Put the service's field errors on the form (on top for a field it does not have)."""
    for field, message in error.errors.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, message)


def locations_from_text(text: str) -> list[Location]:
    """Locations named in a text: comma-separated external ids or one search text that matches
    exactly one location. Raises ValidationError with the candidates otherwise."""
    text = text.strip()
    if not text:
        return []
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if len(parts) > 1:
        found = list(Location.objects.filter(external_id__in=parts))
        missing = sorted(set(parts) - {location.external_id for location in found})
        if missing:
            raise forms.ValidationError(
                _("Unknown location id(s): %(ids)s.") % {"ids": ", ".join(missing)[:300]}
            )
        return found
    matches = location_match(text, limit=6)
    if not matches:
        raise forms.ValidationError(
            _("No location found for “%(query)s”: search by name, postcode or id.")
            % {"query": text[:60]}
        )
    if len(matches) > 1:
        listed = "; ".join(
            f"{location.name}, {location.postcode} ({location.external_id})"
            for location in matches[:5]
        )
        raise forms.ValidationError(
            _("Several locations match: %(list)s. Enter the id of the right one.")
            % {"list": listed}
        )
    return matches


class ForwardForm(forms.Form):
    """Forwarding a K&G-Lijn contact into Opgroeipunt (the contact page's panel)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "—"), *CaseKind.choices],
        error_messages={
            "required": _("Choose the kind of case."),
            "invalid_choice": _("Choose the kind of case."),
        },
    )
    location = NulFreeCharField(
        label=_("Childcare location"),
        required=False,
        max_length=200,
        help_text=_("Name, postcode or id of the location (several ids: separate with commas)."),
    )
    description = NulFreeCharField(
        label=_("What it is about"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Write only what Opgroeipunt needs; no health details."),
        error_messages={"required": _("Write what it is about.")},
    )
    with_reporter = forms.BooleanField(
        label=_("Pass on the caller's contact details (a complaint needs a known complainant)"),
        required=False,
    )

    def clean_location(self) -> list[Location]:
        return locations_from_text(self.cleaned_data.get("location", ""))


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


_DATE_ERRORS = {"invalid": _("Enter a valid date, for example 31/12/2024.")}
_MOMENT_ERRORS = {"invalid": _("Enter a valid date and time.")}


class _MeasureFields(forms.Form):
    measures = forms.MultipleChoiceField(
        label=_("Measures (staff shortage)"),
        choices=StaffShortageMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the list.")},
    )
    measures_from = forms.DateField(
        label=_("Measures from"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages=_DATE_ERRORS,
    )
    measures_until = forms.DateField(
        label=_("Measures until"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages=_DATE_ERRORS,
    )


class StaffCaseForm(_MeasureFields):
    """A case registered by staff (a call of Zorginspectie, a letter, a visit)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[
            (CaseSource.STAFF, CaseSource.STAFF.label),
            (CaseSource.INSPECTION, CaseSource.INSPECTION.label),
        ],
        initial=CaseSource.STAFF,
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text=_("Empty: now."),
        error_messages=_MOMENT_ERRORS,
    )
    urgent = forms.BooleanField(
        label=_("Crisis report: urgent (a danger situation always is)"), required=False
    )
    locations = NulFreeCharField(
        label=_("Childcare locations"),
        required=False,
        max_length=1_000,
        help_text=_("Name, postcode or id of the location (several ids: separate with commas)."),
    )
    subject = NulFreeCharField(label=_("Subject"), required=False, max_length=MAX_SUBJECT)
    description = NulFreeCharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    reporter_name = NulFreeCharField(label=_("Reporter's name"), required=False, max_length=200)
    reporter_email = NulFreeCharField(
        label=_("Reporter's e-mail address"), required=False, max_length=254
    )
    reporter_phone = NulFreeCharField(
        label=_("Reporter's phone number"), required=False, max_length=32
    )
    reporter_relation = NulFreeCharField(
        label=_("Relation to the location"),
        required=False,
        max_length=100,
        help_text=_("For example parent, staff member, neighbour."),
    )

    def clean_locations(self) -> list[Location]:
        return locations_from_text(self.cleaned_data.get("locations", ""))


class PublicCaseForm(_MeasureFields):
    """The public intake form (/melden/)."""

    kind = forms.ChoiceField(
        label=_("What do you want to report?"),
        choices=PUBLIC_KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what you want to report."),
            "invalid_choice": _("Choose what you want to report."),
        },
    )
    location_name = NulFreeCharField(
        label=_("Name of the childcare location"),
        required=False,
        max_length=200,
        help_text=_("As you know it, for example “Kinderdagverblijf Het Nestje”."),
    )
    location_postcode = NulFreeCharField(
        label=_("Postcode of the childcare location"),
        required=False,
        max_length=4,
        error_messages={"max_length": _("A Belgian postcode has 4 digits.")},
    )
    description = NulFreeCharField(
        label=_("What happened?"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("At most %(max)d characters.") % {"max": MAX_DESCRIPTION},
        error_messages={
            "required": _("Describe what happened."),
            "max_length": _(
                "Your message is too long: at most %(limit_value)d characters (now %(show_value)d)."
            ),
        },
    )
    name = NulFreeCharField(label=_("Your name"), required=False, max_length=200)
    email = NulFreeCharField(label=_("Your e-mail address"), required=False, max_length=254)
    phone = NulFreeCharField(label=_("Your phone number"), required=False, max_length=32)
    consent = forms.BooleanField(
        label=_(
            "I agree that Opgroeien uses my report and my details to handle it. Opgroeien "
            "does not pass on my details to the childcare location without asking me."
        ),
        error_messages={"required": _("Tick that you agree, or we cannot accept your report.")},
    )
    kg_extra = forms.CharField(required=False, label=_("Leave this field empty"))

    def clean_location_postcode(self) -> str:
        postcode: str = self.cleaned_data.get("location_postcode", "").strip()
        if postcode and not (len(postcode) == 4 and postcode.isascii() and postcode.isdigit()):
            raise forms.ValidationError(_("A Belgian postcode has 4 digits."))
        return postcode

    @property
    def honeypot_filled(self) -> bool:
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())

    FIELD_ORDER = (
        "kind",
        "location_name",
        "location_postcode",
        "description",
        "measures",
        "measures_from",
        "measures_until",
        "name",
        "email",
        "phone",
        "consent",
    )

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary, in the order of the fields."""
        links: list[tuple[str, str]] = []
        first = f"{self['kind'].auto_id}_0"
        links.extend((first, str(error)) for error in self.errors.get(NON_FIELD_ERRORS, []))
        for name in self.FIELD_ORDER:
            anchor = self[name].auto_id
            if name in ("kind", "measures"):
                anchor = f"{anchor}_0"
            links.extend((str(anchor), str(error)) for error in self.errors.get(name, []))
        return links


class StepForm(forms.Form):
    """The handler's steps on a case taken up."""

    acknowledged_at = forms.DateTimeField(
        label=_("Acknowledgment sent at"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        error_messages=_MOMENT_ERRORS,
    )
    answered_at = forms.DateTimeField(
        label=_("Answer sent at"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        error_messages=_MOMENT_ERRORS,
    )
    conciliation = NulFreeCharField(
        label=_("Conciliatory handling"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    handler_not_involved = forms.BooleanField(
        label=_("I was not involved in the facts of this complaint"), required=False
    )
    ombudsman_informed = forms.BooleanField(
        label=_("The complainant was told of the Vlaamse Ombudsdienst"), required=False
    )
    note = NulFreeCharField(
        label=_("Note for the history"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    close = forms.BooleanField(label=_("Close the case"), required=False)


def _choices_with_all(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class CaseFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_choices_with_all(list(CaseKind.choices))
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_choices_with_all(list(CaseStatus.choices))
    )
    team = forms.ModelChoiceField(
        label=_("Regional team"),
        required=False,
        queryset=RegionalTeam.objects.all(),
        empty_label=_("All"),
    )
    term = forms.ChoiceField(
        label=_("Terms"),
        required=False,
        choices=_choices_with_all(list(TERM_STATUS_LABELS.items())),
    )


def current_year() -> int:
    return timezone.localdate().year


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        error_messages={"invalid": _("Enter a year, for example 2024.")},
    )

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if not 2000 <= year <= current_year():
            raise forms.ValidationError(
                _("Choose a year between 2000 and %(last)d.") % {"last": current_year()}
            )
        return year


def default_report_year(today: dt.date | None = None) -> int:
    """The year whose report is due next: last year until the report is due (10 February),
    and still last year after that (the current year is incomplete)."""
    return (today or timezone.localdate()).year - 1
