"""Requests to correct what is held: the right the notices promise ("ask us to correct it").
A respondent sends one with their reference; officers see it in the workspace's privacy area and
record what they did. Deleted with the answers (erasure, or the end of the retention period)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from consent.tables import CorrectionRequest

OPEN, CORRECTED, NOT_CHANGED = "open", "corrected", "not_changed"
OUTCOMES = (CORRECTED, NOT_CHANGED)
TEXT_LIMIT = 2000


async def request_correction(subject: str, survey: str, what_is_wrong: str, should_say: str) -> CorrectionRequest:
    request = CorrectionRequest(
        subject=subject, survey=survey, what_is_wrong=what_is_wrong.strip()[:TEXT_LIMIT],
        should_say=should_say.strip()[:TEXT_LIMIT],
    )
    await request.save()
    return request


async def correction_requests(status: str | None = None) -> list[CorrectionRequest]:
    query = CorrectionRequest.objects().order_by(CorrectionRequest.received_at, ascending=False)
    if status:
        query = query.where(CorrectionRequest.status == status)
    return await query


async def corrections_for(subject: str) -> list[CorrectionRequest]:
    return await CorrectionRequest.objects().where(CorrectionRequest.subject == subject).order_by(CorrectionRequest.id)


async def correction_request(request_id: int) -> CorrectionRequest | None:
    return await CorrectionRequest.objects().where(CorrectionRequest.id == request_id).first()


async def record_outcome(request_id: int, outcome: str, note: str, by: str) -> CorrectionRequest | None:
    """Close a request: corrected (what was changed) or not changed (why). Closed requests stay
    closed: a second decision is refused (None)."""
    if outcome not in OUTCOMES:
        raise ValueError(outcome)
    found = await correction_request(request_id)
    if found is None or found.status != OPEN:
        return None
    await CorrectionRequest.update({
        CorrectionRequest.status: outcome, CorrectionRequest.outcome: note.strip()[:TEXT_LIMIT],
        CorrectionRequest.handled_by: by, CorrectionRequest.handled_at: datetime.now(timezone.utc),
    }).where((CorrectionRequest.id == request_id) & (CorrectionRequest.status == OPEN))
    return await correction_request(request_id)


async def delete_corrections(subjects: Iterable[str]) -> int:
    subjects = [str(s) for s in subjects]
    if not subjects:
        return 0
    count = await CorrectionRequest.count().where(CorrectionRequest.subject.is_in(subjects))
    if count:
        await CorrectionRequest.delete().where(CorrectionRequest.subject.is_in(subjects))
    return count
