"""Authoring advice for easy-read wording: sentences over 15 words, words over three syllables.

Advice, not a block: an author may need "education, health and care plan" and can keep it.
(textstat was tried first; it downloads a pronunciation dictionary at run time, which this service
must never do, so syllables are counted here with a small vowel-group rule.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from surveys.instrument import Instrument

MAX_WORDS = 15
MAX_SYLLABLES = 3
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Long words families know well: not flagged.
FAMILIAR = {"everything", "everyone", "anything", "anyone", "somebody", "everybody", "television", "computer", "activities", "holiday", "holidays"}


def syllables(word: str) -> int:
    word = word.lower().strip("'’-")
    if not word:
        return 0
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    groups = re.findall(r"[aeiouy]{1,2}", word)
    return max(1, len(groups))


@dataclass(frozen=True)
class Advice:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


def advice_for_text(key: str, text: str) -> list[Advice]:
    found = []
    for sentence in filter(None, (s.strip() for s in _SENTENCE.split(text or ""))):
        words = _WORD.findall(sentence)
        if len(words) > MAX_WORDS:
            found.append(Advice(key, f"sentence of {len(words)} words (easy read: {MAX_WORDS} or fewer): “{sentence[:60]}…”"))
        long_words = sorted({w for w in words if syllables(w) > MAX_SYLLABLES and w.lower() not in FAMILIAR and not w.isupper()})
        if long_words:
            found.append(Advice(key, f"long words (over {MAX_SYLLABLES} syllables): {', '.join(long_words)}"))
    return found


def easy_read_advice(instrument: Instrument) -> list[Advice]:
    """Advice on every easy-read text in an instrument (sections, questions, hints, options)."""
    advice: list[Advice] = []
    for section in instrument.sections:
        advice += advice_for_text(section.key, section.easy_read.text or "")
        for question in section.questions:
            advice += advice_for_text(question.key, question.easy_read.text or "")
            advice += advice_for_text(f"{question.key} hint", question.easy_read.hint or "")
            for option in question.options:
                if option.easy_read:
                    advice += advice_for_text(f"{question.key} option {option.value}", option.easy_read)
    return advice
