"""The uploaded frame: formats, errors that name row and column, hostile input, all or
nothing, and replacing the frame while the campaign is a draft."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kglijn.campaigns.models import Campaign, CampaignStatus, FrameUnit
from kglijn.campaigns.sampling import frames
from kglijn.campaigns.sampling.frames import FrameRejected, frame_parse
from kglijn.core.models import AuditEvent
from tests.campaigns.sampling_world import campaign_make, frame_fill

pytestmark = pytest.mark.django_db

GOOD = (
    "\ufeffsleutel;email;telefoon;taal;province\n"
    "k1;an@example.be;;nl;BE-VAN\n"
    "k2;;0470 12 34 56;fr;BE-VLI\n"
    "k3;bo@example.be;;;\n"
).encode()


def test_a_csv_with_bom_and_semicolons_is_read() -> None:
    rows = frame_parse(GOOD, file_name="f.csv", variables=["province"])
    assert [(r.external_key, r.email, r.phone, r.language, r.strata) for r in rows] == [
        ("k1", "an@example.be", "", "nl", {"province": "BE-VAN"}),
        ("k2", "", "0470 12 34 56", "fr", {"province": "BE-VLI"}),
        ("k3", "bo@example.be", "", "nl-be", {"province": ""}),
    ]


def test_commas_and_an_xlsx_are_read_too() -> None:
    rows = frame_parse(b"sleutel,province\nk1,BE-VAN\n", file_name="f.csv", variables=["province"])
    assert rows[0].strata == {"province": "BE-VAN"}
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Sleutel", "email", "province"])
    sheet.append([101, "x@example.be", "BE-VOV"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = frame_parse(buffer.getvalue(), file_name="frame.xlsx", variables=["province"])
    assert (rows[0].external_key, rows[0].email, rows[0].strata) == (
        "101",
        "x@example.be",
        {"province": "BE-VOV"},
    )


def errors_of(content: bytes, variables: tuple[str, ...] = ("province",)) -> list[str]:
    with pytest.raises(FrameRejected) as caught:
        frame_parse(content, file_name="f.csv", variables=list(variables))
    return caught.value.errors


def test_errors_name_the_row_and_the_column() -> None:
    content = (
        "sleutel;email;telefoon;taal;province\n"
        "k1;geen-adres;;nl;BE-VAN\n"
        ";a@example.be;;nl;BE-VAN\n"
        "k1;b@example.be;abc;nl;BE-VAN\n"
        "k4;c@example.be;;123;" + "x" * 101 + "\n"
    ).encode()
    assert errors_of(content, ("province",)) == [
        "Rij 2, kolom email: geen geldig e-mailadres",
        "Rij 3, kolom sleutel: leeg",
        "Rij 4, kolom sleutel: staat al op rij 2",
        "Rij 4, kolom telefoon: geen telefoonnummer",
        "Rij 5, kolom province: langer dan 100 tekens",
    ]


def test_a_missing_column_a_nul_and_a_non_utf8_file_are_refused() -> None:
    assert errors_of(b"sleutel;email\nk1;a@example.be\n") == [
        "Rij 1: de kolom(men) province ontbreken; verwacht: sleutel;email;telefoon;taal;province."
    ]
    assert errors_of(b"sleutel;province\nk\x001;BE-VAN\n") == ["Het bestand bevat een NUL-teken."]
    assert errors_of("sleutel;province\nk1;Liège\n".encode("latin-1"))[0].startswith(
        "Het bestand is geen UTF-8-tekst"
    )
    assert errors_of(b"sleutel;province\n") == ["Het bestand bevat geen eenheden."]


def test_at_most_fifty_errors_are_shown_and_the_row_limit_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = ("sleutel;province\n" + ";x\n" * 80).encode()
    assert len(errors_of(content)) == 50
    monkeypatch.setattr(frames, "MAX_ROWS", 3)
    assert errors_of(("sleutel;province\n" + "".join(f"k{i};x\n" for i in range(4))).encode()) == [
        "Het bestand heeft meer dan 3 rijen."
    ]
    monkeypatch.setattr(frames, "MAX_BYTES", 10)
    assert errors_of(b"sleutel;province\nk1;x\n") == ["Het bestand is groter dan 0 MB."]


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def lead_client(make_user: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_user("team_lead", "lead"))
    return client


def upload(client: Client, campaign: Campaign, content: bytes, name: str = "f.csv") -> object:
    return client.post(
        reverse("campaigns:frame_upload", args=[campaign.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_an_upload_with_errors_writes_nothing_and_says_where(lead_client: Client) -> None:
    campaign = campaign_make()
    frame_fill(campaign, {"BE-VAN": 3})
    response = upload(lead_client, campaign, b"sleutel;province\nk1;BE-VAN\nk1;BE-VLI\n")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Rij 3, kolom sleutel: staat al op rij 2" in response.content.decode()  # type: ignore[attr-defined]
    assert FrameUnit.objects.filter(campaign=campaign).count() == 3


def test_an_upload_replaces_the_frame_of_a_draft(lead_client: Client) -> None:
    campaign = campaign_make()
    frame_fill(campaign, {"BE-VAN": 3})
    response = upload(lead_client, campaign, GOOD)
    assert response.status_code == 302  # type: ignore[attr-defined]
    units = FrameUnit.objects.filter(campaign=campaign).order_by("external_key")
    assert [(u.external_key, u.stratum) for u in units] == [
        ("k1", "province=BE-VAN"),
        ("k2", "province=BE-VLI"),
        ("k3", "province="),
    ]
    event = AuditEvent.objects.get(object_type="campaigns.campaign", object_id=campaign.pk)
    assert event.detail == {"event": "frame_upload", "units": 3, "file_name": "f.csv"}
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.FIELDWORK)
    assert upload(lead_client, campaign, GOOD).status_code == 400  # type: ignore[attr-defined]
    assert FrameUnit.objects.filter(campaign=campaign).count() == 3
