"""contacts_import: exact rows, idempotence, every bad value named and nothing written."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import translation

from kglijn.contacts.importers import ImportFileError, contacts_import
from kglijn.contacts.importers.format import ALL_COLUMNS, REQUIRED_COLUMNS
from kglijn.contacts.models import Contact, Reason, ReferralOrganisation
from kglijn.contacts.rollups.models import ContactRollup
from kglijn.contacts.services import reason_save
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.provinces import Province


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted by their English msgid, whatever the Dutch catalogue says.
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

GOOD = [
    {
        "external_id": "src-1",
        "received_at": "2023-03-06T09:14:03+01:00",
        "channel": "phone",
        "origin": "",
        "direction": "in",
        "province": "BE-VAN",
        "topic": "family_support",
        "reasons": "vaccination|advice",
        "referrals": "groeipakket",
        "office": "front",
        "anonymous": "true",
    },
    {
        "external_id": "src-2",
        "received_at": "2023-07-01T00:30:00+02:00",  # Brussels 1 July, UTC 30 June
        "channel": "email",
        "origin": "webform",
        "direction": "in",
        "province": "",
        "topic": "childcare",
        "reasons": "childcare-fees",
        "referrals": "",
        "office": "childcare",
        "anonymous": "false",
    },
    {
        "external_id": "src-3",
        "received_at": "2021-12-31T23:59:59Z",
        "channel": "chat",
        "origin": "",
        "direction": "out",
        "province": "BE-WLX",
        "topic": "",
        "reasons": "",
        "referrals": "one|gezinsbond",
        "office": "pgjo",
        "anonymous": "true",
    },
]


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or list(REQUIRED_COLUMNS)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or list(REQUIRED_COLUMNS)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    book.save(path)
    return path


def table_counts() -> dict[str, int]:
    return {
        "contacts": Contact.objects.count(),
        "reasons": Contact.reasons.through.objects.count(),
        "referrals": Contact.referrals.through.objects.count(),
    }


def assert_good_rows_imported() -> None:
    contacts = {contact.external_id: contact for contact in Contact.objects.all()}
    assert sorted(contacts) == ["src-1", "src-2", "src-3"]
    first, second, third = contacts["src-1"], contacts["src-2"], contacts["src-3"]
    assert first.received_at == dt.datetime(2023, 3, 6, 8, 14, 3, tzinfo=dt.UTC)
    assert second.received_at == dt.datetime(2023, 6, 30, 22, 30, tzinfo=dt.UTC)
    assert third.received_at == dt.datetime(2021, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert [(c.channel, c.origin, c.direction) for c in (first, second, third)] == [
        ("phone", "", "in"),
        ("email", "webform", "in"),
        ("chat", "", "out"),
    ]
    assert [(c.province, c.topic, c.office, c.anonymous) for c in (first, second, third)] == [
        ("BE-VAN", "family_support", "front", True),
        ("", "childcare", "childcare", False),
        ("BE-WLX", "", "pgjo", True),
    ]
    for contact in (first, second, third):
        assert contact.status == "closed"
        assert contact.answered_at is None
        assert contact.closed_at is None
        assert contact.handler_id is None
        assert contact.customer_id is None
        assert (contact.caller_name, contact.caller_phone, contact.caller_email) == ("", "", "")
        assert (contact.notes, contact.health_note) == ("", "")
    assert sorted(first.reasons.values_list("code", flat=True)) == ["advice", "vaccination"]
    assert list(second.reasons.values_list("code", flat=True)) == ["childcare-fees"]
    assert list(third.reasons.values_list("code", flat=True)) == []
    assert list(first.referrals.values_list("code", flat=True)) == ["groeipakket"]
    assert list(second.referrals.values_list("code", flat=True)) == []
    assert sorted(third.referrals.values_list("code", flat=True)) == ["gezinsbond", "one"]


def test_good_csv_imports_exactly_its_rows(tmp_path: Path) -> None:
    result = contacts_import(path=write_csv(tmp_path / "in.csv", GOOD))

    assert (result.read, result.imported, result.already_present, result.rejected) == (3, 3, 0, 0)
    assert not result.failed
    assert result.messages == []
    # the three contacts' Brussels days are in the report rollups, nothing else
    assert set(ContactRollup.objects.filter(grain="d").values_list("day", flat=True)) == {
        dt.date(2023, 3, 6),
        dt.date(2023, 7, 1),
        dt.date(2022, 1, 1),
    }
    assert_good_rows_imported()
    assert table_counts() == {"contacts": 3, "reasons": 3, "referrals": 3}


def test_good_xlsx_imports_exactly_its_rows(tmp_path: Path) -> None:
    result = contacts_import(path=write_xlsx(tmp_path / "in.xlsx", GOOD))

    assert (result.read, result.imported, result.rejected) == (3, 3, 0)
    assert_good_rows_imported()


def test_columns_in_any_order_with_optional_times(tmp_path: Path) -> None:
    header = list(reversed(ALL_COLUMNS))
    row = {
        **GOOD[0],
        "answered_at": "2023-03-06T09:15:00+01:00",
        "closed_at": "2023-03-06T08:20:00+00:00",
    }
    contacts_import(path=write_csv(tmp_path / "in.csv", [row], header))

    contact = Contact.objects.get()
    assert contact.answered_at == dt.datetime(2023, 3, 6, 8, 15, tzinfo=dt.UTC)
    assert contact.closed_at == dt.datetime(2023, 3, 6, 8, 20, tzinfo=dt.UTC)
    assert contact.status == "closed"


def test_reimport_creates_nothing_and_changes_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", GOOD)
    contacts_import(path=path)
    before = list(Contact.objects.order_by("id").values())
    changed = [{**GOOD[0], "province": "BE-WNA"}, *GOOD[1:]]

    again = contacts_import(path=write_csv(tmp_path / "again.csv", changed))

    assert (again.read, again.imported, again.already_present, again.rejected) == (3, 0, 3, 0)
    assert list(Contact.objects.order_by("id").values()) == before
    assert table_counts() == {"contacts": 3, "reasons": 3, "referrals": 3}


def test_new_rows_beside_present_ones_are_added(tmp_path: Path) -> None:
    contacts_import(path=write_csv(tmp_path / "one.csv", GOOD[:1]))

    result = contacts_import(path=write_csv(tmp_path / "all.csv", GOOD))

    assert (result.imported, result.already_present) == (2, 1)
    assert_good_rows_imported()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    before = table_counts()

    result = contacts_import(path=write_csv(tmp_path / "in.csv", GOOD), dry_run=True)

    assert (result.read, result.imported, result.rejected) == (3, 3, 0)
    assert table_counts() == before


BAD_VALUES = [
    (
        "province",
        "BE-XXX",
        'line 3: province "BE-XXX" is not a Belgian province code (e.g. BE-VAN)',
    ),
    (
        "received_at",
        "2023-02-30T10:00:00+01:00",
        'line 3: received_at "2023-02-30T10:00:00+01:00" is not a valid ISO 8601 date-time',
    ),
    (
        "received_at",
        "2023-02-03T10:00:00",
        'line 3: received_at "2023-02-03T10:00:00" has no UTC offset '
        "(write it as e.g. 2023-03-06T09:14:03+01:00)",
    ),
    ("received_at", "", "line 3: received_at is empty"),
    ("reasons", "advice|foo", 'line 3: unknown reason code "foo"'),
    ("referrals", "nobody", 'line 3: unknown referral code "nobody"'),
    ("channel", "fax", 'line 3: channel "fax" is not one of: chat, email, phone'),
    (
        "origin",
        "mailbox",
        'line 3: origin "mailbox" is only allowed for e-mail contacts (leave it empty)',
    ),
    ("direction", "both", 'line 3: direction "both" is not one of: in, out'),
    ("office", "back", 'line 3: office "back" is not one of: childcare, front, pgjo'),
    (
        "anonymous",
        "yes",
        'line 3: anonymous "yes" is not one of: FALSE, False, TRUE, True, false, true',
    ),
    (
        "topic",
        "health",
        'line 3: topic "health" is not one of: childcare, family_support (or empty)',
    ),
    ("external_id", "", "line 3: external_id is empty"),
]


@pytest.mark.parametrize(("column", "value", "message"), BAD_VALUES)
def test_a_bad_value_is_named_and_nothing_is_written(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    contacts_import(path=write_csv(tmp_path / "earlier.csv", [GOOD[2]]))
    before = table_counts()
    rows = [GOOD[1], {**GOOD[0], column: value}]  # line 2 good, line 3 bad (a phone call)

    result = contacts_import(path=write_csv(tmp_path / "in.csv", rows))

    assert result.failed
    assert (result.read, result.imported, result.rejected) == (2, 0, 1)
    assert result.messages == [message]
    assert table_counts() == before


def test_inactive_reason_is_refused(tmp_path: Path) -> None:
    reason_save(code="general", name="General", active=False)
    before = table_counts()

    result = contacts_import(
        path=write_csv(tmp_path / "in.csv", [{**GOOD[0], "reasons": "general"}])
    )

    assert result.messages == ['line 2: reason code "general" is no longer active']
    assert table_counts() == before


def test_every_bad_row_is_reported_with_every_reason(tmp_path: Path) -> None:
    rows = [
        GOOD[0],
        {**GOOD[1], "province": "BE-XXX", "reasons": "foo"},
        GOOD[2],
        {**GOOD[2], "external_id": "src-1"},
        {**GOOD[2], "external_id": "src-5", "received_at": "2023-13-01T00:00:00+01:00"},
    ]

    result = contacts_import(path=write_csv(tmp_path / "in.csv", rows))

    assert result.messages == [
        'line 3: province "BE-XXX" is not a Belgian province code (e.g. BE-VAN); '
        'unknown reason code "foo"',
        'line 5: external_id "src-1" appears on an earlier line of the file',
        'line 6: received_at "2023-13-01T00:00:00+01:00" is not a valid ISO 8601 date-time',
    ]
    assert table_counts() == {"contacts": 0, "reasons": 0, "referrals": 0}


def test_line_numbers_count_blank_and_multi_line_rows(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    header = ",".join(REQUIRED_COLUMNS)
    good = ",".join(GOOD[2][column] for column in REQUIRED_COLUMNS)
    bad = good.replace("src-3", '"src\n4"').replace("BE-WLX", "BE-XXX")
    path.write_text(f"{header}\n\n{good}\n{bad}\n{good.replace('src-3', 'src-5')},extra\n")

    result = contacts_import(path=path)

    assert result.messages == [
        'line 4: province "BE-XXX" is not a Belgian province code (e.g. BE-VAN)',
        "line 6: the row has 12 fields, the header has 11",
    ]
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            [c for c in REQUIRED_COLUMNS if c != "province"],
            "required column(s) missing from the header: province",
        ),
        (
            [*REQUIRED_COLUMNS, "caller_name"],
            'unknown column(s) in the header: "caller_name" (known columns: '
            + ", ".join(ALL_COLUMNS)
            + ")",
        ),
        (
            [*REQUIRED_COLUMNS, "office"],
            "column(s) appear more than once in the header: office",
        ),
    ],
)
def test_a_bad_header_is_named_and_nothing_is_written(
    tmp_path: Path, header: list[str], message: str
) -> None:
    with pytest.raises(ImportFileError) as raised:
        contacts_import(path=write_csv(tmp_path / "in.csv", GOOD, header))

    assert str(raised.value) == message
    assert table_counts() == {"contacts": 0, "reasons": 0, "referrals": 0}


def test_empty_file_and_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ImportFileError, match="the file is empty"):
        contacts_import(path=empty)
    with pytest.raises(ImportFileError, match="no such file"):
        contacts_import(path=tmp_path / "nothing.csv")


def test_skip_invalid_imports_the_good_rows_and_writes_the_rejects(tmp_path: Path) -> None:
    rows = [
        GOOD[0],
        {**GOOD[1], "province": "BE-XXX"},
        GOOD[2],
        {**GOOD[2], "external_id": "src-4", "channel": "fax"},
    ]
    path = write_csv(tmp_path / "in.csv", rows)

    result = contacts_import(path=path, skip_invalid=True)

    assert not result.failed
    assert (result.read, result.imported, result.rejected) == (4, 2, 2)
    assert sorted(Contact.objects.values_list("external_id", flat=True)) == ["src-1", "src-3"]
    assert result.rejects_path == tmp_path / "in.csv.rejected.csv"
    with result.rejects_path.open(newline="") as handle:
        rejected = list(csv.reader(handle))
    assert rejected[0] == [*REQUIRED_COLUMNS, "line", "reason"]
    assert rejected[1] == [
        *[rows[1][c] for c in REQUIRED_COLUMNS],
        "3",
        'province "BE-XXX" is not a Belgian province code (e.g. BE-VAN)',
    ]
    assert rejected[2] == [
        *[rows[3][c] for c in REQUIRED_COLUMNS],
        "5",
        'channel "fax" is not one of: chat, email, phone',
    ]
    assert len(rejected) == 3


def test_skip_invalid_with_only_bad_rows_fails(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [{**GOOD[0], "channel": "fax"}])

    result = contacts_import(path=path, skip_invalid=True, rejects_path=tmp_path / "r.csv")

    assert result.failed
    assert (tmp_path / "r.csv").exists()
    assert Contact.objects.count() == 0


def test_xlsx_native_date_time_is_refused_as_naive(tmp_path: Path) -> None:
    row: dict[str, object] = {**GOOD[0], "received_at": dt.datetime(2023, 3, 6, 9, 14, 3)}
    result = contacts_import(path=write_xlsx(tmp_path / "in.xlsx", [row]))  # type: ignore[list-item]

    assert result.messages == [
        'line 2: received_at "2023-03-06T09:14:03" has no UTC offset '
        "(write it as e.g. 2023-03-06T09:14:03+01:00)"
    ]


def test_chunks_keep_line_numbers_and_duplicates_across_chunks(tmp_path: Path) -> None:
    rows = [{**GOOD[0], "external_id": f"id-{n}"} for n in range(7)]
    rows[5] = {**rows[5], "external_id": "id-1"}
    path = write_csv(tmp_path / "in.csv", rows)

    result = contacts_import(path=path, chunk_size=2, skip_invalid=True)

    assert result.messages == ['line 7: external_id "id-1" appears on an earlier line of the file']
    assert result.imported == 6
    assert Contact.reasons.through.objects.count() == 12


def random_rows(
    count: int, seed: int
) -> tuple[list[dict[str, str]], Counter[tuple[int, str, str]]]:
    """Random contacts (not the demo's distribution) and their count per Brussels year,
    channel and province."""
    rng = random.Random(seed)
    provinces = [*Province.values, ""]
    reasons = list(Reason.objects.filter(active=True).values_list("code", flat=True))
    referrals = list(ReferralOrganisation.objects.values_list("code", flat=True))
    start = dt.datetime(2018, 12, 31, 20, tzinfo=dt.UTC)
    rows, truth = [], Counter()
    for number in range(count):
        moment = start + dt.timedelta(seconds=rng.randrange(3 * 366 * 86400))
        offset = dt.timezone(dt.timedelta(hours=rng.choice([-5, 0, 1, 2, 9])))
        channel = rng.choice(["phone", "email", "chat"])
        province = rng.choice(provinces)
        rows.append(
            {
                "external_id": f"r{seed}-{number}",
                "received_at": moment.astimezone(offset).isoformat(),
                "channel": channel,
                "origin": rng.choice(["mailbox", "webform", ""]) if channel == "email" else "",
                "direction": rng.choice(["in", "out"]),
                "province": province,
                "topic": rng.choice(["childcare", "family_support", ""]),
                "reasons": "|".join(rng.sample(reasons, rng.randrange(3))),
                "referrals": "|".join(rng.sample(referrals, rng.randrange(2))),
                "office": rng.choice(["front", "pgjo", "childcare"]),
                "anonymous": rng.choice(["true", "false"]),
            }
        )
        truth[(moment.astimezone(BRUSSELS).year, channel, province)] += 1
    return rows, truth


def test_random_contacts_aggregate_to_the_generators_counts(tmp_path: Path) -> None:
    rows, truth = random_rows(3000, seed=11)
    path = write_csv(tmp_path / "random.csv", rows)

    result = contacts_import(path=path, chunk_size=700)

    assert result.imported == 3000
    aggregated = (
        Contact.objects.annotate(year=ExtractYear("received_at", tzinfo=BRUSSELS))
        .values_list("year", "channel", "province")
        .annotate(n=Count("id"))
    )
    assert {(y, c, p): n for y, c, p, n in aggregated} == dict(truth)
    expected_links = sum(len([c for c in row["reasons"].split("|") if c]) for row in rows)
    assert Contact.reasons.through.objects.count() == expected_links
    # thousands of rollup keys: on PostgreSQL this takes the COPY + set-based upsert path
    from kglijn.contacts.rollups.services import rollups_check

    assert ContactRollup.objects.count() > 1_000
    assert rollups_check() == []


def test_rollups_equal_the_raw_data_after_an_import(tmp_path: Path) -> None:
    from kglijn.contacts.rollups.services import rollups_check

    rows, _truth = random_rows(500, seed=5)
    contacts_import(path=write_csv(tmp_path / "random.csv", rows))
    contacts_import(path=write_csv(tmp_path / "good.csv", GOOD))
    # a re-import (all present) and a failed import must add nothing to the rollups
    contacts_import(path=write_csv(tmp_path / "random.csv", rows))
    bad = [dict(rows[0], external_id="new-1"), dict(rows[1], external_id="new-2", channel="fax")]
    assert contacts_import(path=write_csv(tmp_path / "bad.csv", bad)).failed

    assert rollups_check() == []


def test_import_adds_to_rollups_of_days_that_already_have_contacts(tmp_path: Path) -> None:
    from kglijn.contacts.rollups.services import rollups_check

    contacts_import(path=write_csv(tmp_path / "good.csv", GOOD))
    twins = [dict(row, external_id=f"twin-{row['external_id']}") for row in GOOD]

    contacts_import(path=write_csv(tmp_path / "twins.csv", twins))

    assert rollups_check() == []
    assert sum(
        ContactRollup.objects.filter(grain="d").values_list("contacts", flat=True)
    ) == 2 * len(GOOD)


def test_ids_continue_after_existing_contacts(tmp_path: Path) -> None:
    contacts_import(path=write_csv(tmp_path / "one.csv", GOOD[:1]))
    first = Contact.objects.get().pk

    contacts_import(path=write_csv(tmp_path / "two.csv", GOOD[1:]))

    ids = sorted(Contact.objects.values_list("pk", flat=True))
    assert ids[0] == first
    assert len(set(ids)) == 3
    assert min(ids[1:]) > first
    if connection.vendor == "postgresql":  # the sequence moved on: the desk gets fresh ids
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('contacts_contact', 'id'))")
            assert cursor.fetchone()[0] > max(ids)


def test_a_broken_line_after_good_chunks_stops_the_import_and_writes_nothing(
    tmp_path: Path,
) -> None:
    # Chunks are read and checked in a second thread while earlier ones are written: a file
    # that turns out to be broken further on must still leave nothing behind.
    rows = [{**GOOD[0], "external_id": f"id-{n}"} for n in range(9)]
    path = write_csv(tmp_path / "in.csv", rows)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'id-broken,"2023-03-06T09:14:03+01:00\n', encoding="utf-8")
    before = table_counts()

    with pytest.raises(ImportFileError, match="line 11"):
        contacts_import(path=path, chunk_size=2)

    assert table_counts() == before


def test_the_rollups_of_an_import_come_from_its_own_contacts_only(tmp_path: Path) -> None:
    from kglijn.contacts.rollups.services import rollups_check
    from kglijn.contacts.services import contact_register

    # A contact registered on the desk before the import, with a lower id, and one after it,
    # with a higher id: the import adds exactly its own rows to the rollups.
    contact_register(
        by=None, channel="phone", received_at=dt.datetime(2023, 3, 6, 9, tzinfo=BRUSSELS)
    )
    path = write_csv(tmp_path / "in.csv", GOOD)
    result = contacts_import(path=path)
    contact_register(
        by=None, channel="phone", received_at=dt.datetime(2023, 3, 6, 10, tzinfo=BRUSSELS)
    )

    assert result.imported == len(GOOD)
    assert result.rollup_rows > 0
    assert rollups_check() == []
