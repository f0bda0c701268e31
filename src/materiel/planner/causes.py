"""Why a target is missed: for each customer, item and date short of target, the binding causes in
the scenario's names (docs/assessment.md, "Why a target is missed").

``limits.plan_limits`` says per year what holds the whole plan back; this says it per customer, item
and date, from the same solved tables and the model data. Deliveries to a customer by date t come
from orders placed in the periods t' ≤ t − lead(l) on the lines l making the item (the window). For
each line and each period of its window the plan is read for what stopped a larger order:

- ``capacity``: the line ran at its full capacity (base plus what the plan added), or had none (not
  yet open); the ``detail`` says why it could not expand more: no expansion allowed, no vehicle may
  pay for capacity on it, the build time too long to help by the date, the expansion cap reached in
  every period it could start, or the vehicles that may pay for capacity spent all they had;
- ``share``: the customer took its whole share of the line's capacity (a share of 0: none at all);
- ``pool``: a refurbishment line's stored pool is used up;
- ``components``: the line ran out of a component while it had capacity to spare (the components
  table's ``limiting``);
- ``budget``: every vehicle that may pay for the customer's orders on the line spent all it had that
  year (with carry-over: nothing was left at the end of the horizon);
- ``lead_time``: even an order placed in the first period arrives after the date;
- ``no_eligible_money``: no vehicle may pay for the customer's orders on the line, with the rule of
  each vehicle that forbids it (origin, customer, category);
- ``no_line``: no line makes the item; ``none_found``: every line had capacity and money to spare.

These are facts read from the plan (slacks and bounds), not the LP's duals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..scenario.compiled import ModelData
from ..scenario.units import DAYS_PER
from .limits import FULL, SHORT

COLUMNS = (
    "customer",
    "item",
    "item_name",
    "period",
    "year",
    "target",
    "stock",
    "short_by",
    "short_share",
    "cause",
    "entity",
    "entity_name",
    "detail",
    "text",
)
CAUSES = (
    "no_line",
    "lead_time",
    "no_eligible_money",
    "capacity",
    "share",
    "pool",
    "components",
    "budget",
    "none_found",
)


# what stopped a larger order in one period of a line's window, in this order of precedence
SPARE, CLOSED, FULL_LINE, AT_SHARE, POOL, COMPONENTS = range(6)


@dataclass
class _Reading:
    """The solved plan as arrays on the model's grid."""

    x: np.ndarray  # (L, K, T) orders
    total: np.ndarray  # (L, T) capacity, base plus added, per period
    started: np.ndarray  # (L, T) capacity per period added by investments started in t
    used_up: np.ndarray  # (F, Y) bool: the fund had nothing left for the plan that year
    short_of: dict[tuple[int, int], list[str]] = field(default_factory=dict)  # (l, t) -> limiting components


def _grid(m: ModelData, table: pd.DataFrame, column: str, *keys: str) -> np.ndarray:
    """A table's ``column`` placed on the model's grid by its id columns (line, customer, period)."""
    index = {"line": m.lines, "customer": m.customers, "period": m.periods}
    out = np.zeros(tuple(len(index[k]) for k in keys))
    if len(table):
        at = tuple(pd.Index(index[k]).get_indexer(table[k]) for k in keys)
        np.add.at(out, at, table[column].to_numpy(dtype=float))
    return out


def _used_up(m: ModelData, budgets: pd.DataFrame) -> np.ndarray:
    """(F, Y) whether each fund spent all it had for the plan in each year (its budget less any
    fixed charge, plus what it carried in), or, with carry-over, left nothing at the end."""
    F, Y = m.budget.shape
    spent = budgets["spent"].to_numpy().reshape(F, Y)
    carried = budgets["carried_out"].to_numpy().reshape(F, Y)
    carried_in = np.zeros((F, Y))
    carried_in[:, 1:] = carried[:, :-1]
    available = np.maximum(m.budget - m.upkeep.fixed, 0.0) + carried_in
    all_spent = spent >= available * (1 - FULL) - 1e-9 * np.maximum(1.0, m.budget)
    nothing_left = m.carry & (carried[:, -1] <= FULL * np.maximum(1.0, m.budget.sum(axis=1)))
    return all_spent | nothing_left[:, None]


def _limiting_components(m: ModelData, components: pd.DataFrame) -> dict[tuple[int, int], list[str]]:
    """(line, period) -> the components that held the line back then (``limiting`` rows)."""
    if components is None or not len(components) or not m.component.any():
        return {}
    rows = components[components["flow"].eq("used") & components["limiting"].eq(True)]
    out: dict[tuple[int, int], list[str]] = defaultdict(list)
    lines, periods = pd.Index(m.lines), pd.Index(m.periods)
    for line, period, part in zip(
        lines.get_indexer(rows["line"]), periods.get_indexer(rows["period"]), rows["component"], strict=True
    ):
        out[(int(line), int(period))].append(str(part))
    return dict(out)


def _states(m: ModelData, r: _Reading) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(L, K, T) what limited the quantity of a larger order on line l for customer k in period t
    (codes above; SPARE: nothing), whether the customer took its whole share of the line then (also
    where the line was full: a larger share could have taken what others got), and whether every
    vehicle that may pay for it had spent all it had that year."""
    L, K, T = r.x.shape
    used = r.x.sum(axis=1)  # (L, T)
    state = np.full((L, K, T), SPARE, dtype=np.int8)
    money = np.zeros((L, K, T), dtype=bool)
    y = m.year_index
    for l in range(L):
        for k in range(K):
            funds = np.flatnonzero(m.eligible[:, l, k])
            if funds.size:
                money[l, k] = r.used_up[funds][:, y].all(axis=0)
    for l, t in r.short_of:
        state[l, :, t] = COMPONENTS
    pool = m.transfers.refurbished & (used.sum(axis=1) >= m.transfers.stored * (1 - FULL))
    state[pool] = POOL
    limit = m.share[:, :, None] * r.total[:, None, :]
    at_share = (m.share < 1)[:, :, None] & (limit > 1e-9) & (r.x >= limit * (1 - FULL) - 1e-9)
    state[at_share] = AT_SHARE
    full = (r.total > 1e-9) & (used >= r.total * (1 - FULL))
    state[np.broadcast_to(full[:, None, :], state.shape)] = FULL_LINE
    state[np.broadcast_to((r.total <= 1e-9)[:, None, :], state.shape)] = CLOSED
    return state, at_share, money


class _Words:
    """The scenario's names for ids, and the calendar in words."""

    def __init__(self, m: ModelData) -> None:
        sc = m.scenario
        self.m = m
        self.item = [it.name for it in sc.items]
        self.customer = [c.name for c in sc.customers]
        self.fund = [f.name for f in sc.funding]
        self.unit = "quarter" if m.cal.per_year == 4 else "month" if m.cal.per_year == 12 else "year"

    def line(self, l: int) -> str:
        m = self.m
        return f"line {m.lines[l]} ({m.line_supplier[l]}, {m.line_country[l]})"

    def periods(self, n: int) -> str:
        return f"{n} {self.unit}{'s' if n != 1 else ''}"

    def window(self, n: int, of: int, date: str) -> str:
        if n == of == 1:
            return f"in the only {self.unit} whose orders arrive by {date}"
        if n == of:
            return f"in all {self.periods(of)} whose orders arrive by {date}"
        return f"in {n} of the {self.periods(of)} whose orders arrive by {date}"


def _blocking_rules(m: ModelData, f: int, l: int, k: int) -> list[str]:
    """Which of fund f's rules forbid it to pay for customer k's orders on line l."""
    fu = m.scenario.funding[f]
    tags = m.line_tags[l]
    out = []
    if m.component_line[l]:
        out.append("components are not bought by customers")
    if fu.origins is not None and not tags & set(fu.origins):
        out.append(f"origin rule: buys only from {', '.join(fu.origins)}, not {m.line_country[l]}")
    if excluded := sorted(tags & set(fu.exclude)):
        out.append(f"origin rule: excludes {', '.join(excluded)}")
    if fu.customers is not None and m.customers[k] not in fu.customers:
        out.append(f"customer rule: buys only for {', '.join(fu.customers)}")
    category = m.item_category[m.line_item[l]]
    if fu.categories is not None and category not in fu.categories:
        out.append(f"category rule: buys only {', '.join(fu.categories)}, not {category}")
    return out


def _expansion(m: ModelData, r: _Reading, w: _Words, l: int, t: int, date: str) -> tuple[str, str]:
    """Why line l could not have more capacity for orders arriving by period t: a short key
    (``detail``) and the words."""
    ppy = m.cal.per_year
    if m.emax[l] <= 0:
        return "no expansion allowed", "it may not expand (no expansion_max)"
    payers = np.flatnonzero(m.eligible_capex[:, l])
    if not payers.size:
        return (
            "no vehicle may pay for capacity",
            "no vehicle may pay for capacity on it (none with capex: true admits it)",
        )
    last = t - int(m.lead[l]) - int(m.build[l])  # the last start whose capacity takes orders arriving by t
    if last < 0:
        ready = int(m.build[l])
        return "build time too long", (
            f"build time too long: capacity started in {m.periods[0]} is usable from "
            f"{m.cal.label(ready)}, and orders then arrive in {m.cal.label(ready + int(m.lead[l]))}, after {date}"
        )
    room = r.started[l, : last + 1] < m.emax[l] * (1 - FULL)
    if not room.any():
        return "expansion cap reached", (
            f"expansion cap reached: the plan added the most it may ({_count(m.emax[l] * ppy * ppy)} a year of "
            f"capacity per year of starts) in every {w.unit} from {m.periods[0]} to {m.periods[last]}"
        )
    years = np.unique(m.year_index[: last + 1][room])
    if r.used_up[np.ix_(payers, years)].all():
        names = ", ".join(w.fund[f] for f in payers)
        return "capacity budgets used up", f"the vehicles that may pay for capacity on it ({names}) spent all they had"
    return "could have expanded", "it could have expanded more"


def _percent(v: float) -> str:
    """'45 %', '0.4 %': a share of a target, never rounded to 0 % while short."""
    return f"{100 * v:.0f} %" if v >= 0.01 else f"{100 * v:.1g} %"


def _count(v: float) -> str:
    """'50,000', '12.5', '0.25': units as read."""
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.3g}"


@dataclass
class _Cause:
    """One cause of one shortfall, gathered over the lines and periods that show it."""

    entity_name: str
    details: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # budget: the lines the fund may pay for
    years: set[int] = field(default_factory=set)  # budget: the years it spent all it had

    def text(self) -> str:
        """The cause in words: its parts, or for a budget the vehicle, years and lines at once."""
        if self.lines:
            when = ", ".join(str(y) for y in sorted(self.years))
            return f"{self.entity_name} spent all it had in {when} (it may pay for {', '.join(self.lines)})"
        return "; ".join(dict.fromkeys(self.parts))


def _line_causes(
    m: ModelData,
    r: _Reading,
    w: _Words,
    state: tuple[np.ndarray, np.ndarray, np.ndarray],
    k: int,
    l: int,
    t: int,
    found: dict,
) -> None:
    """Add what held line l back for customer k's deliveries by period t to ``found``."""
    date = m.periods[t]
    line = w.line(l)
    last = t - int(m.lead[l])
    if last < 0:
        months = m.lead_days[l] / DAYS_PER["month"]
        found.setdefault(("lead_time", m.lines[l]), _Cause(m.line_supplier[l])).parts.append(
            f"an order on {line} placed in the first {w.unit} ({m.periods[0]}) arrives in "
            f"{m.cal.label(int(m.lead[l]))} (lead time {months:,.3g} months), after {date}"
        )
        return
    funds = np.flatnonzero(m.eligible[:, l, k])
    if not funds.size:
        blocks = [(f, _blocking_rules(m, f, l, k)) for f in range(len(m.funds))]
        rules = [f"{w.fund[f]}: {'; '.join(said)}" for f, said in blocks]
        cause = found.setdefault(("no_eligible_money", m.lines[l]), _Cause(m.line_supplier[l]))
        kinds = sorted({rule.split(":")[0] for _, said in blocks for rule in said})
        cause.details.append(", ".join(kinds))
        cause.parts.append(f"no vehicle may pay for {w.customer[k]}'s orders on {line} ({'; '.join(rules)})")
        return
    if m.share[l, k] <= 0:
        found.setdefault(("share", m.lines[l]), _Cause(m.line_supplier[l])).parts.append(
            f"{line} gives {w.customer[k]} no share of its output (share 0)"
        )
        return
    window, at_share, money = (a[l, k, : last + 1] for a in state)
    n = last + 1
    # a limit binds where relaxing it alone would have bought more: quantity where money was left,
    # money where the line had room; where both held everywhere, both bind together
    limited = (window != SPARE) | at_share
    quantity_only, money_only = (limited & ~money).any(), (money & ~limited).any()
    both = (limited & money).any()
    if not (quantity_only or (both and not money_only)):
        window, at_share = np.full_like(window, SPARE), np.zeros_like(at_share)
    if money_only or (both and not quantity_only):
        years = np.unique(m.year_index[: last + 1][money])
        for f in funds:
            cause = found.setdefault(("budget", m.funds[f]), _Cause(w.fund[f]))
            cause.lines.append(line)
            cause.years.update(m.years[y] for y in years)
    full, closed = int((window == FULL_LINE).sum()), int((window == CLOSED).sum())
    if full or closed:
        if not closed:
            said = f"full {w.window(full, n, date)}"
        elif not full:
            said = f"not yet open {w.window(closed, n, date)}"
        else:
            said = f"full in {full} and not yet open in {closed} of the {w.periods(n)} whose orders arrive by {date}"
        key, why = _expansion(m, r, w, l, t, date)
        cause = found.setdefault(("capacity", m.lines[l]), _Cause(m.line_supplier[l]))
        cause.details.append(key)
        cause.parts.append(f"{line} was {said}; {why}")
    if shared := int(at_share.sum()):
        found.setdefault(("share", m.lines[l]), _Cause(m.line_supplier[l])).parts.append(
            f"{w.customer[k]} took its whole share ({m.share[l, k]:.0%}) of {line} {w.window(shared, n, date)}"
        )
    if (window == POOL).any():
        found.setdefault(("pool", m.lines[l]), _Cause(m.line_supplier[l])).parts.append(
            f"{line} refurbished its whole stored pool ({m.transfers.stored[l]:,.0f})"
        )
    if parts_short := int((window == COMPONENTS).sum()):
        names = sorted({c for s in range(last + 1) for c in r.short_of.get((l, s), [])})
        for c in names:
            i = m.items.index(c)
            found.setdefault(("components", c), _Cause(w.item[i])).parts.append(
                f"{line} ran out of {w.item[i]} while it had capacity to spare {w.window(parts_short, n, date)}"
            )


def _cell_causes(
    m: ModelData,
    r: _Reading,
    w: _Words,
    state: tuple[np.ndarray, np.ndarray, np.ndarray],
    lines_of: list[np.ndarray],
    k: int,
    i: int,
    t: int,
) -> dict:
    """(cause, entity) -> _Cause for customer k's shortfall of item i at period t."""
    found: dict[tuple[str, str], _Cause] = {}
    lines = lines_of[i]
    if not lines.size:
        found[("no_line", m.items[i])] = _Cause(w.item[i], parts=["no line makes it"])
        return found
    for l in lines:
        _line_causes(m, r, w, state, k, int(l), t, found)
    if not found:
        found[("none_found", m.items[i])] = _Cause(
            w.item[i],
            parts=[
                "no binding cause found: its lines had capacity to spare and money was left in the years "
                "whose orders arrive by then"
            ],
        )
    return found


def target_causes(
    m: ModelData,
    orders: pd.DataFrame,
    capacity: pd.DataFrame,
    investments: pd.DataFrame,
    stock: pd.DataFrame,
    budgets: pd.DataFrame,
    components: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per customer, item, period short of target, cause and entity (line, fund,
    component or item), with the shortfall in units and as a share of the target, and the cause in
    words. The stock table is the full (customer, item, period) grid in that order."""
    K, I, T = m.target.shape
    ppy = m.cal.per_year
    r = _Reading(
        x=_grid(m, orders, "quantity", "line", "customer", "period"),
        total=_grid(m, capacity, "total_per_year", "line", "period") / ppy,
        started=_grid(m, investments, "added_per_year", "line", "period") / ppy,
        used_up=_used_up(m, budgets),
        short_of=_limiting_components(m, components),
    )
    gap = stock["shortfall"].to_numpy().reshape(K, I, T)
    held = stock["stock"].to_numpy().reshape(K, I, T)
    short = gap > np.maximum(SHORT, FULL * m.target)
    if not short.any():
        return pd.DataFrame({c: [] for c in COLUMNS})
    state = _states(m, r)
    w = _Words(m)
    customer_lines = ~m.component_line
    lines_of = [np.flatnonzero((m.line_item == i) & customer_lines) for i in range(I)]
    rows, counts = [], []
    for k, i, t in zip(*np.nonzero(short), strict=True):
        found = _cell_causes(m, r, w, state, lines_of, int(k), int(i), int(t))
        counts.append(len(found))
        for (cause, entity), c in found.items():
            rows.append(
                (
                    m.customers[k],
                    m.items[i],
                    w.item[i],
                    m.periods[t],
                    int(m.cal.year_of[t]),
                    float(m.target[k, i, t]),
                    float(held[k, i, t]),
                    float(gap[k, i, t]),
                    float(gap[k, i, t] / m.target[k, i, t]),
                    cause,
                    entity,
                    c.entity_name,
                    "; ".join(dict.fromkeys(c.details)),
                    c.text(),
                )
            )
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    # rows come by customer, item and period in the scenario's order; within each, by cause
    cell = np.repeat(np.arange(len(counts)), counts)
    order = pd.DataFrame({"cell": cell, "cause": out["cause"].map(CAUSES.index), "entity": out["entity"]})
    return out.iloc[order.sort_values(["cell", "cause", "entity"], kind="stable").index].reset_index(drop=True)


def latest(causes: pd.DataFrame, customer: str) -> pd.DataFrame:
    """The rows of ``customer`` at the latest date each item is short (in the scenario's item order
    as the table keeps it)."""
    if causes.empty:
        return causes
    rows = causes[causes["customer"] == customer]
    if rows.empty:
        return rows
    last = rows.groupby("item", sort=False)["period"].transform("max")
    return rows[rows["period"] == last].reset_index(drop=True)


def by_item(causes: pd.DataFrame, customer: str) -> list[dict]:
    """Per item short of ``customer``'s target, the latest date it is short, by how much, and its
    causes: the form summary.json, the terminal and the report give."""
    out: dict[str, dict] = {}
    for row in latest(causes, customer).to_dict("records"):
        entry = out.setdefault(
            row["item"],
            {
                "item": row["item"],
                "item_name": row["item_name"],
                "period": row["period"],
                "short_by": round(float(row["short_by"]), 3),
                "short_share": round(float(row["short_share"]), 4),
                "causes": [],
            },
        )
        entry["causes"].append({k: row[k] for k in ("cause", "entity", "entity_name", "detail", "text")})
    return list(out.values())


def headline(entry: dict) -> str:
    """'PAC-3 MSE at 2030Q4, short by 1,200 (45 % of target)'."""
    return (
        f"{entry['item_name']} at {entry['period']}, short by {_count(entry['short_by'])} "
        f"({_percent(entry['short_share'])} of target)"
    )


def brief(entry: dict) -> str:
    """The causes of one item's shortfall in a line: kind, entity and short detail."""
    parts = []
    for c in entry["causes"]:
        detail = f" ({c['detail']})" if c["detail"] else ""
        who = c["entity_name"] or c["entity"]  # names for the reader; causes.csv keeps the ids
        parts.append(f"{c['cause'].replace('_', ' ')} {who}{detail}")
    return "; ".join(parts)


def reading_table(causes: pd.DataFrame, customer: str) -> pd.DataFrame:
    """The latest shortfall of each of ``customer``'s items with one row per cause, in the reader's
    names and units (the report's table)."""
    rows = latest(causes, customer)
    if rows.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "item": rows["item_name"],
            "short at": rows["period"],
            "short by (units)": [_count(v) for v in rows["short_by"]],
            "of target": [_percent(v) for v in rows["short_share"]],
            "cause": rows["cause"].str.replace("_", " "),
            "line, vehicle or component": [n or e for e, n in zip(rows["entity"], rows["entity_name"], strict=True)],
            "why": rows["text"],
        }
    )
