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


def build_survey_data(
    instrument: Instrument,
    responses: Iterable[Mapping[str, Any]],
    run_slug: str = "",
) -> SurveyData:
    """Shape plain response dicts into `SurveyData` (no consent check: the caller has done it).

    Each dict has `answers` (question key -> value) and may have `respondent_id`, `submitted_at`,
    `variant`, `channel`, `run` and `may_quote` (whether the respondent agreed to be quoted).
    """
    rows = list(responses)
    n = len(rows)
    ids = [str(r.get("respondent_id", index)) for index, r in enumerate(rows)]
    answer_dicts = [r.get("answers") or {} for r in rows]
    age_key = age_band_key(instrument)
    questions = instrument.questions_by_key

    def column(key: str) -> list[Any]:
        return [a.get(key) for a in answer_dicts]

    respondents = pd.DataFrame(
        {
            "respondent_id": ids,
            "run": [r.get("run", run_slug) for r in rows],
            "submitted_at": pd.to_datetime([r.get("submitted_at") for r in rows], utc=True),
            "variant": [r.get("variant", "standard") for r in rows],
            "channel": [r.get("channel", "web") for r in rows],
            "group": [instrument.audience] * n,
            "support_level": column(SUPPORT_LEVEL_KEY) if SUPPORT_LEVEL_KEY in questions else [None] * n,
            "main_need": column(MAIN_NEED_KEY) if MAIN_NEED_KEY in questions else [None] * n,
            "age_band": column(age_key) if age_key else [None] * n,
        },
        columns=list(RESPONDENT_COLUMNS),
    )

    closed = _closed_keys(instrument)
    answers = pd.DataFrame({key: column(key) for key in closed}, columns=closed, dtype=object)
    answers.insert(0, "respondent_id", ids)

    choice_rows = [
        (rid, key, value)
        for key in closed
        if questions[key].type == MULTIPLE_CHOICE
        for rid, a in zip(ids, answer_dicts)
        if isinstance(a.get(key), list)
        for value in a[key]
    ]
    choices = pd.DataFrame(choice_rows, columns=["respondent_id", "question", "value"])

    comment_rows = []
    for key in _text_keys(instrument):
        for rid, r, a in zip(ids, rows, answer_dicts):
            text = a.get(key)
            if isinstance(text, str) and text.strip():
                comment_rows.append((rid, r.get("run", run_slug), key, text.strip(), bool(r.get("may_quote", False))))
    comments = pd.DataFrame(comment_rows, columns=list(COMMENT_COLUMNS))
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
    different scale or with different options is left out of the combined answers.
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
    answers = pd.concat([d.answers for d in datas], ignore_index=True, sort=False)
    answers = answers[["respondent_id", *[k for k in answers.columns if k in questions]]]
    return SurveyData(
        instrument=datas[0].instrument,
        respondents=pd.concat([d.respondents for d in datas], ignore_index=True),
        answers=answers.astype(object).where(answers.notna(), None),
        choices=pd.concat([d.choices for d in datas], ignore_index=True),
        comments=pd.concat([d.comments for d in datas], ignore_index=True),
        run_slug="+".join(d.run_slug for d in datas),
        questions=questions,
    )


def as_of(data: SurveyData) -> datetime | None:
    """When the latest response in the data was sent."""
    if data.respondents.empty:
        return None
    return data.respondents["submitted_at"].max().to_pydatetime()
