"""The printable feedback card: the link as a QR code (segno, pure Python, no network)."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code of the URL (error correction M: survives a crease in the card).

    Safe to mark safe: segno writes only path data and our own attribute values, never the
    URL as text.
    """
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=6, border=2, dark="#000000", svgclass="qr", omitsize=True)
    return mark_safe(svg)  # noqa: S308
