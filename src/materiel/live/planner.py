"""A warm planner behind the what-if panel: the scenario's LP stays in HiGHS and each slider move
is re-solved in place, the way a sweep re-solves its draws (uncertainty/resolve.py), then read
into the headline with the code the command line uses (docs/api.md, "Live what-ifs")."""

from __future__ import annotations

import difflib
import math
import numbers
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import pandas as pd

from .. import fmt
from ..planner import money, options_for
from ..planner.inputs import unusable
from ..planner.result import Plan, read_money
from ..planner.solver import LPRangeError, SolverOptions, SolveStatus
from ..scenario.compiled import ModelData, compile_scenario, iter_quantities
from ..scenario.errors import Problem, ScenarioError
from ..scenario.names import names
from ..scenario.schema import Quantity
from ..uncertainty.metrics import draw_metrics
from ..uncertainty.resolve import ResolverCache, Solved
from .sliders import Slider, sliders_of

SHAPES_KEPT = 4  # LPs of other shapes (a share moved off 1 or to 0, say) kept for further moves at most
PREFERENCE_NOTE = (
    "the scenario's preference among equally good plans is not applied to a live re-plan: total cost and "
    "shortfall are the full plan's, the money split (and, where equally good plans differ in it, readiness) "
    "may be another equally good plan's"
)
# names() and money.by_customer keep small module-level caches; planners of different scenarios
# may read headlines at the same time from several web threads, so reading is one at a time.
_READING = threading.Lock()


class LiveError(ValueError):
    """A what-if the live planner cannot apply; the message names the path and what is valid."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass
class Headline:
    """What the what-if panel shows after a re-plan: money, envelope use, readiness, days of war,
    the bottleneck and the shortfall, with the changes it was planned with and how long it took.
    Money is in the scenario's base currency; figures are None when no optimal plan exists."""

    scenario: str
    currency: str
    status: str  # "optimal", or why there is no plan ("no optimal plan: infeasible")
    changes: dict[str, float]  # the figures moved from their written values (path -> value)
    outside_range: list[str]  # paths of changes outside the figure's [low, high]
    total_cost: float | None = None
    money_by_customer: dict[str, dict] = field(default_factory=dict)  # as summary.json gives it
    money_shared: float | None = None  # capacity paid by vehicles serving several customers
    envelope_use: dict[str, dict] = field(default_factory=dict)  # year -> budget, spent, share_used
    customer: str = ""  # the assessed customer, by name
    readiness_date: str | None = None  # first period from which every category holds (None: never)
    assessment_year: int | None = None
    days_of_war: float | None = None  # sustained at the end of the assessment year, with production
    days_of_war_text: str = "–"  # as the terminal says it ("never runs out" where None means unlimited)
    goal_days: float | None = None
    bottleneck: str | None = None  # the item that runs out first then, by name
    shortfall: float | None = None  # the plan's weighted shortfall (phase 1's objective, scenario weights)
    in_place: bool = True  # re-solved warm in the kept LP (False: the change gave the LP another shape)
    notes: list[str] = field(default_factory=list)  # where the headline may differ from a full plan's
    seconds: float = 0.0  # the whole re-plan: apply, compile, solve, read
    solver_seconds: float = 0.0  # of which inside HiGHS
    iterations: int = 0  # simplex iterations, both phases

    def as_dict(self) -> dict:
        """The headline as JSON-ready values (no NaN: a missing figure is None)."""
        return asdict(self)


def _finite(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None  # type: ignore[arg-type]


class LivePlanner:
    """One scenario kept solved in HiGHS; ``replan`` applies slider values in place and re-solves
    warm. Safe to call from several threads (one re-plan at a time)."""

    def __init__(self, model: ModelData, options: SolverOptions | None = None) -> None:
        self.scenario = model.scenario.model_copy(deep=True)  # ours, changed in place for each re-plan
        self.options = options or options_for(model)
        self._lock = threading.Lock()
        with _READING:
            pairs = sliders_of(self.scenario)
        figures = dict(iter_quantities(self.scenario, explicit=True))
        self.sliders: list[Slider] = [s for s, _ in pairs]
        self._slider = {s.path: s for s in self.sliders}
        self._figure: dict[str, Quantity] = {s.path: figures[loc] for s, loc in pairs}
        self._loc = {s.path: loc for s, loc in pairs}
        self._alias = {s.sweep_path: s.path for s in self.sliders if s.sweep_path != s.path}
        try:
            self._solver = ResolverCache(compile_scenario(self.scenario), self.options, warm=True)
        except LPRangeError:
            raise LiveError(
                self.scenario.name,
                "its figures put numbers in the LP beyond what HiGHS can hold; materiel plan names them",
            ) from None
        self.base = self.replan({})

    def slider(self, path: str) -> Slider:
        """The slider at ``path`` (its --set path, or the path a sweep gives it)."""
        canonical = self._alias.get(path, path)
        if canonical not in self._slider:
            raise LiveError(path, self._unknown(path))
        return self._slider[canonical]

    def _unknown(self, path: str) -> str:
        close = difflib.get_close_matches(path, list(self._slider), n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        return (
            f"not a ranged figure of {self.scenario.name}; {hint}the live planner moves figures written "
            f"with low and high ({len(self._slider)} here, e.g. {', '.join(list(self._slider)[:3])}); "
            "other changes need a full plan with --set"
        )

    def _checked(self, changes: Mapping[str, float]) -> dict[str, float]:
        """The changes by canonical path, each a finite number; a located LiveError otherwise."""
        out: dict[str, float] = {}
        for path, value in changes.items():
            slider = self.slider(str(path))
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise LiveError(slider.path, f"needs a finite number in {slider.unit or 'its unit'} (got {value!r})")
            out[slider.path] = float(value)
        return out

    def _refused(self, values: dict[str, float], problems: list[Problem]) -> LiveError:
        """The scenario's refusal of a change, at the moved figure it names (else at every one)."""
        named = [p for p in values if any(q.loc[: len(self._loc[p])] == self._loc[p] for q in problems)]
        return LiveError(", ".join(named or values), "; ".join(dict.fromkeys(q.message for q in problems)))

    def replan(self, changes: Mapping[str, float]) -> Headline:
        """Plan with these figures at these values (absolute, in each figure's unit; the rest as
        written), re-solved in place from the scenario's own optimum."""
        tick = time.perf_counter()
        values = self._checked(changes)
        outside = [p for p, v in values.items() if not self._slider[p].low <= v <= self._slider[p].high]
        with self._lock:
            nominal = {p: self._figure[p].value for p in values}
            try:
                for p, v in values.items():
                    self._figure[p].value = v
                try:
                    m = compile_scenario(self.scenario)
                except ScenarioError as exc:
                    raise self._refused(values, exc.problems) from None
                if problems := unusable(m):
                    raise LiveError(", ".join(values), "; ".join(problems))
                try:
                    solved = self._solver.solve(m)
                except LPRangeError:
                    raise LiveError(
                        ", ".join(values), "these values put numbers in the LP beyond what HiGHS can hold"
                    ) from None
                while len(self._solver.others) > SHAPES_KEPT:
                    self._solver.others.pop(next(iter(self._solver.others)))
                with _READING:
                    headline = self._headline(m, solved, values, outside)
            finally:
                for p, v in nominal.items():
                    self._figure[p].value = v
        headline.seconds = time.perf_counter() - tick
        return headline

    def _headline(self, m: ModelData, solved: Solved, values: dict[str, float], outside: list[str]) -> Headline:
        """Read a solve into the headline with the command line's code: the plan's money tables
        (planner/result.py; orders, stock and why-short are not read), money by customer
        (planner/money.py) and the sweep's assessment figures (uncertainty/metrics.py, on
        assessment/readiness.py)."""
        sc = self.scenario
        head = Headline(
            sc.name,
            m.currency,
            "optimal" if solved.status is SolveStatus.optimal else f"no optimal plan: {solved.status.value}",
            values,
            outside,
            in_place=solved.form is self._solver.base.form,
            solver_seconds=solved.seconds,
            iterations=solved.iterations,
        )
        if solved.status is not SolveStatus.optimal:
            return head
        if m.preferred:
            head.notes.append(PREFERENCE_NOTE)
        funding, budgets, envelope = read_money(m, solved.form, solved.solution)
        empty = pd.DataFrame()  # money.py reads a plan's money tables only: the rest is not read
        plan = Plan(m, empty, empty, empty, empty, funding, empty, budgets, envelope=envelope)
        split = money.summary(plan)
        figures = draw_metrics(m, solved.form, solved.solution)
        totals = plan.envelope.groupby("year")[["budget", "spent"]].sum()
        n = names(sc)
        head.total_cost = plan.total_cost
        head.money_by_customer = split["money_by_customer"]
        head.money_shared = split["money_shared"]
        head.envelope_use = {
            str(y): {
                "budget": round(float(r.budget), 2),
                "spent": round(float(r.spent), 2),
                "share_used": round(float(r.spent / r.budget), 4) if r.budget > 0 else None,
            }
            for y, r in totals.iterrows()
        }
        pol = m.policy
        head.customer = n.customer(m.customers[pol.customer])
        head.readiness_date = figures["readiness_date"]  # type: ignore[assignment]
        head.assessment_year = pol.year if pol.year in m.years else m.years[-1]
        head.goal_days = float(pol.goal_days)
        days = figures.get("bottleneck_days")
        head.days_of_war = _finite(days)
        head.days_of_war_text = fmt.days(days, " days of war")  # type: ignore[arg-type]
        item = figures.get("bottleneck_item")
        head.bottleneck = n.item(str(item)) if item is not None else None
        head.shortfall = float(solved.form.shortfall_cost @ solved.solution) * solved.form.weight_unit
        return head
