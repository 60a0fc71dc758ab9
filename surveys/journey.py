"""The respondent's path through an instrument: which pages show, in what order, and what is missing.

Pure functions over an Instrument and the answers so far, so the rules are testable without a
database or a web request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from surveys.instrument import Instrument, Page, Question

CHECK_PAGE = "check"  # the "Check your answers" step that follows the last question page


def visible_questions(instrument: Instrument, answers: dict[str, Any]) -> list[Question]:
    """Questions whose conditions hold. A question hidden by its condition hides its dependants too."""
    shown: list[Question] = []
    shown_keys: set[str] = set()
    for question in instrument.questions:
        condition = question.show_if
        if condition is None or (condition.question in shown_keys and condition.holds(answers)):
            shown.append(question)
            shown_keys.add(question.key)
    return shown


PATH_MEMO_SIZE = 1024  # sets of deciding answers remembered per instrument


def _deciding_answers(instrument: Instrument, answers: dict[str, Any]) -> tuple | None:
    """The answers that decide which pages show, as a key for `Instrument.path_memo`: only chosen
    option values (None when one is anything else, so nobody's typed words are ever kept)."""
    key = []
    for question_key in instrument.deciding_keys:
        value = answers.get(question_key)
        if value is not None:
            options = instrument.questions_by_key[question_key].option_values
            if isinstance(value, list):
                value = tuple(value)
                if not all(isinstance(v, str) and v in options for v in value):
                    return None
            elif not (isinstance(value, str) and value in options):
                return None
        key.append(value)
    return tuple(key)


def _remembered(instrument: Instrument, answers: dict[str, Any], what: tuple, work) -> list[Page]:
    """`work()`'s pages, worked out once for each set of deciding answers (the pages depend on nothing else)."""
    deciding = _deciding_answers(instrument, answers)
    if deciding is None:
        return work()
    memo = instrument.path_memo
    key = (what, deciding)
    pages = memo.get(key)
    if pages is None:
        if len(memo) >= PATH_MEMO_SIZE:
            memo.clear()
        pages = memo[key] = tuple(work())
    return list(pages)


def visible_pages(instrument: Instrument, answers: dict[str, Any]) -> list[Page]:
    return _remembered(instrument, answers, ("visible",), lambda: _visible_pages(instrument, answers))


def _visible_pages(instrument: Instrument, answers: dict[str, Any]) -> list[Page]:
    keys = {q.key for q in visible_questions(instrument, answers)}
    pages = []
    for page in instrument.pages:
        questions = tuple(q for q in page.questions if q.key in keys)
        if questions:
            pages.append(Page(page.key, page.section, questions))
    return pages


def page_if_visible(instrument: Instrument, answers: dict[str, Any], page_key: str) -> Page | None:
    for page in visible_pages(instrument, answers):
        if page.key == page_key:
            return page
    return None


def next_page_key(instrument: Instrument, answers: dict[str, Any], after: str) -> str:
    """The page after `after`, or the check page when it was the last."""
    order = [p.key for p in instrument.pages]
    visible = {p.key for p in visible_pages(instrument, answers)}
    start = order.index(after) + 1 if after in order else 0
    for key in order[start:]:
        if key in visible:
            return key
    return CHECK_PAGE


def previous_page_key(instrument: Instrument, answers: dict[str, Any], before: str) -> str | None:
    """The page before `before` (None for the first page: the back link goes to the start)."""
    pages = visible_pages(instrument, answers)
    keys = [p.key for p in pages]
    if before == CHECK_PAGE:
        return keys[-1] if keys else None
    order = [p.key for p in instrument.pages]
    if before not in order:
        return None
    position = order.index(before)
    earlier = [k for k in keys if order.index(k) < position]
    return earlier[-1] if earlier else None


def is_answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


@dataclass(frozen=True)
class Missing:
    page_key: str
    question: Question


def missing_answers(instrument: Instrument, answers: dict[str, Any]) -> list[Missing]:
    """Required questions on the respondent's path that have no answer yet."""
    missing = []
    for page in visible_pages(instrument, answers):
        for question in page.questions:
            if not question.optional and not is_answered(answers.get(question.key)):
                missing.append(Missing(page.key, question))
    return missing


def resume_page_key(instrument: Instrument, answers: dict[str, Any], current: str | None) -> str:
    """Where someone coming back should land: the page they were on, else the first gap."""
    visible = {p.key for p in visible_pages(instrument, answers)}
    if current and (current in visible or current == CHECK_PAGE):
        return current
    gaps = missing_answers(instrument, answers)
    if gaps:
        return gaps[0].page_key
    pages = visible_pages(instrument, answers)
    return pages[0].key if not answers and pages else CHECK_PAGE


def answers_on_path(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    """Only the answers to questions the respondent was shown (a changed answer can hide others)."""
    keys = {q.key for q in visible_questions(instrument, answers)}
    return {k: v for k, v in answers.items() if k in keys and is_answered(v)}


CHOICES_STEP = "your-choices"  # the optional uses asked after the last question page, when there are any


def possible_pages(instrument: Instrument, answers: dict[str, Any], page_key: str) -> list[Page]:
    """The pages this person may still see: every page before `page_key` that their answers showed,
    and from `page_key` on, every page whose condition holds or still could (its question is on
    this page or later and not answered yet). Counting the pages that could still show, rather than
    only those shown so far, means the count only ever shrinks, so progress never moves backwards."""
    return _remembered(instrument, answers, ("possible", page_key), lambda: _possible_pages(instrument, answers, page_key))


def _possible_pages(instrument: Instrument, answers: dict[str, Any], page_key: str) -> list[Page]:
    order = {p.key: i for i, p in enumerate(instrument.pages)}
    here = order.get(page_key, len(order))
    possible_keys: set[str] = set()
    for question in instrument.questions:
        condition = question.show_if
        if condition is not None:
            if condition.question not in possible_keys:
                continue
            controller = instrument.questions_by_key[condition.question]
            undecided = not is_answered(answers.get(condition.question)) and order.get(controller.page_key, 0) >= here
            if not (undecided or condition.holds(answers)):
                continue
        possible_keys.add(question.key)
    pages = []
    for page in instrument.pages:
        questions = tuple(q for q in page.questions if q.key in possible_keys)
        if questions:
            pages.append(Page(page.key, page.section, questions))
    return pages


def progress(instrument: Instrument, answers: dict[str, Any], page_key: str) -> tuple[int, int]:
    """(this step's number, how many steps) for this person: the question pages they will or may
    still see, then "your choices" when the survey asks about optional uses. The number goes up by
    one at each Continue and the total never grows, so "Question 15 of 15" is the last question
    page; `page_key` may be CHOICES_STEP."""
    keys = [p.key for p in possible_pages(instrument, answers, page_key)]
    if instrument.consent_purposes:
        keys.append(CHOICES_STEP)
    number = keys.index(page_key) + 1 if page_key in keys else len(keys)
    return number, len(keys)


# Words explained the first time they appear in an easy-read version, unless the instrument gives
# its own wording (`easy_terms`). The meaning follows who the survey is for.
DEFAULT_EASY_TERMS = {
    "young_person": {"EHC plan": "a plan that says what help you get at school, at home and with your health."},
    "other": {"EHC plan": "a plan that says what help a child gets at school, at home and with their health."},
}


def easy_terms(instrument: Instrument) -> dict[str, str]:
    terms = dict(DEFAULT_EASY_TERMS["young_person" if instrument.audience == "young_person" else "other"])
    terms.update(dict(instrument.easy_terms))
    return terms


def _easy_words(page: Page) -> str:
    """Everything an easy-read page says in the instrument's words: section, questions, hints, answers."""
    parts = [page.section.easy_read.text or page.section.title]
    for question in page.questions:
        parts += [question.easy_read.text or question.text, question.easy_read.hint or ""]
        parts += [option.easy_read or option.label for option in question.options]
    return "\n".join(parts)


def _mentions(text: str, term: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(term) + r"(?!\w)", text, re.IGNORECASE) is not None


def terms_to_explain(instrument: Instrument, answers: dict[str, Any], page_key: str) -> list[tuple[str, str]]:
    """The terms first met on this page, with what they mean: each is explained once, on the first
    page this person sees that uses it (pages before it depend only on answers already given)."""
    explained = []
    pages = visible_pages(instrument, answers)
    for term, means in easy_terms(instrument).items():
        first = next((p for p in pages if _mentions(_easy_words(p), term)), None)
        if first is not None and first.key == page_key:
            explained.append((term, means))
    return explained
