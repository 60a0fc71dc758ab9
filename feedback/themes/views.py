"""What the theme pages show, built from the stored codings (officers' decisions respected) and
the consent-gated answers. Controllers call these and render; nothing here reads a request."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.codebook import Codebook
from analysis.loading import SurveyData
from analysis.phrases import emerging_phrase_groups
from analysis.sentiment import INDICATIVE_NOTE, label as sentiment_label, score_comments, sentiment_by
from analysis.learning import Decided, suggest_terms
from analysis.theme_review import CODER, CURRENT, REMOVED, SUGGESTED, StoredCoding, coded_frame, current_themes, highlight, theme_summary, theme_trends
from analysis.charts import Bar, bar_chart
from feedback.themes.store import Comment, comments_of_loaded, ensure_coded, latest_codebook, stored_codings
from surveys.runs import Run

PAGE_SIZE = 20
SENTIMENT_WORDS = {"negative": "Mostly negative", "neutral": "Mixed or neutral", "positive": "Mostly positive"}


def _percent(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.0f}%"


def _codings_frame(comments: list[Comment], codings: dict[tuple[int, str], list[StoredCoding]]) -> pd.DataFrame:
    respondent = {c.response_id: c.respondent_id for c in comments}
    rows = [
        {"respondent_id": respondent[response], "question": question, "theme": s.theme, "terms": s.terms, "status": s.status}
        for (response, question), stored in codings.items() if response in respondent
        for s in stored
    ]
    return pd.DataFrame(rows, columns=["respondent_id", "question", "theme", "terms", "status"])


def _sentiment_text(row: dict[str, Any] | None) -> str:
    if not row or row.get("mean_polarity") is None or row["mean_polarity"] != row["mean_polarity"]:
        return "–"
    return f"{SENTIMENT_WORDS[sentiment_label(row['mean_polarity'])]} ({_percent(row['negative_share'])} negative)"


async def _coded_of(run: Run, data: SurveyData) -> pd.DataFrame:
    comments = await ensure_coded(run, await comments_of_loaded(run, data.comments))
    return coded_frame(data.comments, _codings_frame(comments, await stored_codings(run.id)))


async def themes_over_years(history: list[tuple[str, Run, SurveyData]]) -> dict[str, Any] | None:
    """The results page's "themes over the years": per theme, the share of each run's commenters
    who raised it (from the stored codings, officers' decisions respected), oldest run first, with
    the change in percentage points. None with fewer than two runs (nothing to compare)."""
    if len(history) < 2:
        return None
    _, codebook = await latest_codebook()
    runs = [(label, await _coded_of(run, data)) for label, run, data in history]
    trends = theme_trends(runs, codebook)
    labels = [label for label, _ in runs]
    rows = []
    for record in trends.to_dict("records"):
        change = record["change"]
        rows.append({
            "key": record["theme"], "label": record["label"],
            "cells": [f"{_percent(record[f'share:{label}'])} ({record[f'respondents:{label}']})" if record[f"share:{label}"] == record[f"share:{label}"] else "–"
                      for label in labels],
            "change": "–" if change != change else ("no change" if round(change) == 0 else f"{change:+.0f} points"),
            "latest": record[f"share:{labels[-1]}"] if record[f"share:{labels[-1]}"] == record[f"share:{labels[-1]}"] else -1,
        })
    rows.sort(key=lambda r: (-r["latest"], r["label"]))
    commenters = [int(coded["respondent_id"].nunique()) if len(coded) else 0 for _label, coded in runs]
    return {"years": labels, "commenters": commenters, "rows": rows}


async def themes_overview(run: Run, data: SurveyData) -> dict[str, Any]:
    """The dashboard's themes section: comments per theme, share of commenters, indicative
    sentiment per theme and per respondent group, and a bar chart with its data table."""
    comments = await ensure_coded(run, await comments_of_loaded(run, data.comments))
    codings = await stored_codings(run.id)
    version, codebook = await latest_codebook()
    coded = coded_frame(data.comments, _codings_frame(comments, codings))
    summary = theme_summary(coded, codebook)
    pending = sum(1 for key, stored in codings.items() if any(s.status == SUGGESTED for s in stored))
    by_theme: dict[str, dict[str, Any]] = {}
    by_group: list[dict[str, Any]] = []
    if len(coded):
        scored = score_comments(coded)
        for row in sentiment_by(scored, "theme", full=True, min_group=1).to_dict("records"):
            by_theme[row["group"]] = row
        labels = data.breakdown_labels("group")
        for row in sentiment_by(score_comments(data.comments), "group", respondents=data.respondents, full=True, min_group=1).to_dict("records"):
            by_group.append({"label": labels.get(row["group"], row["group"]), "comments": int(row["comments"]),
                             "sentiment": _sentiment_text(row)})
    rows = []
    for record in summary.to_dict("records"):
        if not isinstance(record["theme"], str):  # the "no theme" row
            continue
        rows.append({
            "key": record["theme"], "label": record["label"], "comments": record["comments"],
            "respondents": record["respondents"], "share": _percent(record["share"]), "share_value": record["share"],
            "sentiment": _sentiment_text(by_theme.get(record["theme"])) if record["comments"] else "–",
        })
    raised = sorted([r for r in rows if r["comments"]], key=lambda r: (-r["comments"], r["label"]))
    commenters = int(coded["respondent_id"].nunique()) if len(coded) else 0
    uncoded = summary[summary["theme"].isna()].to_dict("records")[0]
    chart = bar_chart(
        "themes-share", "Share of commenters raising each theme",
        [Bar(r["label"], r["share_value"] * 100 if r["share_value"] == r["share_value"] else None, r["share"],
             f"{r['respondents']} of {commenters} commenters, {r['comments']} {'comment' if r['comments'] == 1 else 'comments'}")
         for r in raised],
        value_heading="Share of commenters", detail_heading="Commenters and comments",
    ) if raised else None
    return {
        "themes": {
            "rows": raised, "not_raised": [r["label"] for r in rows if not r["comments"]],
            "comments": int(coded.drop_duplicates(["respondent_id", "question"]).shape[0]) if len(coded) else 0,
            "commenters": commenters, "uncoded": int(uncoded["comments"]), "pending": pending,
            "chart": chart, "groups": by_group, "note": INDICATIVE_NOTE, "codebook_version": version,
        }
    }


@dataclass
class ReviewItem:
    comment: Comment
    question_text: str
    codings: list[dict[str, Any]]
    parts: list[tuple[str, bool]]
    addable: list[tuple[str, str]]
    pending: bool
    anchor: str = ""
    current: list[str] = field(default_factory=list)


def _question_texts(run: Run) -> dict[str, str]:
    return {q.key: q.text for q in run.instrument.questions}


def review_item(run: Run, comment: Comment, stored: list[StoredCoding], codebook: Codebook, questions: dict[str, str]) -> ReviewItem:
    terms = [t for s in stored if s.status != REMOVED for t in s.terms]
    codings = []
    seen = set()
    for s in stored:
        if s.theme in seen:
            continue
        seen.add(s.theme)
        theme = codebook.themes.get(s.theme)
        # The reason is the comment's own words that matched, never the codebook's internal term
        # syntax ("@school_help ... @school" means nothing to an officer).
        words = list(dict.fromkeys(part.strip() for part, marked in highlight(comment.text, s.terms, codebook) if marked and part.strip())) if s.terms else []
        codings.append({"key": s.theme, "label": theme.label if theme else s.theme, "status": s.status, "source": s.source,
                        "terms": s.terms, "words": words})
    current = current_themes(stored, codebook.themes)
    addable = [(key, theme.label) for key, theme in codebook.themes.items() if key not in current]
    return ReviewItem(
        comment=comment, question_text=questions.get(comment.question, comment.question), codings=codings,
        parts=highlight(comment.text, terms, codebook), addable=addable,
        pending=any(s.status == SUGGESTED for s in stored), anchor=f"comment-{comment.response_id}-{comment.question}",
        current=current,
    )


async def review_context(run: Run, show: str = "pending", theme: str | None = None, page: int = 1) -> dict[str, Any]:
    """The review queue: comments with a theme, the unreviewed first (or only them)."""
    comments = await ensure_coded(run)
    codings = await stored_codings(run.id)
    _, codebook = await latest_codebook()
    questions = _question_texts(run)
    chosen = []
    for comment in comments:
        stored = codings.get((comment.response_id, comment.question), [])
        if not stored:
            continue
        if theme and not any(s.theme == theme and s.status in CURRENT for s in stored):
            continue
        if show == "pending" and not any(s.status == SUGGESTED for s in stored):
            continue
        chosen.append((comment, stored))
    total = len(chosen)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    items = [review_item(run, c, s, codebook, questions) for c, s in chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    theme_pending = sum(1 for _c, s in chosen if any(x.theme == theme and x.status == SUGGESTED for x in s)) if theme else 0
    return {
        "items": items, "total": total, "page": page, "pages": pages, "show": show, "theme_filter": theme,
        "pending_on_page": [i for i in items if i.pending], "theme_pending": theme_pending,
        "theme_filter_label": codebook.themes[theme].label if theme in codebook.themes else None,
        "theme_choices": [(k, t.label) for k, t in codebook.themes.items()],
    }


def suggested_from_decisions(comments: list[Comment], codings: dict[tuple[int, str], list[StoredCoding]],
                             codebook: Codebook, limit: int = 10) -> list[dict[str, Any]]:
    """Terms the officers' decisions on this survey suggest (see `analysis.learning`): what they
    added that the coder missed, and what they removed that it wrongly matched."""
    decided = []
    for comment in comments:
        stored = codings.get((comment.response_id, comment.question), [])
        if any(s.is_decision for s in stored):
            decided.append(Decided(comment.text, frozenset(s.theme for s in stored if s.source == CODER),
                                   frozenset(current_themes(stored, codebook.themes))))
    return [
        {"theme": s.theme, "label": codebook.themes[s.theme].label, "term": s.term, "kind": s.kind,
         "comments": s.comments, "examples": s.examples[:3]}
        for s in suggest_terms(decided, codebook, limit=limit) if s.theme in codebook.themes
    ]


async def uncoded_context(run: Run, page: int = 1) -> dict[str, Any]:
    """Comments with no current theme, and the phrases that recur in them."""
    comments = await ensure_coded(run)
    codings = await stored_codings(run.id)
    _, codebook = await latest_codebook()
    questions = _question_texts(run)
    uncoded = [c for c in comments if not current_themes(codings.get((c.response_id, c.question), []))]
    phrases = emerging_phrase_groups([c.text for c in uncoded], top=25, min_comments=2)
    learned = suggested_from_decisions(comments, codings, codebook)
    total = len(uncoded)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    items = [review_item(run, c, codings.get((c.response_id, c.question), []), codebook, questions)
             for c in uncoded[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    return {
        "items": items, "total": total, "page": page, "pages": pages,
        "phrases": phrases, "learned": learned,
        "theme_choices": [(k, t.label) for k, t in codebook.themes.items()],
    }
