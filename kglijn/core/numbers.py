"""Numbers as a Flemish reader writes them: 139.668 and 24,35 (nl-BE).

For what an operator reads in a terminal (command summaries, the yearly report's table). Web
pages use Django's localisation; machine formats (JSON, CSV) keep plain numbers.
"""

from __future__ import annotations

from decimal import Decimal

_SWAP = str.maketrans(",.", ".,")


def format_nl(value: int | float | Decimal | None, decimals: int = 0, *, none: str = "-") -> str:
    """`value` rounded to `decimals`, '.' between thousands and ',' before the decimals."""
    if value is None:
        return none
    english = f"{value:,.{decimals}f}"
    return english.translate(_SWAP)
