"""Figures for the public "you said, we did" page: each survey's headline satisfaction and a CSV of
its figures, always with disclosure control (groups under 10 suppressed whole, counts of 1 to 4
suppressed, secondary suppression so they cannot be worked out from totals). Only surveys with a
published update are shown. Everything is loaded through the consent gate (`load_run`), so
withdrawn and erased answers are never counted."""

from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from analysis.disclosure import MIN_GROUP, SUPPRESSED_LABEL
from analysis.loading import BREAKDOWNS, SurveyData, load_run
from analysis.metrics import DEFAULT_TARGET, Figures, breakdowns, question_figures
from feedback.results.dashboard import published_headline
from consent.tables import ConsentRecord
from feedback.spreadsheets import csv_for_excel
from surveys.runs import Run
from surveys.tables import Response

CSV_HEADER = [
    "survey", "survey_title", "question", "question_text", "breakdown", "group", "answer", "kind",
    "count", "base", "percent", "ci_low_percent", "ci_high_percent",
]
KIND_NAMES = {"answer": "answer", "excluded": "not in base", "positive": "positive"}


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def headline_summary(result, target: float) -> str:
    """The headline in one or two sentences (the chart's text alternative for everyone)."""
    if result.share is None:
        return (f"Too few people answered for us to publish this figure: we only publish results for groups "
                f"of {MIN_GROUP} people or more, so nobody can be identified.")
    sentence = (f"{result.share * 100:.0f}% of the {result.base} people who answered were satisfied or very "
                f"satisfied overall (95% confidence interval {result.ci_low * 100:.0f}% to {result.ci_high * 100:.0f}%). "
                f"Our target is {target * 100:g}%")
    if result.meets_target:
        return sentence + ", so the target is met."
    if result.clearly_below_target:
        return sentence + ", so we are below the target."
    return sentence + ": we are below it, but the interval includes it."


def in_tenths(count: int, base: int) -> int:
    """count out of base as a whole number of tenths, halves rounded up (13 of 20 is 7 in 10), worked
    out on the integers so 0.65 never rounds down through floating point."""
    return (20 * count + base) // (2 * base)


def easy_headline(result, target: float) -> dict[str, Any]:
    """The headline for the easy-read page: the figure in words ("About 7 in 10 people ..."), never a
    percentage or an interval, and `tenths` for the picture of 10 people (None without a figure)."""
    if result.share is None or not result.base or result.positive is None:
        return {"tenths": None, "lines": ["Not enough people answered for us to share the numbers yet.",
                                          f"We only share numbers when {MIN_GROUP} people or more answer. "
                                          "Then nobody can tell who said what."]}
    tenths = in_tenths(result.positive, result.base)
    happy = "said they were happy with the help for SEND."
    if result.positive == result.base:
        first = f"Everyone who answered {happy}"
    elif result.positive == 0:
        first = f"Nobody who answered {happy}"
    elif tenths == 10:
        first = f"Nearly everyone who answered {happy}"
    elif tenths == 0:
        first = f"Fewer than 1 in 10 people who answered {happy}"
    else:
        first = f"About {tenths} in 10 people who answered {happy}"
    wanted = max(1, min(10, round(target * 10)))
    goal = f"We want {wanted} in 10 people to be happy." if wanted < 10 else "We want everyone to be happy."
    reached = "We have reached this." if result.meets_target else "We have not got there yet."
    return {"tenths": tenths, "lines": [first, f"{result.base} people answered this question.", goal, reached]}


def progress_in_words(progress: int | None) -> str:
    """An update's progress for the easy-read page, without a percentage."""
    value = progress or 0
    if value <= 0:
        return "We have not started this yet."
    if value >= 100:
        return "We have finished this."
    if value < 40:
        return "We have started this."
    if value <= 60:
        return "We are about half way."
    return "We have nearly finished this."


def date_in_words(iso: str) -> str:
    """2027-05-30 as "30 May 2027" (the stored text as it is when it is not a date)."""
    from datetime import date

    try:
        return date.fromisoformat(iso).strftime("%-d %B %Y")
    except ValueError:
        return iso


# The public pages are open to anyone, so their figures are worked out once per state of the answers,
# not on every visit. The key changes whenever a published figure could: a response is sent or erased
# (its updated_at moves), or anyone records a consent decision (a withdrawal included). Only
# published (disclosure-controlled) figures are kept, never the answers.
_published_cache: dict[int, tuple[tuple, dict[str, Any]]] = {}


async def _answers_state(run: Run) -> tuple:
    responses = await Response.raw(
        "SELECT COUNT(*) AS n, MAX(updated_at) AS latest FROM survey_response WHERE run = {} AND status != 'in_progress'",
        run.id,
    )
    consent = await ConsentRecord.raw("SELECT MAX(id) AS latest FROM consent_record")
    return (run.instrument.version, responses[0]["n"], str(responses[0]["latest"]), consent[0]["latest"])


async def published_figures_of(run: Run, target: float) -> dict[str, Any]:
    """`headline` (published_headline's result, or None) and the CSV `rows` of one survey."""
    state = (await _answers_state(run), target)
    cached = _published_cache.get(run.id)
    if cached is not None and cached[0] == state:
        return cached[1]
    data = await load_run(run)
    figures = {"headline": published_headline(data, target), "rows": figures_rows(run, data)}
    _published_cache[run.id] = (state, figures)
    return figures


async def survey_results(runs: Iterable[Run], target: float) -> list[dict[str, Any]]:
    """For each survey: its published headline (chart, data table, summary), or None without one."""
    results = []
    for run in runs:
        published = (await published_figures_of(run, target))["headline"]
        if published is None:
            continue
        results.append({"run": run, "published": published, "summary": headline_summary(published["headline"], target),
                        "easy": easy_headline(published["headline"], target)})
    return results


def _percent(value: Any) -> str:
    return "" if _missing(value) else f"{float(value) * 100:.1f}"


def _rows(run: Run, figures: Figures, breakdown: str) -> list[list[Any]]:
    rows = []
    for r in figures.table.to_dict("records"):
        hidden = bool(r["suppressed"])
        in_base = r["kind"] != "excluded"
        count = SUPPRESSED_LABEL if hidden or _missing(r["count"]) else int(r["count"])
        if not in_base:
            base = ""
        elif _missing(r["base"]):
            base = SUPPRESSED_LABEL
        else:
            base = int(r["base"])
        if not in_base:  # a non-answer has a count only
            percent = low = high = ""
        elif hidden or base == SUPPRESSED_LABEL:
            percent = low = high = SUPPRESSED_LABEL
        else:
            percent, low, high = _percent(r["share"]), _percent(r["ci_low"]), _percent(r["ci_high"])
        rows.append([
            run.slug, run.title, figures.question, figures.text, BREAKDOWNS.get(breakdown, "All respondents") if breakdown else "All respondents",
            r["group_label"], r["label"], KIND_NAMES.get(r["kind"], r["kind"]), count, base, percent, low, high,
        ])
    return rows


def figures_rows(run: Run, data: SurveyData) -> list[list[Any]]:
    """Every closed question overall, then each broken down by every group the data has, published
    (a whole breakdown is hidden when any of its groups is under 10)."""
    rows: list[list[Any]] = []
    for question in data.closed_questions:
        rows += _rows(run, question_figures(data, question.key), "")
    for question in data.closed_questions:
        for by, figures in breakdowns(data, question.key).items():
            rows += _rows(run, figures, by)
    return rows


async def figures_csv(runs: Iterable[Run], target: float = DEFAULT_TARGET) -> tuple[str, int]:
    """The published figures of these surveys as CSV for Excel, every cell formula-neutralised."""
    rows: list[list[Any]] = []
    for run in runs:
        rows += (await published_figures_of(run, target))["rows"]
    return csv_for_excel(CSV_HEADER, rows)
