"""The audit behind complementary suppression (see sharing/disclosure.py).

The attacker: anyone who reads every published cell of every release of the period, and
may be a contributor that knows (and subtracts) its own figures — a coalition of one.
It also knows which finest cells did not change between two releases (the strongest
assumption: its unknowns are the finest totals of the current table plus, for each
earlier release, only the finest totals that changed since). Its knowledge is the set of
non-negative tables (each finest total at least its own figure) that add up to every
published cell. Over that set, a linear program (HiGHS) gives the smallest and largest
value of each sensitive quantity:

- a suppressed cell (primary reason): must stay uncertain by `Rules.margin` of what the
  others contributed, above and below;
- a revision since an earlier release made by fewer than `min_contributors` members: the
  change of the cell must stay uncertain by the margin, so that a correction (a late
  report included) never reveals the figures of whoever corrected.

While a quantity is too narrow, the published cell of the current release that binds the
optimum (a non-zero dual value) and holds the smallest figure is suppressed too. Removing
a constraint only widens intervals, so quantities already proved stay proved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from sharing.disclosure import (
    Cell,
    Dimensions,
    EarlierRelease,
    Outcome,
    Reason,
    Rules,
    Table,
    contains,
    per_member,
    primary,
)

_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class _Quantity:
    """A linear function of the unknowns that must stay uncertain."""

    cell: Cell
    objective: dict[int, float]  # unknown -> coefficient
    value: int
    own: dict[str, int]  # each contributor's own part of `value`
    is_cell: bool = True  # a cell is never below zero; a revision may be


class Audit:
    """One release being decided: builds the attacker's programs and suppresses until safe."""

    def __init__(
        self,
        dimensions: Dimensions,
        table: Table,
        rules: Rules,
        earlier: Sequence[EarlierRelease],
    ) -> None:
        self.rules = rules
        self.fines = dimensions.fine_cells()
        self.cells = dimensions.cells()
        self.tables = [*(release.table for release in earlier), table]
        self.fines_of = {
            cell: [i for i, fine in enumerate(self.fines) if contains(cell, fine)]
            for cell in self.cells
        }
        self._number_unknowns()
        self._bound_insiders()
        self.fixed_rows = [
            (self._row(version, cell), value)
            for version, release in enumerate(earlier)
            for cell, value in release.published.items()
        ]
        fixed = {row for row, _ in self.fixed_rows}
        self.figures = {cell: per_member(table, self._fines(cell)) for cell in self.cells}
        self.values = {cell: sum(figures.values()) for cell, figures in self.figures.items()}
        self.locked = {cell for cell in self.cells if self._row(self.current, cell) in fixed}
        self.reasons: dict[Cell, Reason] = {}
        for cell in self.cells:
            reason = primary(rules, self.figures[cell])
            if reason is not None:
                self.reasons[cell] = reason
        self.published = {c for c in self.cells if c not in self.reasons and c not in self.locked}
        self.unprotected: list[Cell] = []
        self._cached: tuple[int, tuple[csr_matrix, np.ndarray, list[Cell | None]]] | None = None

    @property
    def current(self) -> int:
        return len(self.tables) - 1

    def _fines(self, cell: Cell) -> list[tuple[str, str, str]]:
        return [self.fines[i] for i in self.fines_of[cell]]

    def _number_unknowns(self) -> None:
        # The current table has one unknown per finest cell; an earlier one shares the
        # unknown of the next release wherever that finest total did not change.
        totals = [[sum(t.get(fine, {}).values()) for fine in self.fines] for t in self.tables]
        count = len(self.fines)
        self.unknown: list[list[int]] = [[] for _ in self.tables]
        self.unknown[self.current] = list(range(count))
        for version in reversed(range(self.current)):
            later = self.unknown[version + 1]
            row = []
            for i, total in enumerate(totals[version]):
                if total == totals[version + 1][i]:
                    row.append(later[i])
                else:
                    row.append(count)
                    count += 1
            self.unknown[version] = row
        self.count = count

    def _bound_insiders(self) -> None:
        self.lower: dict[str, np.ndarray] = {}
        self.lower_all = np.zeros(self.count)
        self.truth = np.zeros(self.count)
        for version, table in enumerate(self.tables):
            for i, fine in enumerate(self.fines):
                self.truth[self.unknown[version][i]] = sum(table.get(fine, {}).values())

        for version, table in enumerate(self.tables):
            for i, fine in enumerate(self.fines):
                for member, value in table.get(fine, {}).items():
                    bounds = self.lower.setdefault(member, np.zeros(self.count))
                    unknown = self.unknown[version][i]
                    bounds[unknown] = max(bounds[unknown], value)
                    self.lower_all[unknown] = max(self.lower_all[unknown], value)

    def _row(self, version: int, cell: Cell) -> tuple[int, ...]:
        return tuple(sorted(self.unknown[version][i] for i in self.fines_of[cell]))

    def quantities(self) -> list[_Quantity]:
        """Every sensitive quantity: suppressed cells, then revisions by too few members."""
        found = []
        for cell, reason in sorted(self.reasons.items()):
            if cell in self.locked or reason is Reason.COMPLEMENTARY:
                continue
            if any(value > 0 for value in self.figures[cell].values()):
                objective = {u: 1.0 for u in self._row(self.current, cell)}
                found.append(_Quantity(cell, objective, self.values[cell], self.figures[cell]))
        for version in range(self.current):
            found.extend(self._revisions(version))
        return found

    def _revisions(self, version: int) -> list[_Quantity]:
        found = []
        for cell in self.cells:
            before = per_member(self.tables[version], self._fines(cell))
            after = self.figures[cell]
            change = {m: after.get(m, 0) - before.get(m, 0) for m in {*before, *after}}
            movers = [m for m, delta in change.items() if delta != 0]
            delta = sum(change.values())
            if delta == 0 or len(movers) >= self.rules.min_contributors:
                continue
            objective: dict[int, float] = {}
            for unknown in self._row(self.current, cell):
                objective[unknown] = objective.get(unknown, 0.0) + 1.0
            for unknown in self._row(version, cell):
                objective[unknown] = objective.get(unknown, 0.0) - 1.0
            objective = {u: c for u, c in objective.items() if c != 0.0}
            if objective:
                found.append(_Quantity(cell, objective, delta, change, is_cell=False))
        return found

    def run(self) -> dict[Cell, Outcome]:
        """Suppress until every sensitive quantity is safe; every cell's outcome."""
        for quantity in self.quantities():
            self._protect(quantity)
        outcomes = {}
        for cell in self.cells:
            reason = self.reasons.get(cell)
            outcomes[cell] = Outcome(None if reason else self.values[cell], reason)
        return outcomes

    def _shiftable(self, quantity: _Quantity, matrix: csr_matrix) -> bool:
        """Whether moving figures between unknowns that lie in exactly the same published
        rows (which changes no published cell) already moves the cell by every attacker's
        margin both ways: a proof without a linear program."""
        labels = _groups(matrix) if matrix.shape[0] else np.zeros(self.count, dtype=int)
        inside = np.zeros(self.count, dtype=bool)
        inside[list(quantity.objective)] = True
        mixed = np.isin(labels, np.unique(labels[inside])) & np.isin(
            labels, np.unique(labels[~inside])
        )
        for attacker in (None, *sorted(self.lower)):
            lower = np.zeros(self.count) if attacker is None else self.lower[attacker]
            room = np.where(mixed, self.truth - lower, 0.0)
            need_up, need_down = self._needs_one_pair(quantity, attacker)
            if need_up is None:
                continue
            if room[~inside].sum() < need_up or room[inside].sum() < need_down:
                return False
        return True

    def _needs_one_pair(
        self, quantity: _Quantity, attacker: str | None
    ) -> tuple[float | None, float]:
        own = 0 if attacker is None else quantity.own.get(attacker, 0)
        if quantity.value == own:
            return None, 0.0
        up = self._needs_one(quantity, own, 1.0) - quantity.value
        down = self._needs_one(quantity, own, -1.0) + quantity.value
        return up, down

    def _needs(self, quantity: _Quantity, sign: float) -> list[float]:
        """What `sign` times the quantity must reach for each attacker to stay uncertain."""
        return [need for need in self._needs_by(quantity, sign) if need is not None]

    def _protect(self, quantity: _Quantity) -> None:
        for _ in range(len(self.cells)):
            binding = self._narrow(quantity)
            if binding is None:
                return
            chosen = self._choose(binding, quantity)
            if chosen is None:
                # Nothing left to suppress in this release (earlier releases pin it).
                self.unprotected.append(quantity.cell)
                return
            self.published.discard(chosen)
            self.reasons[chosen] = Reason.COMPLEMENTARY

    def _choose(self, binding: list[Cell], quantity: _Quantity) -> Cell | None:
        def smallest(cells: list[Cell]) -> Cell | None:
            return min(cells, key=lambda c: (self.values[c], c)) if cells else None

        touching = set(quantity.objective)
        overlapping = [c for c in self.published if touching & set(self._row(self.current, c))]
        return smallest(binding) or smallest(overlapping) or smallest(list(self.published))

    def _system(self) -> tuple[csr_matrix, np.ndarray, list[Cell | None]]:
        key = len(self.published)
        if self._cached is None or self._cached[0] != key:
            self._cached = (key, self._build_system())
        return self._cached[1]

    def _build_system(self) -> tuple[csr_matrix, np.ndarray, list[Cell | None]]:
        rows: list[tuple[tuple[int, ...], int, Cell | None]]
        rows = [(row, value, None) for row, value in self.fixed_rows]
        rows += [(self._row(self.current, c), self.values[c], c) for c in sorted(self.published)]
        data, row_index, columns = [], [], []
        for index, (row, _, _) in enumerate(rows):
            for unknown in row:
                data.append(1.0)
                row_index.append(index)
                columns.append(unknown)
        matrix = csr_matrix((data, (row_index, columns)), shape=(len(rows), self.count))
        values = np.array([value for _, value, _ in rows], dtype=float)
        return matrix, values, [cell for _, _, cell in rows]

    def _narrow(self, quantity: _Quantity) -> list[Cell] | None:
        """None when every attacker stays uncertain enough about `quantity`; else the
        current published cells that bind the attacker's optimum."""
        system = self._system()
        if quantity.is_cell and self._shiftable(quantity, system[0]):
            return None
        objective = np.zeros(self.count)
        for unknown, coefficient in quantity.objective.items():
            objective[unknown] = coefficient
        for sign in (1.0, -1.0):
            binding = self._narrow_one_way(quantity, system, sign * objective, sign)
            if binding is not None:
                return binding
        return None

    def _narrow_one_way(
        self,
        quantity: _Quantity,
        system: tuple[csr_matrix, np.ndarray, list[Cell | None]],
        objective: np.ndarray,
        sign: float,
    ) -> list[Cell] | None:
        needs = self._needs_by(quantity, sign)
        # A point that respects every contributor's own figures at once is open to each
        # attacker (the true table is one), so when it reaches every margin it proves all.
        shared = _extreme(system, objective, self.lower_all)
        if all(need is None or shared.best >= need - _SLACK for need in needs):
            return None
        outsider = _extreme(system, objective, np.zeros(self.count))
        attackers = (None, *sorted(self.lower))
        for attacker, need in zip(attackers, needs, strict=True):
            if need is None:
                continue
            found = outsider
            if attacker is not None and not _within(outsider.point, self.lower[attacker]):
                found = _extreme(system, objective, self.lower[attacker])
            if found.best < need - _SLACK:
                return [c for c, dual in zip(system[2], found.duals, strict=True) if c and dual]
        return None

    def _needs_by(self, quantity: _Quantity, sign: float) -> list[float | None]:
        attackers = (None, *sorted(self.lower))
        needs: list[float | None] = []
        for attacker in attackers:
            own = 0 if attacker is None else quantity.own.get(attacker, 0)
            needs.append(None if quantity.value == own else self._needs_one(quantity, own, sign))
        return needs

    def _needs_one(self, quantity: _Quantity, own: int, sign: float) -> float:
        others = quantity.value - own
        margin = self.rules.margin(others)
        if sign < 0 and quantity.is_cell:
            margin = min(margin, others)  # a figure is never below zero
        return sign * quantity.value + margin


def _groups(matrix: csr_matrix) -> np.ndarray:
    """A label per unknown: unknowns with one label lie in exactly the same published rows."""
    columns = matrix.tocsc()
    labels: dict[tuple[int, ...], int] = {}
    found = np.zeros(matrix.shape[1], dtype=int)
    for unknown in range(matrix.shape[1]):
        rows = columns.indices[columns.indptr[unknown] : columns.indptr[unknown + 1]]
        found[unknown] = labels.setdefault(tuple(sorted(rows.tolist())), len(labels))
    return found


def _value_at(quantity: _Quantity, point: np.ndarray | None) -> float:
    if point is None:
        return -np.inf
    return float(sum(point[u] * c for u, c in quantity.objective.items()))


@dataclass(frozen=True, slots=True)
class _Extreme:
    best: float  # the largest value of the objective (inf when unbounded)
    point: np.ndarray | None
    duals: list[bool]  # which equality rows bind the optimum


def _within(point: np.ndarray | None, lower: np.ndarray) -> bool:
    return point is not None and bool(np.all(point >= lower - _SLACK))


def _extreme(
    system: tuple[csr_matrix, np.ndarray, list[Cell | None]],
    objective: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray | None = None,
) -> _Extreme:
    matrix, values, _ = system
    top = np.full(len(lower), np.inf) if upper is None else upper
    bounds = np.column_stack([lower, top])
    result = linprog(
        -objective,
        A_eq=matrix if matrix.shape[0] else None,
        b_eq=values if matrix.shape[0] else None,
        bounds=bounds,
        method="highs",
    )
    if result.status == 3:  # unbounded: as uncertain as can be
        return _Extreme(np.inf, None, [False] * matrix.shape[0])
    if result.status != 0:
        raise ArithmeticError(f"disclosure audit: {result.message}")
    duals = [abs(d) > _SLACK for d in result.eqlin.marginals] if matrix.shape[0] else []
    return _Extreme(-float(result.fun), result.x, duals)
