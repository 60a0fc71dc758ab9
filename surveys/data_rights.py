"""Respondents' rights over their answers: withdraw a consent, erase their answers, see everything
held about them. All keyed on the reference from the confirmation page (no account needed)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from consent.contacts import contact_for, delete_contacts
from consent.corrections import corrections_for, delete_corrections
from consent.events import log_event
from consent.gate import latest_decisions
from consent.tables import Notice
from consent.purposes import OPTIONAL_PURPOSES, PARTICIPATION
from consent.records import record_withdrawal, records_for
from surveys.codes import looks_like_code, normalise_code
from surveys.responses import SUBMITTED, WITHDRAWN, Draft, _fetch_one
from surveys.runs import get_run_by_id
from surveys.storage import lock_row, writing_transaction
from surveys.tables import Response


async def by_reference(reference: str) -> Draft | None:
    """The response a reference belongs to, whatever its state (None for anything not like one)."""
    if not looks_like_code(reference):
        return None
    return await _fetch_one(Response.reference == normalise_code(reference))


async def find_by_reference(reference: str) -> Draft | None:
    """A submitted response by its reference; None for anything else (including withdrawn ones)."""
    draft = await by_reference(reference)
    return draft if draft is not None and draft.status == SUBMITTED else None


async def withdrawable_purposes(draft: Draft) -> list[str]:
    """Optional purposes this person granted and has not yet withdrawn."""
    decisions = (await latest_decisions([draft.respondent_id]))[draft.respondent_id]
    return [p for p in OPTIONAL_PURPOSES if decisions.get(p) == "granted"]


async def withdraw_consents(draft: Draft, purposes: list[str], channel: str = "web") -> list[str]:
    granted = set(await withdrawable_purposes(draft))
    chosen = [p for p in purposes if p in granted]
    if not chosen:
        return []
    await record_withdrawal(draft.respondent_id, chosen, channel=channel)
    if {"contact", "follow_up"} & set(chosen) and not ({"contact", "follow_up"} & (granted - set(chosen))):
        await delete_contacts([draft.respondent_id])
    await log_event("withdrawal", detail=",".join(sorted(chosen)))
    return chosen


async def erase_response(draft: Draft, channel: str = "web") -> bool:
    """Withdraw answers entirely: the answers and free text are deleted from the database (so from
    every export, analysis and published figure from now on), contact details too. What remains is
    an empty row marked withdrawn, the consent history, and a log entry that an erasure happened."""
    engine = Response._meta.db
    async with writing_transaction(engine):
        await lock_row(Response, draft.id)
        current = await _fetch_one(Response.id == draft.id)
        if current is None or current.status == WITHDRAWN:
            return False
        await Response.update(
            {
                Response.answers: {},
                Response.status: WITHDRAWN,
                Response.browser_token_hash: None,
                Response.resume_code_hash: None,
                Response.current_page: None,
                Response.updated_at: datetime.now(timezone.utc),
            }
        ).where(Response.id == draft.id)
    await record_withdrawal(draft.respondent_id, [PARTICIPATION, *OPTIONAL_PURPOSES], channel=channel)
    await delete_contacts([draft.respondent_id])
    await delete_corrections([draft.respondent_id])  # a correction request quotes the answers
    await log_event("erasure")
    return True


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def subject_access(reference: str) -> dict[str, Any] | None:
    """Everything held for a reference, as one JSON-ready document (responses in any state)."""
    if not looks_like_code(reference):
        return None
    draft = await _fetch_one(Response.reference == normalise_code(reference))
    if draft is None:
        return None
    run = await get_run_by_id(draft.run_id)
    row = await Response.select().where(Response.id == draft.id).first()
    questions = run.instrument.questions_by_key if run else {}
    records = await records_for(draft.respondent_id)
    notices = {n.id: n for n in await Notice.objects().where(Notice.id.is_in([r.notice for r in records] or [0]))}
    contact = await contact_for(draft.respondent_id)
    await log_event("subject_access")
    return {
        "reference": draft.reference,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "survey": {"slug": run.slug, "title": run.title, "instrument": run.instrument.key,
                   "instrument_version": run.instrument.version} if run else None,
        "response": {
            "status": draft.status,
            "variant": draft.variant,
            "channel": draft.channel,
            "started_at": _iso(row["started_at"]),
            "updated_at": _iso(row["updated_at"]),
            "submitted_at": _iso(draft.submitted_at),
            "answers": [
                {
                    "question": key,
                    "text": questions[key].text if key in questions else None,
                    "answer": value,
                    "answer_text": ([questions[key].label_for(v) for v in value] if isinstance(value, list)
                                    else questions[key].label_for(value) if key in questions and isinstance(value, str) and questions[key].option_values
                                    else value) if key in questions else value,
                }
                for key, value in draft.answers.items()
            ],
        },
        "consent_records": [
            {
                "recorded_at": _iso(r.recorded_at),
                "actor": r.actor,
                "channel": r.channel,
                "notice": {"key": notices[r.notice].key, "version": notices[r.notice].version,
                           "audience": notices[r.notice].audience} if r.notice in notices else None,
                "purposes": r.purposes if isinstance(r.purposes, dict) else json.loads(r.purposes),
            }
            for r in records
        ],
        "contact_details": {"email": contact.email, "phone": contact.phone} if contact else None,
        "correction_requests": [
            {"received_at": _iso(c.received_at), "what_is_wrong": c.what_is_wrong, "should_say": c.should_say,
             "status": c.status, "outcome": c.outcome, "handled_at": _iso(c.handled_at)}
            for c in await corrections_for(draft.respondent_id)
        ],
    }
