"""The consultation builder's rules: editing a raw instrument definition one element at a time.

A draft holds the raw definition in exactly the format of the TOML files, so what the builder saves,
publishes and lets people download is checked by `parse_instrument`, like the built-in files. A
draft may be unfinished (no sections yet, easy-read text still to write); those gaps are listed on
the editor and block publishing. A change that would make the definition *wrong* (an unknown type, a
key used twice, a condition on a later question) is refused with a message, and nothing already saved
is touched: each change is checked against the problems the definition had before it.
"""

from __future__ import annotations

import copy
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from consent.purposes import OPTIONAL_PURPOSES
from consent.tables import Notice
from surveys.answer_types import (
    ABSOLUTE_MAX_LENGTH,
    AGE_BAND,
    AGE_BANDS,
    ANSWER_TYPES,
    DONT_KNOW,
    DONT_UNDERSTAND,
    LONG_TEXT,
    MULTIPLE_CHOICE,
    NOT_APPLICABLE,
    NUMBER,
    SCALE,
    SCALES,
    SHORT_TEXT,
    SINGLE_CHOICE,
    TEXT_TYPES,
    YES_NO,
    YES_NO_OPTIONS,
)
from surveys.instrument import (
    AUDIENCES,
    FREE_TEXT_POLICIES,
    KEY_PATTERN,
    Instrument,
    InstrumentInvalid,
    Problem,
    Retention,
    parse_instrument,
)
from surveys.promises import notice_files, notice_text, stated_periods
from surveys.readability import Advice, easy_read_advice
from surveys.storage import is_unique_violation, lock_row, writing_transaction
from surveys.tables import InstrumentDraft
from surveys.validation import clean_text

TYPE_LABELS = {
    SINGLE_CHOICE: "Single choice: pick one answer",
    MULTIPLE_CHOICE: "Multiple choice: tick all that apply",
    SCALE: "Scale: a shared answer scale, like satisfied to dissatisfied",
    YES_NO: "Yes or no",
    SHORT_TEXT: "Short text: a few words",
    LONG_TEXT: "Long text: a paragraph or more",
    NUMBER: "Number: a whole number",
    AGE_BAND: "Age band: the child's or young person's age",
}
SHORT_TYPE_NAMES = {
    SINGLE_CHOICE: "Single choice", MULTIPLE_CHOICE: "Multiple choice", SCALE: "Scale", YES_NO: "Yes or no",
    SHORT_TEXT: "Short text", LONG_TEXT: "Long text", NUMBER: "Number", AGE_BAND: "Age band",
}
AUDIENCE_LABELS = {
    "parent_carer": "Parents and carers", "young_person": "Children and young people",
    "practitioner": "Practitioners", "mixed": "Anyone (mixed)",
}
VARIANT_LABELS = {"standard": "Standard", "easy_read": "Easy read", "symbols": "With pictures (symbols)"}
SCALE_LABELS = {
    key: " · ".join(o.label for o in scale.options) for key, scale in SCALES.items()
}
BAND_LABELS = {
    "child": "The child's age, 0 to 25",
    "young_person": "The young person's own age (keeps 'under 13' for consent rules)",
}
PURPOSE_LABELS = {
    "quotes": "Quoting their words in reports, without their name",
    "contact": "Telling them what changed because of the consultation",
    "follow_up": "Inviting them to follow-up work, like a small group",
}
RETENTION_LABELS = {"keep": "Keep it", "anonymise": "Anonymise it", "delete": "Delete it"}
CHOICE_WITH_OWN_OPTIONS = (SINGLE_CHOICE, MULTIPLE_CHOICE)
SPECIAL_FLAG_TYPES = (SINGLE_CHOICE, SCALE, YES_NO)  # may add "Don't know" / "Does not apply"
RESERVED_VALUES = {DONT_KNOW.value, NOT_APPLICABLE.value, DONT_UNDERSTAND.value}
DEFAULT_NOTICE = "annual-send-survey"
# Shown in previews while the start-page text is still to be written.
_PLACEHOLDERS = {
    "title": "Untitled consultation", "run_by": "(who runs it)", "description": "(description)",
    "what_happens_next": "(what happens next)", "audience": "mixed", "notice": DEFAULT_NOTICE, "version": "0",
}


class ChangeRefused(Exception):
    """A change that would make the definition wrong. `errors` maps form fields to messages."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


# --- reading a definition ------------------------------------------------------------------------


def sections_of(definition: dict[str, Any]) -> list[dict[str, Any]]:
    sections = definition.get("sections")
    return sections if isinstance(sections, list) else []


def questions_of(section: dict[str, Any]) -> list[dict[str, Any]]:
    questions = section.get("questions")
    return questions if isinstance(questions, list) else []


def all_questions(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for s in sections_of(definition) for q in questions_of(s)]


def find_section(definition: dict[str, Any], key: str) -> tuple[int, dict[str, Any]] | None:
    for index, section in enumerate(sections_of(definition)):
        if section.get("key") == key:
            return index, section
    return None


def find_question(definition: dict[str, Any], key: str) -> tuple[int, int, dict[str, Any]] | None:
    for s_index, section in enumerate(sections_of(definition)):
        for q_index, question in enumerate(questions_of(section)):
            if question.get("key") == key:
                return s_index, q_index, question
    return None


def option_values_of(question: dict[str, Any]) -> list[str]:
    """The answers a raw question can have, as show_if would compare them."""
    qtype = question.get("type")
    values: list[str] = []
    if qtype in CHOICE_WITH_OWN_OPTIONS:
        values = [o.get("value") for o in question.get("options") or [] if isinstance(o, dict)]
    elif qtype == SCALE and question.get("scale") in SCALES:
        values = [o.value for o in SCALES[question["scale"]].options]
    elif qtype == YES_NO:
        values = [o.value for o in YES_NO_OPTIONS]
    elif qtype == AGE_BAND:
        values = [o.value for o in AGE_BANDS.get(question.get("bands", "child"), ())]
    if question.get("dont_know"):
        values.append(DONT_KNOW.value)
    if question.get("not_applicable"):
        values.append(NOT_APPLICABLE.value)
    if qtype == SCALE:
        values.append(DONT_UNDERSTAND.value)
    return [v for v in values if isinstance(v, str)]


def problems_of(definition: dict[str, Any], source: str = "builder") -> list[Problem]:
    try:
        parse_instrument(definition, source=source)
    except InstrumentInvalid as error:
        return error.problems
    return []


def is_unfinished(problem: Problem) -> bool:
    """Gaps that are fine while writing (they block publishing): easy-read text not written yet,
    a section with no questions yet, the start-page text not written yet."""
    message = problem.message
    return (
        "the easy-read variant is offered but" in message
        or "has no easy_read label" in message
        or message.startswith("a section needs at least one question")
        or message.startswith("'sections' must be a non-empty list")
        or (problem.key == "instrument" and (message.endswith("is missing") or message.endswith("is empty")))
    )


def new_problems(before: dict[str, Any], after: dict[str, Any]) -> list[Problem]:
    """What a change would break: problems the definition did not have, other than unfinished gaps."""
    old = {(p.key, p.message) for p in problems_of(before)}
    return [p for p in problems_of(after) if (p.key, p.message) not in old and not is_unfinished(p)]


def lenient_instrument(definition: dict[str, Any]) -> Instrument | None:
    """The instrument as far as it goes, for previews and advice while a draft is unfinished:
    placeholder start-page text, only the sections that have questions, no variant checks."""
    data = copy.deepcopy(definition)
    for name, placeholder in _PLACEHOLDERS.items():
        if not isinstance(data.get(name), str) or not data[name].strip():
            data[name] = placeholder
    data["variants"] = ["standard"]
    data["sections"] = [s for s in sections_of(data) if isinstance(s, dict) and questions_of(s)]
    if not data["sections"]:
        return None
    try:
        return parse_instrument(data, source="preview")
    except InstrumentInvalid:
        return None


def readability(definition: dict[str, Any]) -> list[Advice]:
    """Easy-read advice (long sentences, long words) on whatever the draft has so far."""
    instrument = lenient_instrument(definition)
    return easy_read_advice(instrument) if instrument is not None else []


def offers_easy_read(definition: dict[str, Any]) -> bool:
    return bool({"easy_read", "symbols"} & set(definition.get("variants") or []))


def missing_easy_read(definition: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(kind, key, what is missing) for every element without its easy-read words, when an
    easy-read or symbol version is offered. The same rule `parse_instrument` applies."""
    if not offers_easy_read(definition):
        return []
    missing = []
    for section in sections_of(definition):
        if not (section.get("easy_read") or {}).get("text"):
            missing.append(("section", section.get("key", ""), "easy-read text"))
        for question in questions_of(section):
            if not (question.get("easy_read") or {}).get("text"):
                missing.append(("question", question.get("key", ""), "easy-read text"))
            if question.get("type") in CHOICE_WITH_OWN_OPTIONS:
                for option in question.get("options") or []:
                    if not option.get("easy_read"):
                        missing.append(("question", question.get("key", ""), f"easy-read label for option '{option.get('value')}'"))
    return missing


# --- making keys ---------------------------------------------------------------------------------


def key_from(text: str, limit: int = 40) -> str:
    """A key (lower case letters, digits and _) from some words, starting with a letter."""
    key = re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_")[:limit].strip("_")
    if key and not key[0].isalpha():
        key = "n_" + key
    return key


def instrument_key_from(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", (title or "").lower()).strip("-")[:50].strip("-") or "consultation"
    if not base[0].isalnum():
        base = "c" + base
    return f"{base}-{secrets.token_hex(3)}"


def unique_section_key(definition: dict[str, Any], title: str) -> str:
    base = key_from(title) or "section"
    taken = {s.get("key") for s in sections_of(definition)} | {"new"}  # "new" is the add-a-section page
    key, n = base, 2
    while key in taken:
        key = f"{base[:50]}_{n}"
        n += 1
    return key


# --- turning forms into definition parts ---------------------------------------------------------


def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    return clean_text(value) if isinstance(value, str) else ""


def _limit(errors: dict[str, str], name: str, value: str, limit: int, label: str) -> None:
    if len(value) > limit and name not in errors:
        errors[name] = f"{label} must be {limit:,} characters or fewer"


def _whole_number(errors: dict[str, str], name: str, raw: str, label: str, low: int | None = None, high: int | None = None) -> int | None:
    if not raw:
        return None
    if not re.fullmatch(r"[+-]?\d{1,9}", raw):
        errors[name] = f"{label} must be a whole number, like 5"
        return None
    value = int(raw)
    if low is not None and value < low or high is not None and value > high:
        errors[name] = f"{label} must be between {low:,} and {high:,}"
        return None
    return value


def symbol_names() -> list[str]:
    """The symbol dictionary's keys, for the editor's suggestions (none if it is not installed)."""
    try:
        from surveys.symbols import dictionary
        return sorted(dictionary().symbols)
    except Exception:  # the dictionary is optional: pages work with words alone
        return []


def _unknown_symbol(symbol: str) -> bool:
    try:
        from surveys.symbols import dictionary
        return dictionary().lookup(symbol) is None
    except Exception:
        return False


def easy_read_table(values: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    table = {}
    for field, name, limit, label in (
        ("text", "easy_text", 2000, "Easy-read words"), ("hint", "easy_hint", 2000, "Easy-read hint"),
        ("symbol", "easy_symbol", 80, "Symbol"),
    ):
        value = _text(values, name)
        _limit(errors, name, value, limit, label)
        if value:
            table[field] = value
    symbol = table.get("symbol")
    if symbol and "easy_symbol" not in errors and _unknown_symbol(symbol):
        errors["easy_symbol"] = f"‘{symbol[:40]}’ is not in the symbol dictionary: use a word like school, home or help, or leave it blank"
    return table


# Answers are edited as rows of fields named option-N-label, option-N-easy_read, option-N-hint and
# option-N-value (N from 1, in the order shown). A row with every field blank is ignored.
OPTION_FIELDS = ("label", "easy_read", "hint", "value")
OPTION_FIELD_NAMES = {"label": "label", "easy_read": "easy-read label", "hint": "hint", "value": "value"}
MAX_OPTION_ROWS = 40
_OPTION_NAME = re.compile(r"option-(\d{1,3})-(label|easy_read|hint|value)")


def option_field(number: int, field: str) -> str:
    return f"option-{number}-{field}"


def option_rows(values: dict[str, Any]) -> list[dict[str, str]]:
    """The answer rows in a form's values, in their order (gaps in the numbering closed up)."""
    found: dict[int, dict[str, str]] = {}
    for name, value in values.items():
        match = _OPTION_NAME.fullmatch(name)
        if match and isinstance(value, str):
            found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [{field: found[n].get(field, "") for field in OPTION_FIELDS} for n in sorted(found)]


def rows_as_values(rows: list[dict[str, str]]) -> dict[str, str]:
    """Answer rows back as form values, numbered from 1."""
    return {option_field(n, field): row.get(field, "") for n, row in enumerate(rows, start=1) for field in OPTION_FIELDS}


def _blank(row: dict[str, str]) -> bool:
    return not any((row.get(field) or "").strip() for field in OPTION_FIELDS)


def change_rows(rows: list[dict[str, str]], action: str) -> list[dict[str, str]]:
    """An answer-row button: "add" (an empty row at the end), "remove-N", "up-N" or "down-N"."""
    rows = [dict(row) for row in rows]
    if action == "add":
        if len(rows) < MAX_OPTION_ROWS:
            rows.append(dict.fromkeys(OPTION_FIELDS, ""))
        return rows
    verb, _, number = action.partition("-")
    if not number.isdecimal() or len(number) > 3 or not 1 <= int(number) <= len(rows):
        return rows
    index = int(number) - 1
    if verb == "remove":
        del rows[index]
    elif verb == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down" and index + 1 < len(rows):
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return rows


def question_rows(question: dict[str, Any]) -> list[dict[str, str]]:
    """A raw question's options as answer rows."""
    return [{field: str(option.get(field, "") or "") for field in OPTION_FIELDS}
            for option in question.get("options") or [] if isinstance(option, dict)]


def parse_option_rows(rows: list[dict[str, str]], exclusive: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The options from the answer rows: a row with only a label gets a value made from it. Returns
    the options and the problems, each under the exact row field it is about."""
    options: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    seen: dict[str, int] = {}
    if len(rows) > MAX_OPTION_ROWS:
        errors[option_field(MAX_OPTION_ROWS + 1, "label")] = f"A question can have {MAX_OPTION_ROWS} answers at most"
    for number, row in enumerate(rows[:MAX_OPTION_ROWS], start=1):
        if _blank(row):
            continue
        parts = {field: clean_text(row.get(field) or "") for field in OPTION_FIELDS}
        label, value = parts["label"], parts["value"]
        too_long = [f for f in ("label", "easy_read", "hint") if len(parts[f]) > 300]
        for field in too_long:
            errors[option_field(number, field)] = f"The {OPTION_FIELD_NAMES[field]} of answer {number} must be 300 characters or fewer"
        if not label:
            errors[option_field(number, "label")] = f"Enter the label of answer {number}, or remove the answer"
            continue
        if too_long:
            continue
        generated = not value
        value = value or key_from(label)
        where = option_field(number, "label" if generated else "value")
        if not value or not KEY_PATTERN.match(value):
            errors[option_field(number, "value")] = (f"The value of answer {number} must start with a letter and use only "
                                                    "lower case letters, digits and _ (60 at most), like yes_often")
            continue
        if value in RESERVED_VALUES:
            errors[where] = (f"Answer {number}: ‘{value}’ is kept for the built-in answer; tick "
                             "“Don't know” or “Does not apply” instead")
            continue
        if value in seen:
            errors[where] = (f"Answer {number} has the same value ‘{value}’ as answer {seen[value]}: "
                             + ("change its label or write a value of its own" if generated else "give each answer its own value"))
            continue
        seen[value] = number
        option: dict[str, Any] = {"value": value, "label": label}
        if parts["easy_read"]:
            option["easy_read"] = parts["easy_read"]
        if parts["hint"]:
            option["hint"] = parts["hint"]
        options.append(option)
    if exclusive and not errors:
        match = [o for o in options if o["value"] == exclusive]
        if not match:
            errors["exclusive"] = f"The ‘None of these’ answer ‘{exclusive[:60]}’ is not one of the answer values"
        else:
            match[0]["exclusive"] = True
    return options, errors


def question_form_values(question: dict[str, Any]) -> dict[str, Any]:
    """A raw question as the editor's form fields."""
    show_if = question.get("show_if") or {}
    easy = question.get("easy_read") or {}
    exclusive = next((o.get("value") for o in question.get("options") or [] if o.get("exclusive")), "")
    values = show_if.get("any_of") or [show_if.get("equals") or show_if.get("includes") or ""]
    return {
        "key": question.get("key", ""), "type": question.get("type", ""), "text": question.get("text", ""),
        "hint": question.get("hint", ""), "optional": bool(question.get("optional")), "error": question.get("error", ""),
        **rows_as_values(question_rows(question)), "exclusive": exclusive, "scale": question.get("scale", ""),
        "bands": question.get("bands", "child" if question.get("type") == AGE_BAND else ""),
        "dont_know": bool(question.get("dont_know")), "not_applicable": bool(question.get("not_applicable")),
        "min": "" if question.get("min") is None else str(question["min"]),
        "max": "" if question.get("max") is None else str(question["max"]),
        "max_length": "" if question.get("max_length") is None else str(question["max_length"]),
        "suffix": question.get("suffix", ""), "page": question.get("page", ""),
        "show_if_question": show_if.get("question", ""), "show_if_values": "\n".join(v for v in values if v),
        "easy_text": easy.get("text", ""), "easy_hint": easy.get("hint", ""), "easy_symbol": easy.get("symbol", ""),
    }


def build_question(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A raw question from the editor's form, and the problems found in the form itself. Fields that
    do not apply to the chosen type are left out (the form shows them all, for use without JavaScript)."""
    errors: dict[str, str] = {}
    key = _text(values, "key")
    qtype = _text(values, "type")
    text = _text(values, "text")
    if not key:
        errors["key"] = "Enter a key for the question, like school_support (it names the column in exports)"
    elif not KEY_PATTERN.match(key):
        errors["key"] = "The key must start with a letter and use only lower case letters, digits and _ (60 at most), like school_support"
    if not qtype:
        errors["type"] = "Select the type of question"
    elif qtype not in ANSWER_TYPES:
        errors["type"] = f"‘{qtype[:40]}’ is not a question type: select one of the types listed"
    if not text:
        errors["text"] = "Enter the question"
    _limit(errors, "text", text, 500, "The question")
    question: dict[str, Any] = {"key": key, "type": qtype, "text": text}
    hint = _text(values, "hint")
    _limit(errors, "hint", hint, 2000, "The hint")
    if hint:
        question["hint"] = hint
    if values.get("optional"):
        question["optional"] = True
    error_message = _text(values, "error")
    _limit(errors, "error", error_message, 200, "The error message")
    if error_message:
        question["error"] = error_message

    if qtype in CHOICE_WITH_OWN_OPTIONS:
        options, row_errors = parse_option_rows(option_rows(values), _text(values, "exclusive") if qtype == MULTIPLE_CHOICE else "")
        errors.update(row_errors)
        if not options and not row_errors:
            errors["options"] = "Enter the answers people can choose from: a label for each"
        if qtype == SINGLE_CHOICE and _text(values, "exclusive"):
            errors.setdefault("exclusive", "A ‘None of these’ option is only for multiple choice questions: single choice answers are already one only")
        question["options"] = options
    elif qtype == SCALE:
        scale = _text(values, "scale")
        if scale not in SCALES:
            errors["scale"] = "Select which answer scale to use"
        question["scale"] = scale
    elif qtype == AGE_BAND:
        bands = _text(values, "bands") or "child"
        if bands not in AGE_BANDS:
            errors["bands"] = "Select whose age this is"
        question["bands"] = bands
    if qtype in SPECIAL_FLAG_TYPES:
        for flag in ("dont_know", "not_applicable"):
            if values.get(flag):
                question[flag] = True
    if qtype == NUMBER:
        minimum = _whole_number(errors, "min", _text(values, "min"), "The smallest number")
        maximum = _whole_number(errors, "max", _text(values, "max"), "The largest number")
        if minimum is not None and maximum is not None and minimum > maximum:
            errors["max"] = "The largest number must be the same as or more than the smallest number"
        if minimum is not None:
            question["min"] = minimum
        if maximum is not None:
            question["max"] = maximum
        suffix = _text(values, "suffix")
        _limit(errors, "suffix", suffix, 40, "The unit")
        if suffix:
            question["suffix"] = suffix
    if qtype in TEXT_TYPES:
        max_length = _whole_number(errors, "max_length", _text(values, "max_length"), "The longest answer", 1, ABSOLUTE_MAX_LENGTH)
        if max_length is not None:
            question["max_length"] = max_length
    page = _text(values, "page")
    if page:
        if not KEY_PATTERN.match(page):
            errors["page"] = "The screen name must start with a letter and use only lower case letters, digits and _"
        question["page"] = page
    easy = easy_read_table(values, errors)
    if easy:
        question["easy_read"] = easy
    return question, errors


def condition_for(definition: dict[str, Any], question_key: str, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any] | None:
    """The show_if table from the form, checked against the questions before this one in `definition`
    (which already holds the question in its new place)."""
    target_key = _text(values, "show_if_question")
    raw_values = re.split(r"[\n,]+", values.get("show_if_values") or "")
    wanted = [v.strip() for v in raw_values if v.strip()]
    if not target_key:
        if wanted:
            errors["show_if_question"] = "Select the earlier question these answers belong to, or clear the answers"
        return None
    order = [q.get("key") for q in all_questions(definition)]
    if target_key == question_key:
        errors["show_if_question"] = "A question cannot depend on its own answer: select an earlier question"
        return None
    if target_key not in order:
        errors["show_if_question"] = f"There is no question with the key ‘{target_key[:60]}’"
        return None
    if question_key in order and order.index(target_key) > order.index(question_key):
        errors["show_if_question"] = (
            f"‘{target_key}’ comes after this question: a question can only depend on an earlier answer. "
            "Move this question below it, or choose an earlier question"
        )
        return None
    target = find_question(definition, target_key)[2]
    allowed = option_values_of(target)
    if not allowed:
        errors["show_if_question"] = f"‘{target_key}’ has no answer options to match: choose a choice, scale, yes or no or age band question"
        return None
    if not wanted:
        errors["show_if_values"] = f"Enter which answers to ‘{target_key}’ show this question, like {allowed[0]}"
        return None
    unknown = [v for v in wanted if v not in allowed]
    if unknown:
        errors["show_if_values"] = f"‘{unknown[0][:60]}’ is not an answer to ‘{target_key}’: use one of {', '.join(allowed)}"
        return None
    if target.get("type") == MULTIPLE_CHOICE:
        if len(wanted) > 1:
            errors["show_if_values"] = "For a multiple choice question, enter one answer: this question shows when that answer is ticked"
            return None
        return {"question": target_key, "includes": wanted[0]}
    if len(wanted) == 1:
        return {"question": target_key, "equals": wanted[0]}
    return {"question": target_key, "any_of": wanted}


_FIELD_WORDS = {
    "type": "type", "text": "text", "options": "options", "scale": "scale", "bands": "bands", "min": "min",
    "max": "max", "max_length": "max_length", "suffix": "suffix", "page": "page", "hint": "hint", "error": "error",
    "dont_know": "dont_know", "not_applicable": "not_applicable", "optional": "optional", "exclusive": "exclusive",
}


def problem_base(problem: Problem) -> str:
    """The element key a problem is reported under ("q.easy_read", "q option 2" and "q" are all q)."""
    return problem.key.split(" ")[0].split(".")[0]


def field_for_problem(problem: Problem, own_key: str) -> str:
    """Which form field a problem from `parse_instrument` belongs to (the key field if unsure)."""
    if problem_base(problem) != own_key:
        return "key"
    message = problem.message
    if "show_if" in message:
        return "show_if_values" if "value" in message else "show_if_question"
    if "page" in message:
        return "page"
    option = re.search(r" option (\d+)$", problem.key)
    if option:
        field = "easy_read" if "easy_read" in message or "easy-read" in message else "label" if "label" in message else "value"
        return option_field(int(option.group(1)), field)
    if "easy_read" in message or "easy-read" in message:
        return "easy_text"
    if message.startswith("option") or "option value" in message or "'options'" in message:
        return "options"
    quoted = re.search(r"'([a-z_]+)'", message)
    if quoted and quoted.group(1) in _FIELD_WORDS:
        return _FIELD_WORDS[quoted.group(1)]
    return "key"


def details_form_values(definition: dict[str, Any]) -> dict[str, Any]:
    retention = definition.get("retention") or {}
    return {
        "title": definition.get("title", ""), "description": definition.get("description", ""),
        "run_by": definition.get("run_by", ""), "what_happens_next": definition.get("what_happens_next", ""),
        "minutes": str(definition.get("minutes", 10)), "audience": definition.get("audience", ""),
        "notice": definition.get("notice", DEFAULT_NOTICE),
        "variants": [v for v in definition.get("variants", ["standard"]) if v != "standard"],
        "consent_purposes": list(definition.get("consent_purposes", ["quotes", "contact"])),
        "retention_free_text": retention.get("free_text", "anonymise"),
        "retention_days": str(retention.get("free_text_days", 365)),
        "easy_title": definition.get("easy_title", "") if isinstance(definition.get("easy_title"), str) else "",
        **terms_as_values(definition.get("easy_terms") if isinstance(definition.get("easy_terms"), dict) else {}),
    }


# Words explained in the easy-read versions (`easy_terms`), edited as rows: term-N-term, term-N-means.
MAX_EASY_TITLE_WORDS = 10  # 8 or fewer is best; the built-in short breaks consultation's has 10
MAX_TERMS = 30
_TERM_NAME = re.compile(r"term-(\d{1,3})-(term|means)")


def terms_as_values(terms: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, (term, means) in enumerate(terms.items(), start=1):
        values[f"term-{number}-term"] = str(term)
        values[f"term-{number}-means"] = str(means)
    return values


def term_rows(values: dict[str, Any]) -> list[dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    for name, value in values.items():
        match = _TERM_NAME.fullmatch(name)
        if match and isinstance(value, str):
            found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [{"term": found[n].get("term", ""), "means": found[n].get("means", "")} for n in sorted(found)]


def easy_words_from(values: dict[str, Any], errors: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The easy-read title and the explained terms from the details form, checked."""
    easy_title = _text(values, "easy_title")
    words = len(easy_title.split())
    if words > MAX_EASY_TITLE_WORDS:
        errors["easy_title"] = (f"The title in easy words has {words} words: use {MAX_EASY_TITLE_WORDS} words or fewer "
                                "(8 or fewer is best), like “Tell us about short breaks”")
    _limit(errors, "easy_title", easy_title, 120, "The title in easy words")
    terms: dict[str, str] = {}
    rows = term_rows(values)
    if len(rows) > MAX_TERMS:
        errors[f"term-{MAX_TERMS + 1}-term"] = f"Explain {MAX_TERMS} words at most"
    for number, row in enumerate(rows[:MAX_TERMS], start=1):
        term, means = clean_text(row["term"]), clean_text(row["means"])
        if not term and not means:
            continue
        if not term:
            errors[f"term-{number}-term"] = f"Enter the words that explanation {number} is about, like EHC plan"
        elif len(term) > 60:
            errors[f"term-{number}-term"] = f"Term {number} must be 60 characters or fewer"
        elif term.lower() in {t.lower() for t in terms}:
            errors[f"term-{number}-term"] = f"‘{term[:60]}’ is explained twice: keep one explanation"
        if not means:
            errors[f"term-{number}-means"] = f"Enter what ‘{term[:60]}’ means, in easy words" if term else f"Enter what term {number} means"
        elif len(means) > 300:
            errors[f"term-{number}-means"] = f"The meaning of term {number} must be 300 characters or fewer"
        if term and means and f"term-{number}-term" not in errors and f"term-{number}-means" not in errors:
            terms[term] = means
    return easy_title, terms


def apply_details(definition: dict[str, Any], values: dict[str, Any], notices: list[str]) -> dict[str, Any]:
    """The start page, confirmation and settings from the details form. Raises ChangeRefused."""
    errors: dict[str, str] = {}
    texts = {}
    for name, label, limit, missing in (
        ("title", "The title", 200, "Enter a title"),
        ("description", "The introduction", 4000, "Enter an introduction: what the consultation is about and who it is for"),
        ("run_by", "Who runs it", 300, "Enter who runs this consultation, like Parent Carer Voice"),
        ("what_happens_next", "What happens next", 4000, "Enter what happens after people send their answers"),
    ):
        texts[name] = _text(values, name)
        if not texts[name]:
            errors[name] = missing
        _limit(errors, name, texts[name], limit, label)
    minutes = _whole_number(errors, "minutes", _text(values, "minutes"), "The time it takes", 1, 120)
    if minutes is None and "minutes" not in errors:
        errors["minutes"] = "Enter about how many minutes it takes, from 1 to 120"
    audience = _text(values, "audience")
    if audience not in AUDIENCES:
        errors["audience"] = "Select who the consultation is for"
    notice = _text(values, "notice")
    if notice not in notices:
        errors["notice"] = "Select the privacy notice people see before they start"
    variants = values.get("variants") or []
    if any(v not in ("easy_read", "symbols") for v in variants):
        errors["variants"] = "Select versions from the list"
    purposes = values.get("consent_purposes") or []
    if any(p not in OPTIONAL_PURPOSES for p in purposes):
        errors["consent_purposes"] = "Select optional uses from the list"
    free_text = _text(values, "retention_free_text") or "anonymise"
    if free_text not in FREE_TEXT_POLICIES:
        errors["retention_free_text"] = "Select what happens to written answers"
    days = _whole_number(errors, "retention_days", _text(values, "retention_days"), "The number of days", 0, 3650)
    easy_title, easy_terms = easy_words_from(values, errors)
    if not errors:
        broken = _notice_disagrees(definition, notice, free_text, 365 if days is None else days)
        if broken:
            errors["retention_free_text"] = (f"The privacy notice you chose says \u201c{broken}\u201d: choose what it says, "
                                             "or a notice that says what you want")
    if errors:
        raise ChangeRefused(errors)
    changed = copy.deepcopy(definition)
    changed.update(texts)
    changed.update({
        "minutes": minutes, "audience": audience, "notice": notice,
        "variants": ["standard", *[v for v in ("easy_read", "symbols") if v in variants]],
        "consent_purposes": [p for p in OPTIONAL_PURPOSES if p in purposes],
        # the other periods (drafts, answers, contacts) are the notice's and are kept as they were
        "retention": {**(definition.get("retention") or {}), "free_text": free_text,
                      "free_text_days": 365 if days is None else days},
    })
    for name, value in (("easy_title", easy_title), ("easy_terms", easy_terms)):
        if value:
            changed[name] = value
        else:
            changed.pop(name, None)
    refuse_if_broken(definition, changed, "variants")
    return changed


def _notice_disagrees(definition: dict[str, Any], notice: str, free_text: str, free_text_days: int) -> str | None:
    """The first sentence of the chosen notice that these retention settings would break, if any."""
    periods = {name: int(value) for name, value in (definition.get("retention") or {}).items()
               if name in ("drafts_days", "answers_days", "contacts_days") and isinstance(value, int) and not isinstance(value, bool)}
    retention = Retention(**{**periods, "free_text": free_text, "free_text_days": free_text_days})
    for wording in notice_files(notice):
        for period in stated_periods(notice_text(wording)):
            if getattr(retention, period.setting) != period.days or (
                    period.setting == "free_text_days" and period.action != retention.free_text):
                return period.sentence
    return None


def section_form_values(section: dict[str, Any]) -> dict[str, Any]:
    easy = section.get("easy_read") or {}
    return {"title": section.get("title", ""), "intro": section.get("intro", ""), "easy_text": easy.get("text", ""),
            "easy_hint": easy.get("hint", ""), "easy_symbol": easy.get("symbol", "")}


def apply_section(definition: dict[str, Any], section_key: str | None, values: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Add a section (key None) or change one. Returns the new definition and the section's key."""
    errors: dict[str, str] = {}
    title = _text(values, "title")
    if not title:
        errors["title"] = "Enter a title for the section"
    _limit(errors, "title", title, 200, "The title")
    intro = _text(values, "intro")
    _limit(errors, "intro", intro, 2000, "The introduction")
    easy = easy_read_table(values, errors)
    if errors:
        raise ChangeRefused(errors)
    changed = copy.deepcopy(definition)
    sections = changed.setdefault("sections", [])
    if section_key is None:
        section_key = unique_section_key(changed, title)
        section: dict[str, Any] = {"key": section_key, "questions": []}
        sections.append(section)
    else:
        found = find_section(changed, section_key)
        if found is None:
            raise LookupError(section_key)
        section = found[1]
    section["title"] = title
    for name, value in (("intro", intro), ("easy_read", easy)):
        if value:
            section[name] = value
        else:
            section.pop(name, None)
    # Keep the format's field order: questions last, as in the files.
    section["questions"] = section.pop("questions", [])
    refuse_if_broken(definition, changed, "title")
    return changed, section_key


def apply_question(definition: dict[str, Any], section_key: str, old_key: str | None, values: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Add a question at the end of a section (old_key None) or change one in place. A changed key is
    followed by the questions that depend on it. Raises ChangeRefused with field errors."""
    question, errors = build_question(values)
    key = question["key"]
    changed = copy.deepcopy(definition)
    found_section = find_section(changed, section_key)
    if found_section is None:
        raise LookupError(section_key)
    if "key" not in errors:
        clash = find_question(changed, key)
        if clash is not None and key != old_key:
            errors["key"] = f"Another question already uses the key ‘{key}’: each question needs its own key (it names the export column)"
    if old_key is None:
        section = found_section[1]
        if not isinstance(section.get("questions"), list):
            section["questions"] = []
        section["questions"].append(question)
    else:
        found = find_question(changed, old_key)
        if found is None:
            raise LookupError(old_key)
        s_index, q_index, _ = found
        sections_of(changed)[s_index]["questions"][q_index] = question
        if key != old_key and "key" not in errors:
            for other in all_questions(changed):
                condition = other.get("show_if")
                if isinstance(condition, dict) and condition.get("question") == old_key:
                    condition["question"] = key
    if "key" not in errors:
        condition = condition_for(changed, key, values, errors)
        if condition is not None:
            # show_if goes before easy_read, as in the files
            easy = question.pop("easy_read", None)
            question["show_if"] = condition
            if easy:
                question["easy_read"] = easy
    if errors:
        raise ChangeRefused(errors)
    broken = new_problems(definition, changed)
    if broken:
        raise ChangeRefused(_errors_from_problems(broken, key, changed))
    return changed, key


def _errors_from_problems(problems: list[Problem], own_key: str, definition: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in problems:
        field = field_for_problem(problem, own_key)
        text = problem.message if problem_base(problem) == own_key else f"{element_name(definition, problem)}: {problem.message}"
        if field in errors:
            errors[field] += f". {text}"
        else:
            errors[field] = text[0].upper() + text[1:]
    return errors


def refuse_if_broken(before: dict[str, Any], after: dict[str, Any], field: str) -> None:
    broken = new_problems(before, after)
    if broken:
        message = ". ".join(f"{element_name(after, p)}: {p.message}" for p in broken)
        raise ChangeRefused({field: f"This change would cause a problem. {message}"})


def delete_section(definition: dict[str, Any], section_key: str) -> dict[str, Any]:
    changed = copy.deepcopy(definition)
    found = find_section(changed, section_key)
    if found is None:
        raise LookupError(section_key)
    del changed["sections"][found[0]]
    refuse_if_broken(definition, changed, "delete")
    return changed


def delete_question(definition: dict[str, Any], question_key: str) -> dict[str, Any]:
    changed = copy.deepcopy(definition)
    found = find_question(changed, question_key)
    if found is None:
        raise LookupError(question_key)
    s_index, q_index, _ = found
    del changed["sections"][s_index]["questions"][q_index]
    dependants = [q.get("key") for q in all_questions(changed) if (q.get("show_if") or {}).get("question") == question_key]
    if dependants:
        raise ChangeRefused({"delete": (
            f"{', '.join(f'‘{k}’' for k in dependants)} only show depending on the answer to this question. "
            "Change or delete those questions first"
        )})
    refuse_if_broken(definition, changed, "delete")
    return changed


def move_section(definition: dict[str, Any], section_key: str, direction: str) -> dict[str, Any]:
    changed = copy.deepcopy(definition)
    found = find_section(changed, section_key)
    if found is None:
        raise LookupError(section_key)
    index = found[0]
    target = index - 1 if direction == "up" else index + 1
    sections = changed["sections"]
    if 0 <= target < len(sections):
        sections[index], sections[target] = sections[target], sections[index]
    refuse_if_broken(definition, changed, "move")
    return changed


def move_question(definition: dict[str, Any], question_key: str, direction: str) -> dict[str, Any]:
    """Up or down one place; past the top or bottom of its section it moves into the next section."""
    changed = copy.deepcopy(definition)
    found = find_question(changed, question_key)
    if found is None:
        raise LookupError(question_key)
    s_index, q_index, question = found
    sections = changed["sections"]
    questions = sections[s_index]["questions"]
    if direction == "up":
        if q_index > 0:
            questions[q_index - 1], questions[q_index] = questions[q_index], questions[q_index - 1]
        elif s_index > 0:
            questions.pop(q_index)
            sections[s_index - 1].setdefault("questions", []).append(question)
    else:
        if q_index < len(questions) - 1:
            questions[q_index + 1], questions[q_index] = questions[q_index], questions[q_index + 1]
        elif s_index < len(sections) - 1:
            questions.pop(q_index)
            sections[s_index + 1].setdefault("questions", []).insert(0, question)
    refuse_if_broken(definition, changed, "move")
    return changed


# --- naming elements for people ------------------------------------------------------------------


def element_name(definition: dict[str, Any], problem: Problem) -> str:
    kind, key = element_of(definition, problem)
    if kind == "details":
        return "Consultation details"
    if kind == "section":
        section = find_section(definition, key)[1]
        return f"Section ‘{section.get('title') or key}’"
    if kind == "question":
        question = find_question(definition, key)[2]
        return f"Question ‘{question.get('text') or key}’ ({key})"
    return problem.key


def element_of(definition: dict[str, Any], problem: Problem) -> tuple[str, str]:
    """Which element a problem is about: ("details" | "section" | "question" | "", key)."""
    key = problem_base(problem)
    if key == "instrument" or key == "-":
        return "details", ""
    is_section = find_section(definition, key) is not None
    is_question = find_question(definition, key) is not None
    # "section_key question 3" is a question whose key could not be read: shown on its section
    about_section = "section" in problem.message or " question " in problem.key
    if is_section and (not is_question or about_section):
        return "section", key
    if is_question:
        return "question", key
    return "", key


# --- drafts in the database ----------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    id: int
    key: str
    title: str
    team: str | None
    definition: dict[str, Any]
    version: int
    published: list[dict[str, Any]]
    created_by: str
    updated_at: datetime | None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _draft(row: dict[str, Any]) -> Draft:
    return Draft(
        id=row["id"], key=row["key"], title=row["title"], team=row["team"],
        definition=row["definition"] if isinstance(row["definition"], dict) else {},
        version=row["version"], published=list(row["published"] or []), created_by=row["created_by"],
        updated_at=row["updated_at"],
    )


MAX_ID = 2**31 - 1  # ids are 32-bit serials: a bigger number in a URL is simply not found


async def get_draft(draft_id: int) -> Draft | None:
    if not 0 < draft_id <= MAX_ID:
        return None
    row = await InstrumentDraft.select().where(InstrumentDraft.id == draft_id).output(load_json=True).first()
    return _draft(row) if row else None


async def list_drafts() -> list[Draft]:
    rows = await InstrumentDraft.select().order_by(InstrumentDraft.updated_at, ascending=False).output(load_json=True)
    return [_draft(row) for row in rows]


async def notice_keys() -> list[str]:
    rows = await Notice.select(Notice.key).distinct().order_by(Notice.key)
    return [row["key"] for row in rows] or [DEFAULT_NOTICE]


def new_definition(key: str, title: str, run_by: str, notice: str = DEFAULT_NOTICE) -> dict[str, Any]:
    return {
        "key": key, "version": "1", "title": title, "audience": "parent_carer", "notice": notice, "minutes": 10,
        "run_by": run_by, "variants": ["standard"], "consent_purposes": ["quotes", "contact"],
        "retention": {"free_text": "anonymise", "free_text_days": 365}, "sections": [],
    }


async def create_draft(title: str, team: str | None, created_by: str, definition: dict[str, Any] | None = None) -> Draft:
    """A new draft. From `definition` (a copy of another consultation) it keeps every element but
    gets its own key, title and version 1."""
    for _ in range(5):
        key = instrument_key_from(title)
        if definition is None:
            run_by = "Parent Carer Voice" if team else "the local area SEND partnership"
            data = new_definition(key, title, run_by, (await notice_keys())[0])
        else:
            data = copy.deepcopy(definition)
            data.update({"key": key, "title": title, "version": "1"})
        row = InstrumentDraft(key=key, title=title, team=team, definition=data, version=1, published=[],
                              created_by=created_by, updated_at=_now())
        try:
            await row.save()
        except Exception as error:  # a clash of the random key: try another
            if is_unique_violation(error):
                continue
            raise
        draft = await get_draft(row.id)
        assert draft is not None
        return draft
    raise RuntimeError("could not find a free instrument key")


async def change_draft(draft_id: int, change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """Apply one change to the definition as it is now in the database, in one transaction, so two
    people editing different elements never lose each other's work. `change` may raise
    ChangeRefused, and then nothing is written."""
    async with writing_transaction(InstrumentDraft._meta.db):
        await lock_row(InstrumentDraft, draft_id)
        row = await InstrumentDraft.select(InstrumentDraft.definition, InstrumentDraft.version).where(
            InstrumentDraft.id == draft_id).output(load_json=True).first()
        if row is None:
            raise LookupError(draft_id)
        changed = change(copy.deepcopy(row["definition"]))
        changed["version"] = str(row["version"])
        title = changed.get("title") if isinstance(changed.get("title"), str) and changed["title"].strip() else None
        updates: dict[Any, Any] = {InstrumentDraft.definition: changed, InstrumentDraft.updated_at: _now()}
        if title:
            updates[InstrumentDraft.title] = title[:200]
        await InstrumentDraft.update(updates).where(InstrumentDraft.id == draft_id)
    return changed


async def record_publication(draft_id: int, published_version: int, run_id: int, slug: str) -> None:
    """After publishing: remember the run and move the draft on to the next version, so later edits
    are a new version and never the one people answered."""
    async with writing_transaction(InstrumentDraft._meta.db):
        await lock_row(InstrumentDraft, draft_id)
        row = await InstrumentDraft.select(
            InstrumentDraft.definition, InstrumentDraft.published, InstrumentDraft.version).where(
            InstrumentDraft.id == draft_id).output(load_json=True).first()
        if row is None:
            raise LookupError(draft_id)
        # Two people publishing at once must still leave the draft past both versions.
        next_version = max(row["version"], published_version + 1)
        definition = dict(row["definition"])
        definition["version"] = str(next_version)
        published = list(row["published"] or []) + [
            {"run_id": run_id, "slug": slug, "version": published_version, "at": _now().isoformat(timespec="seconds")}
        ]
        await InstrumentDraft.update({
            InstrumentDraft.version: next_version, InstrumentDraft.definition: definition,
            InstrumentDraft.published: published, InstrumentDraft.updated_at: _now(),
        }).where(InstrumentDraft.id == draft_id)


TOP_LEVEL_ORDER = (
    "key", "version", "title", "easy_title", "audience", "notice", "minutes", "run_by", "description", "what_happens_next",
    "variants", "consent_purposes", "retention", "easy_terms", "sections",
)


def in_file_order(definition: dict[str, Any]) -> dict[str, Any]:
    """The top-level fields in the order the built-in files use, for a readable download."""
    ordered = {name: definition[name] for name in TOP_LEVEL_ORDER if name in definition}
    ordered.update({name: value for name, value in definition.items() if name not in ordered})
    return ordered


def frozen_instrument(draft: Draft) -> Instrument:
    """The definition as it will be published, checked exactly like a built-in file."""
    data = copy.deepcopy(draft.definition)
    data["key"] = draft.key
    data["version"] = str(draft.version)
    return parse_instrument(data, source=f"consultation {draft.key}")
