from decimal import Decimal

import pytest

from kglijn.core.numbers import format_nl


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (139668, 0, "139.668"),
        (24.35, 2, "24,35"),
        (1234567.891, 1, "1.234.567,9"),
        (0, 0, "0"),
        (999, 0, "999"),
        (-1500.5, 1, "-1.500,5"),
        (Decimal("12.5"), 2, "12,50"),
        (7, 1, "7,0"),
        (None, 1, "-"),
    ],
)
def test_numbers_in_the_belgian_dutch_format(value, decimals, text) -> None:
    assert format_nl(value, decimals) == text


def test_a_missing_value_can_say_something_else() -> None:
    assert format_nl(None, none="—") == "—"
