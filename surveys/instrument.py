"""The instrument format: a survey's sections and questions, declared in TOML and validated on load.

The format is documented in `surveys/instruments/README.md`. Loading checks everything it can and
reports every problem at once as "file, question key, what is wrong", so an author can fix a file
in one pass. A survey run stores the raw definition it was opened with (`Instrument.raw`), and
`parse_instrument` rebuilds the same objects from it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from consent.purposes import OPTIONAL_PURPOSES
from surveys.answer_types import (
    ABSOLUTE_MAX_LENGTH,
    AGE_BAND,
    AGE_BANDS,
    ANSWER_TYPES,
    DEFAULT_MAX_LENGTH,
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
    ChoiceOption,
)

BUILT_IN_DIR = Path(__file__).parent / "instruments"
VARIANTS = ("standard", "easy_read", "symbols")
AUDIENCES = ("parent_carer", "young_person", "practitioner", "mixed")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@dataclass(frozen=True)
class Problem:
    source: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.key}: {self.message}"


class InstrumentInvalid(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class EasyRead:
    text: str | None = None
    hint: str | None = None
    symbol: str | None = None


@dataclass(frozen=True)
class Condition:
    """Show a question only when an earlier answer matches."""

    question: str
    equals: str | None = None
    any_of: tuple[str, ...] = ()  # the earlier answer is one of these
    includes: str | None = None  # the earlier multiple-choice answer includes this

    def holds(self, answers: dict[str, Any]) -> bool:
        answer = answers.get(self.question)
        if answer is None:
            return False
        if self.equals is not None:
            return answer == self.equals
        if self.any_of:
            return answer in self.any_of
        if self.includes is not None:
            return isinstance(answer, list) and self.includes in answer
        return False

    def values(self) -> tuple[str, ...]:
        if self.equals is not None:
            return (self.equals,)
        if self.includes is not None:
            return (self.includes,)
        return self.any_of


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    text: str
    hint: str | None = None
    optional: bool = False
    options: tuple[ChoiceOption, ...] = ()
    special_options: tuple[ChoiceOption, ...] = ()  # don't know / not applicable / don't understand
    scale: str | None = None
    show_if: Condition | None = None
    page: str | None = None
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    suffix: str | None = None
    error: str | None = None  # the message when a required answer is missing
    easy_read: EasyRead = field(default_factory=EasyRead)
    section: str = ""

    @property
    def page_key(self) -> str:
        return self.page or self.key

    @property
    def all_options(self) -> tuple[ChoiceOption, ...]:
        return self.options + self.special_options

    @cached_property
    def option_values(self) -> frozenset[str]:
        return frozenset(o.value for o in self.all_options)

    def label_for(self, value: str) -> str:
        for option in self.all_options:
            if option.value == value:
                return option.label
        return value

    @property
    def is_free_text(self) -> bool:
        return self.type in TEXT_TYPES

    @property
    def text_limit(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.type, ABSOLUTE_MAX_LENGTH)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str | None
    questions: tuple[Question, ...]
    easy_read: EasyRead = field(default_factory=EasyRead)


@dataclass(frozen=True)
class Page:
    """What one screen of the journey asks: one question or a small related group."""

    key: str
    section: Section
    questions: tuple[Question, ...]

    @property
    def title(self) -> str:
        if len(self.questions) == 1:
            return self.questions[0].text
        return self.section.title


@dataclass(frozen=True)
class Retention:
    """Every period the privacy notice promises, as settings of the instrument (the notice is checked
    against them, see `surveys.promises`): unfinished drafts are deleted `drafts_days` after they were
    last saved; finished answers, and everything drawn from them, `answers_days` after the survey
    closes; free text is kept, anonymised or deleted `free_text_days` after it closes; contact
    details are deleted `contacts_days` after it closes at the latest."""

    free_text: str = "anonymise"
    free_text_days: int = 365
    drafts_days: int = 30
    answers_days: int = 3 * 365
    contacts_days: int = 90


@dataclass(frozen=True)
class Instrument:
    key: str
    version: str
    title: str
    audience: str
    notice: str
    minutes: int
    run_by: str
    description: str
    what_happens_next: str
    variants: tuple[str, ...]
    sections: tuple[Section, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)
    source: str = ""
    # Optional, consent-based uses offered at the end of the survey (none are on by default).
    consent_purposes: tuple[str, ...] = ("quotes", "contact")
    retention: Retention = field(default_factory=lambda: Retention())
    # The survey's name in easy words for the easy-read and picture versions (the title when empty).
    easy_title: str = ""
    # Words explained the first time they appear in an easy-read version: (term, what it means).
    easy_terms: tuple[tuple[str, str], ...] = ()

    @cached_property
    def respondent_age_question(self) -> Question | None:
        """The question that tells whether the respondent themselves is under 13, if any."""
        for question in self.questions:
            if question.type == AGE_BAND and question.options == AGE_BANDS["young_person"]:
                return question
        return None

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    @cached_property
    def questions_by_key(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}

    @cached_property
    def pages(self) -> tuple[Page, ...]:
        pages: list[Page] = []
        for section in self.sections:
            for question in section.questions:
                if pages and pages[-1].key == question.page_key:
                    last = pages[-1]
                    pages[-1] = Page(last.key, section, last.questions + (question,))
                else:
                    pages.append(Page(question.page_key, section, (question,)))
        return tuple(pages)

    @cached_property
    def pages_by_key(self) -> dict[str, Page]:
        return {p.key: p for p in self.pages}

    @cached_property
    def deciding_keys(self) -> tuple[str, ...]:
        """The questions whose answers decide whether others show (named in a `show_if`)."""
        return tuple(dict.fromkeys(q.show_if.question for q in self.questions if q.show_if is not None))

    @cached_property
    def path_memo(self) -> dict:
        """The pages `surveys.journey` worked out for each set of deciding answers, kept with the
        instrument (a new version is a new Instrument, so nothing outlives the definition it came from)."""
        return {}

    @cached_property
    def question_keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)


# --------------------------------------------------------------------------------------------
# Loading and validation


_TOP_FIELDS = {
    "key", "version", "title", "audience", "notice", "minutes", "run_by", "description",
    "what_happens_next", "variants", "sections", "consent_purposes", "retention",
    "easy_title", "easy_terms",
}
FREE_TEXT_POLICIES = ("keep", "anonymise", "delete")
# Retention periods in days, with the range each may take (the free text period may be 0: at closing).
RETENTION_DAY_LIMITS = {
    "free_text_days": (0, 3650), "drafts_days": (1, 365), "answers_days": (30, 3650), "contacts_days": (0, 3650),
}
_SECTION_FIELDS = {"key", "title", "intro", "questions", "easy_read"}
_QUESTION_FIELDS = {
    "key", "type", "text", "hint", "optional", "options", "scale", "dont_know", "not_applicable",
    "show_if", "page", "min", "max", "max_length", "suffix", "error", "easy_read", "bands",
}
_OPTION_FIELDS = {"value", "label", "easy_read", "hint", "exclusive"}
_EASY_READ_FIELDS = {"text", "hint", "symbol"}
_CONDITION_FIELDS = {"question", "equals", "any_of", "includes"}


class _Checker:
    """Collects problems while building the objects, so every problem is reported at once."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.source, key, message))

    def text(self, data: dict, name: str, where: str, required: bool = True, limit: int = 2000) -> str | None:
        value = data.get(name)
        if value is None:
            if required:
                self.problem(where, f"'{name}' is missing")
            return None
        if not isinstance(value, str):
            self.problem(where, f"'{name}' must be text, not {type(value).__name__}")
            return None
        value = value.strip()
        if required and not value:
            self.problem(where, f"'{name}' is empty")
            return None
        if len(value) > limit:
            self.problem(where, f"'{name}' is longer than {limit} characters")
        return value or None

    def unknown(self, data: dict, allowed: set[str], where: str) -> None:
        for name in sorted(set(data) - allowed):
            self.problem(where, f"unknown field '{name}' (allowed: {', '.join(sorted(allowed))})")

    def table(self, value: Any, where: str, name: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(where, f"'{name}' must be a table")
            return {}
        return value

    def easy_read(self, data: dict, where: str) -> EasyRead:
        table = self.table(data.get("easy_read"), where, "easy_read")
        self.unknown(table, _EASY_READ_FIELDS, f"{where}.easy_read")
        return EasyRead(
            text=self.text(table, "text", f"{where}.easy_read", required=False),
            hint=self.text(table, "hint", f"{where}.easy_read", required=False),
            symbol=self.text(table, "symbol", f"{where}.easy_read", required=False, limit=80),
        )


def _options(check: _Checker, raw: Any, where: str) -> tuple[ChoiceOption, ...]:
    if not isinstance(raw, list) or not raw:
        check.problem(where, "'options' must be a non-empty list of {value, label} tables")
        return ()
    options: list[ChoiceOption] = []
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        at = f"{where} option {index}"
        if not isinstance(item, dict):
            check.problem(at, "each option must be a table with 'value' and 'label'")
            continue
        check.unknown(item, _OPTION_FIELDS, at)
        value = check.text(item, "value", at, limit=60)
        label = check.text(item, "label", at, limit=300)
        if value is None or label is None:
            continue
        if not KEY_PATTERN.match(value):
            check.problem(at, f"option value '{value}' must be lower case letters, digits and _")
        if value in seen:
            check.problem(at, f"option value '{value}' is used twice")
        seen.add(value)
        exclusive = item.get("exclusive", False)
        if not isinstance(exclusive, bool):
            check.problem(at, "'exclusive' must be true or false")
            exclusive = False
        options.append(
            ChoiceOption(
                value=value,
                label=label,
                easy_read=check.text(item, "easy_read", at, required=False, limit=300),
                hint=check.text(item, "hint", at, required=False, limit=300),
                exclusive=exclusive,
            )
        )
    return tuple(options)


def _condition(check: _Checker, raw: Any, where: str) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        check.problem(where, "'show_if' must be a table like { question = \"key\", equals = \"value\" }")
        return None
    check.unknown(raw, _CONDITION_FIELDS, f"{where}.show_if")
    question = raw.get("question")
    tests = [name for name in ("equals", "any_of", "includes") if name in raw]
    if not isinstance(question, str) or len(tests) != 1:
        check.problem(where, "'show_if' needs 'question' and exactly one of 'equals', 'any_of' or 'includes'")
        return None
    any_of = raw.get("any_of", ())
    if "any_of" in raw and (not isinstance(any_of, list) or not all(isinstance(v, str) for v in any_of) or not any_of):
        check.problem(where, "'show_if.any_of' must be a non-empty list of option values")
        return None
    for name in ("equals", "includes"):
        if name in raw and not isinstance(raw[name], str):
            check.problem(where, f"'show_if.{name}' must be an option value (text)")
            return None
    return Condition(question=question, equals=raw.get("equals"), any_of=tuple(any_of), includes=raw.get("includes"))


def _integer(check: _Checker, data: dict, name: str, where: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        check.problem(where, f"'{name}' must be a whole number")
        return None
    return value


def _question(check: _Checker, raw: Any, section_key: str, index: int) -> Question | None:
    if not isinstance(raw, dict):
        check.problem(f"{section_key} question {index}", "each question must be a table")
        return None
    key = raw.get("key")
    where = key if isinstance(key, str) and key else f"{section_key} question {index}"
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        check.problem(where, "'key' must start with a letter and use only lower case letters, digits and _ (60 at most)")
        return None
    check.unknown(raw, _QUESTION_FIELDS, where)
    qtype = raw.get("type")
    if qtype not in ANSWER_TYPES:
        check.problem(where, f"'type' must be one of {', '.join(ANSWER_TYPES)}, not {qtype!r}")
        return None
    text = check.text(raw, "text", where, limit=500)
    optional = raw.get("optional", False)
    if not isinstance(optional, bool):
        check.problem(where, "'optional' must be true or false")
        optional = False

    options: tuple[ChoiceOption, ...] = ()
    special: list[ChoiceOption] = []
    scale = None
    if qtype in (SINGLE_CHOICE, MULTIPLE_CHOICE):
        options = _options(check, raw.get("options"), where)
    elif qtype == SCALE:
        scale = raw.get("scale")
        if scale not in SCALES:
            check.problem(where, f"'scale' must be one of {', '.join(SCALES)}, not {scale!r}")
            return None
        options = SCALES[scale].options
        if "options" in raw:
            check.problem(where, "a scale question takes its options from its 'scale'; remove 'options'")
    elif qtype == YES_NO:
        options = YES_NO_OPTIONS
    elif qtype == AGE_BAND:
        bands = raw.get("bands", "child")
        if bands not in AGE_BANDS:
            check.problem(where, f"'bands' must be one of {', '.join(AGE_BANDS)}, not {bands!r}")
            return None
        options = AGE_BANDS[bands]
    elif "options" in raw:
        check.problem(where, f"a {qtype} question does not take 'options'")
    if qtype != AGE_BAND and "bands" in raw:
        check.problem(where, "'bands' is only for age_band questions")

    for flag, option in (("dont_know", DONT_KNOW), ("not_applicable", NOT_APPLICABLE)):
        value = raw.get(flag, False)
        if not isinstance(value, bool):
            check.problem(where, f"'{flag}' must be true or false")
        elif value:
            if qtype not in (SINGLE_CHOICE, SCALE, YES_NO):
                check.problem(where, f"'{flag}' is only for single choice, scale and yes/no questions")
            special.append(option)
    if qtype == SCALE:
        # Easy-read respondents always have a way to say they did not understand (kept apart in analysis).
        special.append(DONT_UNDERSTAND)
    clash = {o.value for o in options} & {o.value for o in special}
    if clash:
        check.problem(where, f"option values {sorted(clash)} are reserved for don't know / not applicable")

    minimum = _integer(check, raw, "min", where)
    maximum = _integer(check, raw, "max", where)
    max_length = _integer(check, raw, "max_length", where)
    if (minimum is not None or maximum is not None) and qtype != NUMBER:
        check.problem(where, "'min' and 'max' are only for number questions")
    if minimum is not None and maximum is not None and minimum > maximum:
        check.problem(where, f"'min' ({minimum}) is more than 'max' ({maximum})")
    if max_length is not None:
        if qtype not in TEXT_TYPES:
            check.problem(where, "'max_length' is only for short_text and long_text questions")
        elif not 1 <= max_length <= ABSOLUTE_MAX_LENGTH:
            check.problem(where, f"'max_length' must be between 1 and {ABSOLUTE_MAX_LENGTH}")
    page = raw.get("page")
    if page is not None and (not isinstance(page, str) or not KEY_PATTERN.match(page)):
        check.problem(where, "'page' must be a key (lower case letters, digits and _)")
        page = None

    return Question(
        key=key,
        type=qtype,
        text=text or key,
        hint=check.text(raw, "hint", where, required=False),
        optional=optional,
        options=options,
        special_options=tuple(special),
        scale=scale,
        show_if=_condition(check, raw.get("show_if"), where),
        page=page,
        min=minimum,
        max=maximum,
        max_length=max_length,
        suffix=check.text(raw, "suffix", where, required=False, limit=40),
        error=check.text(raw, "error", where, required=False, limit=200),
        easy_read=check.easy_read(raw, where),
        section=section_key,
    )


def _check_cross_references(check: _Checker, instrument: Instrument) -> None:
    seen: dict[str, Question] = {}
    page_sections: dict[str, str] = {}
    previous_page: str | None = None
    for question in instrument.questions:
        if question.key in seen:
            check.problem(question.key, "this key is used by more than one question")
        condition = question.show_if
        if condition is not None:
            target = seen.get(condition.question)
            if target is None:
                check.problem(
                    question.key,
                    f"show_if refers to '{condition.question}', which is not an earlier question",
                )
            elif not target.option_values:
                check.problem(question.key, f"show_if refers to '{condition.question}', which has no options")
            else:
                if condition.includes is not None and target.type != MULTIPLE_CHOICE:
                    check.problem(question.key, "show_if 'includes' needs a multiple choice question")
                for value in condition.values():
                    if value not in target.option_values:
                        check.problem(
                            question.key,
                            f"show_if value '{value}' is not an option of '{condition.question}'",
                        )
            if question.page and target is not None and target.page_key == question.page_key:
                check.problem(question.key, "a conditional question cannot share a page with the question it depends on")
        page = question.page_key
        if page in page_sections and (page != previous_page or page_sections[page] != question.section):
            check.problem(question.key, f"page '{page}' must group neighbouring questions in one section")
        page_sections[page] = question.section
        previous_page = page
        seen[question.key] = question
    page_keys = {p.key for p in instrument.pages}
    for page_key in page_keys:
        if page_key in seen and seen[page_key].page_key != page_key:
            check.problem(page_key, "a page name must not be the key of another question")


def _check_variants(check: _Checker, instrument: Instrument) -> None:
    """Easy-read and symbol variants need easy-read wording on every element."""
    if not ({"easy_read", "symbols"} & set(instrument.variants)):
        return
    for question in instrument.questions:
        if question.page:
            check.problem(question.key, "easy-read and symbol versions ask one question a page: remove 'page'")
    for section in instrument.sections:
        if not section.easy_read.text:
            check.problem(section.key, "the easy-read variant is offered but this section has no easy_read.text")
        for question in section.questions:
            if not question.easy_read.text:
                check.problem(question.key, "the easy-read variant is offered but this question has no easy_read.text")
            for option in question.options:
                if question.type in (SINGLE_CHOICE, MULTIPLE_CHOICE) and not option.easy_read:
                    check.problem(question.key, f"option '{option.value}' has no easy_read label")


def parse_instrument(data: dict[str, Any], source: str = "<instrument>") -> Instrument:
    """Build an Instrument from its raw definition, or raise InstrumentInvalid listing every problem."""
    check = _Checker(source)
    if not isinstance(data, dict):
        raise InstrumentInvalid([Problem(source, "-", "an instrument must be a table")])
    check.unknown(data, _TOP_FIELDS, "instrument")
    key = data.get("key")
    if not isinstance(key, str) or not SLUG_PATTERN.match(key):
        check.problem("instrument", "'key' must be lower case letters, digits and hyphens")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        check.problem("instrument", "'version' must be text such as \"2026.1\"")
    audience = data.get("audience")
    if audience not in AUDIENCES:
        check.problem("instrument", f"'audience' must be one of {', '.join(AUDIENCES)}")
    minutes = data.get("minutes", 10)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 120:
        check.problem("instrument", "'minutes' must be a whole number from 1 to 120")
        minutes = 10
    variants = data.get("variants", ["standard"])
    if not isinstance(variants, list) or "standard" not in variants or any(v not in VARIANTS for v in variants):
        check.problem("instrument", f"'variants' must be a list including 'standard', from {', '.join(VARIANTS)}")
        variants = ["standard"]
    notice = data.get("notice")
    if not isinstance(notice, str) or not SLUG_PATTERN.match(notice):
        check.problem("instrument", "'notice' must name a privacy notice (lower case letters, digits and hyphens)")

    sections: list[Section] = []
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        check.problem("instrument", "'sections' must be a non-empty list ([[sections]])")
        raw_sections = []
    section_keys: set[str] = set()
    for s_index, raw_section in enumerate(raw_sections, start=1):
        if not isinstance(raw_section, dict):
            check.problem(f"section {s_index}", "each section must be a table")
            continue
        s_key = raw_section.get("key")
        if not isinstance(s_key, str) or not KEY_PATTERN.match(s_key):
            check.problem(f"section {s_index}", "'key' must be lower case letters, digits and _")
            s_key = f"section_{s_index}"
        if s_key in section_keys:
            check.problem(s_key, "this section key is used twice")
        section_keys.add(s_key)
        check.unknown(raw_section, _SECTION_FIELDS, s_key)
        raw_questions = raw_section.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            check.problem(s_key, "a section needs at least one question ([[sections.questions]])")
            raw_questions = []
        questions = tuple(
            q for q in (_question(check, rq, s_key, i) for i, rq in enumerate(raw_questions, start=1)) if q
        )
        sections.append(
            Section(
                key=s_key,
                title=check.text(raw_section, "title", s_key, limit=200) or s_key,
                intro=check.text(raw_section, "intro", s_key, required=False),
                questions=questions,
                easy_read=check.easy_read(raw_section, s_key),
            )
        )

    purposes = data.get("consent_purposes", ["quotes", "contact"])
    if not isinstance(purposes, list) or any(p not in OPTIONAL_PURPOSES for p in purposes) or len(set(purposes)) != len(purposes):
        check.problem("instrument", f"'consent_purposes' must be a list from {', '.join(OPTIONAL_PURPOSES)}")
        purposes = []
    retention_table = check.table(data.get("retention"), "instrument", "retention")
    check.unknown(retention_table, set(RETENTION_DAY_LIMITS) | {"free_text"}, "instrument.retention")
    free_text = retention_table.get("free_text", "anonymise")
    if free_text not in FREE_TEXT_POLICIES:
        check.problem("instrument", f"'retention.free_text' must be one of {', '.join(FREE_TEXT_POLICIES)}")
        free_text = "anonymise"
    periods: dict[str, int] = {}
    for name, (low, high) in RETENTION_DAY_LIMITS.items():
        default = getattr(Retention, name)
        days = retention_table.get(name, default)
        if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
            check.problem("instrument", f"'retention.{name}' must be a whole number of days from {low} to {high}")
            days = default
        periods[name] = days
    if periods["free_text_days"] > periods["answers_days"] and free_text != "keep":
        check.problem("instrument", "'retention.free_text_days' cannot be longer than 'retention.answers_days' (the free text is deleted with the answers)")
    if periods["contacts_days"] > periods["answers_days"]:
        check.problem("instrument", "'retention.contacts_days' cannot be longer than 'retention.answers_days'")

    easy_terms = check.table(data.get("easy_terms"), "instrument", "easy_terms")
    terms: list[tuple[str, str]] = []
    for term, means in easy_terms.items():
        if not isinstance(means, str) or not means.strip() or len(means) > 300 or not term.strip() or len(term) > 60:
            check.problem("instrument", f"'easy_terms.{term}' must be a short text saying what the words mean")
            continue
        terms.append((term.strip(), means.strip()))

    instrument = Instrument(
        easy_title=check.text(data, "easy_title", "instrument", required=False, limit=120) or "",
        easy_terms=tuple(terms),
        consent_purposes=tuple(purposes),
        retention=Retention(free_text=free_text, **periods),
        key=key if isinstance(key, str) else "",
        version=version.strip() if isinstance(version, str) else "",
        title=check.text(data, "title", "instrument", limit=200) or "",
        audience=audience if isinstance(audience, str) else "",
        notice=notice if isinstance(notice, str) else "",
        minutes=minutes,
        run_by=check.text(data, "run_by", "instrument", limit=300) or "",
        description=check.text(data, "description", "instrument", limit=4000) or "",
        what_happens_next=check.text(data, "what_happens_next", "instrument", limit=4000) or "",
        variants=tuple(variants),
        sections=tuple(sections),
        raw=data,
        source=source,
    )
    _check_cross_references(check, instrument)
    _check_variants(check, instrument)
    if check.problems:
        raise InstrumentInvalid(check.problems)
    return instrument


def load_instrument_file(path: Path) -> Instrument:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InstrumentInvalid([Problem(path.name, "-", f"not valid TOML: {error}")]) from error
    return parse_instrument(data, source=path.name)


def built_in_instruments(directory: Path = BUILT_IN_DIR) -> dict[str, Instrument]:
    """Every instrument file shipped with the product, by key. Any invalid file is an error."""
    instruments: dict[str, Instrument] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            instrument = load_instrument_file(path)
        except InstrumentInvalid as error:
            problems.extend(error.problems)
            continue
        instruments[instrument.key] = instrument
    if problems:
        raise InstrumentInvalid(problems)
    return instruments


def iter_problems(directory: Path) -> Iterable[Problem]:
    for path in sorted(directory.glob("*.toml")):
        try:
            load_instrument_file(path)
        except InstrumentInvalid as error:
            yield from error.problems
