"""Synthetic scenarios with one size knob, so the whole path (validate, compile, build, solve,
read back) can be timed at any scale.

``synthetic_scenario(size)`` returns a validated :class:`~materiel.scenario.schema.Scenario`.
``size`` (a positive float) grows the horizon (8 quarters per unit of size, at most 80) and the
number of items (2 + 2·size); every item gets 3–5 production lines in several countries, and the
number of funding vehicles grows with size too. Two customers (Ukraine and European armed
forces) hold stock and have targets. The structure mirrors a real scenario:

* lines with lead and build times, announced capacity ramps, expansion with capex, export
  limits (shares below 1), prices in EUR, USD, GBP and KRW;
* funding vehicles with origin rules (EU/EEA/UA, US only, Ukraine only, Europe, anywhere),
  customer and category restrictions, carry-over and a minimum spend, budgets that grow 2 % a
  year from 2029 to a cap, and contributing countries for the national budgets;
* targets drawn so that some are out of reach, keeping shortfall variables active;
* a few contracted orders (commitments), losses and peacetime use;
* upkeep on systems and platforms (armour, artillery systems, air defence) paid by two vehicles,
  a fixed charge on one budget, refurbishment lines with stored pools, and drawdowns from US
  stocks replaced at a US line's price (docs/model.md, "Upkeep and retirement" and "Drawdowns and
  refurbishment"); these are drawn from streams of their own, so the rest of a scenario is as it
  was without them.
* components that limit output: every artillery-ammunition item's lines need a propellant charge
  of its own, every air-defence item's a rocket motor, made on one to two component lines each
  (with lead times, some able to expand), and every charge line needs powder from a shared plant.

Everything is drawn from ``numpy.random.default_rng([seed, ...])`` streams, one per item, per
component and per fund, so a given (size, seed) always gives the same scenario.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from materiel.planner.formulation import define_variables
from materiel.planner.lp import LinearProgram
from materiel.scenario.compiled import compile_scenario
from materiel.scenario.periods import Frequency, parse_period, period_label
from materiel.scenario.schema import Scenario

START = "2026Q1"
MAX_PERIODS = 80
CUSTOMERS = ("ukraine", "europe")
FX = {"USD": 0.92, "GBP": 1.17, "KRW": 0.00068}
Doc = dict[str, Any]


@dataclass(frozen=True)
class Shape:
    """The dimensions a size gives: items, quarters and funding vehicles."""

    items: int
    periods: int
    funds: int


@dataclass(frozen=True)
class Profile:
    """Typical figures of one item category (EUR, units per year of one line)."""

    category: str
    unit: str
    price: float
    capacity: float
    loss: float  # share of stock lost per year
    use: float  # Europe's peacetime use as a share of one line's yearly output


PROFILES = (
    Profile("air-defence", "missile", 1.2e6, 250, 0.0, 0.05),
    Profile("mines", "mine", 600, 80_000, 0.02, 0.0),
    Profile("artillery-systems", "howitzer", 4e6, 40, 0.0, 0.0),
    Profile("artillery-ammunition", "shell", 4_000, 150_000, 0.01, 0.2),
    Profile("anti-ship", "missile", 2e6, 30, 0.0, 0.0),
    Profile("armour", "vehicle", 5e6, 50, 0.0, 0.0),
    Profile("drones", "drone", 500, 400_000, 0.1, 0.1),
    Profile("fortification", "km", 1e6, 200, 0.05, 0.0),
    Profile("protective-gear", "set", 900, 60_000, 0.05, 0.1),
)

# Country of production -> (currency its prices are quoted in, price markup).
COUNTRIES: dict[str, tuple[str, float]] = {
    "DE": ("EUR", 1.2),
    "FR": ("EUR", 1.2),
    "PL": ("EUR", 1.0),
    "CZ": ("EUR", 0.9),
    "IT": ("EUR", 1.1),
    "SE": ("EUR", 1.2),
    "ES": ("EUR", 1.0),
    "RO": ("EUR", 0.9),
    "FI": ("EUR", 1.1),
    "NO": ("EUR", 1.3),
    "GB": ("GBP", 1.2),
    "UA": ("EUR", 0.6),
    "US": ("USD", 1.4),
    "KR": ("KRW", 0.9),
    "TR": ("USD", 0.8),
}
EU_FIRST = ("DE", "FR", "PL", "CZ", "IT", "ES")
LEADS_MONTHS = (0, 3, 6, 9, 12, 18, 24)
BUILDS_MONTHS = (6, 12, 18, 24, 36)

# Funding vehicles: the first six always exist; larger sizes add variants of them.
FUND_TEMPLATES: tuple[Doc, ...] = (
    {
        "id": "eu-instrument",
        "name": "EU defence-industry instrument",
        "kind": "EU instrument",
        "weight": 0.25,
        "origins": ["EU", "EEA", "UA"],
        "capex": True,
        "carry_over": True,
    },
    {
        "id": "reparations-loan",
        "name": "Loan backed by immobilised Russian assets",
        "kind": "asset-backed loan",
        "weight": 0.3,
        "customers": ["ukraine"],
        "carry_over": True,
        "min_spend": 0.1,
        "upkeep": True,
    },
    {
        "id": "us-purchase",
        "name": "Scheme buying US weapons for Ukraine",
        "kind": "purchase scheme",
        "weight": 0.12,
        "origins": ["US"],
        "customers": ["ukraine"],
    },
    {
        "id": "ua-industry",
        "name": "Financing Ukrainian industry",
        "kind": "bilateral",
        "weight": 0.08,
        "origins": ["UA"],
        "customers": ["ukraine"],
        "capex": True,
    },
    {
        "id": "national-budgets",
        "name": "European national procurement budgets",
        "kind": "national budget",
        "weight": 0.2,
        "origins": ["EUROPE"],
        "customers": ["europe"],
        "capex": True,
        "upkeep": True,
        "fixed_share": 0.3,  # of its first budget, charged every year outside the plan (pay)
        "contributors": {"DE": 0.4, "FR": 0.35, "PL": 0.25},
    },
    {
        "id": "safe-loans",
        "name": "EU loans for joint procurement",
        "kind": "EU loan",
        "weight": 0.1,
        "origins": ["EU", "EEA", "UA", "KR"],
        "categories": ["air-defence", "artillery-ammunition", "drones", "mines"],
        "carry_over": True,
    },
)


def shape_for(size: float) -> Shape:
    """Items, quarters and funds for a size (size 1 ≈ 2,000 LP variables)."""
    size = max(float(size), 0.25)
    periods = int(min(MAX_PERIODS, max(4, round(8 * size))))
    items = max(2, round(2 + 2 * size))
    funds = len(FUND_TEMPLATES) + int(size // 2)
    return Shape(items=items, periods=periods, funds=funds)


def _label(t: int) -> str:
    """Label of the t-th quarter of the horizon."""
    return period_label(parse_period(START, Frequency.quarter) + t, Frequency.quarter)


def _money(eur: float, currency: str) -> Doc:
    """A price quoted in ``currency`` (KRW in millions) worth ``eur`` euros."""
    if currency == "EUR":
        return {"value": round(eur, 2), "unit": "EUR"}
    if currency == "KRW":
        return {"value": round(eur / FX["KRW"] / 1e6, 4), "unit": "KRW m"}
    return {"value": round(eur / FX[currency], 2), "unit": currency}


def _capacity(rng: np.random.Generator, per_year: float) -> list[Doc]:
    """Base capacity, with an announced ramp on some lines."""
    steps: list[Doc] = [{"value": round(per_year, 1), "unit": "/year"}]
    if rng.random() < 0.4:
        year = 2026 + int(rng.integers(1, 6))
        steps.append({"value": round(per_year * rng.uniform(1.2, 2.0), 1), "unit": "/year", "from": f"{year}Q1"})
    return steps


def _expansion(rng: np.random.Generator, per_year: float, price_eur: float, currency: str) -> Doc:
    """Expansion limit, capex and build time (on about 60 % of lines)."""
    if rng.random() >= 0.6:
        return {}
    return {
        "expansion_max": {"value": round(per_year * rng.uniform(0.3, 1.5), 1), "unit": "/year"},
        "capex": _money(price_eur * rng.uniform(0.3, 1.2), currency),
        "build": {"value": int(rng.choice(BUILDS_MONTHS)), "unit": "months"},
    }


def _share(rng: np.random.Generator, country: str) -> Doc:
    """Export limits and other orders: the share of output a customer may take."""
    if country == "US":
        return {"share": {"ukraine": 0.5}}
    draw = rng.random()
    if draw < 0.25:
        return {"share": {"ukraine": round(rng.uniform(0.2, 0.8), 2)}}
    if draw < 0.4:
        return {"share": {"europe": round(rng.uniform(0.3, 0.7), 2)}}
    return {}


def _line(rng: np.random.Generator, item: str, profile: Profile, n: int, first: bool) -> tuple[Doc, float]:
    """One production line of ``item`` and its base yearly capacity."""
    if first:  # every item has a short-lead EU line, so money can always be spent
        country, lead = str(rng.choice(EU_FIRST)), int(rng.choice((0, 3)))
    else:
        country, lead = str(rng.choice(list(COUNTRIES))), int(rng.choice(LEADS_MONTHS))
    currency, markup = COUNTRIES[country]
    per_year = profile.capacity * rng.uniform(0.3, 1.5)
    price_eur = profile.price * markup * rng.uniform(0.8, 1.3)
    doc: Doc = {
        "id": f"{item}-{country.lower()}-{n}",
        "supplier": f"Supplier {country}-{n}",
        "country": country,
        "item": item,
        "capacity": _capacity(rng, per_year),
        "price": [_money(price_eur, currency)],
        "lead": {"value": lead, "unit": "months"},
        **_expansion(rng, per_year, price_eur, currency),
        **({} if first else _share(rng, country)),
    }
    return doc, per_year


def _milestones(rate: float, periods: int, start: float) -> list[Doc]:
    """Targets that grow by ``rate`` units a year from ``start``, marked after six quarters, at
    mid-horizon and at the end."""
    marks = sorted({min(6, periods - 1), max(1, periods // 2), periods - 1})
    return [{"by": _label(t), "value": round(start + rate * (t + 1) / 4, 1)} for t in marks]


def _item(rng: np.random.Generator, j: int, periods: int) -> tuple[Doc, list[Doc], list[Doc], float]:
    """An item with its lines and requirements, and the yearly value of its base output (EUR)."""
    profile = PROFILES[j % len(PROFILES)]
    ident = f"{profile.category}-{j:03d}"
    lines_and_caps = [_line(rng, ident, profile, n, n == 0) for n in range(int(rng.integers(3, 6)))]
    lines = [doc for doc, _ in lines_and_caps]
    capacity = sum(cap for _, cap in lines_and_caps)
    stock = {"ukraine": round(capacity * rng.uniform(0.05, 0.3)), "europe": round(capacity * rng.uniform(0.1, 0.5))}
    item: Doc = {
        "id": ident,
        "name": f"{profile.unit} type {j}",
        "category": profile.category,
        "unit": profile.unit,
        "weight": float(rng.choice((1.0, 1.0, 2.0))),
        "wartime_use": {"value": round(capacity / 365 * rng.uniform(1, 4), 2), "unit": "/day"},
        "stock": stock,
    }
    if profile.loss:
        item["loss"] = {"value": profile.loss, "unit": "/year"}
    if profile.use:
        item["use"] = {"europe": {"value": round(capacity * profile.use, 1), "unit": "/year"}}
    reach = rng.uniform(0.15, 1.0)  # share of base output needed; with losses, use and export limits some miss
    requirements = [_requirement("ukraine", ident, reach * capacity, periods, stock)]
    if j % 3:
        requirements.append(_requirement("europe", ident, rng.uniform(0.05, 0.4) * capacity, periods, stock))
    return item, lines, requirements, capacity * profile.price


def _requirement(customer: str, item: str, rate: float, periods: int, stock: dict[str, float]) -> Doc:
    return {
        "customer": customer,
        "item": item,
        "targets": _milestones(rate, periods, stock[customer]),
        "interpolate": "linear",
    }


def _fund(seed: int, n: int, yearly_eur: float) -> Doc:
    """Funding vehicle ``n``: a template, or for n ≥ 6 a variant with its own budget and rules."""
    template = FUND_TEMPLATES[n % len(FUND_TEMPLATES)]
    rng = np.random.default_rng([seed, 1_000_000 + n])
    weight = template["weight"] * (1.0 if n < len(FUND_TEMPLATES) else rng.uniform(0.3, 0.8))
    doc: Doc = {k: v for k, v in template.items() if k not in ("weight", "min_spend", "fixed_share")}
    if n >= len(FUND_TEMPLATES):
        doc["id"] = f"{template['id']}-{n}"
        doc["name"] = f"{template['name']} ({n})"
        cats = [p.category for p in PROFILES]
        doc["categories"] = sorted(rng.choice(cats, size=int(rng.integers(3, 7)), replace=False).tolist())
    budget = yearly_eur * weight / 1e9
    doc["budget"] = [
        {"value": round(budget, 3), "unit": "EUR bn/year", "source": "synthetic"},
        {
            "value": round(budget * rng.uniform(1.1, 1.5), 3),
            "unit": "EUR bn/year",
            "from": "2029",
            "growth": {"value": 2, "unit": "%"},
            "cap": round(budget * 2, 3),
        },
    ]
    if "min_spend" in template:
        doc["min_spend"] = template["min_spend"]
    if "fixed_share" in template:
        doc["fixed_charge"] = {"value": round(budget * template["fixed_share"], 3), "unit": "EUR bn/year"}
    return doc


# Categories whose items are systems or platforms: upkeep as a share of the unit price per year.
UPKEEP_SHARE = {"armour": 0.1, "artillery-systems": 0.08, "air-defence": 0.02}
REFURBISHED = ("armour", "artillery-systems")


def _holding(seed: int, j: int, item: Doc, lines: list[Doc], capacity: float, profile: Profile) -> tuple[list, list]:
    """Upkeep on the item, a refurbishment line and a drawdown from US stocks where they fit:
    (extra lines, drawdowns). Drawn from a stream of their own."""
    rng = np.random.default_rng([seed, j, 2_000_000])
    extra_lines: list[Doc] = []
    drawdowns: list[Doc] = []
    share = UPKEEP_SHARE.get(profile.category)
    if share is not None:
        item["upkeep"] = {"value": round(profile.price * share * rng.uniform(0.7, 1.3), 2), "unit": "EUR/year"}
    if profile.category in REFURBISHED:
        extra_lines.append(
            {
                "id": f"{item['id']}-refurb",
                "supplier": "Depot",
                "country": "DE",
                "item": item["id"],
                "capacity": [{"value": round(capacity * 0.3, 1), "unit": "/year"}],
                "price": [{"value": round(profile.price * rng.uniform(0.3, 0.5), 2), "unit": "EUR"}],
                "lead": {"value": 6, "unit": "months"},
                "stored": {"value": round(capacity * rng.uniform(1, 3)), "low": 0, "high": round(capacity * 4)},
            }
        )
    if j % 5 == 0:
        stock = round(capacity * rng.uniform(1, 2))
        drawdowns.append(
            {
                "id": f"{item['id']}-us-stock",
                "donor": "US Army",
                "item": item["id"],
                "customer": "ukraine",
                "stock": stock,
                "quantity": round(stock * 0.6),
                "available": {"value": round(capacity * 0.5, 1), "unit": "/year"},
                "delivery": {"value": 3, "unit": "months"},
                "replacement": {"line": lines[0]["id"], "fund": "us-purchase", "delay": {"value": 2, "unit": "years"}},
            }
        )
    return extra_lines, drawdowns


# Components by the category of the item that needs them: (component id prefix, unit, its
# capacity as a share of the item's base output, units needed per unit made).
COMPONENTS: dict[str, tuple[str, str, float, float]] = {
    "artillery-ammunition": ("charge", "charge", 0.9, 1.0),
    "air-defence": ("motor", "motor", 0.8, 1.0),
}
POWDER_PER_CHARGE = 12.0  # kg


def _components(seed: int, items: list[Doc], lines: list[Doc], capacity: dict[str, float]) -> tuple[list, list]:
    """Component items and their lines for the items whose category needs them, and the shared
    powder plant; adds ``needs`` to the lines of those items (no draws from the items' streams)."""
    new_items: list[Doc] = []
    new_lines: list[Doc] = []
    charges = 0.0
    for j, item in enumerate(items):
        if item["category"] not in COMPONENTS:
            continue
        prefix, unit, share, need = COMPONENTS[item["category"]]
        rng = np.random.default_rng([seed, 2_000_000 + j])
        ident = f"{prefix}-{item['id']}"
        new_items.append(
            {
                "id": ident,
                "name": f"{unit} for {item['id']}",
                "category": item["category"],
                "unit": unit,
                "component": True,
            }
        )
        for ln in lines:
            if ln["item"] == item["id"]:
                ln["needs"] = {ident: need}
        total = capacity[item["id"]] * share * need * rng.uniform(0.6, 1.2)
        n_lines = int(rng.integers(1, 3))
        for n in range(n_lines):
            country = str(rng.choice(EU_FIRST))
            per_year = total / n_lines
            doc: Doc = {
                "id": f"{ident}-{country.lower()}-{n}",
                "supplier": f"Component maker {country}-{n}",
                "country": country,
                "item": ident,
                "capacity": _capacity(rng, per_year),
                "price": [_money(1.0, "EUR")],
                "lead": {"value": int(rng.choice((0, 3, 6))), "unit": "months"},
                **_expansion(rng, per_year, 50.0, "EUR"),
            }
            if prefix == "charge":
                doc["needs"] = {"powder": POWDER_PER_CHARGE}
                charges += per_year
            new_lines.append(doc)
    if charges:
        new_items.append(
            {
                "id": "powder",
                "name": "propellant powder",
                "category": "artillery-ammunition",
                "unit": "kg",
                "component": True,
            }
        )
        new_lines.append(
            {
                "id": "powder-plant",
                "supplier": "Powder maker",
                "country": "FR",
                "item": "powder",
                "capacity": [{"value": round(charges * POWDER_PER_CHARGE * 0.8, 1), "unit": "/year"}],
                "price": [_money(10.0, "EUR")],
                "lead": {"value": 3, "unit": "months"},
                "expansion_max": {"value": round(charges * POWDER_PER_CHARGE * 0.5, 1), "unit": "/year"},
                "capex": _money(20.0, "EUR"),
                "build": {"value": 18, "unit": "months"},
            }
        )
    return new_items, new_lines


def scenario_document(size: float, seed: int = 0) -> Doc:
    """The scenario as a plain dict (what a YAML file would hold)."""
    shape = shape_for(size)
    items, lines, requirements, drawdowns, value, capacity = [], [], [], [], 0.0, {}
    for j in range(shape.items):
        item, item_lines, reqs, yearly = _item(np.random.default_rng([seed, j]), j, shape.periods)
        items.append(item)
        profile = PROFILES[j % len(PROFILES)]
        extra, transfers = _holding(seed, j, item, item_lines, yearly / profile.price, profile)
        lines.extend([*item_lines, *extra])
        drawdowns.extend(transfers)
        requirements.extend(reqs)
        value += yearly
        capacity[item["id"]] = sum(ln["capacity"][0]["value"] for ln in item_lines)
    component_items, component_lines = _components(seed, items, lines, capacity)
    budget = 0.35 * value / sum(t["weight"] for t in FUND_TEMPLATES)  # money is tight: budgets bind
    return {
        "name": f"synthetic-{shape.items}x{shape.periods}",
        "title": f"Synthetic benchmark scenario (size {size:g}, seed {seed})",
        "as_of": "2026-01",
        "horizon": {"start": START, "periods": shape.periods, "period": "quarter"},
        "currency": {"base": "EUR", "year": 2025, "fx": dict(FX)},
        "customers": [{"id": "ukraine", "name": "Ukraine", "weight": 2.0}, {"id": "europe", "name": "European forces"}],
        "items": items + component_items,
        "requirements": requirements,
        "lines": lines + component_lines,
        "funding": [_fund(seed, n, budget) for n in range(shape.funds)],
        "commitments": _commitments(lines, items, shape.periods),
        "drawdowns": drawdowns,
        "sources": [
            {"id": "synthetic", "publisher": "materiel benchmarks", "title": "Generated figures", "date": "2026"}
        ],
    }


def _commitments(lines: list[Doc], items: list[Doc], periods: int) -> list[Doc]:
    """Contracts already placed: a small order on the first (EU, short-lead) line of every 4th item."""
    if periods < 3:
        return []
    first = {ln["item"]: ln for ln in reversed(lines)}
    out = []
    for item in items[::4]:
        ln = first[item["id"]]
        quantity = ln["capacity"][0]["value"] / 4 * 0.05
        out.append({"line": ln["id"], "customer": "ukraine", "period": _label(1), "quantity": round(quantity, 1)})
    return out


def synthetic_scenario(size: float, seed: int = 0) -> Scenario:
    """A validated synthetic scenario (see the module docstring for its structure)."""
    return Scenario.model_validate(scenario_document(size, seed))


def count_variables(sc: Scenario) -> int:
    """Number of LP columns the planner will create for ``sc`` (variables only, no constraints)."""
    lp = LinearProgram()
    define_variables(lp, compile_scenario(sc))
    return lp.n_cols


def size_for_variables(target: int, seed: int = 0, tolerance: float = 0.03) -> float:
    """The size whose scenario has about ``target`` LP variables (bisection on a log scale)."""
    lo, hi = math.log(0.25), math.log(400.0)
    best, best_err = 1.0, math.inf
    for _ in range(40):
        mid = (lo + hi) / 2
        n = count_variables(synthetic_scenario(math.exp(mid), seed))
        err = abs(n - target) / target
        if err < best_err:
            best, best_err = math.exp(mid), err
        if err <= tolerance:
            break
        lo, hi = (mid, hi) if n < target else (lo, mid)
    return round(best, 4)


def scenario_for_variables(target: int, seed: int = 0) -> Scenario:
    """A synthetic scenario with about ``target`` LP variables (e.g. 2_000, 10_000, 50_000, 200_000)."""
    return synthetic_scenario(size_for_variables(target, seed), seed)


__all__ = [
    "Shape",
    "count_variables",
    "scenario_document",
    "scenario_for_variables",
    "shape_for",
    "size_for_variables",
    "synthetic_scenario",
]
