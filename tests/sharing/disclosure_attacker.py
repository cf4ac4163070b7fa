"""An attacker written independently of sharing/disclosure_audit.py: its own linear program.

It reads every published cell of every release of a period, knows its own figures in each
release and which finest cells changed between releases, and bounds any hidden quantity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.optimize import linprog

from sharing.disclosure import Cell, Dimensions, Table, contains

Release = tuple[Table, Mapping[Cell, int]]  # the table it was built from, what it published


class Attacker:
    def __init__(self, dims: Dimensions, releases: Sequence[Release], me: str | None) -> None:
        self.fines = dims.fine_cells()
        width = self.width = len(self.fines)
        self.count = width * len(releases)
        rows: list[np.ndarray] = []
        values: list[float] = []
        lower = np.zeros(self.count)
        for version, (table, published) in enumerate(releases):
            for i, fine in enumerate(self.fines):
                lower[version * width + i] = table.get(fine, {}).get(me, 0) if me else 0
            for cell, value in published.items():
                rows.append(self.indicator(version, cell))
                values.append(value)
            if version:
                before = releases[version - 1][0]
                for i, fine in enumerate(self.fines):
                    if sum(before.get(fine, {}).values()) == sum(table.get(fine, {}).values()):
                        same = np.zeros(self.count)
                        same[version * width + i] = 1
                        same[(version - 1) * width + i] = -1
                        rows.append(same)
                        values.append(0)
        self.rows = np.array(rows) if rows else None
        self.values = np.array(values) if values else None
        self.lower = lower

    def indicator(self, version: int, cell: Cell) -> np.ndarray:
        row = np.zeros(self.count)
        for i, fine in enumerate(self.fines):
            if contains(cell, fine):
                row[version * self.width + i] = 1
        return row

    def interval(self, objective: np.ndarray) -> tuple[float, float]:
        bounds = [(low, None) for low in self.lower]
        ends = []
        for sign in (1, -1):
            result = linprog(
                sign * objective, A_eq=self.rows, b_eq=self.values, bounds=bounds, method="highs"
            )
            assert result.status in (0, 3), result.message
            ends.append(sign * result.fun if result.status == 0 else -sign * np.inf)
        return ends[0], ends[1]
