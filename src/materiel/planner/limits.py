"""What a solved plan used and what held it back, read from its tables once per plan
(docs/model.md, "Reading back: what limits the plan").

- ``envelope_use``: per vehicle and year, the money available (budget plus what was carried in),
  what was spent and the share used.
- ``contributions``: money spent per contributing country, vehicle and year (a vehicle's spending
  times each contributor's share), the unit in which public trackers count aid; the recipients' own
  money (``own: true``) is marked so no headline counts it as aid.
- ``plan_limits``: per year, whether money binds (a vehicle that may pay for a still-short item
  spent all it had), capacity binds (a line making a still-short item ran at its full capacity, or
  at the customer's share of it, all year), components bind (such a line ran out of a component
  all year while it had capacity to spare: the components table's ``limiting``) or neither, in
  words an analyst can quote.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..fmt import money
from ..scenario.compiled import ModelData
from ..scenario.countries import builtin_countries
from ..scenario.names import names, possessive

FULL = 1e-6  # relative: money or capacity used to within this share of what there was counts as all of it
SHORT = 1e-3  # units: a shortfall below this (or below FULL of the target) is rounding, not a gap
LISTED = 4  # names listed in a sentence before "and N more"
NOT_SPLIT = "not split"


def envelope_use(m: ModelData, budgets: pd.DataFrame) -> pd.DataFrame:
    """Per fund and year: the year's budget, what was available (budget + carried in), spent,
    the share of the year's budget spent (above 1 when carried-in money is spent), and whether all
    that was available was spent; ``own`` marks the recipients' own money."""
    F, Y = m.budget.shape
    carried = budgets["carried_out"].to_numpy().reshape(F, Y)
    spent = budgets["spent"].to_numpy().reshape(F, Y)
    carried_in = np.zeros((F, Y))
    carried_in[:, 1:] = carried[:, :-1]
    available = m.budget + carried_in
    with np.errstate(divide="ignore", invalid="ignore"):
        used = np.where(m.budget > 0, spent / np.where(m.budget > 0, m.budget, 1.0), np.nan)
    own = m.own if m.own is not None else np.zeros(F, dtype=bool)
    ff, yy = (a.ravel() for a in np.meshgrid(np.arange(F), np.arange(Y), indexing="ij"))
    return pd.DataFrame(
        {
            "fund": np.array(m.funds, dtype=object)[ff],
            "own": own[ff],
            "year": np.array(m.years)[yy],
            "budget": m.budget.ravel(),
            "available": available.ravel(),
            "spent": spent.ravel(),
            "share_used": used.ravel(),
            "all_spent": ((available > 0) & (spent >= available * (1 - FULL))).ravel(),
        }
    )


def contributions(m: ModelData, budgets: pd.DataFrame) -> pd.DataFrame:
    """Money spent per contributing country, fund and year; a fund without contributors is one
    row per year with contributor 'not split'."""
    names = {code: name for code, (name, _) in builtin_countries().items()}
    names |= {c.code: c.name for c in m.scenario.countries}
    F, Y = m.budget.shape
    spent = budgets["spent"].to_numpy().reshape(F, Y)
    fund, code, part = [], [], []
    for f in range(F):
        split = (m.contributors[f] if f < len(m.contributors) else {}) or {NOT_SPLIT: 1.0}
        fund += [f] * len(split)
        code += list(split)
        part += list(split.values())
    rows = np.repeat(np.arange(len(fund)), Y)
    years = np.tile(np.arange(Y), len(fund))
    at = np.array(fund, dtype=np.int64)[rows]
    codes = np.array(code, dtype=object)[rows]
    return pd.DataFrame(
        {
            "contributor": codes,
            "country": [names.get(c, "") for c in codes],
            "fund": np.array(m.funds, dtype=object)[at],
            "own": np.array([m.is_own(f) for f in range(F)], dtype=bool)[at] if F else np.zeros(0, dtype=bool),
            "year": np.array(m.years)[years],
            "amount": spent[at, years] * np.array(part)[rows],
        }
    )


def _still_short(m: ModelData, stock: pd.DataFrame) -> np.ndarray:
    """(Y, I) bool: item short (for any customer) in some period from the start of that year on.
    The stock table is the full (customer, item, period) grid in that order (``result.read_stock``)."""
    K, I, T = m.target.shape
    gap = stock["shortfall"].to_numpy().reshape(K, I, T)
    short = (gap > np.maximum(SHORT, FULL * m.target)).any(axis=0)  # (I, T)
    from_now_on = np.logical_or.accumulate(short[:, ::-1], axis=1)[:, ::-1]
    firsts = np.searchsorted(m.year_index, np.arange(len(m.years)))
    return from_now_on[:, firsts].T


def _full_lines(m: ModelData, capacity: pd.DataFrame, orders: pd.DataFrame) -> np.ndarray:
    """(Y, L) bool: the line ran at full capacity, or a customer at its share of it, in every
    period of the year whose orders arrive within the horizon (and there is such a period). A
    line full in some periods only is not what held the year back: the plan left capacity unused
    in the others. The capacity table is the full (line, period) grid in that order."""
    L, T, K = len(m.lines), m.T, len(m.customers)
    total = capacity["total_per_year"].to_numpy().reshape(L, T) / m.cal.per_year
    used = capacity["ordered"].to_numpy().reshape(L, T)
    full = (total > 0) & (used >= total * (1 - FULL))
    if len(orders):
        x = np.zeros((L, K, T))
        at = (
            pd.Index(m.lines).get_indexer(orders["line"]),
            pd.Index(m.customers).get_indexer(orders["customer"]),
            pd.Index(m.periods).get_indexer(orders["period"]),
        )
        np.add.at(x, at, orders["quantity"].to_numpy())
        limit = m.share[:, :, None] * total[:, None, :]
        at_share = ((m.share < 1)[:, :, None] & (limit > 0) & (x >= limit * (1 - FULL))).any(axis=1)
        full |= at_share
    return _all_year(m, full)


def _all_year(m: ModelData, flag: np.ndarray) -> np.ndarray:
    """(Y, L) bool: ``flag`` (L, T) holds in every period of the year whose orders on the line
    arrive within the horizon, and there is such a period."""
    L, T = flag.shape
    deliverable = (np.arange(T)[None, :] + m.lead[:, None]) < T  # (L, T)
    Y = len(m.years)
    at = (np.arange(L)[:, None].repeat(T, axis=1), m.year_index[None, :].repeat(L, axis=0))
    open_periods, flagged = np.zeros((L, Y)), np.zeros((L, Y))
    np.add.at(open_periods, at, deliverable)
    np.add.at(flagged, at, deliverable & flag)
    return ((open_periods > 0) & (flagged == open_periods)).T


def _short_of_components(m: ModelData, components: pd.DataFrame | None) -> list[list[list[str]]]:
    """Per year and line, the components that held the line back all year: marked ``limiting`` in
    the components table (used up while the line had capacity to spare and its output was still
    wanted, docs/model.md "Components") in every period whose orders arrive within the horizon."""
    L, Y = len(m.lines), len(m.years)
    out: list[list[list[str]]] = [[[] for _ in range(L)] for _ in range(Y)]
    if components is None or not len(components):
        return out
    rows = components[components["flow"].eq("used") & components["limiting"].eq(True)]
    lines, periods = pd.Index(m.lines), pd.Index(m.periods)
    for part, group in rows.groupby("component", sort=False):
        flag = np.zeros((L, m.T), dtype=bool)
        flag[lines.get_indexer(group["line"]), periods.get_indexer(group["period"])] = True
        for n, l in zip(*np.nonzero(_all_year(m, flag)), strict=True):
            out[n][l].append(str(part))
    return out


def _and(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 2 else words)


def _names(values: list[str]) -> str:
    """Up to ``LISTED`` names, then 'and N more'; joined with ';' when a name holds a comma."""
    sep = "; " if any("," in v for v in values) else ", "
    if len(values) <= LISTED:
        return sep.join(values)
    return f"{sep.join(values[:LISTED])} and {len(values) - LISTED} more"


def plan_limits(
    m: ModelData,
    envelope: pd.DataFrame,
    capacity: pd.DataFrame,
    orders: pd.DataFrame,
    stock: pd.DataFrame,
    components: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per year: what binds ('money', 'capacity', 'components', those joined by 'and',
    'neither' or 'nothing': every target met from then on), the vehicles that spent all they had and
    may pay for a still-short item, the lines at full capacity making still-short items, the
    still-short items, and a sentence saying so. With components, also the lines making still-short
    items that their components held back all year (``lines_short_of_components``: 'line (component)')."""
    short = _still_short(m, stock)  # (Y, I)
    full = _full_lines(m, capacity, orders)  # (Y, L)
    held_back = _short_of_components(m, components if m.component.any() else None)
    F, Y = m.budget.shape
    budget = envelope["budget"].to_numpy().reshape(F, Y)
    spent_all = envelope["spent"].to_numpy().reshape(F, Y)
    all_spent = envelope["all_spent"].to_numpy().reshape(F, Y)
    pays_for = np.zeros((F, len(m.items)), dtype=bool)  # fund f may pay for a line making item i
    np.logical_or.at(pays_for, (slice(None), m.line_item), m.eligible.any(axis=2))
    available = envelope["available"].to_numpy().reshape(F, Y)
    theirs = customer_vehicles(m)
    n_ = names(m.scenario)
    rows = []
    for n, y in enumerate(m.years):
        total, spent = float(budget[:, n].sum()), float(spent_all[:, n].sum())
        used_k, available_k = float(spent_all[theirs, n].sum()), float(available[theirs, n].sum())
        used = envelope_text(m, used_k, available_k)
        items = [m.items[i] for i in np.flatnonzero(short[n])]
        funds = [m.funds[f] for f in np.flatnonzero(all_spent[:, n] & (pays_for & short[n]).any(axis=1))]
        lines = [m.lines[l] for l in np.flatnonzero(full[n] & short[n][m.line_item])]
        short_of = [
            f"{m.lines[l]} ({', '.join(held_back[n][l])})"
            for l in range(len(m.lines))
            if held_back[n][l] and short[n][m.line_item[l]]
        ]
        short_of_words = [
            f"{n_.line(m.lines[l])} — {', '.join(n_.item(c) for c in held_back[n][l])}"
            for l in range(len(m.lines))
            if held_back[n][l] and short[n][m.line_item[l]]
        ]
        said = (("money", funds), ("capacity", lines), ("components", short_of))
        binds = "nothing" if not items else _and([w for w, on in said if on]) or "neither"
        words = (
            [n_.fund(f) for f in funds],
            [n_.line(x) for x in lines],
            [n_.item(i) for i in items],
        )
        rows.append(
            {
                "year": y,
                "binds": binds,
                "funds_all_spent": "; ".join(funds),
                "lines_at_capacity": "; ".join(lines),
                **({"lines_short_of_components": "; ".join(short_of)} if m.component.any() else {}),
                "items_short": "; ".join(items),
                "budget": total,
                "spent": spent,
                "customer_available": available_k,
                "customer_used": used_k,
                "text": _sentence(y, binds, *words, used, short_of_words),
            }
        )
    return pd.DataFrame(rows)


def customer_vehicles(m: ModelData) -> np.ndarray:
    """(F,) bool: the vehicles that may pay for the assessed customer (``assessment.customer``)."""
    return m.eligible[:, :, m.policy.customer].any(axis=1)


def envelope_text(m: ModelData, used: float, available: float) -> str:
    """The year's money line for the assessed customer: 'Armed Forces of Ukraine's vehicles used
    USD 20.10 bn of USD 24.00 bn available (84 %)' (available: budget plus money carried in)."""
    who = names(m.scenario).customer(m.customers[m.policy.customer])
    text = f"{possessive(who)} vehicles used {money(used, m.currency)} of {money(available, m.currency)} available"
    return text + (f" ({used / available:.0%})" if available > 0 else "")


def _sentence(
    y: int, binds: str, funds: list[str], lines: list[str], items: list[str], used: str, held_back: list[str]
) -> str:
    if binds == "nothing":
        return f"{y}: {used}; nothing limits the plan: every target is met from here on."
    parts = []
    if funds:
        they = "they" if len(funds) > 1 else "it"
        parts.append(f"money binds: {_names(funds)} spent all {they} had and may pay for still-short items")
    if lines:
        parts.append(f"capacity binds: {_names(lines)} at full capacity all year (or at the customer's share of it)")
    if held_back:
        parts.append(
            f"components bind: {_names(held_back)} ran out of the components named all year while they had "
            "capacity to spare"
        )
    if not parts:
        parts.append(
            "neither money nor capacity binds: no vehicle spent all it had and no line making these items "
            "ran full, so lead and build times, what each vehicle may pay for, or items no line makes hold them back"
        )
    return f"{y}: {used}; {'; '.join(parts)}; still short: {_names(items)}."
