"""Which inputs are uncertain, and drawing them by Latin hypercube or Sobol sequence.

Every figure written with ``low`` and ``high`` (low < high) is uncertain. By default it is drawn
from a triangular distribution between low and high peaking at its value; ``dist`` may ask for
``uniform``, ``normal`` (mean = value, low and high at ±2 standard deviations, truncated to the
range) or ``lognormal`` (median = value, low and high at the 2.5 % and 97.5 % points, truncated).
The same seed gives the same draws.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats import qmc

from ..scenario.compiled import iter_quantities
from ..scenario.errors import Loc
from ..scenario.provenance import field_path
from ..scenario.schema import Scenario
from ..scenario.units import fraction_factor

METHODS = ("lhs", "sobol")


@dataclass(frozen=True)
class UncertainInput:
    """One figure that varies between draws."""

    loc: Loc
    path: str
    value: float
    low: float
    high: float
    dist: str
    unit: str
    source: str


def uncertain_inputs(sc: Scenario) -> list[UncertainInput]:
    """Every figure written with a range, in the order they appear in the scenario."""
    out = []
    for loc, q in iter_quantities(sc, explicit=True):
        if q.low is not None and q.high is not None and q.high > q.low:
            out.append(
                UncertainInput(
                    loc,
                    field_path(sc, loc),
                    q.value,
                    q.low,
                    q.high,
                    q.dist or "triangular",
                    q.unit or "",
                    q.source or q.assumption or "",
                )
            )
    return out


def _ppf(u: np.ndarray, x: UncertainInput) -> np.ndarray:
    lo, hi, mode = x.low, x.high, min(max(x.value, x.low), x.high)
    if x.dist == "uniform":
        return lo + u * (hi - lo)
    if x.dist == "triangular":
        return stats.triang.ppf(u, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    if x.dist == "normal":
        sd = (hi - lo) / 4
        a, b = (lo - mode) / sd, (hi - mode) / sd
        return stats.truncnorm.ppf(u, a, b, loc=mode, scale=sd)
    # lognormal: median at the value, low and high at the 2.5 % and 97.5 % points
    sigma = (math.log(hi) - math.log(lo)) / (2 * 1.959964)
    mu = math.log(mode)
    a, b = stats.norm.cdf((math.log(lo) - mu) / sigma), stats.norm.cdf((math.log(hi) - mu) / sigma)
    return np.exp(mu + sigma * stats.norm.ppf(a + u * (b - a)))


def sample(inputs: list[UncertainInput], n: int, seed: int, method: str = "lhs") -> np.ndarray:
    """An (n × len(inputs)) matrix of draws; row j is draw j, the same for the same seed."""
    if method not in METHODS:
        raise ValueError(f"sampling method must be one of {', '.join(METHODS)}, got {method!r}")
    d = len(inputs)
    if d == 0 or n == 0:
        return np.zeros((n, d))
    engine = qmc.LatinHypercube(d=d, seed=seed) if method == "lhs" else qmc.Sobol(d=d, scramble=True, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Sobol prefers powers of two; any n still works
        u = engine.random(n)
    u = np.clip(u, 1e-12, 1 - 1e-12)
    return np.column_stack([_ppf(u[:, j], x) for j, x in enumerate(inputs)])


def respect_limits(sc: Scenario, inputs: list[UncertainInput], values: np.ndarray) -> np.ndarray:
    """Adjust draws that would break a rule of the scenario rather than lose them: the shares of
    one attack engaged by its interceptors may not add up to more than 1, so where a draw's shares
    do, the drawn ones are scaled down in proportion."""
    if sc.threat is None:
        return values
    values = values.copy()
    column = {x.loc: j for j, x in enumerate(inputs)}
    for attack in {d.attack for d in sc.threat.defences}:
        cols, factors, fixed = [], [], 0.0
        for n, d in enumerate(sc.threat.defences):
            if d.attack != attack:
                continue
            factor = fraction_factor(d.share.unit)
            loc = ("threat", "defences", n, "share")
            if loc in column:
                cols.append(column[loc])
                factors.append(factor)
            else:
                fixed += d.share.value * factor
        if not cols:
            continue
        drawn = values[:, cols] * np.array(factors)
        total = drawn.sum(axis=1)
        over = fixed + total > 1
        scale = np.where(over, np.clip(1 - fixed, 0, None) / np.where(total > 0, total, 1), 1.0)
        values[:, cols] = values[:, cols] * scale[:, None]
    return values
