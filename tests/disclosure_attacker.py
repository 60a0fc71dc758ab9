"""An outsider with every published figure of a survey, trying to work out the hidden ones.

Written apart from the application's own disclosure code (`analysis.published`), from what anyone
can see: the published figures as `/you-said-we-did/figures.csv` gives them (labels, counts, bases,
"[c]"), the number of responses, and the questionnaire itself (which questions everyone must
answer, which are asked only after some answers, which scales count as satisfied). The outsider
writes down every linear fact that follows and asks, by linear programming, how far each "[c]" can
be narrowed: it must never be pinned to a count of 1 to 4.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from analysis.disclosure import LinearKnowledge
from analysis.loading import BREAKDOWNS
from surveys.answer_types import AGE_BAND, MULTIPLE_CHOICE, SCALE, SCALES, YES_NO
from surveys.instrument import Instrument, Question

ALL = "All respondents"
HIDDEN = "[c]"
EVERYONE_HAS_ONE = {"Version answered", "Respondent group"}  # every response has a version and a group
NO_VALUE = "(no answer to the breakdown question)"


def _source_question(instrument: Instrument, breakdown: str) -> Question | None:
    by = {label: key for key, label in BREAKDOWNS.items()}.get(breakdown)
    for question in instrument.questions:
        if (by == "age_band" and question.type == AGE_BAND) or question.key == by:
            return question
    return None


def _positive_labels(question: Question) -> set[str]:
    if question.type == SCALE and question.scale in SCALES:
        good = SCALES[question.scale].positive
    elif question.type == YES_NO:
        good = {"yes"}
    else:
        return set()
    return {o.label for o in question.all_options if o.value in good}


class Attacker:
    def __init__(self, instrument: Instrument, rows: list[dict[str, str]], responses: int):
        self.instrument = instrument
        self.questions = {q.key: q for q in instrument.questions}
        self.k = LinearKnowledge()
        self.hidden: list[tuple] = []
        self.responses = responses
        # table (question, breakdown) -> group -> answer label -> (kind, count, base)
        self.tables: dict[tuple[str, str], dict[str, dict[str, tuple[str, str, str]]]] = defaultdict(lambda: defaultdict(dict))
        for r in rows:
            self.tables[(r["question"], r["breakdown"])][r["group"]][r["answer"]] = (r["kind"], r["count"], r["base"])
        self._write_down()

    @staticmethod
    def cell(question: str, breakdown: str, group: str, answer: str) -> tuple:
        return ("count", question, breakdown, group, answer)

    def _number(self, cell: tuple, text: str) -> None:
        if text == HIDDEN:
            if cell[-1] != "(base)" and cell not in self.hidden:  # a hidden base is unknown, not a count to protect
                self.hidden.append(cell)
        elif text != "":
            self.k.known[cell] = float(text)

    def _row(self, question: Question, breakdown: str, group: str, answers: dict[str, tuple[str, str, str]] | None) -> None:
        """The facts inside one row; `answers` None for the hidden row of people with no value."""
        q, k = question.key, self.k
        cell = lambda label: self.cell(q, breakdown, group, label)  # noqa: E731
        labels = [o.label for o in question.all_options]
        kinds = {o.label: ("not in base" if o in question.special_options else "answer") for o in question.all_options}
        base, answered = cell("(base)"), ("answered", q, breakdown, group)
        if answers is not None:
            for label, (kind, count, row_base) in answers.items():
                self._number(cell(label), count)
                if kind != "not in base" and row_base:
                    self._number(base, row_base)
        opinions = [cell(label) for label in labels if kinds[label] == "answer"]
        others = [cell(label) for label in labels if kinds[label] == "not in base"]
        if question.type == MULTIPLE_CHOICE:
            for c in opinions + others:
                k.at_most({c: 1.0, base: -1.0})
            k.at_most({base: 1.0, **{c: -1.0 for c in opinions + others}})
            k.equal({answered: 1.0, base: -1.0})
        else:
            k.equal({**{c: 1.0 for c in opinions}, base: -1.0})
            k.equal({base: 1.0, **{c: 1.0 for c in others}, answered: -1.0})
        good = _positive_labels(question)
        if good:
            k.equal({**{cell(label): 1.0 for label in good}, cell("Positive"): -1.0})

    def _write_down(self) -> None:
        k = self.k
        k.known[("size", ALL, ALL)] = float(self.responses)
        breakdowns = sorted({b for _, b in self.tables if b != ALL})
        for (q, breakdown), groups in self.tables.items():
            question = self.questions[q]
            for group, answers in groups.items():
                self._row(question, breakdown, group, answers)
            if breakdown == ALL:
                continue
            names = list(groups)
            if breakdown not in EVERYONE_HAS_ONE:
                self._row(question, breakdown, NO_VALUE, None)
                names.append(NO_VALUE)
            columns = [o.label for o in question.all_options] + ["(base)"] + (["Positive"] if _positive_labels(question) else [])
            for label in columns:
                k.equal({**{self.cell(q, breakdown, g, label): 1.0 for g in names}, self.cell(q, ALL, ALL, label): -1.0})
            k.equal({**{("answered", q, breakdown, g): 1.0 for g in names}, ("answered", q, ALL, ALL): -1.0})
        # Who is asked each question: everyone (when it must be answered, exactly everyone), or those
        # who gave the answers that lead to it. A group missing from a table answered nobody.
        group_names = {b: {g for (q, bb), groups in self.tables.items() if bb == b for g in groups} for b in breakdowns}
        for q, question in self.questions.items():
            if (q, ALL) not in self.tables:
                continue
            for breakdown in [ALL, *breakdowns]:
                groups = [ALL] if breakdown == ALL else sorted(group_names[breakdown]) + ([] if breakdown in EVERYONE_HAS_ONE else [NO_VALUE])
                present = self.tables.get((q, breakdown), {})
                for group in groups:
                    answered = ("answered", q, breakdown, group)
                    if breakdown != ALL and group != NO_VALUE and group not in present:
                        k.known[answered] = 0.0
                    asked = self._asked(question, breakdown, group)
                    if question.optional:
                        k.at_most({answered: 1.0, **{c: -v for c, v in asked.items()}})
                    else:
                        k.equal({answered: 1.0, **{c: -v for c, v in asked.items()}})
        # Group sizes add up to everyone; a group's size is the count of its answer to the question
        # the breakdown comes from.
        for breakdown in breakdowns:
            groups = sorted(group_names[breakdown]) + ([] if breakdown in EVERYONE_HAS_ONE else [NO_VALUE])
            k.equal({**{("size", breakdown, g): 1.0 for g in groups}, ("size", ALL, ALL): -1.0})
            source = _source_question(self.instrument, breakdown)
            if source is not None and (source.key, ALL) in self.tables:
                for group in group_names[breakdown]:
                    if group in {o.label for o in source.all_options}:
                        k.equal({("size", breakdown, group): 1.0, self.cell(source.key, ALL, ALL, group): -1.0})
            if breakdown == "Respondent group":
                for group in group_names[breakdown]:
                    k.equal({("size", breakdown, group): 1.0, ("size", ALL, ALL): -1.0})

    def _asked(self, question: Question, breakdown: str, group: str) -> dict[Any, float]:
        """Who is asked `question` in a group, as counts: its size, or the earlier answers that lead to it."""
        condition = question.show_if
        if condition is None:
            return {("size", breakdown, group): 1.0}
        parent = self.questions[condition.question]
        labels = {o.value: o.label for o in parent.all_options}
        if parent.type == MULTIPLE_CHOICE:  # includes one value: those who ticked it
            return {self.cell(parent.key, breakdown, group, labels[condition.includes]): 1.0}
        return {self.cell(parent.key, breakdown, group, labels[v]): 1.0 for v in condition.values()}

    def pinned(self, only: set | None = None) -> list[tuple[tuple, tuple[float, float]]]:
        """Every hidden count the outsider narrows to 1 to 4, with its range. `only`: the cells worth
        asking about — a test may leave out those whose true count is 0 or 5 and more, which no
        range that holds the truth can pin to 1 to 4 (the answer is the same, found sooner)."""
        found = []
        for cell in self.hidden:
            if only is not None and cell not in only:
                continue
            if self.k.pins_small(cell):
                found.append((cell, self.k.range_of(cell)))
        return found


def attack(instrument: Instrument, rows: list[dict[str, str]], responses: int, only: set | None = None):
    return Attacker(instrument, rows, responses).pinned(only)

