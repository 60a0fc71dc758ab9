"""The board report: a survey's results laid out for the partnership board, to download from the
results page as Word (python-docx) or PDF (fpdf2), and an easy-read summary as its own document.

Everything in it can be circulated, so every figure is a published one: the same disclosure control
as the public pages and the published figures CSV (groups under 10 hidden whole, counts of 1 to 4
hidden with secondary suppression), taken from `analysis.metrics` with `full=False` and from
`published_headline`; never a second suppression of our own. Quotes are only those an officer
approved (redacted, consent re-checked by `approved_quotes`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from analysis.charts import Bar, bar_chart
from analysis.disclosure import LOW_COUNTS, MIN_GROUP, SUPPRESSED_LABEL
from analysis.loading import BREAKDOWNS, load_run
from analysis.metrics import HEADLINE_QUESTION, POSITIVE, breakdowns
from analysis.report import TrendPoint, change_since, change_words, target_verdict
from feedback.accounts.auth import Account
from feedback.publishing.quotes import approved_quotes
from feedback.results.dashboard import figure_rows, interval_text, published_headline
from feedback.results import cache
from feedback.results.service import svg_to_png, visible_lineage
from feedback.themes.views import themes_overview
from surveys.runs import Run

TOP_THEMES = 5
MAX_QUOTES = 6


@dataclass
class Table:
    title: str
    headings: list[str]
    rows: list[list[str]]


@dataclass
class BoardReport:
    title: str
    made_on: str
    headline_percent: str  # e.g. "78%" or "[c]"
    headline_sentence: str
    verdict: str
    change: str
    respondents: int
    trend: Table
    trend_png: bytes | None
    breakdowns: list[tuple[Table, bytes | None]] = field(default_factory=list)
    themes: Table | None = None
    themes_note: str = ""
    quotes: list[str] = field(default_factory=list)
    easy_headline: str = ""


def _published_point(run: Run, label: str, data: Any, target: float) -> TrendPoint:
    published = published_headline(data, target)
    result = published["headline"] if published else None
    if result is None or result.share is None:
        return TrendPoint(run.id, label, run.title, None, None, None, None, result.base if result else None, len(data))
    return TrendPoint(run.id, label, run.title, result.share, result.ci_low, result.ci_high, result.positive, result.base, len(data))


def _png(chart) -> bytes | None:
    try:
        return svg_to_png(chart.standalone_svg)
    except Exception:  # a missing libcairo must not stop the report: its tables carry every figure
        return None


async def board_report_data(account: Account, run: Run, target: float) -> BoardReport:
    """The report's figures are computed once per state of the data (see `feedback.results.cache`);
    the date and the approved quotes (whose review is not in that key) are read every time."""
    runs = await visible_lineage(account, run)
    key = ("board-report", run.id, target, await cache.fingerprint(runs, run.id))
    report = cache.get(key)
    if report is None:
        report = await _report_figures(run, runs, target)
        cache.put(key, report)
    return replace(report, made_on=datetime.now(timezone.utc).strftime("%-d %B %Y"),
                   quotes=[q.text for q in (await approved_quotes(run.id))[:MAX_QUOTES]])


async def _report_figures(run: Run, visible: list[Run], target: float) -> BoardReport:
    history = [(r, await load_run(r)) for r in visible]
    data = history[-1][1]
    points = [_published_point(r, r.year or r.title, d, target) for r, d in history]
    now = points[-1]
    published = published_headline(data, target)
    result = published["headline"] if published else None
    _, verdict = target_verdict(result)
    percent = SUPPRESSED_LABEL if now.share is None else f"{now.share * 100:.0f}%"
    if result is None:
        sentence = "This survey has no overall satisfaction question."
    elif now.share is None:
        sentence = (f"Too few people answered to publish the overall figure (we publish groups of {MIN_GROUP} or more).")
    else:
        sentence = (f"{percent} of the {now.base} people who answered were satisfied or very satisfied overall "
                    f"(95% interval {interval_text(now.ci_low, now.ci_high)}), against a target of {target * 100:g}%.")
    change = ""
    if len(points) >= 2:
        change = change_words(*change_since(points[-1], points[-2]), since=points[-2].label)
    trend_rows = [[p.label, SUPPRESSED_LABEL if p.share is None else f"{p.share * 100:.0f}%",
                   SUPPRESSED_LABEL if p.share is None else f"{p.positive} of {p.base}", interval_text(p.ci_low, p.ci_high)]
                  for p in points]
    trend_chart = bar_chart(
        "board-trend", "Share satisfied, year by year",
        [Bar(f"{p.label}", None if p.share is None else p.share * 100, row[1], row[2],
             low=None if p.ci_low is None else p.ci_low * 100, high=None if p.ci_high is None else p.ci_high * 100)
         for p, row in zip(points, trend_rows)],
        target=target * 100,
    )
    report = BoardReport(
        title=run.title, made_on=datetime.now(timezone.utc).strftime("%-d %B %Y"), headline_percent=percent,
        headline_sentence=sentence, verdict=verdict, change=change, respondents=len(data),
        trend=Table("Share satisfied, year by year", ["Year", "Satisfied", "Satisfied of base", "95% interval"], trend_rows),
        trend_png=_png(trend_chart) if any(p.share is not None for p in points) else None,
    )
    if result is not None:
        for by, figures in breakdowns(data, HEADLINE_QUESTION, full=False).items():
            rows = [r for r in figure_rows(figures.table) if r["kind"] == POSITIVE]
            table_rows = [[r["group_label"], r["percent_text"],
                           SUPPRESSED_LABEL if r["suppressed"] or r["count"] is None or r["base"] is None else f"{r['count']} of {r['base']}",
                           "–" if r["suppressed"] else r["interval_text"]] for r in rows]
            chart = bar_chart(f"board-{by}", f"Share satisfied by {BREAKDOWNS.get(by, by).lower()}",
                              [Bar(r["group_label"], None if r["share"] is None or r["suppressed"] else r["share"] * 100, r["percent_text"])
                               for r in rows], target=target * 100)
            shown = any(not r["suppressed"] and r["share"] is not None for r in rows)
            report.breakdowns.append((Table(f"Satisfied by {BREAKDOWNS.get(by, by).lower()}",
                                            ["Group", "Satisfied", "Satisfied of base", "95% interval"], table_rows),
                                      _png(chart) if shown else None))
    themes = published_themes((await themes_overview(run, data))["themes"], limit=TOP_THEMES)
    if themes["rows"]:
        report.themes = Table("Themes raised most in comments", ["Theme", "People raising it", "Share of commenters"],
                              [[t["label"], t["people_text"], t["share_text"]] for t in themes["rows"]])
    report.themes_note = themes["note"]
    if now.share is not None:
        tenths = round(now.share * 10)
        report.easy_headline = f"About {tenths} out of 10 people who answered were happy with the help for SEND."
    else:
        report.easy_headline = "Not enough people answered for us to share the numbers yet."
    return report


def published_themes(themes: dict[str, Any], limit: int | None = TOP_THEMES) -> dict[str, Any]:
    """Theme figures fit to circulate: none unless at least MIN_GROUP people commented, and a theme
    raised by 1 to 4 people shown as [c] (the same rules as every published figure). Each row has
    `key`, `label`, `people`, `share` (None when hidden), their texts and `suppressed`."""
    commenters = themes.get("commenters") or 0
    if commenters < MIN_GROUP:
        note = (f"Too few people wrote comments to publish theme figures (we publish groups of {MIN_GROUP} or more)."
                if commenters else "")
        return {"rows": [], "commenters": None, "note": note}
    rows = []
    for t in themes["rows"][:limit] if limit else themes["rows"]:
        small = LOW_COUNTS[0] <= t["respondents"] <= LOW_COUNTS[1]
        share = t.get("share_value")
        rows.append({
            "key": t["key"], "label": t["label"], "suppressed": small,
            "people": None if small else int(t["respondents"]), "share": None if small or share is None else float(share),
            "people_text": SUPPRESSED_LABEL if small else str(t["respondents"]), "share_text": SUPPRESSED_LABEL if small else t["share"],
        })
    return {"rows": rows, "commenters": commenters,
            "note": f"{commenters} people wrote comments. A comment can raise several themes."}


# -- Word --------------------------------------------------------------------------------------------

def board_report_docx(report: BoardReport) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    document.core_properties.title = f"{report.title}: board report"
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Arial", Pt(12)
    document.add_heading(report.title, level=0)
    document.add_paragraph(f"Results for the partnership board · {report.made_on} · {report.respondents} responses")
    document.add_heading(f"Overall satisfaction: {report.headline_percent}", level=1)
    document.add_paragraph(report.headline_sentence)
    document.add_paragraph(report.verdict).runs[0].bold = True
    if report.change:
        document.add_paragraph(report.change)

    def table(t: Table) -> None:
        grid = document.add_table(rows=1, cols=len(t.headings))
        grid.style = "Table Grid"
        for cell, heading in zip(grid.rows[0].cells, t.headings):
            cell.text = heading
            cell.paragraphs[0].runs[0].bold = True
        for row in t.rows:
            for cell, value in zip(grid.add_row().cells, row):
                cell.text = value

    document.add_heading("Year by year", level=1)
    if report.trend_png:
        document.add_picture(io.BytesIO(report.trend_png), width=Cm(12))
    table(report.trend)
    if report.breakdowns:
        document.add_heading("Satisfaction by group", level=1)
        for t, png in report.breakdowns:
            document.add_heading(t.title, level=2)
            if png:
                document.add_picture(io.BytesIO(png), width=Cm(12))
            table(t)
    document.add_heading("What families wrote about", level=1)
    if report.themes_note:
        document.add_paragraph(report.themes_note)
    if report.themes:
        table(report.themes)
    if report.quotes:
        document.add_heading("In their own words", level=1)
        for quote in report.quotes:
            document.add_paragraph(f"“{quote}”", style="Intense Quote")
    document.add_heading("About these figures", level=1)
    document.add_paragraph(_METHOD_NOTE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_METHOD_NOTE = (
    f"Figures leave out anyone who withdrew. \"Don't know\" and \"does not apply\" are left out of each base. "
    f"Ranges are 95% confidence intervals (Wilson); changes between years are tested with Newcombe's interval. "
    f"To protect families, groups with fewer than {MIN_GROUP} people are not shown and counts of "
    f"{LOW_COUNTS[0]} to {LOW_COUNTS[1]} are hidden (shown as {SUPPRESSED_LABEL}), with other figures hidden too "
    f"where they would let a hidden one be worked out. Quotes are used only with permission, checked by an officer, "
    f"with names and places removed."
)


def easy_read_docx(report: BoardReport) -> bytes:
    """The easy-read summary: short sentences, large text, one idea per line."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = f"{report.title}: easy read summary"
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Arial", Pt(16)
    document.add_heading(report.title, level=0)
    document.add_paragraph("Easy read summary.")
    lines = [
        f"{report.respondents} people answered our survey.",
        report.easy_headline,
        "We want 9 out of 10 people to be happy." if "target of 90%" in report.headline_sentence else "",
        "We will use what you told us to make things better.",
        "We do not show numbers for small groups. This keeps people safe.",
    ]
    for line in filter(None, lines):
        document.add_paragraph(line)
    if report.themes:
        document.add_heading("What people talked about most", level=1)
        for row in report.themes.rows[:3]:
            document.add_paragraph(row[0], style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- PDF ---------------------------------------------------------------------------------------------

def board_report_pdf(report: BoardReport) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_title(f"{report.title}: board report")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    font = _unicode_font(pdf)

    def plain(value: str) -> str:  # the core font has Latin-1 only
        return value if font != "Helvetica" else value.encode("latin-1", "replace").decode("latin-1")

    def text(size: int, body: str, bold: bool = False, gap: float = 2) -> None:
        body = plain(body)
        pdf.set_font(font, "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, body, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    def table(t: Table) -> None:
        pdf.set_font(font, "", 10)
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), text_align="LEFT") as grid:
            for row in [t.headings, *t.rows]:
                line = grid.row()
                for value in row:
                    line.cell(plain(value))
        pdf.ln(3)

    text(20, report.title, bold=True)
    text(11, f"Results for the partnership board · {report.made_on} · {report.respondents} responses")
    text(16, f"Overall satisfaction: {report.headline_percent}", bold=True)
    text(11, report.headline_sentence)
    text(11, report.verdict, bold=True)
    if report.change:
        text(11, report.change)
    text(14, "Year by year", bold=True)
    if report.trend_png:
        pdf.image(io.BytesIO(report.trend_png), w=110)
    table(report.trend)
    if report.breakdowns:
        text(14, "Satisfaction by group", bold=True)
        for t, png in report.breakdowns:
            text(12, t.title, bold=True)
            if png:
                pdf.image(io.BytesIO(png), w=110)
            table(t)
    text(14, "What families wrote about", bold=True)
    if report.themes_note:
        text(11, report.themes_note)
    if report.themes:
        table(report.themes)
    if report.quotes:
        text(14, "In their own words", bold=True)
        for quote in report.quotes:
            text(11, f"“{quote}”")
    text(14, "About these figures", bold=True)
    text(10, _METHOD_NOTE)
    return bytes(pdf.output())


def _unicode_font(pdf) -> str:
    """DejaVu Sans when the system has it (quotes and dashes in Unicode), else the core Helvetica."""
    from pathlib import Path

    folder = Path("/usr/share/fonts/truetype/dejavu")
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return "DejaVu"
    return "Helvetica"
