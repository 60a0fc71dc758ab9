"""What the analysis pages show, shaped from `analysis` results for the templates: the officer
dashboard (full figures, with the warning), themes, and the published (disclosure-controlled)
headline. Pure shaping: the controllers load the data through the consent gate."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.disclosure import FULL_FIGURES_WARNING, MIN_GROUP, SUPPRESSED_LABEL
from analysis.loading import BREAKDOWNS, SurveyData
from analysis.metrics import DEFAULT_TARGET, HEADLINE_QUESTION, POSITIVE, Figures, Headline, breakdowns, compare_runs, headline, question_figures
from analysis.charts import Bar, Chart, bar_chart, percent_text
from analysis.report import TrendPoint, change_since, change_words, target_verdict, theme_changes


def _int(value: Any) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return int(value)


def _float(value: Any) -> float | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return float(value)


def figure_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a figures table as plain dicts for templates (counts as ints or None)."""
    rows = []
    for record in table.to_dict("records"):
        rows.append({
            "group": record["group"], "group_label": record["group_label"], "value": record["value"],
            "label": record["label"], "kind": record["kind"], "count": _int(record["count"]),
            "base": _int(record["base"]), "share": _float(record["share"]),
            "ci_low": _float(record["ci_low"]), "ci_high": _float(record["ci_high"]),
            "suppressed": bool(record["suppressed"]),
            "percent_text": percent_text(_float(record["share"]), bool(record["suppressed"])),
            "interval_text": interval_text(_float(record["ci_low"]), _float(record["ci_high"])),
        })
    return rows


def interval_text(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "–"
    return f"{low * 100:.0f}% to {high * 100:.0f}%"


def _count_text(row: dict[str, Any]) -> str:
    if row["suppressed"] or row["count"] is None:
        return SUPPRESSED_LABEL
    if row["base"] is None:
        return f"{row['count']}"
    return f"{row['count']} of {row['base']}"


def question_section(figures: Figures, chart_id: str) -> dict[str, Any]:
    """One question's figure: the chart and, with it, its one table (counts, base, percent, interval;
    non-answers listed under it, outside the base)."""
    rows = figure_rows(figures.table)
    answers = [r for r in rows if r["kind"] == "answer"]
    excluded = [r for r in rows if r["kind"] == "excluded"]
    positive = next((r for r in rows if r["kind"] == POSITIVE), None)
    base = next((r["base"] for r in answers if r["base"] is not None), None)

    def cell(value: Any) -> str:
        return SUPPRESSED_LABEL if value is None else str(value)

    chart = bar_chart(
        chart_id, figures.text,
        [Bar(r["label"], None if r["share"] is None else r["share"] * 100, r["percent_text"], _count_text(r),
             low=None if r["ci_low"] is None else r["ci_low"] * 100, high=None if r["ci_high"] is None else r["ci_high"] * 100,
             cells=[cell(r["count"]), cell(r["base"]), r["percent_text"], r["interval_text"]])
         for r in answers],
        headings=["Count", "Base", "Percent", "95% interval"],
        extra_rows=[[f"{r['label']} (not in the base)", cell(r["count"]), "–", "–", "–"] for r in excluded],
    )
    return {"key": figures.question, "text": figures.text, "answers": answers, "excluded": excluded,
            "positive": positive, "base": base, "chart": chart}


def breakdown_section(by: str, figures: Figures, target: float) -> dict[str, Any]:
    rows = [r for r in figure_rows(figures.table) if r["kind"] == POSITIVE]
    chart = bar_chart(
        f"breakdown-{by}", f"Share satisfied by {BREAKDOWNS.get(by, by).lower()}",
        [Bar(r["group_label"], None if r["share"] is None else r["share"] * 100, r["percent_text"], _count_text(r),
             low=None if r["ci_low"] is None else r["ci_low"] * 100, high=None if r["ci_high"] is None else r["ci_high"] * 100,
             cells=[r["percent_text"], _count_text(r), r["interval_text"]])
         for r in rows],
        target=target * 100, headings=["Satisfied", "Satisfied of base", "95% interval"],
    )
    return {"by": by, "title": BREAKDOWNS.get(by, by), "rows": rows, "chart": chart}


def headline_chart(result: Headline, chart_id: str = "headline") -> Chart:
    display = percent_text(result.share, result.suppressed)
    detail = SUPPRESSED_LABEL if result.suppressed or result.positive is None else f"{result.positive} of {result.base}"
    return bar_chart(
        chart_id, "Share satisfied overall",
        [Bar("Satisfied or very satisfied", None if result.share is None else result.share * 100, display, detail)],
        target=result.target * 100, value_heading="Satisfied", detail_heading="Satisfied of base",
    )


def change_text(change: float | None, low: float | None, high: float | None) -> str:
    """A change in percentage points with its interval, e.g. "up 6 points (-2 to 14)"."""
    if change is None:
        return "–"
    points = change * 100
    direction = "no change" if round(points) == 0 else ("up" if points > 0 else "down")
    words = direction if direction == "no change" else f"{direction} {abs(points):.0f} points"
    if low is None or high is None:
        return words
    return f"{words} (95% interval {low * 100:+.0f} to {high * 100:+.0f})"


def change_rows(data: SurveyData, previous: SurveyData, figures: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The positive share of every question both runs ask, now and then, with the change."""
    table = compare_runs(data, previous, full=True, figures_now=figures)
    rows = []
    for record in table[table["kind"] == POSITIVE].to_dict("records"):
        question = data.questions.get(record["question"])
        change, low, high = (_float(record[k]) for k in ("change", "change_ci_low", "change_ci_high"))
        rows.append({
            "question": record["question"], "text": question.text if question else record["question"],
            "now": percent_text(_float(record["share_now"]), False), "base_now": _int(record["base_now"]),
            "before": percent_text(_float(record["share_before"]), False), "base_before": _int(record["base_before"]),
            "change": change_text(change, low, high),
            "is_clear": low is not None and high is not None and (low > 0 or high < 0),
        })
    return rows


def trend_chart(points: list[TrendPoint], target: float, chart_id: str = "trend") -> Chart:
    """Satisfaction in every year of the survey, each with its 95% interval, against the target."""
    bars = []
    for p in points:
        shown = p.share is not None
        bars.append(Bar(
            f"{p.label} ({p.base or 0} answered)", p.share * 100 if shown else None, percent_text(p.share) if shown else "–",
            f"{p.positive} of {p.base}" if shown else "no answers",
            low=None if p.ci_low is None else p.ci_low * 100, high=None if p.ci_high is None else p.ci_high * 100,
            cells=[percent_text(p.share) if shown else "–", f"{p.positive} of {p.base}" if shown else "no answers",
                   interval_text(p.ci_low, p.ci_high)],
            table_label=p.label,
        ))
    return bar_chart(chart_id, "Share satisfied, year by year", bars, target=target * 100,
                     headings=["Satisfied", "Satisfied of base", "95% interval"])


def sections_of(questions: list[dict[str, Any]], sections: list[tuple[str, str]] | None,
                section_of: dict[str, str]) -> list[dict[str, Any]]:
    """The question figures grouped by the instrument's sections (a theme of questions), in order."""
    titles = dict(sections or [])
    grouped: dict[str, list[dict[str, Any]]] = {}
    for q in questions:
        grouped.setdefault(section_of.get(q["key"], ""), []).append(q)
    order = [key for key, _ in (sections or [])] + [k for k in grouped if k not in titles]
    return [{"key": key or "questions", "title": titles.get(key) or "Questions", "questions": grouped[key]}
            for key in order if key in grouped]


def dashboard_context(
    data: SurveyData, target: float = DEFAULT_TARGET, previous: SurveyData | None = None,
    history: list[TrendPoint] | None = None, sections: list[tuple[str, str]] | None = None,
    themes_now: list[dict[str, Any]] | None = None, themes_before: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Full figures for officers, answer first: the headline against the target in words that respect
    its interval, the trend over every year, responses this year and last, who answered, the themes
    that grew or fell; then every closed question (grouped by section), breakdowns, and the change
    since the previous run of the same survey."""
    has_headline = HEADLINE_QUESTION in data.questions and HEADLINE_QUESTION in data.answers
    top = headline(data, target, previous, full=True) if has_headline else None
    # Each question's figures are computed once and shared with the change since last time.
    figures = {q.key: question_figures(data, q.key, full=True) for q in data.closed_questions}
    questions = [question_section(figures[q.key], f"question-{q.key}") for q in data.closed_questions]
    splits = breakdowns(data, HEADLINE_QUESTION, full=True) if has_headline else {}
    verdict_key, verdict = target_verdict(top)
    points = list(history or [])
    trend_change = ""
    if len(points) >= 2:
        change, low, high = change_since(points[-1], points[-2])
        trend_change = change_words(change, low, high, since=points[-2].label or "last time")
    grew, fell = theme_changes(themes_now or [], themes_before or [])
    who = figure_rows(figures["respondent_role"].table) if "respondent_role" in figures else (
        figure_rows(question_figures(data, "respondent_role", full=True).table) if "respondent_role" in data.questions else [])
    return {
        "respondents": len(data),
        "previous_respondents": len(previous) if previous is not None else None,
        "warning": FULL_FIGURES_WARNING,
        "headline": top,
        "verdict": verdict, "verdict_key": verdict_key,
        "headline_chart": headline_chart(top) if top else None,
        "headline_interval": interval_text(top.ci_low, top.ci_high) if top else "",
        "headline_change": change_text(top.change, top.change_ci_low, top.change_ci_high) if top else "",
        "trend": points, "trend_chart": trend_chart(points, target) if points and has_headline else None,
        "trend_change": trend_change,
        "themes_grew": grew, "themes_fell": fell, "themes_compared": bool(themes_before),
        "who_answered": [r for r in who if r["kind"] == "answer"],
        "target_percent": f"{target * 100:g}%",
        "target_value": f"{target * 100:g}",
        "questions": questions,
        "sections": sections_of(questions, sections, {q.key: q.section for q in data.closed_questions}),
        "breakdowns": [breakdown_section(by, figures, target) for by, figures in splits.items()],
        "changes": change_rows(data, previous, figures) if previous is not None else [],
        "min_group": MIN_GROUP,
    }


def published_headline(data: SurveyData, target: float = DEFAULT_TARGET) -> dict[str, Any] | None:
    """The headline with disclosure control (suppressed below 10 in the base), with its chart."""
    if HEADLINE_QUESTION not in data.questions or HEADLINE_QUESTION not in data.answers:
        return None
    result = headline(data, target, full=False)
    if result.base is not None and result.base < MIN_GROUP:
        result.suppressed = True
    if result.suppressed:
        result.share = result.positive = result.ci_low = result.ci_high = None
    return {"headline": result, "chart": headline_chart(result, f"published-headline-{data.run_slug}"),
            "interval": interval_text(result.ci_low, result.ci_high)}
