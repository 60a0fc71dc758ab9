"""Checking what a respondent sent for one page, question by question.

Input arrives as form fields (every value a string, some repeated). Each question turns its field
into a clean value or a message written for the person answering, in the GOV.UK style.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from surveys.answer_types import (
    AGE_BAND,
    DONT_UNDERSTAND,
    LONG_TEXT,
    MULTIPLE_CHOICE,
    NUMBER,
    SCALE,
    SHORT_TEXT,
    SINGLE_CHOICE,
    YES_NO,
)
from surveys.instrument import Question

# Control characters other than tab and newlines have no place in an answer (and can break exports).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER = re.compile(r"^[+-]?\d{1,9}$")


@dataclass(frozen=True)
class FieldError:
    key: str  # the question key; the form field id is derived from it
    message: str


def field_values(form: Mapping[str, Any], key: str) -> list[str]:
    """All values sent for one field, whatever shape the form parser gave us."""
    if hasattr(form, "getall"):
        values = form.getall(key, [])  # multidict
    else:
        raw = form.get(key)
        values = [] if raw is None else raw if isinstance(raw, list) else [raw]
    return [v if isinstance(v, str) else str(v) for v in values]


def clean_text(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def _required_message(question: Question) -> str:
    if question.error:
        return question.error
    if question.type == MULTIPLE_CHOICE:
        return "Select at least one option"
    if question.type in (SHORT_TEXT, LONG_TEXT):
        return "Enter your answer"
    if question.type == NUMBER:
        return "Enter a number"
    return "Select an answer"


def _easy_required_message(question: Question) -> str:
    """The easy-read message for a missing answer, by what the person sees: an author's error
    ("Select how much you agree…") is written for the standard answers, and an easy-read scale
    reads "Yes, a lot / Yes / No", so the words must match the kind of question on the screen."""
    if question.type == MULTIPLE_CHOICE:
        return "Choose one or more answers."
    if question.type in (SHORT_TEXT, LONG_TEXT):
        return "Write your answer in the box."
    if question.type == NUMBER:
        return "Write a number in the box, like 3."
    if question.type == YES_NO:
        return "Choose Yes or No."
    return "Choose one answer."


def validate_question(question: Question, values: Sequence[str], variant: str = "standard") -> tuple[Any, str | None]:
    """Return (clean value or None when unanswered, error message or None). Easy-read and picture
    versions get easy words for a missing answer."""
    value, message = _validate_question(question, values, variant)
    if message is not None and variant != "standard" and message == _required_message(question):
        message = _easy_required_message(question)
    return value, message


def _validate_question(question: Question, values: Sequence[str], variant: str) -> tuple[Any, str | None]:
    values = [v for v in values if v.strip() != ""] if question.type != LONG_TEXT else list(values)

    if question.type in (SINGLE_CHOICE, SCALE, YES_NO, AGE_BAND):
        if not values:
            return None, None if question.optional else _required_message(question)
        if len(values) > 1:
            return None, "Select only one option"
        value = values[0]
        allowed = question.option_values
        if question.type == SCALE and variant == "standard":
            allowed = allowed - {DONT_UNDERSTAND.value}
        if value not in allowed:
            return None, "Select one of the options shown"
        return value, None

    if question.type == MULTIPLE_CHOICE:
        chosen: list[str] = []
        for value in values:
            if value not in question.option_values:
                return None, "Select from the options shown"
            if value not in chosen:
                chosen.append(value)
        if not chosen:
            return None, None if question.optional else _required_message(question)
        exclusive = [o.value for o in question.options if o.exclusive and o.value in chosen]
        if exclusive and len(chosen) > 1:
            label = question.label_for(exclusive[0])
            return None, f"Select ‘{label}’ on its own, or choose other options"
        # Keep the order of the options, not the order the browser sent them in.
        return [o.value for o in question.options if o.value in chosen], None

    if question.type in (SHORT_TEXT, LONG_TEXT):
        if len(values) > 1:
            return None, "Send one answer for this question"
        text = clean_text(values[0]) if values else ""
        if not text:
            return None, None if question.optional else _required_message(question)
        limit = question.text_limit
        if len(text) > limit:
            return None, f"Your answer must be {limit:,} characters or fewer (it is {len(text):,})"
        if question.type == SHORT_TEXT and "\n" in text:
            text = " ".join(text.split())
        return text, None

    if question.type == NUMBER:
        if not values:
            return None, None if question.optional else _required_message(question)
        if len(values) > 1:
            return None, "Enter one number"
        raw = values[0].strip().replace(",", "")
        if not _NUMBER.match(raw):
            return None, "Enter a whole number, like 3"
        number = int(raw)
        if question.min is not None and number < question.min:
            return None, f"Enter a number that is {question.min} or more"
        if question.max is not None and number > question.max:
            return None, f"Enter a number that is {question.max} or less"
        return number, None

    raise ValueError(f"unknown answer type {question.type}")  # the instrument loader prevents this


def validate_page(
    questions: Sequence[Question], form: Mapping[str, Any], variant: str = "standard"
) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean every question on a page. Unanswered optional questions come back as None."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for question in questions:
        value, message = validate_question(question, field_values(form, question.key), variant)
        values[question.key] = value
        if message:
            errors.append(FieldError(question.key, message))
    return values, errors
