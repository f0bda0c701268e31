"""Order books: how first-stage decisions enter a draw's LP (docs/uncertainty.md, "Committed plans").

A **book** is a line's orders for one customer (x[l,k,·]) or a line's capacity investment
(e[l,·]). A commitment fixes, for each book, the quantity placed in each first-stage period
t < T₁. In a draw the book's decisions are then bound by two kinds of rows, in natural units:

- **cumulative** (one per book and first-stage period τ): Σ_{t ≤ τ} x[t] ≤ Σ_{t ≤ τ} x̂[t] — nothing
  is made before it was ordered, and nothing but the commitment is made in the first stage;
- **total** (one per book): Σ_t x[t] + g ≥ Σ_{t < T₁} x̂[t] — the whole commitment is made within
  the horizon, in its periods or later as the draw's capacity and money allow (the backlog), with
  g ≥ 0 the part never made (the **cut**), minimised before anything else.

In a two-stage LP the right-hand sides are the shared first-stage columns X̂ instead of numbers;
the rows are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..planner.formulation import Formulation


@dataclass(frozen=True)
class Books:
    """A formulation's books: ``cols`` (B, T) the column of each book in each period (−1 where
    absent), ``scale`` (B,) natural units per solver unit of its columns, ``line`` and
    ``customer`` (−1 for an investment book)."""

    cols: np.ndarray
    scale: np.ndarray
    line: np.ndarray
    customer: np.ndarray

    @property
    def size(self) -> int:
        return len(self.line)

    def pairs(self) -> list[tuple[int, int]]:
        """(line, customer) of every book; customer −1 for investments."""
        return list(zip(self.line.tolist(), self.customer.tolist(), strict=True))


def books_of(form: Formulation) -> Books:
    """Every order book (line × customer with order columns) and investment book (line with
    investment columns) of a formulation."""
    x, e = form.var.x.index, form.var.e.index
    lx, kx = np.nonzero((x >= 0).any(axis=2))
    (le,) = np.nonzero((e >= 0).any(axis=1))
    cols = np.concatenate([x[lx, kx, :], e[le, :]]).reshape(len(lx) + len(le), x.shape[2])
    cs = form.lp.scales()[0]
    first = np.where(cols >= 0, cols, np.iinfo(np.int64).max).min(axis=1)
    scale = cs[first] if len(first) else np.zeros(0)
    return Books(cols, scale, np.concatenate([lx, le]), np.concatenate([kx, np.full(len(le), -1)]))


def committed_amounts(books: Books, x: np.ndarray, e: np.ndarray, periods: int) -> np.ndarray:
    """(B, T₁) quantities committed per book and first-stage period."""
    return np.array([x[l, k, :periods] if k >= 0 else e[l, :periods] for l, k in books.pairs()], dtype=float).reshape(
        books.size, periods
    )


def book_rows(books: Books, periods: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cumulative rows (B·T₁, book-major) then the total rows (B) over the book's own columns,
    as (row, column, coefficient) triplets in solver units (row scale = the book's scale, so every
    coefficient is 1); the cut columns g are not included."""
    B = books.size
    rows, cols = [], []
    b, t = np.nonzero(books.cols >= 0)
    for tau in range(periods):  # cumulative: the book's columns t ≤ τ
        at = t <= tau
        rows.append(b[at] * periods + tau)
        cols.append(books.cols[b[at], t[at]])
    rows.append(B * periods + b)  # total: every column of the book
    cols.append(books.cols[b, t])
    r, c = np.concatenate(rows), np.concatenate(cols)
    return r, c, np.ones(r.size)


def rhs(amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Natural right-hand sides: cumulative commitments (B·T₁, upper bounds) and totals (B, lower)."""
    return np.cumsum(amounts, axis=1).ravel(), amounts.sum(axis=1)


def unit_values(books: Books, amounts: np.ndarray, price: np.ndarray, capex: np.ndarray) -> np.ndarray:
    """(B,) value of one unit of each book at the committed plan's prices: the committed orders'
    average price (a book with nothing committed: its price in the last first-stage period)."""
    periods = amounts.shape[1]
    out = np.zeros(books.size)
    for n, (l, k) in enumerate(books.pairs()):
        unit = price[l, :periods] if k >= 0 else np.full(periods, capex[l])
        total = amounts[n].sum()
        out[n] = float(unit @ amounts[n] / total) if total > 0 else float(unit[-1])
    return out
