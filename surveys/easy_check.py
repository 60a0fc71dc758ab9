"""Checks that help a forum member write a good easy-read and picture version of a question.

Advice, never a block: each `EasyWarning` names the question (and the answer, for an answer's words)
and the form field to change. The pictures are worked out by `surveys.symbols.symbol_words`, the
same rule the picture version uses, so what is warned about is what people would see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from surveys.instrument import Instrument, Question
from surveys.readability import advice_for_text

MAX_EASY_ANSWERS = 5
# The warnings about pictures and answers (sentence length and long words come from readability).
PICTURE_KINDS = ("negated", "same_picture", "no_picture", "too_many_answers")
CHOICE_TYPES = ("single_choice", "multiple_choice")
# Words that need no picture of their own, besides the renderer's small words: question words,
# little adverbs and the commonest verbs (a picture of "get" helps nobody).
_PLAIN_WORDS = frozenset(
    "how what why who whom whose where when which much many very about there here than then just also "
    "too more most less least get gets got go goes going went make makes made want wants need needs "
    "like likes yes please tell say said think know feel feels really only still ever every other "
    "one two three four five lots lot bit day days time times something anything everything else thing things "
    "sometimes".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class EasyWarning:
    question: str  # the question's key
    field: str  # the builder form field to change, like easy_text or option-2-easy_read
    message: str
    answer: int | None = None  # the answer's number (from 1) for an answer's words
    kind: str = ""  # negated, same_picture, no_picture, long_sentence, long_words, too_many_answers


def _dictionary():
    try:
        from surveys import symbols
        return symbols, symbols.dictionary()
    except Exception:  # the dictionary is optional: pages work with words alone
        return None, None


def words_without_pictures(text: str) -> list[str]:
    """Key words of an easy-read line that the symbol dictionary has no picture for."""
    symbols, dictionary = _dictionary()
    if dictionary is None:
        return []
    covered = [span for span, _, _ in dictionary.find(text)]
    missing: list[str] = []
    for match in _WORD.finditer(text or ""):
        if any(start <= match.start() < end for start, end in covered):
            continue
        word = symbols.normalise(match.group().strip("'’-"))
        bare = re.sub(r"['’]s$", "", word)
        if (len(bare) < 3 or bare in symbols.STOP_WORDS or bare in symbols.NEGATORS or bare in _PLAIN_WORDS
                or bare.endswith("n't") or bare in missing):
            continue
        if dictionary.lookup(bare) is not None:
            continue
        missing.append(bare)
    return missing


def _negated_words(text: str) -> dict[str, str]:
    """Pictured words inside a negation in `text`: the symbol key -> the word as written."""
    symbols, dictionary = _dictionary()
    if dictionary is None:
        return {}
    return {piece.symbol.key: piece.text for piece in symbols.pictured(symbols.symbol_words(text or "", symbols=dictionary))
            if piece.negated}


def _answer_picture(text: str, used: set[str]):
    """The picture an answer gets in the picture version (its first key word's whose picture no
    answer before it has: `used`, updated), and the one its first key word would have on its own."""
    symbols, dictionary = _dictionary()
    if dictionary is None:
        return None, None
    alone = symbols.pictured(symbols.symbol_words(text or "", limit=1, symbols=dictionary))
    shown = symbols.pictured(symbols.symbol_words(text or "", seen=used, limit=1, symbols=dictionary))
    return (shown[0] if shown else None), (alone[0] if alone else None)


def question_warnings(question: Question) -> list[EasyWarning]:
    """Every easy-read warning for one question, in the order of its form fields."""
    found: list[EasyWarning] = []
    key = question.key
    easy = question.easy_read
    symbols, dictionary = _dictionary()

    def text_advice(field: str, text: str, where: str, answer: int | None = None) -> None:
        for advice in advice_for_text(key, text):
            kind = "long_sentence" if advice.message.startswith("sentence") else "long_words"
            found.append(EasyWarning(key, field, f"{where}: {advice.message}", answer, kind))
        missing = words_without_pictures(text)
        if missing:
            listed = ", ".join(f"‘{w}’" for w in missing[:6])
            found.append(EasyWarning(key, field, f"{where}: no picture in the dictionary for {listed}. Search the pictures "
                                 "for a word that means the same, or keep it in words only", answer, "no_picture"))

    # (a) The line's own picture is shown plain: if its word is negated in the words beside it,
    # the picture says the opposite ("I do not feel safe" beside a plain picture of feeling safe).
    if easy.symbol and dictionary is not None:
        own = dictionary.lookup(easy.symbol)
        for field, text in (("easy_text", easy.text or ""), ("easy_hint", easy.hint or "")):
            negated = _negated_words(text)
            if own is not None and own.key in negated:
                found.append(EasyWarning(key, "easy_symbol", (
                    f"The question's picture ({own.alt}) is shown plain, but ‘{negated[own.key]}’ comes after a "
                    "word like ‘not’, so the picture says the opposite: choose another picture, or say it without ‘not’"),
                    None, "negated"))
                break
    if easy.text:
        text_advice("easy_text", easy.text, "Easy-read question")
    if easy.hint:
        text_advice("easy_hint", easy.hint, "Easy-read hint")

    if question.type in CHOICE_TYPES:
        pictures: dict[str, int] = {}
        used: set[str] = set()
        for number, option in enumerate(question.options, start=1):
            label = option.easy_read or option.label
            field = f"option-{number}-easy_read"
            where = f"Answer {number} (‘{label[:40]}’)"
            if option.easy_read:
                text_advice(field, option.easy_read, where, number)
            shown, alone = _answer_picture(label, used)
            if alone is not None and alone.symbol.hexcode in pictures and (shown is None or shown.symbol != alone.symbol):
                instead = f"its picture is ‘{shown.text}’ instead" if shown is not None else "it gets no picture"
                found.append(EasyWarning(key, field, (
                    f"{where} starts with the same picture ({alone.symbol.alt}) as answer {pictures[alone.symbol.hexcode]}: "
                    f"a picture is shown once in a question, so {instead}. Start it with a different key word"),
                    number, "same_picture"))
            if shown is not None:
                pictures.setdefault(shown.symbol.hexcode, number)
        offered = len(question.all_options)
        if offered > MAX_EASY_ANSWERS:
            found.append(EasyWarning(key, "option-1-easy_read", (
                f"This question has {offered} answers: easy-read questions work best with {MAX_EASY_ANSWERS} or fewer. "
                "Join some, or ask it as two questions"), None, "too_many_answers"))
    return found


def instrument_warnings(instrument: Instrument | None, kinds: tuple[str, ...] | None = None) -> list[EasyWarning]:
    if instrument is None:
        return []
    return [w for q in instrument.questions for w in question_warnings(q) if kinds is None or w.kind in kinds]


def preview_question(raw: dict[str, Any]) -> Question | None:
    """A question from a (possibly unfinished) raw question, for the builder's preview: a question
    with problems is shown as far as it goes, never refused."""
    from surveys.authoring import lenient_instrument

    raw = {name: value for name, value in raw.items() if name not in ("show_if", "page")}
    # Words too long to save are still previewed, as far as the format allows (the form says what to fix).
    raw["text"] = (raw.get("text") or "")[:500]
    if isinstance(raw.get("easy_read"), dict):
        raw["easy_read"] = {name: value[:80 if name == "symbol" else 2000] for name, value in raw["easy_read"].items()}
    raw["key"] = "preview_question"
    raw["text"] = raw.get("text") or "Question"
    attempts = [raw, {**{k: v for k, v in raw.items() if k not in ("options", "scale", "bands")}, "type": "short_text"}]
    for attempt in attempts:
        instrument = lenient_instrument({"key": "preview", "sections": [{"key": "preview", "title": "Preview", "questions": [attempt]}]})
        if instrument is not None:
            return instrument.questions[0]
    return None
