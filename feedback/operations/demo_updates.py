"""Demo "you said, we did": published updates for the annual parent survey, so a fresh `make run`
shows the public page as families would see it — each update with its owner, status, timeline and
(approved, still-consented, redacted) quotes, beside the survey's disclosure-controlled headline.

Quotes go through the real path: candidates from respondents who agreed to be quoted, redacted,
then approved as an officer would. Nothing here bypasses the consent gate.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from analysis.sentiment import polarity
from feedback.publishing.quotes import attach_quotes, decide, quotes_for_run, refresh_candidates
from feedback.publishing.tables import Update
from feedback.publishing.updates import add_progress_note, save_update, set_published
from surveys.runs import Run

DEMO_ACTOR = "demo@partnership.example"

DEMO_UPDATES: tuple[dict[str, Any], ...] = (
    {
        "themes": ["communication"],
        "title": "Getting hold of your caseworker",
        "you_said": "Many families told us it is hard to reach the SEN team: calls and emails go unanswered "
        "and nobody tells you what is happening with your child's plan.",
        "we_did": "Every family now has a named caseworker and a direct phone line. We answer emails within "
        "5 working days and send an update at each step of an assessment.",
        "easy_read_you_said": "You said it is hard to talk to us.",
        "easy_read_we_did": "You now have one person to call. We will answer your emails in 5 days.",
        "owner": "SEN casework team",
        "status": "done",
        "progress": 100,
        "notes": [("in_progress", "Caseworkers named for every family", 60), ("done", "Direct lines and the 5-day promise in place", 100)],
    },
    {
        "themes": ["ehc_timeliness", "annual_review"],
        "title": "EHC plans on time",
        "you_said": "You told us assessments take too long and annual reviews are not followed by an updated plan.",
        "we_did": "We have recruited two more educational psychologists and a review officer, and we publish "
        "how many plans are finished within 20 weeks every month.",
        "easy_read_you_said": "You said plans take too long.",
        "easy_read_we_did": "We have more staff to write plans. We check how fast we are each month.",
        "owner": "SEND service manager",
        "status": "in_progress",
        "progress": 40,
        "notes": [("in_progress", "Two educational psychologists recruited", 40)],
    },
    {
        "themes": ["short_breaks"],
        "title": "More short breaks in the holidays",
        "you_said": "Parents and young people asked for more holiday clubs that can meet their needs.",
        "we_did": "With the Parent Carer Voice we are planning three new inclusive holiday clubs for summer 2027.",
        "easy_read_you_said": "You said you want more holiday clubs.",
        "easy_read_we_did": "We are planning 3 new clubs for next summer.",
        "owner": "Short breaks commissioning",
        "status": "planned",
        "progress": 0,
        "notes": [],
    },
)


async def seed_demo_updates(run: Run) -> int:
    """Publish the demo updates for `run` (the annual parent survey), with up to two approved quotes
    each. Does nothing if the run already has updates. Returns how many were published."""
    if await Update.exists().where(Update.run == run.id):
        return 0
    await refresh_candidates(run, DEMO_ACTOR)
    pending = await quotes_for_run(run.id)
    used: set[str] = set()
    published = 0
    for offset, spec in enumerate(DEMO_UPDATES):
        values = {k: v for k, v in spec.items() if k not in ("notes", "status", "progress")}
        values.update(run=run.id, status="planned", progress=0)  # the notes below move it on, dated
        values["due_on"] = (date.today() + timedelta(days=60 * (offset + 1))).isoformat()
        update = await save_update(values, actor=DEMO_ACTOR)
        for status, note, progress in spec["notes"]:
            await add_progress_note(update, status, note, DEMO_ACTOR, progress=progress)
        assert (update.status, update.progress) == (spec["status"], spec["progress"]), spec["title"]
        # what families said about the problem (least positive first), each wording once
        matching = sorted((q for q in pending if set(q.themes) & set(spec["themes"])), key=lambda q: polarity(q.text))
        chosen = []
        for quote in matching:
            if quote.text not in used and len(chosen) < 2:
                chosen.append(quote)
                used.add(quote.text)
        for quote in chosen:
            await decide(quote, "approve", DEMO_ACTOR, run.slug)
        if chosen:
            await attach_quotes(update.id, run.id, [q.id for q in chosen], DEMO_ACTOR, strict=False)
        await set_published(update, True)
        published += 1
    return published
