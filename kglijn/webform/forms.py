"""The public contact form: Dutch field messages, accessible markup done in the template."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from kglijn.core.provinces import InvalidPostcode, province_for_postcode
from kglijn.webform.question_types import QUESTION_TYPES
from kglijn.webform.services import MAX_MESSAGE, MIN_MESSAGE
from kglijn.webform.spam import HONEYPOT_FIELD


class ContactForm(forms.Form):
    question_type = forms.ChoiceField(
        label=_("What is your question about?"),
        choices=[(q.key, q.label) for q in QUESTION_TYPES],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what your question is about."),
            "invalid_choice": _("Choose what your question is about."),
        },
    )
    message = forms.CharField(
        label=_("Your question"),
        min_length=MIN_MESSAGE,
        max_length=MAX_MESSAGE,
        strip=True,
        help_text=_(
            "At most %(max)d characters. Do not write medical details you would not want "
            "to send by e-mail."
        )
        % {"max": MAX_MESSAGE},
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Write your question."),
            "min_length": _("Write your question in at least %(limit_value)d characters."),
            "max_length": _(
                "Your message is too long: at most %(limit_value)d characters (now %(show_value)d)."
            ),
        },
    )
    name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": _("At most %(limit_value)d characters.")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        max_length=254,
        help_text=_(
            "Without an e-mail address we cannot answer you in writing: call us then on "
            "078 150 100 and mention your reference."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "invalid": _("Enter a valid e-mail address, for example naam@voorbeeld.be."),
            "max_length": _("At most %(limit_value)d characters."),
        },
    )
    postcode = forms.CharField(
        label=_("Your postcode"),
        required=False,
        max_length=6,
        help_text=_("Only to know your province; we do not store the postcode itself."),
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "size": 6}
        ),
        error_messages={"max_length": _("A Belgian postcode has 4 digits.")},
    )
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy statement and agree that Kind en Gezin uses my message "
            "and details to answer my question."
        ),
        error_messages={"required": _("Tick that you agree, or we cannot accept your message.")},
    )
    # Spam protection (kglijn.webform.spam): hidden from people.
    kg_extra = forms.CharField(required=False, label=_("Leave this field empty"))
    form_started = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_postcode(self) -> str:
        postcode: str = self.cleaned_data.get("postcode", "").strip()
        if postcode:
            try:
                province_for_postcode(postcode)
            except InvalidPostcode as exc:
                raise forms.ValidationError(str(exc)) from exc
        return postcode

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def visible_fields_in_order(self) -> list[str]:
        return ["question_type", "message", "name", "email", "postcode", "consent"]

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary, in the order of the fields."""
        links: list[tuple[str, str]] = []
        first = f"{self['question_type'].auto_id}_0"
        links.extend((first, str(error)) for error in self.errors.get(NON_FIELD_ERRORS, []))
        for name in self.visible_fields_in_order():
            anchor = f"{self[name].auto_id}_0" if name == "question_type" else self[name].auto_id
            links.extend((str(anchor), str(error)) for error in self.errors.get(name, []))
        return links
