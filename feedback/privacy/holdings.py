"""'What we hold', generated from the instruments, their notices and their retention settings, for
the partnership's DPIA and record of processing: so the record says what the code does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from consent.purposes import OPTIONAL_PURPOSES
from surveys.instrument import Instrument, built_in_instruments
from surveys.promises import notice_files, notice_text, sentences
from surveys.runs import list_runs

_BASIS = re.compile(r"article 6|article 9|public task|substantial public interest", re.IGNORECASE)


@dataclass
class Holding:
    instrument: Instrument
    surveys: list[str]
    categories: list[str]
    purposes: list[str]
    lawful_basis: list[str]
    retention: list[str]
    who_sees: list[str]


def _days(days: int) -> str:
    if days and days % 365 == 0:
        years = days // 365
        return f"{years} year{'s' if years > 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


def holding_of(instrument: Instrument, survey_titles: list[str], teams: set[str]) -> Holding:
    standard = [n for n in notice_files(instrument.notice) if n.audience == "standard"]
    notice = standard[0] if standard else None
    words = sentences(notice_text(notice)) if notice else []
    questions = instrument.questions
    free_text = [q for q in questions if q.is_free_text]
    special = any("article 9" in s.lower() for s in words)
    categories = [f"Answers to {len(questions)} questions ({len(free_text)} written in the person's own words)",
                  "The date answered, the version used (standard, easy read, pictures) and how (web, paper, event)"]
    if special:
        categories.append("Special category data: health and disability (UK GDPR Article 9)")
    categories.append("Consent records: which notice version was shown, each choice, and who decided (the person, or a parent or carer)")
    if any(p in instrument.consent_purposes for p in ("contact", "follow_up")):
        categories.append("Contact details (email or phone) of people who ask to hear back, kept in a table apart from the answers")
    categories.append("Requests to correct answers, in the person's own words, with what an officer did about them")
    purposes = [notice.summary.splitlines()[0]] if notice and notice.summary else []
    purposes += [f"Only with the person's agreement: {OPTIONAL_PURPOSES[p].question}" for p in instrument.consent_purposes]
    retention = instrument.retention
    periods = [
        f"Unfinished answers: deleted {_days(retention.drafts_days)} after they were last saved",
        f"Finished answers, with their theme codings, quotes and contact details: deleted {_days(retention.answers_days)} after the survey closes (consent records are kept, without answers, as evidence of what was agreed)",
        ("Written comments: kept with the answers" if retention.free_text == "keep" else
         f"Written comments: {'anonymised' if retention.free_text == 'anonymise' else 'deleted'} {_days(retention.free_text_days)} after the survey closes"),
        "Requests to correct answers: deleted with the answers they are about (when they are withdrawn, or at the end of their period)",
        f"Contact details: deleted once the person has been told, and at the latest {_days(retention.contacts_days)} after the survey closes",
    ]
    who = ["Council and NHS officers and the partnership's admins, signed in to the workspace (two-factor for admins)"]
    if teams:
        who.append("Parent Carer Voice members of the team that runs it: " + ", ".join(sorted(teams)))
    who.append("The public: only disclosure-controlled figures (no group under 10, small counts suppressed) and quotes an officer approved")
    return Holding(instrument, survey_titles, categories, purposes, [s for s in words if _BASIS.search(s)], periods, who)


async def what_we_hold() -> list[Holding]:
    """One entry per instrument in use or shipped, with the surveys that use it."""
    instruments: dict[str, Instrument] = dict(built_in_instruments())
    titles: dict[str, list[str]] = {}
    teams: dict[str, set[str]] = {}
    for run in await list_runs():
        instruments.setdefault(run.instrument.key, run.instrument)
        titles.setdefault(run.instrument.key, []).append(run.title)
        if run.team:
            teams.setdefault(run.instrument.key, set()).add(run.team)
    return [holding_of(i, titles.get(key, []), teams.get(key, set()))
            for key, i in sorted(instruments.items(), key=lambda item: item[1].title)]
