"""Whose money bought what: a plan's spending split by customer (docs/cli.md, "Money by customer").

A plan buys for several customers at once (in the default, Ukraine's forces and Europe's own
rearmament); one total of both misleads. Every row of the funding table is credited to one customer:

- orders, refurbishment, upkeep and replacements to the customer they are for (the ``customer``
  column);
- capacity investments to the one customer the paying vehicle may buy for; capacity paid by a
  vehicle that may buy for several is "shared" (no customer's alone).

For the assessed customer (``assessment.customer``) the money is split into **aid** (vehicles not
marked ``own: true``) and **its own means** (``own: true``, e.g. Ukraine's defence budget); what
any other customer got is that customer's **own purchases** (Europe's rearmament), whoever paid.

**Per year** means one thing everywhere here: money over the horizon divided by the number of
calendar years in the horizon. **Spent in Europe / Ukraine / elsewhere** is, per customer, the share
of the money paid to producers (orders, refurbishment, replacements and capacity; not upkeep, which
names no line) whose production line is in Europe (EU, EEA, UK, CH), in Ukraine, or elsewhere — by
the country of the line, not of the company or the vehicle.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..fmt import money
from ..scenario.names import names

if TYPE_CHECKING:
    from .result import Plan

SHARED = ""  # the customer of capacity paid by a vehicle that may buy for several customers
REGIONS = ("Europe", "Ukraine", "elsewhere")
PER_YEAR = "money over the horizon divided by the number of calendar years in it"
SPENT_IN = (
    "share of the money paid to producers (orders, refurbishment, replacements, capacity; not upkeep) "
    "whose production line is in Europe (EU, EEA, UK, CH), in Ukraine, or elsewhere, by the line's country"
)


def fund_customers(plan: Plan) -> list[list[str]]:
    """Per vehicle, the customers it may pay orders for (in the scenario's order)."""
    m = plan.model
    may = m.eligible.any(axis=1)  # (F, K)
    return [[m.customers[k] for k in np.flatnonzero(may[f])] for f in range(len(m.funds))]


def credited(plan: Plan) -> pd.DataFrame:
    """The funding table with ``credited_to``: the customer each row's money is for (capacity: the
    paying vehicle's only customer, else ``SHARED``) and ``own``: paid from the recipients' own means."""
    m = plan.model
    f = plan.funding
    only = {fund: who[0] if len(who) == 1 else SHARED for fund, who in zip(m.funds, fund_customers(plan), strict=True)}
    who = f["customer"].where(f["customer"] != "", f["fund"].map(only).fillna(SHARED))
    own_funds = {m.funds[k] for k in range(len(m.funds)) if m.is_own(k)}
    return f.assign(credited_to=who, own=f["fund"].isin(own_funds))


_CACHE: dict[int, tuple[object, dict[str, dict], float]] = {}  # id(plan) -> (its funding table, split, shared)
_CACHE_LOCK = threading.Lock()


def _split(plan: Plan) -> tuple[dict[str, dict], float]:
    """``by_customer`` and ``shared`` of a plan, computed once per funding table (the reports ask
    several times)."""
    kept = _CACHE.get(id(plan))
    if kept is None or kept[0] is not plan.funding:
        kept = (plan.funding, *_compute(plan))
        with _CACHE_LOCK:  # plans made in threads at once (a web server) share the cache
            if len(_CACHE) >= 16:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[id(plan)] = kept
    return kept[1], kept[2]


def _compute(plan: Plan) -> tuple[dict[str, dict], float]:
    m = plan.model
    table = credited(plan)
    n = names(m.scenario)
    years = list(m.years)
    Y = len(years)
    amount = table["amount"].to_numpy(dtype=float)
    at = pd.Index(years).get_indexer(table["year"])
    who = table["credited_to"].to_numpy(dtype=object)
    own = table["own"].to_numpy(dtype=bool)
    region = table["region"].to_numpy(dtype=object)
    to_producers = table["line"].to_numpy(dtype=object) != ""

    def yearly(mask: np.ndarray) -> dict[int, float]:
        return dict(zip(years, np.bincount(at[mask], weights=amount[mask], minlength=Y).tolist(), strict=True))

    def spent_in(mask: np.ndarray) -> dict[str, float | None]:
        paid = mask & to_producers
        total = float(amount[paid].sum())
        if total <= 0:
            return dict.fromkeys(REGIONS)
        europe = float(amount[paid & (region == "Europe")].sum()) / total
        ukraine = float(amount[paid & (region == "Ukraine")].sum()) / total
        return {"Europe": europe, "Ukraine": ukraine, "elsewhere": max(0.0, 1.0 - europe - ukraine)}

    out: dict[str, dict] = {}
    for k in m.customers:
        mine = who == k
        total = float(amount[mine].sum())
        entry: dict = {
            "name": n.customer(k),
            "assessed": k == plan.assessed_customer,
            "total": total,
            "per_year": total / Y,
            "by_year": yearly(mine),
            "spent_in": spent_in(mine),
        }
        if entry["assessed"]:
            aid = float(amount[mine & ~own].sum())
            entry |= {
                "aid": aid,
                "own_means": float(amount[mine & own].sum()),
                "aid_per_year": aid / Y,
                "aid_by_year": yearly(mine & ~own),
                "own_means_by_year": yearly(mine & own),
            }
        out[k] = entry
    return out, float(amount[who == SHARED].sum())


def by_customer(plan: Plan) -> dict[str, dict]:
    """Per customer (scenario order): name, whether assessed, total, per year, by year, and spent
    in Europe / Ukraine / elsewhere; for the assessed customer also aid and its own means."""
    return _split(plan)[0]


def shared(plan: Plan) -> float:
    """Capacity money paid by vehicles that may buy for several customers (no one customer's)."""
    return _split(plan)[1]


def summary(plan: Plan) -> dict:
    """The split for summary.json: ``money_by_customer``, ``money_shared`` and the definitions."""

    def r(v: float | None, digits: int = 2) -> float | None:
        return None if v is None else round(v, digits)

    split = by_customer(plan)
    out = {}
    for who, e in split.items():
        entry = {
            "name": e["name"],
            "assessed": e["assessed"],
            "total": r(e["total"]),
            "per_year": r(e["per_year"]),
            "by_year": {str(y): r(v) for y, v in e["by_year"].items()},
            "spent_in": {k: r(v, 4) for k, v in e["spent_in"].items()},
        }
        if e["assessed"]:
            entry |= {
                "aid": r(e["aid"]),
                "own_means": r(e["own_means"]),
                "aid_per_year": r(e["aid_per_year"]),
                "aid_by_year": {str(y): r(v) for y, v in e["aid_by_year"].items()},
                "own_means_by_year": {str(y): r(v) for y, v in e["own_means_by_year"].items()},
            }
        out[who] = entry
    return {
        "money_by_customer": out,
        "money_shared": r(shared(plan)),
        "money_definitions": {"per_year": PER_YEAR, "spent_in": SPENT_IN},
    }


def _shares(spent_in: dict[str, float | None]) -> str:
    if spent_in["Europe"] is None:
        return "nothing paid to producers"
    return ", ".join(f"{k} {100 * v:.0f} %" for k, v in spent_in.items())  # type: ignore[operator]


def headline(plan: Plan) -> list[str]:
    """The money headline in sentences (terminal, report): the assessed customer's aid and own
    means, each other customer's own purchases, what is shared, and where each customer's money
    was spent, with the definitions of 'per year' and 'spent in'."""
    cur = plan.currency
    split = by_customer(plan)
    years = len(plan.model.years)
    lines = []
    for e in split.values():
        if e["assessed"]:
            lines.append(
                f"Aid to {e['name']}: {money(e['aid'], cur)} ({money(e['aid_per_year'], cur)} per year); "
                f"its own means: {money(e['own_means'], cur)}; together {money(e['total'], cur)}"
            )
    for e in split.values():
        if not e["assessed"]:
            lines.append(
                f"{e['name']}: own purchases {money(e['total'], cur)} ({money(e['per_year'], cur)} per year), not aid"
            )
    if (rest := shared(plan)) > 0:
        lines.append(f"Capacity paid by vehicles serving several customers: {money(rest, cur)}")
    lines.append(total_line(plan))
    for e in split.values():
        lines.append(f"Spent in (by the line's country), {e['name']}: {_shares(e['spent_in'])}")
    lines.append(definitions(years))
    return lines


def total_line(plan: Plan) -> str:
    """All money spent, said to be the sum of the customers' parts."""
    if plan.total_cost <= 0:
        return f"All money spent: {money(0.0, plan.currency)} (nothing bought)"
    return f"All money spent: {money(plan.total_cost, plan.currency)} (the sum of the above, for every customer)"


def definitions(years: int) -> str:
    """What 'per year' and 'spent in' mean, to print beside the figures."""
    return f"Per year = {PER_YEAR} ({years}); spent in = {SPENT_IN}."
