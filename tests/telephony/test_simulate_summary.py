"""The simulator's summary is for an operator: Dutch words, nl-BE numbers (docs/voice.md)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_dry_run_summary_is_dutch_with_belgian_numbers() -> None:
    out = io.StringIO()

    call_command(
        "simulate", "calls", "--day", "2023-03-06", "--scale", "2", "--dry-run",
        verbosity=0, stdout=out,
    )  # fmt: skip

    text = out.getvalue()
    assert re.search(r"^2023-03-06, seed 1: \d\.\d{3} oproepen, \d+\.\d{3} gebeurtenissen", text)
    header = text.splitlines()[2].split()
    assert header[:3] == ["afdeling", "aangeboden", "beantwoord"]
    front = next(line for line in text.splitlines() if line.startswith("Frontoffice"))
    assert re.search(r" \d+,\d \s*\d+,\d ", front)  # SL % and ASA s with a decimal comma
    assert not re.search(r"\d\.\d(?!\d)|\d,\d{3}", front)
    assert "offered" not in text
    assert "front " not in text
