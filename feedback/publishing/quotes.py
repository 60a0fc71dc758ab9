"""Quotes: free-text answers put forward for "you said, we did", reviewed by an officer.

The rules, each enforced here rather than in the pages:
- a comment is a candidate only when its respondent currently agrees to be quoted (the consent
  gate's "quotes" purpose) and it has a theme (`feedback.themes.store.comment_themes`);
- what is stored is the redacted wording (`analysis.redaction.redact` with the partnership's lists),
  never the original; an officer may edit it before approving;
- consent is checked again at every read and at publishing: a quote whose respondent withdrew (or
  erased their answers) is deleted and never shown, even when it was approved earlier;
- only approved quotes can be attached to an update or appear on the public page;
- every decision is written to the audit log, without the quote's words.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from analysis.redaction import ListsProblem, RedactionLists, load_lists, redact
from consent.gate import permitted_subjects
from feedback.accounts.audit import audit
from feedback.publishing.tables import Quote
from surveys.runs import Run
from surveys.storage import writing_transaction

log = logging.getLogger("feedback.publishing.quotes")

QUOTES = "quotes"  # the consent purpose
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = {PENDING: "Waiting for review", APPROVED: "Approved", REJECTED: "Rejected"}
MAX_QUOTE = 1000  # characters in an edited quote
MAX_PENDING_PER_THEME = 10  # candidates waiting per theme, so the review queue stays readable
LISTS_ENV = "FEEDBACK_LOCAL_NAMES_FILE"
MAX_ID = 2**31 - 1


# --- the partnership's lists ----------------------------------------------------------------------

_lists_cache: dict[tuple[str, float], RedactionLists] = {}


def partnership_lists() -> tuple[RedactionLists, str | None]:
    """The lists in FEEDBACK_LOCAL_NAMES_FILE (re-read when the file changes), and a problem to
    show when the file is set but cannot be used (redaction then uses the built-in rules only)."""
    path = os.environ.get(LISTS_ENV, "").strip()
    if not path:
        return RedactionLists(), None
    try:
        key = (path, Path(path).stat().st_mtime)
        if key not in _lists_cache:
            _lists_cache.clear()
            _lists_cache[key] = load_lists(path)
        return _lists_cache[key], None
    except (OSError, ListsProblem) as error:
        log.warning("redaction lists not used: %s", type(error).__name__)
        return RedactionLists(), (
            "The partnership's list of local names, schools and staff could not be read, so only the "
            "built-in rules removed personal details. Ask an administrator to check " + LISTS_ENV + "."
        )


# --- reading, always through the consent gate -----------------------------------------------------


async def _still_permitted(quotes: list[Quote]) -> list[Quote]:
    """The quotes whose respondents still agree to be quoted; the others are deleted for good."""
    if not quotes:
        return []
    allowed = await permitted_subjects(QUOTES, {q.respondent_id for q in quotes})
    gone = [q.id for q in quotes if q.respondent_id not in allowed]
    if gone:
        await Quote.delete().where(Quote.id.is_in(gone))
    return [q for q in quotes if q.respondent_id in allowed]


async def quotes_for_run(run_id: int, status: str | None = None) -> list[Quote]:
    query = Quote.objects().where(Quote.run == run_id).order_by(Quote.id)
    if status is not None:
        query = query.where(Quote.status == status)
    return await _still_permitted(await query.output(load_json=True))


async def get_quote(run_id: int, quote_id: int) -> Quote | None:
    """One quote of this run (None for another run's, a made-up id, or a withdrawn respondent's)."""
    if not 0 < quote_id <= MAX_ID:
        return None
    quote = await Quote.objects().where((Quote.id == quote_id) & (Quote.run == run_id)).output(load_json=True).first()
    if quote is None:
        return None
    kept = await _still_permitted([quote])
    return kept[0] if kept else None


async def approved_quotes(run_id: int, themes: Iterable[str] | None = None) -> list[Quote]:
    quotes = await quotes_for_run(run_id, APPROVED)
    if themes is not None:
        wanted = set(themes)
        quotes = [q for q in quotes if wanted & set(q.themes or [])]
    return quotes


async def published_quotes(update_ids: Iterable[int]) -> dict[int, list[Quote]]:
    """Approved, still-consented quotes attached to each update."""
    ids = set(update_ids)
    result: dict[int, list[Quote]] = {i: [] for i in ids}
    if not ids:
        return result
    # Sorted here, not by ORDER BY id, which could lead the planner past the status index.
    quotes = await Quote.objects().where(Quote.status == APPROVED).output(load_json=True)
    quotes = sorted((q for q in quotes if ids & set(q.updates or [])), key=lambda q: q.id)
    for quote in await _still_permitted(quotes):
        for update_id in quote.updates or []:
            if update_id in result:
                result[update_id].append(quote)
    return result


async def remove_quotes_of(respondent_id: str) -> int:
    """Delete every quote of a respondent (erasure, or quote consent withdrawn)."""
    count = await Quote.count().where(Quote.respondent_id == respondent_id)
    if count:
        await Quote.delete().where(Quote.respondent_id == respondent_id)
    return count


async def forget_quotes_of_responses(response_ids: Iterable[int]) -> int:
    """Delete every quote drawn from these responses (retention deleting finished answers)."""
    ids = list(response_ids)
    count = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        count += await Quote.count().where(Quote.response.is_in(chunk))
        await Quote.delete().where(Quote.response.is_in(chunk))
    return count


async def forget_quotes_of_answers(response_id: int, questions: Iterable[str]) -> int:
    """Delete the quotes drawn from answers that no longer exist (retention deleted the free text)."""
    keys = list(questions)
    if not keys:
        return 0
    where = (Quote.response == response_id) & (Quote.question.is_in(keys))
    count = await Quote.count().where(where)
    if count:
        await Quote.delete().where(where)
    return count


# --- putting candidates forward -------------------------------------------------------------------


@dataclass
class Refreshed:
    added: int = 0
    waiting: int = 0


def _suitability(text: str) -> int:
    """Lower is better: a sentence or two reads best as a quote."""
    return abs(len(text) - 160)


async def refresh_candidates(run: Run, actor: str) -> Refreshed:
    """Put forward comments from respondents who agree to be quoted, per theme, redacted."""
    from analysis.loading import load_run
    from feedback.themes.store import comment_themes
    from surveys.responses import submitted_responses

    data = await load_run(run)  # the consent gate: participation, and may_quote for quotes
    quotable = data.comments[data.comments["may_quote"]]
    response_ids = {r.respondent_id: r.id for r in await submitted_responses(run.id)}
    themes = await comment_themes(run.id)
    lists, _problem = partnership_lists()
    candidates = []
    for row in quotable.itertuples(index=False):
        response_id = response_ids.get(row.respondent_id)
        keys = themes.get((response_id, row.question), []) if response_id is not None else []
        if keys:
            candidates.append((row.respondent_id, response_id, row.question, list(keys), row.text))
    candidates.sort(key=lambda c: (_suitability(c[4]), c[1]))
    added = 0
    async with writing_transaction(Quote._meta.db):
        existing = await Quote.select(Quote.response, Quote.question, Quote.status, Quote.themes).where(
            Quote.run == run.id).output(load_json=True)
        seen = {(r["response"], r["question"]) for r in existing}
        waiting: dict[str, int] = {}
        for r in existing:
            if r["status"] == PENDING and r["themes"]:
                waiting[r["themes"][0]] = waiting.get(r["themes"][0], 0) + 1
        for respondent_id, response_id, question, keys, text in candidates:
            if (response_id, question) in seen or waiting.get(keys[0], 0) >= MAX_PENDING_PER_THEME:
                continue
            await Quote(run=run.id, response=response_id, respondent_id=respondent_id, question=question,
                        themes=keys, text=redact(text, lists=lists), status=PENDING).save()
            seen.add((response_id, question))
            waiting[keys[0]] = waiting.get(keys[0], 0) + 1
            added += 1
    await _still_permitted(await Quote.objects().where(Quote.run == run.id))
    await audit(actor, "quotes_refreshed", object=run.slug, count=added)
    return Refreshed(added=added, waiting=await Quote.count().where((Quote.run == run.id) & (Quote.status == PENDING)))


# --- decisions ------------------------------------------------------------------------------------


class QuoteProblem(ValueError):
    """A decision that cannot be made, with the message to show."""


def clean_wording(text: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", (text or "").replace("\r\n", "\n")).strip()
    if not text:
        raise QuoteProblem("Enter the wording of the quote, or reject it")
    if len(text) > MAX_QUOTE:
        raise QuoteProblem(f"The quote must be {MAX_QUOTE:,} characters or fewer (it is {len(text):,})")
    return text


async def decide(quote: Quote, action: str, actor: str, run_slug: str, wording: str | None = None) -> str:
    """Approve, edit and approve, or reject a quote. Returns what was done, for the message."""
    if action not in ("approve", "edit", "reject"):
        raise QuoteProblem("Choose approve, save and approve, or reject")
    values: dict = {Quote.decided_by: actor[:254], Quote.decided_at: datetime.now(timezone.utc)}
    if action == "reject":
        values[Quote.status] = REJECTED
        values[Quote.updates] = []
        done = "rejected"
    else:
        if action == "edit":
            lists, _ = partnership_lists()
            # The patterns and lists again, in case a detail was typed back in; not the name
            # heuristic, which would undo the officer's own wording.
            text = redact(clean_wording(wording or ""), lists=lists, proper_nouns=False)
            values[Quote.text] = text
            values[Quote.edited] = True
            done = "edited and approved"
        else:
            done = "approved"
        values[Quote.status] = APPROVED
    if not await _still_permitted([quote]):
        raise QuoteProblem("This person no longer agrees to be quoted, so the quote has been removed")
    await Quote.update(values).where(Quote.id == quote.id)
    await audit(actor, "quote_decision", object=f"quote {quote.id} ({run_slug})", detail=done)
    return done


async def attach_quotes(update_id: int, run_id: int | None, quote_ids: Iterable[int], actor: str, strict: bool = True) -> None:
    """Show exactly these approved quotes (of the update's survey) with the update. With `strict`,
    any other id is a `QuoteProblem`; without, it is left out (its consent was withdrawn meanwhile)."""
    chosen = set(quote_ids)
    allowed = {q.id for q in await approved_quotes(run_id)} if run_id is not None else set()
    if chosen - allowed and strict:
        raise QuoteProblem("Select quotes from the list: only approved quotes from this survey can be shown")
    chosen &= allowed
    current = await Quote.objects().where(Quote.status == APPROVED).output(load_json=True)
    changed = 0
    for quote in current:
        shown = set(quote.updates or [])
        want = quote.id in chosen
        if want != (update_id in shown):
            shown = shown | {update_id} if want else shown - {update_id}
            await Quote.update({Quote.updates: sorted(shown)}).where(Quote.id == quote.id)
            changed += 1
    if changed:
        await audit(actor, "quote_attached", object=f"update {update_id}", count=len(chosen))


async def quotes_of_update(update_id: int) -> list[Quote]:
    return (await published_quotes([update_id]))[update_id]


# --- drafting "you said" --------------------------------------------------------------------------


async def draft_you_said(run: Run, themes: Iterable[str], theme_names: dict[str, str], target: float) -> tuple[str, list[int]]:
    """A first draft of "you said" from the survey's published figures (disclosure control applied),
    and the approved quotes for the chosen themes to show with it. The quotes are attached, not
    copied into the text, so a quote whose person withdraws later disappears from the update too.
    The officer edits the draft before saving."""
    from analysis.loading import GROUP_LABELS, load_run
    from feedback.results.dashboard import published_headline

    data = await load_run(run)
    lines: list[str] = []
    published = published_headline(data, target)
    who = GROUP_LABELS.get(run.instrument.audience, "people").lower()
    if published is not None:
        result = published["headline"]
        if result.share is None:
            lines.append(f"In {run.title}, too few people answered the question on overall satisfaction for us to publish the figure.")
        else:
            lines.append(
                f"In {run.title}, {result.share * 100:.0f}% of {who} who answered ({result.positive} of {result.base}) "
                f"were satisfied or very satisfied overall. Our target is {target * 100:g}%."
            )
    themes = list(themes)
    quotes = await approved_quotes(run.id, themes) if themes else []
    if themes:
        names = [theme_names.get(t, t.replace("_", " ")) for t in themes]
        # Lower-case a name's first letter inside the sentence, but never an acronym's ("EHC plans").
        names = [n[:1].lower() + n[1:] if n[1:2].islower() else n for n in names]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        lines.append(f"You told us about {listed}." + (" Some of what you said is below." if quotes else ""))
    chosen: list[int] = []
    for theme in themes:
        chosen += [q.id for q in quotes if theme in (q.themes or []) and q.id not in chosen][:3]
    return "\n\n".join(lines).strip(), chosen
