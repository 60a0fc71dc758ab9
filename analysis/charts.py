"""Accessible charts made on the server as SVG (no client library).

`bar_chart` draws a horizontal bar chart: the SVG has role="img", is labelled by its own <title>
and described by its <desc> (aria-labelledby), and comes with a one-sentence text summary and the
rows for a data table, which the template shows beside it (templates/_chart.html). Suppressed or
missing values are drawn as no bar and said in words, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Iterable

from markupsafe import Markup

BAR_COLOUR = "#1d70b8"  # GOV.UK blue: 5.2:1 against white
TARGET_COLOUR = "#d4351c"
TEXT_COLOUR = "#0b0c0c"
ROW_HEIGHT = 32
LABEL_WIDTH = 220
BAR_AREA = 300
VALUE_WIDTH = 80


@dataclass
class Bar:
    label: str
    value: float | None  # a percentage (0-100), or None when suppressed / no base
    display: str  # the value as shown, e.g. "83%" or "[c]"
    detail: str = ""  # e.g. "10 of 12", for the data table


@dataclass
class Chart:
    id: str
    title: str
    svg: Markup
    summary: str
    bars: list[Bar] = field(default_factory=list)
    value_heading: str = "Percentage"
    detail_heading: str = "Count and base"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "chart"


def _summary(title: str, bars: list[Bar], target: float | None) -> str:
    shown = [b for b in bars if b.value is not None]
    if not shown:
        return f"{title}: no figures to show."
    top = max(shown, key=lambda b: b.value)
    parts = [f"{title}: the highest is {top.label} at {top.display}"]
    if len(shown) > 1:
        low = min(shown, key=lambda b: b.value)
        parts.append(f"the lowest is {low.label} at {low.display}")
    hidden = len(bars) - len(shown)
    sentence = ", ".join(parts) + "."
    if target is not None:
        sentence += f" The target is {target:g}%."
    if hidden:
        sentence += f" {hidden} {'value is' if hidden == 1 else 'values are'} not shown (too few responses)."
    return sentence


def bar_chart(
    chart_id: str,
    title: str,
    bars: Iterable[Bar],
    target: float | None = None,
    maximum: float = 100.0,
    value_heading: str = "Percentage",
    detail_heading: str = "Count and base",
) -> Chart:
    """A horizontal bar chart as accessible SVG, its summary sentence and its table rows."""
    bars = list(bars)
    chart_id = _slug(chart_id)
    summary = _summary(title, bars, target)
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    height = max(1, len(bars)) * ROW_HEIGHT + 8
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(summary)}</desc>',
    ]
    scale = BAR_AREA / maximum if maximum else 0
    for i, bar in enumerate(bars):
        y = 4 + i * ROW_HEIGHT
        label = bar.label if len(bar.label) <= 34 else bar.label[:33] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 20}" text-anchor="end" font-size="14" fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
        length = 0.0 if bar.value is None else max(0.0, min(maximum, bar.value)) * scale
        if length:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{ROW_HEIGHT - 10}" fill="{BAR_COLOUR}"/>')
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 20}" font-size="14" fill="{TEXT_COLOUR}">{escape(bar.display)}</text>'
        )
    if target is not None and maximum:
        x = LABEL_WIDTH + min(maximum, target) * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="4 3"/>'
        )
    parts.append("</svg>")
    return Chart(
        id=chart_id, title=title, svg=Markup("".join(parts)), summary=summary, bars=bars,
        value_heading=value_heading, detail_heading=detail_heading,
    )


def percent_text(share: float | None, suppressed: bool = False) -> str:
    if suppressed:
        return "[c]"
    if share is None or share != share:
        return "–"
    return f"{share * 100:.0f}%"
