"""One response opened by an officer from the results (a comment in a theme, a figure): its answers
as the person gave them, in the instrument's order.

Who may open it is the controller's business (manage permission: sharing a survey's results gives
a team aggregated figures, never a person's answers). What may be shown is decided here, through the
consent gate: only a submitted response whose respondent still takes part. The privacy notices say
officers who analyse a survey see its answers; nobody records a separate consent for that, so taking
part (not withdrawn, not erased) is the test. Anything else looks exactly like a response that does
not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consent.gate import permitted, permitted_subjects
from consent.purposes import PARTICIPATION
from surveys.responses import SUBMITTED, response_by_id, submitted_responses
from surveys.runs import Run

VARIANTS = {"standard": "Standard", "easy_read": "Easy read", "symbols": "With pictures"}
CHANNELS = {"web": "Online", "event": "At an event", "paper": "Paper form typed in"}


def _shown(question, value) -> str:
    """An answer as people read it: option labels instead of codes."""
    if isinstance(value, list):
        return "; ".join(question.label_for(str(v)) for v in value)
    if question.option_values and isinstance(value, str):
        return question.label_for(value)
    return str(value)


@dataclass(frozen=True)
class Answer:
    section: str
    question: str
    answer: str
    free_text: bool


@dataclass(frozen=True)
class OpenedResponse:
    response_id: int
    submitted_at: datetime | None
    variant: str
    channel: str
    answers: list[Answer]


async def opened_response(run: Run, response_id: int) -> OpenedResponse | None:
    """The response with this id in this run, when it may be shown; None otherwise."""
    draft = await response_by_id(response_id)
    if draft is None or draft.run_id != run.id or draft.status != SUBMITTED:
        return None
    if not await permitted(draft.respondent_id, PARTICIPATION):
        return None  # withdrawn through consent, even if the row still holds answers
    sections = {s.key: s.title for s in run.instrument.sections}
    answers = []
    for question in run.instrument.questions:
        value = draft.answers.get(question.key)
        if value in (None, "", []):
            continue
        answers.append(Answer(sections.get(question.section, ""), question.text, _shown(question, value),
                              not question.option_values))
    return OpenedResponse(draft.id, draft.submitted_at, VARIANTS.get(draft.variant, draft.variant),
                          CHANNELS.get(draft.channel, draft.channel), answers)


PER_PAGE = 50


@dataclass(frozen=True)
class ListedResponse:
    response_id: int
    submitted_at: datetime | None
    variant: str


@dataclass(frozen=True)
class ResponsesBehindFigure:
    """The responses counted in one answer of one question (a row of the question's figures)."""

    question: str
    answer: str
    total: int
    page: int
    pages: int
    responses: list[ListedResponse]


def _gave(value, wanted: str) -> bool:
    return wanted in value if isinstance(value, list) else value == wanted


async def responses_behind_figure(run: Run, question_key: str, value: str, page: int = 1) -> ResponsesBehindFigure | None:
    """The submitted responses that gave `value` to the question, oldest first, through the consent
    gate (the same people the figure counts); None when the question or the answer is not one of
    the survey's choices."""
    question = run.instrument.questions_by_key.get(question_key)
    if question is None or not question.option_values or value not in question.option_values:
        return None
    responses = await submitted_responses(run.id)
    allowed = await permitted_subjects(PARTICIPATION, [r.respondent_id for r in responses])
    matching = [r for r in responses if r.respondent_id in allowed and _gave(r.answers.get(question_key), value)]
    pages = max(1, -(-len(matching) // PER_PAGE))
    page = min(max(page, 1), pages)
    shown = matching[(page - 1) * PER_PAGE: page * PER_PAGE]
    return ResponsesBehindFigure(
        question.text, question.label_for(value), len(matching), page, pages,
        [ListedResponse(r.id, r.submitted_at, VARIANTS.get(r.variant, r.variant)) for r in shown],
    )


def answer_choices(run: Run, question_key: str) -> list[tuple[str, str]]:
    """(value, label) of each answer a question offers, for the links from its figures."""
    question = run.instrument.questions_by_key.get(question_key)
    return [(o.value, o.label) for o in question.all_options] if question is not None else []
