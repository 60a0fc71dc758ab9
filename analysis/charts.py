"""Accessible charts made on the server as SVG (no client library), readable on a phone and on a slide.

`bar_chart` draws a horizontal bar chart: each row's label (wrapped, never cut) with its value on the
line above a thick bar, an optional 95% interval drawn across the bar (a whisker with end caps), and
an optional target drawn as a labelled dashed line. The SVG has role="img", is labelled by its own
<title> and described by its <desc> (aria-labelledby), and comes with a one-sentence text summary and
the rows of its data table, which the template shows with it (templates/_chart.html).

Why this layout: the chart is drawn in a narrow viewBox (`WIDTH` units) with 20-unit text, and the
page shows it between `MIN_WIDTH` and `MAX_WIDTH` CSS pixels, so its text is never smaller than 14 px
(at 320 px wide, inside an open section) nor larger than about 22 px. Labels sit above the bars, so a narrow screen does not
squeeze the bars into lines. Colour is never the only cue: values are written beside every bar, the
target line is dashed and labelled, intervals are black whiskers, suppressed values are said in words.

`standalone_svg` is the same drawing for download (sized in pixels, white background); the workspace
turns it into PNG for slides. Suppressed or missing values are drawn as no bar, never guessed.
Every piece of markup is built with markupsafe (`Markup.format` escapes every value).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Iterable

from markupsafe import Markup

BAR_COLOUR = "#1d70b8"  # GOV.UK blue: 5.2:1 against white (non-text contrast needs 3:1)
TRACK_COLOUR = "#f3f2f1"  # the 0-100% track behind each bar (decoration only)
MARK_COLOUR = "#0b0c0c"  # target line and interval whiskers: 19:1 on white, 4.1:1 on the blue bar
TEXT_COLOUR = "#0b0c0c"
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
WIDTH = 340  # viewBox width
FONT_SIZE = 20  # in viewBox units
LINE = 26  # a line of label text
BAR_HEIGHT = 28
ROW_GAP = 14
TARGET_BAND = 30  # room above the rows for the target's label
LABEL_CHARACTERS = 24  # a label line, leaving room for the value on its right
MIN_WIDTH = 240  # CSS px the page shows the chart at, at least: 20 * 240 / 340 = 14.1 px text
MAX_WIDTH = 380  # ... and at most: 22.4 px text


@dataclass
class Bar:
    label: str
    value: float | None  # a percentage (0-100), or None when suppressed / no base
    display: str  # the value as shown, e.g. "83%" or "[c]"
    detail: str = ""  # e.g. "10 of 12", for the data table
    low: float | None = None  # the 95% interval, in percent, when there is one
    high: float | None = None
    cells: list[str] | None = None  # the data table's cells after the label (default: display, detail)
    table_label: str | None = None  # the label in the data table, when it differs from the chart's


@dataclass
class Chart:
    id: str
    title: str
    svg: Markup
    summary: str
    bars: list[Bar] = field(default_factory=list)
    value_heading: str = "Percentage"
    detail_heading: str = "Count and base"
    headings: list[str] | None = None  # the data table's column headings after the first
    extra_rows: list[list[str]] = field(default_factory=list)  # table rows that are not bars (e.g. not in the base)
    drawing: tuple = ()  # what `standalone_svg` draws from (drawn only when someone downloads it)

    @property
    def standalone_svg(self) -> str:
        """The same chart for download: sized in pixels, on a white background."""
        svg, _ = _draw(*self.drawing, standalone=True)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(svg)

    @property
    def table_headings(self) -> list[str]:
        return self.headings or [self.value_heading, self.detail_heading]

    def table_rows(self) -> list[list[str]]:
        rows = [[b.table_label or b.label, *(b.cells if b.cells is not None else [b.display, b.detail])] for b in self.bars]
        return rows + self.extra_rows


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


def _label_lines(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_CHARACTERS, break_long_words=True) or [""]


def _draw(chart_id: str, title: str, summary: str, bars: list[Bar], target: float | None, maximum: float,
          standalone: bool) -> tuple[Markup, int]:
    """The SVG markup and its height in viewBox units."""
    scale = WIDTH / maximum if maximum else 0.0
    top = TARGET_BAND if target is not None else 4
    rows: list[Markup] = []
    bar_tops: list[float] = []
    y = top
    for bar in bars:
        lines = _label_lines(bar.label)
        for n, line in enumerate(lines):
            rows.append(Markup('<text x="0" y="{}" font-size="{}" fill="{}">{}</text>').format(
                y + LINE * n + 20, FONT_SIZE, TEXT_COLOUR, line))
        value_text = bar.display  # "[c]" or "–" without a bar: the summary and the table say why
        rows.append(Markup('<text x="{}" y="{}" font-size="{}" font-weight="bold" text-anchor="end" fill="{}">{}</text>').format(
            WIDTH, y + 20, FONT_SIZE, TEXT_COLOUR, value_text))
        bar_y = y + LINE * len(lines) + 2
        bar_tops.append(bar_y)
        # The track is a path, so the only rects are the bars (one per row of the data table).
        rows.append(Markup('<path d="M0 {y}h{w}v{h}h-{w}z" fill="{c}"/>').format(y=bar_y, w=WIDTH, h=BAR_HEIGHT, c=TRACK_COLOUR))
        length = 0.0 if bar.value is None else max(0.0, min(maximum, bar.value)) * scale
        if length:
            rows.append(Markup('<rect x="0" y="{}" width="{:.1f}" height="{}" fill="{}"/>').format(bar_y, length, BAR_HEIGHT, BAR_COLOUR))
        if bar.value is not None and bar.low is not None and bar.high is not None:
            mid = bar_y + BAR_HEIGHT / 2
            x1, x2 = max(0.0, bar.low) * scale, min(maximum, bar.high) * scale
            rows.append(Markup(
                '<g stroke="{c}" stroke-width="3"><line x1="{a:.1f}" y1="{m:.1f}" x2="{b:.1f}" y2="{m:.1f}"/>'
                '<line x1="{a:.1f}" y1="{t:.1f}" x2="{a:.1f}" y2="{u:.1f}"/><line x1="{b:.1f}" y1="{t:.1f}" x2="{b:.1f}" y2="{u:.1f}"/></g>'
            ).format(c=MARK_COLOUR, a=x1, b=x2, m=mid, t=bar_y + 4, u=bar_y + BAR_HEIGHT - 4))
        y = bar_y + BAR_HEIGHT + ROW_GAP
    height = max(y, top + 10)
    marks: list[Markup] = []
    if target is not None and maximum:
        # The target crosses each bar (not the label lines, so it never runs through a value).
        x = min(maximum, target) * scale
        anchor = "end" if x > WIDTH * 0.6 else "start"
        marks.append(Markup('<text x="{tx:.1f}" y="20" font-size="{f}" text-anchor="{a}" fill="{tc}">Target {v:g}%</text>').format(
            tx=x + (-4 if anchor == "end" else 4), f=FONT_SIZE, a=anchor, tc=TEXT_COLOUR, v=target))
        marks.append(Markup('<line x1="{x:.1f}" y1="{t}" x2="{x:.1f}" y2="{b}" stroke="{c}" stroke-width="3"/>').format(
            x=x, t=TARGET_BAND - 4, b=TARGET_BAND + 2, c=MARK_COLOUR))
        for bar_y in bar_tops:
            marks.append(Markup(
                '<line x1="{x:.1f}" y1="{t}" x2="{x:.1f}" y2="{b}" stroke="{c}" stroke-width="3" stroke-dasharray="6 4"/>'
            ).format(x=x, t=bar_y - 4, b=bar_y + BAR_HEIGHT + 4, c=MARK_COLOUR))
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    if standalone:
        opening = Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-16 -16 {vw} {vh}" width="{pw}" height="{ph}" '
            'font-family="{font}" role="img" aria-labelledby="{t} {d}"><rect x="-16" y="-16" width="{vw}" height="{vh}" fill="#ffffff"/>'
        ).format(vw=WIDTH + 32, vh=height + 32, pw=(WIDTH + 32) * 2, ph=(height + 32) * 2, font=FONT_FAMILY, t=title_id, d=desc_id)
    else:
        opening = Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" aria-labelledby="{t} {d}" '
            'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMinYMin meet" focusable="false" font-family="{font}">'
        ).format(t=title_id, d=desc_id, w=WIDTH, h=height, font=FONT_FAMILY)
    body = Markup('<title id="{}">{}</title><desc id="{}">{}</desc>').format(title_id, title, desc_id, summary)
    return opening + body + Markup("").join(rows) + Markup("").join(marks) + Markup("</svg>"), height


def bar_chart(
    chart_id: str,
    title: str,
    bars: Iterable[Bar],
    target: float | None = None,
    maximum: float = 100.0,
    value_heading: str = "Percentage",
    detail_heading: str = "Count and base",
    headings: list[str] | None = None,
    extra_rows: list[list[str]] | None = None,
) -> Chart:
    """A horizontal bar chart as accessible SVG (for the page and for download), its summary
    sentence and its table rows."""
    bars = list(bars)
    chart_id = _slug(chart_id)
    summary = _summary(title, bars, target)
    drawing = (chart_id, title, summary, bars, target, maximum)
    svg, _ = _draw(*drawing, standalone=False)
    return Chart(
        id=chart_id, title=title, svg=svg, summary=summary, bars=bars,
        value_heading=value_heading, detail_heading=detail_heading, headings=headings,
        extra_rows=list(extra_rows or []), drawing=drawing,
    )


def percent_text(share: float | None, suppressed: bool = False) -> str:
    if suppressed:
        return "[c]"
    if share is None or share != share:
        return "–"
    return f"{share * 100:.0f}%"
