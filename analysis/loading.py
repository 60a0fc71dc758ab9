"""Loading a survey run's answers into tidy pandas frames, through the consent gate.

`load_run` is the one way answers leave the database for analysis: only submitted responses whose
respondent still permits "participation" are loaded, so withdrawn and erased answers never reach a
figure, a theme or a quote. `build_survey_data` does the same shaping from plain dicts, so the
figures can be computed (and tested) without a database.

The result, `SurveyData`, holds four frames, all indexed or keyed by `respondent_id`:

- `respondents`: one row per response: when, which version (variant), how (channel), the respondent
  group (the instrument's audience) and the breakdown fields (support level, main area of need, age
  band) where the instrument asks them.
- `answers`: one row per response, one column per closed question (single choice, scale, yes/no,
  age band) holding the option value; multiple-choice questions hold a list (see `choices`).
- `choices`: one row per option ticked in a multiple-choice question (respondent_id, question, value).
- `comments`: one row per non-empty free-text answer (respondent_id, question, text, may_quote).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from consent.gate import permitted_subjects
from consent.purposes import PARTICIPATION

QUOTES = "quotes"
from surveys.answer_types import AGE_BAND, CHOICE_TYPES, MULTIPLE_CHOICE, TEXT_TYPES
from surveys.instrument import Instrument, Question

# The breakdowns every dashboard offers, with the respondents-frame column that holds each.
BREAKDOWNS: dict[str, str] = {
    "group": "Respondent group",
    "support_level": "EHC plan or SEN support",
    "main_need": "Main area of need",
    "age_band": "Age band",
    "variant": "Version answered",
}
GROUP_LABELS = {
    "parent_carer": "Parents and carers",
    "young_person": "Children and young people",
    "practitioner": "Practitioners",
    "mixed": "Mixed",
}
VARIANT_LABELS = {"standard": "Standard", "easy_read": "Easy read", "symbols": "With pictures"}
CHANNEL_LABELS = {"web": "Online", "kiosk": "Kiosk", "paper": "Paper form", "event": "At an event"}
RESPONDENT_COLUMNS = (
    "respondent_id", "run", "submitted_at", "variant", "channel", "group", "support_level", "main_need", "age_band",
)
COMMENT_COLUMNS = ("respondent_id", "run", "question", "text", "may_quote")
# Question keys the breakdown fields come from (the age band is whichever age_band question there is).
SUPPORT_LEVEL_KEY = "support_level"
MAIN_NEED_KEY = "main_need"


@dataclass
class SurveyData:
    """A survey run's permitted, submitted answers as tidy frames, with the instrument to read them."""

    instrument: Instrument
    respondents: pd.DataFrame
    answers: pd.DataFrame
    choices: pd.DataFrame
    comments: pd.DataFrame
    run_slug: str = ""
    questions: dict[str, Question] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # breakdown value labels, when combined
    # Figures worked out from these answers, kept with them (the answers never change once loaded).
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.questions:
            self.questions = dict(self.instrument.questions_by_key)

    def __len__(self) -> int:
        return len(self.respondents)

    @property
    def closed_questions(self) -> list[Question]:
        """Questions with options, in the instrument's order (the ones figures are made for)."""
        return [q for q in self.questions.values() if q.type in CHOICE_TYPES and q.key in self.answers.columns]

    def breakdown_labels(self, by: str) -> dict[str, str]:
        """Readable names for the values of a breakdown column."""
        if by in self.labels:
            return dict(self.labels[by])
        if by == "group":
            return dict(GROUP_LABELS)
        if by == "variant":
            return dict(VARIANT_LABELS)
        if by == "channel":
            return dict(CHANNEL_LABELS)
        question = self.questions.get(age_band_key(self.instrument) if by == "age_band" else by)
        labels: dict[str, str] = {}
        if question is not None:
            labels = {o.value: o.label for o in question.all_options}
        if by == "age_band":  # after combining surveys, the other instrument's bands too
            for q in self.questions.values():
                if q.type == AGE_BAND:
                    labels.update({o.value: o.label for o in q.all_options if o.value not in labels})
        return labels


def age_band_key(instrument: Instrument) -> str | None:
    """The key of the instrument's age band question (the child's age, or the young person's own)."""
    for question in instrument.questions:
        if question.type == AGE_BAND:
            return question.key
    return None


def _closed_keys(instrument: Instrument) -> list[str]:
    return [q.key for q in instrument.questions if q.type in CHOICE_TYPES]


def _text_keys(instrument: Instrument) -> list[str]:
    return [q.key for q in instrument.questions if q.type in TEXT_TYPES]


META_COLUMNS = ("respondent_id", "run", "submitted_at", "variant", "channel", "may_quote")


def categorical(values: Any, categories: Iterable[str], keep_others: bool = True) -> pd.Categorical:
    """Values as a pandas Categorical in a fixed order (the instrument's option order), so figures
    count with integer codes. With `keep_others`, values outside `categories` are added after them
    (sorted); otherwise they become missing."""
    array = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values.astype(object, copy=False)
    known = list(dict.fromkeys(categories))
    if keep_others:
        listed = set(known)
        known += sorted(str(v) for v in pd.unique(array) if isinstance(v, str) and v not in listed)
    return pd.Categorical(array, categories=known)


def build_survey_data(
    instrument: Instrument,
    responses: Iterable[Mapping[str, Any]] | pd.DataFrame,
    run_slug: str = "",
) -> SurveyData:
    """Shape responses into `SurveyData` (no consent check here: the caller has done it).

    `responses` is either plain dicts, each with `answers` (question key -> value) and optionally
    `respondent_id`, `submitted_at`, `variant`, `channel`, `run` and `may_quote` (agreed to be
    quoted); or one wide frame with a row per response, those columns and a column per question
    key (like the export). The dicts are turned into that frame first.
    """
    if isinstance(responses, pd.DataFrame):
        wide = responses.reset_index(drop=True)
    else:
        wide = _wide_from_dicts(instrument, list(responses), run_slug)
    return _from_wide(instrument, wide, run_slug)


def _wide_from_dicts(instrument: Instrument, rows: list[Mapping[str, Any]], run_slug: str) -> pd.DataFrame:
    answer_dicts = [r.get("answers") or {} for r in rows]
    columns: dict[str, Any] = {
        "respondent_id": [str(r.get("respondent_id") or f"{run_slug or 'r'}-{i}") for i, r in enumerate(rows)],
        "run": [r.get("run", run_slug) for r in rows],
        "submitted_at": [r.get("submitted_at") for r in rows],
        "variant": [r.get("variant", "standard") for r in rows],
        "channel": [r.get("channel", "web") for r in rows],
        "may_quote": [bool(r.get("may_quote", False)) for r in rows],
    }
    for key in instrument.question_keys:
        columns[key] = [a.get(key) for a in answer_dicts]
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()}, index=pd.RangeIndex(len(rows)))


def _column(wide: pd.DataFrame, key: str, default: Any = None) -> pd.Series:
    if key in wide.columns:
        return wide[key]
    return pd.Series([default] * len(wide), index=wide.index, dtype=object)


def _objects(array: np.ndarray) -> pd.Series:
    """An object column as it is: pandas would otherwise convert text to its string dtype, which
    costs time on every load and gains nothing here."""
    return pd.Series(array, dtype=object, copy=False)


def _timestamps(values: pd.Series) -> pd.DatetimeIndex:
    """Submission times as UTC timestamps (datetimes from the database, or ISO 8601 text)."""
    if len(values) and isinstance(values.iloc[0], str):
        return pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    return pd.to_datetime(values, utc=True, errors="coerce")


def _from_wide(instrument: Instrument, wide: pd.DataFrame, run_slug: str) -> SurveyData:
    n = len(wide)
    questions = instrument.questions_by_key
    age_key = age_band_key(instrument)
    ids = _column(wide, "respondent_id").astype(object)
    if not all(isinstance(v, str) for v in ids):
        ids = pd.Series(
            [v if isinstance(v, str) else f"{run_slug or 'r'}-{i}" if v is None or v != v else str(v) for i, v in enumerate(ids)],
            dtype=object,
        )

    def options(key: str | None) -> list[str]:
        return [o.value for o in questions[key].all_options] if key in questions else []

    def breakdown(key: str | None) -> pd.Categorical:
        values = _column(wide, key) if key in questions else pd.Series([None] * n, dtype=object)
        return categorical(values.to_numpy(dtype=object), options(key))

    respondents = pd.DataFrame(
        {
            "respondent_id": _objects(ids.to_numpy(dtype=object)),
            "run": _objects(_column(wide, "run", run_slug).fillna(run_slug).to_numpy(dtype=object)),
            "submitted_at": _timestamps(_column(wide, "submitted_at")),
            "variant": categorical(_column(wide, "variant", "standard").to_numpy(dtype=object), VARIANT_LABELS),
            "channel": categorical(_column(wide, "channel", "web").to_numpy(dtype=object), CHANNEL_LABELS),
            "group": categorical(np.full(n, instrument.audience, dtype=object), GROUP_LABELS),
            "support_level": breakdown(SUPPORT_LEVEL_KEY),
            "main_need": breakdown(MAIN_NEED_KEY),
            "age_band": breakdown(age_key),
        },
        columns=list(RESPONDENT_COLUMNS),
    )

    closed = _closed_keys(instrument)
    answer_columns: dict[str, Any] = {"respondent_id": _objects(ids.to_numpy(dtype=object))}
    choice_frames = []
    for key in closed:
        values = _column(wide, key)
        if questions[key].type == MULTIPLE_CHOICE:
            lists = values.to_numpy(dtype=object)
            answer_columns[key] = _objects(lists)
            picked = [(row, value) for row, chosen in enumerate(lists) if isinstance(chosen, list) for value in chosen]
            if picked:
                rows = np.fromiter((row for row, _ in picked), dtype=np.int64, count=len(picked))
                choice_frames.append(pd.DataFrame({
                    "respondent_id": _objects(ids.to_numpy(dtype=object)[rows]),
                    "question": _objects(np.full(len(picked), key, dtype=object)),
                    "value": _objects(np.array([value for _, value in picked], dtype=object)),
                }))
        else:
            answer_columns[key] = categorical(values.to_numpy(dtype=object), options(key), keep_others=False)
    answers = pd.DataFrame(answer_columns)
    choices = (
        pd.concat(choice_frames, ignore_index=True) if choice_frames
        else pd.DataFrame({"respondent_id": pd.Series(dtype=object), "question": pd.Series(dtype=object), "value": pd.Series(dtype=object)})
    )

    comment_frames = []
    may_quote = _column(wide, "may_quote", False).fillna(False).astype(bool).to_numpy()
    runs = respondents["run"].to_numpy(dtype=object)
    ids_array = ids.to_numpy(dtype=object)
    for key in _text_keys(instrument):
        texts = [v.strip() if isinstance(v, str) else "" for v in _column(wide, key).to_numpy(dtype=object)]
        rows = np.flatnonzero(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
        if len(rows):
            comment_frames.append(pd.DataFrame({
                "respondent_id": _objects(ids_array[rows]),
                "run": _objects(runs[rows]),
                "question": _objects(np.full(len(rows), key, dtype=object)),
                "text": _objects(np.array(texts, dtype=object)[rows]),
                "may_quote": may_quote[rows],
            }))
    comments = (
        pd.concat(comment_frames, ignore_index=True) if comment_frames
        else pd.DataFrame({c: pd.Series(dtype=bool if c == "may_quote" else object) for c in COMMENT_COLUMNS})
    )
    return SurveyData(instrument, respondents, answers, choices, comments, run_slug=run_slug)


async def load_run(run) -> SurveyData:
    """A run's submitted responses as `SurveyData`, through the consent gate.

    `run` is a `surveys.runs.Run`. Only respondents the gate permits for participation are loaded:
    anyone who withdrew or erased their answers is left out, whatever their row says. `may_quote`
    on each comment says whether the respondent currently agrees to be quoted.
    """
    from surveys.responses import submitted_responses

    responses = await submitted_responses(run.id)
    subjects = [r.respondent_id for r in responses]
    allowed = await permitted_subjects(PARTICIPATION, subjects)
    quotable = await permitted_subjects(QUOTES, subjects) if QUOTES in run.instrument.consent_purposes else set()
    rows = [
        {
            "respondent_id": r.respondent_id,
            "run": run.slug,
            "submitted_at": r.submitted_at,
            "variant": r.variant,
            "channel": r.channel,
            "answers": r.answers,
            "may_quote": r.respondent_id in quotable,
        }
        for r in responses
        if r.respondent_id in allowed
    ]
    return build_survey_data(run.instrument, rows, run_slug=run.slug)


async def load_survey(slug: str) -> SurveyData | None:
    """`load_run` for the run with this slug, or None when there is no such run."""
    from surveys.runs import get_run

    run = await get_run(slug)
    return await load_run(run) if run is not None else None


def combine(*datas: SurveyData) -> SurveyData:
    """Several runs as one (e.g. the parent and the young person versions of the annual survey), so
    figures for shared questions such as `overall_satisfaction` can be broken down by group.

    Questions are taken from the first run that asks them; a question another run asks on a
    different scale or with different options is left out of the combined answers (its values
    stay available as a breakdown when it is one, e.g. `support_level`).
    """
    if not datas:
        raise ValueError("combine needs at least one SurveyData")
    questions: dict[str, Question] = {}
    clashing: set[str] = set()
    for data in datas:
        for key, question in data.questions.items():
            known = questions.get(key)
            if known is None:
                questions[key] = question
            elif (known.type, known.scale, known.option_values) != (question.type, question.scale, question.option_values):
                clashing.add(key)
    for key in clashing:
        questions.pop(key)
    keys = [k for k in questions if any(k in d.answers.columns for d in datas)]
    answer_columns: dict[str, Any] = {
        "respondent_id": np.concatenate([d.answers["respondent_id"].to_numpy(dtype=object) for d in datas])
    }
    for key in keys:
        parts = [
            d.answers[key].to_numpy(dtype=object) if key in d.answers.columns else np.full(len(d.answers), None, dtype=object)
            for d in datas
        ]
        values = np.concatenate(parts)
        if questions[key].type == MULTIPLE_CHOICE:
            answer_columns[key] = values
        else:
            answer_columns[key] = categorical(values, [o.value for o in questions[key].all_options], keep_others=False)
    respondents = pd.concat([d.respondents for d in datas], ignore_index=True)
    labels: dict[str, dict[str, str]] = {}
    for by in ("variant", "channel", "group", "support_level", "main_need", "age_band"):
        order: list[str] = []
        for d in datas:
            order += [c for c in d.respondents[by].cat.categories if c not in order]
            labels.setdefault(by, {}).update({k: v for k, v in d.breakdown_labels(by).items() if k not in labels.get(by, {})})
        values = np.concatenate([d.respondents[by].to_numpy(dtype=object) for d in datas])
        respondents[by] = categorical(values, order)
    return SurveyData(
        instrument=datas[0].instrument,
        respondents=respondents,
        answers=pd.DataFrame(answer_columns),
        choices=pd.concat([d.choices for d in datas], ignore_index=True),
        comments=pd.concat([d.comments for d in datas], ignore_index=True),
        run_slug="+".join(d.run_slug for d in datas),
        questions=questions,
        labels=labels,
    )


def as_of(data: SurveyData) -> datetime | None:
    """When the latest response in the data was sent."""
    if data.respondents.empty:
        return None
    return data.respondents["submitted_at"].max().to_pydatetime()
