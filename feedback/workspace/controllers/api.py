"""A JSON API for officers' own tools: the same data as the exports, with the same permissions.
Authenticated by the workspace session cookie; described in the OpenAPI document at /schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath

from feedback.errors import API_ERRORS
from feedback.accounts.audit import audit
from feedback.accounts.auth import can_see, signed_in, visible_or_404
from feedback.workspace.exports import export_rows
from surveys.runs import get_run_by_id, list_runs
from surveys.stats import counts_by_run


@dataclass
class SurveySummary:
    id: int
    slug: str
    title: str
    status: str
    open_now: bool
    closes_at: datetime | None
    variants: list[str]
    instrument: str
    instrument_version: str
    submitted: int
    started: int


@dataclass
class ResponseRecord:
    respondent_id: str
    submitted_at: str
    variant: str
    channel: str
    answers: dict[str, Any]


@dataclass
class ResponsesPage:
    survey: str
    count: int
    question_keys: list[str]
    responses: list[ResponseRecord]


class ApiController(Controller):
    path = "/api"
    guards = [signed_in]
    tags = ["surveys"]

    @get("/surveys", responses=API_ERRORS, summary="Surveys you can see, with response counts")
    async def surveys(self, request: Request) -> list[SurveySummary]:
        account = request.state.account
        runs = [r for r in await list_runs() if can_see(account, r)]
        counts = await counts_by_run([r.id for r in runs])
        return [
            SurveySummary(
                id=r.id, slug=r.slug, title=r.title, status=r.status, open_now=r.is_open(), closes_at=r.closes_at,
                variants=list(r.variants), instrument=r.instrument.key, instrument_version=r.instrument.version,
                submitted=counts[r.id].submitted, started=counts[r.id].started,
            )
            for r in runs
        ]

    @get("/surveys/{run_id:int}/responses", responses=API_ERRORS, summary="Submitted responses that the consent gate allows")
    async def responses(self, request: Request, run_id: FromPath[int]) -> ResponsesPage:
        # Raw answers follow manage permission: a team a survey is shared with gets aggregated results only.
        run = visible_or_404(request.state.account, await get_run_by_id(run_id), manage=True)
        header, rows = await export_rows(run)
        keys = header[4:]
        records = []
        for row in rows:
            answers = {k: v for k, v in zip(keys, row[4:]) if v != ""}
            records.append(ResponseRecord(respondent_id=row[0], submitted_at=row[1], variant=row[2], channel=row[3], answers=answers))
        await audit(request.state.account.email, "api_export", object=run.slug, count=len(records))
        return ResponsesPage(survey=run.slug, count=len(records), question_keys=list(keys), responses=records)
