"""The report builder equals an independent aggregate of random contacts, for many definitions."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from kglijn.contacts.catalogue_seed import INITIAL_REASONS, INITIAL_REFERRALS
from kglijn.contacts.models import Contact
from kglijn.contacts.rollups.models import ContactReasonRollup, ContactReferralRollup
from kglijn.contacts.rollups.services import rollups_check
from kglijn.contacts.services import contact_register, reason_save, referral_save
from kglijn.core.provinces import Province
from kglijn.reports.builder import (
    InvalidReport,
    ReportDefinition,
    report_run,
)

BXL = ZoneInfo("Europe/Brussels")
PROVINCES = ["", *Province.values]
TOPICS = ["", "childcare", "family_support"]
OFFICES = ["front", "pgjo", "childcare"]


def seed_catalogues() -> None:
    """Tests run without migrations: load the initial catalogues the data migration loads."""
    for order, (code, name, topic) in enumerate(INITIAL_REASONS, start=1):
        reason_save(code=code, name=name, topic=topic, sort_order=order * 10)
    for code, name in INITIAL_REFERRALS:
        referral_save(code=code, name=name)


def register_random_contacts(
    count: int, *, seed: int, first: dt.date, last: dt.date
) -> list[Contact]:
    """Random contacts through the service (which keeps the rollups exact), Brussels times
    spread over first..last, including the first and last minutes of days."""
    rng = random.Random(seed)
    reason_codes = [code for code, _name, _topic in INITIAL_REASONS]
    referral_codes = [code for code, _name in INITIAL_REFERRALS]
    span = (last - first).days
    contacts = []
    for index in range(count):
        day = first + dt.timedelta(days=rng.randint(0, span))
        if index % 17 == 0:
            moment = dt.time(0, 5) if index % 2 else dt.time(23, 55)
        else:
            moment = dt.time(rng.randint(6, 21), rng.randint(0, 59))
        channel = rng.choice(["phone", "phone", "email", "chat"])
        contacts.append(
            contact_register(
                by=None,
                channel=channel,
                direction=rng.choice(["in", "in", "in", "out"]),
                origin=rng.choice(["", "mailbox", "webform"]) if channel == "email" else "",
                received_at=dt.datetime.combine(day, moment, tzinfo=BXL),
                office=rng.choice(OFFICES),
                province=rng.choice(PROVINCES),
                topic=rng.choice(TOPICS),
                reason_codes=rng.sample(reason_codes, rng.choice([0, 1, 1, 2, 3])),
                referral_codes=rng.sample(referral_codes, rng.choice([0, 0, 1, 2])),
                anonymous=rng.random() < 0.7,
            )
        )
    return contacts


def _facts(contact: Contact) -> dict[str, Any]:
    local = contact.received_at.astimezone(BXL)
    return {
        "date": local.date(),
        "year": local.year,
        "quarter": (local.month - 1) // 3 + 1,
        "month": local.month,
        "weekday": local.isoweekday(),
        "hour": local.hour,
        "channel": contact.channel,
        "direction": contact.direction,
        "origin": contact.origin,
        "office": contact.office,
        "province": contact.province,
        "topic": contact.topic,
        "anonymous": "true" if contact.anonymous else "false",
        "reason": sorted(contact.reasons.values_list("code", flat=True)),
        "referral": sorted(contact.referrals.values_list("code", flat=True)),
    }


def expected_counts(definition: ReportDefinition) -> Counter[tuple[Any, ...]]:
    """The truth, from the contact table itself: count per dimension key in Python."""
    assert definition.date_from
    assert definition.date_to
    used = set(definition.dimensions) | set(definition.filters)
    result: Counter[tuple[Any, ...]] = Counter()
    for contact in Contact.objects.prefetch_related("reasons", "referrals"):
        facts = _facts(contact)
        if not definition.date_from <= facts["date"] <= definition.date_to:
            continue
        variants = [facts]
        for multi in ("reason", "referral"):
            if multi in used:
                variants = [{**v, multi: code} for v in variants for code in v[multi]]
        for variant in variants:
            if all(variant[name] in values for name, values in definition.filters.items()):
                result[tuple(variant[name] for name in definition.dimensions)] += 1
    return result


def assert_matches_truth(definition: ReportDefinition) -> None:
    result = report_run(definition=definition)
    truth = expected_counts(definition)
    got: dict[tuple[Any, ...], int] = {}
    for r, row_key in enumerate(result.row_keys):
        if result.column_dimension is None:
            got[(row_key,)] = result.counts[r][0]
        else:
            for c, column_key in enumerate(result.column_keys):
                got[(row_key, column_key)] = result.counts[r][c]
    assert {k: v for k, v in got.items() if v} == dict(truth)
    assert set(truth) <= set(got)  # every key with contacts has a row/column
    total = sum(truth.values())
    assert result.count_total == total
    assert total > 0, "the definition should select some contacts"
    if definition.measure == "share":
        share_of = definition.share_of if result.column_dimension else "total"
        for r, row in enumerate(result.counts):
            for c, count in enumerate(row):
                if share_of == "row":
                    base = sum(row)
                elif share_of == "column":
                    base = sum(line[c] for line in result.counts)
                else:
                    base = total
                expected = 100 * count / base if base else 0
                assert abs(result.values[r][c] - expected) <= 0.01
        assert result.total == 100.0
    else:
        assert result.values == [[float(v) for v in row] for row in result.counts]
        assert result.total == float(total)


@pytest.fixture
def contacts(db: None) -> list[Contact]:
    seed_catalogues()
    made = register_random_contacts(
        260, seed=20231115, first=dt.date(2022, 12, 1), last=dt.date(2024, 1, 31)
    )
    assert rollups_check() == []
    return made


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


DEFINITIONS = [
    pytest.param(
        {"dimensions": ("channel",), "date_from": "2023-01-01", "date_to": "2023-12-31"},
        id="channel-whole-year",
    ),
    pytest.param(
        {"dimensions": ("month", "channel"), "date_from": "2023-01-10", "date_to": "2023-11-15"},
        id="month-channel-partial-months",
    ),
    pytest.param(
        {
            "measure": "share",
            "share_of": "row",
            "dimensions": ("year", "province"),
            "date_from": "2022-12-20",
            "date_to": "2024-01-10",
        },
        id="year-province-share-row-year-boundary",
    ),
    pytest.param(
        {
            "dimensions": ("reason", "channel"),
            "filters": {"direction": ("in",)},
            "date_from": "2023-02-03",
            "date_to": "2023-09-28",
        },
        id="reason-channel-incoming",
    ),
    pytest.param(
        {
            "measure": "share",
            "dimensions": ("referral",),
            "filters": {"province": ("BE-VAN", "")},
            "date_from": "2022-12-01",
            "date_to": "2024-01-31",
        },
        id="referral-share-filtered-provinces",
    ),
    pytest.param(
        {"dimensions": ("weekday", "hour"), "date_from": "2023-03-20", "date_to": "2023-10-31"},
        id="weekday-hour-dst",
    ),
    pytest.param(
        {
            "measure": "share",
            "share_of": "column",
            "dimensions": ("quarter", "anonymous"),
            "filters": {"topic": ("childcare", "")},
            "date_from": "2023-01-01",
            "date_to": "2023-12-31",
        },
        id="quarter-anonymous-share-column",
    ),
    pytest.param(
        {
            "dimensions": ("office", "origin"),
            "filters": {"channel": ("email",)},
            "date_from": "2022-12-31",
            "date_to": "2023-06-17",
        },
        id="office-origin-email",
    ),
    pytest.param(
        {
            "dimensions": ("hour", "channel"),
            "filters": {"office": ("front", "pgjo")},
            "date_from": "2023-05-05",
            "date_to": "2023-12-24",
        },
        id="hour-channel-two-offices",
    ),
    pytest.param(
        {
            "dimensions": ("topic", "year"),
            "filters": {"reason": ("advice",)},
            "date_from": "2022-12-15",
            "date_to": "2024-01-20",
        },
        id="topic-year-one-reason",
    ),
    pytest.param(
        {
            "dimensions": ("referral", "province"),
            "filters": {"referral": ("groeipakket", "gezinsbond"), "direction": ("in",)},
            "date_from": "2023-01-01",
            "date_to": "2023-11-15",
        },
        id="referral-province-two-referrals",
    ),
    pytest.param(
        {"dimensions": ("year", "month"), "date_from": "2022-12-02", "date_to": "2024-01-30"},
        id="year-month-edges",
    ),
]


@pytest.mark.parametrize("spec", DEFINITIONS)
def test_builder_equals_the_contacts(contacts: list[Contact], spec: dict[str, Any]) -> None:
    definition = ReportDefinition(
        measure=spec.get("measure", "contacts"),
        share_of=spec.get("share_of", "total"),
        dimensions=spec["dimensions"],
        filters=spec.get("filters", {}),
        date_from=_d(spec["date_from"]),
        date_to=_d(spec["date_to"]),
    )
    assert_matches_truth(definition)


def test_result_labels_rows_and_totals(contacts: list[Contact]) -> None:
    # Given/When
    result = report_run(
        definition=ReportDefinition(
            dimensions=("province", "channel"),
            filters={"channel": ("phone", "chat")},
            date_from=_d("2023-01-01"),
            date_to=_d("2023-12-31"),
        )
    )

    # Then: every province plus "not registered", only the filtered channels, in order
    assert result.row_keys == PROVINCES
    assert result.row_labels[:2] == ["Niet geregistreerd", "Antwerpen"]
    assert result.column_keys == ["phone", "chat"]
    assert result.column_labels == ["Telefoon", "Chat"]
    assert result.count_row_totals == [sum(row) for row in result.counts]
    assert result.count_column_totals == [
        sum(row[0] for row in result.counts),
        sum(row[1] for row in result.counts),
    ]
    assert result.source == "contactrollup"
    assert result.chart_kind == "stacked"


def test_time_labels_in_the_active_language(contacts: list[Contact]) -> None:
    definition = ReportDefinition(
        dimensions=("weekday", "month"), date_from=_d("2023-01-01"), date_to=_d("2023-03-31")
    )
    result = report_run(definition=definition)
    assert result.row_labels == [
        "Maandag", "Dinsdag", "Woensdag", "Donderdag", "Vrijdag", "Zaterdag", "Zondag",
    ]  # fmt: skip
    assert result.column_labels == ["Januari", "Februari", "Maart"]
    assert result.chart_kind == "line"


def test_reason_dimension_reads_the_reason_rollup_and_uses_catalogue_names(
    contacts: list[Contact],
) -> None:
    result = report_run(
        definition=ReportDefinition(
            dimensions=("reason",), date_from=_d("2023-01-01"), date_to=_d("2023-12-31")
        )
    )
    assert result.source == "contactreasonrollup"
    assert result.row_keys == [code for code, _n, _t in INITIAL_REASONS]
    assert result.row_labels == [name for _c, name, _t in INITIAL_REASONS]
    assert ContactReasonRollup.objects.exists()
    assert result.notes  # says a contact with several reasons counts once for each


@pytest.mark.parametrize(
    ("dimensions", "filters", "field", "message"),
    [
        (("hour", "province"), {}, "dimensions", "Hour cannot be combined with province."),
        (("hour",), {"topic": ("childcare",)}, "filters", "Hour cannot be combined with domain."),
        (("reason", "referral"), {}, "dimensions", "Reason cannot be combined with referral."),
        (("reason",), {"anonymous": ("true",)}, "filters", None),
        (("origin", "referral"), {}, "dimensions", "Origin cannot be combined with referral."),
        (("channel",), {"reason": ("advice", "general")}, "filters", None),
    ],
)
def test_unanswerable_combinations_are_refused(
    contacts: list[Contact],
    dimensions: tuple[str, ...],
    filters: dict[str, tuple[str, ...]],
    field: str,
    message: str | None,
) -> None:
    definition = ReportDefinition(
        dimensions=dimensions,
        filters=filters,
        date_from=_d("2023-01-01"),
        date_to=_d("2023-12-31"),
    )
    with translation.override("en"), pytest.raises(InvalidReport) as caught:
        report_run(definition=definition)
    assert list(caught.value.errors) == [field]
    if message is not None:
        assert caught.value.errors[field] == [message]


def test_english_message_names_the_combination(contacts: list[Contact]) -> None:
    with translation.override("en"):
        definition = ReportDefinition(
            dimensions=("hour",),
            filters={"province": ("BE-VAN",)},
            date_from=_d("2023-01-01"),
            date_to=_d("2023-01-31"),
        )
        assert definition.errors() == {"filters": ["Hour cannot be combined with province."]}


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        (
            {"measure": "median", "dimensions": ("year",)},
            {"measure": ["Unknown measure “median”."]},
        ),
        ({"dimensions": ()}, {"dimensions": ["Choose one or two dimensions."]}),
        (
            {"dimensions": ("year", "month", "channel")},
            {"dimensions": ["Choose one or two dimensions."]},
        ),
        ({"dimensions": ("year", "year")}, {"dimensions": ["Choose two different dimensions."]}),
        ({"dimensions": ("colour",)}, {"dimensions": ["Unknown dimension “colour”."]}),
        (
            {"dimensions": ("year",), "filters": {"province": ("BE-XXX",)}},
            {"filters": ["Unknown province value(s): “BE-XXX”."]},
        ),
        (
            {"dimensions": ("year",), "filters": {"hour": ("8",)}},
            {"filters": ["Cannot filter on “hour”."]},
        ),
        (
            {"dimensions": ("year",), "date_from": None},
            {"date_from": ["Enter the first day of the period."]},
        ),
        (
            {"dimensions": ("year",), "date_to": dt.date(2022, 1, 1)},
            {"date_to": ["The end date lies before the start date."]},
        ),
    ],
)
def test_definition_field_errors(db: None, kwargs: dict[str, Any], errors: Any) -> None:
    seed_catalogues()
    base: dict[str, Any] = {"date_from": dt.date(2023, 1, 1), "date_to": dt.date(2023, 12, 31)}
    with translation.override("en"):
        definition = ReportDefinition(**{**base, **kwargs})
        assert definition.errors() == errors
        with pytest.raises(InvalidReport) as caught:
            report_run(definition=definition)
        assert caught.value.errors == errors


def test_definition_json_round_trip() -> None:
    definition = ReportDefinition(
        measure="share",
        share_of="column",
        dimensions=("year", "province"),
        filters={"channel": ("phone",), "province": ("", "BE-VAN")},
        date_from=dt.date(2023, 1, 1),
        date_to=dt.date(2023, 11, 15),
    )
    assert ReportDefinition.from_json(definition.to_json()) == definition
    with pytest.raises(InvalidReport):
        ReportDefinition.from_json({"dimensions": ["year"], "date_from": "not a date"})


def test_empty_period_gives_zeros(contacts: list[Contact]) -> None:
    result = report_run(
        definition=ReportDefinition(
            measure="share",
            dimensions=("channel",),
            date_from=dt.date(2030, 1, 1),
            date_to=dt.date(2030, 1, 31),
        )
    )
    assert result.counts == [[0], [0], [0]]
    assert result.values == [[0.0], [0.0], [0.0]]
    assert result.total == 0.0


def test_builder_reads_rollups_only(contacts: list[Contact]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    definition = ReportDefinition(
        dimensions=("referral", "province"),
        filters={"direction": ("in",)},
        date_from=_d("2022-12-03"),
        date_to=_d("2024-01-29"),
    )
    with CaptureQueriesContext(connection) as queries:
        report_run(definition=definition)

    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "contacts_contact" not in tables.replace("contacts_contact_", "")
    assert ContactReferralRollup._meta.db_table in tables
    # One grouped rollup query plus catalogue look-ups (codes for the filter/labels).
    assert len(queries.captured_queries) <= 4
