"""Responses: starting, saving each page, resuming, and submitting exactly once."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from piccolo.engine.base import Engine
from piccolo.utils.encoding import dump_json

from surveys.codes import hash_code, hash_token, new_browser_token, random_code
from surveys.journey import CHECK_PAGE, answers_on_path, missing_answers
from surveys.runs import Run
from surveys.storage import fixed_query, lock_row, writing_transaction
from surveys.tables import Response

IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
WITHDRAWN = "withdrawn"
CHANNELS = ("web", "kiosk", "paper", "event")


@dataclass
class Draft:
    id: int
    run_id: int
    reference: str
    respondent_id: str
    status: str
    variant: str
    channel: str
    current_page: str | None
    answers: dict[str, Any] = field(default_factory=dict)
    submitted_at: datetime | None = None
    updated_at: datetime | None = None  # the last save (event mode's idle clock)

    @property
    def is_submitted(self) -> bool:
        return self.status == SUBMITTED


class NotFound(LookupError):
    pass


class AlreadySubmitted(RuntimeError):
    pass


class Incomplete(ValueError):
    def __init__(self, missing):
        self.missing = missing
        super().__init__(f"{len(missing)} required answers missing")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _draft(row: dict[str, Any]) -> Draft:
    answers = row["answers"]
    return Draft(
        id=row["id"],
        run_id=row["run"],
        reference=row["reference"],
        respondent_id=str(row["respondent_id"]),
        status=row["status"],
        variant=row["variant"],
        channel=row["channel"],
        current_page=row["current_page"],
        answers=json.loads(answers) if isinstance(answers, str) else dict(answers or {}),
        submitted_at=row["submitted_at"],
        updated_at=row.get("updated_at"),
    )


_COLUMNS = (
    Response.id, Response.run, Response.reference, Response.respondent_id, Response.status,
    Response.variant, Response.channel, Response.current_page, Response.answers, Response.submitted_at,
    Response.updated_at,
)


async def _fetch_one(where) -> Draft | None:
    row = await Response.select(*_COLUMNS).where(where).first()
    return _draft(row) if row else None


# The hot lookups (every question page) as fixed SQL: Piccolo's query building costs more than the
# query itself here.
_DRAFT_SQL = (
    "SELECT id, run, reference, respondent_id, status, variant, channel, current_page, answers, submitted_at,"
    " updated_at FROM survey_response WHERE "
)


_SAVE_PAGE_SQL = (
    'UPDATE "survey_response" SET "answers" = {}, "current_page" = {}, "updated_at" = {},'
    ' "pages_saved" = "pages_saved" + 1 WHERE "id" = {}'
)


async def _fetch_where(condition: str, *values: Any) -> Draft | None:
    rows = await fixed_query(Response, _DRAFT_SQL + condition, *values)
    return _draft(rows[0]) if rows else None


async def start_response(
    run: Run, variant: str = "standard", channel: str = "web", keep_browser_token: bool = True
) -> tuple[Draft, str | None]:
    """Create a draft. Returns it with the browser token to put in the resume cookie."""
    if variant not in run.variants:
        variant = "standard"
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    token = new_browser_token() if keep_browser_token else None
    for _attempt in range(5):
        reference = random_code()
        if await Response.exists().where(Response.reference == reference):
            continue  # vanishingly rare; try another
        row = Response(
            run=run.id,
            respondent_id=uuid.uuid4(),
            reference=reference,
            browser_token_hash=hash_token(token) if token else None,
            variant=variant,
            channel=channel,
            answers={},
        )
        await row.save()
        draft = await _fetch_one(Response.id == row.id)
        assert draft is not None
        return draft, token
    raise RuntimeError("could not allocate a unique reference")


async def response_for_browser(run: Run, token: str | None) -> Draft | None:
    if not token or len(token) > 100:
        return None
    return await _fetch_where("browser_token_hash = {} AND run = {}", hash_token(token), run.id)


async def response_by_id(response_id: int) -> Draft | None:
    return await _fetch_one(Response.id == response_id)


async def save_page(engine: Engine, draft: Draft, values: dict[str, Any], next_page: str) -> Draft:
    """Merge one page's answers into the stored draft and remember where the respondent is.

    Read and write happen in one transaction so two tabs saving at once cannot lose each other's
    answers. Unanswered optional questions remove any earlier answer (the respondent cleared it).
    """
    engine = Response._meta.db
    async with writing_transaction(engine):
        await lock_row(Response, draft.id)
        current = await _fetch_where("id = {}", draft.id)
        if current is None:
            raise NotFound(draft.id)
        if current.status != IN_PROGRESS:
            raise AlreadySubmitted(current.reference)
        answers = dict(current.answers)
        for key, value in values.items():
            if value is None:
                answers.pop(key, None)
            else:
                answers[key] = value
        await fixed_query(Response, _SAVE_PAGE_SQL, dump_json(answers), next_page, _now(), draft.id)
    current.answers = answers
    current.current_page = next_page
    return current


async def set_current_page(draft: Draft, page_key: str) -> None:
    await Response.update({Response.current_page: page_key}).where(
        (Response.id == draft.id) & (Response.status == IN_PROGRESS)
    )


async def create_resume_code(draft: Draft, secret: str) -> str:
    """A fresh code for "save and come back later"; any earlier code stops working."""
    code = random_code()
    await Response.update({Response.resume_code_hash: hash_code(code, secret)}).where(Response.id == draft.id)
    return code


async def resume_with_code(run: Run, code: str, secret: str) -> tuple[Draft, str] | None:
    """Find the draft a resume code belongs to and give this browser a new token for it."""
    draft = await _fetch_one(
        (Response.resume_code_hash == hash_code(code, secret)) & (Response.run == run.id)
    )
    if draft is None or draft.status != IN_PROGRESS:
        return None
    token = new_browser_token()
    await Response.update({Response.browser_token_hash: hash_token(token)}).where(Response.id == draft.id)
    return draft, token


async def submit_response(draft: Draft, run: Run) -> Draft:
    """Submit exactly once: a double tap or a replayed request finds it already submitted.

    Only answers on the respondent's final path are kept (changing an answer can hide questions
    answered earlier). The conditional update makes the status change atomic on both databases.
    """
    current = await _fetch_one(Response.id == draft.id)
    if current is None:
        raise NotFound(draft.id)
    if current.status == SUBMITTED:
        return current
    if current.status != IN_PROGRESS:
        raise AlreadySubmitted(current.reference)
    instrument = run.instrument
    missing = missing_answers(instrument, current.answers)
    if missing:
        raise Incomplete(missing)
    kept = answers_on_path(instrument, current.answers)
    await Response.update(
        {
            Response.status: SUBMITTED,
            Response.answers: kept,
            Response.submitted_at: _now(),
            Response.updated_at: _now(),
            Response.current_page: CHECK_PAGE,
            Response.resume_code_hash: None,
        }
    ).where((Response.id == draft.id) & (Response.status == IN_PROGRESS))
    submitted = await _fetch_one(Response.id == draft.id)
    assert submitted is not None
    return submitted


async def submitted_responses(run_id: int) -> list[Draft]:
    """Every submitted response to a run, oldest first (withdrawn ones are not submitted)."""
    rows = await Response.select(*_COLUMNS).where(
        (Response.run == run_id) & (Response.status == SUBMITTED)
    ).order_by(Response.submitted_at).order_by(Response.id)
    return [_draft(row) for row in rows]
