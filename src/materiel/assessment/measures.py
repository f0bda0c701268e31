"""The elementary measures of the assessment, each checkable by hand.

Rates are turned into days with the scenario's one calendar (``scenario.units``: a year is 365
days, a month 365/12). A rate of zero or a net rate that never goes negative means "never runs out"
(``inf``) or "never reaches" (``inf`` years) — never a negative number. Production that matches use
to within ``BALANCED`` of the use counts as keeping up: the same rate written per month and per
quarter differs in the last binary digits once converted to days, and that must not turn "never
runs out" into a number of days in the trillions.
"""

from __future__ import annotations

import math

import numpy as np

from ..scenario.units import DAYS_PER

DAYS_PER_MONTH = DAYS_PER["month"]
NEVER = math.inf
BALANCED = 1e-9  # relative: |inflow − use| ≤ BALANCED · use is a net rate of zero


def years_to_target(stock: float, target: float, net_per_year: float) -> float:
    """Years until ``stock`` reaches ``target`` at a steady net gain; 0 if already there,
    ``inf`` if the net gain is zero or negative."""
    if stock >= target:
        return 0.0
    if net_per_year <= 0:
        return NEVER
    return (target - stock) / net_per_year


def days_until_empty(
    stock: np.ndarray | float,
    use_per_day: np.ndarray | float,
    inflow_per_day: np.ndarray | None = None,
    segment_days: np.ndarray | None = None,
) -> np.ndarray:
    """Days a stock lasts at a wartime use, with production arriving during the fight.

    ``inflow_per_day`` has one column per time segment (e.g. planning periods after the war starts),
    each lasting ``segment_days``; the last segment's rate continues for ever. Without inflow this
    is stock / use. Returns ``inf`` where the stock never runs out (including a use of zero).
    """
    stock = np.atleast_1d(np.asarray(stock, dtype=float))
    if stock.size == 0:
        return np.zeros(0)
    use = np.broadcast_to(np.asarray(use_per_day, dtype=float), stock.shape)
    if inflow_per_day is None:
        inflow = np.zeros((stock.size, 1))
        seg = np.array([NEVER])
    else:
        inflow = np.asarray(inflow_per_day, dtype=float).reshape(stock.size, -1)
        seg = np.broadcast_to(np.asarray(segment_days, dtype=float), (inflow.shape[1],))
    out = np.full(stock.shape, NEVER)
    level = stock.copy()
    elapsed = np.zeros(stock.shape)
    open_ = use > 0
    for j in range(inflow.shape[1]):
        net = _net(inflow[:, j], use)
        last = j == inflow.shape[1] - 1
        length = NEVER if last else seg[j]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            runs_out = open_ & (net < 0) & (level + net * length <= 0) if not last else open_ & (net < 0)
            out = np.where(runs_out, elapsed + level / -np.where(net < 0, net, -1), out)
        open_ &= ~runs_out
        if not last:
            level = level + net * seg[j]
            elapsed = elapsed + seg[j]
    return np.maximum(out, 0.0)


def _net(inflow: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Inflow minus use per day, zero where they balance to within ``BALANCED`` of the use."""
    net = inflow - use
    return np.where(np.abs(net) <= BALANCED * np.abs(use), 0.0, net)


def first_stable(ok: np.ndarray) -> int | None:
    """Index of the first element from which ``ok`` is True to the end; None if the last is False."""
    ok = np.asarray(ok, dtype=bool)
    if ok.size == 0 or not ok[-1]:
        return None
    bad = np.flatnonzero(~ok)
    return int(bad[-1] + 1) if bad.size else 0


def days_until_empty_daily(stock: np.ndarray, use_per_day: np.ndarray, inflow: np.ndarray) -> np.ndarray:
    """As ``days_until_empty`` with one inflow column per day (N × D); after day D the last
    day's inflow continues. Vectorised with a running sum instead of a loop over days."""
    stock = np.asarray(stock, dtype=float)
    use = np.asarray(use_per_day, dtype=float)
    if stock.size == 0:
        return np.zeros(0)
    net = _net(inflow, use[:, None])
    level = stock[:, None] + np.cumsum(net, axis=1)
    below = level < 0
    hit = below.any(axis=1)
    first = below.argmax(axis=1)
    rows = np.arange(stock.size)
    before = np.where(first > 0, level[rows, np.maximum(first - 1, 0)], stock)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a use of 1e-300 lasts for ever
        inside = first + before / -np.where(net[rows, first] < 0, net[rows, first], -1)
        tail_net = net[:, -1]
        after = np.where(tail_net < 0, net.shape[1] + level[:, -1] / -np.where(tail_net < 0, tail_net, -1), NEVER)
    out = np.where(hit, inside, after)
    out = np.where(use > 0, out, NEVER)
    return np.maximum(out, 0.0)
