"""A solved plan as tidy pandas tables, with its headline figures.

Tables are long ("tidy"): one row per entity and period, labelled by ids, so that they pivot in a
spreadsheet and join to each other on their id columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario.compiled import ModelData
from . import causes as why
from . import limits, money
from .face import Face
from .formulation import Formulation, replacement_price
from .solver import ABS_SHORTFALL_SLACK

EPS = 1e-7
COMPONENT_COLUMNS = (
    "component",
    "flow",
    "line",
    "item",
    "period",
    "year",
    "quantity",
    "ready_period",
    "value",
    "limiting",
)


def no_components() -> pd.DataFrame:
    """The component table of a scenario without components."""
    return pd.DataFrame({c: [] for c in COMPONENT_COLUMNS})


@dataclass(frozen=True)
class Objective:
    """The lexicographic solve's figures (docs/model.md, "Objective: lexicographic"): phase 1's
    least weighted shortfall, the final plan's weighted shortfall (phase 2 may give up a relative
    ``slack`` of it, plus 10⁻⁹ weight units, for money), and the plan's money in the base
    currency. Shortfalls are in the scenario's weights; ``weight_unit`` is the weight that counts
    as 1 in the LP (``formulation.weight_unit``)."""

    shortfall: float
    shortfall_optimum: float
    money: float
    slack: float
    weight_unit: float = 1.0

    @property
    def limit(self) -> float:
        """The weighted shortfall phase 2 was allowed: optimum + slack·|optimum| + 10⁻⁹ weight units."""
        return (
            self.shortfall_optimum + self.slack * abs(self.shortfall_optimum) + ABS_SHORTFALL_SLACK * self.weight_unit
        )

    def summary(self) -> dict[str, float]:
        return {
            "weighted_shortfall": self.shortfall,
            "weighted_shortfall_phase1": self.shortfall_optimum,
            "money": round(self.money, 2),
            "shortfall_slack": self.slack,
        }


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
    retirements: pd.DataFrame = field(default_factory=pd.DataFrame)  # units retired (items with upkeep)
    drawdowns: pd.DataFrame = field(default_factory=pd.DataFrame)  # transfers from donors' stocks
    timings: dict[str, float] = field(default_factory=dict)
    envelope: pd.DataFrame = field(default_factory=pd.DataFrame)  # limits.envelope_use
    contributions: pd.DataFrame = field(default_factory=pd.DataFrame)  # limits.contributions
    limits: pd.DataFrame = field(default_factory=pd.DataFrame)  # limits.plan_limits
    status: str = "optimal"
    objective: Objective | None = None
    components: pd.DataFrame = field(default_factory=no_components)
    face: Face | None = None  # ranges over the equally good plans (planner.face), when asked for
    marginal_values: pd.DataFrame = field(default_factory=pd.DataFrame)  # marginal.marginal_values
    causes: pd.DataFrame = field(default_factory=pd.DataFrame)  # causes.target_causes: why targets are missed
    _coverage: tuple[pd.DataFrame, pd.DataFrame] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def currency(self) -> str:
        return self.model.currency

    @property
    def scenario_name(self) -> str:
        return self.model.scenario.name

    @property
    def total_cost(self) -> float:
        """Money spent over the horizon: orders, refurbishment, capacity, upkeep and replacements."""
        return float(self.funding["amount"].sum())

    def _share(self, region: str) -> float:
        """Part of the money paid to producers (rows naming a line; upkeep is not) paid in ``region``."""
        to_producers = self.funding[self.funding["line"] != ""]
        total = float(to_producers["amount"].sum())
        if total <= 0:
            return 0.0
        return float(to_producers.loc[to_producers["region"] == region, "amount"].sum() / total)

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
            **self._money_summary(),
            **money.summary(self),  # money by customer: aid, own means, other customers' purchases
            "whatifs": list(self.model.whatifs),  # what-ifs applied, as given (names; "--set PATH=VALUE")
            "objective": self.objective.summary() if self.objective is not None else None,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            **self._holding_summary(),
            **({"component_bottlenecks": self.component_bottlenecks()} if self.model.component.any() else {}),
            **({"equally_good_plans": self.face.summary()} if self.face is not None else {}),
            **self._marginal_summary(),
            "why_short": {who: why.by_item(self.causes, who) for who in self.model.customers},
        }

    def _marginal_summary(self) -> dict:
        """The top marginal values and their sentences (docs/model.md, "Marginal values")."""
        if "kind" not in self.marginal_values or self.objective is None:
            return {}
        from .marginal import summary_entries

        return summary_entries(self.marginal_values, self.objective.shortfall_optimum)

    def _holding_summary(self) -> dict:
        """Spending by purpose and the figures of upkeep, retirements, fixed charges, drawdowns and
        refurbishment, for scenarios that declare them (others keep their summary as it was)."""
        m = self.model
        if not _holds(m):
            return {}
        by_purpose = self.funding.groupby("purpose")["amount"].sum()
        out: dict = {"spend_by_purpose": {str(k): round(float(v), 2) for k, v in by_purpose.items()}}
        if m.upkeep.any:
            upkeep = self.funding[self.funding["purpose"] == "upkeep"].groupby("year")["amount"].sum()
            out["upkeep_by_year"] = {str(y): round(float(upkeep.get(y, 0.0)), 2) for y in m.years}
            out["retired"] = {
                str(k): round(float(v), 4) for k, v in self.retirements.groupby("item")["quantity"].sum().items()
            }
        if m.upkeep.fixed_declared.any():
            out["fixed_charges"] = round(float(m.upkeep.fixed.sum()), 2)
        if m.transfers.J:
            out["drawn"] = {
                str(k): round(float(v), 4) for k, v in self.drawdowns.groupby("drawdown")["quantity"].sum().items()
            }
        return out

    def spend_by_contributor(self) -> pd.DataFrame:
        """Money per contributing country (rows) and year (columns); the recipients' own money
        and vehicles without contributors are rows like any other."""
        c = self.contributions
        if c.empty:
            return pd.DataFrame(columns=self.model.years)
        table = c.pivot_table(index="contributor", columns="year", values="amount", aggfunc="sum", fill_value=0.0)
        return table.reindex(columns=self.model.years, fill_value=0.0)

    def own_and_aid(self) -> tuple[pd.Series, pd.Series]:
        """Money spent per year from the recipients' own vehicles, and from aid (every other)."""
        env = self.envelope
        if env.empty:
            zero = pd.Series(0.0, index=self.model.years)
            return zero, self.spend_by_year()
        by = env.groupby(["own", "year"])["spent"].sum()
        own = by.get(True, pd.Series(dtype=float)).reindex(self.model.years, fill_value=0.0)
        aid = by.get(False, pd.Series(dtype=float)).reindex(self.model.years, fill_value=0.0)
        return own, aid

    def _money_summary(self) -> dict:
        """How much of each year's money was used, who paid, and what limits the plan."""
        own, aid = self.own_and_aid()
        by_year: dict[str, dict] = {}
        for y, rows in self.envelope.groupby("year"):
            budget, spent = float(rows["budget"].sum()), float(rows["spent"].sum())
            by_year[str(y)] = {
                "budget": round(budget, 2),
                "spent": round(spent, 2),
                "share_used": round(spent / budget, 4) if budget > 0 else None,
                "by_fund": {
                    r.fund: {
                        "budget": round(r.budget, 2),
                        "available": round(r.available, 2),
                        "spent": round(r.spent, 2),
                        "share_used": None if pd.isna(r.share_used) else round(r.share_used, 4),
                        "all_spent": bool(r.all_spent),
                    }
                    for r in rows.itertuples()
                },
            }
        contributors = self.spend_by_contributor()
        return {
            "aid": round(float(aid.sum()), 2),
            "own_means": round(float(own.sum()), 2),
            "envelope_use": by_year,
            "spend_by_contributor": {
                str(c): {str(y): round(float(v), 2) for y, v in row.items()} for c, row in contributors.iterrows()
            },
            "limits": {
                str(r.year): {
                    "binds": r.binds,
                    "funds_all_spent": [f for f in r.funds_all_spent.split("; ") if f],
                    "lines_at_capacity": [x for x in r.lines_at_capacity.split("; ") if x],
                    "items_short": [i for i in r.items_short.split("; ") if i],
                    **(
                        {"lines_short_of_components": [x for x in r.lines_short_of_components.split("; ") if x]}
                        if self.model.component.any()
                        else {}
                    ),
                    "text": r.text,
                }
                for r in self.limits.itertuples()
            },
        }

    def component_bottlenecks(self) -> list[dict]:
        """Which component limited which line: per line and component, the periods the table marks
        ``limiting`` (docs/model.md, "Components")."""
        used = self.components[self.components["flow"].eq("used") & self.components["limiting"].eq(True)]
        out = []
        for (line, component), rows in used.groupby(["line", "component"], sort=False):
            periods = list(rows["period"])
            out.append(
                {
                    "line": line,
                    "component": component,
                    "first": periods[0],
                    "last": periods[-1],
                    "periods": len(periods),
                }
            )
        return out

    def write(self, folder: str | Path, charts: bool = True) -> list[Path]:
        """Write the files ``materiel plan -o folder`` writes (docs/api.md); returns their paths."""
        from ..api import write_plan

        return write_plan(self, folder, charts=charts)

    def __repr__(self) -> str:
        from ..api import plan_repr

        return plan_repr(self)

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
            **({"retirements": self.retirements} if self.model.upkeep.any else {}),
            **({"drawdowns": self.drawdowns} if self.model.transfers.J else {}),
            **({"components": self.components} if self.model.component.any() else {}),
            "envelope": self.envelope,
            "contributions": self.contributions,
            "limits": self.limits,
            **({"marginal_values": self.marginal_values} if not self.marginal_values.empty else {}),
            "causes": self.causes,
        }


def _holds(m: ModelData) -> bool:
    """Whether the scenario declares upkeep, fixed charges, drawdowns or refurbishment lines."""
    tr = m.transfers
    return m.upkeep.any or bool(m.upkeep.fixed_declared.any()) or tr.J > 0 or bool(tr.refurbished.any())


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
    """Solver values as reported: never below zero (every variable is ≥ 0; HiGHS may undershoot a
    bound by its tolerance, 1e-7 solver units, up to a thousandth of a unit), and 0 below ``EPS``."""
    return np.where(a < EPS, 0.0, a)


def _clean_priced(a: np.ndarray, price: np.ndarray, unit: float) -> np.ndarray:
    """Quantities bought, as reported: like ``_clean``, but a quantity below ``EPS`` is kept while
    its cost is not negligible (``EPS`` money units), so the orders and investments tables account
    for all the money the funding table shows (1e-7 units at EUR 1e7 are EUR 1)."""
    return np.where((a < EPS) & ((a <= 0) | (a * price < EPS * unit)), 0.0, a)


def _line_facts(m: ModelData) -> dict[str, np.ndarray]:
    """Columns describing each line, by name, indexed by line."""
    return {
        "line": np.array(m.lines),
        "supplier": np.array(m.line_supplier),
        "country": np.array(m.line_country),
        "region": np.array(m.region_of_line),
        "item": np.array(m.items)[m.line_item],
        "category": np.array(m.item_category)[m.line_item],
    }


WHO = ("line", "supplier", "country", "region")


def _about(m: ModelData, lines_at: np.ndarray, *facts: str) -> dict[str, np.ndarray]:
    """Columns describing the lines at these indices, in the order asked."""
    table = _line_facts(m)
    return {f: table[f][lines_at] for f in facts}


def read_orders(m: ModelData, x: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders (one row per line, customer and period ordered) and the deliveries they make."""
    periods, year_of, T = np.array(m.periods), m.cal.year_of, m.T
    l, k, t = np.nonzero(x > 0)
    qty = x[l, k, t]
    arrive = np.minimum(t + m.lead[l], T - 1)
    custs = np.array(m.customers)
    orders = pd.DataFrame(
        {
            **_about(m, l, *WHO, "item", "category"),
            "customer": custs[k],
            "period": periods[t],
            "year": year_of[t],
            "quantity": qty,
            "unit_price": m.price[l, t],
            "cost": qty * m.price[l, t],
            "delivery_period": periods[arrive],
        }
    )
    deliveries = pd.DataFrame(
        {
            "customer": custs[k],
            **_about(m, l, "item", "category", "line"),
            "period": periods[arrive],
            "year": year_of[arrive],
            "quantity": qty,
        }
    )
    deliveries = deliveries.sort_values(["customer", "item", "period", "line"], kind="stable").reset_index(drop=True)
    return orders, deliveries


def read_capacity(m: ModelData, x: np.ndarray, added: np.ndarray) -> pd.DataFrame:
    """Capacity per line and period: base, added and total (per year), ordered and utilisation."""
    L, T, ppy = len(m.lines), m.T, m.cal.per_year
    used = x.sum(axis=1)
    total = m.cap + added
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(total > EPS, used / total, np.nan)
    ll, tt = (a.ravel() for a in np.meshgrid(np.arange(L), np.arange(T), indexing="ij"))
    return pd.DataFrame(
        {
            **_about(m, ll, "line", "item"),
            "period": np.array(m.periods)[tt],
            "year": m.cal.year_of[tt],
            "base_per_year": (m.cap * ppy).ravel(),
            "added_per_year": (added * ppy).ravel(),
            "total_per_year": (total * ppy).ravel(),
            "ordered": used.ravel(),
            "utilisation": util.ravel(),
        }
    )


def read_investments(m: ModelData, e: np.ndarray) -> pd.DataFrame:
    """Capacity investments: one row per line and period an expansion starts in."""
    l, t = np.nonzero(e > 0)
    periods = np.array(m.periods)
    return pd.DataFrame(
        {
            **_about(m, l, "line", "supplier", "country", "item"),
            "period": periods[t],
            "year": m.cal.year_of[t],
            "added_per_year": e[l, t] * m.cal.per_year,
            "cost": e[l, t] * m.capex[l],
            "usable_from": periods[np.minimum(t + m.build[l], m.T - 1)],
        }
    )


def read_funding(m: ModelData, p: np.ndarray, q: np.ndarray, unit: float) -> pd.DataFrame:
    """Money flows: orders (p, funds × lines × customers × years) and capacity (q, funds × lines ×
    years), both in base currency; ``unit`` is the LP's money unit (what counts as negligible)."""
    funds, years = np.array(m.funds), np.array(m.years)
    fp, lp_, kp, yp = np.nonzero(p > EPS * unit)
    fq, lq, yq = np.nonzero(q > EPS * unit)
    for_orders = pd.DataFrame(
        {
            "fund": funds[fp],
            "purpose": np.where(m.transfers.refurbished[lp_], "refurbishment", "orders"),
            **_about(m, lp_, *WHO),
            "customer": np.array(m.customers)[kp],
            **_about(m, lp_, "item", "category"),
            "year": years[yp],
            "amount": p[fp, lp_, kp, yp],
        }
    )
    for_capacity = pd.DataFrame(
        {
            "fund": funds[fq],
            "purpose": "capacity",
            **_about(m, lq, *WHO),
            "customer": "",
            **_about(m, lq, "item", "category"),
            "year": years[yq],
            "amount": q[fq, lq, yq],
        }
    )
    return pd.concat([for_orders, for_capacity], ignore_index=True)


def read_upkeep_funding(m: ModelData, w: np.ndarray, unit: float) -> pd.DataFrame:
    """Upkeep money (w, funds × customers × items × years, base currency): purpose 'upkeep', no line."""
    f, k, i, y = np.nonzero(w > EPS * unit)
    return pd.DataFrame(
        {
            "fund": np.array(m.funds)[f],
            "purpose": "upkeep",
            **{c: "" for c in WHO},
            "customer": np.array(m.customers)[k],
            "item": np.array(m.items)[i],
            "category": np.array(m.item_category)[i],
            "year": np.array(m.years)[y],
            "amount": w[f, k, i, y],
        }
    )


def read_replacement_funding(m: ModelData, d: np.ndarray, unit: float) -> pd.DataFrame:
    """Replacement payments for drawdowns: the named vehicle pays the line's price per unit
    transferred, in the year the replacement falls due; one row per vehicle, line, customer, year."""
    tr = m.transfers
    cost = d * replacement_price(m)  # (J, T)
    paid_year = m.year_index[tr.pay_period(m.T)]
    F, L, K, Y = len(m.funds), len(m.lines), len(m.customers), len(m.years)
    grid = np.zeros((F, L, K, Y))
    j, t = np.nonzero(tr.replaced[:, None] & (cost > 0))
    np.add.at(grid, (tr.fund[j], tr.line[j], tr.customer[j], paid_year[j, t]), cost[j, t])
    f, l, k, y = np.nonzero(grid > EPS * unit)
    return pd.DataFrame(
        {
            "fund": np.array(m.funds)[f],
            "purpose": "replacement",
            **_about(m, l, *WHO),
            "customer": np.array(m.customers)[k],
            **_about(m, l, "item", "category"),
            "year": np.array(m.years)[y],
            "amount": grid[f, l, k, y],
        }
    )


def read_retirements(m: ModelData, r: np.ndarray) -> pd.DataFrame:
    """Units retired: one row per customer, item and period (items whose upkeep is not paid, or
    stock above every later need that phase 2 mothballs to save upkeep)."""
    k, i, t = np.nonzero(r > 0)
    return pd.DataFrame(
        {
            "customer": np.array(m.customers)[k],
            "item": np.array(m.items)[i],
            "category": np.array(m.item_category)[i],
            "period": np.array(m.periods)[t],
            "year": m.cal.year_of[t],
            "quantity": r[k, i, t],
            "upkeep_per_year": m.upkeep.cost[i],
        },
        columns=["customer", "item", "category", "period", "year", "quantity", "upkeep_per_year"],
    )


DRAWDOWN_COLUMNS = (
    "drawdown",
    "donor",
    "customer",
    "item",
    "period",
    "year",
    "quantity",
    "delivery_period",
    "replacement_line",
    "replacement_fund",
    "replacement_year",
    "replacement_cost",
)


def read_drawdowns(m: ModelData, d: np.ndarray) -> pd.DataFrame:
    """Transfers from donors' stocks: one row per drawdown and period, with delivery and replacement
    (line, vehicle, year and cost; blank and 0 for a drawdown without replacement)."""
    tr = m.transfers
    j, t = np.nonzero(d > 0)
    if not len(j):
        return pd.DataFrame(columns=list(DRAWDOWN_COLUMNS))
    periods = np.array(m.periods)
    replaced = tr.replaced[j]
    return pd.DataFrame(
        {
            "drawdown": np.array(tr.ids)[j],
            "donor": np.array(tr.donor)[j],
            "customer": np.array(m.customers)[tr.customer[j]],
            "item": np.array(m.items)[tr.item[j]],
            "period": periods[t],
            "year": m.cal.year_of[t],
            "quantity": d[j, t],
            "delivery_period": periods[np.minimum(t + tr.delivery[j], m.T - 1)],
            "replacement_line": np.where(replaced, np.array([*m.lines, ""])[np.where(replaced, tr.line[j], -1)], ""),
            "replacement_fund": np.where(replaced, np.array([*m.funds, ""])[np.where(replaced, tr.fund[j], -1)], ""),
            "replacement_year": np.where(replaced, m.cal.year_of[tr.pay_period(m.T)[j, t]], 0),
            "replacement_cost": d[j, t] * replacement_price(m)[j, t],
        }
    )


def read_stock(m: ModelData, s: np.ndarray, unmet: np.ndarray) -> pd.DataFrame:
    """Stock per customer, item and period against its target, with unmet peacetime use."""
    K, I, T = m.target.shape
    kk, ii, ts = (a.ravel() for a in np.meshgrid(np.arange(K), np.arange(I), np.arange(T), indexing="ij"))
    tgt = m.target.ravel()
    sv = s.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = np.where(tgt > 0, np.minimum(1.0, sv / np.where(tgt > 0, tgt, 1)), np.nan)
    return pd.DataFrame(
        {
            "customer": np.array(m.customers)[kk],
            "item": np.array(m.items)[ii],
            "category": np.array(m.item_category)[ii],
            "period": np.array(m.periods)[ts],
            "year": m.cal.year_of[ts],
            "stock": sv,
            "target": tgt,
            "shortfall": np.maximum(0.0, tgt - sv),
            "coverage": cov,
            "weight": m.item_weight[ii],
            "unmet_use": unmet.ravel(),
        }
    )


def _by_fund_and_year(m: ModelData, funding: pd.DataFrame) -> np.ndarray:
    """(F, Y) the funding table's amounts summed by fund and year."""
    out = np.zeros(m.budget.shape)
    if len(funding):
        yi = funding["year"].to_numpy() - m.years[0]
        fi = pd.Index(m.funds).get_indexer(funding["fund"])
        np.add.at(out, (fi, yi), funding["amount"].to_numpy())
    return out


def read_budgets(m: ModelData, funding: pd.DataFrame, carried: np.ndarray) -> pd.DataFrame:
    """Per fund and year: budget, money spent (from the funding table), carried out, minimum spend;
    for scenarios with upkeep the part of the spending that is upkeep, and with fixed charges the
    charge (outside the plan, so not in 'spent'), minimum spend then being a share of what is left."""
    spent = _by_fund_and_year(m, funding)
    F, Y = m.budget.shape
    ff, yy = (a.ravel() for a in np.meshgrid(np.arange(F), np.arange(Y), indexing="ij"))
    left = np.maximum(m.budget - m.upkeep.fixed, 0.0)
    table = {
        "fund": np.array(m.funds)[ff],
        "year": np.array(m.years)[yy],
        "budget": m.budget.ravel(),
        "spent": spent.ravel(),
        "carried_out": carried.ravel(),
        "min_spend": (m.min_spend[:, None] * left).ravel(),
    }
    if m.upkeep.any:
        table["upkeep"] = _by_fund_and_year(m, funding[funding["purpose"] == "upkeep"]).ravel()
    if m.upkeep.fixed_declared.any():
        table["fixed_charge"] = m.upkeep.fixed.ravel()
    return pd.DataFrame(table)


def component_flows(
    m: ModelData, x: np.ndarray, z: np.ndarray, held: np.ndarray, stock: pd.DataFrame, total: np.ndarray
) -> pd.DataFrame:
    """The component table: per component and period, what each line making it started before the
    horizon and has ready then ('pipeline'), what it started ('made', with the period it is ready
    and its value at the line's price, already inside the price of the items made from it), what
    each line needing it used ('used', with ``limiting``) and what was held at the end of the
    period ('held'). Built as one frame from whole arrays (one row block per flow)."""
    T = m.T
    output = x.sum(axis=1) + z  # (L, T)
    running = m.component_line[:, None] & (np.arange(T)[None, :] < m.lead[:, None]) & (m.cap[:, :1] > 0)
    lp_, tp = np.nonzero(running)
    lm, tm = np.nonzero(z > 0)
    users, parts = np.nonzero(m.need > 0)  # the pairs (line, component it needs)
    limiting = _limiting(m, users, parts, output, held, stock, total)  # (pairs, T)
    pair, tu = np.nonzero(np.ones(limiting.shape, dtype=bool))
    ih, th = np.nonzero(np.broadcast_to(m.component[:, None], held.shape))
    blocks = (  # flow, component, line (-1: none), period, quantity, value
        ("pipeline", m.line_item[lp_], lp_, tp, m.cap[lp_, 0], np.nan),
        ("made", m.line_item[lm], lm, tm, z[lm, tm], z[lm, tm] * m.price[lm, tm]),
        ("used", parts[pair], users[pair], tu, m.need[users, parts][pair] * output[users[pair], tu], np.nan),
        ("held", ih, np.full(ih.size, -1), th, held[ih, th], np.nan),
    )
    n = [b[1].size for b in blocks]
    col = {
        name: np.concatenate(
            [np.broadcast_to(np.asarray(b[k], dtype=dtype), (size,)) for b, size in zip(blocks, n, strict=True)]
        )
        for name, k, dtype in (
            ("flow", 0, object),
            ("component", 1, np.int64),
            ("line", 2, np.int64),
            ("period", 3, np.int64),
            ("quantity", 4, float),
            ("value", 5, float),
        )
    }
    col["limiting"] = np.concatenate(
        [np.zeros(n[0] + n[1], dtype=bool), limiting[pair, tu], np.zeros(n[3], dtype=bool)]
    )
    line, period = col["line"], col["period"]
    ready = np.where(col["flow"] == "made", period + m.lead[np.maximum(line, 0)], period)
    order = np.argsort(col["component"] * (T + 1) + period, kind="stable")
    periods, items, lines = np.array(m.periods), np.array(m.items), np.array([*m.lines, ""])
    shown = col["flow"][order]
    return pd.DataFrame(
        {
            "component": items[col["component"][order]],
            "flow": shown,
            "line": lines[line[order]],
            "item": np.array([*m.items, ""])[np.where(line >= 0, m.line_item[np.maximum(line, 0)], -1)[order]],
            "period": periods[period[order]],
            "year": m.cal.year_of[period[order]],
            "quantity": col["quantity"][order],
            "ready_period": np.where(
                np.isin(shown, ("made", "pipeline")), periods[np.minimum(ready[order], T - 1)], ""
            ),
            "value": col["value"][order],
            "limiting": col["limiting"][order],
        }
    )


def _limiting(
    m: ModelData,
    users: np.ndarray,
    parts: np.ndarray,
    output: np.ndarray,
    held: np.ndarray,
    stock: pd.DataFrame,
    total: np.ndarray,
) -> np.ndarray:
    """(pairs, T) whether component ``parts[n]``, used up in t (nothing held after use), stopped
    line ``users[n]`` there: the line had capacity to spare in t, and what it makes was still
    wanted — an item short of a customer's target, or of its peacetime use, in a period at or
    after the order's delivery, or a component itself used up from its ready period on. Facts read from the plan, not the
    LP's duals."""
    I, T = len(m.items), m.T
    use = np.zeros((I, T))
    np.add.at(use, parts, m.need[users, parts][:, None] * output[users])
    used_up = m.component[:, None] & (held <= 1e-6 * np.maximum(1.0, use))  # (I, T)
    short = np.zeros((I, T), dtype=bool)
    if len(stock):
        gap = (stock["shortfall"].to_numpy() > 1e-6 * stock["target"].to_numpy() + 1e-4) | (
            stock["unmet_use"].to_numpy() > 1e-4
        )
        rows = stock[gap]
        short[pd.Index(m.items).get_indexer(rows["item"]), pd.Index(m.periods).get_indexer(rows["period"])] = True
    wanted_item = short | used_up  # (I, T): more of the item would have helped then
    later = np.flip(np.logical_or.accumulate(np.flip(wanted_item, axis=1), axis=1), axis=1)  # at or after t
    t = np.arange(T)
    line = m.line_item[users]
    ready = t[None, :] + m.lead[users][:, None]  # (pairs, T)
    wanted = later[line[:, None], np.minimum(ready, T - 1)] & (ready < T)
    spare = output[users] < total[users] - np.maximum(1e-6 * total[users], 1e-4)
    return used_up[parts] & spare & wanted


def read_money(m: ModelData, form: Formulation, solution: np.ndarray) -> tuple[pd.DataFrame, ...]:
    """A solution's money: the funding table (orders, capacity, upkeep, replacements), the budgets
    and the envelope's use; alone, it is what a headline needs (the live what-if panel)."""
    v, unit = form.var, form.money_unit
    funding = read_funding(m, _clean(v.p.values(solution)) * unit, _clean(v.q.values(solution)) * unit, unit)
    if m.upkeep.any or m.transfers.J:
        d = _clean_priced(v.d.values(solution), replacement_price(m), unit)
        upkeep = read_upkeep_funding(m, _clean(v.w.values(solution)) * unit, unit)
        parts = [funding, upkeep, read_replacement_funding(m, d, unit)]
        funding = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(map(len, parts)) else funding
    budgets = read_budgets(m, funding, _clean(v.c.values(solution)) * unit)
    return funding, budgets, limits.envelope_use(m, budgets)


def read_plan(m: ModelData, form: Formulation, solution: np.ndarray) -> Plan:
    """Turn a solution vector (natural units) into the plan's tables."""
    v, unit = form.var, form.money_unit
    x = _clean_priced(v.x.values(solution), m.price[:, None, :], unit)
    orders, deliveries = read_orders(m, x)
    e = _clean_priced(v.e.values(solution), m.capex[:, None], unit)
    capacity = read_capacity(m, x, _clean(v.K.values(solution)))
    d = _clean_priced(v.d.values(solution), replacement_price(m), unit)
    funding, budgets, envelope = read_money(m, form, solution)
    stock = read_stock(m, _clean(v.s.values(solution)), _clean(v.v.values(solution)))
    z, added = _clean(v.z.values(solution)), _clean(v.K.values(solution))
    components = component_flows(m, x, z, _clean(v.h.values(solution)), stock, m.cap + added)
    investments = read_investments(m, e)
    return Plan(
        m,
        orders,
        deliveries,
        capacity,
        investments=investments,
        funding=funding,
        stock=stock,
        budgets=budgets,
        retirements=read_retirements(m, _clean(v.r.values(solution))),
        drawdowns=read_drawdowns(m, d),
        envelope=envelope,
        contributions=limits.contributions(m, budgets),
        limits=limits.plan_limits(m, envelope, capacity, orders, stock, components),
        components=components,
        causes=why.target_causes(m, orders, capacity, investments, stock, budgets, components),
    )
