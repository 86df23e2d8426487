"""The postcode -> province rule (docs/domain.md) for every province, and what it refuses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from kglijn.core.provinces import (
    PROVINCE_CHOICES_WITH_UNREGISTERED,
    UNREGISTERED,
    InvalidPostcode,
    Province,
    province_for_postcode,
    province_label,
)

# The first and last postcode of every range in docs/domain.md, plus one inside.
RANGES = [
    (1000, 1299, "BE-BRU"),
    (1300, 1499, "BE-WBR"),
    (1500, 1999, "BE-VBR"),
    (2000, 2999, "BE-VAN"),
    (3000, 3499, "BE-VBR"),
    (3500, 3999, "BE-VLI"),
    (4000, 4999, "BE-WLG"),
    (5000, 5999, "BE-WNA"),
    (6000, 6599, "BE-WHT"),
    (6600, 6999, "BE-WLX"),
    (7000, 7999, "BE-WHT"),
    (8000, 8999, "BE-VWV"),
    (9000, 9999, "BE-VOV"),
]
BOUNDARIES = [
    pytest.param(str(postcode), code, id=f"{postcode}-{code}")
    for first, last, code in RANGES
    for postcode in (first, (first + last) // 2, last)
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted by their English msgid, whatever the Dutch catalogue says.
    with translation.override("en"):
        yield


FOUR_DIGITS = "A Belgian postcode has 4 digits."
OUT_OF_RANGE = "Not a valid Belgian postcode (1000 to 9999)."


@pytest.mark.parametrize(("postcode", "expected"), BOUNDARIES)
def test_every_range_boundary_maps_to_its_province(postcode: str, expected: str) -> None:
    # given a postcode at the start, middle or end of a range; when mapped
    province = province_for_postcode(postcode)
    # then it is that range's province (a Province member, equal to its ISO code)
    assert isinstance(province, Province)
    assert province == expected
    assert province.value == expected


def test_ranges_cover_1000_to_9999_without_gaps() -> None:
    # given every four-digit postcode; then each maps to exactly the province of its table row
    for number in range(1000, 10000):
        expected = next(code for first, last, code in RANGES if first <= number <= last)
        assert province_for_postcode(number) == expected, number


def test_every_province_is_reachable_from_a_postcode() -> None:
    reached = {province_for_postcode(first) for first, _last, _code in RANGES}
    assert reached == set(Province)


def test_the_eleven_iso_codes() -> None:
    assert sorted(Province.values) == sorted(
        [
            "BE-VAN",
            "BE-VBR",
            "BE-WBR",
            "BE-VWV",
            "BE-VOV",
            "BE-WHT",
            "BE-WLG",
            "BE-VLI",
            "BE-WLX",
            "BE-WNA",
            "BE-BRU",
        ]
    )
    assert len(Province.values) == 11


def test_choices_with_unregistered_start_with_the_empty_code() -> None:
    codes = [code for code, _label in PROVINCE_CHOICES_WITH_UNREGISTERED]
    assert codes == [UNREGISTERED, *Province.values]
    assert UNREGISTERED == ""


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        (2000, "BE-VAN"),  # an int, as a spreadsheet import delivers it
        (" 2000 ", "BE-VAN"),  # surrounding whitespace
        ("B-2000", "BE-VAN"),  # the old international notation
        ("b-9000", "BE-VOV"),
        ("B-1000", "BE-BRU"),
    ],
)
def test_accepted_notations(postcode: str | int, expected: str) -> None:
    assert province_for_postcode(postcode) == expected


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("0999", OUT_OF_RANGE),
        ("0000", OUT_OF_RANGE),
        ("10000", FOUR_DIGITS),
        (999, FOUR_DIGITS),
        ("abcd", FOUR_DIGITS),
        ("", FOUR_DIGITS),
        ("   ", FOUR_DIGITS),
        ("20 00", FOUR_DIGITS),
        ("2000a", FOUR_DIGITS),
        ("-200", FOUR_DIGITS),
        ("+200", FOUR_DIGITS),
        ("B-", FOUR_DIGITS),
        ("B2000", FOUR_DIGITS),
        ("NL-2000", FOUR_DIGITS),
        ("20.0", FOUR_DIGITS),
        ("200²", FOUR_DIGITS),  # str.isdigit() is True for "²" but int() refuses it
        ("٢٠٠٠", FOUR_DIGITS),  # Arabic-Indic digits: not a Belgian postcode
        ("２０００", FOUR_DIGITS),  # full-width digits
    ],
)
def test_invalid_postcodes_are_refused_with_a_clear_message(
    postcode: str | int, message: str
) -> None:
    with pytest.raises(InvalidPostcode) as excinfo:
        province_for_postcode(postcode)
    assert str(excinfo.value) == message


def test_invalid_postcode_is_a_value_error() -> None:
    assert issubclass(InvalidPostcode, ValueError)


def test_message_is_translated_when_shown_not_when_raised() -> None:
    # The exception carries a lazy string: it is rendered in the language active when shown.
    with translation.override("nl-be"), pytest.raises(InvalidPostcode) as excinfo:
        province_for_postcode("abcd")
    with translation.override("en"):
        assert str(excinfo.value) == FOUR_DIGITS


def test_province_label() -> None:
    with translation.override("en"):
        assert province_label("BE-VAN") == "Antwerp"
        assert province_label("BE-BRU") == "Brussels"
        assert province_label(UNREGISTERED) == "Not registered"
    with pytest.raises(ValueError, match="BE-XXX"):
        province_label("BE-XXX")
