"""The contract pages: the contract and its versions (the team lead adds one, every change kept
and audit-logged), the monthly and yearly statement pages and their Excel downloads."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kglijn.core.models import AuditEvent
from kglijn.steering.contract.services import contract_version_create
from kglijn.steering.models import Contract, ContractVersion
from tests.contacts.factories import ContactFactory
from tests.steering.contract_world import BRUSSELS, PRICES_V1, make_contract

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def version_post(valid_from: str, **changes) -> dict[str, str]:
    data = {
        "valid_from": valid_from,
        "telecom_per_minute": "0,05",
        "price_phone_in": "3,40",
        "price_phone_out": "2,60",
        "price_email_in": "4,10",
        "price_email_out": "1,40",
        "phone_target_pct": "80",
        "phone_target_seconds": "20",
        "email_target_pct": "90",
        "email_target_working_days": "2",
        "malus_per_point": "250",
        "malus_cap_per_month": "10000",
        "note": "Indexering 2024",
        "fees-TOTAL_FORMS": "2",
        "fees-INITIAL_FORMS": "0",
        "fees-MIN_NUM_FORMS": "0",
        "fees-MAX_NUM_FORMS": "20",
        "fees-0-code": "ict",
        "fees-0-name": "ICT-tools",
        "fees-0-monthly_amount": "13500,00",
        "fees-1-code": "",
        "fees-1-name": "",
        "fees-1-monthly_amount": "",
    }
    data.update(changes)
    return data


def test_without_contract_the_page_says_so_and_the_lead_creates_the_first(
    team_lead, analyst
) -> None:
    lead, other = client_for(team_lead), client_for(analyst)
    page = lead.get(reverse("steering:contract")).content.decode()
    assert "Er is nog geen contract ingevoerd." in page
    assert reverse("steering:contract_version_new") in page
    assert (
        reverse("steering:contract_version_new")
        not in other.get(reverse("steering:contract")).content.decode()
    )
    assert other.get(reverse("steering:contract_version_new")).status_code == 403
    assert (
        other.post(reverse("steering:contract_version_new"), version_post("2024-01")).status_code
        == 403
    )
    response = lead.post(
        reverse("steering:contract_version_new"),
        version_post("2024-01", contract_name="Raamcontract", supplier="NV", illustrative="on"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contract = Contract.objects.get()
    assert contract.illustrative
    assert contract.name == "Raamcontract"
    version = contract.versions.get()
    assert version.valid_from == dt.date(2024, 1, 1)
    assert version.created_by == team_lead
    assert {(p.channel, p.direction): p.price for p in version.prices.all()}[
        ("phone", "in")
    ] == Decimal("3.4000")
    assert version.fees.get().monthly_amount == Decimal("13500.00")
    assert AuditEvent.objects.get(detail__event="contract_version_create").object_id == version.pk
    page = lead.get(reverse("steering:contract")).content.decode()
    assert "Illustratieve prijstabel" in page
    assert "Indexering 2024" in page


def test_a_new_version_keeps_the_old_one_and_is_validated(team_lead) -> None:
    old, _new = make_contract(by=team_lead)
    before = ContractVersion.objects.values().get(pk=old.pk)
    lead = client_for(team_lead)
    form = lead.get(reverse("steering:contract_version_new")).content.decode()
    assert 'value="3,5000"' in form  # prefilled from the current version (July 2023)
    assert (
        lead.post(reverse("steering:contract_version_new"), version_post("2024-02")).status_code
        == 302
    )
    assert ContractVersion.objects.count() == 3
    assert ContractVersion.objects.values().get(pk=old.pk) == before
    # The same month again, a bad month, a negative price, a half-filled fee: refused,
    # nothing written.
    for data, text in (
        (version_post("2024-02"), "Er bestaat al een versie vanaf deze datum"),
        (version_post("2024-13"), "is geen maand"),
        (version_post("1999-12"), "Kies een maand tussen"),
        (version_post("2024-03", price_phone_in="-1"), "price_phone_in"),
        (version_post("2024-03", **{"fees-1-code": "x"}), "Vul de code, de naam en het bedrag in"),
    ):
        response = lead.post(reverse("steering:contract_version_new"), data)
        assert response.status_code == 200
        assert text in response.content.decode(), text
    assert ContractVersion.objects.count() == 3
    with pytest.raises(ValidationError) as caught:
        contract_version_create(
            by=team_lead,
            valid_from=dt.date(2024, 5, 15),
            telecom_per_minute=Decimal("0"),
            prices=PRICES_V1,
        )
    assert "valid_from" in caught.value.message_dict
    assert AuditEvent.objects.filter(detail__event="contract_version_create").count() == 3


def test_statement_pages_and_downloads(analyst) -> None:
    make_contract(illustrative=True)
    at = dt.datetime(2023, 3, 6, 10, tzinfo=BRUSSELS)
    ContactFactory.create(received_at=at, answered_at=at)
    other = client_for(analyst)
    page = other.get(reverse("steering:statement") + "?maand=2023-03")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Illustratieve prijstabel" in text
    assert "Hoe wordt dit berekend?" in text
    assert 'data-key="contacts-phone-incoming"' in text
    assert 'data-total="15503.63"' in text
    assert "niet gemeten" in text
    assert other.get(reverse("steering:statement") + "?maand=2023-99").status_code == 400
    assert (
        "Er is geen contractversie geldig"
        in other.get(reverse("steering:statement") + "?maand=2022-03").content.decode()
    )
    download = other.get(reverse("steering:statement_xlsx") + "?maand=2023-03")
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).worksheets[0]
    assert sheet.cell(row=6, column=6).value == pytest.approx(3.13)
    assert sheet.cell(row=6, column=6).number_format.startswith("€")
    year = other.get(reverse("steering:statement_year") + "?jaar=2023")
    text = year.content.decode()
    assert year.status_code == 200
    assert "data-extrapolation" in text
    assert "geëxtrapoleerd" in text.lower()
    assert other.get(reverse("steering:statement_year") + "?jaar=1850").status_code == 400
    book = other.get(reverse("steering:statement_year_xlsx") + "?jaar=2023")
    assert any(
        n.startswith("xl/charts/") for n in zipfile.ZipFile(io.BytesIO(book.content)).namelist()
    )


def test_the_contract_page_shows_a_version_nobody_entered(analyst) -> None:
    # The demo's version has no author (created_by is empty): the page says "—", no 500.
    make_contract(by=None, change_month=None)
    response = client_for(analyst).get(reverse("steering:contract"))
    assert response.status_code == 200
    assert "—" in response.content.decode()
