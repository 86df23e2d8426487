"""The invoice check: upload (CSV/XLSX) with every error named by row and column and nothing
written on any; matching with the statement finds the planted differences; the contacts behind
a line carry no personal data, are the team lead's only and are audit-logged."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kglijn.core.models import AuditEvent
from kglijn.core.vocabulary import Channel, Direction, Office
from kglijn.steering.contract.invoices import InvoiceRejected, invoice_check, invoice_import
from kglijn.steering.contract.statement import statement_month
from kglijn.steering.models import Invoice, InvoiceLine
from tests.contacts.factories import ContactFactory, EscalationFactory
from tests.steering.contract_world import BRUSSELS, make_contract

pytestmark = pytest.mark.django_db

MARCH = dt.date(2023, 3, 1)
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "invoice-2023-03.csv"
HEADER = "code;omschrijving;aantal;eenheidsprijs;bedrag\n"


def csv_bytes(body: str, *, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + HEADER + body).encode()


@pytest.fixture
def march() -> None:
    make_contract(change_month=None)
    at = dt.datetime(2023, 3, 6, 10, tzinfo=BRUSSELS)
    for n in range(3):
        ContactFactory.create(
            received_at=at + dt.timedelta(hours=n),
            answered_at=at,
            with_caller=True,
            notes="Vertrouwelijke nota",
            external_id=f"inv-{n}",
        )
    escalated = ContactFactory.create(
        received_at=at,
        answered_at=at,
        office=Office.PGJO,
        caller_phone="0470999999",
        anonymous=False,
    )
    EscalationFactory.create(contact=escalated, from_office=Office.FRONT, to_office=Office.PGJO)
    ContactFactory.create(received_at=at)  # not answered: not on the line
    ContactFactory.create(channel=Channel.EMAIL, direction=Direction.OUT, received_at=at)


def test_rows_with_errors_are_named_and_nothing_is_written(team_lead) -> None:
    body = (
        "contacts-phone-incoming;Oproepen;4;3,125;12,50\n"
        "fee-ict;ICT;1;12500;twaalf\n"  # row 3
        ";Zonder code;1;1;1\n"  # row 4
        "fee-ict;Dubbel;1;1;1\n"  # row 5
        "call-minutes;Minuten;abc;0,045;\n"  # row 6
    )
    with pytest.raises(InvoiceRejected) as caught:
        invoice_import(
            by=team_lead, month=MARCH, reference="F-1", file_name="f.csv", content=csv_bytes(body)
        )
    errors = caught.value.errors
    assert "rij 3, kolom bedrag: geen getal" in errors
    assert "rij 4, kolom code: leeg" in errors
    assert "rij 5, kolom code: staat al op rij 3" in errors
    assert "rij 6, kolom aantal: geen getal" in errors
    assert "rij 6, kolom bedrag: leeg" in errors
    assert not Invoice.objects.exists()
    assert not InvoiceLine.objects.exists()
    assert not AuditEvent.objects.filter(detail__event="invoice_import").exists()
    for content, name, expected in (
        (b"code;omschrijving;bedrag\nx;y;1\n", "f.csv", "aantal"),
        (b"", "f.csv", "leeg"),
        (HEADER.encode() + b"a\x00b;x;1;1;1\n", "f.csv", "NUL"),
        (HEADER.encode() + "café;x;1;1;1\n".encode("latin-1"), "f.csv", "UTF-8"),
        (b"x" * 1_000_001, "f.csv", "kB"),
        (b"PK\x03\x04 not really", "f.xlsx", "Excel"),
    ):
        with pytest.raises(InvoiceRejected) as caught:
            invoice_import(
                by=team_lead, month=MARCH, reference="F-1", file_name=name, content=content
            )
        assert expected in " ".join(caught.value.errors), (content[:20], caught.value.errors)
    with pytest.raises(InvoiceRejected) as caught:
        invoice_import(
            by=team_lead,
            month=dt.date(2023, 3, 2),
            reference="",
            file_name="f.csv",
            content=csv_bytes("malus;x;0;0;0\n"),
        )
    assert len(caught.value.errors) == 2
    assert not Invoice.objects.exists()


def test_matching_finds_the_planted_differences(team_lead, march) -> None:
    statement = statement_month(MARCH)
    phone = statement.line("contacts-phone-incoming")
    assert phone is not None
    assert phone.quantity == 4
    body = (
        # quantity and amount as stated (decimal comma)
        f"contacts-phone-incoming;Oproepen;4;3,125;{str(phone.amount).replace('.', ',')}\n"
        # planted: one e-mail more than stated
        "contacts-email-outgoing;Mails;2;1,3333;2,67\n"
        # planted: a cent's difference is tolerated, two are not
        "fee-ict;ICT;1;12500;12500,01\n"
        "fee-info;Info;1;3000,50;3000,48\n"
        # planted: a code the statement does not know
        "fee-extra;Extra;1;99;99,00\n"
        "malus;Malus;0;0;0\n"
    )
    invoice = invoice_import(
        by=team_lead,
        month=MARCH,
        reference="F-2023-03",
        file_name="f.csv",
        content=csv_bytes(body, bom=True),
    )
    check = invoice_check(invoice)
    rows = {row.key: row for row in check.rows}
    assert not rows["contacts-phone-incoming"].flagged
    assert rows["contacts-email-outgoing"].flagged
    assert rows["contacts-email-outgoing"].quantity_differs
    assert rows["contacts-email-outgoing"].difference == Decimal("1.34")
    assert not rows["fee-ict"].flagged
    assert rows["fee-info"].flagged
    assert rows["fee-info"].difference == Decimal("-0.02")
    assert rows["fee-extra"].status == "unknown"
    assert rows["fee-extra"].flagged
    assert rows["call-minutes"].status == "missing"
    assert not rows["call-minutes"].flagged
    assert rows["contacts-email-incoming"].status == "missing"
    flagged = {row.key for row in check.rows if row.flagged}
    assert flagged == {"contacts-email-outgoing", "fee-info", "fee-extra"}
    assert check.total_difference == Decimal("1.34") + Decimal("0.01") - Decimal("0.02") + 99
    assert check.invoice_total - check.statement_total == check.total_difference
    audit = AuditEvent.objects.get(detail__event="invoice_import")
    assert audit.object_id == invoice.pk
    assert audit.actor == team_lead


def test_xlsx_upload_and_the_example_file(team_lead, march) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "omschrijving", "aantal", "eenheidsprijs", "bedrag"])
    sheet.append(["fee-ict", "ICT", 1, 12500, 12500.0])
    sheet.append(["call-minutes", "Minuten", 10.5, 0.045, 0.47])
    buffer = io.BytesIO()
    book.save(buffer)
    invoice = invoice_import(
        by=team_lead, month=MARCH, reference="X1", file_name="f.xlsx", content=buffer.getvalue()
    )
    assert list(invoice.lines.values_list("key", "amount")) == [
        ("fee-ict", Decimal("12500.00")),
        ("call-minutes", Decimal("0.47")),
    ]
    example = invoice_import(
        by=team_lead,
        month=MARCH,
        reference="EX",
        file_name=EXAMPLE.name,
        content=EXAMPLE.read_bytes(),
    )
    assert example.lines.count() == 8
    assert {row.status for row in invoice_check(example).rows} == {"matched"}


def test_invoice_pages_upload_and_contacts_download(team_lead, analyst, march) -> None:
    lead = Client()
    lead.force_login(team_lead)
    bad = SimpleUploadedFile("f.csv", csv_bytes("fee-ict;ICT;1;1;een\n"), content_type="text/csv")
    response = lead.post(
        reverse("steering:invoice_upload"), {"month": "2023-03", "reference": "F9", "file": bad}
    )
    assert response.status_code == 400
    assert "rij 2, kolom bedrag: geen getal" in response.content.decode()
    assert not Invoice.objects.exists()
    good = SimpleUploadedFile("f.csv", csv_bytes("contacts-phone-incoming;x;5;3,125;15,63\n"))
    response = lead.post(
        reverse("steering:invoice_upload"), {"month": "2023-03", "reference": "F9", "file": good}
    )
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("steering:invoice", args=[invoice.pk])
    page = lead.get(response["Location"]).content.decode()
    assert "verschil" in page
    assert "Illustratieve prijstabel" not in page
    url = reverse("steering:invoice_contacts", args=[invoice.pk, "contacts-phone-incoming"])
    assert url in page
    download = lead.get(url)
    assert download.status_code == 200
    text = download.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [
        "id",
        "referentie",
        "kanaal",
        "richting",
        "ontvangen",
        "dienst",
        "beantwoord",
    ]
    assert len(rows) == 5  # the 4 contacts of the line
    assert {row[5] for row in rows[1:]} == {"front", "pgjo"}
    for secret in (
        "Jan Peeters",
        "0470123456",
        "jan.peeters@example.be",
        "0470999999",
        "Vertrouwelijke",
    ):
        assert secret not in text
    event = AuditEvent.objects.get(detail__event="invoice_contacts_download")
    assert event.actor == team_lead
    assert event.detail["contacts"] == 4
    assert (
        lead.get(reverse("steering:invoice_contacts", args=[invoice.pk, "fee-ict"])).status_code
        == 404
    )
    # The analyst sees the check but may neither download the contacts nor upload.
    other = Client()
    other.force_login(analyst)
    analyst_page = other.get(reverse("steering:invoice", args=[invoice.pk]))
    assert analyst_page.status_code == 200
    assert url not in analyst_page.content.decode()
    assert other.get(url).status_code == 403
    again = SimpleUploadedFile("f.csv", csv_bytes("malus;x;0;0;0\n"))
    assert (
        other.post(
            reverse("steering:invoice_upload"),
            {"month": "2023-03", "reference": "F10", "file": again},
        ).status_code
        == 403
    )
    assert Invoice.objects.count() == 1
    assert AuditEvent.objects.filter(detail__event="invoice_contacts_download").count() == 1
