"""Assessment settings and policy options in model units (base money, days, fund indices)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .bounds import COUNT, ROTATION
from .convert import Converter
from .errors import Collector
from .refs import ref
from .schema import Scenario


@dataclass
class PolicyData:
    """What the assessment and the options comparison need, converted and checked."""

    customer: int
    threshold: float
    goal_days: float
    year: int
    surge: bool
    armed_neutrality: str = ""
    troops: list[int] = field(default_factory=list)
    cost_per_soldier_year: float = 0.0  # base money per deployed soldier-year
    cost_range: tuple[float, float] | None = None  # its low and high, when the scenario gives them
    rotation: float = 1.0
    willing: float = 0.0
    contributors: float | None = None
    force_start: int = 0  # period index the force is first paid for
    envelope: list[int] = field(default_factory=list)  # funds paying the force (default: the customer's own)
    force_constraints: str = ""
    guarantee_share: float | None = None  # None: no guarantee option
    dependency: str = ""
    guarantee_constraints: str = ""


def compile_policy(
    sc: Scenario, conv: Converter, problems: Collector, customers: dict[str, int], funds: list[str]
) -> PolicyData:
    """Check the assessment and options sections against the rest of the scenario."""
    st = sc.assessment
    k = ref(st.customer, customers, ("assessment", "customer"), "customer", problems)
    goal = conv.days(st.sustainment_goal, ("assessment", "sustainment_goal"), what="a sustainment goal")
    data = PolicyData(
        customer=k or 0, threshold=st.readiness_threshold, goal_days=goal, year=st.sustainment_year, surge=st.surge
    )
    who = sc.customers[k].id if k is not None else st.customer
    # The envelope is aid: the recipients' own budget never pays for a European force, and a
    # guarantee leaves it to them (docs/assessment.md, "Policy options").
    data.envelope = [n for n, f in enumerate(sc.funding) if f.customers == [who] and not f.own]
    opts = sc.options
    if opts is None:
        return data
    data.armed_neutrality = opts.armed_neutrality
    fund_ix = {f: n for n, f in enumerate(funds)}
    if (rf := opts.reassurance) is not None:
        loc = ("options", "reassurance")
        data.troops = list(rf.troops)
        for j, n in enumerate(rf.troops):
            if n <= 0 or n > COUNT.high:
                problems.add((*loc, "troops", j), f"a force size must be positive and at most {COUNT.high:g} (got {n})")
        cost = rf.cost_per_soldier_year
        data.cost_per_soldier_year = conv.money(cost, (*loc, "cost_per_soldier_year"), "a cost")
        if cost.low is not None and cost.high is not None and cost.value:
            per_unit = data.cost_per_soldier_year / cost.value  # the same conversion for its range
            data.cost_range = (cost.low * per_unit, cost.high * per_unit)
        conv.within(rf.rotation, (*loc, "rotation"), ROTATION, "a rotation ratio")
        data.rotation = rf.rotation.value
        data.willing = conv.count(rf.willing, (*loc, "willing"), "troops")
        if rf.contributors is not None:
            data.contributors = conv.count(rf.contributors, (*loc, "contributors"), "contributors")
        if rf.start is not None:
            t = conv.period_index(rf.start, (*loc, "start"))
            data.force_start = max(0, t or 0)
        if rf.envelope is not None:
            data.envelope = [
                f
                for j, name in enumerate(rf.envelope)
                if (f := ref(name, fund_ix, (*loc, "envelope", j), "funding vehicle", problems)) is not None
            ]
            for j, name in enumerate(rf.envelope):
                if name in fund_ix and sc.funding[fund_ix[name]].own:
                    problems.add(
                        (*loc, "envelope", j),
                        f"{name!r} is the recipients' own money (own: true); the reassurance force is paid "
                        "from aid, so name only aid vehicles here",
                    )
        data.force_constraints = rf.constraints
    if (g := opts.guarantee) is not None:
        data.guarantee_share = conv.fraction(g.envelope_share, ("options", "guarantee", "envelope_share"))
        data.dependency = g.dependency
        data.guarantee_constraints = g.constraints
    return data
