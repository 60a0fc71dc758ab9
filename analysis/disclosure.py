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

from typing import Iterable, Sequence

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

    - each row's options add up to its base, when each respondent picks exactly one option;
    - `positive` = (positive option columns, other option columns, positive column, not-positive
      column): the positive share adds up its options, the rest adds up the others, and the two add
      up to the base;
    - with `column_totals`, every column adds up over the groups to the all-respondents figure.
    """
    constraints: list[list[tuple[int, int]]] = []
    for i in range(rows):
        if exclusive_options:
            constraints.append([(i, j) for j in option_columns])
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
