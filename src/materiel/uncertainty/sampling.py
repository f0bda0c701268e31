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
            out.append(UncertainInput(loc, field_path(sc, loc), q.value, q.low, q.high, q.dist or "triangular",
                                      q.unit or "", q.source or q.assumption or ""))
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
