"""Independent plan checker: re-verifies a plan's tables against the scenario with plain numpy.

It shares nothing with the LP formulation; it recomputes capacity, stock and money from the
orders, investments and funding tables. Tests use it on every solved plan, and users run
``materiel check`` on a plan they edited by hand, so a table it cannot read completely (a missing
column, a blank, non-numeric or non-finite number) is itself a violation, never read as zero.

Reading the tables (``read_grid``) is separate from the rules: one rule per constraint family of
the LP (``RULES``, keyed by the family's name; ``formulation.FAMILIES`` pairs each with its
builder and its wording) and one per kind of variable bound that comes from the user's input
(``BOUND_RULES``: commitments and lead times on orders, expansion limits on investments).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario.compiled import ModelData

REL, ABS = 1e-6, 1e-4
MONEY_ABS = 1.0  # money tolerance in the base currency: payments and budgets may be off by a unit
STOCK_ABS = 1e-3


@dataclass(frozen=True)
class Violation:
    """One broken rule, in the scenario's terms."""

    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule} — {self.where}: {self.detail}"


def _over(lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    return lhs > rhs + REL * np.abs(rhs) + ABS


def _row(name: str, n: int) -> str:
    """Row ``n`` (0-based, data rows) of a table as a spreadsheet shows it: the header is row 1."""
    return f"{name} row {n + 2}"


# -- reading the tables ------------------------------------------------------------------------


def _not_a_number(cell: object) -> str:
    """Why a cell that should hold a number does not, quoting what it holds."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)) or not str(cell).strip():
        return "blank: a number is needed"
    return f"{str(cell)!r} is not a finite number"


class _Reader:
    """Reads id and number columns of the plan's tables, recording what it cannot read."""

    def __init__(self, m: ModelData, out: list[Violation]) -> None:
        self.out = out
        self.maps = {
            "line": {v: n for n, v in enumerate(m.lines)},
            "customer": {v: n for n, v in enumerate(m.customers)},
            "fund": {v: n for n, v in enumerate(m.funds)},
            "period": {v: n for n, v in enumerate(m.periods)},
            "item": {v: n for n, v in enumerate(m.items)},
            "drawdown": {v: n for n, v in enumerate(m.transfers.ids)},
            "component": {v: n for n, v in enumerate(m.items) if m.component[n]},
        }

    def has(self, table: pd.DataFrame, name: str, column: str) -> bool:
        """Whether the column exists; a missing column is a violation."""
        if column in table.columns:
            return True
        self.out.append(Violation("table", name, f"missing column {column!r}"))
        return False

    def ids(self, table: pd.DataFrame, name: str, column: str) -> np.ndarray:
        """Index of each row's id (-1, with a violation, when missing or unknown)."""
        if not self.has(table, name, column):
            return np.full(len(table), -1)
        text = table[column].astype(str)
        idx = text.map(self.maps[column]).fillna(-1).astype(int).to_numpy()
        for bad in sorted(set(text[idx < 0])):
            self.out.append(Violation("table", f"{name}.{column}", f"unknown {column} {bad!r}"))
        return idx

    def numbers(self, table: pd.DataFrame, name: str, column: str) -> np.ndarray:
        """The column as finite floats; a blank, non-numeric or non-finite cell is a violation
        naming its row, and counts as 0 for the other rules."""
        if not self.has(table, name, column):
            return np.zeros(len(table))
        raw = table[column]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        for n in np.flatnonzero(bad):
            self.out.append(Violation("table", f"{_row(name, n)}, column {column}", _not_a_number(raw.iat[n])))
        return np.where(bad, 0.0, values)

    def years(self, table: pd.DataFrame, name: str, m: ModelData) -> np.ndarray:
        """Index into the horizon's years of each row (-1, with a violation, if outside)."""
        if not self.has(table, name, "year"):
            return np.full(len(table), -1)
        years = pd.to_numeric(table["year"], errors="coerce").to_numpy(dtype=float)
        known = np.isin(years, m.years)
        index = np.where(known, np.nan_to_num(years) - m.years[0], -1).astype(int)
        for bad in sorted(set(table["year"].astype(str)[~known])):
            self.out.append(
                Violation("table", f"{name}.year", f"year {bad!r} is not in the horizon {m.years[0]}–{m.years[-1]}")
            )
        return index


@dataclass
class Orders:
    """The orders table, row by row, and on the grid (L, K, T)."""

    line: np.ndarray
    customer: np.ndarray
    period: np.ndarray
    quantity: np.ndarray
    delivery: np.ndarray | None  # period index of delivery_period (-2 when unknown), if given
    labels: pd.DataFrame  # the table's own text, for messages
    grid: np.ndarray


@dataclass
class Investments:
    """The investments table on the grid: capacity per period added by starts in each period."""

    line: np.ndarray
    period: np.ndarray
    grid: np.ndarray  # (L, T)


@dataclass
class Funding:
    """The funding table row by row (indices -1 where unreadable). Orders on refurbishment lines
    have the purpose 'refurbishment' and count as orders."""

    fund: np.ndarray
    line: np.ndarray
    customer: np.ndarray
    year: np.ndarray
    is_order: np.ndarray
    is_capacity: np.ndarray
    amount: np.ndarray
    item: np.ndarray
    is_upkeep: np.ndarray
    is_replacement: np.ndarray


@dataclass
class Stock:
    """The stock table row by row (optional: a plan folder may leave it out)."""

    customer: np.ndarray
    item: np.ndarray
    period: np.ndarray
    stock: np.ndarray
    target: np.ndarray | None
    shortfall: np.ndarray | None
    labels: pd.DataFrame


@dataclass
class Components:
    """The component table: production started per component line and period on the grid, and
    its rows of use and holdings as written (checked against what the grid gives)."""

    grid: np.ndarray  # (L, T) production started
    made: pd.DataFrame  # the table's 'made' rows, with line and period indices
    used: pd.DataFrame  # 'used' and 'pipeline' rows, with flow, component, line and period indices
    held: pd.DataFrame  # 'held' rows, with component and period indices


@dataclass
class PlanGrid:
    """A plan's tables read onto the scenario's grid, with what every rule derives from them."""

    orders: Orders
    investments: Investments
    funding: Funding
    stock: Stock | None
    retired: np.ndarray  # (K, I, T) units retired, from the retirements table (zeros without one)
    drawn: np.ndarray  # (J, T) units transferred, from the drawdowns table (zeros without one)
    components: Components | None = None

    @property
    def z(self) -> np.ndarray:
        """(L, T) production started on component lines (zero without a component table)."""
        return self.components.grid if self.components is not None else 0.0

    @property
    def x(self) -> np.ndarray:
        return self.orders.grid

    @property
    def e(self) -> np.ndarray:
        return self.investments.grid


def read_orders(m: ModelData, table: pd.DataFrame, r: _Reader) -> Orders:
    """Orders on the grid; negative quantities are a violation."""
    line, customer, period = (r.ids(table, "orders", c) for c in ("line", "customer", "period"))
    quantity = r.numbers(table, "orders", "quantity")
    for n in np.flatnonzero(quantity < -ABS):
        r.out.append(Violation("orders", f"{_row('orders', n)}, column quantity", f"negative quantity {quantity[n]:g}"))
    good = (line >= 0) & (customer >= 0) & (period >= 0)
    grid = np.zeros((len(m.lines), len(m.customers), m.T))
    np.add.at(grid, (line[good], customer[good], period[good]), quantity[good])
    delivery = None
    if "delivery_period" in table.columns:
        delivery = table["delivery_period"].astype(str).map(r.maps["period"]).fillna(-2).astype(int).to_numpy()
    return Orders(line, customer, period, quantity, delivery, table, grid)


def read_investments(m: ModelData, table: pd.DataFrame, r: _Reader) -> Investments:
    """Capacity added per period by investments started in each period (the table is per year)."""
    line, period = r.ids(table, "investments", "line"), r.ids(table, "investments", "period")
    added = r.numbers(table, "investments", "added_per_year") / m.cal.per_year
    for n in np.flatnonzero(added < -ABS):
        r.out.append(
            Violation("investments", f"{_row('investments', n)}, column added_per_year", "negative added capacity")
        )
    good = (line >= 0) & (period >= 0)
    grid = np.zeros((len(m.lines), m.T))
    np.add.at(grid, (line[good], period[good]), added[good])
    return Investments(line, period, grid)


PURPOSES = ("orders", "refurbishment", "capacity", "upkeep", "replacement")


def read_funding(m: ModelData, table: pd.DataFrame, r: _Reader) -> Funding:
    """Funding rows: who pays what, for which purpose, line, customer, item and year. Rows for
    orders, refurbishment, capacity and replacement name a line; upkeep rows name a customer and an
    item instead."""
    n = len(table)
    fund = r.ids(table, "funding", "fund")
    year = r.years(table, "funding", m)
    amount = r.numbers(table, "funding", "amount")
    for row in np.flatnonzero(amount < -ABS):
        r.out.append(Violation("funding", f"{_row('funding', row)}, column amount", f"negative amount {amount[row]:g}"))
    purpose = table["purpose"].astype(str).to_numpy() if r.has(table, "funding", "purpose") else np.full(n, "")
    for row in np.flatnonzero(~np.isin(purpose, PURPOSES) & ("purpose" in table.columns)):
        expected = ", ".join(repr(p) for p in PURPOSES)
        r.out.append(
            Violation(
                "table", f"{_row('funding', row)}, column purpose", f"{purpose[row]!r}: expected one of {expected}"
            )
        )
    is_order = np.isin(purpose, ("orders", "refurbishment"))
    is_upkeep, is_replacement = purpose == "upkeep", purpose == "replacement"
    line, customer, item = np.full(n, -1), np.full(n, -1), np.full(n, -1)
    names_line = ~is_upkeep & np.isin(purpose, PURPOSES)
    if names_line.any() or "purpose" not in table.columns:
        at = names_line if "purpose" in table.columns else np.ones(n, dtype=bool)
        line[at] = r.ids(table[at], "funding", "line")
    if (is_order | is_upkeep).any():
        customer[is_order | is_upkeep] = r.ids(table[is_order | is_upkeep], "funding", "customer")
    if is_upkeep.any():
        item[is_upkeep] = r.ids(table[is_upkeep], "funding", "item")
    refurbished = np.zeros(n, dtype=bool)
    refurbished[line >= 0] = m.transfers.refurbished[line[line >= 0]]
    for row in np.flatnonzero(is_order & (refurbished != (purpose == "refurbishment"))):
        want = "refurbishment" if refurbished[row] else "orders"
        r.out.append(
            Violation(
                "table",
                f"{_row('funding', row)}, column purpose",
                f"{purpose[row]!r}: orders on line {m.lines[line[row]]} are {want!r}",
            )
        )
    return Funding(fund, line, customer, year, is_order, purpose == "capacity", amount, item, is_upkeep, is_replacement)


def read_retirements(m: ModelData, table: pd.DataFrame | None, r: _Reader) -> np.ndarray:
    """(K, I, T) units retired, from the retirements table (zeros if there is none)."""
    K, I, T = m.target.shape
    grid = np.zeros((K, I, T))
    if table is None or not len(table):
        return grid
    customer, item, period = (r.ids(table, "retirements", c) for c in ("customer", "item", "period"))
    quantity = r.numbers(table, "retirements", "quantity")
    for n in np.flatnonzero(quantity < -ABS):
        r.out.append(
            Violation("retirements", f"{_row('retirements', n)}, column quantity", f"negative quantity {quantity[n]:g}")
        )
    good = (customer >= 0) & (item >= 0) & (period >= 0)
    np.add.at(grid, (customer[good], item[good], period[good]), quantity[good])
    return grid


def read_drawdowns(m: ModelData, table: pd.DataFrame | None, r: _Reader) -> np.ndarray:
    """(J, T) units transferred, from the drawdowns table (zeros if there is none)."""
    grid = np.zeros((m.transfers.J, m.T))
    if table is None or not len(table):
        return grid
    which, period = r.ids(table, "drawdowns", "drawdown"), r.ids(table, "drawdowns", "period")
    quantity = r.numbers(table, "drawdowns", "quantity")
    for n in np.flatnonzero(quantity < -ABS):
        r.out.append(
            Violation("drawdowns", f"{_row('drawdowns', n)}, column quantity", f"negative quantity {quantity[n]:g}")
        )
    good = (which >= 0) & (period >= 0)
    np.add.at(grid, (which[good], period[good]), quantity[good])
    return grid


def read_stock(m: ModelData, table: pd.DataFrame | None, r: _Reader) -> Stock | None:
    """The stock table, if the plan has one."""
    if table is None or not len(table):
        return None
    customer, item, period = (
        r.ids(table, "stock", "customer"),
        r.ids(table, "stock", "item"),
        r.ids(table, "stock", "period"),
    )
    stock = r.numbers(table, "stock", "stock")
    target = r.numbers(table, "stock", "target") if "target" in table.columns else None
    shortfall = r.numbers(table, "stock", "shortfall") if "shortfall" in table.columns else None
    return Stock(customer, item, period, stock, target, shortfall, table)


COMPONENT_FLOWS = ("pipeline", "made", "used", "held")


def read_components(m: ModelData, table: pd.DataFrame | None, r: _Reader) -> Components | None:
    """The component table: rows of production ('made', on the line making the component; and
    'pipeline', started before the horizon), use ('used', by the line needing it) and holdings
    ('held'). A scenario with components needs it."""
    if not m.component.any():
        return None
    if table is None:
        r.out.append(
            Violation("table", "components", "missing: the scenario has components, so the plan must say what was made")
        )
        return None
    flow = table["flow"].astype(str).to_numpy() if r.has(table, "components", "flow") else np.full(len(table), "")
    for n in np.flatnonzero(~np.isin(flow, COMPONENT_FLOWS) & ("flow" in table.columns)):
        r.out.append(
            Violation(
                "table",
                f"{_row('components', n)}, column flow",
                f"{flow[n]!r}: expected 'pipeline', 'made', 'used' or 'held'",
            )
        )
    component, period = r.ids(table, "components", "component"), r.ids(table, "components", "period")
    quantity = r.numbers(table, "components", "quantity")
    for n in np.flatnonzero(quantity < -ABS):
        r.out.append(
            Violation("components", f"{_row('components', n)}, column quantity", f"negative quantity {quantity[n]:g}")
        )
    line = np.full(len(table), -1)
    on_line = flow != "held"
    if on_line.any():
        line[on_line] = r.ids(table[on_line], "components", "line")
    rows = pd.DataFrame({"flow": flow, "component": component, "line": line, "period": period, "quantity": quantity})
    made = rows[(rows["flow"] == "made") & (rows[["component", "line", "period"]] >= 0).all(axis=1)]
    grid = np.zeros((len(m.lines), m.T))
    np.add.at(grid, (made["line"].to_numpy(), made["period"].to_numpy()), made["quantity"].to_numpy())
    for n in made.index[m.line_item[made["line"]] != made["component"]]:
        r.out.append(
            Violation(
                "components",
                f"{_row('components', n)}",
                f"line {m.lines[line[n]]} makes {m.items[m.line_item[line[n]]]}, not {m.items[component[n]]}",
            )
        )
    used = rows[rows["flow"].isin(("used", "pipeline")) & (rows[["component", "line", "period"]] >= 0).all(axis=1)]
    held = rows[(rows["flow"] == "held") & (rows[["component", "period"]] >= 0).all(axis=1)]
    return Components(grid, made, used, held)


def read_grid(
    m: ModelData,
    orders: pd.DataFrame,
    investments: pd.DataFrame,
    funding: pd.DataFrame,
    stock: pd.DataFrame | None,
    out: list[Violation],
    retirements: pd.DataFrame | None = None,
    drawdowns: pd.DataFrame | None = None,
    components: pd.DataFrame | None = None,
) -> PlanGrid:
    """Every table read onto the grid; what cannot be read is appended to ``out``."""
    r = _Reader(m, out)
    return PlanGrid(
        read_orders(m, orders, r),
        read_investments(m, investments, r),
        read_funding(m, funding, r),
        read_stock(m, stock, r),
        read_retirements(m, retirements, r),
        read_drawdowns(m, drawdowns, r),
        read_components(m, components, r),
    )


def added_capacity(m: ModelData, e: np.ndarray) -> np.ndarray:
    """(L, T) added capacity usable in each period: investments accumulated, shifted by build time."""
    L, T = e.shape
    usable = np.zeros((L, T))
    for l in range(L):
        b = int(m.build[l])
        if b < T:
            usable[l, b:] = np.cumsum(e[l])[: T - b]
    return usable


def drawdown_arrivals(m: ModelData, drawn: np.ndarray) -> np.ndarray:
    """(K, I, T) units delivered by drawdowns: each transfer arrives its delivery time later."""
    K, I, T = m.target.shape
    tr = m.transfers
    arrived = np.zeros((K, I, T))
    for j in range(tr.J):
        lag = int(tr.delivery[j])
        if lag < T:
            arrived[tr.customer[j], tr.item[j], lag:] += drawn[j, : T - lag]
    return arrived


def deliveries(m: ModelData, orders: np.ndarray, drawn: np.ndarray | None = None) -> np.ndarray:
    """(K, I, T) units delivered by orders (L, K, T) after their lead times and by drawdowns."""
    K, I, T = m.target.shape
    out = np.zeros((K, I, T)) if drawn is None else drawdown_arrivals(m, drawn)
    for l in range(len(m.lines)):
        lead = int(m.lead[l])
        if lead < T:
            out[:, m.line_item[l], lead:] += orders[l, :, : T - lead]
    return out


def rebuild_stock(
    m: ModelData, orders: np.ndarray, drawn: np.ndarray | None = None, retired: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Stock (K, I, T) and unmet use from orders (L, K, T), lead times, losses and use, with the
    transfers (J, T) drawn from donors' stocks and the units retired (K, I, T), if any."""
    K, I, T = m.target.shape
    arrived = deliveries(m, orders, drawn)
    out_of_stock = np.zeros((K, I, T)) if retired is None else retired
    keep = (1 - m.loss)[None, :]
    stock = np.zeros((K, I, T))
    unmet = np.zeros((K, I, T))
    prev = m.stock0.copy()
    for t in range(T):
        level = keep * prev + arrived[:, :, t] - out_of_stock[:, :, t] - m.use[:, :, t]
        unmet[:, :, t] = np.maximum(0.0, -level)
        stock[:, :, t] = np.maximum(0.0, level)
        prev = stock[:, :, t]
    return stock, unmet


# -- rules, one per constraint family -----------------------------------------------------------


def check_capacity(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Orders on a line in a period stay within its base plus added capacity."""
    total = m.cap + added_capacity(m, g.e)
    used = g.x.sum(axis=1) + g.z
    return [
        Violation(
            "capacity", f"{m.lines[l]} {m.periods[t]}", f"orders {used[l, t]:,.1f} exceed capacity {total[l, t]:,.1f}"
        )
        for l, t in zip(*np.nonzero(_over(used, total)), strict=True)
    ]


def check_share(m: ModelData, g: PlanGrid) -> list[Violation]:
    """A customer takes at most its share of a line's capacity."""
    limit = m.share[:, :, None] * (m.cap + added_capacity(m, g.e))[:, None, :]
    x = g.x
    return [
        Violation(
            "customer share",
            f"{m.lines[l]} {m.customers[k]} {m.periods[t]}",
            f"takes {x[l, k, t]:,.1f}, at most {limit[l, k, t]:,.1f} ({m.share[l, k]:.0%})",
        )
        for l, k, t in zip(*np.nonzero(_over(x, limit) & (m.share[:, :, None] < 1)), strict=True)
    ]


def check_build_time(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Added capacity becomes usable after the build time, so nothing is started that would only be
    ready after the horizon (the capacity the other rules use is rebuilt the same way)."""
    t = np.arange(m.T)
    late = (g.e > ABS) & (t[None, :] + m.build[:, None] >= m.T)
    return [
        Violation(
            "build time",
            f"{m.lines[l]} {m.periods[tt]}",
            f"capacity started here would be ready after the horizon (build {m.build[l]} periods)",
        )
        for l, tt in zip(*np.nonzero(late), strict=True)
    ]


def stock_size(m: ModelData) -> np.ndarray:
    """(K, I) the largest of each customer's initial stock, targets and uses of each item: the
    size against which the stock's relative tolerance is measured."""
    return np.maximum.reduce([m.stock0, m.target.max(axis=2, initial=0.0), m.use.max(axis=2, initial=0.0)])


def check_stock_balance(m: ModelData, g: PlanGrid) -> list[Violation]:
    """The stock table follows from initial stock, deliveries (orders and drawdowns), losses,
    retirements and use (use drawn first), to a millionth of the stock or of the item's size for
    its holder (a unit of use may go unmet while a target of 1e9 is short: a billionth of it,
    within the planner's shortfall slack). Only items with upkeep are retired, never more than is
    held."""
    out = check_retirements(m, g)
    s = g.stock
    if s is None:
        return out
    rebuilt, _ = rebuild_stock(m, g.x, g.drawn, g.retired)
    ok = (s.customer >= 0) & (s.period >= 0) & (s.item >= 0)
    truth = np.full(len(s.stock), np.nan)
    truth[ok] = rebuilt[s.customer[ok], s.item[ok], s.period[ok]]
    size = np.zeros(len(s.stock))
    size[ok] = stock_size(m)[s.customer[ok], s.item[ok]]
    wrong = ok & (np.abs(s.stock - truth) > REL * np.maximum(np.abs(truth), size) + STOCK_ABS)
    return out + [
        Violation(
            "stock balance",
            f"{s.labels['customer'].iat[n]} {s.labels['item'].iat[n]} {s.labels['period'].iat[n]}",
            f"table says {s.stock[n]:,.2f}, deliveries, losses and use give {truth[n]:,.2f}",
        )
        for n in np.flatnonzero(wrong)
    ]


def check_retirements(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Retirements are of items with upkeep, and never more than the stock held before them."""
    out = [
        Violation("retirement", f"{m.customers[k]} {m.items[i]} {m.periods[t]}", "only items with upkeep are retired")
        for k, i, t in zip(*np.nonzero((g.retired > ABS) & ~m.upkeep.declared[None, :, None]), strict=True)
    ]
    if not (g.retired > ABS).any():
        return out
    stock, _ = rebuild_stock(m, g.x, g.drawn, g.retired)
    before = np.concatenate([m.stock0[:, :, None], stock[:, :, :-1]], axis=2) * (1 - m.loss)[None, :, None]
    held = before + deliveries(m, g.x, g.drawn)
    over = g.retired > held + REL * np.maximum(held, stock_size(m)[:, :, None]) + STOCK_ABS
    out += [
        Violation(
            "retirement",
            f"{m.customers[k]} {m.items[i]} {m.periods[t]}",
            f"retires {g.retired[k, i, t]:,.2f}, more than the {held[k, i, t]:,.2f} held",
        )
        for k, i, t in zip(*np.nonzero(over), strict=True)
    ]
    return out


def check_stock_target(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Where the stock table states targets and shortfalls, they are the scenario's targets and
    max(0, target − stock)."""
    s = g.stock
    if s is None:
        return []
    out = []
    ok = (s.customer >= 0) & (s.period >= 0) & (s.item >= 0)
    truth = np.zeros(len(s.stock))
    truth[ok] = m.target[s.customer[ok], s.item[ok], s.period[ok]]
    where = [
        f"{s.labels['customer'].iat[n]} {s.labels['item'].iat[n]} {s.labels['period'].iat[n]}"
        for n in range(len(truth))
    ]
    if s.target is not None:
        for n in np.flatnonzero(ok & (np.abs(s.target - truth) > REL * truth + STOCK_ABS)):
            out.append(Violation("target", where[n], f"table says {s.target[n]:,.2f}, the scenario {truth[n]:,.2f}"))
    if s.shortfall is not None:
        short = np.maximum(0.0, truth - s.stock)
        for n in np.flatnonzero(ok & (np.abs(s.shortfall - short) > REL * truth + STOCK_ABS)):
            out.append(
                Violation("target", where[n], f"shortfall {s.shortfall[n]:,.2f}, target − stock gives {short[n]:,.2f}")
            )
    return out


def _ineligible(
    m: ModelData, f: Funding, rows: np.ndarray, allowed: np.ndarray, what: Callable[[int], str], paid_for: str
) -> list[Violation]:
    """Funding rows paid by a fund that may not pay for them."""
    return [
        Violation(
            "eligibility",
            f"{m.funds[f.fund[n]]} → {what(n)} {m.years[f.year[n]]}",
            f"this fund may not pay for {paid_for}",
        )
        for n in np.flatnonzero(rows & ~allowed)
    ]


def check_order_payment(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Each year, orders on a line for a customer are paid exactly price × quantity, by funds that
    may pay for them."""
    f = g.funding
    rows = (f.fund >= 0) & (f.line >= 0) & (f.year >= 0) & f.is_order & (f.customer >= 0)
    allowed = np.zeros(len(rows), dtype=bool)
    allowed[rows] = m.eligible[f.fund[rows], f.line[rows], f.customer[rows]]

    def what(n: int) -> str:
        return f"{m.lines[f.line[n]]} for {m.customers[f.customer[n]]}"

    out = _ineligible(m, f, rows, allowed, what, "these orders")
    paid = np.zeros((len(m.lines), len(m.customers), len(m.years)))
    np.add.at(paid, (f.line[rows], f.customer[rows], f.year[rows]), f.amount[rows])
    owed = np.zeros(paid.shape)
    np.add.at(owed.T, m.year_index, (m.price[:, None, :] * g.x).T)
    bad = np.abs(paid - owed) > REL * np.abs(owed) + MONEY_ABS
    out += [
        Violation(
            "payment",
            f"{m.lines[l]} {m.customers[k]} {m.years[y]}",
            f"paid {paid[l, k, y]:,.0f}, orders cost {owed[l, k, y]:,.0f} {m.currency}",
        )
        for l, k, y in zip(*np.nonzero(bad), strict=True)
    ]
    return out


def check_capex_payment(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Each year, capacity investment on a line is paid exactly capex × added capacity, by funds
    that may pay for capacity."""
    f = g.funding
    rows = (f.fund >= 0) & (f.line >= 0) & (f.year >= 0) & f.is_capacity
    allowed = np.zeros(len(rows), dtype=bool)
    allowed[rows] = m.eligible_capex[f.fund[rows], f.line[rows]]
    out = _ineligible(m, f, rows, allowed, lambda n: f"capacity on {m.lines[f.line[n]]}", "capacity on this line")
    paid = np.zeros((len(m.lines), len(m.years)))
    np.add.at(paid, (f.line[rows], f.year[rows]), f.amount[rows])
    owed = np.zeros(paid.shape)
    np.add.at(owed.T, m.year_index, (m.capex[:, None] * g.e).T)
    bad = np.abs(paid - owed) > REL * np.abs(owed) + MONEY_ABS
    out += [
        Violation(
            "payment",
            f"capacity on {m.lines[l]} {m.years[y]}",
            f"paid {paid[l, y]:,.0f}, investment costs {owed[l, y]:,.0f} {m.currency}",
        )
        for l, y in zip(*np.nonzero(bad), strict=True)
    ]
    return out


def spending(m: ModelData, g: PlanGrid) -> np.ndarray:
    """(F, Y) money each fund spent in each year, on every purpose."""
    f = g.funding
    rows = (f.fund >= 0) & (f.year >= 0) & ((f.line >= 0) | (f.is_upkeep & (f.item >= 0)))
    spent = np.zeros(m.budget.shape)
    np.add.at(spent, (f.fund[rows], f.year[rows]), f.amount[rows])
    return spent


def for_the_plan(m: ModelData) -> np.ndarray:
    """(F, Y) each fund's yearly budget less its fixed charge (never below 0)."""
    return np.maximum(m.budget - m.upkeep.fixed, 0.0)


def available_money(m: ModelData, spent: np.ndarray) -> np.ndarray:
    """(F, Y) money a fund could spend in each year: its budget less its fixed charge, plus what
    earlier years left unspent when it carries money over."""
    budget = for_the_plan(m)
    carried = np.cumsum(budget - spent, axis=1) - (budget - spent)  # left over from earlier years
    return np.where(m.carry[:, None], budget + carried, budget)


def check_budget(m: ModelData, g: PlanGrid) -> list[Violation]:
    """A fund spends at most what it has each year; without carry-over, at least its minimum."""
    spent = spending(m, g)
    available = available_money(m, spent)
    out = [
        Violation(
            "budget",
            f"{m.funds[f]} {m.years[y]}",
            f"spent {spent[f, y]:,.0f} of {available[f, y]:,.0f} {m.currency} available",
        )
        for f, y in zip(*np.nonzero(spent > available + REL * np.abs(available) + MONEY_ABS), strict=True)
    ]
    return out + _below_minimum(m, spent, ~m.carry)


def check_min_spend(m: ModelData, g: PlanGrid) -> list[Violation]:
    """A fund that carries money over still spends at least its minimum share of each year's budget."""
    return _below_minimum(m, spending(m, g), m.carry)


def _below_minimum(m: ModelData, spent: np.ndarray, funds: np.ndarray) -> list[Violation]:
    budget = for_the_plan(m)
    need = m.min_spend[:, None] * budget
    short = funds[:, None] & (spent < need - REL * budget - MONEY_ABS)
    return [
        Violation(
            "minimum spend", f"{m.funds[f]} {m.years[y]}", f"spent {spent[f, y]:,.0f}, must spend {need[f, y]:,.0f}"
        )
        for f, y in zip(*np.nonzero(short), strict=True)
    ]


def check_upkeep_payment(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Each year, the upkeep of each customer's stock of each item is paid exactly: upkeep per
    period × the stock held at the end of each of its periods (rebuilt from the tables, so initial
    stock pays too), by funds that may pay upkeep for that customer and item. The tolerance adds a
    year's upkeep of a thousandth of a unit, the stock's own tolerance."""
    f, up = g.funding, m.upkeep
    rows = (f.fund >= 0) & (f.year >= 0) & f.is_upkeep & (f.customer >= 0) & (f.item >= 0)
    allowed = np.zeros(len(rows), dtype=bool)
    allowed[rows] = up.eligible[f.fund[rows], f.customer[rows], f.item[rows]]

    def what(n: int) -> str:
        return f"upkeep of {m.customers[f.customer[n]]}'s {m.items[f.item[n]]}"

    out = _ineligible(m, f, rows, allowed, what, "this upkeep")
    K, I, _ = m.target.shape
    paid = np.zeros((K, I, len(m.years)))
    np.add.at(paid, (f.customer[rows], f.item[rows], f.year[rows]), f.amount[rows])
    stock, _ = rebuild_stock(m, g.x, g.drawn, g.retired)
    owed = np.zeros(paid.shape)
    np.add.at(owed.T, m.year_index, (np.where(up.declared, up.cost / m.cal.per_year, 0.0)[None, :, None] * stock).T)
    tolerance = REL * np.abs(owed) + MONEY_ABS + STOCK_ABS * up.cost[None, :, None]
    out += [
        Violation(
            "upkeep",
            f"{m.customers[k]} {m.items[i]} {m.years[y]}",
            f"paid {paid[k, i, y]:,.0f}, the stock held costs {owed[k, i, y]:,.0f} {m.currency} to keep",
        )
        for k, i, y in zip(*np.nonzero(np.abs(paid - owed) > tolerance), strict=True)
    ]
    return out


def check_drawdowns(m: ModelData, g: PlanGrid) -> list[Violation]:
    """A drawdown transfers at most its quantity (by default the donor's declared stock) over the
    horizon, and each year the vehicle named for its replacement pays exactly the replacement
    line's price × the units whose replacement falls due that year (in the horizon's last year for
    those due after it)."""
    tr, f = m.transfers, g.funding
    total = g.drawn.sum(axis=1)
    out = [
        Violation("drawdown", tr.ids[j], f"transfers {total[j]:,.1f}, more than the {tr.total[j]:,.1f} it may transfer")
        for j in np.flatnonzero(_over(total, tr.total))
    ]
    rows = (f.fund >= 0) & (f.line >= 0) & (f.year >= 0) & f.is_replacement
    F, L, Y = len(m.funds), len(m.lines), len(m.years)
    paid = np.zeros((F, L, Y))
    np.add.at(paid, (f.fund[rows], f.line[rows], f.year[rows]), f.amount[rows])
    owed = np.zeros((F, L, Y))
    paid_in = tr.pay_period(m.T)
    for j in np.flatnonzero(tr.replaced):
        cost = g.drawn[j] * m.price[tr.line[j], paid_in[j]]
        np.add.at(owed[tr.fund[j], tr.line[j]], m.year_index[paid_in[j]], cost)
    bad = np.abs(paid - owed) > REL * np.abs(owed) + MONEY_ABS
    out += [
        Violation(
            "replacement",
            f"{m.funds[ff]} → {m.lines[l]} {m.years[y]}",
            f"paid {paid[ff, l, y]:,.0f}, replacing what drawdowns transferred costs {owed[ff, l, y]:,.0f} {m.currency}",
        )
        for ff, l, y in zip(*np.nonzero(bad), strict=True)
    ]
    return out


def check_refurbishment_pool(m: ModelData, g: PlanGrid) -> list[Violation]:
    """A refurbishment line delivers at most its stored pool over the horizon."""
    tr = m.transfers
    ordered = g.x.sum(axis=(1, 2))
    return [
        Violation(
            "stored pool",
            m.lines[l],
            f"orders {ordered[l]:,.1f} refurbished units, {tr.stored[l]:,.1f} are in storage",
        )
        for l in np.flatnonzero(tr.refurbished & _over(ordered, tr.stored))
    ]


# -- rules on variable bounds that come from the user's input ---------------------------------------


def check_order_bounds(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Orders meet commitments and arrive within the horizon, in period + lead time."""
    x, o, P = g.x, g.orders, m.periods
    t = np.arange(m.T)
    late = (x.sum(axis=1) > ABS) & (t[None, :] + m.lead[:, None] >= m.T)
    out = [
        Violation(
            "lead time", f"{m.lines[l]} {P[tt]}", f"order would arrive after the horizon (lead {m.lead[l]} periods)"
        )
        for l, tt in zip(*np.nonzero(late), strict=True)
    ]
    if o.delivery is not None:
        good = (o.line >= 0) & (o.customer >= 0) & (o.period >= 0)
        expect = np.where(good, o.period + m.lead[np.maximum(o.line, 0)], -1)
        for n in np.flatnonzero(good & (expect < m.T) & (o.delivery != expect)):
            out.append(
                Violation(
                    "lead time",
                    f"{o.labels['line'].iat[n]} {o.labels['period'].iat[n]}",
                    f"delivery in {o.labels['delivery_period'].iat[n]}, but lead time {m.lead[o.line[n]]} periods means {P[expect[n]]}",
                )
            )
    short = x < m.committed - REL * m.committed - ABS
    out += [
        Violation(
            "commitment",
            f"{m.lines[l]} {m.customers[k]} {P[tt]}",
            f"orders {x[l, k, tt]:,.1f} below the contracted {m.committed[l, k, tt]:,.1f}",
        )
        for l, k, tt in zip(*np.nonzero(short), strict=True)
    ]
    return out


def check_expansion_bounds(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Capacity started in one period adds at most the line's expansion limit."""
    e, ppy = g.e, m.cal.per_year
    over = _over(e, np.broadcast_to(m.emax[:, None], e.shape))
    return [
        Violation(
            "expansion limit",
            f"{m.lines[l]} {m.periods[t]}",
            f"adds {e[l, t] * ppy:,.1f}/year, limit {m.emax[l] * ppy:,.1f}/year per period",
        )
        for l, t in zip(*np.nonzero(over), strict=True)
    ]


def check_drawdown_bounds(m: ModelData, g: PlanGrid) -> list[Violation]:
    """A drawdown transfers at most what is available in each period, and nothing that would
    arrive after the horizon."""
    tr, d = m.transfers, g.drawn
    t = np.arange(m.T)
    late = (d > ABS) & (t[None, :] + tr.delivery[:, None] >= m.T)
    out = [
        Violation(
            "delivery time",
            f"{tr.ids[j]} {m.periods[tt]}",
            f"a transfer would arrive after the horizon (delivery {tr.delivery[j]} periods)",
        )
        for j, tt in zip(*np.nonzero(late), strict=True)
    ]
    out += [
        Violation(
            "drawdown available",
            f"{tr.ids[j]} {m.periods[tt]}",
            f"transfers {d[j, tt]:,.1f}, at most {tr.available[j, tt]:,.1f} available",
        )
        for j, tt in zip(*np.nonzero(_over(d, tr.available)), strict=True)
    ]
    return out


def pipeline_of(m: ModelData, l: int) -> np.ndarray:
    """(T,) what component line ``l``, running at its first period's capacity before the horizon,
    started then and has ready in each period before its lead time ends (0 from then on)."""
    return np.where(np.arange(m.T) < m.lead[l], m.cap[l, 0], 0.0)


def rebuild_components(
    m: ModelData, x: np.ndarray, z: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(I, T) components ready (made, after lead times), used (need × output ordered or started on
    the lines needing them), held at the end of each period (carried with losses) and missing (use
    beyond what was made and carried; what is held is then 0, so a gap is counted once)."""
    I, T = len(m.items), m.T
    ready = np.zeros((I, T))
    for l in np.flatnonzero(m.component_line):
        lead = int(m.lead[l])
        if lead < T:
            ready[m.line_item[l], lead:] += z[l, : T - lead]
        ready[m.line_item[l], : min(lead, T)] += pipeline_of(m, l)[: min(lead, T)]
    output = x.sum(axis=1) + z  # (L, T) output ordered or started on each line
    used = m.need.T @ output
    held, missing = np.zeros((I, T)), np.zeros((I, T))
    prev = np.zeros(I)
    for t in range(T):
        level = (1 - m.loss) * prev + ready[:, t] - used[:, t]
        missing[:, t] = np.maximum(0.0, -level)
        prev = held[:, t] = np.maximum(0.0, level)
    return ready, used, held, missing


def check_component_balance(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Lines never use more of a component than was made (after its lead time) and carried; no
    customer orders a component; the table's use and holdings are what the plan gives."""
    if g.components is None:
        return []
    out = [
        Violation(
            "component",
            f"{m.lines[l]} {m.customers[k]} {m.periods[t]}",
            "orders on a line making a component: customers do not order components",
        )
        for l, k, t in zip(*np.nonzero((g.x > ABS) & m.component_line[:, None, None]), strict=True)
    ]
    ready, used, held, missing = rebuild_components(m, g.x, g.z)  # ready includes the pipeline
    scale = REL * np.maximum(np.cumsum(ready, axis=1), np.cumsum(used, axis=1)) + ABS
    for i, t in zip(*np.nonzero(m.component[:, None] & (missing > scale)), strict=True):
        out.append(
            Violation(
                "component",
                f"{m.items[i]} {m.periods[t]}",
                f"lines use {used[i, t]:,.1f}, but only {used[i, t] - missing[i, t]:,.1f} was made by then and carried",
            )
        )
    return out + _component_rows(m, g.components, g.x, g.z, held)


def _component_rows(m: ModelData, c: Components, x: np.ndarray, z: np.ndarray, held: np.ndarray) -> list[Violation]:
    """The table's 'used', 'pipeline' and 'held' rows against what its production, the orders and
    the scenario give."""
    output = x.sum(axis=1) + z  # (L, T)
    piped = np.array([pipeline_of(m, l) * m.component_line[l] for l in range(len(m.lines))]).reshape(-1, m.T)
    used, piping = c.used[c.used["flow"] == "used"], c.used[c.used["flow"] == "pipeline"]
    out = []
    for what, rows, truth in (
        (
            "used",
            used,
            m.need[_at(used, "line"), _at(used, "component")] * output[_at(used, "line"), _at(used, "period")],
        ),
        ("pipeline", piping, piped[_at(piping, "line"), _at(piping, "period")]),
        ("held", c.held, held[_at(c.held, "component"), _at(c.held, "period")]),
    ):
        wrong = np.abs(rows["quantity"].to_numpy() - truth) > REL * np.abs(truth) + ABS
        out += [
            Violation(
                "component",
                f"{_row('components', n)} ({what})",
                f"table says {q:,.2f}, production, orders and needs give {v:,.2f}",
            )
            for n, q, v in zip(rows.index[wrong], rows["quantity"].to_numpy()[wrong], truth[wrong], strict=True)
        ]
    return out


def _at(rows: pd.DataFrame, column: str) -> np.ndarray:
    return rows[column].to_numpy(dtype=np.int64)


def check_production_bounds(m: ModelData, g: PlanGrid) -> list[Violation]:
    """Components are only made where they are ready within the horizon (production + lead)."""
    if g.components is None:
        return []
    late = (g.z > ABS) & (np.arange(m.T)[None, :] + m.lead[:, None] >= m.T)
    return [
        Violation(
            "lead time",
            f"{m.lines[l]} {m.periods[tt]}",
            f"components started here would be ready after the horizon (lead {m.lead[l]} periods)",
        )
        for l, tt in zip(*np.nonzero(late), strict=True)
    ]


Rule = Callable[[ModelData, PlanGrid], list[Violation]]

RULES: dict[str, Rule] = {
    "Line-capacity": check_capacity,
    "Line-share": check_share,
    "Line-expansion": check_build_time,
    "Stock-balance": check_stock_balance,
    "Stock-target": check_stock_target,
    "Order-payment": check_order_payment,
    "Capex-payment": check_capex_payment,
    "Funding-budget": check_budget,
    "Funding-min-spend": check_min_spend,
    "Upkeep-payment": check_upkeep_payment,
    "Drawdown-stock": check_drawdowns,
    "Refurbish-pool": check_refurbishment_pool,
    "Component-balance": check_component_balance,
}
BOUND_RULES: dict[str, Rule] = {
    "x": check_order_bounds,
    "e": check_expansion_bounds,
    "d": check_drawdown_bounds,
    "z": check_production_bounds,
}


def check_plan(
    m: ModelData,
    orders: pd.DataFrame,
    investments: pd.DataFrame,
    funding: pd.DataFrame,
    stock: pd.DataFrame | None = None,
    retirements: pd.DataFrame | None = None,
    drawdowns: pd.DataFrame | None = None,
    components: pd.DataFrame | None = None,
) -> list[Violation]:
    """Every violated rule of the scenario by the plan's tables (empty list: the plan is valid).
    Without a retirements or drawdowns table, nothing is taken to be retired or transferred;
    ``components`` is needed when the scenario has components."""
    out: list[Violation] = []
    grid = read_grid(m, orders, investments, funding, stock, out, retirements, drawdowns, components)
    for rule in (*BOUND_RULES.values(), *RULES.values()):
        out += rule(m, grid)
    return out
