"""A validated scenario turned into the arrays the planner, checker and assessment read.

``compile_scenario`` resolves every reference (items, customers, lines, sources, countries),
converts every figure to base currency and per-period rates, and reports all problems at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from .convert import Converter
from .countries import REGIONS, builtin_countries
from .errors import Collector, Loc
from .periods import Calendar, parse_period
from .policy import PolicyData, compile_policy
from .refs import duplicates, ref
from .schema import DEFAULT_CATEGORIES, Quantity, Scenario
from .threat import ThreatData, compile_threat

NEGLIGIBLE = 1e-6


@dataclass
class ModelData:
    """All numbers of a scenario on the planning grid (customers k, items i, lines l, funds f,
    periods t, years y). Money is in base currency at the base price year; rates per period."""

    scenario: Scenario
    cal: Calendar
    currency: str
    customers: list[str]
    customer_weight: np.ndarray  # (K,)
    items: list[str]
    item_category: list[str]
    item_weight: np.ndarray  # (I,)
    categories: list[str]
    loss: np.ndarray  # (I,) share lost per period
    wartime_use: np.ndarray  # (I,) units per day of high-intensity war
    stock0: np.ndarray  # (K, I)
    use: np.ndarray  # (K, I, T) units used per period
    target: np.ndarray  # (K, I, T)
    lines: list[str]
    line_item: np.ndarray  # (L,) item index
    line_country: list[str]
    line_supplier: list[str]
    line_tags: list[frozenset[str]]  # country code and region flags
    cap: np.ndarray  # (L, T) base capacity per period
    price: np.ndarray  # (L, T) money per unit
    lead: np.ndarray  # (L,) periods from order to delivery (rounded up)
    lead_days: np.ndarray  # (L,) the same lead time in days, unrounded (for surge during a war)
    build: np.ndarray  # (L,) periods from investment to capacity
    emax: np.ndarray  # (L,) per-period capacity that one period's starts may add
    capex: np.ndarray  # (L,) money per unit of per-period capacity
    share: np.ndarray  # (L, K) largest share of output per customer
    funds: list[str]
    budget: np.ndarray  # (F, Y) money per year
    min_spend: np.ndarray  # (F,) share of each year's budget that must be spent
    carry: np.ndarray  # (F,) bool
    eligible: np.ndarray  # (F, L, K) bool: f may pay for orders on l for k
    eligible_capex: np.ndarray  # (F, L) bool
    committed: np.ndarray  # (L, K, T) minimum orders
    policy: PolicyData  # assessment settings and policy options (always compiled)
    threat: ThreatData | None = None  # air attacks and defences, for the assessment

    @property
    def T(self) -> int:
        return self.cal.n

    @property
    def periods(self) -> list[str]:
        return self.cal.labels

    @property
    def years(self) -> list[int]:
        return self.cal.years

    @property
    def year_index(self) -> np.ndarray:
        """(T,) index into ``years`` of each period."""
        return self.cal.year_of - self.cal.years[0]

    @property
    def region_of_line(self) -> list[str]:
        """'Ukraine', 'Europe' or 'Rest of world', for spending tables."""
        return ["Ukraine" if "UA" in t else "Europe" if "EUROPE" in t else "Rest of world" for t in self.line_tags]


def iter_quantities(node: object, loc: Loc = (), explicit: bool = False) -> Iterator[tuple[Loc, Quantity]]:
    """Every figure in a scenario with its location, depth first (``explicit``: only figures
    written in the file, not schema defaults)."""
    if isinstance(node, Quantity):
        yield loc, node
        return
    if isinstance(node, BaseModel):
        for name, field in type(node).model_fields.items():
            if explicit and name not in node.model_fields_set:
                continue
            yield from iter_quantities(getattr(node, name), (*loc, field.alias or name), explicit)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from iter_quantities(v, (*loc, i), explicit)
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from iter_quantities(v, (*loc, k), explicit)


def _calendar(sc: Scenario, problems: Collector) -> Calendar:
    h = sc.horizon
    start = parse_period(h.start, h.period)
    if h.end is not None:
        n = parse_period(h.end, h.period) - start + 1
        if n < 1:
            problems.add(("horizon", "end"), f"end {h.end} is before start {h.start}")
            n = 1
    else:
        n = h.periods or 1
    return Calendar(start=start, n=n, freq=h.period)


def compile_scenario(sc: Scenario, tolerated: dict[str, set[str]] | None = None) -> ModelData:
    """Resolve references and convert units; raise ScenarioError listing every problem.

    ``tolerated`` names ids (by kind: item, line, customer, source ...) that exist in the file but
    failed schema validation, so references to them are not reported a second time.
    """
    problems = Collector()
    problems.tolerated = tolerated or {}
    cal = _calendar(sc, problems)
    cur = sc.currency
    fx = {}
    for code, q in cur.fx.items():
        if q.value <= 0:
            problems.add(("currency", "fx", code, "value"), f"an exchange rate must be positive (got {q.value:g})")
        fx[code] = q.value
    conv = Converter(cal, cur.base, cur.year, fx, cur.inflation.value, problems)
    T, ppy = cal.n, cal.per_year

    # -- sources ---------------------------------------------------------------------------------
    source_ids = duplicates([s.id for s in sc.sources], "sources", problems)
    for loc, q in iter_quantities(sc):
        if q.source is not None and q.source not in source_ids:
            ref(q.source, source_ids, (*loc, "source"), "source", problems)

    # -- countries, categories, customers --------------------------------------------------------
    countries = builtin_countries()
    for c in sc.countries:
        countries[c.code] = (c.name, list(c.regions))
    tags_known = set(countries) | set(REGIONS) | {r for _, rs in countries.values() for r in rs}
    categories = dict(DEFAULT_CATEGORIES)
    for j, c in enumerate(sc.categories):
        if c.id in categories and c.id in DEFAULT_CATEGORIES:
            problems.add(("categories", j, "id"), f"{c.id!r} is a standard category; no need to declare it")
        categories[c.id] = c.name
    cust = duplicates([c.id for c in sc.customers], "customers", problems)
    K = len(sc.customers)

    # -- items -----------------------------------------------------------------------------------
    item_ix = duplicates([i.id for i in sc.items], "items", problems)
    I = len(sc.items)
    loss = np.zeros(I)
    wartime = np.zeros(I)
    stock0 = np.zeros((K, I))
    use = np.zeros((K, I, T))
    for i, it in enumerate(sc.items):
        loc: Loc = ("items", i)
        if it.category not in categories:
            ref(it.category, {c: 0 for c in categories}, (*loc, "category"), "category", problems)
        if it.loss is not None:
            loss[i] = conv.loss_per_period(it.loss, (*loc, "loss"))
        if it.wartime_use is not None:
            wartime[i] = conv.per_day(it.wartime_use, (*loc, "wartime_use"))
            conv.nonneg(it.wartime_use.value, (*loc, "wartime_use"), "wartime use")
        for who, q in it.stock.items():
            k = ref(who, cust, (*loc, "stock", who), "customer", problems)
            conv.nonneg(q.value, (*loc, "stock", who), "a stock")
            if k is not None:
                stock0[k, i] = q.value
        for who, q in it.use.items():
            k = ref(who, cust, (*loc, "use", who), "customer", problems)
            conv.nonneg(q.value, (*loc, "use", who), "use")
            if k is not None:
                use[k, i, :] = conv.per_period(q, (*loc, "use", who))

    threat = compile_threat(sc, conv, problems, item_ix, wartime)

    # -- requirements and force designs ----------------------------------------------------------
    target = np.zeros((K, I, T))
    set_by: dict[tuple[int, int], Loc] = {}

    def claim(k: int, i: int, loc: Loc) -> bool:
        if (k, i) in set_by:
            first = ".".join(str(p) for p in set_by[(k, i)])
            problems.add(loc, f"a target for {sc.customers[k].id}/{sc.items[i].id} is already set at {first}")
            return False
        set_by[(k, i)] = loc
        return True

    def count(q: Quantity, loc: Loc) -> float:
        conv.nonneg(q.value, loc, "a target")
        return q.value

    for j, r in enumerate(sc.requirements):
        loc = ("requirements", j)
        k = ref(r.customer, cust, (*loc, "customer"), "customer", problems)
        i = ref(r.item, item_ix, (*loc, "item"), "item", problems)
        profile = conv.milestones(r.targets, (*loc, "targets"), count, r.interpolate)
        if k is not None and i is not None and claim(k, i, loc):
            target[k, i] = profile

    for j, fd in enumerate(sc.force_design):
        loc = ("force_design", j)
        k = ref(fd.customer, cust, (*loc, "customer"), "customer", problems)
        phase = conv.milestones(fd.phase_in, (*loc, "phase_in"), conv.fraction, "linear")
        conv.nonneg(fd.brigades.value, (*loc, "brigades"), "the number of brigades")
        for a, al in enumerate(fd.allotments):
            aloc: Loc = (*loc, "allotments", a)
            i = ref(al.item, item_ix, (*aloc, "item"), "item", problems)
            conv.nonneg(al.per_brigade.value, (*aloc, "per_brigade"), "an allotment")
            days = (al.reserve_days or fd.reserve_days).value
            if k is not None and i is not None and claim(k, i, aloc):
                if days > 0 and wartime[i] == 0:
                    problems.add(aloc, f"reserve days need the wartime_use of item {sc.items[i].id!r}")
                full = fd.brigades.value * al.per_brigade.value + days * wartime[i]
                target[k, i] = phase * full

    # -- lines -----------------------------------------------------------------------------------
    line_ix = duplicates([ln.id for ln in sc.lines], "lines", problems)
    L = len(sc.lines)
    line_item = np.zeros(L, dtype=np.int64)
    cap = np.zeros((L, T))
    price = np.zeros((L, T))
    lead = np.zeros(L, dtype=np.int64)
    lead_days = np.zeros(L)
    build = np.zeros(L, dtype=np.int64)
    emax = np.zeros(L)
    capex = np.zeros(L)
    share = np.ones((L, K))
    tags: list[frozenset[str]] = []
    for l, ln in enumerate(sc.lines):
        loc = ("lines", l)
        i = ref(ln.item, item_ix, (*loc, "item"), "item", problems)
        line_item[l] = i if i is not None else 0
        if ln.country not in countries:
            problems.add(
                (*loc, "country"), f"unknown country code {ln.country!r}; declare it under 'countries' with its regions"
            )
            tags.append(frozenset({ln.country}))
        else:
            tags.append(frozenset({ln.country, *countries[ln.country][1]}))

        def rate(q: Quantity, qloc: Loc) -> float:
            conv.nonneg(q.value, qloc, "a capacity")
            return conv.per_period(q, qloc)

        def unit_price(q: Quantity, qloc: Loc) -> float:
            if q.value <= 0:
                problems.add((*qloc, "value"), f"a price must be positive (got {q.value:g})")
            return conv.money(q, qloc)

        cap[l] = conv.schedule(ln.capacity, (*loc, "capacity"), rate)
        price[l] = conv.schedule(ln.price, (*loc, "price"), unit_price, before="first")
        lead[l] = conv.periods(ln.lead, (*loc, "lead"))
        lead_days[l] = conv.days(ln.lead, (*loc, "lead"), default="month")
        emax_year = ln.expansion_max.value
        conv.nonneg(emax_year, (*loc, "expansion_max"), "an expansion limit")
        emax[l] = conv.per_period(ln.expansion_max, (*loc, "expansion_max")) / ppy
        if emax_year > 0:
            if ln.capex is None:
                problems.add(
                    (*loc, "capex"),
                    "a line that can expand (expansion_max > 0) needs capex: the money per unit of added yearly capacity",
                )
            if ln.build is None:
                problems.add(
                    (*loc, "build"),
                    "a line that can expand (expansion_max > 0) needs build: the time until new capacity is usable",
                )
        if ln.capex is not None:
            conv.nonneg(ln.capex.value, (*loc, "capex"), "capex")
            capex[l] = conv.money(ln.capex, (*loc, "capex")) * ppy
        if ln.build is not None:
            build[l] = conv.periods(ln.build, (*loc, "build"))
        for who, q in ln.share.items():
            k = ref(who, cust, (*loc, "share", who), "customer", problems)
            if k is not None:
                share[l, k] = conv.fraction(q, (*loc, "share", who))

    # -- funding ---------------------------------------------------------------------------------
    duplicates([f.id for f in sc.funding], "funding", problems)
    F, Y = len(sc.funding), len(cal.years)
    budget = np.zeros((F, Y))
    min_spend = np.zeros(F)
    carry = np.zeros(F, dtype=bool)
    eligible = np.zeros((F, L, K), dtype=bool)
    eligible_capex = np.zeros((F, L), dtype=bool)
    item_cat = [it.category for it in sc.items]
    for f, fu in enumerate(sc.funding):
        loc = ("funding", f)

        def yearly_money(q: Quantity, qloc: Loc) -> float:
            conv.nonneg(q.value, qloc, "a budget")
            return conv.money_per_year(q, qloc)

        budget[f] = conv.yearly(fu.budget, (*loc, "budget"), yearly_money)
        min_spend[f] = conv.fraction(fu.min_spend, (*loc, "min_spend"))
        carry[f] = fu.carry_over
        for field in ("origins", "exclude"):
            for j, tag in enumerate(getattr(fu, field) or []):
                if tag not in tags_known:
                    problems.add(
                        (*loc, field, j),
                        f"{tag!r} is neither a country code nor a region; regions: {', '.join(REGIONS)}",
                    )
        origin_ok = np.array([fu.origins is None or bool(t & set(fu.origins)) for t in tags], dtype=bool)
        origin_ok &= np.array([not (t & set(fu.exclude)) for t in tags], dtype=bool)
        cust_ok = np.ones(K, dtype=bool)
        if fu.customers is not None:
            cust_ok[:] = False
            for j, who in enumerate(fu.customers):
                k = ref(who, cust, (*loc, "customers", j), "customer", problems)
                if k is not None:
                    cust_ok[k] = True
        cat_ok = np.ones(L, dtype=bool)
        if fu.categories is not None:
            for j, c in enumerate(fu.categories):
                if c not in categories:
                    ref(c, {x: 0 for x in categories}, (*loc, "categories", j), "category", problems)
            cat_ok = np.array([item_cat[line_item[l]] in fu.categories for l in range(L)], dtype=bool)
        eligible[f] = (origin_ok & cat_ok)[:, None] & cust_ok[None, :]
        eligible_capex[f] = origin_ok & cat_ok & fu.capex

    # -- commitments -----------------------------------------------------------------------------
    committed = np.zeros((L, K, T))
    for j, c in enumerate(sc.commitments):
        loc = ("commitments", j)
        l = ref(c.line, line_ix, (*loc, "line"), "line", problems)
        k = ref(c.customer, cust, (*loc, "customer"), "customer", problems)
        t = conv.period_index(c.period, (*loc, "period"))
        conv.nonneg(c.quantity.value, (*loc, "quantity"), "a committed quantity")
        if l is None or k is None or t is None:
            continue
        if not 0 <= t < T:
            problems.add((*loc, "period"), f"{c.period} is outside the horizon {cal.label(0)}–{cal.label(T - 1)}")
        elif t + lead[l] >= T:
            problems.add(
                (*loc, "period"),
                f"an order in {c.period} on {c.line} (lead {lead[l]} periods) would arrive after the horizon ends in {cal.label(T - 1)}",
            )
        elif share[l, k] == 0:
            problems.add((*loc, "customer"), f"line {c.line} gives {c.customer} no share of its output (share 0)")
        elif not eligible[:, l, k].any():
            problems.add((*loc, "line"), f"no funding vehicle may pay for {c.customer}'s orders on {c.line}")
        else:
            committed[l, k, t] += c.quantity.value

    policy = compile_policy(sc, conv, problems, cust, [f.id for f in sc.funding])
    problems.raise_if_any()
    for arr in (use, target, stock0):  # below a millionth of a unit is rounding noise, not demand
        arr[np.abs(arr) < NEGLIGIBLE] = 0.0
    return ModelData(
        scenario=sc,
        cal=cal,
        currency=cur.base,
        customers=[c.id for c in sc.customers],
        customer_weight=np.array([c.weight for c in sc.customers]),
        items=[it.id for it in sc.items],
        item_category=item_cat,
        item_weight=np.array([it.weight for it in sc.items]),
        categories=[c for c in categories if c in set(item_cat)],
        loss=loss,
        wartime_use=wartime,
        stock0=stock0,
        use=use,
        target=target,
        lines=[ln.id for ln in sc.lines],
        line_item=line_item,
        line_country=[ln.country for ln in sc.lines],
        line_supplier=[ln.supplier for ln in sc.lines],
        line_tags=tags,
        cap=cap,
        price=price,
        lead=lead,
        lead_days=lead_days,
        build=build,
        emax=emax,
        capex=capex,
        share=share,
        funds=[f.id for f in sc.funding],
        budget=budget,
        min_spend=min_spend,
        carry=carry,
        eligible=eligible,
        eligible_capex=eligible_capex,
        committed=committed,
        threat=threat,
        policy=policy,
    )


def unsourced(sc: Scenario) -> list[Loc]:
    """Figures written in the file that carry neither a source nor an assumption."""
    return [loc for loc, q in iter_quantities(sc, explicit=True) if q.source is None and q.assumption is None]
