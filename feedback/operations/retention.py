"""Retention: deleting what we no longer need, on the periods the privacy notice promises.

Each period is a setting of the survey's instrument (`surveys.instrument.Retention`; the notice is
checked against it in `surveys.promises`), counted from when the survey closed:

- unfinished drafts: deleted `drafts_days` after they were last saved;
- finished answers: deleted `answers_days` after the survey closed, with everything drawn from them
  (theme codings, coded-comment markers, quotes, contact details); the consent records stay, without
  any answer, as the evidence of what each person agreed to;
- contact details: deleted `contacts_days` after the survey closed at the latest;
- free text: kept, anonymised or deleted `free_text_days` after the survey closed.

`plan_retention` says what would happen (the dry run); `apply_retention` does it and logs counts.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from analysis.redaction import redact
from consent.contacts import delete_contacts
from consent.corrections import delete_corrections
from consent.events import log_event
from consent.tables import ContactDetail
from feedback.accounts.audit import audit
from feedback.messages.invitations import forget_addresses
from feedback.messages.tables import Invitee
from feedback.publishing.quotes import forget_quotes_of_answers, forget_quotes_of_responses
from feedback.themes.store import delete_codings, delete_codings_of_responses
from surveys.promises import instrument_problems
from surveys.responses import IN_PROGRESS, SUBMITTED
from surveys.runs import list_runs
from surveys.tables import Response

log = logging.getLogger("feedback.retention")

COMMAND_LINE = "command line"  # the audit log's actor for work started from the CLI


@dataclass(frozen=True)
class RetentionPolicy:
    """Optional overrides from the command line. They can only shorten a survey's own periods: a
    longer one would keep data past what its notice promised."""

    draft_days: int | None = None
    contact_days: int | None = None


def _shortest(own: int, override: int | None) -> int:
    return own if override is None else min(own, max(override, 0))


@dataclass
class SurveyPlan:
    slug: str
    run_id: int = 0
    invitee_addresses: int = 0  # invitation addresses held for a survey that has closed (no longer needed)
    drafts: list[int] = field(default_factory=list)
    contact_subjects: list[str] = field(default_factory=list)
    free_text_action: str = "keep"
    free_text: dict[int, dict[str, str | None]] = field(default_factory=dict)  # response id -> key -> new text (None: delete)
    expired: list[int] = field(default_factory=list)  # responses whose answers' period has ended
    expired_subjects: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # where the settings disagree with the notice


@dataclass
class RetentionPlan:
    surveys: list[SurveyPlan]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "responses past their period": sum(len(s.expired) for s in self.surveys),
            "unfinished drafts": sum(len(s.drafts) for s in self.surveys),
            "contact details": sum(len(s.contact_subjects) for s in self.surveys),
            "invitation addresses": sum(s.invitee_addresses for s in self.surveys),
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
        plan = SurveyPlan(slug=run.slug, run_id=run.id)
        retention = run.instrument.retention
        plan.problems = instrument_problems(run.instrument)
        draft_days = _shortest(retention.drafts_days, policy.draft_days)
        stale = await Response.select(Response.id).where(
            (Response.run == run.id) & (Response.status == IN_PROGRESS)
            & (Response.updated_at < now - timedelta(days=draft_days))
        )
        plan.drafts = [row["id"] for row in stale]
        closed = run.closed_since(now)
        if closed is not None:  # invitations and reminders only go to an open survey
            plan.invitee_addresses = await Invitee.count().where((Invitee.run == run.id) & Invitee.address.is_not_null())
        if closed is not None and closed <= now - timedelta(days=retention.answers_days):
            # the whole survey's answers are past their period: every response goes, drafts too
            rows = await Response.select(Response.id, Response.respondent_id).where(Response.run == run.id)
            plan.expired = [row["id"] for row in rows]
            plan.expired_subjects = [str(row["respondent_id"]) for row in rows]
            plan.drafts = []
            held = await _contacts_held(plan.expired_subjects)
            plan.contact_subjects = held
            plans.append(plan)
            continue
        if closed is not None and closed <= now - timedelta(days=_shortest(retention.contacts_days, policy.contact_days)):
            respondents = [str(r["respondent_id"]) for r in await Response.select(Response.respondent_id).where(Response.run == run.id)]
            plan.contact_subjects = await _contacts_held(respondents)
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


async def _contacts_held(subjects: list[str]) -> list[str]:
    held: list[str] = []
    for start in range(0, len(subjects), 500):
        rows = await ContactDetail.select(ContactDetail.subject).where(ContactDetail.subject.is_in(subjects[start:start + 500]))
        held.extend(row["subject"] for row in rows)
    return held


async def _delete_expired(response_ids: list[int], subjects: list[str]) -> None:
    """Finished answers past their period, and everything drawn from them. Consent records are
    kept: they hold no answers and are the evidence of what each person agreed to."""
    await delete_codings_of_responses(response_ids)
    await forget_quotes_of_responses(response_ids)
    for start in range(0, len(subjects), 500):
        await delete_contacts(subjects[start:start + 500])
        await delete_corrections(subjects[start:start + 500])
    for start in range(0, len(response_ids), 500):
        await Response.delete().where(Response.id.is_in(response_ids[start:start + 500]))


async def apply_retention(plan: RetentionPlan, actor: str = COMMAND_LINE) -> dict[str, int]:
    for survey in plan.surveys:
        if survey.expired:
            await _delete_expired(survey.expired, survey.expired_subjects)
    drafts = [d for s in plan.surveys for d in s.drafts]
    if drafts:
        subjects = [str(r["respondent_id"]) for r in await Response.select(Response.respondent_id).where(Response.id.is_in(drafts))]
        await delete_contacts(subjects)
        await Response.delete().where((Response.id.is_in(drafts)) & (Response.status == IN_PROGRESS))
    await delete_contacts([s for survey in plan.surveys for s in survey.contact_subjects])
    for survey in plan.surveys:
        if survey.invitee_addresses:
            await forget_addresses(survey.run_id)
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
    summary = ", ".join(f"{k}: {v}" for k, v in totals.items())
    await log_event("retention", count=sum(totals.values()), detail=summary)
    await audit(actor, "retention", detail=summary, count=sum(totals.values()))
    log.info("retention applied: %s", summary)  # counts only: never whose, never what
    return totals
