"""The benchmark generator writes valid import rows and tells the truth about them."""

from __future__ import annotations

import copy
import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from bench.datagen import (
    BRUSSELS,
    HEADER,
    PROVINCES,
    REASON_CODES,
    REFERRAL_CODES,
    YearCounts,
    _Clock,
    generate,
    report_differences,
    year_report,
)

ROWS = 20_000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("datagen") / "contacts.csv"
    truth = generate(path, ROWS, seed=11, years=(2022, 2023))
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        rows = list(reader)
    return path, truth, header, rows


def test_rows_follow_the_import_format(generated) -> None:
    _path, _truth, header, rows = generated
    assert header == HEADER
    assert len(rows) == ROWS
    assert len({row["external_id"] for row in rows}) == ROWS
    for row in rows:
        received = dt.datetime.fromisoformat(row["received_at"])
        # The written offset is Brussels' offset at that instant (+01:00 winter, +02:00 summer).
        assert received.utcoffset() == received.astimezone(BRUSSELS).utcoffset()
        assert row["received_at"][-6:] in ("+01:00", "+02:00")
        assert 2022 <= received.astimezone(BRUSSELS).year <= 2023
        assert row["channel"] in ("phone", "email", "chat")
        assert row["origin"] in (("mailbox", "webform") if row["channel"] == "email" else ("",))
        assert row["direction"] in ("in", "out")
        assert row["province"] in (*PROVINCES, "")
        assert row["topic"] in ("childcare", "family_support", "")
        reasons = row["reasons"].split("|")
        assert 1 <= len(reasons) <= 3
        assert len(set(reasons)) == len(reasons)
        assert set(reasons) <= set(REASON_CODES)
        referrals = row["referrals"].split("|") if row["referrals"] else []
        assert len(referrals) <= 2
        assert len(set(referrals)) == len(referrals)
        assert set(referrals) <= set(REFERRAL_CODES)
        assert row["office"] in ("front", "pgjo", "childcare")
        assert row["anonymous"] in ("true", "false")


def test_rows_cover_every_value_and_both_offsets(generated) -> None:
    _path, _truth, _header, rows = generated
    assert {row["province"] for row in rows} == {*PROVINCES, ""}
    assert {row["topic"] for row in rows} == {"childcare", "family_support", ""}
    assert {row["received_at"][-6:] for row in rows} == {"+01:00", "+02:00"}
    assert {len(row["referrals"].split("|")) if row["referrals"] else 0 for row in rows} == {
        0,
        1,
        2,
    }


def test_truth_equals_a_recount_of_the_file(generated) -> None:
    _path, truth, _header, rows = generated
    recount = {2022: YearCounts(), 2023: YearCounts()}
    for row in rows:
        year = dt.datetime.fromisoformat(row["received_at"]).astimezone(BRUSSELS).year
        counts = recount[year]
        if row["direction"] == "out":
            counts.outgoing += 1
            continue
        counts.incoming[row["channel"]] += 1
        counts.provinces[row["province"]] += 1
        if row["topic"]:
            counts.topics[row["topic"]] += 1
        counts.reasons.update(row["reasons"].split("|"))
        counts.referrals.update(row["referrals"].split("|") if row["referrals"] else [])
    assert truth.rows == ROWS
    assert truth.date_from == dt.date(2022, 1, 1)
    assert truth.date_to == dt.date(2023, 12, 31)
    report = truth.report()
    assert report["from"] == "2022-01-01"
    assert report["to"] == "2023-12-31"
    assert report["years"] == {str(year): year_report(recount[year]) for year in (2022, 2023)}
    total = sum(
        entry["incoming"]["total"] + entry["outgoing"] for entry in report["years"].values()
    )
    assert total == ROWS


def test_year_report_follows_the_contract() -> None:
    counts = YearCounts(
        incoming=Counter({"phone": 3, "email": 1}),
        outgoing=2,
        provinces=Counter({"BE-VAN": 1, "": 3}),
        topics=Counter({"childcare": 1, "family_support": 2}),
        reasons=Counter({"advice": 2, "general": 0}),
        referrals=Counter({"one": 2, "gezinsbond": 2, "rsvz": 3}),
    )
    report = year_report(counts)
    assert report["incoming"] == {"chat": 0, "phone": 3, "email": 1, "total": 4}
    assert report["outgoing"] == 2
    assert report["province_share_pct"]["BE-VAN"] == 25.0
    assert report["province_share_pct"]["unregistered"] == 75.0
    assert report["province_share_pct"]["BE-WNA"] == 0.0
    assert len(report["province_share_pct"]) == 12
    assert report["topic_share_pct"] == {"childcare": 33.33, "family_support": 66.67}
    assert report["top_referrals"] == [
        {
            "code": "rsvz",
            "name": "Rijksinstituut voor de Sociale Verzekeringen der Zelfstandigen",
            "count": 3,
        },
        {"code": "gezinsbond", "name": "Gezinsbond vzw", "count": 2},
        {"code": "one", "name": "Office de la Naissance et de l'Enfance", "count": 2},
    ]
    assert report["reason_counts"] == {"advice": 2}


def test_same_seed_same_file_other_seed_other_file(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    truth_a = generate(first, 500, seed=3, years=(2023,))
    truth_b = generate(second, 500, seed=3, years=(2023,))
    generate(other, 500, seed=4, years=(2023,))
    assert first.read_bytes() == second.read_bytes()
    assert truth_a.report() == truth_b.report()
    assert first.read_bytes() != other.read_bytes()


def test_clock_knows_the_brussels_transitions() -> None:
    clock = _Clock.for_years(2023, 2023)
    assert [dt.datetime.fromtimestamp(t, dt.UTC) for t in clock.transitions] == [
        dt.datetime(2023, 3, 26, 1, tzinfo=dt.UTC),
        dt.datetime(2023, 10, 29, 1, tzinfo=dt.UTC),
    ]
    assert clock.offsets == [3600, 7200, 3600]


def test_report_differences_accepts_rounding_and_names_each_difference(generated) -> None:
    _path, truth, _header, _rows = generated
    expected = truth.report()
    assert report_differences(expected, copy.deepcopy(expected)) == []

    rounded = copy.deepcopy(expected)
    rounded["years"]["2023"]["province_share_pct"]["BE-VAN"] += 0.01
    rounded["years"]["2023"]["reason_counts"]["general-unused"] = 0
    assert report_differences(expected, rounded) == []

    wrong = copy.deepcopy(expected)
    wrong["years"]["2022"]["incoming"]["chat"] += 1
    wrong["years"]["2023"]["topic_share_pct"]["childcare"] += 0.02
    del wrong["years"]["2023"]["reason_counts"]
    assert report_differences(expected, wrong) == [
        f"2022.incoming: expected {expected['years']['2022']['incoming']}, "
        f"got {wrong['years']['2022']['incoming']}",
        f"2023.topic_share_pct.childcare: expected "
        f"{expected['years']['2023']['topic_share_pct']['childcare']}, "
        f"got {wrong['years']['2023']['topic_share_pct']['childcare']}",
        "2023.reason_counts: missing",
    ]
