"""The Opgroeipunt figures (issue 17 item 7): random history through the import commands, then the
figures of random periods against an independent recount in plain Python over the generated
rows; the fixed JSON's shape; the CLI formats; the page and its Excel download."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kglijn.opgroeipunt.figures.selectors import FIGURES, opgroeipunt_figures

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
OFFSETS = [
    dt.UTC,
    dt.timezone(dt.timedelta(hours=1)),
    dt.timezone(dt.timedelta(hours=2)),
    dt.timezone(dt.timedelta(hours=-5)),
    BRUSSELS,
]
CASE_KINDS = ["signal", "report", "complaint", "feedback", "danger", "staff_shortage"]
DECISION_KINDS = [
    "enforcement_started",
    "warning",
    "intention",
    "suspension",
    "revocation",
    "inspection_advice",
    "civil_party",
    "evaluation_positive",
    "evaluation_negative",
    "enforcement_closed",
]
FIRST, LAST = dt.datetime(2020, 6, 1, tzinfo=dt.UTC), dt.datetime(2024, 6, 30, tzinfo=dt.UTC)


@dataclass
class History:
    locations: list[str]
    cases: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)


def _moment(rng: random.Random) -> dt.datetime:
    """A random moment, one in four within an hour of a Brussels midnight at a year's end."""
    if rng.random() < 0.25:
        year = rng.randint(2020, 2023)
        midnight = dt.datetime(year + 1, 1, 1, tzinfo=BRUSSELS)
        return (midnight + dt.timedelta(minutes=rng.randint(-60, 59))).astimezone(dt.UTC)
    span = (LAST - FIRST).total_seconds()
    return FIRST + dt.timedelta(seconds=int(rng.random() * span))


def _iso(moment: dt.datetime, rng: random.Random) -> str:
    shown = moment.astimezone(rng.choice(OFFSETS))
    text = shown.isoformat()
    return text.replace("+00:00", "Z") if rng.random() < 0.5 else text


def generate(seed: int) -> History:
    rng = random.Random(seed)
    history = History(locations=[f"LOC{n}" for n in range(1, 31)])
    for n in range(1, 321):
        kind = rng.choice([*CASE_KINDS, "danger", "complaint"])  # more of the counted kinds
        admissible: bool | None = None
        if kind == "complaint":
            admissible = rng.choice([True, False, None])
        history.cases.append(
            {
                "external_id": f"C{n}",
                "received_at": _moment(rng),
                "kind": kind,
                "locations": rng.sample(history.locations, rng.choice([0, 1, 1, 1, 2, 3])),
                "admissible": admissible,
                "urgent": rng.choice(["", "true", "false"]) if kind != "danger" else "",
            }
        )
    weights = [6, 3, 2, 2, 1, 3, 2, 2, 1, 5]
    used: set[dt.datetime] = set()
    n = 0
    for location in history.locations:
        moments = sorted({_moment(rng) for _ in range(rng.randint(0, 16))} - used)
        used.update(moments)
        for moment in moments:
            n += 1
            history.decisions.append(
                {
                    "external_id": f"D{n}",
                    "location": location,
                    "kind": rng.choices(DECISION_KINDS, weights)[0],
                    "decided_at": moment,
                }
            )
    rng.shuffle(history.decisions)  # the file's order is not the time order
    return history


def write_files(history: History, folder: Path, rng: random.Random) -> tuple[Path, Path, Path]:
    locations = folder / "locations.csv"
    locations.write_text(
        "external_id,organiser_external_id,organiser_name,name,postcode,care_type,places,"
        "subsidy,income_tariff,active\n"
        + "".join(
            f"{external_id},ORG{i % 7},Organisator {i % 7},Opvang {i},"
            f"{rng.choice(['9000', '2000', '3000', '8000', '3500'])},"
            f"{rng.choice(['group', 'family'])},{rng.randint(4, 60)},"
            f"{rng.choice(['T0', 'T1', 'T2'])},{rng.choice(['true', 'false'])},true\n"
            for i, external_id in enumerate(history.locations)
        ),
        encoding="utf-8",
    )
    cases = folder / "cases.csv"
    cases.write_text(
        "external_id,received_at,kind,location_external_ids,admissible,urgent\n"
        + "".join(
            f"{c['external_id']},{_iso(c['received_at'], rng)},{c['kind']},"
            f"{'|'.join(c['locations'])},"
            f"{'' if c['admissible'] is None else str(c['admissible']).lower()},{c['urgent']}\n"
            for c in history.cases
        ),
        encoding="utf-8",
    )
    decisions = folder / "decisions.csv"
    decisions.write_text(
        "external_id,location_external_id,kind,decided_at\n"
        + "".join(
            f"{d['external_id']},{d['location']},{d['kind']},{_iso(d['decided_at'], rng)}\n"
            for d in history.decisions
        ),
        encoding="utf-8",
    )
    return locations, cases, decisions


# --- the independent recount --------------------------------------------------------------------


def tracks_of(history: History) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    """(location, start, close) of every track: open at an enforcement_started when none is
    open, closed at the next enforcement_closed."""
    tracks = []
    by_location: dict[str, list[dict[str, Any]]] = {}
    for decision in history.decisions:
        by_location.setdefault(decision["location"], []).append(decision)
    for location, decisions in by_location.items():
        start: dt.datetime | None = None
        for decision in sorted(decisions, key=lambda d: d["decided_at"]):
            if decision["kind"] == "enforcement_started" and start is None:
                start = decision["decided_at"]
            elif decision["kind"] == "enforcement_closed" and start is not None:
                tracks.append((location, start, decision["decided_at"]))
                start = None
        if start is not None:
            tracks.append((location, start, None))
    return tracks


def recount(history: History, start: dt.date, end: dt.date) -> dict[str, Any]:
    tracks = tracks_of(history)
    years = {}
    for year in range(start.year, end.year + 1):
        first = max(start, dt.date(year, 1, 1))
        last = min(end, dt.date(year, 12, 31))
        lo = dt.datetime(first.year, first.month, first.day, tzinfo=BRUSSELS)
        after = last + dt.timedelta(days=1)
        hi = dt.datetime(after.year, after.month, after.day, tzinfo=BRUSSELS)
        danger = [c for c in history.cases if c["kind"] == "danger" and lo <= c["received_at"] < hi]
        starts = [d for d in history.decisions if d["kind"] == "enforcement_started"]
        danger_locations = {loc for c in danger for loc in c["locations"]}
        started = {
            loc
            for c in danger
            for loc in c["locations"]
            if any(
                d["location"] == loc and c["received_at"] <= d["decided_at"] < hi for d in starts
            )
        }

        def decided(kind: str, lo: dt.datetime = lo, hi: dt.datetime = hi) -> int:
            return sum(
                1 for d in history.decisions if d["kind"] == kind and lo <= d["decided_at"] < hi
            )

        years[str(year)] = {
            "danger_situations": len(danger),
            "danger_situations_locations": len(danger_locations),
            "danger_situations_enforcement_started": len(started),
            "admissible_complaints": sum(
                1
                for c in history.cases
                if c["kind"] == "complaint"
                and c["admissible"] is True
                and lo <= c["received_at"] < hi
            ),
            "inspection_enforcement_advices": decided("inspection_advice"),
            "enforcement_locations": len(
                {loc for loc, s, e in tracks if s < hi and (e is None or e >= lo)}
            ),
            "suspension_decisions": decided("suspension"),
            "revocation_decisions": decided("revocation"),
            "civil_party_proceedings": decided("civil_party"),
        }
    return {"from": start.isoformat(), "to": end.isoformat(), "years": years}


def random_periods(rng: random.Random) -> list[tuple[dt.date, dt.date]]:
    periods = [
        (dt.date(2020, 1, 1), dt.date(2024, 12, 31)),
        (dt.date(2021, 12, 31), dt.date(2022, 1, 1)),  # a year boundary, two single days
        (dt.date(2022, 1, 1), dt.date(2022, 1, 1)),
        (dt.date(2022, 12, 31), dt.date(2022, 12, 31)),
        (dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        (dt.date(2023, 1, 1), dt.date(2023, 6, 5)),
    ]
    base = dt.date(2020, 5, 1)
    while len(periods) < 22:
        first = base + dt.timedelta(days=rng.randint(0, 1550))
        length = rng.choice([0, 0, 1, 6, 30, 200, 400, 900])
        periods.append((first, first + dt.timedelta(days=length)))
    return periods


def run(*args: str) -> str:
    out, err = StringIO(), StringIO()
    with translation.override("nl"):
        call_command("opgroeipunt", *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def imported(tmp_path: Path) -> History:
    history = generate(seed=17)
    locations, cases, decisions = write_files(history, tmp_path, random.Random(4))
    run("import", "locations", str(locations))
    run("import", "cases", str(cases))  # every generated row is valid: no CommandError
    out = run("import", "decisions", str(decisions))
    assert "0 geweigerd" in out
    return history


def test_figures_of_random_periods_equal_an_independent_recount(imported: History) -> None:
    for start, end in random_periods(random.Random(2023)):
        assert opgroeipunt_figures(start=start, end=end) == recount(imported, start, end), (
            start,
            end,
        )


def test_the_data_is_rich_enough_to_mean_something(imported: History) -> None:
    whole = recount(imported, dt.date(2020, 1, 1), dt.date(2024, 12, 31))["years"]
    for name in FIGURES:
        assert sum(year[name] for year in whole.values()) > 0, name
    assert any(e is None for _l, _s, e in tracks_of(imported))  # open tracks
    assert any(e is not None for _l, _s, e in tracks_of(imported))  # and closed ones


def test_a_second_import_of_new_rows_recomputes_the_figures(
    imported: History, tmp_path: Path
) -> None:
    more = History(locations=imported.locations)
    more.decisions = [
        {
            "external_id": "X1",
            "location": "LOC1",
            "kind": "enforcement_started",
            "decided_at": dt.datetime(2019, 5, 1, tzinfo=dt.UTC),
        },
        {
            "external_id": "X2",
            "location": "LOC2",
            "kind": "suspension",
            "decided_at": dt.datetime(2022, 5, 1, tzinfo=dt.UTC),
        },
    ]
    path = tmp_path / "more.csv"
    path.write_text(
        "external_id,location_external_id,kind,decided_at\n"
        + "".join(
            f"{d['external_id']},{d['location']},{d['kind']},{d['decided_at'].isoformat()}\n"
            for d in more.decisions
        ),
        encoding="utf-8",
    )
    imported.decisions += more.decisions
    run("import", "decisions", str(path))
    for start, end in [(dt.date(2019, 1, 1), dt.date(2024, 12, 31))]:
        assert opgroeipunt_figures(start=start, end=end) == recount(imported, start, end)


def test_the_json_shape_is_the_fixed_interface(imported: History) -> None:
    text = run("figures", "--from", "2021-12-15", "--to", "2023-06-05", "--format", "json")
    figures = json.loads(text)
    assert list(figures) == ["from", "to", "years"]
    assert (figures["from"], figures["to"]) == ("2021-12-15", "2023-06-05")
    assert list(figures["years"]) == ["2021", "2022", "2023"]
    for year in figures["years"].values():
        assert list(year) == list(FIGURES)
        assert all(type(value) is int for value in year.values())
    assert figures == recount(imported, dt.date(2021, 12, 15), dt.date(2023, 6, 5))


def test_an_empty_register_counts_zero() -> None:
    figures = opgroeipunt_figures(start=dt.date(2022, 12, 31), end=dt.date(2023, 1, 1))
    assert figures["years"] == {
        "2022": dict.fromkeys(FIGURES, 0),
        "2023": dict.fromkeys(FIGURES, 0),
    }


def test_the_table_is_dutch_and_aligned(imported: History) -> None:
    text = run("figures", "--from", "2022-01-01", "--to", "2023-06-05")
    lines = text.splitlines()
    assert lines[0] == "Cijfers Opgroeipunt 2022-01-01 tot en met 2023-06-05 (Brusselse datums)"
    assert lines[2].split() == ["Kengetal", "2022", "2023", "(1/1–5/6)"]
    labels = [
        "Gevaarsituaties",
        "Aantal locaties",
        "Handhaving opgestart na gevaarsituatie",
        "Ontvankelijke klachten",
        "Adviezen handhaving Zorginspectie",
        "Locaties in handhaving",
        "Schorsingsbeslissingen",
        "Opheffingsbeslissingen",
        "Burgerlijke partijstelling",
    ]
    body = lines[4:]
    assert [line[: len(label)] for line, label in zip(body, labels, strict=True)] == labels
    assert len({len(line) for line in body}) == 1  # numbers right-aligned in equal columns
    expected = recount(imported, dt.date(2022, 1, 1), dt.date(2023, 6, 5))["years"]
    assert body[0].split()[-2:] == [
        str(expected["2022"]["danger_situations"]),
        str(expected["2023"]["danger_situations"]),
    ]


def test_xlsx_has_the_table_and_a_native_chart(imported: History, tmp_path: Path) -> None:
    output = tmp_path / "cijfers.xlsx"
    run(
        "figures",
        "--from",
        "2021-01-01",
        "--to",
        "2022-12-31",
        "--format",
        "xlsx",
        "--output",
        str(output),
    )
    check_workbook(output.read_bytes(), imported, dt.date(2021, 1, 1), dt.date(2022, 12, 31))


def check_workbook(content: bytes, history: History, start: dt.date, end: dt.date) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Cijfers", "Grafieken"]
    sheet = workbook["Cijfers"]
    assert sheet["A4"].value == "Kengetal"
    assert sheet["A5"].value == "Gevaarsituaties"
    expected = recount(history, start, end)["years"]
    years = [str(year) for year in range(start.year, end.year + 1)]
    assert [str(sheet.cell(4, 2 + i).value)[:4] for i in range(len(years))] == years
    for row, name in enumerate(FIGURES, start=5):
        assert [sheet.cell(row, 2 + i).value for i in range(len(years))] == [
            expected[year][name] for year in years
        ]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = archive.read(charts[0]).decode()
    assert "<c:barChart>" in chart
    assert "Cijfers!$A$5:$A$13" in chart  # drawn from the table, not from a copy


def test_xlsx_without_output_writes_a_default_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = run("figures", "--from", "2022-01-01", "--to", "2022-12-31", "--format", "xlsx")
    assert (tmp_path / "opgroeipunt-cijfers-20220101-20221231.xlsx").is_file()
    assert "opgroeipunt-cijfers-20220101-20221231.xlsx" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2022-13-01", "--to", "2022-12-31"], "--from: '2022-13-01' is geen datum"),
        (["--from", "1/1/2022", "--to", "2022-12-31"], "is geen datum (gebruik JJJJ-MM-DD)"),
        (["--from", "2022-01-01", "--to", "2021-12-31"], "--to ligt voor --from"),
        (["--from", "1999-12-31", "--to", "2022-12-31"], "kies een datum tussen 2000-01-01"),
        (["--from", "2022-01-01", "--to", "9999-12-31"], "kies een datum tussen 2000-01-01"),
    ],
)
def test_bad_arguments_exit_2_with_a_dutch_message(args: list[str], message: str) -> None:
    with translation.override("nl"), pytest.raises(CommandError) as raised:
        call_command("opgroeipunt", "figures", *args, stdout=StringIO())
    assert raised.value.returncode == 2
    assert message in str(raised.value)


def test_a_wrong_format_is_refused() -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command(
            "opgroeipunt",
            "figures",
            "--from",
            "2022-01-01",
            "--to",
            "2022-01-02",
            "--format",
            "csv",
        )


# --- the page -------------------------------------------------------------------------------------


@pytest.fixture
def manager(make_user: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_user("childcare_customer_manager"))
    return client


def test_the_page_shows_the_figures_per_year(imported: History, manager: Client) -> None:
    response = manager.get(
        reverse("opgroeipunt:figures") + "?from=2021-07-01&to=2022-12-31",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cijfers Opgroeipunt" in html
    for label in (
        "Gevaarsituaties",
        "Handhaving opgestart na gevaarsituatie",
        "Burgerlijke partijstelling",
    ):
        assert label in html
    assert "2021 (1/7–31/12)" in html
    expected = recount(imported, dt.date(2021, 7, 1), dt.date(2022, 12, 31))["years"]
    assert response.context["rows"][0][1] == [
        expected["2021"]["danger_situations"],
        expected["2022"]["danger_situations"],
    ]
    assert 'data-chart="chart-opgroeipunt-figures"' in html
    assert "from=2021-07-01&amp;to=2022-12-31" in html  # the Excel link keeps the period


def test_the_page_explains_a_bad_period(manager: Client) -> None:
    response = manager.get(
        reverse("opgroeipunt:figures") + "?from=2022-05-01&to=2022-01-01",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200
    assert "De einddatum ligt voor de begindatum." in response.content.decode()
    response = manager.get(reverse("opgroeipunt:figures") + "?from=gisteren")
    assert response.status_code == 200
    assert response.context["errors"]


def test_the_excel_download(imported: History, manager: Client) -> None:
    response = manager.get(reverse("opgroeipunt:figures_xlsx") + "?from=2022-01-01&to=2023-06-05")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="opgroeipunt-cijfers-20220101-20230605.xlsx"'
    )
    check_workbook(b"".join(response), imported, dt.date(2022, 1, 1), dt.date(2023, 6, 5))
    bad = manager.get(reverse("opgroeipunt:figures_xlsx") + "?from=2022-05-01&to=2022-01-01")
    assert bad.status_code == 400


def test_only_opgroeipunt_roles_see_the_figures(make_user: Callable[..., User]) -> None:
    for role, status in [
        ("opgroeipunt_team_lead", 200),
        ("childcare_customer_manager", 200),
        ("team_lead", 403),
        ("analyst", 403),
    ]:
        client = Client()
        client.force_login(make_user(role))
        assert client.get(reverse("opgroeipunt:figures")).status_code == status, role
        assert client.get(reverse("opgroeipunt:figures_xlsx")).status_code == status, role
