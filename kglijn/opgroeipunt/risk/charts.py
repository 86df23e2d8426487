"""The reliability (calibration) chart as inline SVG, drawn on the server: no script, no CDN."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

SIZE = 240
PAD = 36


def calibration_svg(table: list[dict[str, Any]]) -> SafeString:
    """Predicted (x) against observed (y) per bin, with the diagonal of perfect calibration."""
    top = max([0.05] + [max(row["predicted"], row["observed"]) for row in table])
    top = min(1.0, round(top * 1.1 + 0.005, 2))
    span = SIZE - 2 * PAD

    def x(value: float) -> float:
        return float(round(PAD + span * value / top, 1))

    def y(value: float) -> float:
        return float(round(SIZE - PAD - span * value / top, 1))

    points = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" class="chart-point"><title>{}</title></circle>',
        (
            (
                x(row["predicted"]),
                y(row["observed"]),
                _("predicted %(p).1f %%, observed %(o).1f %% (n = %(n)d)")
                % {"p": 100 * row["predicted"], "o": 100 * row["observed"], "n": row["n"]},
            )
            for row in table
        ),
    )
    line = " ".join(f"{x(row['predicted'])},{y(row['observed'])}" for row in table)
    return format_html(
        '<svg viewBox="0 0 {size} {size}" width="{size}" height="{size}" role="img" '
        'aria-labelledby="calibration-chart-title" class="chart">'
        '<title id="calibration-chart-title">{title}</title>'
        '<line x1="{lo}" y1="{hi_y}" x2="{hi}" y2="{lo_y}" stroke="currentColor" '
        'stroke-dasharray="4 4" opacity="0.5"/>'
        '<line x1="{lo}" y1="{lo_y}" x2="{hi}" y2="{lo_y}" stroke="currentColor"/>'
        '<line x1="{lo}" y1="{lo_y}" x2="{lo}" y2="{hi_y}" stroke="currentColor"/>'
        '<polyline points="{line}" fill="none" stroke="currentColor" stroke-width="2"/>'
        "{points}"
        '<text x="{mid}" y="{bottom}" text-anchor="middle" font-size="11">{xlabel}</text>'
        '<text x="12" y="{mid}" text-anchor="middle" font-size="11" '
        'transform="rotate(-90 12 {mid})">{ylabel}</text>'
        '<text x="{hi}" y="{top_label}" text-anchor="end" font-size="10">{top_pct}</text>'
        "</svg>",
        size=SIZE,
        title=_("Calibration: predicted against observed share per group of locations"),
        lo=PAD,
        hi=SIZE - PAD,
        lo_y=SIZE - PAD,
        hi_y=PAD,
        line=line,
        points=points,
        mid=SIZE // 2,
        bottom=SIZE - 8,
        xlabel=_("predicted"),
        ylabel=_("observed"),
        top_label=SIZE - PAD + 14,
        top_pct=f"{100 * top:.0f} %",
    )
