"""`kglijn import contacts FILE`: summary, bad rows on stderr, exit status, rejects file."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kglijn.contacts.models import Contact
from tests.contacts.test_import import GOOD, table_counts, write_csv


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted by their English msgid, whatever the Dutch catalogue says.
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", "contacts", *args, stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def test_import_prints_the_summary(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", GOOD)

    out, err = run(str(path))

    assert err == ""
    assert out.startswith("in.csv: read 3, imported 3, already present 0, rejected 0 in ")
    assert Contact.objects.count() == 3
    out, _err = run(str(path))
    assert out.startswith("in.csv: read 3, imported 0, already present 3, rejected 0 in ")


def test_bad_rows_are_listed_and_the_command_fails(tmp_path: Path) -> None:
    rows = [GOOD[0], {**GOOD[1], "province": "BE-XXX"}, {**GOOD[2], "reasons": "foo"}]
    path = write_csv(tmp_path / "in.csv", rows)
    err = StringIO()

    with pytest.raises(CommandError, match=r"^2 bad row\(s\): nothing was imported$"):
        call_command("import", "contacts", str(path), stdout=StringIO(), stderr=err, verbosity=0)

    assert err.getvalue().splitlines() == [
        'line 3: province "BE-XXX" is not a Belgian province code (e.g. BE-VAN)',
        'line 4: unknown reason code "foo"',
    ]
    assert table_counts() == {"contacts": 0, "reasons": 0, "referrals": 0}


def test_the_printed_list_is_capped(tmp_path: Path) -> None:
    rows = [{**GOOD[0], "external_id": f"x{n}", "channel": "fax"} for n in range(60)]
    path = write_csv(tmp_path / "in.csv", rows)
    err = StringIO()

    with pytest.raises(CommandError, match="60 bad row"):
        call_command("import", "contacts", str(path), stdout=StringIO(), stderr=err, verbosity=0)

    lines = err.getvalue().splitlines()
    assert len(lines) == 51
    assert lines[49] == 'line 51: channel "fax" is not one of: chat, email, phone'
    assert lines[50] == "… and 10 more bad row(s) (use --skip-invalid to list them all)"


def test_skip_invalid_writes_the_default_rejects_file(tmp_path: Path) -> None:
    rows = [GOOD[0], {**GOOD[1], "direction": "sideways"}]
    path = write_csv(tmp_path / "in.csv", rows)

    out, err = run(str(path), "--skip-invalid")

    rejects = tmp_path / "in.csv.rejected.csv"
    assert err == 'line 3: direction "sideways" is not one of: in, out\n'
    assert f"Rejected rows with their reasons: {rejects}" in out
    assert "read 2, imported 1, already present 0, rejected 1" in out
    with rejects.open(newline="") as handle:
        assert [row[-2:] for row in csv.reader(handle)] == [
            ["line", "reason"],
            ["3", 'direction "sideways" is not one of: in, out'],
        ]
    assert list(Contact.objects.values_list("external_id", flat=True)) == ["src-1"]


def test_rejects_option_and_dry_run(tmp_path: Path) -> None:
    rows = [GOOD[0], {**GOOD[1], "office": "attic"}]
    path = write_csv(tmp_path / "in.csv", rows)

    out, _err = run(str(path), "--skip-invalid", "--rejects", str(tmp_path / "r.csv"), "--dry-run")

    assert "read 2, would import 1, already present 0, rejected 1" in out
    assert (tmp_path / "r.csv").exists()
    assert Contact.objects.count() == 0


def test_file_errors_and_option_misuse_are_command_errors(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", GOOD, header=["external_id", "received_at"])
    with pytest.raises(CommandError, match="required column\\(s\\) missing from the header"):
        run(str(path))
    with pytest.raises(CommandError, match="--rejects only applies with --skip-invalid"):
        run(str(path), "--rejects", "x.csv")
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.csv"))
