"""Retention: deleting what we no longer need, on the periods in the privacy notice.

- unfinished drafts: deleted `draft_days` after they were last touched;
- contact details: deleted `contact_days` after the survey closed;
- free text: kept, anonymised or deleted `free_text_days` after the survey closed (per survey).

`plan_retention` says what would happen (the dry run); `apply_retention` does it and logs counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from analysis.redaction import redact
from consent.contacts import delete_contacts
from consent.events import log_event
from consent.tables import ContactDetail
from feedback.publishing.quotes import forget_quotes_of_answers
from feedback.themes.store import delete_codings
from surveys.responses import IN_PROGRESS, SUBMITTED
from surveys.runs import list_runs
from surveys.tables import Response


@dataclass(frozen=True)
class RetentionPolicy:
    draft_days: int = 30
    contact_days: int = 90


@dataclass
class SurveyPlan:
    slug: str
    drafts: list[int] = field(default_factory=list)
    contact_subjects: list[str] = field(default_factory=list)
    free_text_action: str = "keep"
    free_text: dict[int, dict[str, str | None]] = field(default_factory=dict)  # response id -> key -> new text (None: delete)


@dataclass
class RetentionPlan:
    surveys: list[SurveyPlan]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "unfinished drafts": sum(len(s.drafts) for s in self.surveys),
            "contact details": sum(len(s.contact_subjects) for s in self.surveys),
            "free-text answers anonymised": sum(
                sum(1 for v in s.free_text.values() for t in v.values() if t is not None) for s in self.surveys
            ),
            "free-text answers deleted": sum(
                sum(1 for v in s.free_text.values() for t in v.values() if t is None) for s in self.surveys
            ),
        }


def _answers(value) -> dict:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


async def plan_retention(policy: RetentionPolicy = RetentionPolicy(), now: datetime | None = None) -> RetentionPlan:
    now = now or datetime.now(timezone.utc)
    plans = []
    for run in await list_runs():
        plan = SurveyPlan(slug=run.slug)
        stale = await Response.select(Response.id).where(
            (Response.run == run.id) & (Response.status == IN_PROGRESS)
            & (Response.updated_at < now - timedelta(days=policy.draft_days))
        )
        plan.drafts = [row["id"] for row in stale]
        closed = run.closed_since(now)
        respondents = None
        if closed is not None and closed <= now - timedelta(days=policy.contact_days):
            respondents = [str(r["respondent_id"]) for r in await Response.select(Response.respondent_id).where(Response.run == run.id)]
            if respondents:
                held = await ContactDetail.select(ContactDetail.subject).where(ContactDetail.subject.is_in(respondents))
                plan.contact_subjects = [row["subject"] for row in held]
        retention = run.instrument.retention
        if closed is not None and retention.free_text != "keep" and closed <= now - timedelta(days=retention.free_text_days):
            plan.free_text_action = retention.free_text
            text_keys = [q.key for q in run.instrument.questions if q.is_free_text]
            rows = await Response.select(Response.id, Response.answers).where(
                (Response.run == run.id) & (Response.status == SUBMITTED)
            )
            for row in rows:
                answers = _answers(row["answers"])
                changes: dict[str, str | None] = {}
                for key in text_keys:
                    text = answers.get(key)
                    if not isinstance(text, str):
                        continue
                    if retention.free_text == "delete":
                        changes[key] = None
                    elif redact(text) != text:
                        changes[key] = redact(text)
                if changes:
                    plan.free_text[row["id"]] = changes
        plans.append(plan)
    return RetentionPlan(plans)


async def apply_retention(plan: RetentionPlan) -> dict[str, int]:
    drafts = [d for s in plan.surveys for d in s.drafts]
    if drafts:
        subjects = [str(r["respondent_id"]) for r in await Response.select(Response.respondent_id).where(Response.id.is_in(drafts))]
        await delete_contacts(subjects)
        await Response.delete().where((Response.id.is_in(drafts)) & (Response.status == IN_PROGRESS))
    await delete_contacts([s for survey in plan.surveys for s in survey.contact_subjects])
    for survey in plan.surveys:
        for response_id, changes in survey.free_text.items():
            row = await Response.select(Response.answers).where(Response.id == response_id).first()
            if row is None:
                continue
            answers = _answers(row["answers"])
            for key, text in changes.items():
                if text is None:
                    answers.pop(key, None)
                else:
                    answers[key] = text
            await Response.update({Response.answers: answers}).where(Response.id == response_id)
            deleted = [key for key, text in changes.items() if text is None]
            await delete_codings(response_id, deleted)
            await forget_quotes_of_answers(response_id, deleted)
    totals = plan.totals
    await log_event("retention", count=sum(totals.values()), detail=", ".join(f"{k}: {v}" for k, v in totals.items()))
    return totals
