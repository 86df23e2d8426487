"""The yearly report equals an independent aggregate of random contacts; exports agree with it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import zipfile
from collections import Counter, defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from kglijn.contacts.models import Contact, Reason, ReferralOrganisation
from kglijn.contacts.rollups.services import rollups_check, rollups_rebuild
from kglijn.contacts.services import contact_escalate, contact_register, contact_update
from kglijn.core.bulk import BulkWriter, m2m_spec, table_spec
from kglijn.core.numbers import format_nl
from kglijn.core.provinces import Province
from kglijn.reports.exports import yearly_report_csv, yearly_report_xlsx
from kglijn.reports.selectors import Segment, period_segments, yearly_report
from tests.conftest import PASSWORD

BXL = ZoneInfo("Europe/Brussels")
UTC = dt.UTC
FIELDS = (
    "id", "channel", "origin", "direction", "received_at", "office", "province", "topic",
    "anonymous", "created_at", "updated_at",
)  # fmt: skip
CONSTANTS: dict[str, object] = {
    "status": "closed",
    "external_id": None,
    "notes": "",
    "health_note": "",
    "caller_name": "",
    "caller_phone": "",
    "caller_email": "",
}
SHEETS = [
    "Inkomend per kanaal",
    "Uitgaand",
    "Provincies",
    "Domeinen",
    "Doorverwijzingen",
    "Contactredenen",
]


def _bulk_random_contacts(count: int, seed: int) -> None:
    """Random contacts written like an import: raw bulk rows, no services, then a rebuild."""
    rng = random.Random(seed)
    reasons = list(Reason.objects.values_list("pk", flat=True))
    referrals = list(ReferralOrganisation.objects.values_list("pk", flat=True))
    start = dt.datetime(2022, 10, 1, tzinfo=BXL).astimezone(UTC)
    span = int((dt.datetime(2023, 5, 1, tzinfo=BXL).astimezone(UTC) - start).total_seconds())
    # Moments around the edges that matter: midnights, the DST changes, New Year.
    edges = [
        dt.datetime(2022, 12, 31, 23, 59, 59, tzinfo=BXL),
        dt.datetime(2023, 1, 1, 0, 0, 0, tzinfo=BXL),
        dt.datetime(2022, 10, 30, 2, 30, tzinfo=BXL),  # DST ends: 02:30 happens twice
        dt.datetime(2023, 3, 26, 1, 59, tzinfo=BXL),
        dt.datetime(2023, 3, 26, 3, 0, tzinfo=BXL),  # DST starts
        dt.datetime(2023, 3, 31, 23, 30, tzinfo=BXL),
        dt.datetime(2023, 4, 1, 0, 30, tzinfo=BXL),
    ]
    ops = connection.ops
    rows, reason_rows, referral_rows = [], [], []
    link = 1
    for pk in range(1, count + 1):
        if pk <= len(edges):
            moment = edges[pk - 1].astimezone(UTC)
        else:
            moment = start + dt.timedelta(seconds=rng.randrange(span))
        channel = rng.choice(["phone", "phone", "email", "chat"])
        origin = rng.choice(["mailbox", "webform", ""]) if channel == "email" else ""
        direction = "out" if rng.random() < 0.08 else "in"
        province = rng.choice([*Province.values, "", ""])
        topic = rng.choice(["childcare", "family_support", ""])
        stamp = ops.adapt_datetimefield_value(moment)
        rows.append(
            (
                pk,
                channel,
                origin,
                direction,
                stamp,
                rng.choice(["front", "pgjo", "childcare"]),
                province,
                topic,
                rng.random() < 0.7,
                stamp,
                stamp,
            )
        )
        for reason in rng.sample(reasons, rng.choice([0, 1, 1, 2, 3])):
            reason_rows.append((link, pk, reason))
            link += 1
        for referral in rng.sample(referrals, rng.choice([0, 0, 0, 1, 2])):
            referral_rows.append((link, pk, referral))
            link += 1
    writer = BulkWriter(connection)
    writer.write(table_spec(Contact, FIELDS, connection=connection, constants=CONSTANTS), rows)
    writer.write(m2m_spec(Contact, "reasons", connection=connection), reason_rows)
    writer.write(m2m_spec(Contact, "referrals", connection=connection), referral_rows)
    writer.finish()
    rollups_rebuild()


def _expected(date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """The yearly report computed straight from the contact rows, in Python."""
    reason_code = dict(Reason.objects.values_list("pk", "code"))
    referral = {
        pk: (code, name)
        for pk, code, name in ReferralOrganisation.objects.values_list("pk", "code", "name")
    }
    through_reasons = Contact.reasons.through.objects.values_list("contact_id", "reason_id")
    through_referrals = Contact.referrals.through.objects.values_list(
        "contact_id", "referralorganisation_id"
    )
    reasons_of: dict[int, list[int]] = defaultdict(list)
    for contact_id, reason_id in through_reasons:
        reasons_of[contact_id].append(reason_id)
    referrals_of: dict[int, list[int]] = defaultdict(list)
    for contact_id, referral_id in through_referrals:
        referrals_of[contact_id].append(referral_id)
    per_year: dict[int, dict[str, Counter[Any]]] = defaultdict(lambda: defaultdict(Counter))
    for pk, received, direction, channel, province, topic in Contact.objects.values_list(
        "pk", "received_at", "direction", "channel", "province", "topic"
    ):
        day = received.astimezone(BXL).date()
        if not date_from <= day <= date_to:
            continue
        bucket = per_year[day.year]
        if direction == "out":
            bucket["outgoing"]["all"] += 1
            continue
        bucket["incoming"][channel] += 1
        bucket["province"][province or "unregistered"] += 1
        if topic:
            bucket["topic"][topic] += 1
        for reason_id in reasons_of[pk]:
            bucket["reasons"][reason_code[reason_id]] += 1
        for referral_id in referrals_of[pk]:
            bucket["referrals"][referral[referral_id]] += 1

    def shares(counts: Counter[Any], keys: list[str]) -> dict[str, float]:
        total = sum(counts[key] for key in keys)
        return {key: round(100 * counts[key] / total, 2) if total else 0.0 for key in keys}

    years = {}
    for year in range(date_from.year, date_to.year + 1):
        bucket = per_year[year]
        incoming = {channel: bucket["incoming"][channel] for channel in ("chat", "phone", "email")}
        top = sorted(bucket["referrals"].items(), key=lambda item: (-item[1], item[0][0]))[:10]
        years[str(year)] = {
            "incoming": {**incoming, "total": sum(incoming.values())},
            "outgoing": bucket["outgoing"]["all"],
            "province_share_pct": shares(bucket["province"], [*Province.values, "unregistered"]),
            "topic_share_pct": shares(bucket["topic"], ["childcare", "family_support"]),
            "top_referrals": [{"code": code, "name": name, "count": n} for (code, name), n in top],
            "reason_counts": dict(
                sorted(bucket["reasons"].items(), key=lambda item: (-item[1], item[0]))
            ),
        }
    return {"from": date_from.isoformat(), "to": date_to.isoformat(), "years": years}


@pytest.fixture
def random_register(agent: User, nurse: User) -> None:
    """3,000 bulk contacts plus a few through the services (incremental rollup deltas)."""
    _bulk_random_contacts(3000, seed=7)
    first = contact_register(
        by=agent,
        channel="email",
        origin="webform",
        received_at=dt.datetime(2023, 1, 1, 0, 0, 1, tzinfo=BXL),
        province="BE-WLX",
        topic="childcare",
        reason_codes=["advice", "vaccination"],
        referral_codes=["groeipakket"],
    )
    second = contact_register(
        by=agent,
        channel="phone",
        received_at=dt.datetime(2022, 12, 31, 23, 59, 59, tzinfo=BXL),
        referral_codes=["one", "rsvz"],
    )
    contact_update(contact=second, by=agent, province="BE-WNA", topic="family_support")
    contact_escalate(contact=first, to_office="childcare", reason="fees", by=agent)
    contact_update(contact=first, by=agent, direction="out")


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (dt.date(2022, 10, 17), dt.date(2023, 4, 12)),  # partial edge months: day rows
        (dt.date(2022, 10, 5), dt.date(2023, 4, 25)),  # mostly covered: month minus days
        (dt.date(2022, 1, 1), dt.date(2023, 12, 31)),  # whole years
        (dt.date(2023, 3, 26), dt.date(2023, 3, 26)),  # one DST day
        (dt.date(2022, 12, 31), dt.date(2023, 1, 1)),  # New Year's Eve and Day
    ],
)
def test_report_equals_independent_aggregate(
    random_register: None, date_from: dt.date, date_to: dt.date
) -> None:
    assert rollups_check() == []

    report = yearly_report(date_from=date_from, date_to=date_to)

    assert report == _expected(date_from, date_to)
    assert json.loads(json.dumps(report)) == report


def test_period_segments_sum_to_exactly_the_days() -> None:
    first, last = dt.date(2023, 1, 1), dt.date(2024, 12, 31)
    for _ in range(300):
        rng = random.Random(_)
        low = first + dt.timedelta(days=rng.randrange(700))
        high = low + dt.timedelta(days=rng.randrange((last - low).days + 1))
        counted: Counter[dt.date] = Counter()
        for segment in period_segments(first=low, last=high):
            day = segment.first
            while day <= segment.last:
                if segment.grain == "m":
                    end = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                    for offset in range((end - day).days):
                        counted[day + dt.timedelta(days=offset)] += segment.sign
                    day = end
                else:
                    counted[day] += segment.sign
                    day += dt.timedelta(days=1)
        expected = {low + dt.timedelta(days=n): 1 for n in range((high - low).days + 1)}
        assert {day: n for day, n in counted.items() if n} == expected
    # A mostly covered month reads the month minus the few days left out.
    assert period_segments(first=dt.date(2023, 1, 3), last=dt.date(2023, 1, 31)) == [
        Segment("m", dt.date(2023, 1, 1), dt.date(2023, 1, 1)),
        Segment("d", dt.date(2023, 1, 1), dt.date(2023, 1, 2), -1),
    ]


def test_xlsx_has_a_sheet_with_a_chart_per_table_and_the_json_numbers(
    random_register: None,
) -> None:
    report = yearly_report(date_from=dt.date(2022, 10, 17), date_to=dt.date(2023, 4, 12))

    content = yearly_report_xlsx(report)

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == SHEETS
    years = list(report["years"])
    channels = workbook["Inkomend per kanaal"]
    assert [cell.value for cell in channels[1]] == ["Kanaal", *years]
    table = {row[0]: row[1:] for row in channels.iter_rows(min_row=2, values_only=True)}
    for label, key in (("Chat", "chat"), ("Telefoon", "phone"), ("E-mail", "email"),
                       ("Totaal", "total")):  # fmt: skip
        assert list(table[label]) == [report["years"][y]["incoming"][key] for y in years]
    outgoing = workbook["Uitgaand"]
    assert [c.value for c in outgoing[2]][1:] == [report["years"][y]["outgoing"] for y in years]
    provinces = workbook["Provincies"]
    assert provinces["B2"].number_format == "0.00%"
    shares = [row[1:] for row in provinces.iter_rows(min_row=2, values_only=True)]
    for index, key in enumerate([*Province.values, "unregistered"]):
        for col, year in enumerate(years):
            value = shares[index][col]
            assert isinstance(value, float | int)
            assert round(value * 100, 2) == report["years"][year]["province_share_pct"][key]
    referrals = list(workbook["Doorverwijzingen"].iter_rows(min_row=2, values_only=True))
    assert referrals == [
        (int(year), row["code"], row["name"], row["count"])
        for year in years
        for row in report["years"][year]["top_referrals"]
    ]
    reasons = {
        row[0]: row[1:] for row in workbook["Contactredenen"].iter_rows(min_row=2, values_only=True)
    }
    names = dict(Reason.objects.values_list("code", "name"))  # the sheet shows names
    for year_index, year in enumerate(years):
        for code, count in report["years"][year]["reason_counts"].items():
            assert reasons[names[code]][year_index] == count
    # Every sheet has a drawing with a native chart.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        charts = [name for name in names if re.fullmatch(r"xl/charts/chart\d+\.xml", name)]
        assert len(charts) == len(SHEETS)
        for number in range(1, len(SHEETS) + 1):
            rels = archive.read(f"xl/worksheets/_rels/sheet{number}.xml.rels").decode()
            drawing = re.search(r'Target="../drawings/(drawing\d+\.xml)"', rels)
            assert drawing is not None
            drawing_rels = archive.read(f"xl/drawings/_rels/{drawing.group(1)}.rels").decode()
            assert "../charts/chart" in drawing_rels


def test_csv_round_trips_to_the_json_report(random_register: None) -> None:
    report = yearly_report(date_from=dt.date(2022, 10, 5), date_to=dt.date(2023, 4, 25))

    text = yearly_report_csv(report)

    rebuilt: dict[str, Any] = {}
    for row in csv.DictReader(io.StringIO(text)):
        year = rebuilt.setdefault(
            row["year"],
            {
                "incoming": {},
                "outgoing": 0,
                "province_share_pct": {},
                "topic_share_pct": {},
                "top_referrals": [],
                "reason_counts": {},
            },
        )
        section, key = row["section"], row["key"]
        if section == "incoming":
            year["incoming"][key] = int(row["value"])
        elif section == "outgoing":
            year["outgoing"] = int(row["value"])
        elif section in ("province_share_pct", "topic_share_pct"):
            year[section][key] = float(row["value"])
        elif section == "top_referrals":
            year["top_referrals"].append(
                {"code": key, "name": row["label"], "count": int(row["value"])}
            )
        else:
            year["reason_counts"][key] = int(row["value"])
    assert rebuilt == report["years"]


def test_command_json_csv_xlsx_and_table(random_register: None, tmp_path: Any) -> None:
    out = io.StringIO()
    call_command("report", "yearly", "--from", "2022-10-17", "--to", "2023-04-12",
                 "--format", "json", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue()) == _expected(dt.date(2022, 10, 17), dt.date(2023, 4, 12))

    target = tmp_path / "report.xlsx"
    call_command("report", "yearly", "--from", "2023-01-01", "--to", "2023-04-12",
                 "--format", "xlsx", "--output", str(target))  # fmt: skip
    assert openpyxl.load_workbook(target).sheetnames == SHEETS

    out = io.StringIO()
    call_command("report", "yearly", "--from", "2023-01-01", "--to", "2023-04-12", stdout=out)
    table = out.getvalue()
    assert "Inkomende contacten per kanaal" in table
    # Numbers as nl-BE writes them: 24,35 for a share (and 139.668 for a count, tests/core).
    (year,) = _expected(dt.date(2023, 1, 1), dt.date(2023, 4, 12))["years"].values()
    total = next(line for line in table.splitlines() if line.startswith("Totaal"))
    assert total.split()[-1] == format_nl(year["incoming"]["total"])
    assert re.search(r"\d,\d\d\b", table)
    assert not re.search(r"\d\.\d\d(?!\d)", table)


def test_command_refuses_bad_dates(db: None) -> None:
    with pytest.raises(CommandError, match="2023-02-30"):
        call_command("report", "yearly", "--from", "2023-02-30", "--to", "2023-03-01")
    with pytest.raises(CommandError, match="before"):
        call_command("report", "yearly", "--from", "2023-03-01", "--to", "2023-02-01")


def test_rollups_command_check_fails_on_a_difference(random_register: None) -> None:
    out = io.StringIO()
    call_command("rollups", "check", stdout=out)
    assert out.getvalue().startswith("rollups kloppen met de klantcontacten (")
    flipped = "in" if Contact.objects.get(pk=1).direction == "out" else "out"
    Contact.objects.filter(pk=1).update(direction=flipped)

    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("rollups", "check", stderr=err)

    assert exit_info.value.code == 1
    assert re.search(r"^\d+ verschil(len)? tussen rollups en klantcontacten$", err.getvalue(), re.M)
    assert re.search(r"\]: rollup \d+, klantcontacten \d+$", err.getvalue(), re.M)
    call_command("rollups", "rebuild", verbosity=0, stdout=io.StringIO())
    assert rollups_check() == []


# --- the page -------------------------------------------------------------------------------


def _login(client: Any, user: User) -> None:
    assert client.login(username=user.username, password=PASSWORD)


def test_page_shows_referrals_reasons_and_download_links(
    client: Any, analyst: User, agent: User
) -> None:
    contact_register(
        by=agent,
        channel="chat",
        received_at=dt.datetime(2022, 6, 1, 10, tzinfo=BXL),
        reason_codes=["advice"],
        referral_codes=["gezinsbond"],
    )
    _login(client, analyst)

    response = client.get(reverse("reports:overview"), {"from": "2022-01-01", "to": "2022-12-31"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Gezinsbond" in body
    assert "Adviesvraag (gezondheid, opvoeding)" in body  # the reason's name, not its code
    assert reverse("reports:yearly_xlsx") + "?from=2022-01-01&amp;to=2022-12-31" in body
    xlsx = client.get(reverse("reports:yearly_xlsx"), {"from": "2022-01-01", "to": "2022-12-31"})
    assert xlsx.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames == SHEETS
    csv_response = client.get(
        reverse("reports:yearly_csv"), {"from": "2022-01-01", "to": "2022-12-31"}
    )
    assert csv_response.status_code == 200
    assert "incoming,2022,chat,Chat,1" in csv_response.content.decode()


def test_download_with_a_bad_date_is_refused_with_the_reason(client: Any, analyst: User) -> None:
    _login(client, analyst)

    response = client.get(reverse("reports:yearly_csv"), {"from": "2022-02-30"})

    assert response.status_code == 400
    assert "2022-02-30" in response.content.decode()


def test_front_office_agent_may_not_download(client: Any, agent: User) -> None:
    _login(client, agent)

    assert client.get(reverse("reports:yearly_xlsx")).status_code == 403
    assert client.get(reverse("reports:yearly_csv")).status_code == 403
