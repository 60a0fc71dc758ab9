"""Report data for officers and the partnership board: the headline said in words that respect
uncertainty, the trend over every run of a survey's lineage, response rates against the number of
families in each group, a post-stratified (weighted) headline, and the themes that grew or fell.

Pure functions over `SurveyData` and `Headline`s (no web layer), so a board paper can be made in a
notebook as well as from the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from analysis.disclosure import MIN_GROUP
from analysis.loading import SurveyData
from surveys.answer_types import NON_OPINION_VALUES
from analysis.metrics import HEADLINE_QUESTION, Headline, newcombe_interval, positive_values, wilson_interval

# A group is "under-represented" when its share of the responses is below this fraction of its
# share of the families (e.g. 20% of families but under 16% of the answers).
UNDER_REPRESENTED = 0.8


def target_verdict(result: Headline | None, min_base: int = MIN_GROUP) -> tuple[str, str]:
    """(key, plain words) for the headline against its target, never claiming more than the
    interval allows: "above" only when the whole 95% interval is at or above the target, "below"
    only when it is all below; otherwise, or with fewer than `min_base` answers, too few to tell."""
    if result is None or result.share is None or result.base is None:
        return "none", "No figure to compare with the target yet."
    target = f"{result.target * 100:g}%"
    if result.base < min_base:
        return "too_few", f"Too few answers to tell: only {result.base} people answered (we need at least {min_base})."
    if result.ci_low is not None and result.ci_low >= result.target:
        return "above", f"Above the target of {target}: the whole 95% interval is above it."
    if result.ci_high is not None and result.ci_high < result.target:
        return "below", f"Below the target of {target}: the whole 95% interval is below it."
    return "unclear", f"Too few answers to tell whether the target of {target} is met: the 95% interval includes it."


def change_words(change: float | None, low: float | None, high: float | None, since: str = "last year") -> str:
    """The change in percentage points, tested (Newcombe's interval for a difference), in words."""
    if change is None or low is None or high is None or low != low or high != high:
        return f"No figure to compare with {since}."
    points = abs(change * 100)
    interval = f"95% interval {low * 100:+.0f} to {high * 100:+.0f} points"
    if low > 0:
        return f"Up {points:.0f} points since {since}: a real rise, not likely to be chance ({interval})."
    if high < 0:
        return f"Down {points:.0f} points since {since}: a real fall, not likely to be chance ({interval})."
    direction = "up" if change > 0 else "down" if change < 0 else "no change"
    said = f"{direction} {points:.0f} points" if direction != "no change" else "no change"
    return f"{said.capitalize()} since {since}, which could be chance ({interval})."


@dataclass
class TrendPoint:
    """One run of the lineage: its label (the year), its headline share and interval, its base."""

    run_id: int
    label: str
    title: str
    share: float | None
    ci_low: float | None
    ci_high: float | None
    positive: int | None
    base: int | None
    respondents: int


def positive_counts(data: SurveyData, question: str = HEADLINE_QUESTION) -> tuple[int, int] | None:
    """(positive, base) of `question` over the opinions given (non-answers left out), or None."""
    q = data.questions.get(question)
    if q is None or question not in data.answers:
        return None
    good = positive_values(q)
    opinions = {o.value for o in q.all_options if o.value not in NON_OPINION_VALUES}
    answered = data.answers[question].dropna().astype(str)
    answered = answered[answered.isin(opinions)]
    return int(answered.isin(good).sum()), int(len(answered))


def trend(history: Sequence[tuple[int, str, str, SurveyData]], question: str = HEADLINE_QUESTION) -> list[TrendPoint]:
    """The headline share (Wilson interval) for each (run id, label, title, data), oldest first."""
    points = []
    for run_id, label, title, data in history:
        counts = positive_counts(data, question)
        share = low = high = None
        positive = base = None
        if counts is not None and counts[1] > 0:
            positive, base = counts
            share = positive / base
            low, high = wilson_interval(positive, base)
        points.append(TrendPoint(run_id, label, title, share, low, high, positive, base, len(data)))
    return points


def change_since(now: TrendPoint, before: TrendPoint) -> tuple[float | None, float | None, float | None]:
    """(change, low, high) from `before` to `now` with Newcombe's interval, or Nones."""
    if now.base and before.base and now.positive is not None and before.positive is not None:
        low, high = newcombe_interval(now.positive, now.base, before.positive, before.base)
        return now.positive / now.base - before.positive / before.base, low, high
    return None, None, None


@dataclass
class GroupRate:
    group: str
    label: str
    families: int | None  # how many families the partnership has in this group (None: not entered)
    responses: int
    rate: float | None  # responses / families
    response_share: float  # share of all responses with a value for the breakdown
    family_share: float | None  # share of all families entered
    under_represented: bool


def response_rates(data: SurveyData, by: str, families: Mapping[str, int]) -> list[GroupRate]:
    """Per group: responses, the number of families entered, the response rate, and whether the
    group's share of the answers falls well below its share of the families."""
    if by not in data.respondents.columns:
        return []
    labels = data.breakdown_labels(by)
    column = data.respondents[by].dropna().astype(str)
    counts = column.value_counts()
    answered = int(counts.sum())
    known = {str(k): int(v) for k, v in families.items() if v is not None and int(v) > 0}
    total_families = sum(known.values())
    groups = list(dict.fromkeys([*labels.keys(), *counts.index.astype(str), *known.keys()]))
    rows = []
    for group in groups:
        responses = int(counts.get(group, 0))
        n = known.get(group)
        if n is None and not responses:
            continue
        response_share = responses / answered if answered else 0.0
        family_share = n / total_families if n and total_families else None
        rows.append(GroupRate(
            group=group, label=labels.get(group, group), families=n, responses=responses,
            rate=responses / n if n else None, response_share=response_share, family_share=family_share,
            under_represented=family_share is not None and response_share < UNDER_REPRESENTED * family_share,
        ))
    return rows


@dataclass
class WeightedHeadline:
    share: float
    ci_low: float
    ci_high: float
    effective_base: float
    by: str
    groups_used: int
    groups_missing: list[str]


def weighted_headline(data: SurveyData, by: str, families: Mapping[str, int],
                      question: str = HEADLINE_QUESTION) -> WeightedHeadline | None:
    """The headline share post-stratified by `by`: each group's share positive weighted by its share
    of the families (not of the responses). The interval is Wilson's on Kish's effective base, so
    weighting never looks more certain than the answers allow. None when no group can be used."""
    q = data.questions.get(question)
    if q is None or question not in data.answers or by not in data.respondents.columns:
        return None
    good = positive_values(q)
    specials = set(NON_OPINION_VALUES)
    frame = data.respondents[["respondent_id", by]].copy()
    frame["answer"] = data.answers[question].to_numpy()
    frame = frame.dropna()
    frame = frame[~frame["answer"].astype(str).isin(specials)]
    frame["positive"] = frame["answer"].astype(str).isin(good)
    frame[by] = frame[by].astype(str)
    known = {str(k): int(v) for k, v in families.items() if v is not None and int(v) > 0}
    used = [g for g in known if (frame[by] == g).any()]
    missing = [g for g in known if g not in used]
    if not used:
        return None
    total = sum(known[g] for g in used)
    weights = np.zeros(len(frame))
    for g in used:
        in_group = (frame[by] == g).to_numpy()
        weights[in_group] = (known[g] / total) / in_group.sum()
    frame = frame[weights > 0]
    weights = weights[weights > 0]
    share = float((weights * frame["positive"].to_numpy()).sum() / weights.sum())
    effective = float(weights.sum() ** 2 / (weights ** 2).sum())
    low, high = wilson_interval(share * effective, effective)
    return WeightedHeadline(share, float(low), float(high), effective, by, len(used), missing)


@dataclass
class ThemeChange:
    key: str
    label: str
    share_now: float
    share_before: float | None

    @property
    def change(self) -> float:
        return self.share_now - (self.share_before or 0.0)


def theme_changes(now: Sequence[Mapping], before: Sequence[Mapping], limit: int = 3) -> tuple[list[ThemeChange], list[ThemeChange]]:
    """The themes whose share of commenters grew most and fell most since the previous run
    (rows with `key`, `label`, `share_value`). Without a previous run: the largest themes now."""
    then = {r["key"]: float(r["share_value"]) for r in before}
    rows = [ThemeChange(r["key"], r["label"], float(r["share_value"]), then.get(r["key"])) for r in now]
    for key, share in then.items():
        if key not in {r.key for r in rows}:
            label = next((r["label"] for r in before if r["key"] == key), key)
            rows.append(ThemeChange(key, label, 0.0, share))
    if not before:
        return sorted(rows, key=lambda r: -r.share_now)[:limit], []
    grew = sorted([r for r in rows if r.change > 0], key=lambda r: -r.change)[:limit]
    fell = sorted([r for r in rows if r.change < 0], key=lambda r: r.change)[:limit]
    return grew, fell


POET_VIEWS = (("poet-parent-carer", "Parents and carers"), ("poet-young-person", "Young people"),
              ("poet-practitioner", "Practitioners"))


@dataclass
class ViewCell:
    share: float | None
    positive: int | None
    base: int | None
    ci_low: float | None
    ci_high: float | None


def side_by_side(views: Sequence[tuple[str, SurveyData]], prefixes: tuple[str, ...] = ("outcome_", "process_")) -> list[dict]:
    """For each question the views share (POET's outcome areas and process questions share keys),
    the share positive in each view with its base and Wilson interval; a view that does not ask it
    is None. Questions in the order the first view that asks them has them."""
    keys: list[str] = []
    texts: dict[str, str] = {}
    for _, data in views:
        for q in data.closed_questions:
            if q.key.startswith(prefixes) and q.key not in keys:
                keys.append(q.key)
                texts[q.key] = q.text
    rows = []
    for key in keys:
        cells = []
        for _, data in views:
            counts = positive_counts(data, key) if key in data.questions else None
            if counts is None or counts[1] == 0:
                cells.append(None)
                continue
            low, high = wilson_interval(counts[0], counts[1])
            cells.append(ViewCell(counts[0] / counts[1], counts[0], counts[1], low, high))
        rows.append({"key": key, "text": texts[key], "area": "Outcome" if key.startswith("outcome_") else "Process", "cells": cells})
    return rows
