"""Every published number of a survey, disclosure-controlled together.

Each table hides its own small cells (`analysis.metrics.table_mask`). That is not enough: tables share
totals. The number of people with an EHC plan is published as an answer to the support question; so
is how many of them answered each other question, as a base plus its non-answers. An outsider who
subtracts one from the other gets a hidden "Don't know" back. So, after each table has done its own
part, everything the survey publishes is written down as linear facts an outsider knows:

- in each row, the opinion options add up to the base, the positive options to the positive count,
  and (single choice) the base plus the non-answers to the number in the group who answered;
  for multiple choice every option is at most the base and together at least the base;
- in a breakdown, each column over the groups plus the people with no value for the breakdown
  (hidden) adds up to the all-respondents figure;
- the number in a group who answered a question is at most the group's size, and equal to it when
  everyone in the group answered (as for a question everyone is asked); a group's size is the
  all-respondents count of its answer to the question the breakdown comes from; the groups with those
  with no value add up to everyone, whose number is published.

Then linear programming works out the least and most each hidden small count (1 to 4) can be; while
one is pinned between 1 and 4, another cell tied to it is hidden (the smallest in its row first, then
its row's base, then the same answer in the other groups and overall). Hiding more never narrows any
range, so one pass over the small cells settles it. Officers' full figures do not come through here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from analysis.disclosure import LinearKnowledge, is_low
from analysis.loading import BREAKDOWNS, MAIN_NEED_KEY, SUPPORT_LEVEL_KEY, SurveyData, age_band_key
from analysis.disclosure import MIN_GROUP
import analysis.metrics as metrics
from analysis.metrics import ALL, POSITIVE, Figures, QuestionTable, figures_from, question_table, table_mask

DEBUG = False
MISSING = "__no value__"
MOST_CHECKS = 1500  # checks (each a few milliseconds) before a survey's breakdowns are withheld instead


class TooTangled(Exception):
    """Protecting the breakdowns would take too many checks."""  # the hidden row of people with no value for a breakdown
TableKey = tuple[str, "str | None"]


def breakdown_columns(data: SurveyData) -> list[str]:
    """The breakdowns every published table is also shown by (those the data has values for)."""
    return [by for by in BREAKDOWNS if by in data.respondents.columns and data.respondents[by].notna().any()]


def _source_question(data: SurveyData, by: str) -> str | None:
    """The question whose answer puts a respondent in a group of `by`, when there is one."""
    key = {"support_level": SUPPORT_LEVEL_KEY, "main_need": MAIN_NEED_KEY, "age_band": age_band_key(data.instrument)}.get(by)
    return key if key in data.questions else None


class SurveyDisclosure:
    """The tables of one survey, their hidden cells, and what an outsider knows about them."""

    def __init__(self, data: SurveyData, with_breakdowns: bool = True):
        self.data = data
        self.with_breakdowns = with_breakdowns
        self.kinds = {by: self._kind_of(by) for by in breakdown_columns(data)} if with_breakdowns else {}
        self.tables: dict[TableKey, QuestionTable] = {}  # the tables the facts are written for
        self.other_tables: dict[TableKey, QuestionTable] = {}  # copies of the overall ones, and withheld
        for question in data.closed_questions:
            self.tables[(question.key, None)] = question_table(data, question.key)
        for by, kind in self.kinds.items():
            for question in data.closed_questions:
                (self.tables if kind == "model" else self.other_tables)[(question.key, by)] = question_table(data, question.key, by)
        self.masks = {key: table_mask(table) for key, table in self.tables.items()}
        self.knowledge = LinearKnowledge()
        self.checks_left: int | None = None
        self.breakdowns_withheld = False
        self.shown_as_given_away: set[tuple[TableKey, int, str]] = set()  # never hidden again
        self._write_down_facts()

    def _kind_of(self, by: str) -> str:
        """How a breakdown is published: "same" as the overall figures (one group, everyone in it:
        the respondent group of a survey for one audience), "withhold" (fewer than two groups of
        `MIN_GROUP` or more, so it could only show one group's figures next to the overall ones, and
        hiding it costs nothing but a long search), or "model" (written down and protected)."""
        column = self.data.respondents[by]
        counts = [int(n) for n in column.value_counts(dropna=True) if n]
        if len(counts) == 1 and not column.isna().any():
            return "same"
        return "model" if sum(1 for n in counts if n >= MIN_GROUP) >= 2 else "withhold"

    @property
    def breakdowns(self) -> list[str]:
        """The breakdowns whose facts are written down and protected."""
        return [by for by, kind in self.kinds.items() if kind == "model"]

    # -- cells ---------------------------------------------------------------------------------------
    @staticmethod
    def cell(key: TableKey, group: str, column: str) -> tuple:
        return ("count", key[0], key[1], group, column)

    def _columns(self, table: QuestionTable) -> list[str]:
        return [*table.opinion, *table.specials, *([POSITIVE] if table.good else []), "_base"]

    def _row_facts(self, key: TableKey, table: QuestionTable, group: str) -> None:
        k = self.knowledge
        cell = lambda column: self.cell(key, group, column)  # noqa: E731
        answered = ("answered", key[0], key[1], group)
        if not table.multiple:
            k.equal({**{cell(v): 1.0 for v in table.opinion}, cell("_base"): -1.0})
        if table.good:
            k.equal({**{cell(v): 1.0 for v in table.opinion if v in table.good}, cell(POSITIVE): -1.0})
        if table.multiple:
            for value in [*table.opinion, *table.specials]:
                k.at_most({cell(value): 1.0, cell("_base"): -1.0})
            k.at_most({cell("_base"): 1.0, **{cell(v): -1.0 for v in [*table.opinion, *table.specials]}})
            k.equal({answered: 1.0, cell("_base"): -1.0})
        else:
            k.equal({cell("_base"): 1.0, **{cell(v): 1.0 for v in table.specials}, answered: -1.0})

    def _group_sizes(self, by: str | None) -> dict[str, int]:
        respondents = self.data.respondents
        if by is None:
            return {ALL: len(respondents)}
        column = respondents[by]
        sizes = {str(g): int(n) for g, n in column.value_counts(dropna=True).items() if n}
        sizes[MISSING] = int(column.isna().sum())
        return sizes

    def _write_down_facts(self) -> None:
        k = self.knowledge
        k.known[("size", None, ALL)] = float(len(self.data))  # the number of responses is published
        for key, table in self.tables.items():
            question, by = key
            values = table.matrix.to_numpy()
            index_of = table.index_of
            sizes = self._group_sizes(by)
            groups = [str(g) for g in table.matrix.index]
            for i, group in enumerate(groups):
                self._row_facts(key, table, group)
                for column in self._columns(table):
                    if not self.masks[key][i, index_of[column]]:
                        k.known[self.cell(key, group, column)] = float(values[i, index_of[column]])
            # The people with no value for the breakdown are a hidden row of their own (none when
            # everyone has one, as everyone has a version: outsiders can tell from the group sizes).
            with_missing = [*groups, MISSING] if by is not None and sizes[MISSING] else groups
            if by is not None:
                if sizes[MISSING]:
                    self._row_facts(key, table, MISSING)
                overall = (question, None)
                for column in [*self._columns(table), "answered"]:
                    cell = (lambda g: ("answered", question, by, g)) if column == "answered" else (lambda g: self.cell(key, g, column))
                    total = ("answered", question, None, ALL) if column == "answered" else self.cell(overall, ALL, column)
                    k.equal({**{cell(g): 1.0 for g in with_missing}, total: -1.0})
            answered = dict(zip(groups, table.answered.astype(int)))
            if by is not None and sizes[MISSING]:
                answered[MISSING] = int(self._missing_answered(table))
            for group, n in answered.items():
                asked, everyone = self._asked(table, by, group, sizes)
                terms = {("answered", question, by, group): 1.0, **{c: -v for c, v in asked.items()}}
                (k.equal if n == everyone else k.at_most)(terms)
        for by in self.breakdowns:
            sizes = {g: n for g, n in self._group_sizes(by).items() if g != MISSING or n}
            k.equal({**{("size", by, g): 1.0 for g in sizes}, ("size", None, ALL): -1.0})
            source = _source_question(self.data, by)
            if source is not None and (source, None) in self.tables:
                for group in sizes:
                    if group != MISSING and group in self.tables[(source, None)].matrix.columns:
                        k.equal({("size", by, group): 1.0, self.cell((source, None), ALL, group): -1.0})

    def _asked(self, table: QuestionTable, by: str | None, group: str, sizes: dict[str, int]) -> tuple[dict, int]:
        """Who in a group is asked the table's question, as counts, and how many they are: the
        group's size, or (a question asked only after some answers) the counts of those answers."""
        condition = table.question.show_if
        parent = self.tables.get((condition.question, by)) if condition is not None else None
        if parent is None:
            return {("size", by, group): 1.0}, sizes.get(group, 0)
        values = [v for v in condition.values() if v in parent.matrix.columns]
        if group == MISSING:
            overall = self.tables[(condition.question, None)]
            count = int(sum(overall.matrix[v].sum() - parent.matrix[v].sum() for v in values))
        else:
            count = int(sum(parent.matrix.loc[group, v] for v in values)) if group in parent.matrix.index else 0
        return {self.cell((condition.question, by), group, v): 1.0 for v in values}, count

    def _missing_answered(self, table: QuestionTable) -> int:
        """How many people with no value for the table's breakdown answered its question."""
        overall = self.tables[(table.question.key, None)]
        return int(overall.answered.sum() - table.answered.sum())

    # -- protecting the small cells ------------------------------------------------------------------
    def small_hidden_cells(self) -> Iterator[tuple]:
        for key, table in self.tables.items():
            values, index_of = table.matrix.to_numpy(), table.index_of
            for i, group in enumerate(table.matrix.index):
                for column, _ in table.shown_columns:
                    j = index_of[column]
                    if self.masks[key][i, j] and is_low(values[i, j]):
                        yield (key, i, str(group), column)

    def _hide(self, key: TableKey, row: int, column: str) -> list[tuple[TableKey, int, str, float]]:
        """Hide a cell (a base hides its whole row); returns what was hidden, to put back if not needed."""
        table = self.tables[key]
        group = str(table.matrix.index[row])
        columns = self._columns(table) if column == "_base" else [column]
        hidden = []
        for name in columns:  # without its base a row's percentages would give its counts away
            j = table.index_of[name]
            if not self.masks[key][row, j]:
                self.masks[key][row, j] = True
                hidden.append((key, row, name, self.knowledge.forget(self.cell(key, group, name))))
        return hidden

    def _unhide(self, hidden: list[tuple[TableKey, int, str, float]]) -> None:
        for key, row, name, value in hidden:
            table = self.tables[key]
            self.masks[key][row, table.index_of[name]] = False
            self.knowledge.learn(self.cell(key, str(table.matrix.index[row]), name), value)

    def _candidates(self, key: TableKey, row: int, column: str) -> list[tuple[TableKey, int, str]]:
        """Cells to hide to protect one, cheapest first: a non-answer in its row (a hidden 0 is
        enough to leave it between 0 and its total), its row's other cells, its row's base, then the
        same answer in the other groups and overall, then their bases. When subtraction gives it
        away, the published counts that subtraction uses come first (breakdowns before overall figures)."""
        table = self.tables[key]
        sources = []
        for cell in self.knowledge.given_away_by(self.cell(key, str(table.matrix.index[row]), column)):
            if cell[0] == "count" and (cell[1], cell[2]) in self.tables:
                source = self.tables[(cell[1], cell[2])]
                sources.append(((cell[1], cell[2]), list(map(str, source.matrix.index)).index(cell[3]), cell[4]))
        sources.sort(key=lambda kic: (kic[0][1] is None, kic[2] == "_base", str(kic)))
        return sources + [c for c in self._standard_candidates(key, row, column) if c not in sources]

    def _standard_candidates(self, key: TableKey, row: int, column: str) -> list[tuple[TableKey, int, str]]:
        table = self.tables[key]
        index_of, mask = table.index_of, self.masks[key]

        def order(columns, i=row, t=table):
            return sorted(columns, key=lambda c: (t.matrix.iat[i, t.index_of[c]], c))

        open_ = [c for c, _ in table.shown_columns if c != column and not mask[row, index_of[c]]]
        specials = [c for c in open_ if c in table.specials]
        found = [(key, row, c) for c in order(specials) + order([c for c in open_ if c not in specials])]
        found.append((key, row, "_base"))
        question = key[0]
        others = [(k, i) for k in [(question, b) for b in [None, *self.breakdowns]]
                  if k in self.tables for i in range(len(self.tables[k].matrix)) if (k, i) != (key, row)]
        others.sort(key=lambda ki: (self.tables[ki[0]].matrix.iloc[ki[1]][column], str(ki)))
        found += [(k, i, column) for k, i in others] + [(k, i, "_base") for k, i in others]
        # Rarely, more is needed: every cell of the question's tables (a hidden 0 costs least) ...
        mine = [(k, t) for k, t in self.tables.items() if k[0] == question]
        found += sorted(((k, i, c) for k, t in mine for i in range(len(t.matrix)) for c, _ in t.shown_columns),
                        key=lambda kic: (self.tables[kic[0]].matrix.iat[kic[1], self.tables[kic[0]].index_of[kic[2]]], str(kic)))
        # ... then the same group in other questions' tables of the breakdown (a group's size is also
        # the count of its answer to the question the breakdown comes from) ...
        groups = [(key[1], str(table.matrix.index[row]))] if key[1] is not None else []
        groups += [(by, column) for by in self.breakdowns if _source_question(self.data, by) == question]
        for by, group in groups:
            found += [(k, list(t.matrix.index).index(group), "_base") for k, t in self.tables.items()
                      if k[1] == by and group in t.matrix.index]
        # ... and last any other row, the overall figures after every breakdown.
        found += sorted(((k, i, "_base") for k, t in self.tables.items() for i in range(len(t.matrix))),
                        key=lambda kic: (kic[0][1] is None, str(kic)))
        return [(k, i, c) for k, i, c in found if not self.masks[k][i, self.tables[k].index_of[c]]]

    def _range(self, key: TableKey, group: str, column: str) -> tuple[float, float]:
        return self.knowledge.range_of(self.cell(key, group, column))

    def _pins(self, key: TableKey, group: str, column: str) -> bool:
        if self.checks_left is not None:
            if self.checks_left <= 0:
                raise TooTangled()
            self.checks_left -= 1
        return self.knowledge.pins_small(self.cell(key, group, column))

    def _show_given_away_non_answers(self) -> int:
        """Show each small non-answer count that the published totals give away exactly, whatever else
        in its row is hidden: the number who answered minus the base is the non-answers' total, so
        with a single kind of non-answer hiding it protects nobody (hiding the base would take the
        row's figures away for nothing). With several kinds, another (a 0 will do) is hidden with it,
        here or, in `protect`, wherever the subtraction needs it."""
        shown = 0
        changed = True
        while changed:
            changed = False
            small = [c for c in self.small_hidden_cells() if c[3] in self.tables[c[0]].specials]
            pinned = self.knowledge.pinned_small([self.cell(key, group, column) for key, _, group, column in small])
            for key, row, group, column in small:
                table = self.tables[key]
                if self.cell(key, group, column) not in pinned or not self._pins(key, group, column):
                    continue
                freed = False
                for candidate in [c for c in self._candidates(key, row, column) if c[:2] == (key, row) and c[2] in table.specials]:
                    hidden = self._hide(*candidate)
                    if not self._pins(key, group, column):
                        freed = True
                        break
                    self._unhide(hidden)
                if freed or len(table.specials) != 1:
                    continue  # with several kinds the main pass hides more (a 0 elsewhere in the column)
                low, high = self._range(key, group, column)
                if low == high:
                    self.shown_as_given_away.add((key, row, column))
                    self.masks[key][row, table.index_of[column]] = False
                    self.knowledge.learn(self.cell(key, group, column), low)
                    shown += 1
                    changed = True
        return shown

    def protect(self, tries: int = 12, most_checks: int | None = None) -> int:
        """Hide more cells until no small count can be worked out; returns how many were added.
        For each small count still pinned, the first of its candidates that frees it on its own is
        hidden (trying up to `tries`); when none does, the first is hidden and the search goes on.
        A survey whose breakdowns are so tangled with small groups that this takes more than
        `most_checks` (default `MOST_CHECKS`) checks publishes its overall figures only (every breakdown hidden), protected
        the same way: a bounded cost for the public pages, and nothing given away."""
        self.checks_left = MOST_CHECKS if most_checks is None else most_checks
        try:
            return self._protect(tries)
        except TooTangled:
            self.checks_left = None
            self._withhold_breakdowns()
            return 0

    def _withhold_breakdowns(self) -> None:
        """Hide every breakdown and protect the overall figures on their own."""
        overall = SurveyDisclosure(self.data, with_breakdowns=False)
        try:
            overall._protect(12, rounds=10)
        except TooTangled:  # never seen; publish nothing of the survey rather than risk a count
            overall.masks = {key: np.ones(table.matrix.shape, dtype=bool) for key, table in overall.tables.items()}
        self.breakdowns_withheld = True
        self.knowledge = overall.knowledge
        for key, table in self.tables.items():
            self.masks[key] = overall.masks[key] if key[1] is None else np.ones(table.matrix.shape, dtype=bool)

    def _protect(self, tries: int, rounds: int = 3) -> int:
        """The reveal pass, then the hiding pass; a count the hiding pass hid again although anyone
        can work it out exactly (it was shown as given away, then hidden with a base) is shown once
        more, and the hiding pass runs again for what that narrows — a few rounds, then (too tangled)
        the breakdowns are withheld."""
        self._show_given_away_non_answers()
        added = 0
        for _ in range(rounds):
            added += self._hide_until_free(tries)
            again = [(key, row, group, column) for key, row, group, column in self.small_hidden_cells()
                     if (key, row, column) in self.shown_as_given_away and self._pins(key, group, column)]
            if not again:
                return added
            for key, row, group, column in again:
                low, high = self._range(key, group, column)
                if low == high:
                    self.masks[key][row, self.tables[key].index_of[column]] = False
                    self.knowledge.learn(self.cell(key, group, column), low)
        raise TooTangled()

    def _hide_until_free(self, tries: int) -> int:
        added = 0
        small = list(self.small_hidden_cells())
        pinned = self.knowledge.pinned_small([self.cell(key, group, column) for key, _, group, column in small])
        for key, row, group, column in small:
            if self.cell(key, group, column) not in pinned:
                continue  # hiding more never narrows a range, so it stays free
            tries_left = tries
            while self._pins(key, group, column):
                candidates = self._candidates(key, row, column)
                if not candidates:
                    raise RuntimeError("nothing left to hide")  # cannot happen: hiding everything frees it
                for candidate in candidates[:tries_left]:
                    hidden = self._hide(*candidate)
                    if not self._pins(key, group, column):
                        added += len(hidden)
                        break
                    self._unhide(hidden)
                else:  # no one cell frees it: hide the cheapest and look again, one at a time from now on
                    if DEBUG:
                        print("more needed for", (key, group, column), "hiding", candidates[0])
                    added += len(self._hide(*candidates[0]))
                    tries_left = 1
        return added

    def figures(self) -> "PublishedFigures":
        return PublishedFigures(self)

    def mask_of(self, key: TableKey) -> np.ndarray:
        """The cells of one table that are published hidden."""
        if key in self.tables:
            return self.masks[key]
        if self.kinds[key[1]] == "same":  # the same counts as the overall row: the same cells hidden
            return self.masks[(key[0], None)].copy()
        return np.ones(self.other_tables[key].matrix.shape, dtype=bool)

    def leaks(self) -> list[tuple[tuple, tuple[float, float]]]:
        """Small hidden counts that the published figures pin between 1 and 4 (none after `protect`)."""
        cells = [self.cell(key, group, column) for key, _, group, column in self.small_hidden_cells()]
        pinned = self.knowledge.pinned_small(cells)
        return [(cell, self.knowledge.range_of(cell)) for cell in cells if cell in pinned]


class PublishedFigures(Mapping):
    """Every published table's figures, each turned into rows when first asked for: which cells are
    hidden is decided for all of them together beforehand, so asking for one table shows the
    same as working them all out (a results page shows a few dozen of the hundred or more)."""

    def __init__(self, disclosure: SurveyDisclosure):
        self._disclosure = disclosure
        self._keys = [*disclosure.tables, *disclosure.other_tables]
        self._made: dict[TableKey, Figures] = {}

    def __getitem__(self, key: TableKey) -> Figures:
        if key not in self._made:
            disclosure = self._disclosure
            table = disclosure.tables[key] if key in disclosure.tables else disclosure.other_tables[key]  # KeyError otherwise
            self._made[key] = figures_from(disclosure.data, table, disclosure.mask_of(key))
        return self._made[key]

    def __iter__(self) -> Iterator[TableKey]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def published_figures(data: SurveyData) -> Mapping[TableKey, Figures]:
    """Every table the survey publishes — each closed question overall and by every breakdown —
    with the hidden cells chosen together. Worked out once per loaded data."""
    found: dict[TableKey, Figures] | None = data.derived.get("published_figures")
    if found is None:
        disclosure = SurveyDisclosure(data)
        disclosure.protect()
        found = disclosure.figures()
        data.derived["published_figures"] = found
    return found


def published_disclosure(data: SurveyData) -> SurveyDisclosure:
    """The disclosure state behind `published_figures` (for audits and tests)."""
    disclosure = SurveyDisclosure(data)
    disclosure.protect()
    return disclosure


metrics.survey_wide_figures = published_figures  # question_figures(full=False) gives these
