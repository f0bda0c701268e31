"""The scenario file's schema: one pydantic model per entity, every field described with its unit.

The JSON schema for editors (``materiel schema``) and the field reference in docs/scenario.md are
generated from these models, so the descriptions here are the user documentation.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, AllowInfNan, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .periods import Frequency, parse_period

DEFAULT_CATEGORIES: dict[str, str] = {
    "air-defence": "Air-defence interceptors (missiles and interceptor drones)",
    "mines": "Anti-tank and anti-personnel mines",
    "artillery-systems": "Howitzers and rocket launchers",
    "artillery-ammunition": "Artillery shells and rockets",
    "anti-ship": "Anti-ship missiles",
    "armour": "Tanks and infantry fighting vehicles",
    "drones": "Small strike drones (FPV) and long-range drones",
    "fortification": "Fortification material (per km of prepared line)",
    "protective-gear": "Soldiers' protective gear (body armour, helmets)",
}


class Model(BaseModel):
    """Base of every scenario entity: unknown fields are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)


def _check_period(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("expected a year (2027), a quarter (2027Q3) or a month (2027-07)")
    parse_period(value, Frequency.month)
    return str(value).strip()


PeriodText = Annotated[str, BeforeValidator(_check_period), Field(max_length=20)]
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=80)]

MAX_PERIODS = 1200  # a century of months: the longest horizon, however it is written
MAX_NAME = 400  # characters of a name, title, unit or reference
MAX_TEXT = 5000  # characters of a note, description, assumption or statement of constraints
MAX_URL = 2000

# Characters XML 1.0 cannot hold (C0 controls but tab, newline and carriage return; lone
# surrogates; U+FFFE and U+FFFF): one of them in a name makes plan.xlsx unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    if (bad := _NOT_XML.search(text)) is not None:
        raise ValueError(
            f"contains the character U+{ord(bad.group()):04X} (at position {bad.start() + 1}), which spreadsheets "
            "and web pages cannot hold; remove it"
        )
    return text


def _web_link(text: str) -> str:
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", text):
        raise ValueError(f"expected a web address starting http:// or https:// (got {text[:60]!r})")
    return text


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {str(value).lower()}")
    return value


Name = Annotated[str, AfterValidator(_xml_safe), Field(max_length=MAX_NAME)]
Text = Annotated[str, AfterValidator(_xml_safe), Field(max_length=MAX_TEXT)]
Url = Annotated[str, AfterValidator(_xml_safe), AfterValidator(_web_link), Field(max_length=MAX_URL)]
Number = Annotated[float, BeforeValidator(_not_bool), AllowInfNan(False)]
Whole = Annotated[int, BeforeValidator(_not_bool)]


class Quantity(Model):
    """A number with its unit, price year, range and provenance."""

    value: Number = Field(description="The central figure.")
    unit: Name | None = Field(None, description="Unit string, e.g. 'EUR', 'USD m', 'shells/year', 'months'.")
    year: Whole | None = Field(None, ge=1990, le=2100, description="Price year of a money figure.")
    low: Number | None = Field(None, description="Low end of the plausible range (for sweeps).")
    high: Number | None = Field(None, description="High end of the plausible range (for sweeps).")
    dist: Literal["triangular", "uniform", "normal", "lognormal"] | None = Field(
        None,
        description="How a sweep draws this figure between low and high (default triangular, peaking at value).",
    )
    source: Name | None = Field(None, description="Id of an entry in the scenario's sources table.")
    assumption: Text | None = Field(None, description="One-line rationale when no public source gives this figure.")
    note: Text | None = Field(None, description="Free text shown beside the figure in reports.")

    @model_validator(mode="after")
    def _range(self) -> Quantity:
        if self.dist is not None and (self.low is None or self.high is None):
            raise ValueError(f"a {self.dist} distribution needs both low and high")
        if self.dist == "lognormal" and self.low is not None and self.low <= 0:
            raise ValueError(f"a lognormal distribution needs a positive low (got {self.low:g})")
        if self.low is not None and self.low > self.value:
            raise ValueError(f"low ({self.low:g}) must not exceed value ({self.value:g})")
        if self.high is not None and self.high < self.value:
            raise ValueError(f"high ({self.high:g}) must not be below value ({self.value:g})")
        return self


def _as_quantity(v: Any) -> Any:
    if isinstance(v, (int, float, str)):
        return {"value": v}
    return v


Num = Annotated[Quantity, BeforeValidator(_as_quantity)]


class Step(Quantity):
    """One step of a schedule: the value applies from ``from`` until the next step, growing by
    ``growth`` a year when given (docs/scenario.md, "Time profiles")."""

    from_: PeriodText | None = Field(
        None, alias="from", description="First period the value applies (default: horizon start)."
    )
    growth: Num | None = Field(
        None,
        description="Yearly growth of the value from the step's first year on (a fraction, or {value: 3, unit: '%'}; "
        "at least -100 %): n calendar years after the step's first year the value is value × (1 + growth)^n.",
    )
    cap: Number | None = Field(
        None,
        description="Where growth stops, in the value's unit: a ceiling at least the value when growing, "
        "a floor at most the value when shrinking (needs growth).",
    )


def _as_steps(v: Any) -> Any:
    if isinstance(v, (int, float, str)):
        return [{"value": v}]
    if isinstance(v, dict):
        return [v]
    return v


Schedule = Annotated[list[Step], BeforeValidator(_as_steps), Field(min_length=1)]


class Milestone(Quantity):
    """A target value to be held by the end of period ``by``."""

    by: PeriodText = Field(description="Period by whose end the value must be held.")


class Source(Model):
    """A public source that figures cite by id."""

    id: Id = Field(description="Id that figures cite in their 'source'.")
    publisher: Name = Field(description="Outlet or institution, e.g. 'Kiel Institute'.")
    title: Name = Field(description="Title of the article, report or statement.")
    date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="As-of date: YYYY, YYYY-MM or YYYY-MM-DD.")
    url: Url | None = Field(None, description="Where it was read: an http:// or https:// address.")
    confidence: Literal["H", "M", "L", "M-H", "L-M"] | None = Field(
        None, description="H official/primary; M one reputable outlet; L aggregator or conflicting."
    )
    note: Text | None = Field(None, description="Confidence note or derivation.")


class Horizon(Model):
    """The planning horizon."""

    start: PeriodText = Field(description="First period, e.g. 2026Q1.")
    periods: Whole | None = Field(None, ge=1, le=MAX_PERIODS, description="Number of periods (or give end).")
    end: PeriodText | None = Field(None, description="Last period, inclusive (or give periods).")
    period: Frequency = Field(Frequency.quarter, description="Period length: month, quarter or year.")

    @model_validator(mode="after")
    def _one_length(self) -> Horizon:
        if (self.periods is None) == (self.end is None):
            raise ValueError("give exactly one of 'periods' or 'end'")
        if self.end is not None:
            n = parse_period(self.end, self.period) - parse_period(self.start, self.period) + 1
            if n > MAX_PERIODS:
                raise ValueError(
                    f"the horizon {self.start}–{self.end} has {n:,} {self.period.value}s; at most {MAX_PERIODS:,}"
                )
        return self


class Currency(Model):
    """Base currency and price year; exchange rates and inflation for other inputs."""

    base: str = Field(pattern=r"^[A-Z]{3}$", description="Currency all results are reported in.")
    year: Whole = Field(ge=1990, le=2100, description="Price year all money is converted to.")
    fx: dict[Annotated[str, Field(pattern=r"^[A-Z]{3}$")], Num] = Field(
        default_factory=dict, description="Value of one unit of each other currency in the base currency."
    )
    inflation: Num = Field(
        default_factory=lambda: Quantity(value=0.0),
        description="Yearly price inflation (fraction, or '%') used to move figures between price years.",
    )


class Country(Model):
    """A country of production (adds to or overrides the built-in table)."""

    code: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2 code.")
    name: Name = Field(description="Display name.")
    regions: list[Name] = Field(default_factory=list, description="Region flags, e.g. EU, EEA, UA, EUROPE.")


class Category(Model):
    """A user-defined item category (the nine standard ones need no declaration)."""

    id: Id = Field(description="Id used by items and funding rules.")
    name: Name = Field(description="Display name.")


# Priority weights the planner honours: a customer's weight times an item's spans at most 10⁸,
# which HiGHS was measured to solve on the shipped scenario (docs/model.md, "Objective: lexicographic").
WEIGHT_MIN, WEIGHT_MAX = 0.01, 100.0


def _finite_first(v: Any) -> Any:
    """Refuse a non-finite number before range checks run (they would call .inf merely too large)."""
    try:
        number = float(v) if isinstance(v, (int, float, str)) and not isinstance(v, bool) else None
    except ValueError:
        return v  # not a number at all: the float check says so
    if number is not None and not math.isfinite(number):
        raise PydanticCustomError("finite_number", "Input should be a finite number")
    return v


Weight = Annotated[float, BeforeValidator(_not_bool), BeforeValidator(_finite_first)]


class Customer(Model):
    """Who holds stock and has targets."""

    id: Id = Field(description="Id used by requirements, stock, shares and funding rules.")
    name: Name = Field(description="Display name.")
    weight: Weight = Field(
        1.0,
        ge=WEIGHT_MIN,
        le=WEIGHT_MAX,
        description="Priority of this customer's shortfall in the plan (0.01 to 100).",
    )


class FiredBy(Model):
    """A system that fires a munition, and how many rounds one such system can fire a day."""

    system: Name = Field(description="Item id of a system (an item with system: true) that fires this munition.")
    rate: Num = Field(
        description="Rounds one system can fire (targets it can engage) per day of war (default per day); "
        "rounds beyond what the systems held can fire add stock, not capability (docs/assessment.md)."
    )


class Item(Model):
    """An item of equipment or consumable."""

    id: Id = Field(description="Id used by lines, requirements and allotments.")
    name: Name = Field(description="Display name.")
    category: Name = Field(description="One of the standard categories or a declared one.")
    unit: Name = Field("unit", description="Counting unit, e.g. 'missile', 'shell', 'km'.")
    weight: Weight = Field(
        1.0,
        ge=WEIGHT_MIN,
        le=WEIGHT_MAX,
        allow_inf_nan=False,
        description="Importance within its category, and priority of its shortfall in the plan (0.01 to 100).",
    )
    loss: Num | None = Field(None, description="Share of stock lost per year (shelf life, attrition), e.g. '/year'.")
    wartime_use: Num | None = Field(None, description="Consumption in high-intensity war (default per day).")
    stock: dict[Name, Num] = Field(default_factory=dict, description="Initial stock per customer.")
    use: dict[Name, Num] = Field(
        default_factory=dict,
        description="Peacetime use per customer (default per year): training, exercises and test firing, drawn from stock.",
    )
    upkeep: Num | None = Field(
        None,
        description=(
            "Operating and support cost of one unit held for a year (spares, maintenance, repair, crew training): "
            "money with its unit, e.g. 'EUR m' or 'EUR k/year'. Charged on every unit held in each period, initial "
            "stock included, and paid by vehicles with upkeep: true; units whose upkeep no vehicle can pay are retired."
        ),
    )
    weight_rationale: Text | None = Field(
        None, description="Why the item has its weight within its category, shown beside it in reports."
    )
    system: bool = Field(
        False,
        description="A system (a fire unit: a battery's launchers, radar and command post; an artillery piece; "
        "a rocket launcher) that munitions name in their fired_by.",
    )
    fired_by: list[FiredBy] = Field(
        default_factory=list,
        description="Systems that fire this munition and their rounds per system per day; when given, the "
        "assessment counts only what the systems held can fire (docs/assessment.md).",
    )
    min_coverage: Num | None = Field(
        None,
        description="Marks the item critical: the least coverage (0–1) of its target it must keep; its "
        "category cannot count as ready while it is below (docs/assessment.md).",
    )
    component: bool = Field(
        False,
        description=(
            "A component (shell body, propellant charge, fuze, explosive, rocket motor, seeker): made on lines like "
            "any item but used only by the lines that name it in their 'needs', never held, used or ordered by a "
            "customer; its price is part of the price of the items made from it."
        ),
    )
    note: Text | None = Field(None, description="Free text shown in reports.")


class Requirement(Model):
    """Target stock of one item for one customer, given as milestones."""

    customer: Name = Field(description="Customer id.")
    item: Name = Field(description="Item id.")
    targets: list[Milestone] = Field(min_length=1, description="Stock to hold by each period.")
    interpolate: Literal["linear", "step"] = Field(
        "linear", description="Between milestones: straight line or hold the earlier value."
    )
    note: Text | None = Field(None, description="Free text shown in reports.")


class Allotment(Model):
    """Per-brigade holding of one item in a force design."""

    item: Name = Field(description="Item id.")
    per_brigade: Num = Field(description="Units held by one brigade.")
    reserve_days: Num | None = Field(
        None, description="Days of wartime use held in reserve (overrides the force design's)."
    )


class ForceDesign(Model):
    """Targets derived from a force: brigades × allotment + reserve days × wartime use (an
    interceptor's follows the threat period by period)."""

    customer: Name = Field(description="Customer id.")
    brigades: Num = Field(description="Number of brigades in the target force.")
    phase_in: list[Milestone] = Field(min_length=1, description="Share (0–1) of the target held by each period.")
    reserve_days: Num = Field(
        default_factory=lambda: Quantity(value=0.0), description="Days of wartime use held in reserve."
    )
    allotments: list[Allotment] = Field(min_length=1, description="Per-brigade holdings, one per item.")
    note: Text | None = Field(None, description="Free text shown in reports.")


class Line(Model):
    """A production line: one supplier making one item in one country."""

    id: Id = Field(description="Id of the line.")
    supplier: Name = Field(description="Company or state producer.")
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO code of the country of production.")
    item: Name = Field(description="Item id of what the line makes.")
    capacity: Schedule = Field(
        description="Output available to the plan (default per year); steps are announced ramps."
    )
    price: Schedule = Field(
        description=(
            "Unit price (money). On a line making a component it is already in the price of the items made from "
            "it: the plan does not pay it again, and reports it as the value of the components made."
        )
    )
    lead: Num = Field(
        description="Order-to-delivery time (default months); for a component, from start of production to use."
    )
    expansion_max: Num = Field(
        default_factory=lambda: Quantity(value=0.0),
        description="Capacity (per year) that investments started within one year can add.",
    )
    capex: Num | None = Field(None, description="Investment per unit of added yearly capacity (money).")
    build: Num | None = Field(None, description="Time from investment to usable capacity (default months).")
    share: dict[Name, Num] = Field(
        default_factory=dict, description="Largest share of output each customer may take (default 1)."
    )
    stored: Num | None = Field(
        None,
        description=(
            "Used units in storage that this line refurbishes: the most it can deliver over the whole horizon. "
            "Makes it a refurbishment line (its orders are reported as 'refurbishment', not new production)."
        ),
    )
    needs: dict[Name, Num] = Field(
        default_factory=dict,
        description=(
            "Components one unit of this line's output needs: component item id -> units per unit, e.g. "
            "{propellant-charge: 1, fuze: 1}. Any line making the component may supply it; output is limited by "
            "the scarcest."
        ),
    )
    note: Text | None = Field(None, description="Free text shown in reports.")


CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class GdpShare(Model):
    """A budget written as a share of one country's GDP: budget(y) = share × GDP(y)."""

    country: CountryCode = Field(description="ISO code of the country whose GDP it is.")
    share: Num = Field(description="Share of GDP given each year (fraction or '%', at most 1).")
    gdp: Schedule = Field(
        description="The country's GDP, money per year: steps, or a start value with a yearly growth (and cap)."
    )


class Funding(Model):
    """A funding vehicle: its yearly budget, who pays into it, and which purchases it may pay for."""

    id: Id = Field(description="Id of the vehicle.")
    name: Name = Field(description="Display name.")
    kind: Name | None = Field(None, description="e.g. EU instrument, national budget, asset-backed loan.")
    budget: Schedule | None = Field(
        None, description="Money per year (steps by year, or a start value with a yearly growth); or give gdp_share."
    )
    gdp_share: GdpShare | None = Field(None, description="The budget as a share of a country's GDP, instead of budget.")
    contributors: dict[CountryCode, Number] | None = Field(
        None,
        description="Countries paying into the vehicle and their shares of its money (fractions summing to 1); "
        "outputs split its spending by them. Default: the gdp_share country, else not split.",
    )
    own: bool = Field(
        False,
        description="The recipients' own money (e.g. Ukraine's defence budget), not aid: reported apart from aid, "
        "never part of the envelope a reassurance force is paid from, kept under a guarantee.",
    )
    origins: list[Name] | None = Field(
        None, description="Country codes or region flags it may buy from (default: anywhere)."
    )
    exclude: list[Name] = Field(default_factory=list, description="Country codes or regions it may not buy from.")
    customers: list[Name] | None = Field(None, description="Customers it may buy for (default: all).")
    categories: list[Name] | None = Field(None, description="Item categories it may buy (default: all).")
    capex: bool = Field(False, description="May pay for capacity investment.")
    carry_over: bool = Field(False, description="Unspent money carries over to later years.")
    min_spend: Num = Field(
        default_factory=lambda: Quantity(value=0.0),
        description="Share of each year's budget, after its fixed charge, that must be spent (committed money).",
    )
    upkeep: bool = Field(
        False,
        description="May pay the upkeep of stock held (items with upkeep) for its customers and categories.",
    )
    fixed_charge: Schedule | None = Field(
        None,
        description=(
            "Money per year the vehicle pays outside the plan (e.g. personnel pay), steps by year: "
            "it reduces what the vehicle can spend on the plan and is reported in the budgets table."
        ),
    )
    note: Text | None = Field(None, description="Free text shown in reports.")

    @model_validator(mode="after")
    def _one_budget(self) -> Funding:
        if (self.budget is None) == (self.gdp_share is None):
            raise ValueError(
                "give exactly one of 'budget' (money per year) or 'gdp_share' (a share of a country's GDP)"
            )
        return self


class Replacement(Model):
    """The donor's replacement of what it transferred: bought later at a line's price."""

    line: Name = Field(description="Line id whose price the donor pays to replace each unit (it makes the same item).")
    fund: Name = Field(description="Funding vehicle that pays for the replacement.")
    delay: Num = Field(
        default_factory=lambda: Quantity(value=0.0),
        description="Time from the transfer to the replacement's payment (default months).",
    )


class Drawdown(Model):
    """Transfers of one item from a donor's existing stock to one customer (drawdown)."""

    id: Id = Field(description="Id of the drawdown.")
    donor: Name = Field(description="Who gives from its stock, e.g. 'US Army'.")
    item: Name = Field(description="Item id transferred.")
    customer: Name = Field(description="Customer id that receives it.")
    stock: Num = Field(description="The donor's declared stock of the item that it may draw on.")
    quantity: Num | None = Field(
        None,
        description="The most this drawdown transfers over the horizon (default: the donor's stock); at most the stock.",
    )
    available: Schedule = Field(
        description="Units that may be transferred per year (default per year); steps by period."
    )
    delivery: Num = Field(
        default_factory=lambda: Quantity(value=0.0),
        description="Time from transfer decision to delivery (default months).",
    )
    replacement: Replacement | None = Field(
        None, description="Who replaces the donor's stock, at which line's price and when (none: a free gift)."
    )
    note: Text | None = Field(None, description="Free text shown in reports.")


class Commitment(Model):
    """An order already contracted: at least this quantity is ordered on the line in the period."""

    line: Name = Field(description="Line id.")
    customer: Name = Field(description="Customer id.")
    period: PeriodText = Field(description="Period the order is placed (and paid).")
    quantity: Num = Field(description="Units contracted.")
    note: Text | None = Field(None, description="Free text shown in reports.")


class Attack(Model):
    """A kind of air attack and how often it comes in high-intensity war."""

    id: Id = Field(description="Id used by defences, e.g. 'ballistic', 'cruise', 'shahed'.")
    name: Name = Field(description="Display name.")
    rate: Num = Field(
        description="Launches per month (or give a unit such as '/day'); with growth or milestones, the rate at "
        "the horizon's start."
    )
    growth: Num | None = Field(
        None,
        description="Yearly growth of the rate (a fraction or '%', at least −100 %), e.g. the adversary "
        "reconstituting its arsenal: rate × (1 + growth)^(years since the horizon's start).",
    )
    milestones: list[Milestone] = Field(
        default_factory=list,
        description="The rate by the end of later periods (launches per month unless a unit is given), in a "
        "straight line from the rate at the horizon's start and between milestones, held after the last.",
    )


class Defence(Model):
    """Which interceptor engages which attack, how many it fires, and how often it kills."""

    attack: Name = Field(description="Attack id.")
    item: Name = Field(description="Item id of the interceptor.")
    share: Num = Field(
        default_factory=lambda: Quantity(value=1.0),
        description="Share of that attack's launches this interceptor engages.",
    )
    per_attack: Num = Field(description="Interceptors fired per engaged target.")
    p_kill: Num = Field(description="Probability that one engagement destroys the target.")


class Threat(Model):
    """Air attacks Ukraine must absorb in a new war, and its air defence against them.

    Items engaged here take their wartime use from the threat (monthly demand / (365/12) per day), so
    they must not also give ``wartime_use``.
    """

    attacks: list[Attack] = Field(min_length=1, description="Kinds of attack and their rates.")
    defences: list[Defence] = Field(min_length=1, description="Interceptor assignments.")


class AssessmentSettings(Model):
    """How readiness and sustainment are judged."""

    customer: Name = Field("ukraine", description="Customer whose readiness is assessed.")
    readiness_threshold: Number = Field(
        0.9, gt=0, le=1, description="Coverage every category must keep from the readiness date on."
    )
    sustainment_goal: Num = Field(
        default_factory=lambda: Quantity(value=90.0, unit="days"),
        description="Days of high-intensity war Ukraine should sustain alone.",
    )
    sustainment_year: Whole = Field(2030, ge=1990, le=2100, description="Year whose end the comparison reports.")
    surge: bool = Field(
        True, description="Count surge production (the customer's share of capacity, after lead times) during a war."
    )


class ReassuranceForce(Model):
    """A European force deployed in Ukraine, paid from the same envelope as the plan."""

    troops: list[Whole] = Field(
        default_factory=lambda: [10_000, 25_000, 60_000], description="Deployed sizes to compare."
    )
    cost_per_soldier_year: Num = Field(description="Money per deployed soldier per year (before rotation).")
    rotation: Num = Field(description="Soldiers committed per soldier deployed (training, deployment, recovery).")
    willing: Num = Field(description="Deployed troops that willing contributors say they can sustain.")
    contributors: Num | None = Field(None, description="Countries that pledged to contribute.")
    start: PeriodText | None = Field(None, description="First period the force is paid for (default horizon start).")
    envelope: list[Name] | None = Field(
        None,
        description="Funding vehicles that pay for the force (default: every vehicle buying only for the customer).",
    )
    constraints: Text = Field("", description="Political constraints, stated beside the numbers.")


class Guarantee(Model):
    """A binding external guarantee instead of armed neutrality."""

    envelope_share: Num = Field(
        default_factory=lambda: Quantity(value=0.0),
        description="Share of the envelope still spent on Ukraine's own forces under the guarantee.",
    )
    dependency: Text = Field(description="On whom Ukraine's security then depends, stated plainly.")
    constraints: Text = Field("", description="Political constraints, stated beside the numbers.")


class PolicyOptions(Model):
    """The alternatives to compare with armed neutrality."""

    armed_neutrality: Text = Field(
        "", description="Political constraints of armed neutrality, stated beside the numbers."
    )
    reassurance: ReassuranceForce | None = Field(None, description="A European reassurance force.")
    guarantee: Guarantee | None = Field(None, description="A binding external guarantee.")


class Override(Model):
    """A named what-if: changes to the scenario, addressed by paths such as
    ``lines[country=KR].share.ukraine`` or ``funding[eu-support-loan].budget``."""

    description: Text = Field("", description="What the what-if means, shown in comparisons.")
    set: dict[Name, Any] = Field(default_factory=dict, description="Path -> new value (a number, text or mapping).")
    scale: dict[Name, Number] = Field(
        default_factory=dict, description="Path -> factor applied to a figure or schedule."
    )
    shift: dict[Name, Num] = Field(
        default_factory=dict, description="Path -> delay (default months) applied to a schedule's steps."
    )


class PlannerSettings(Model):
    """Options of the optimiser."""

    shortfall_tolerance: Number = Field(
        1e-9, ge=0, le=0.1, description="Relative slack on the optimal shortfall when minimising money."
    )
    time_limit: Number | None = Field(None, gt=0, description="Seconds allowed per HiGHS solve.")


class Preference(Model):
    """Which production the planner prefers among plans equally short and equally cheap."""

    prefer: list[Name] = Field(
        min_length=1,
        description="Country codes or region flags of lines, most preferred first, e.g. [UA, EUROPE]: among the "
        "plans as short and as cheap as the best, the plan pays as little as it can to producers outside the first, "
        "then outside the first two, and so on (a third phase, docs/model.md). It never costs more or falls "
        "shorter for it.",
    )


class Scenario(Model):
    """A whole scenario: what Ukraine must hold, who can make it, and who pays."""

    name: Id = Field(description="Id of the scenario (used for output folders).")
    title: Name = Field(description="Human-readable title shown on reports.")
    description: Text | None = Field(None, description="What the scenario represents.")
    as_of: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="Date the data were gathered.")
    horizon: Horizon = Field(description="The planning periods.")
    currency: Currency = Field(description="Base currency, price year, exchange rates and inflation.")
    countries: list[Country] = Field(
        default_factory=list, description="Countries of production beyond (or overriding) the built-in table."
    )
    categories: list[Category] = Field(
        default_factory=list, description="Item categories beyond the nine standard ones."
    )
    customers: list[Customer] = Field(min_length=1, description="Who holds stock and has targets (at least ukraine).")
    items: list[Item] = Field(min_length=1, description="Equipment and consumables.")
    requirements: list[Requirement] = Field(default_factory=list, description="Targets given as milestones.")
    force_design: list[ForceDesign] = Field(default_factory=list, description="Targets derived from a force design.")
    lines: list[Line] = Field(default_factory=list, description="Production lines.")
    funding: list[Funding] = Field(default_factory=list, description="Funding vehicles.")
    commitments: list[Commitment] = Field(default_factory=list, description="Orders already contracted.")
    drawdowns: list[Drawdown] = Field(
        default_factory=list, description="Transfers from donors' existing stocks, with their replacement."
    )
    planner: PlannerSettings = Field(default_factory=PlannerSettings, description="Optimiser options.")
    preference: Preference | None = Field(
        None, description="A tie-break among equally short and equally cheap plans: whose production to prefer."
    )
    threat: Threat | None = Field(None, description="Air threat and air defence, for the assessment.")
    assessment: AssessmentSettings = Field(
        default_factory=AssessmentSettings, description="Readiness threshold, sustainment goal and year."
    )
    options: PolicyOptions | None = Field(None, description="Alternatives to compare (materiel compare).")
    overrides: dict[Id, Override] = Field(default_factory=dict, description="Named what-ifs.")
    variants: dict[Id, list[Name]] = Field(
        default_factory=dict,
        description="Named combinations of overrides, e.g. pessimistic: [no-us-supply, delayed-plants].",
    )
    sources: list[Source] = Field(
        default_factory=list, description="Public sources cited by figures (often a CSV table)."
    )
