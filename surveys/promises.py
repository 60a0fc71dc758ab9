"""The retention periods a privacy notice states, read from its sentences, and the check that an
instrument's retention settings keep them (so the notice and the code can never disagree).

A notice says, in words, "Unfinished answers are deleted after 30 days" or "We keep your answers for
3 years"; the instrument says `drafts_days = 30`, `answers_days = 1095`. `stated_periods` turns the
first into the second, and `retention_problems` lists every difference. Loading the built-in
instruments and publishing from the builder both refuse an instrument its notice contradicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from consent.notices import NOTICE_DIR, NoticeText, read_notice_file
from surveys.instrument import Instrument, Retention

_NUMBER = r"(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"
_UNIT = r"(?P<unit>days?|weeks?|months?|years?)"
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


@dataclass(frozen=True)
class StatedPeriod:
    setting: str  # a field of `Retention`: drafts_days, answers_days, free_text_days, contacts_days
    days: int
    action: str | None  # for free text: "anonymise" or "delete"
    sentence: str


# Each pattern reads one kind of period; `action` comes from the named group when there is one.
PERIOD_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (setting, re.compile(pattern, re.IGNORECASE)) for setting, pattern in (
        ("drafts_days", rf"unfinished answers are deleted after {_NUMBER} {_UNIT}"),
        ("drafts_days", rf"we delete answers that are not finished after {_NUMBER} {_UNIT}"),
        ("answers_days", rf"finished answers are kept for {_NUMBER} {_UNIT}"),
        ("answers_days", rf"we keep (?:your |finished )?answers for {_NUMBER} {_UNIT}"),
        ("free_text_days", rf"written comments are (?P<action>anonymised|deleted) {_NUMBER} {_UNIT} after"),
        ("contacts_days", rf"contact details are deleted (?:at the latest )?{_NUMBER} {_UNIT} after"),
    )
)

# Words that make a sentence about keeping or deleting: a sentence with one of them that no pattern
# reads is a period nobody checks, and `unread_period_sentences` reports it.
_PERIOD_WORDS = re.compile(r"\b(kept|keep|delete[sd]?|anonymised)\b.*\b(days?|weeks?|months?|years?)\b", re.IGNORECASE)


def _days(match: re.Match[str]) -> int:
    number = match.group("n").lower()
    count = int(number) if number.isdigit() else _WORDS[number]
    return count * _UNIT_DAYS[match.group("unit").lower().rstrip("s")]


def sentences(text: str) -> list[str]:
    """A notice's sentences (one a line in easy read; several a line elsewhere)."""
    parts = []
    for line in text.splitlines():
        parts.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if s.strip())
    return parts


def notice_text(notice: NoticeText) -> str:
    return "\n".join([notice.title, notice.summary, *(f"{s.heading}\n{s.text}" for s in notice.sections)])


def stated_periods(text: str) -> list[StatedPeriod]:
    found = []
    for sentence in sentences(text):
        for setting, pattern in PERIOD_PATTERNS:
            match = pattern.search(sentence)
            if match:
                action = match.groupdict().get("action")
                action = {"anonymised": "anonymise", "deleted": "delete"}.get((action or "").lower())
                found.append(StatedPeriod(setting, _days(match), action, sentence))
    return found


def unread_period_sentences(text: str) -> list[str]:
    """Sentences that sound like a retention period but that no pattern reads."""
    return [s for s in sentences(text) if _PERIOD_WORDS.search(s) and not any(p.search(s) for _, p in PERIOD_PATTERNS)]


def retention_problems(retention: Retention, text: str, where: str = "notice") -> list[str]:
    """Every way the settings break a period the notice states (and a notice must state the two
    period every respondent relies on: how long finished answers are kept)."""
    problems = []
    stated = stated_periods(text)
    for period in stated:
        setting = getattr(retention, period.setting)
        if setting != period.days:
            problems.append(f"{where} says \"{period.sentence}\" but retention.{period.setting} is {setting}")
        if period.setting == "free_text_days" and period.action != retention.free_text:
            problems.append(f"{where} says \"{period.sentence}\" but retention.free_text is {retention.free_text!r}")
    for required in ("answers_days",):
        if not any(p.setting == required for p in stated):
            problems.append(f"{where} states no period for retention.{required}")
    for sentence in unread_period_sentences(text):
        problems.append(f"{where}: \"{sentence}\" sounds like a retention period but is not checked")
    return problems


def notice_files(key: str, directory: Path = NOTICE_DIR) -> list[NoticeText]:
    """The latest version of each audience's wording of a notice, from the package files."""
    latest: dict[str, NoticeText] = {}
    for path in sorted(directory.glob(f"{key}.v*.toml")):
        notice = read_notice_file(path)
        if notice.key == key and (notice.audience not in latest or notice.version > latest[notice.audience].version):
            latest[notice.audience] = notice
    return list(latest.values())


def instrument_problems(instrument: Instrument, notices: list[NoticeText] | None = None) -> list[str]:
    """Every disagreement between an instrument's retention settings and its notice's wordings."""
    notices = notice_files(instrument.notice) if notices is None else notices
    problems = []
    for notice in notices:
        where = f"notice {notice.key} v{notice.version} ({notice.audience})"
        problems.extend(retention_problems(instrument.retention, notice_text(notice), where))
    return problems
