"""A solved plan as tidy pandas tables, with its headline figures.

Tables are long ("tidy"): one row per entity and period, labelled by ids, so that they pivot in a
spreadsheet and join to each other on their id columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..scenario.compiled import ModelData
from .formulation import Formulation

EPS = 1e-7


@dataclass
class Plan:
    """An optimal plan: tables and headline figures, all money in ``currency``."""

    model: ModelData
    orders: pd.DataFrame
    deliveries: pd.DataFrame
    capacity: pd.DataFrame
    investments: pd.DataFrame
    funding: pd.DataFrame
    stock: pd.DataFrame
    budgets: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    status: str = "optimal"
    _coverage: tuple[pd.DataFrame, pd.DataFrame] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def currency(self) -> str:
        return self.model.currency

    @property
    def scenario_name(self) -> str:
        return self.model.scenario.name

    @property
    def total_cost(self) -> float:
        """Money spent on orders and capacity over the horizon."""
        return float(self.funding["amount"].sum())

    def _share(self, region: str) -> float:
        total = self.total_cost
        if total <= 0:
            return 0.0
        return float(self.funding.loc[self.funding["region"] == region, "amount"].sum() / total)

    @property
    def europe_share(self) -> float:
        """Share of all money spent with producers in Europe (EU, EEA, UK, CH; not Ukraine)."""
        return self._share("Europe")

    @property
    def ukraine_share(self) -> float:
        """Share of all money spent with Ukrainian producers."""
        return self._share("Ukraine")

    @property
    def assessed_customer(self) -> str:
        """The customer summaries are about: the scenario's ``assessment.customer``."""
        return self.model.customers[self.model.policy.customer]

    def stock_of(self, customer: str, column: str = "stock") -> np.ndarray:
        """(items × periods) ``column`` of the stock table (stock, target, ...) for one customer,
        each value placed by its item and period label, so the table's row order does not matter;
        NaN where the table has no row."""
        m = self.model
        rows = self.stock[self.stock["customer"] == customer]
        out = np.full((len(m.items), m.T), np.nan)
        i = pd.Index(m.items).get_indexer(rows["item"])
        t = pd.Index(m.periods).get_indexer(rows["period"])
        known = (i >= 0) & (t >= 0)
        out[i[known], t[known]] = rows[column].to_numpy(dtype=float)[known]
        return out

    def spend_by_year(self, by: str | None = None) -> pd.DataFrame | pd.Series:
        """Money per year, optionally split by 'fund', 'region', 'customer' or 'purpose'."""
        if by is None:
            s = self.funding.groupby("year")["amount"].sum()
            return s.reindex(self.model.years, fill_value=0.0)
        table = self.funding.pivot_table(index="year", columns=by, values="amount", aggfunc="sum", fill_value=0.0)
        return table.reindex(self.model.years, fill_value=0.0)

    def coverage(self) -> pd.DataFrame:
        """Coverage by customer, category and period: weighted mean of min(1, stock/target)."""
        # Reports ask for it many times; kept while the stock table is the same object.
        if self._coverage is None or self._coverage[0] is not self.stock:
            self._coverage = (self.stock, self._compute_coverage())
        return self._coverage[1].copy()

    def _compute_coverage(self) -> pd.DataFrame:
        m = self.model
        frames = []
        for k, who in enumerate(m.customers):
            values = category_coverage(m, self.stock_of(who), k)
            frame = pd.DataFrame(values, index=m.categories, columns=m.periods).stack().rename("coverage").reset_index()
            frames.append(frame.rename(columns={"level_0": "category", "level_1": "period"}).assign(customer=who))
        out = pd.concat(frames, ignore_index=True)
        return out[["customer", "category", "period", "coverage"]].dropna().reset_index(drop=True)

    def shortfall_by_category(self, customer: str | None = None) -> pd.DataFrame:
        """1 − coverage at the end of each year, categories × years (NaN where no target), for
        ``customer`` (default: the assessed customer)."""
        cov = self.coverage()
        cov = cov[cov["customer"] == (customer or self.assessed_customer)]
        m = self.model
        last = {m.periods[t]: y for t, y in zip(m.cal.year_ends, m.years, strict=True)}
        cov = cov[cov["period"].isin(last)]
        table = cov.assign(year=cov["period"].map(last), shortfall=1 - cov["coverage"]).pivot(
            index="category", columns="year", values="shortfall"
        )
        cats = [c for c in m.categories if c in table.index]
        return table.reindex(index=cats, columns=m.years)

    def summary(self) -> dict:
        """Machine-readable headline figures (the CLI's --json)."""
        sbc = self.shortfall_by_category()
        return {
            "status": self.status,
            "scenario": self.scenario_name,
            "currency": self.currency,
            "price_year": self.model.scenario.currency.year,
            "horizon": [self.model.periods[0], self.model.periods[-1]],
            "total_cost": round(self.total_cost, 2),
            "europe_share": round(self.europe_share, 4),
            "ukraine_share": round(self.ukraine_share, 4),
            "spend_by_year": {str(y): round(float(v), 2) for y, v in self.spend_by_year().items()},
            "spend_by_fund": {
                str(k): round(float(v), 2) for k, v in self.funding.groupby("fund")["amount"].sum().items()
            },
            "shortfall_by_category": {
                cat: {str(y): (None if pd.isna(v) else round(float(v), 4)) for y, v in row.items()}
                for cat, row in sbc.iterrows()
            },
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in the order reports show them."""
        return {
            "orders": self.orders,
            "deliveries": self.deliveries,
            "stock": self.stock,
            "capacity": self.capacity,
            "investments": self.investments,
            "funding": self.funding,
            "budgets": self.budgets,
        }


def category_coverage(m: ModelData, stock: np.ndarray, customer: int) -> np.ndarray:
    """(categories × periods) weighted mean of min(1, stock/target); NaN where nothing is targeted.

    ``stock`` is the customer's (items × periods) stock. Categories follow ``m.categories``.
    """
    target = m.target[customer]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(target > 0, np.minimum(1.0, stock / np.where(target > 0, target, 1.0)), np.nan)
    cats = np.array(m.item_category)
    out = np.full((len(m.categories), m.T), np.nan)
    for c, cat in enumerate(m.categories):
        rows = np.flatnonzero(cats == cat)
        w = np.where(np.isnan(ratio[rows]), 0.0, m.item_weight[rows, None])
        total = w.sum(axis=0)
        with np.errstate(invalid="ignore"):
            out[c] = np.where(total > 0, np.nansum(w * np.nan_to_num(ratio[rows]), axis=0) / total, np.nan)
    return out


def _clean(a: np.ndarray) -> np.ndarray:
    a = np.where(np.abs(a) < EPS, 0.0, a)
    return a


def read_plan(m: ModelData, form: Formulation, solution: np.ndarray, timings: dict[str, float] | None = None) -> Plan:
    """Turn a solution vector into the plan's tables."""
    v = form.var
    periods = np.array(m.periods)
    year_of = m.cal.year_of
    lines = np.array(m.lines)
    items = np.array(m.items)
    cats = np.array(m.item_category)
    custs = np.array(m.customers)
    funds = np.array(m.funds)
    li = m.line_item
    T = m.T
    line_facts = {
        "line": lines,
        "supplier": np.array(m.line_supplier),
        "country": np.array(m.line_country),
        "region": np.array(m.region_of_line),
        "item": items[li],
        "category": cats[li],
    }
    who = ("line", "supplier", "country", "region")

    def about(lines_at: np.ndarray, *facts: str) -> dict[str, np.ndarray]:
        """Columns describing the lines at these indices, in the order asked."""
        return {f: line_facts[f][lines_at] for f in facts}

    x = _clean(v.x.values(solution))
    l, k, t = np.nonzero(x > EPS)
    qty = x[l, k, t]
    arrive = t + m.lead[l]
    orders = pd.DataFrame(
        {
            **about(l, *who, "item", "category"),
            "customer": custs[k],
            "period": periods[t],
            "year": year_of[t],
            "quantity": qty,
            "unit_price": m.price[l, t],
            "cost": qty * m.price[l, t],
            "delivery_period": periods[np.minimum(arrive, T - 1)],
        }
    )
    deliveries = (
        pd.DataFrame(
            {
                "customer": custs[k],
                "item": items[li[l]],
                "category": cats[li[l]],
                "line": lines[l],
                "period": periods[np.minimum(arrive, T - 1)],
                "year": year_of[np.minimum(arrive, T - 1)],
                "quantity": qty,
            }
        )
        .sort_values(["customer", "item", "period", "line"], kind="stable")
        .reset_index(drop=True)
    )

    e = _clean(v.e.values(solution))
    Kc = _clean(v.K.values(solution))
    used = x.sum(axis=1)
    L = len(m.lines)
    ll, tt = np.meshgrid(np.arange(L), np.arange(T), indexing="ij")
    total = m.cap + Kc
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(total > EPS, used / total, np.nan)
    ppy = m.cal.per_year
    capacity = pd.DataFrame(
        {
            "line": lines[ll.ravel()],
            "item": items[li[ll.ravel()]],
            "period": periods[tt.ravel()],
            "year": year_of[tt.ravel()],
            "base_per_year": (m.cap * ppy).ravel(),
            "added_per_year": (Kc * ppy).ravel(),
            "total_per_year": (total * ppy).ravel(),
            "ordered": used.ravel(),
            "utilisation": util.ravel(),
        }
    )
    le, te = np.nonzero(e > EPS)
    investments = pd.DataFrame(
        {
            **about(le, "line", "supplier", "country", "item"),
            "period": periods[te],
            "year": year_of[te],
            "added_per_year": e[le, te] * ppy,
            "cost": e[le, te] * m.capex[le],
            "usable_from": periods[np.minimum(te + m.build[le], T - 1)],
        }
    )

    unit = form.money_unit
    p = _clean(v.p.values(solution)) * unit  # (F, L, K, Y)
    fp, lp_, kp, yp = np.nonzero(p > EPS * unit)
    q = _clean(v.q.values(solution)) * unit  # (F, L, Y)
    fq, lq, yq = np.nonzero(q > EPS * unit)
    years = np.array(m.years)
    funding = pd.concat(
        [
            pd.DataFrame(
                {
                    "fund": funds[fp],
                    "purpose": "orders",
                    **about(lp_, *who),
                    "customer": custs[kp],
                    **about(lp_, "item", "category"),
                    "year": years[yp],
                    "amount": p[fp, lp_, kp, yp],
                }
            ),
            pd.DataFrame(
                {
                    "fund": funds[fq],
                    "purpose": "capacity",
                    **about(lq, *who),
                    "customer": "",
                    **about(lq, "item", "category"),
                    "year": years[yq],
                    "amount": q[fq, lq, yq],
                }
            ),
        ],
        ignore_index=True,
    )

    s = _clean(v.s.values(solution))
    unmet = _clean(v.v.values(solution))
    K, I = len(m.customers), len(m.items)
    kk, ii, ts = (a.ravel() for a in np.meshgrid(np.arange(K), np.arange(I), np.arange(T), indexing="ij"))
    tgt = m.target.ravel()
    sv = s.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = np.where(tgt > 0, np.minimum(1.0, sv / np.where(tgt > 0, tgt, 1)), np.nan)
    stock = pd.DataFrame(
        {
            "customer": custs[kk],
            "item": items[ii],
            "category": cats[ii],
            "period": periods[ts],
            "year": year_of[ts],
            "stock": sv,
            "target": tgt,
            "shortfall": np.maximum(0.0, tgt - sv),
            "coverage": cov,
            "weight": m.item_weight[ii],
            "unmet_use": unmet.ravel(),
        }
    )

    spent = np.zeros(m.budget.shape)
    if len(funding):
        yi = funding["year"].to_numpy() - m.years[0]
        fi = pd.Index(m.funds).get_indexer(funding["fund"])
        np.add.at(spent, (fi, yi), funding["amount"].to_numpy())
    carried = _clean(v.c.values(solution)) * form.money_unit
    F, Y = m.budget.shape
    ff, yy = np.meshgrid(np.arange(F), np.arange(Y), indexing="ij")
    budgets = pd.DataFrame(
        {
            "fund": funds[ff.ravel()],
            "year": np.array(m.years)[yy.ravel()],
            "budget": m.budget.ravel(),
            "spent": spent.ravel(),
            "carried_out": carried.ravel(),
            "min_spend": (m.min_spend[:, None] * m.budget).ravel(),
        }
    )
    return Plan(m, orders, deliveries, capacity, investments, funding, stock, budgets, timings or {})
