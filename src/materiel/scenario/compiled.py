"""A validated scenario turned into the arrays the planner, checker and assessment read.

``compile_scenario`` resolves every reference (items, customers, lines, sources, countries),
converts every figure to base currency and per-period rates, and reports all problems at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel

from .bounds import COUNT, FX, INFLATION, PRICE
from .components import compile_components
from .convert import Converter, within
from .countries import REGIONS, builtin_countries
from .errors import Collector, Loc, Problem, ScenarioError
from .overrides import expand
from .periods import Calendar, parse_period
from .policy import PolicyData, compile_policy
from .preference import compile_preference
from .refs import duplicates, ref
from .schema import DEFAULT_CATEGORIES, Funding, Line, Quantity, Scenario, Step
from .systems import FireData, compile_fire, warn_unexplained_weights, warn_untargeted_critical
from .threat import ThreatData, compile_threat
from .units import UnitError, fraction_rate

NEGLIGIBLE = 1e-6


@dataclass
class UpkeepData:
    """What holding stock costs (docs/model.md, "Upkeep and retirement"): money per unit held
    per year, which vehicles may pay it, and fixed yearly charges on budgets."""

    declared: np.ndarray  # (I,) bool: the item has an upkeep figure (retirement and payment exist)
    cost: np.ndarray  # (I,) money per unit held per year
    eligible: np.ndarray  # (F, K, I) bool: f may pay the upkeep of k's stock of i
    fixed: np.ndarray  # (F, Y) money per year charged on the budget outside the plan
    fixed_declared: np.ndarray  # (F,) bool: the vehicle has a fixed charge

    @property
    def any(self) -> bool:
        return bool(self.declared.any())


@dataclass
class TransferData:
    """Supply from existing stocks (docs/model.md, "Drawdowns and refurbishment"): transfers from
    donors' stocks with their replacement, and refurbishment lines' stored pools."""

    ids: list[str]  # drawdown ids (J)
    donor: list[str]
    item: np.ndarray  # (J,) item index
    customer: np.ndarray  # (J,) customer index
    stock: np.ndarray  # (J,) the donor's declared stock
    total: np.ndarray  # (J,) the most transferred over the horizon: the least of quantity and stock
    available: np.ndarray  # (J, T) units that may be transferred per period
    delivery: np.ndarray  # (J,) periods from transfer to delivery
    replaced: np.ndarray  # (J,) bool: the donor's stock is replaced at a line's price
    line: np.ndarray  # (J,) line index whose price the replacement pays (0 when not replaced)
    fund: np.ndarray  # (J,) vehicle that pays the replacement (0 when not replaced)
    delay: np.ndarray  # (J,) periods from transfer to the replacement's payment
    refurbished: np.ndarray  # (L,) bool: the line refurbishes used equipment from storage
    stored: np.ndarray  # (L,) units in storage a refurbishment line may deliver over the horizon

    @property
    def J(self) -> int:
        return len(self.ids)

    def pay_period(self, T: int) -> np.ndarray:
        """(J, T) period in which a transfer in each period is replaced and paid: its delay later,
        or the horizon's last period for replacements due after it (no transfer is free)."""
        return np.minimum(np.arange(T)[None, :] + self.delay[:, None], T - 1)


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
    wartime: np.ndarray  # (I, T) units per day of high-intensity war starting at the end of t (follows the threat)
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
    upkeep: UpkeepData  # operating and support cost of stock held, fixed charges on budgets
    transfers: TransferData  # drawdowns from donors' stocks and refurbishment lines
    component: np.ndarray  # (I,) bool: the item is a component, used only by the lines that need it
    need: np.ndarray  # (L, I) units of component i one unit of line l's output needs
    policy: PolicyData  # assessment settings and policy options (always compiled)
    fire: FireData  # systems, the munitions they fire, critical items (for the assessment)
    threat: ThreatData | None = None  # air attacks and defences, for the assessment
    warnings: list[Problem] = field(default_factory=list)  # located; the CLI prints them to stderr
    own: np.ndarray | None = None  # (F,) bool: the recipients' own money, not aid (None: no vehicle is)
    contributors: list[dict[str, float]] = field(default_factory=list)  # (F,) country -> share; {} not split
    whatifs: list[str] = field(default_factory=list)  # what-ifs applied, as given: names, then "--set PATH=VALUE"
    preferred: list[np.ndarray] = field(default_factory=list)  # (L,) lines preferred at each tie-break level

    def is_own(self, f: int) -> bool:
        """Whether fund ``f`` is the recipients' own money rather than aid."""
        return self.own is not None and bool(self.own[f])

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
    def component_line(self) -> np.ndarray:
        """(L,) bool: the line makes a component (no customer orders on it)."""
        return self.component[self.line_item]

    @property
    def region_of_line(self) -> list[str]:
        """'Ukraine', 'Europe' or 'Rest of world', for spending tables."""
        return ["Ukraine" if "UA" in t else "Europe" if "EUROPE" in t else "Rest of world" for t in self.line_tags]


def iter_quantities(node: object, loc: Loc = (), explicit: bool = False) -> Iterator[tuple[Loc, Quantity]]:
    """Every figure in a scenario with its location, depth first (``explicit``: only figures
    written in the file, not schema defaults)."""
    if isinstance(node, Quantity):
        yield loc, node
        for name, value in vars(node).items():  # a figure inside a figure: a step's growth
            if isinstance(value, Quantity) and (not explicit or name in node.model_fields_set):
                yield from iter_quantities(value, (*loc, name), explicit)
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


@dataclass
class _Frame:
    """What every section of a scenario is compiled against: the calendar, the converter, the
    problems found so far, and the ids entities refer to."""

    sc: Scenario
    cal: Calendar
    conv: Converter
    problems: Collector
    countries: dict[str, tuple[str, list[str]]]
    categories: dict[str, str]
    customers: dict[str, int]
    items: dict[str, int]

    def known_country(self, code: str, loc: Loc) -> bool:
        if code in self.countries:
            return True
        self.problems.add(loc, f"unknown country code {code!r}; declare it under 'countries' with its regions")
        return False

    def known_category(self, name: str, loc: Loc) -> None:
        if name not in self.categories:
            ref(name, {c: 0 for c in self.categories}, loc, "category", self.problems)


@dataclass
class _Items:
    loss: np.ndarray
    wartime: np.ndarray
    stock0: np.ndarray
    use: np.ndarray


@dataclass
class _Lines:
    index: dict[str, int]
    item: np.ndarray
    tags: list[frozenset[str]]
    cap: np.ndarray
    price: np.ndarray
    lead: np.ndarray
    lead_days: np.ndarray
    build: np.ndarray
    emax: np.ndarray
    capex: np.ndarray
    share: np.ndarray


@dataclass
class _Funds:
    budget: np.ndarray
    min_spend: np.ndarray
    carry: np.ndarray
    eligible: np.ndarray
    eligible_capex: np.ndarray
    own: np.ndarray
    contributors: list[dict[str, float]] = field(default_factory=list)


def _converter(sc: Scenario, cal: Calendar, problems: Collector) -> Converter:
    """Exchange rates and inflation checked against their ranges; a converter that uses them."""
    cur = sc.currency
    fx = {}
    for code, q in cur.fx.items():
        within(q, ("currency", "fx", code), FX, "an exchange rate", problems)
        fx[code] = q.value
    inflation = 0.0
    try:
        factor, basis = fraction_rate(cur.inflation.unit)
        if basis != "year":
            raise UnitError(f"unit {cur.inflation.unit!r}: inflation is yearly; write '/year', '%' or nothing")
    except UnitError as exc:
        problems.add(("currency", "inflation", "unit"), str(exc))
    else:
        if within(cur.inflation, ("currency", "inflation"), INFLATION, "inflation", problems, factor):
            inflation = cur.inflation.value * factor
    return Converter(cal, cur.base, cur.year, fx, inflation, problems)


def _check_sources(sc: Scenario, problems: Collector) -> None:
    source_ids = duplicates([s.id for s in sc.sources], "sources", problems)
    for loc, q in iter_quantities(sc):
        if q.source is not None and q.source not in source_ids:
            ref(q.source, source_ids, (*loc, "source"), "source", problems)


def _check_variants(sc: Scenario, problems: Collector) -> None:
    """Every variant names defined what-ifs and does not include itself, even when not applied."""
    data = {"overrides": sc.overrides, "variants": sc.variants}
    for name in sc.variants:
        try:
            expand(data, [name])
        except ScenarioError as exc:
            problems.problems.extend(p for p in exc.problems if str(p) not in map(str, problems.problems))


def _frame(sc: Scenario, problems: Collector) -> _Frame:
    """Calendar, converter, and the ids of countries, categories, customers and items."""
    cal = _calendar(sc, problems)
    conv = _converter(sc, cal, problems)
    countries = builtin_countries()
    for c in sc.countries:
        countries[c.code] = (c.name, list(c.regions))
    categories = dict(DEFAULT_CATEGORIES)
    for j, c in enumerate(sc.categories):
        if c.id in categories and c.id in DEFAULT_CATEGORIES:
            problems.add(("categories", j, "id"), f"{c.id!r} is a standard category; no need to declare it")
        categories[c.id] = c.name
    customers = duplicates([c.id for c in sc.customers], "customers", problems)
    items = duplicates([i.id for i in sc.items], "items", problems)
    return _Frame(sc, cal, conv, problems, countries, categories, customers, items)


def _items(fr: _Frame) -> _Items:
    """Loss rates, wartime use, initial stock and peacetime use of every item."""
    sc, conv, T = fr.sc, fr.conv, fr.cal.n
    K, I = len(sc.customers), len(sc.items)
    out = _Items(np.zeros(I), np.zeros((I, T)), np.zeros((K, I)), np.zeros((K, I, T)))
    for i, it in enumerate(sc.items):
        loc: Loc = ("items", i)
        fr.known_category(it.category, (*loc, "category"))
        if it.loss is not None:
            out.loss[i] = conv.loss_per_period(it.loss, (*loc, "loss"))
        if it.wartime_use is not None:
            out.wartime[i] = conv.per_day(it.wartime_use, (*loc, "wartime_use"), "wartime use")
        for who, q in it.stock.items():
            k = ref(who, fr.customers, (*loc, "stock", who), "customer", fr.problems)
            value = conv.count(q, (*loc, "stock", who), "a stock")
            if k is not None:
                out.stock0[k, i] = value
        for who, q in it.use.items():
            k = ref(who, fr.customers, (*loc, "use", who), "customer", fr.problems)
            per_period = conv.per_period(q, (*loc, "use", who), "use")
            if k is not None:
                out.use[k, i, :] = per_period
    return out


def _targets(fr: _Frame, wartime: np.ndarray) -> np.ndarray:
    """(K, I, T) target stock from requirements and force designs; one source per customer and item."""
    sc, conv = fr.sc, fr.conv
    target = np.zeros((len(sc.customers), len(sc.items), fr.cal.n))
    set_by: dict[tuple[int, int], Loc] = {}

    def claim(k: int, i: int, loc: Loc) -> bool:
        if (k, i) in set_by:
            first = ".".join(str(p) for p in set_by[(k, i)])
            fr.problems.add(loc, f"a target for {sc.customers[k].id}/{sc.items[i].id} is already set at {first}")
            return False
        set_by[(k, i)] = loc
        return True

    def count(q: Quantity, loc: Loc) -> float:
        return conv.count(q, loc, "a target")

    for j, r in enumerate(sc.requirements):
        loc: Loc = ("requirements", j)
        k = ref(r.customer, fr.customers, (*loc, "customer"), "customer", fr.problems)
        i = ref(r.item, fr.items, (*loc, "item"), "item", fr.problems)
        profile = conv.milestones(r.targets, (*loc, "targets"), count, r.interpolate)
        if k is not None and i is not None and claim(k, i, loc):
            target[k, i] = profile

    for j, fd in enumerate(sc.force_design):
        loc = ("force_design", j)
        k = ref(fd.customer, fr.customers, (*loc, "customer"), "customer", fr.problems)
        phase = conv.milestones(fd.phase_in, (*loc, "phase_in"), conv.fraction, "linear")
        brigades = conv.count(fd.brigades, (*loc, "brigades"), "the number of brigades")
        default_days = conv.days(fd.reserve_days, (*loc, "reserve_days"), what="reserve days")
        for a, al in enumerate(fd.allotments):
            aloc: Loc = (*loc, "allotments", a)
            i = ref(al.item, fr.items, (*aloc, "item"), "item", fr.problems)
            per_brigade = conv.count(al.per_brigade, (*aloc, "per_brigade"), "an allotment")
            days = default_days
            if al.reserve_days is not None:
                days = conv.days(al.reserve_days, (*aloc, "reserve_days"), what="reserve days")
            if k is not None and i is not None and claim(k, i, aloc):
                if days > 0 and not wartime[i].any():
                    fr.problems.add(aloc, f"reserve days need the wartime_use of item {sc.items[i].id!r}")
                full = brigades * per_brigade + days * wartime[i]  # (T,): reserves follow the threat
                if full.max() > COUNT.high:
                    fr.problems.add(
                        aloc,
                        f"brigades × per_brigade + reserve days × wartime use gives a target of {full.max():.3g}, "
                        f"above {COUNT.high:g} units, the limit for a count of units (docs/scenario.md)",
                    )
                target[k, i] = phase * full
    return target


def _line_tags(fr: _Frame, ln: Line, loc: Loc) -> frozenset[str]:
    """The line's country code and region flags."""
    if ln.country not in fr.countries:
        fr.problems.add(
            (*loc, "country"), f"unknown country code {ln.country!r}; declare it under 'countries' with its regions"
        )
        return frozenset({ln.country})
    return frozenset({ln.country, *fr.countries[ln.country][1]})


def _expansion(fr: _Frame, ln: Line, loc: Loc) -> tuple[float, float, int]:
    """Per-period capacity one period's starts may add, its capex per unit of per-period capacity,
    and the build time in periods."""
    conv, ppy = fr.conv, fr.cal.per_year
    emax = conv.per_period(ln.expansion_max, (*loc, "expansion_max"), "an expansion limit") / ppy
    if ln.expansion_max.value > 0:
        if ln.capex is None:
            fr.problems.add(
                (*loc, "capex"),
                "a line that can expand (expansion_max > 0) needs capex: the money per unit of added yearly capacity",
            )
        if ln.build is None:
            fr.problems.add(
                (*loc, "build"),
                "a line that can expand (expansion_max > 0) needs build: the time until new capacity is usable",
            )
    capex = conv.money(ln.capex, (*loc, "capex"), "capex") * ppy if ln.capex is not None else 0.0
    build = conv.periods(ln.build, (*loc, "build")) if ln.build is not None else 0
    return emax, capex, build


def _lines(fr: _Frame) -> _Lines:
    """Capacity, price, lead and build times, expansion and customer shares of every line."""
    sc, conv, T = fr.sc, fr.conv, fr.cal.n
    L, K = len(sc.lines), len(sc.customers)
    out = _Lines(
        index=duplicates([ln.id for ln in sc.lines], "lines", fr.problems),
        item=np.zeros(L, dtype=np.int64),
        tags=[],
        cap=np.zeros((L, T)),
        price=np.zeros((L, T)),
        lead=np.zeros(L, dtype=np.int64),
        lead_days=np.zeros(L),
        build=np.zeros(L, dtype=np.int64),
        emax=np.zeros(L),
        capex=np.zeros(L),
        share=np.ones((L, K)),
    )

    def rate(q: Quantity, qloc: Loc) -> float:
        return conv.per_period(q, qloc, "a capacity")

    def unit_price(q: Quantity, qloc: Loc) -> float:
        return conv.money(q, qloc, "a price", PRICE)

    for l, ln in enumerate(sc.lines):
        loc: Loc = ("lines", l)
        i = ref(ln.item, fr.items, (*loc, "item"), "item", fr.problems)
        out.item[l] = i if i is not None else 0
        out.tags.append(_line_tags(fr, ln, loc))
        out.cap[l] = conv.schedule(ln.capacity, (*loc, "capacity"), rate)
        out.price[l] = conv.schedule(ln.price, (*loc, "price"), unit_price, before="first")
        out.lead[l] = conv.periods(ln.lead, (*loc, "lead"))
        out.lead_days[l] = conv.days(ln.lead, (*loc, "lead"), default="month")
        out.emax[l], out.capex[l], out.build[l] = _expansion(fr, ln, loc)
        for who, q in ln.share.items():
            k = ref(who, fr.customers, (*loc, "share", who), "customer", fr.problems)
            if k is not None:
                out.share[l, k] = conv.fraction(q, (*loc, "share", who))
    return out


def _origins_allowed(fr: _Frame, fu: Funding, loc: Loc, tags: list[frozenset[str]]) -> np.ndarray:
    """(L,) lines whose country the vehicle may buy from."""
    known = set(fr.countries) | set(REGIONS) | {r for _, rs in fr.countries.values() for r in rs}
    for key in ("origins", "exclude"):
        for j, tag in enumerate(getattr(fu, key) or []):
            if tag not in known:
                fr.problems.add(
                    (*loc, key, j), f"{tag!r} is neither a country code nor a region; regions: {', '.join(REGIONS)}"
                )
    ok = np.array([fu.origins is None or bool(t & set(fu.origins)) for t in tags], dtype=bool)
    return ok & np.array([not (t & set(fu.exclude)) for t in tags], dtype=bool)


def _customers_allowed(fr: _Frame, fu: Funding, loc: Loc) -> np.ndarray:
    """(K,) customers the vehicle may buy for."""
    ok = np.ones(len(fr.sc.customers), dtype=bool)
    if fu.customers is not None:
        ok[:] = False
        for j, who in enumerate(fu.customers):
            k = ref(who, fr.customers, (*loc, "customers", j), "customer", fr.problems)
            if k is not None:
                ok[k] = True
    return ok


def _categories_allowed(fr: _Frame, fu: Funding, loc: Loc, line_item: np.ndarray) -> np.ndarray:
    """(L,) lines whose item's category the vehicle may buy."""
    if fu.categories is None:
        return np.ones(len(line_item), dtype=bool)
    for j, c in enumerate(fu.categories):
        fr.known_category(c, (*loc, "categories", j))
    item_cat = [it.category for it in fr.sc.items]
    return np.array([item_cat[i] in fu.categories for i in line_item], dtype=bool)


def _budget(fr: _Frame, fu: Funding, loc: Loc) -> np.ndarray:
    """(Y,) money per year: the budget schedule, or the GDP share times the country's GDP."""
    conv = fr.conv
    if fu.budget is not None:
        return conv.yearly(fu.budget, (*loc, "budget"), conv.money_per_year)
    if fu.gdp_share is None:
        return np.zeros(len(fr.cal.years))  # the schema requires one of the two
    gloc: Loc = (*loc, "gdp_share")
    fr.known_country(fu.gdp_share.country, (*gloc, "country"))
    share = conv.fraction(fu.gdp_share.share, (*gloc, "share"))
    gdp = conv.yearly(fu.gdp_share.gdp, (*gloc, "gdp"), lambda q, qloc: conv.money_per_year(q, qloc, "a GDP"))
    return share * gdp


CONTRIBUTOR_SUM = 1e-6  # contributor shares must sum to 1 within this


def _contributors(fr: _Frame, fu: Funding, loc: Loc) -> dict[str, float]:
    """Country code -> share of the vehicle's money; {} when not given (spending not split)."""
    if fu.contributors is None:
        return {fu.gdp_share.country: 1.0} if fu.gdp_share is not None else {}
    cloc: Loc = (*loc, "contributors")
    ok = True
    for code, value in fu.contributors.items():
        ok &= fr.known_country(code, (*cloc, code))
        if not 0 <= value <= 1:
            fr.problems.add((*cloc, code), f"a contributor's share must lie between 0 and 1, got {value:g}")
            ok = False
    total = sum(fu.contributors.values())
    if not fu.contributors:
        fr.problems.add(cloc, "name at least one contributing country, or leave contributors out")
    elif abs(total - 1) > CONTRIBUTOR_SUM:
        parts = " + ".join(f"{c} {v:g}" for c, v in fu.contributors.items())
        fr.problems.add(cloc, f"contributors' shares must sum to 1: {parts} = {total:.6g}")
        ok = False
    return dict(fu.contributors) if ok else {}


def _funding(fr: _Frame, lines: _Lines) -> _Funds:
    """Budgets by year, committed spending, carry-over and what each vehicle may pay for."""
    sc, conv = fr.sc, fr.conv
    duplicates([f.id for f in sc.funding], "funding", fr.problems)
    F, Y, L, K = len(sc.funding), len(fr.cal.years), len(sc.lines), len(sc.customers)
    out = _Funds(
        budget=np.zeros((F, Y)),
        min_spend=np.zeros(F),
        carry=np.zeros(F, dtype=bool),
        eligible=np.zeros((F, L, K), dtype=bool),
        eligible_capex=np.zeros((F, L), dtype=bool),
        own=np.zeros(F, dtype=bool),
    )
    for f, fu in enumerate(sc.funding):
        loc: Loc = ("funding", f)
        out.budget[f] = _budget(fr, fu, loc)
        out.contributors.append(_contributors(fr, fu, loc))
        out.own[f] = fu.own
        out.min_spend[f] = conv.fraction(fu.min_spend, (*loc, "min_spend"))
        out.carry[f] = fu.carry_over
        lines_ok = _origins_allowed(fr, fu, loc, lines.tags) & _categories_allowed(fr, fu, loc, lines.item)
        out.eligible[f] = lines_ok[:, None] & _customers_allowed(fr, fu, loc)[None, :]
        out.eligible_capex[f] = lines_ok & fu.capex
    return out


def _upkeep(fr: _Frame, funds: _Funds) -> UpkeepData:
    """Upkeep per item, who may pay it, and fixed yearly charges on budgets."""
    sc, conv = fr.sc, fr.conv
    I, K, F, Y = len(sc.items), len(sc.customers), len(sc.funding), len(fr.cal.years)
    out = UpkeepData(
        declared=np.zeros(I, dtype=bool),
        cost=np.zeros(I),
        eligible=np.zeros((F, K, I), dtype=bool),
        fixed=np.zeros((F, Y)),
        fixed_declared=np.zeros(F, dtype=bool),
    )
    for i, it in enumerate(sc.items):
        if it.upkeep is not None:
            out.declared[i] = True
            out.cost[i] = conv.upkeep_per_year(it.upkeep, ("items", i, "upkeep"))
    item_cat = [it.category for it in sc.items]
    for f, fu in enumerate(sc.funding):
        loc: Loc = ("funding", f)
        if fu.upkeep:
            cats = np.array([fu.categories is None or c in fu.categories for c in item_cat], dtype=bool)
            out.eligible[f] = _customers_allowed(fr, fu, loc)[:, None] & (cats & out.declared)[None, :]
        if fu.fixed_charge is not None:
            out.fixed_declared[f] = True
            out.fixed[f] = conv.yearly(
                fu.fixed_charge, (*loc, "fixed_charge"), lambda q, ql: conv.money_per_year(q, ql, "a fixed charge")
            )
            _fixed_within_budget(fr, fu, loc)
    return out


def _at_end(steps: list[Step], end: str) -> list[Step]:
    """The steps of a schedule with each value moved to its range's ``end`` ('low' or 'high')."""
    return [s.model_copy(update={"value": getattr(s, end) if getattr(s, end) is not None else s.value}) for s in steps]


def _fixed_within_budget(fr: _Frame, fu: Funding, loc: Loc) -> None:
    """A located problem if a fixed charge exceeds its budget in some year, even at the least
    charge and the largest budget their ranges allow (a sweep's draw between them that puts the
    charge above the budget leaves the vehicle nothing for the plan that year)."""
    quiet = Converter(fr.cal, fr.conv.base, fr.conv.base_year, fr.conv.fx, fr.conv.inflation, Collector())
    least = quiet.yearly(_at_end(fu.fixed_charge or [], "low"), loc, quiet.money_per_year)
    most = quiet.yearly(_at_end(fu.budget, "high"), loc, quiet.money_per_year)
    over = np.flatnonzero(least > most * (1 + 1e-12))
    if over.size:
        y = over[0]
        fr.problems.add(
            (*loc, "fixed_charge"),
            f"the fixed charge of {least[y]:,.0f} {fr.sc.currency.base} in {fr.cal.years[y]} exceeds the vehicle's "
            f"budget of {most[y]:,.0f}; it can only charge what the budget holds",
        )


def _warn_unpaid_upkeep(fr: _Frame, up: UpkeepData, stock0: np.ndarray, target: np.ndarray) -> None:
    """A warning for each customer holding or wanting an item whose upkeep no vehicle may pay:
    the plan must retire all of it."""
    sc = fr.sc
    held = (stock0 > 0) | (target > 0).any(axis=2)
    for k, i in zip(*np.nonzero(held & up.declared[None, :] & ~up.eligible.any(axis=0)), strict=True):
        fr.problems.warn(
            ("items", int(i), "upkeep"),
            f"no funding vehicle with upkeep: true may pay the upkeep of {sc.items[i].id} held by "
            f"{sc.customers[k].id}, so the plan retires all of it",
        )


def _refurbishment(fr: _Frame, out: TransferData) -> None:
    """Stored pools of refurbishment lines."""
    for l, ln in enumerate(fr.sc.lines):
        if ln.stored is not None:
            out.refurbished[l] = True
            out.stored[l] = fr.conv.count(ln.stored, ("lines", l, "stored"), "a stored pool")


def _drawdown(fr: _Frame, out: TransferData, j: int, lines: _Lines) -> None:
    """One drawdown's figures, references and replacement, into row ``j`` of ``out``."""
    sc, conv = fr.sc, fr.conv
    dd = sc.drawdowns[j]
    loc: Loc = ("drawdowns", j)
    i = ref(dd.item, fr.items, (*loc, "item"), "item", fr.problems)
    k = ref(dd.customer, fr.customers, (*loc, "customer"), "customer", fr.problems)
    out.item[j], out.customer[j] = i or 0, k or 0
    out.stock[j] = conv.count(dd.stock, (*loc, "stock"), "a donor's stock")
    out.total[j] = out.stock[j]
    if dd.quantity is not None:
        # A draw of a sweep may put a ranged quantity above a ranged stock: the stock then limits it.
        out.total[j] = min(conv.count(dd.quantity, (*loc, "quantity"), "a drawdown's quantity"), out.stock[j])
        least = min(dd.quantity.value, dd.quantity.low if dd.quantity.low is not None else math.inf)
        most = max(dd.stock.value, dd.stock.high if dd.stock.high is not None else -math.inf)
        if least > most:
            fr.problems.add(
                (*loc, "quantity"),
                f"a drawdown of {least:,.6g} is larger than the donor's declared stock of {most:,.6g}"
                f"{' at most' if dd.stock.high is not None else ''}; lower the quantity or raise the stock",
            )
    out.available[j] = conv.schedule(
        dd.available, (*loc, "available"), lambda q, ql: conv.per_period(q, ql, "an available quantity")
    )
    out.delivery[j] = conv.periods(dd.delivery, (*loc, "delivery"))
    rep = dd.replacement
    if rep is None:
        return
    rloc: Loc = (*loc, "replacement")
    l = ref(rep.line, lines.index, (*rloc, "line"), "line", fr.problems)
    f = ref(rep.fund, {fu.id: n for n, fu in enumerate(sc.funding)}, (*rloc, "fund"), "funding vehicle", fr.problems)
    out.delay[j] = conv.periods(rep.delay, (*rloc, "delay"))
    if l is not None and i is not None and lines.item[l] != i:
        fr.problems.add(
            (*rloc, "line"), f"line {rep.line} makes {sc.lines[l].item}, not {dd.item}: it cannot replace this stock"
        )
    if l is not None and f is not None:
        out.replaced[j], out.line[j], out.fund[j] = True, l, f


def _transfers(fr: _Frame, lines: _Lines) -> TransferData:
    """Drawdowns from donors' stocks and refurbishment lines' stored pools."""
    sc, T, L = fr.sc, fr.cal.n, len(fr.sc.lines)
    J = len(sc.drawdowns)
    out = TransferData(
        ids=[d.id for d in sc.drawdowns],
        donor=[d.donor for d in sc.drawdowns],
        item=np.zeros(J, dtype=np.int64),
        customer=np.zeros(J, dtype=np.int64),
        stock=np.zeros(J),
        total=np.zeros(J),
        available=np.zeros((J, T)),
        delivery=np.zeros(J, dtype=np.int64),
        replaced=np.zeros(J, dtype=bool),
        line=np.zeros(J, dtype=np.int64),
        fund=np.zeros(J, dtype=np.int64),
        delay=np.zeros(J, dtype=np.int64),
        refurbished=np.zeros(L, dtype=bool),
        stored=np.zeros(L),
    )
    duplicates(out.ids, "drawdowns", fr.problems)
    for j in range(J):
        _drawdown(fr, out, j, lines)
    _refurbishment(fr, out)
    return out


def _commitments(fr: _Frame, lines: _Lines, funds: _Funds) -> np.ndarray:
    """(L, K, T) orders already contracted, each checked to be deliverable and payable."""
    sc, cal, T = fr.sc, fr.cal, fr.cal.n
    committed = np.zeros((len(sc.lines), len(sc.customers), T))
    for j, c in enumerate(sc.commitments):
        loc: Loc = ("commitments", j)
        l = ref(c.line, lines.index, (*loc, "line"), "line", fr.problems)
        k = ref(c.customer, fr.customers, (*loc, "customer"), "customer", fr.problems)
        t = fr.conv.period_index(c.period, (*loc, "period"))
        quantity = fr.conv.count(c.quantity, (*loc, "quantity"), "a committed quantity")
        if l is None or k is None or t is None:
            continue
        if not 0 <= t < T:
            fr.problems.add((*loc, "period"), f"{c.period} is outside the horizon {cal.label(0)}–{cal.label(T - 1)}")
        elif t + lines.lead[l] >= T:
            fr.problems.add(
                (*loc, "period"),
                f"an order in {c.period} on {c.line} (lead {lines.lead[l]} periods) would arrive after the horizon ends in {cal.label(T - 1)}",
            )
        elif lines.share[l, k] == 0:
            fr.problems.add((*loc, "customer"), f"line {c.line} gives {c.customer} no share of its output (share 0)")
        elif not funds.eligible[:, l, k].any():
            fr.problems.add((*loc, "line"), f"no funding vehicle may pay for {c.customer}'s orders on {c.line}")
        else:
            committed[l, k, t] += quantity
    return committed


def compile_scenario(sc: Scenario, tolerated: dict[str, set[str]] | None = None) -> ModelData:
    """Resolve references and convert units; raise ScenarioError listing every problem.

    ``tolerated`` names ids (by kind: item, line, customer, source ...) that exist in the file but
    failed schema validation, so references to them are not reported a second time.
    """
    problems = Collector()
    problems.tolerated = tolerated or {}
    fr = _frame(sc, problems)
    _check_sources(sc, problems)
    _check_variants(sc, problems)
    items = _items(fr)
    threat = compile_threat(sc, fr.conv, problems, fr.items, items.wartime)
    fire = compile_fire(sc, fr.conv, problems, fr.items)
    target = _targets(fr, items.wartime)
    lines = _lines(fr)
    funds = _funding(fr, lines)
    committed = _commitments(fr, lines, funds)
    room = (lines.cap > 0).any(axis=1) | (lines.emax > 0)
    component, need = compile_components(sc, fr.conv, problems, fr.items, lines.item, room)
    funds.eligible[:, component[lines.item], :] = False  # components are not bought by customers
    upkeep = _upkeep(fr, funds)
    _warn_unpaid_upkeep(fr, upkeep, items.stock0, target)
    transfers = _transfers(fr, lines)
    policy = compile_policy(sc, fr.conv, problems, fr.customers, [f.id for f in sc.funding])
    warn_untargeted_critical(sc, target[policy.customer], sc.customers[policy.customer].id, problems)
    warn_unexplained_weights(sc, problems)
    preferred = compile_preference(sc, fr.countries, lines.tags, problems)
    problems.raise_if_any()
    for arr in (items.use, target, items.stock0):  # below a millionth of a unit is rounding noise, not demand
        arr[np.abs(arr) < NEGLIGIBLE] = 0.0
    item_cat = [it.category for it in sc.items]
    return ModelData(
        scenario=sc,
        cal=fr.cal,
        currency=sc.currency.base,
        customers=[c.id for c in sc.customers],
        customer_weight=np.array([c.weight for c in sc.customers]),
        items=[it.id for it in sc.items],
        item_category=item_cat,
        item_weight=np.array([it.weight for it in sc.items]),
        categories=[c for c in fr.categories if c in set(item_cat)],
        loss=items.loss,
        wartime=items.wartime,
        stock0=items.stock0,
        use=items.use,
        target=target,
        lines=[ln.id for ln in sc.lines],
        line_item=lines.item,
        line_country=[ln.country for ln in sc.lines],
        line_supplier=[ln.supplier for ln in sc.lines],
        line_tags=lines.tags,
        cap=lines.cap,
        price=lines.price,
        lead=lines.lead,
        lead_days=lines.lead_days,
        build=lines.build,
        emax=lines.emax,
        capex=lines.capex,
        share=lines.share,
        funds=[f.id for f in sc.funding],
        budget=funds.budget,
        min_spend=funds.min_spend,
        carry=funds.carry,
        eligible=funds.eligible,
        eligible_capex=funds.eligible_capex,
        committed=committed,
        upkeep=upkeep,
        transfers=transfers,
        component=component,
        need=need,
        fire=fire,
        threat=threat,
        policy=policy,
        warnings=problems.warnings,
        own=funds.own,
        contributors=funds.contributors,
        preferred=preferred,
    )


def unsourced(sc: Scenario) -> list[Loc]:
    """Figures written in the file that carry neither a source nor an assumption."""
    return [loc for loc, q in iter_quantities(sc, explicit=True) if q.source is None and q.assumption is None]
