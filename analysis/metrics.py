"""Satisfaction figures: counts and percentages with their base, Wilson intervals, the headline
measure against its target, change since the previous run, and breakdowns by group.

Every figure keeps opinions apart from non-answers: "don't know", "does not apply" and "I don't
understand" are left out of the base and reported separately as counts. Shares are fractions
(0 to 1); `percent` is the same share times 100, for display. Published figures go through
disclosure control (`analysis.disclosure`); `full=True` returns everything, with a warning, for
officers only.

A question's figures are one tidy frame, one row per (group, value):

| column | meaning |
|---|---|
| `group`, `group_label` | the breakdown value (`"all"` without a breakdown) |
| `value`, `label` | the option (`"positive"` for the share satisfied / agreeing on a scale) |
| `kind` | `answer` (an opinion, in the base), `excluded` (a non-answer, count only) or `positive` |
| `count`, `base` | people choosing it, and people in the base (nullable integers; NA when suppressed) |
| `share`, `percent`, `ci_low`, `ci_high` | the share of the base and its 95% Wilson interval (NaN when suppressed or no base) |
| `suppressed` | True when disclosure control hid the count |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from analysis.disclosure import FULL_FIGURES_WARNING, LOW_COUNTS, MIN_GROUP, suppression_mask, table_constraints
from analysis.loading import BREAKDOWNS, SurveyData
from surveys.answer_types import MULTIPLE_CHOICE, NON_OPINION_VALUES, SCALE, SCALES, YES_NO
from surveys.instrument import Question

HEADLINE_QUESTION = "overall_satisfaction"
DEFAULT_TARGET = 0.90
CONFIDENCE = 0.95
ALL = "all"
POSITIVE = "positive"
FIGURE_COLUMNS = [
    "group", "group_label", "value", "label", "kind", "count", "base", "share", "percent", "ci_low", "ci_high", "suppressed",
]


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes, n, confidence: float = CONFIDENCE):
    """The Wilson score interval for a proportion (works on numbers or numpy arrays).

    Returns (low, high) as fractions; NaN where n is 0. Unlike the textbook p ± z·se, it stays
    inside 0..1 and behaves with small bases and shares near 0% or 100%.
    """
    x = np.asarray(successes, dtype=float)
    n_ = np.asarray(n, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n_
        denominator = 1 + z * z / n_
        centre = (p + z * z / (2 * n_)) / denominator
        half = z * np.sqrt(p * (1 - p) / n_ + z * z / (4 * n_ * n_)) / denominator
        low, high = centre - half, centre + half
    low = np.where(n_ > 0, np.clip(low, 0.0, 1.0), np.nan)
    high = np.where(n_ > 0, np.clip(high, 0.0, 1.0), np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def newcombe_interval(x1, n1, x2, n2, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """95% interval for the difference of two independent proportions x1/n1 − x2/n2 (Newcombe's
    hybrid score method, built from the two Wilson intervals)."""
    if not n1 or not n2:
        return float("nan"), float("nan")
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    d = p1 - p2
    return d - float(np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)), d + float(np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


@dataclass
class Figures:
    """One question's figures (see the module docstring for the columns of `table`)."""

    question: str
    text: str
    type: str
    by: str | None
    table: pd.DataFrame
    full: bool = False
    warning: str | None = None

    @property
    def answers(self) -> pd.DataFrame:
        return self.table[self.table["kind"] == "answer"]

    @property
    def excluded(self) -> pd.DataFrame:
        return self.table[self.table["kind"] == "excluded"]

    @property
    def positive(self) -> pd.DataFrame:
        return self.table[self.table["kind"] == POSITIVE]

    def row(self, value: str, group: str = ALL) -> dict[str, Any]:
        match = self.table[(self.table["value"] == value) & (self.table["group"] == group)]
        if match.empty:
            raise KeyError((group, value))
        return match.iloc[0].to_dict()


def positive_values(question: Question) -> frozenset[str]:
    """The values counted as positive: the scale's `positive` set, or "yes" for a yes/no question."""
    if question.type == SCALE and question.scale in SCALES:
        return SCALES[question.scale].positive
    if question.type == YES_NO:
        return frozenset({"yes"})
    return frozenset()


def _group_codes(data: SurveyData, by: str | None) -> tuple[np.ndarray, list[str]]:
    """Each respondent's group as an integer code (-1 = no value) and the groups in order (worked
    out once per breakdown: every question's table by it shares them)."""
    if by is None:
        return np.zeros(len(data.respondents), dtype=np.int64), [ALL]
    cache = data.derived.setdefault("group_codes", {})
    if by not in cache:
        column = data.respondents[by]
        if not isinstance(column.dtype, pd.CategoricalDtype):
            column = pd.Series(pd.Categorical(column.astype(object)), index=column.index)
        cache[by] = (column.cat.codes.to_numpy(dtype=np.int64), [str(c) for c in column.cat.categories])
    return cache[by]


def _codes(values, categories: list[str]) -> np.ndarray:
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype) and list(series.cat.categories) == categories:
        return series.cat.codes.to_numpy(dtype=np.int64)
    return pd.Categorical(series.astype(object), categories=categories).codes.astype(np.int64)


def _answer_codes(data: SurveyData, question: Question) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
    """A question's answers as option codes (-1 = none of its options), worked out once per question
    (its table by every breakdown shares them). Single choice: (None, a code per respondent, None).
    Multiple choice: (the respondent's row of each tick, the ticked option's code, whether each
    respondent ticked at least one of the options)."""
    cache = data.derived.setdefault("answer_codes", {})
    if question.key not in cache:
        values = [o.value for o in question.all_options]
        if question.type == MULTIPLE_CHOICE:
            picked = data.choices[data.choices["question"] == question.key]
            rows = pd.Index(data.respondents["respondent_id"]).get_indexer(picked["respondent_id"]).astype(np.int64)
            codes = _codes(picked["value"].reset_index(drop=True), values)
            ticked = np.zeros(len(data.respondents), dtype=bool)
            ticked[rows[(codes >= 0) & (rows >= 0)]] = True
            cache[question.key] = (rows, codes, ticked)
        else:
            cache[question.key] = (None, _codes(data.answers[question.key], values), None)
    return cache[question.key]


def _count_arrays(data: SurveyData, question: Question, by: str | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """count_matrix's numbers as arrays: counts (group x option), answered per group, group names;
    only groups with someone answering (every group when `by` is None)."""
    groups, group_names = _group_codes(data, by)
    n_values, n_groups = len(question.all_options), len(group_names)
    rows, value_codes, ticked = _answer_codes(data, question)
    if rows is not None:
        row_groups = np.where(rows >= 0, groups[rows], -1) if len(rows) else np.zeros(0, dtype=np.int64)
        ok = (value_codes >= 0) & (row_groups >= 0)
        answered = np.bincount(groups[ticked & (groups >= 0)], minlength=n_groups)
        flat = row_groups[ok] * n_values + value_codes[ok]
    else:
        ok = (value_codes >= 0) & (groups >= 0)
        flat = groups[ok] * n_values + value_codes[ok]
        answered = np.bincount(groups[ok], minlength=n_groups)
    counts = np.bincount(flat, minlength=n_groups * n_values).reshape(n_groups, n_values)
    if by is None:
        return counts, answered, list(group_names)
    keep = answered > 0
    return counts[keep], answered[keep], [g for g, k in zip(group_names, keep) if k]


def count_matrix(data: SurveyData, question: Question, by: str | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Counts per (group, option) for one question, all options in the instrument's order, and the
    number of respondents per group who answered it (for multiple choice: ticked at least one).
    Only groups with someone answering are kept; respondents with no value for `by` (the question
    was not asked of them) are left out."""
    counts, answered, index = _count_arrays(data, question, by)
    return (
        pd.DataFrame(counts, index=index, columns=[o.value for o in question.all_options]),
        pd.Series(answered, index=index),
    )


@dataclass
class QuestionTable:
    """One question's counts as the disclosure rules see them, before anything is hidden.

    `matrix` has one row per group and the columns [opinion options | non-answers | positive |
    _not_positive | _base] (the positive pair only for scales and yes/no); `answered` is each row's
    number of people who answered the question (for single choice: the base plus the non-answers)."""

    question: Question
    by: str | None
    matrix: pd.DataFrame
    answered: pd.Series
    opinion: list[str]
    specials: list[str]
    good: frozenset[str]

    @property
    def multiple(self) -> bool:
        return self.question.type == MULTIPLE_CHOICE

    @property
    def index_of(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.matrix.columns)}

    @property
    def base_column(self) -> int:
        return self.index_of["_base"]

    @property
    def shown_columns(self) -> list[tuple[str, str]]:
        """The (column, kind) pairs a published row shows, besides its base."""
        shown = [(v, "answer") for v in self.opinion] + [(v, "excluded") for v in self.specials]
        return shown + [(POSITIVE, POSITIVE)] if self.good else shown


def question_table(data: SurveyData, key: str, by: str | None = None) -> QuestionTable:
    question = data.questions[key]
    counts, answered, index = _count_arrays(data, question, by)
    values = [o.value for o in question.all_options]
    opinion = [v for v in values if v not in NON_OPINION_VALUES]
    specials = [v for v in values if v in NON_OPINION_VALUES]
    good = positive_values(question)
    column = {v: i for i, v in enumerate(values)}
    opinion_counts = counts[:, [column[v] for v in opinion]]
    special_counts = counts[:, [column[v] for v in specials]]
    base = answered if question.type == MULTIPLE_CHOICE else opinion_counts.sum(axis=1)
    parts, names = [opinion_counts, special_counts], opinion + specials
    if good:
        positive = counts[:, [column[v] for v in opinion if v in good]].sum(axis=1)
        parts += [positive[:, None], (base - positive)[:, None]]
        names += [POSITIVE, "_not_positive"]
    parts.append(base[:, None])
    names.append("_base")
    matrix = pd.DataFrame(np.hstack(parts).astype(np.int64), index=index, columns=names)
    if question.type != MULTIPLE_CHOICE:
        answered = base + special_counts.sum(axis=1)
    return QuestionTable(question, by, matrix, pd.Series(answered, index=index), opinion, specials, good)


def table_mask(table: QuestionTable, min_group: int = MIN_GROUP, low: tuple[int, int] = LOW_COUNTS) -> np.ndarray:
    """The cells one table's own disclosure rules hide (small groups, counts of 1 to 4, and more
    cells until no hidden cell can be worked out from the table's totals)."""
    index_of = table.index_of
    positive_layout = None
    if table.good:
        positive_layout = (
            [index_of[v] for v in table.opinion if v in table.good],
            [index_of[v] for v in table.opinion if v not in table.good],
            index_of[POSITIVE],
            index_of["_not_positive"],
        )
    constraints = table_constraints(
        rows=len(table.matrix),
        option_columns=[index_of[v] for v in table.opinion],
        base_column=table.base_column,
        exclusive_options=not table.multiple,
        positive=positive_layout,
        other_columns=[index_of[v] for v in table.specials],
        column_totals=table.by is not None,
    )
    return suppression_mask(table.matrix.to_numpy(), table.base_column, constraints, min_group=min_group, low=low)


def figures_from(data: SurveyData, table: QuestionTable, mask: np.ndarray, full: bool = False) -> Figures:
    """A table's published figures with `mask`'s cells hidden (nothing hidden when `full`)."""
    question, by = table.question, table.by
    values = table.matrix.to_numpy()
    index_of = table.index_of
    labels = {o.value: o.label for o in question.all_options}
    group_labels = data.breakdown_labels(by) if by else {ALL: "All respondents"}
    records = []
    base_col = table.base_column
    for i, group in enumerate(table.matrix.index):
        row_base = int(values[i, base_col])
        base_hidden = bool(mask[i, base_col])
        for value, kind in table.shown_columns:
            j = index_of[value]
            hidden = bool(mask[i, j])
            count = int(values[i, j])
            in_base = kind != "excluded"
            records.append(
                {
                    "group": group,
                    "group_label": group_labels.get(group, str(group)),
                    "value": value,
                    "label": "Positive" if value == POSITIVE else labels.get(value, value),
                    "kind": kind,
                    "count": None if hidden else count,
                    "base": None if base_hidden or not in_base else row_base,
                    "_share_count": None if hidden or not in_base or base_hidden else count,
                    "_share_base": row_base,
                    "suppressed": hidden,
                }
            )
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        frame = pd.DataFrame(columns=FIGURE_COLUMNS)
    else:
        x = frame["_share_count"].astype(float).to_numpy()
        n = frame["_share_base"].astype(float).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(n > 0, x / n, np.nan)
        ci_low, ci_high = wilson_interval(np.nan_to_num(x), n)
        unknown = np.isnan(x) | (n <= 0)
        frame["share"] = np.where(unknown, np.nan, share)
        frame["percent"] = frame["share"] * 100
        frame["ci_low"] = np.where(unknown, np.nan, ci_low)
        frame["ci_high"] = np.where(unknown, np.nan, ci_high)
        frame["count"] = frame["count"].astype("Int64")
        frame["base"] = frame["base"].astype("Int64")
        frame = frame[FIGURE_COLUMNS]
    return Figures(
        question=question.key, text=question.text, type=question.type, by=by, table=frame,
        full=full, warning=FULL_FIGURES_WARNING if full else None,
    )


# Published figures come from `analysis.published`, which protects every table of a survey together
# and builds on this module; it puts its `published_figures` here when imported (the package imports
# it), so this module need not import it back.
survey_wide_figures: Callable[[SurveyData], dict[tuple[str, str | None], "Figures"]] | None = None


def question_figures(
    data: SurveyData,
    key: str,
    by: str | None = None,
    full: bool = False,
    min_group: int = MIN_GROUP,
    low: tuple[int, int] = LOW_COUNTS,
) -> Figures:
    """Counts, shares and Wilson intervals for one closed question, overall or broken down `by` a
    respondents column ("group", "support_level", "main_need", "age_band", "variant", "channel").

    Published figures (the default) apply disclosure control to every published number of the survey
    together (`analysis.published`), so this table's hidden cells cannot be worked out from another
    table either; `full=True` is for officers only. Other `min_group`/`low` rules apply to this table alone.
    """
    if not full and min_group == MIN_GROUP and low == LOW_COUNTS:
        if survey_wide_figures is None:  # cannot happen: importing any analysis module imports it
            raise RuntimeError("analysis.published is not loaded: published figures would go unchecked")
        found = survey_wide_figures(data).get((key, by))
        if found is not None:
            return found
    table = question_table(data, key, by)
    mask = np.zeros(table.matrix.shape, dtype=bool) if full else table_mask(table, min_group, low)
    return figures_from(data, table, mask, full)


def all_question_figures(data: SurveyData, by: str | None = None, full: bool = False) -> dict[str, Figures]:
    """Figures for every closed question (choices, scales, yes/no, age bands), in instrument order."""
    return {q.key: question_figures(data, q.key, by=by, full=full) for q in data.closed_questions}


def breakdowns(
    data: SurveyData, key: str = HEADLINE_QUESTION, by: Iterable[str] = tuple(BREAKDOWNS), full: bool = False
) -> dict[str, Figures]:
    """One question broken down by each of `by` (skipping breakdowns the data has no values for)."""
    result = {}
    for column in by:
        if column in data.respondents.columns and data.respondents[column].notna().any():
            result[column] = question_figures(data, key, by=column, full=full)
    return result


@dataclass
class Headline:
    """The headline measure: the share positive on one question, against a target."""

    question: str
    text: str
    target: float
    positive: int | None
    base: int | None
    share: float | None
    ci_low: float | None
    ci_high: float | None
    meets_target: bool | None  # None when there is no figure (no base, or suppressed)
    clearly_below_target: bool | None  # the whole 95% interval is below the target
    previous_share: float | None = None
    previous_base: int | None = None
    change: float | None = None  # share now minus share then (fraction: 0.05 = 5 points)
    change_ci_low: float | None = None
    change_ci_high: float | None = None
    suppressed: bool = False
    full: bool = False
    warning: str | None = None

    @property
    def change_is_clear(self) -> bool | None:
        """Whether the change's 95% interval excludes zero (a change unlikely to be chance)."""
        if self.change_ci_low is None or self.change_ci_high is None:
            return None
        return self.change_ci_low > 0 or self.change_ci_high < 0


def _none_if_nan(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def headline(
    data: SurveyData,
    target: float = DEFAULT_TARGET,
    previous: SurveyData | None = None,
    question: str = HEADLINE_QUESTION,
    full: bool = False,
) -> Headline:
    """The share positive on `question` (its scale's positive set) against `target` (90% by
    default), with the change since `previous` (an earlier run of the same instrument)."""
    if not 0 < target <= 1:
        raise ValueError("the target is a share between 0 and 1, e.g. 0.9 for 90%")
    q = data.questions[question]
    row = question_figures(data, question, full=full).row(POSITIVE)
    share = _none_if_nan(row["share"])
    result = Headline(
        question=question, text=q.text, target=target,
        positive=_none_if_nan(row["count"]), base=_none_if_nan(row["base"]), share=share,
        ci_low=_none_if_nan(row["ci_low"]), ci_high=_none_if_nan(row["ci_high"]),
        meets_target=None if share is None else bool(share >= target),
        clearly_below_target=None if share is None else bool(row["ci_high"] < target),
        suppressed=bool(row["suppressed"]), full=full, warning=FULL_FIGURES_WARNING if full else None,
    )
    if previous is not None and question in previous.questions:
        before = question_figures(previous, question, full=full).row(POSITIVE)
        result.previous_share = _none_if_nan(before["share"])
        result.previous_base = _none_if_nan(before["base"])
        if share is not None and result.previous_share is not None:
            result.change = share - result.previous_share
            result.change_ci_low, result.change_ci_high = newcombe_interval(
                int(row["count"]), int(row["base"]), int(before["count"]), int(before["base"])
            )
    return result


def compare_runs(current: SurveyData, previous: SurveyData, full: bool = False,
                 figures_now: dict[str, Figures] | None = None) -> pd.DataFrame:
    """Change since the previous run, for every closed question both runs ask with the same options:
    one row per (question, value) with the share now and then, the change and its 95% interval
    (Newcombe). Figures suppressed in either run leave the change blank.
    `figures_now` reuses figures of `current` already computed (same `full`), by question key."""
    rows = []
    for question in current.closed_questions:
        old_question = previous.questions.get(question.key)
        if old_question is None or old_question.option_values != question.option_values or question.key not in previous.answers:
            continue
        now = (figures_now[question.key] if figures_now and question.key in figures_now
               else question_figures(current, question.key, full=full)).table
        then = question_figures(previous, question.key, full=full).table.set_index("value")
        for _, r in now[now["kind"] != "excluded"].iterrows():
            if r["value"] not in then.index:
                continue
            b = then.loc[r["value"]]
            change = low = high = np.nan
            if not (pd.isna(r["share"]) or pd.isna(b["share"])):
                change = r["share"] - b["share"]
                low, high = newcombe_interval(int(r["count"]), int(r["base"]), int(b["count"]), int(b["base"]))
            rows.append(
                {
                    "question": question.key, "value": r["value"], "label": r["label"], "kind": r["kind"],
                    "share_now": r["share"], "base_now": r["base"], "share_before": b["share"], "base_before": b["base"],
                    "change": change, "change_ci_low": low, "change_ci_high": high,
                    "suppressed": bool(r["suppressed"] or b["suppressed"]),
                }
            )
    return pd.DataFrame(rows, columns=[
        "question", "value", "label", "kind", "share_now", "base_now", "share_before", "base_before",
        "change", "change_ci_low", "change_ci_high", "suppressed",
    ])


@dataclass
class Dashboard:
    """What the workspace's results page shows first: the headline, every closed question, and the
    headline question broken down by each group."""

    respondents: int
    headline: Headline | None
    questions: dict[str, Figures]
    breakdowns: dict[str, Figures]
    changes: pd.DataFrame | None = None
    full: bool = False
    warning: str | None = None
    notes: list[str] = field(default_factory=list)


def dashboard(
    data: SurveyData,
    previous: SurveyData | None = None,
    target: float = DEFAULT_TARGET,
    full: bool = False,
    headline_question: str = HEADLINE_QUESTION,
) -> Dashboard:
    has_headline = headline_question in data.questions and headline_question in data.answers
    notes = []
    if len(data) < MIN_GROUP and not full:
        notes.append(f"Fewer than {MIN_GROUP} responses: figures are hidden until more arrive.")
    return Dashboard(
        respondents=len(data),
        headline=headline(data, target, previous, headline_question, full=full) if has_headline else None,
        questions=all_question_figures(data, full=full),
        breakdowns=breakdowns(data, headline_question, full=full) if has_headline else {},
        changes=compare_runs(data, previous, full=full) if previous is not None else None,
        full=full,
        warning=FULL_FIGURES_WARNING if full else None,
        notes=notes,
    )
