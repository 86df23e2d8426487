"""The run log's forms: start a configured source, or upload a file of a source."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kglijn.opgroeipunt.models import SyncSource
from kglijn.opgroeipunt.sync.records import MAX_FILE_BYTES
from kglijn.opgroeipunt.sync.services import FILE_SUFFIXES


class SyncStartForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=SyncSource.choices)


class SyncUploadForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=SyncSource.choices)
    file = forms.FileField(
        label=pgettext_lazy("sync", "File"),
        help_text=_(
            "A .csv or .jsonl file in the format of docs/opgroeipunt-sync.md, at most 20 MB."
        ),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Skip bad rows: apply the good records and list the bad ones"),
        required=False,
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in FILE_SUFFIXES:
            raise forms.ValidationError(_("Choose a .csv or a .jsonl file."))
        if (upload.size or 0) > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
