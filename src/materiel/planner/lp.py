"""A small labelled LP builder on numpy and scipy.sparse.

Variables and constraints come in named blocks over labelled dimensions (``x`` over line ×
customer × period; ``Line-capacity`` over line × period). A block keeps a dense index array with
``-1`` where an element does not exist, so constraint families are written as whole-array
expressions and every column or row can be mapped back to the entity that owns it (for the IIS
and for reading results back).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

INF = np.inf


@dataclass
class Block:
    """A named family of variables or constraints over labelled dimensions."""

    name: str
    dims: tuple[str, ...]
    index: np.ndarray  # dense array over dims; global position or -1
    offset: int
    size: int

    def values(self, solution: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """Dense array of this block's values from a full solution vector."""
        out = np.full(self.index.shape, fill, dtype=float)
        mask = self.index >= 0
        out[mask] = solution[self.index[mask]]
        return out


def _cat(parts: list[np.ndarray], empty: float = 0.0) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0) + empty


@dataclass
class LinearProgram:
    """Columns, rows and coefficient triplets, assembled into CSC at the end."""

    col_blocks: list[Block] = field(default_factory=list)
    row_blocks: list[Block] = field(default_factory=list)
    _col_lower: list[np.ndarray] = field(default_factory=list)
    _col_upper: list[np.ndarray] = field(default_factory=list)
    _row_lower: list[np.ndarray] = field(default_factory=list)
    _row_upper: list[np.ndarray] = field(default_factory=list)
    _col_scale: list[np.ndarray] = field(default_factory=list)
    _row_scale: list[np.ndarray] = field(default_factory=list)
    _rows: list[np.ndarray] = field(default_factory=list)
    _cols: list[np.ndarray] = field(default_factory=list)
    _vals: list[np.ndarray] = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0

    @staticmethod
    def _block(name: str, dims: tuple[str, ...], mask: np.ndarray, start: int) -> Block:
        mask = np.asarray(mask, dtype=bool)
        if mask.ndim != len(dims):
            raise ValueError(f"{name}: mask has {mask.ndim} dimensions, dims name {len(dims)}")
        index = np.full(mask.shape, -1, dtype=np.int64)
        size = int(mask.sum())
        index[mask] = np.arange(start, start + size)
        return Block(name, dims, index, start, size)

    def add_vars(
        self,
        name: str,
        dims: tuple[str, ...],
        mask: np.ndarray,
        lower: float | np.ndarray = 0.0,
        upper: float | np.ndarray = INF,
        scale: float | np.ndarray = 1.0,
    ) -> Block:
        """Add one variable per True element of ``mask``; bounds broadcast to the mask's shape.

        ``scale`` is the natural amount one solver unit stands for (e.g. a thousand drones), so that
        the numbers HiGHS sees stay near 1; everything outside the solver is in natural units.
        """
        block = self._block(name, dims, mask, self.n_cols)
        for store, values in ((self._col_lower, lower), (self._col_upper, upper), (self._col_scale, scale)):
            store.append(_at_block(values, block))
        self.col_blocks.append(block)
        self.n_cols += block.size
        return block

    def add_rows(
        self,
        name: str,
        dims: tuple[str, ...],
        mask: np.ndarray,
        lower: float | np.ndarray = -INF,
        upper: float | np.ndarray = INF,
        scale: float | np.ndarray = 1.0,
    ) -> Block:
        """Add one constraint per True element of ``mask``: lower ≤ (terms) ≤ upper (``scale``: the
        natural amount of one solver unit of the row, as for variables)."""
        block = self._block(name, dims, mask, self.n_rows)
        for store, values in ((self._row_lower, lower), (self._row_upper, upper), (self._row_scale, scale)):
            store.append(_at_block(values, block))
        self.row_blocks.append(block)
        self.n_rows += block.size
        return block

    def add_terms(self, rows: np.ndarray, cols: np.ndarray, coef: float | np.ndarray = 1.0) -> None:
        """Add coef · col to row for every broadcast element where both exist."""
        r, c, v = np.broadcast_arrays(np.asarray(rows), np.asarray(cols), np.asarray(coef, dtype=float))
        keep = (r >= 0) & (c >= 0) & (v != 0)
        self._rows.append(r[keep].ravel())
        self._cols.append(c[keep].ravel())
        self._vals.append(v[keep].ravel())

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Column and row bounds in natural units."""
        return _cat(self._col_lower), _cat(self._col_upper), _cat(self._row_lower), _cat(self._row_upper)

    def scales(self) -> tuple[np.ndarray, np.ndarray]:
        """Natural amount per solver unit of every column and row."""
        return _cat(self._col_scale, 1.0), _cat(self._row_scale, 1.0)

    def solver_bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Bounds in solver units."""
        cs, rs = self.scales()
        col_lo, col_hi, row_lo, row_hi = self.bounds()
        return col_lo / cs, col_hi / cs, row_lo / rs, row_hi / rs

    def solver_matrix(self) -> sp.csc_matrix:
        """The matrix in solver units: a[i,j] · col_scale[j] / row_scale[i]."""
        cs, rs = self.scales()
        A = self.matrix()
        A.data = A.data * cs[np.repeat(np.arange(A.shape[1]), np.diff(A.indptr))] / rs[A.indices]
        return A

    def solver_cost(self, cost: np.ndarray) -> np.ndarray:
        """An objective in solver units."""
        return cost * self.scales()[0]

    def natural(self, solution: np.ndarray) -> np.ndarray:
        """A solver's solution vector in natural units."""
        return np.asarray(solution) * self.scales()[0]

    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix (duplicate entries summed)."""
        if self._rows:
            rows, cols, vals = (np.concatenate(x) for x in (self._rows, self._cols, self._vals))
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
            vals = np.zeros(0)
        return sp.csc_matrix((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))

    def cost(self, coefficients: dict[str, np.ndarray | float]) -> np.ndarray:
        """Objective vector from per-block dense coefficient arrays (blocks not named cost 0)."""
        out = np.zeros(self.n_cols)
        for block in self.col_blocks:
            if block.name in coefficients:
                sel = block.index >= 0
                coef = np.broadcast_to(np.asarray(coefficients[block.name], dtype=float), sel.shape)
                out[block.index[sel]] = coef[sel]
        return out

    @staticmethod
    def _find(blocks: list[Block], position: int) -> tuple[Block, tuple[int, ...]]:
        for block in blocks:
            if block.offset <= position < block.offset + block.size:
                coords = np.argwhere(block.index == position)[0]
                return block, tuple(int(c) for c in coords)
        raise IndexError(position)

    def which_col(self, position: int) -> tuple[Block, tuple[int, ...]]:
        """The block and coordinates of a column."""
        return self._find(self.col_blocks, position)

    def which_row(self, position: int) -> tuple[Block, tuple[int, ...]]:
        """The block and coordinates of a row."""
        return self._find(self.row_blocks, position)


def _at_block(values: float | np.ndarray, block: Block) -> np.ndarray:
    """A scalar or an array over the block's full shape, taken at the block's existing elements."""
    exists = block.index >= 0
    return np.broadcast_to(np.asarray(values, dtype=float), exists.shape)[exists]
