"""Stored theme codings of free-text answers: the workspace codebook, codings per comment, and
officers' decisions on them.

`comment_themes(run_id)` is the stable read used by other parts of the workspace (quotes,
figures): (response id, question key) -> the comment's current theme keys.
"""

from __future__ import annotations

from analysis.codebook import Codebook
from analysis.coding import code_comment, default_codebook
from consent.gate import permitted_subjects
from consent.purposes import PARTICIPATION
from surveys.answer_types import TEXT_TYPES
from surveys.responses import submitted_responses
from surveys.runs import get_run_by_id


async def current_codebook() -> Codebook:
    return default_codebook()


async def comment_themes(run_id: int) -> dict[tuple[int, str], list[str]]:
    """Every submitted free-text answer of the run (of respondents the consent gate permits), keyed by (response id, question key), with
    its current theme keys (an officer's decision where reviewed, otherwise the coder's)."""
    run = await get_run_by_id(run_id)
    if run is None:
        return {}
    codebook = await current_codebook()
    text_keys = [q.key for q in run.instrument.questions if q.type in TEXT_TYPES]
    responses = await submitted_responses(run_id)
    allowed = await permitted_subjects(PARTICIPATION, [r.respondent_id for r in responses])
    result: dict[tuple[int, str], list[str]] = {}
    for response in responses:
        if response.respondent_id not in allowed:
            continue
        for key in text_keys:
            text = response.answers.get(key)
            if isinstance(text, str) and text.strip():
                result[(response.id, key)] = [theme for theme, _terms in code_comment(text, codebook)]
    return result
