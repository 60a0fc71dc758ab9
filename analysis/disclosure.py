"""Disclosure control for published and exported aggregates.

Rules (DESIGN.md, "Quality bars"): a group with fewer than 10 respondents in the base is suppressed
whole; any count from 1 to 4 is suppressed (primary suppression); then more cells are suppressed
(secondary suppression) until no suppressed cell can be worked out from the totals that are shown.

A table is a matrix of counts (one row per group) with one column holding each row's base. The
totals an outsider can see are given as *constraints*: sets of cells whose sum (or another linear
relation between them) is known — a row's options add up to its base, a column adds up to the
all-respondents figure, the "positive" share adds up its scale points. A constraint with exactly one
suppressed cell gives that cell away, so the smallest other cell in it is suppressed too (a non-zero
one when there is one), and so on until every constraint has none or at least two suppressed cells.
Suppressing a base hides its whole row.

Officers in the workspace may see full figures: the callers pass `full=True`, nothing is
suppressed, and the result carries `FULL_FIGURES_WARNING`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable, Sequence

import numpy as np

MIN_GROUP = 10  # a group (row) whose base is smaller than this is suppressed whole
LOW_COUNTS = (1, 4)  # counts in this range (inclusive) are suppressed
FULL_FIGURES_WARNING = (
    "Full figures: small numbers are not hidden, so some children and families could be identified. "
    "For officers only: do not publish, export or share these figures."
)
SUPPRESSED_LABEL = "[c]"  # how a suppressed cell is shown (the ONS convention: "confidential")


def is_low(count: float, low: tuple[int, int] = LOW_COUNTS) -> bool:
    return low[0] <= count <= low[1]


def suppression_mask(
    matrix: np.ndarray,
    base_column: int,
    constraints: Iterable[Sequence[tuple[int, int]]],
    min_group: int = MIN_GROUP,
    low: tuple[int, int] = LOW_COUNTS,
    exempt_columns: Iterable[int] = (),
) -> np.ndarray:
    """Which cells of `matrix` to suppress (True = hide).

    `matrix` holds counts, one row per group; column `base_column` holds each row's base.
    `constraints` are sets of (row, column) cells whose combination can be worked out from what is
    published. `exempt_columns` are never primary-suppressed for being small (the base column
    always is exempt: small bases are handled by `min_group`).
    """
    values = np.asarray(matrix, dtype=float)
    rows, cols = values.shape
    exempt = set(exempt_columns) | {base_column}
    mask = np.zeros((rows, cols), dtype=bool)
    small_group = (values[:, base_column] > 0) & (values[:, base_column] < min_group)
    mask[small_group, :] = True
    for j in range(cols):
        if j not in exempt:
            mask[:, j] |= (values[:, j] >= low[0]) & (values[:, j] <= low[1])
    sets = [tuple(c) for c in constraints if len(c) > 1]

    def hide(i: int, j: int) -> None:
        mask[i, j] = True
        if j == base_column:  # without its base a row's percentages would give its counts away
            mask[i, :] = True

    def settle(constraint_sets) -> None:
        """Apply the one-hidden-cell rule until nothing changes."""
        changed = True
        while changed:
            changed = False
            for cells in constraint_sets:
                hidden = [c for c in cells if mask[c]]
                if len(hidden) != 1:
                    continue
                open_cells = [c for c in cells if not mask[c]]
                if not open_cells:
                    continue
                # The smallest other cell costs the least information; prefer one with people in it.
                nonzero = [c for c in open_cells if values[c] > 0]
                pick = min(nonzero or open_cells, key=lambda c: (values[c], c))
                hide(*pick)
                changed = True

    # Whole groups first (a small group, then the next smallest so the group bases cannot give it
    # away), so that cells are not hidden one by one where hiding a whole group does it.
    base_sets = [c for c in sets if all(j == base_column for _, j in c)]
    settle(base_sets)
    settle(sets)
    return mask


def table_constraints(
    rows: int,
    option_columns: Sequence[int],
    base_column: int,
    exclusive_options: bool,
    positive: tuple[Sequence[int], Sequence[int], int, int] | None = None,
    other_columns: Sequence[int] = (),
    column_totals: bool = True,
) -> list[list[tuple[int, int]]]:
    """The constraints of a question table laid out as [options | other | positive | not positive | base].

    - each row's options add up to its base, when each respondent picks exactly one option, and its
      options with the non-answers add up to the number of people in the group who answered (which
      other tables give away: the group's size, or another question everyone in it answered);
    - `positive` = (positive option columns, other option columns, positive column, not-positive
      column): the positive share adds up its options, the rest adds up the others, and the two add
      up to the base;
    - with `column_totals`, every column adds up over the groups to the all-respondents figure.
    """
    constraints: list[list[tuple[int, int]]] = []
    for i in range(rows):
        if exclusive_options:
            constraints.append([(i, j) for j in option_columns])
            if other_columns:
                constraints.append([(i, j) for j in [*option_columns, *other_columns]])
        if positive is not None:
            good, rest, good_col, rest_col = positive
            constraints.append([(i, j) for j in good] + [(i, good_col)])
            constraints.append([(i, j) for j in rest] + [(i, rest_col)])
            constraints.append([(i, good_col), (i, rest_col)])
    if column_totals and rows > 1:
        columns = [*option_columns, *other_columns, base_column]
        if positive is not None:
            columns += [positive[2], positive[3]]
        for j in columns:
            constraints.append([(i, j) for i in range(rows)])
    return constraints


# -- What an outsider can work out from everything published -----------------------------------------

Cell = Hashable


def is_pinned_small(low_bound: float, high_bound: float, low: tuple[int, int] = LOW_COUNTS) -> bool:
    """Whether a count known only to lie between the bounds is known to be a small count (1 to 4):
    a whole number at least `low_bound` and at most `high_bound` can only be 1 to 4."""
    return math.ceil(low_bound - 1e-6) >= low[0] and math.floor(high_bound + 1e-6) <= low[1]


@dataclass
class LinearKnowledge:
    """Counts an outsider knows (`known`) and linear facts about the ones they do not: equalities
    (`sum(coefficient * count) == total`) and upper limits (`sum(...) <= total`). Every count is at
    least 0. `ranges` works out the least and the most each unknown count can be — what an attacker
    with all the published figures could narrow it down to: first by subtraction (a fact with one
    unknown left gives it), then by linear programming (HiGHS, as statistical agencies' audit tools
    do) over the counts tied to it."""

    known: dict[Cell, float] = field(default_factory=dict)
    equalities: list[tuple[dict[Cell, float], float]] = field(default_factory=list)
    upper_limits: list[tuple[dict[Cell, float], float]] = field(default_factory=list)
    _facts_of: dict[Cell, list[int]] | None = field(default=None, repr=False)
    _derived: tuple[tuple, dict[Cell, float]] | None = field(default=None, repr=False)
    _because: dict[Cell, int] = field(default_factory=dict, repr=False)  # the fact each count was worked out from
    # Solutions met on the way (values of counts not known; the rest are their known values). Hiding
    # more keeps each one a solution; learning a count keeps only those that agree with it.
    _witnesses: list[dict[Cell, float]] = field(default_factory=list, repr=False)

    def learn(self, cell: Cell, value: float) -> None:
        """The outsider now knows this count (it is published)."""
        self.known[cell] = float(value)
        self._witnesses = [w for w in self._witnesses if cell not in w or abs(w[cell] - value) < 1e-7]

    def _freed_by_witness(self, cell: Cell, low: tuple[int, int]) -> bool:
        for witness in self._witnesses:
            value = witness.get(cell)
            if value is not None and (value <= 1e-7 or value >= low[1] + 1 - 1e-7):
                return True
        return False

    def _keep(self, variables: list[Cell], x: np.ndarray) -> None:
        self._witnesses.append(dict(zip(variables, map(float, x))))
        del self._witnesses[:-200]  # the newest are the most useful

    def forget(self, cell: Cell) -> float | None:
        """The count is no longer published; returns the value it had."""
        return self.known.pop(cell, None)

    def equal(self, terms: dict[Cell, float], total: float = 0.0) -> None:
        self.equalities.append((terms, float(total)))
        self._facts_of = None

    def at_most(self, terms: dict[Cell, float], total: float = 0.0) -> None:
        self.upper_limits.append((terms, float(total)))
        self._facts_of = None

    def _fact(self, number: int) -> tuple[bool, dict[Cell, float], float]:
        """Fact `number`: (is an equality, terms, total); equalities come first."""
        if number < len(self.equalities):
            return (True, *self.equalities[number])
        return (False, *self.upper_limits[number - len(self.equalities)])

    def _index(self) -> dict[Cell, list[int]]:
        if self._facts_of is None:
            index: dict[Cell, list[int]] = {}
            for number in range(len(self.equalities) + len(self.upper_limits)):
                for cell in self._fact(number)[1]:
                    index.setdefault(cell, []).append(number)
            self._facts_of = index
        return self._facts_of

    def _values(self) -> dict[Cell, float]:
        """Every count the outsider knows or gets by subtraction: a fact with one unknown left gives
        it, which may leave another fact with one unknown, and so on (worked out again only when
        `known` has changed)."""
        state = (len(self.known), hash(frozenset(self.known.items())), len(self.equalities))
        if self._derived is not None and self._derived[0] == state:
            return self._derived[1]
        index, values = self._index(), dict(self.known)
        self._because = {}
        unknown = [sum(1 for c in terms if c not in values) for terms, _ in self.equalities]
        queue = [n for n, count in enumerate(unknown) if count == 1]
        while queue:
            number = queue.pop()
            terms, total = self.equalities[number]
            free = [c for c in terms if c not in values]
            if len(free) != 1:
                continue
            cell = free[0]
            values[cell] = (total - sum(v * values[c] for c, v in terms.items() if c != cell)) / terms[cell]
            self._because[cell] = number
            for other in index.get(cell, ()):
                if other < len(self.equalities):
                    unknown[other] -= 1
                    if unknown[other] == 1:
                        queue.append(other)
        self._derived = (state, values)
        return values

    def given_away_by(self, cell: Cell) -> list[Cell]:
        """The published counts a count worked out by subtraction comes from (empty when it is not)."""
        values = self._values()
        if cell not in values or cell in self.known:
            return []
        found, seen, stack = [], {cell}, [cell]
        while stack:
            for other in self.equalities[self._because[stack.pop()]][0]:
                if other in seen:
                    continue
                seen.add(other)
                if other in self.known:
                    found.append(other)
                elif other in self._because:
                    stack.append(other)
        return found

    def _component(self, cell: Cell, values: dict[Cell, float]) -> list[int]:
        """The facts tying `cell` to other counts nobody can work out by subtraction."""
        index, facts, seen, stack = self._index(), set(), {cell}, [cell]
        while stack:
            for number in index.get(stack.pop(), ()):
                if number in facts:
                    continue
                facts.add(number)
                for other in self._fact(number)[1]:
                    if other not in seen and other not in values:
                        seen.add(other)
                        stack.append(other)
        return sorted(facts)

    def _reduce(self, numbers: list[int], values: dict[Cell, float]) -> tuple[list, list]:
        """The facts with the counts worked out moved to their totals."""
        equalities, limits = [], []
        for number in numbers:
            is_equality, terms, total = self._fact(number)
            free: dict[Cell, float] = {}
            for cell, coefficient in terms.items():
                if cell in values:
                    total -= coefficient * values[cell]
                else:
                    free[cell] = free.get(cell, 0.0) + coefficient
            free = {c: v for c, v in free.items() if v}
            if free:
                (equalities if is_equality else limits).append((free, total))
        return equalities, limits

    def _system(self, equalities, limits) -> tuple[list[Cell], dict[str, Any]]:
        from scipy.sparse import coo_matrix

        variables: list[Cell] = []
        position: dict[Cell, int] = {}
        for terms, _ in equalities + limits:
            for cell in terms:
                if cell not in position:
                    position[cell] = len(variables)
                    variables.append(cell)

        def matrix(constraints):
            rows, cols, data = [], [], []
            for r, (terms, _) in enumerate(constraints):
                for cell, coefficient in terms.items():
                    rows.append(r)
                    cols.append(position[cell])
                    data.append(coefficient)
            shape = (len(constraints), len(variables))
            return coo_matrix((data, (rows, cols)), shape=shape).tocsr(), np.array([t for _, t in constraints], dtype=float)

        system: dict[str, Any] = {}
        if equalities:
            system["A_eq"], system["b_eq"] = matrix(equalities)
        if limits:
            system["A_ub"], system["b_ub"] = matrix(limits)
        return variables, system

    def _solved(self, cell: Cell):
        values = self._values()
        if cell in values:
            return values[cell], None, None
        variables, system = self._system(*self._reduce(self._component(cell, values), values))
        return None, variables, system

    def range_of(self, cell: Cell) -> tuple[float, float]:
        """The least and most an unknown count can be (a known one is its value). Raises
        `ValueError` when the facts contradict each other (a mistake in what was written down)."""
        from scipy.optimize import linprog

        if cell in self.known:
            return self.known[cell], self.known[cell]
        exact, variables, system = self._solved(cell)
        if exact is not None:
            return exact, exact
        if cell not in (variables or []):  # nothing ties it to anything
            return 0.0, math.inf
        objective = np.zeros(len(variables))
        objective[variables.index(cell)] = 1.0
        bounds = []
        for sign in (1.0, -1.0):
            answer = linprog(sign * objective, bounds=(0, None), method="highs", **system)
            if answer.status == 2:
                raise ValueError("the published figures contradict the facts written down about them")
            bounds.append(math.inf if answer.status == 3 else sign * answer.fun)
        return max(0.0, bounds[0]), bounds[1]

    def ranges(self, cells: Iterable[Cell]) -> dict[Cell, tuple[float, float]]:
        return {cell: self.range_of(cell) for cell in cells}

    def pinned_small(self, cells: Iterable[Cell], low: tuple[int, int] = LOW_COUNTS) -> set[Cell]:
        """Which of `cells` the facts pin between low[0] and low[1] (`pins_small` for many at once).
        Each group of tied counts is set up once, and every solution found on the way is kept as a
        witness: a cell that is 0 (or more than low[1]) in a solution that meets every fact is free
        without solving anything more. A first solution with as many zeros as it can have (the least
        total) frees most cells at once."""
        cells = list(cells)
        values = self._values()
        systems: dict[Cell, tuple[list[Cell], dict[str, Any], list[np.ndarray]]] = {}
        pinned = set()
        for cell in cells:
            if cell in values:
                if is_pinned_small(values[cell], values[cell], low):
                    pinned.add(cell)
                continue
            if cell not in systems:
                variables, system = self._system(*self._reduce(self._component(cell, values), values))
                entry = (variables, system, self._sparse_solutions(variables, system, cells))
                for x in entry[2]:
                    self._keep(variables, x)
                for variable in variables:
                    systems[variable] = entry
                if cell not in systems:  # nothing ties it to anything
                    continue
            variables, system, witnesses = systems[cell]
            at = variables.index(cell)
            if any(x[at] <= 1e-7 or x[at] >= low[1] + 1 - 1e-7 for x in witnesses):
                continue
            found = self._outside_solution(at, variables, system, low)
            if found is None:
                pinned.add(cell)
            else:
                witnesses.append(found)
                self._keep(variables, found)
        return pinned

    @staticmethod
    def _sparse_solutions(variables: list[Cell], system: dict[str, Any], cells: list[Cell]) -> list[np.ndarray]:
        from scipy.optimize import linprog

        if not variables:
            return []
        wanted = set(cells)
        objective = np.array([1.0 if v in wanted else 0.0 for v in variables])
        answer = linprog(objective, bounds=(0, None), method="highs", **system)
        return [answer.x] if answer.status == 0 else []

    @staticmethod
    def _outside_solution(at: int, variables: list[Cell], system: dict[str, Any], low: tuple[int, int]) -> np.ndarray | None:
        """A solution in which count `at` is 0 or more than low[1], or None when there is none."""
        from scipy.optimize import linprog

        for lower, upper in ((0.0, low[0] - 1.0), (low[1] + 1.0, None)):
            bounds = [(0, None)] * len(variables)
            bounds[at] = (lower, upper)
            answer = linprog(np.zeros(len(variables)), bounds=bounds, method="highs", **system)
            if answer.status == 0:
                return answer.x
        return None

    @staticmethod
    def _feasibly_outside(cell: Cell, variables: list[Cell], system: dict[str, Any], low: tuple[int, int]) -> bool:
        """Whether the count can be 0 or more than low[1] (False: it is pinned to low[0]..low[1])."""
        return LinearKnowledge._outside_solution(variables.index(cell), variables, system, low) is not None

    def pins_small(self, cell: Cell, low: tuple[int, int] = LOW_COUNTS) -> bool:
        """Whether the facts pin an unknown count between low[0] and low[1] — the same answer as
        `is_pinned_small(*range_of(cell))`, found with one or two feasibility checks (can it be 0?
        can it be more than low[1]?) instead of two optimisations."""
        if cell in self.known:
            return is_low(self.known[cell], low)
        if self._freed_by_witness(cell, low):
            return False
        exact, variables, system = self._solved(cell)
        if exact is not None:
            return is_pinned_small(exact, exact, low)
        if cell not in (variables or []):
            return False
        found = self._outside_solution(variables.index(cell), variables, system, low)
        if found is None:
            return True
        self._keep(variables, found)
        return False
