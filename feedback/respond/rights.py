"""Withdrawing a consent or erasing answers, and everything drawn from them, written to the audit log
with who did it: the respondent at /withdraw ("respondent (self-service)"), or a signed-in officer
handling a request received by phone or email (with the reason they recorded). The audit entry names
the survey and what was withdrawn, never the reference, the answers or any contact detail."""

from __future__ import annotations

from consent.corrections import request_correction
from feedback.accounts.audit import audit
from feedback.publishing.quotes import QUOTES, remove_quotes_of
from feedback.themes.store import delete_codings
from surveys.data_rights import erase_response, withdraw_consents
from surveys.responses import Draft
from surveys.runs import get_run_by_id


async def _survey_slug(draft: Draft) -> str:
    run = await get_run_by_id(draft.run_id)
    return run.slug if run else ""


async def erase_answers(draft: Draft, actor: str, reason: str = "", channel: str = "web") -> bool:
    """All answers deleted (so from every figure and export from now on), their theme codings and
    quotes too, contact details deleted; the consent history stays. False if already erased."""
    erased = await erase_response(draft, channel=channel)
    await delete_codings(draft.id)
    await remove_quotes_of(draft.respondent_id)
    if erased:
        await audit(actor, "erasure", object=await _survey_slug(draft), detail=reason)
    return erased


async def withdraw_consent(draft: Draft, purposes: list[str], actor: str, reason: str = "", channel: str = "web") -> list[str]:
    """Withdraw optional uses (quotes, contact, follow-up); quotes already drawn are deleted."""
    withdrawn = await withdraw_consents(draft, purposes, channel=channel)
    if QUOTES in withdrawn:
        await remove_quotes_of(draft.respondent_id)
    if withdrawn:
        detail = ", ".join(withdrawn) + (f"; {reason}" if reason else "")
        await audit(actor, "withdrawal", object=await _survey_slug(draft), detail=detail)
    return withdrawn


async def ask_for_correction(draft: Draft, what_is_wrong: str, should_say: str, actor: str) -> None:
    """A request to correct what is held, for an officer to act on; the audit entry names the
    survey only (the request's words may describe the child)."""
    slug = await _survey_slug(draft)
    await request_correction(draft.respondent_id, slug, what_is_wrong, should_say)
    await audit(actor, "correction_requested", object=slug)
