"""Loading a bureau's results (issue 20 item 5): margins, stratum plan and respondents from CSV or
XLSX; every error names its row and column and nothing is written; a re-import replaces."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation

from kglijn.campaigns.bureau import services
from kglijn.campaigns.bureau.files import MAX_ERRORS, FileRejected, cell_problem
from kglijn.campaigns.bureau.services import (
    NotABureauCampaign,
    margins_import,
    respondents_columns,
    respondents_import,
    respondents_template_csv,
)
from kglijn.campaigns.models import (
    Answer,
    Mode,
    PopulationCount,
    PopulationKind,
    Response,
    ResponseSource,
    StratumPlan,
)
from kglijn.campaigns.strata import stratum_key
from kglijn.core.business_calendar import BRUSSELS
from kglijn.core.models import AuditEvent
from tests.campaigns.bureau_world import (
    HEADER,
    MARGINS,
    PLAN,
    ROWS,
    bureau_campaign,
    respondents_csv,
    xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def campaign():  # type: ignore[no-untyped-def]
    campaign = bureau_campaign()
    margins_import(
        campaign=campaign,
        by=None,
        margins=MARGINS.encode(),
        margins_name="m.csv",
        plan=PLAN.encode(),
        plan_name="p.csv",
    )
    return campaign


def _load(campaign, content: bytes, name: str = "r.csv"):  # type: ignore[no-untyped-def]
    return respondents_import(campaign=campaign, by=None, content=content, file_name=name)


def test_margins_and_plan_are_stored_with_the_weighting_variables(campaign) -> None:  # type: ignore[no-untyped-def]
    margins = {
        (m.variable, m.category): m.count for m in PopulationCount.objects.filter(campaign=campaign)
    }
    assert margins == {
        ("provincie", "Antwerpen"): 600,
        ("provincie", "Limburg"): 400,
        ("type", "groep"): 700,
        ("type", "gezin"): 300,
    }
    plans = {
        p.stratum: (p.population, p.sample) for p in StratumPlan.objects.filter(campaign=campaign)
    }
    key = stratum_key({"provincie": "Antwerpen", "type": "gezin"}, ["provincie", "type"])
    assert plans[key] == (180, 20)  # the canonical key and the values-only form both accepted
    assert len(plans) == 4
    campaign.refresh_from_db()
    assert campaign.weighting_variables == ["provincie", "type"]
    # The plan's sample is whom the bureau invited: the methodology page reads it from here.
    reported = campaign.population_criteria["reported"]
    assert reported["population"] == sum(population for population, _ in plans.values())
    assert reported["invited"] == reported["sample"] == sum(sample for _, sample in plans.values())


def test_the_respondents_file_loads_every_field(campaign) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime(2023, 1, 5, 10, tzinfo=BRUSSELS)
    result = respondents_import(
        campaign=campaign, by=None, content=respondents_csv(), file_name="r.csv", now=now
    )
    assert (result.complete, result.dropouts, result.replaced) == (3, 1, 0)
    responses = {r.import_key: r for r in Response.objects.filter(campaign=campaign)}
    assert set(responses) == {"R1", "R2", "R3", "R4"}
    r1, r2, r3, r4 = (responses[k] for k in ("R1", "R2", "R3", "R4"))
    assert all(r.source == ResponseSource.BUREAU for r in responses.values())
    assert (r1.mode, r2.mode, r4.mode) == (Mode.WEB, Mode.PHONE, Mode.PAPER)
    assert r1.strata == {"provincie": "Antwerpen", "type": "groep"}
    assert r1.stratum == "provincie=Antwerpen | type=groep"
    assert r1.completed_at == dt.datetime(2022, 11, 14, 12, tzinfo=BRUSSELS)
    assert r2.completed_at == now  # no date in the file: the upload time
    assert r4.completed_at == dt.datetime(2022, 11, 15, 12, tzinfo=BRUSSELS)  # DD/MM/YYYY
    assert r3.completed_at is None
    assert r3.last_position == 2
    assert r1.last_position == 5
    answers = {
        (a.response.import_key, a.item.key): a
        for a in Answer.objects.filter(response__campaign=campaign).select_related(
            "response", "item"
        )
    }
    assert len(answers) == result.answers == 5 + 3 + 1 + 4
    assert (answers["R1", "bereik"].satisfaction, answers["R1", "bereik"].importance) == (8, 9)
    assert answers["R1", "kanaal"].choice == "ja"
    assert answers["R1", "algemeen"].score == 8
    assert answers["R1", "opmerking"].text == "Goed zo"
    assert ("R2", "website") not in answers  # empty = no answer
    campaign.version.refresh_from_db()
    assert campaign.version.frozen_at is not None


def test_an_xlsx_file_loads_like_the_csv(campaign) -> None:  # type: ignore[no-untyped-def]
    rows = [HEADER.split(";")] + [
        [int(c) if c.isdigit() else (c or None) for c in row.split(";")] for row in ROWS
    ]
    rows[1][4] = dt.date(2022, 11, 14)  # a real date cell
    result = _load(campaign, xlsx(rows), "r.xlsx")
    assert (result.complete, result.dropouts) == (3, 1)
    r1 = Response.objects.get(campaign=campaign, import_key="R1")
    assert r1.completed_at == dt.datetime(2022, 11, 14, 12, tzinfo=BRUSSELS)


def test_the_import_is_audited_without_content(campaign) -> None:  # type: ignore[no-untyped-def]
    _load(campaign, respondents_csv(), "levering.csv")
    event = AuditEvent.objects.get(detail__event="bureau_respondents_import")
    assert event.object_id == campaign.pk
    assert event.detail["file_name"] == "levering.csv"
    assert event.detail["respondents"] == 4
    assert "Goed zo" not in str(event.detail)
    assert "R1" not in str(event.detail)


def test_a_reimport_replaces_the_previous_one(campaign) -> None:  # type: ignore[no-untyped-def]
    _load(campaign, respondents_csv())
    before = sorted(
        Answer.objects.filter(response__campaign=campaign).values_list(
            "response__import_key", "item__key", "satisfaction", "score", "choice"
        )
    )
    Response.objects.filter(campaign=campaign).update(weight=2.0)
    again = _load(campaign, respondents_csv())
    assert again.replaced == 4
    assert Response.objects.filter(campaign=campaign).count() == 4
    assert (
        sorted(
            Answer.objects.filter(response__campaign=campaign).values_list(
                "response__import_key", "item__key", "satisfaction", "score", "choice"
            )
        )
        == before
    )
    assert not Response.objects.filter(campaign=campaign, weight__isnull=False).exists()
    smaller = _load(campaign, respondents_csv(ROWS[:2]))
    assert smaller.replaced == 4
    assert set(Response.objects.filter(campaign=campaign).values_list("import_key", flat=True)) == {
        "R1",
        "R2",
    }


def test_the_template_has_the_versions_columns(campaign) -> None:  # type: ignore[no-untyped-def]
    assert ";".join(respondents_columns(campaign)) == HEADER
    assert respondents_template_csv(campaign).decode("utf-8-sig").strip() == HEADER


def _replace(row: int, column: str, value: str) -> list[str]:
    names = HEADER.split(";")
    rows = [r.split(";") for r in ROWS]
    rows[row - 2][names.index(column)] = value
    return [";".join(r) for r in rows]


ROW_ERRORS = [
    (2, "sleutel", "", "empty"),
    (3, "sleutel", "R1", "already on row 2"),
    (2, "sleutel", "x" * 101, "longer than 100"),
    (2, "wijze", "fax", "web, telefonisch, papier"),
    (2, "volledig", "misschien", "ja or nee"),
    (4, "gestopt_bij", "twee", "item position"),
    (4, "gestopt_bij", "9", "item position"),
    (2, "gestopt_bij", "3", "only for a drop-out"),
    (2, "ingevuld_op", "14-14-2022", "not a date"),
    (2, "ingevuld_op", "2099-01-01", "from 2000 to today"),
    (2, "provincie", "", "empty"),
    (2, "provincie", "Namen", "not a category of the population margins"),
    (2, "bereik_tevredenheid", "11", "0 to 10"),
    (2, "bereik_belang", "7.5", "0 to 10"),
    (2, "algemeen", "-1", "0 to 10"),
    (2, "website_belang", "８", "0 to 10"),  # a full-width digit
    (2, "kanaal", "misschien", "not one of ja, nee"),
    (2, "opmerking", "x" * 4001, "longer than 4000"),
]


@pytest.mark.parametrize(("row", "column", "value", "message"), ROW_ERRORS)
def test_every_cell_error_names_row_and_column_and_writes_nothing(
    campaign,
    row: int,
    column: str,
    value: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(FileRejected) as caught:
        _load(campaign, respondents_csv(_replace(row, column, value)))
    assert any(
        f"row {row}, column {column}:" in error and message in error
        for error in caught.value.errors
    ), caught.value.errors
    assert not Response.objects.filter(campaign=campaign).exists()
    assert not Answer.objects.exists()


def test_an_error_keeps_the_previous_import(campaign) -> None:  # type: ignore[no-untyped-def]
    _load(campaign, respondents_csv())
    with pytest.raises(FileRejected):
        _load(campaign, respondents_csv(_replace(5, "algemeen", "12")))
    assert Response.objects.filter(campaign=campaign).count() == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"sleutel;wijze\n", "are missing"),
        ((HEADER + ";extra\n").encode(), "unknown column(s) extra"),
        ((HEADER + ";sleutel\n").encode(), "twice"),
        (HEADER.encode() + b"\n", "no respondents"),
        (HEADER.encode() + b"\nR1;web;ja\x00\n", "NUL"),
        (HEADER.encode() + b"\nR1;w\xe9b;ja\n", "not UTF-8"),
        (HEADER.encode() + b'\n"R1;web\n', "readable CSV"),
        (b"PK\x03\x04 not a workbook", "readable Excel"),
    ],
)
def test_file_errors_are_refused(campaign, content: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FileRejected) as caught:
        _load(campaign, content)
    assert message in " ".join(caught.value.errors)
    assert not Response.objects.exists()


def test_size_and_row_limits(campaign, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "MAX_ROWS", 3)
    with pytest.raises(FileRejected, match="more than 3 rows"):
        _load(campaign, respondents_csv())
    monkeypatch.setattr(services, "MAX_BYTES", 100)
    with pytest.raises(FileRejected, match="larger than"):
        _load(campaign, respondents_csv())


def test_at_most_fifty_errors_are_shown_and_all_counted(campaign) -> None:  # type: ignore[no-untyped-def]
    rows = [f"K{i};fax;ja;;;Antwerpen;groep;;;;;;;" for i in range(80)]
    with pytest.raises(FileRejected) as caught:
        _load(campaign, respondents_csv(rows))
    assert len(caught.value.errors) == MAX_ERRORS
    assert caught.value.total == 80
    assert caught.value.more == 30


def test_a_lone_surrogate_or_nul_in_a_cell_is_refused(campaign) -> None:  # type: ignore[no-untyped-def]
    assert cell_problem("a\ud800b")
    assert cell_problem("a\x00")
    assert cell_problem("gewoon") is None
    # openpyxl writes a lone surrogate as a character reference XML forbids: unreadable.
    rows = [
        HEADER.split(";"),
        [
            "R1",
            "web",
            "ja",
            None,
            None,
            "Antwerpen",
            "groep",
            8,
            8,
            None,
            None,
            "ja",
            8,
            "ok\ud83d",
        ],
    ]
    with pytest.raises(FileRejected, match="readable Excel"):
        _load(campaign, xlsx(rows), "r.xlsx")
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("margins", "message"),
    [
        ("variabele;categorie;populatie\nregio;Oost;10\n", "row 2, column variabele"),
        ("variabele;categorie;populatie\nprovincie;A;10\nprovincie;A;5\n", "already on row 2"),
        ("variabele;categorie;populatie\nprovincie;A;tien\n", "row 2, column populatie"),
        ("variabele;categorie;populatie\nprovincie;;10\n", "row 2, column categorie"),
        ("variabele;categorie;populatie\nprovincie;A;10\ntype;g;11\n", "same population"),
        ("variabele;categorie\nprovincie;A\n", "are missing"),
    ],
)
def test_margins_errors_write_nothing(margins: str, message: str) -> None:
    campaign = bureau_campaign()
    with pytest.raises(FileRejected) as caught:
        margins_import(campaign=campaign, by=None, margins=margins.encode(), margins_name="m.csv")
    assert message in " ".join(caught.value.errors)
    assert not PopulationCount.objects.exists()


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ("stratum;populatie;steekproef\nAntwerpen | groep;10;11\n", "row 2, column steekproef"),
        ("stratum;populatie;steekproef\nNamen\n", "row 2, column stratum"),
        ("stratum;populatie;steekproef\nregio=X | type=groep;10;1\n", "row 2, column stratum"),
        (
            "stratum;populatie;steekproef\nAntwerpen | groep;10;1\nAntwerpen | groep;10;1\n",
            "already on row 2",
        ),
    ],
)
def test_plan_errors_keep_the_margins_as_they_were(campaign, plan: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FileRejected) as caught:
        margins_import(
            campaign=campaign,
            by=None,
            margins=b"variabele;categorie;populatie\nprovincie;X;5\n",
            margins_name="m.csv",
            plan=plan.encode(),
            plan_name="p.csv",
        )
    assert message in " ".join(caught.value.errors)
    assert caught.value.errors[0].startswith("Stratum plan")
    assert PopulationCount.objects.filter(campaign=campaign).count() == 4  # unchanged
    assert StratumPlan.objects.filter(campaign=campaign).count() == 4


def test_only_a_bureau_campaign_takes_files() -> None:
    campaign = bureau_campaign(population_kind=PopulationKind.REGISTER)
    with pytest.raises(NotABureauCampaign):
        margins_import(campaign=campaign, by=None, margins=MARGINS.encode(), margins_name="m.csv")
    with pytest.raises(NotABureauCampaign):
        _load(campaign, respondents_csv())
