"""Sentiment per comment (textblob's polarity), summarised per theme and group — an indicator only.

Automatic sentiment misreads sarcasm, mixed feelings ("the SENCo is lovely but has no time") and
SEND words, so it is never shown as a finding: every summary carries `INDICATIVE_NOTE`, and the
people reading the comments decide what they say. Summaries of fewer than 10 comments are left
out of published figures, like any other small group.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.disclosure import FULL_FIGURES_WARNING, MIN_GROUP

INDICATIVE_NOTE = (
    "Indicative only: sentiment is scored automatically and misreads sarcasm, mixed feelings and "
    "specialist words. Read the comments before drawing conclusions."
)
NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05


@lru_cache(maxsize=50_000)
def polarity(text: str) -> float:
    """From -1 (negative) to +1 (positive); 0 for neutral or empty text."""
    if not text or not text.strip():
        return 0.0
    from textblob import TextBlob

    return float(TextBlob(text).sentiment.polarity)


def label(value: float) -> str:
    if value < NEGATIVE_BELOW:
        return "negative"
    if value > POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def score_comments(comments: pd.DataFrame, text_column: str = "text") -> pd.DataFrame:
    """The comments frame (or coded comments) with `polarity` and `sentiment` columns added."""
    result = comments.copy()
    result["polarity"] = [polarity(t) if isinstance(t, str) else np.nan for t in result[text_column]]
    result["sentiment"] = [label(v) if v == v else None for v in result["polarity"]]
    return result


def sentiment_by(
    scored: pd.DataFrame,
    by: str = "theme",
    respondents: pd.DataFrame | None = None,
    full: bool = False,
    min_group: int = MIN_GROUP,
) -> pd.DataFrame:
    """Mean polarity and the shares negative/neutral/positive per value of `by`.

    `by` is a column of `scored` (e.g. "theme", "question") or of `respondents` (e.g. "group",
    "support_level"), joined on respondent_id. Each comment counts once per group. Groups of fewer
    than `min_group` comments are suppressed unless `full` (officers only). Every row carries the
    indicative note.
    """
    frame = scored
    if by not in frame.columns:
        if respondents is None or by not in respondents.columns:
            raise KeyError(f"no column {by!r} in the comments or the respondents")
        frame = frame.merge(respondents[["respondent_id", by]], on="respondent_id", how="left")
    keys = [c for c in ("respondent_id", "question", by) if c in frame.columns]
    frame = frame.dropna(subset=[by, "polarity"]).drop_duplicates(keys)
    grouped = frame.groupby(by, sort=True)
    summary = pd.DataFrame(
        {
            "comments": grouped.size(),
            "mean_polarity": grouped["polarity"].mean(),
            "negative_share": grouped["sentiment"].apply(lambda s: (s == "negative").mean()),
            "neutral_share": grouped["sentiment"].apply(lambda s: (s == "neutral").mean()),
            "positive_share": grouped["sentiment"].apply(lambda s: (s == "positive").mean()),
        }
    ).reset_index().rename(columns={by: "group"})
    summary["suppressed"] = (summary["comments"] < min_group) & (not full)
    hidden = summary["suppressed"]
    for column in ("mean_polarity", "negative_share", "neutral_share", "positive_share"):
        summary.loc[hidden, column] = np.nan
    summary["comments"] = summary["comments"].astype("Int64").mask(hidden)
    summary["note"] = INDICATIVE_NOTE
    summary["warning"] = FULL_FIGURES_WARNING if full else None
    return summary
