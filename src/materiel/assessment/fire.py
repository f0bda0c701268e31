"""What can be fired: a munition fired by systems counts only as far as the systems held can fire
it (docs/assessment.md, "Systems and the munitions they fire").

With f = Σ_s held_s × rate_{i,s} rounds a day (systems held at the end of the period the war starts
after), over the sustainment goal's G days at most f × G rounds can be fired:
usable = min(stock, f × G). A munition that names no systems is not limited (f = ∞).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scenario.compiled import ModelData
from .measures import BALANCED


def fire_per_day(m: ModelData, stock: np.ndarray) -> np.ndarray:
    """(I, T) rounds a day the systems in ``stock`` (items × periods) can fire; ∞ where unlimited."""
    out = np.full(stock.shape, np.inf)
    limited = m.fire.limited
    out[limited] = m.fire.rate[limited] @ stock
    return out


def usable(m: ModelData, held: np.ndarray, fire: np.ndarray, window_days: float) -> np.ndarray:
    """What of ``held`` (items × …) the systems can fire within ``window_days``: min(held, f × G)
    for a munition fired by systems, ``held`` for anything else."""
    limited = m.fire.limited.reshape((-1,) + (1,) * (np.ndim(held) - 1))
    with np.errstate(invalid="ignore"):  # ∞ × 0 where unlimited; not used
        capped = np.minimum(held, fire * window_days)
    return np.where(limited, capped, held)


def fire_limited_days(days: np.ndarray, use: np.ndarray, fire: np.ndarray, goal_days: float) -> np.ndarray:
    """Days of war at the full wartime use: unchanged where the systems can fire the daily use,
    otherwise at most what they fire over the goal's G days, in days of use (f × G / u)."""
    keeps_up = fire >= use * (1 - BALANCED)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a use of 1e-300: no cap
        cap = np.where(use > 0, fire * goal_days / np.where(use > 0, use, 1), np.inf)
    return np.where(keeps_up, days, np.minimum(days, cap))


def systems_text(m: ModelData, item: int, held: np.ndarray, labels: list[str] | None = None) -> str:
    """'5 patriot-battery + 2 samp-t': the systems of ``item`` held (``held`` by item), each by its
    id or by ``labels[s]`` (e.g. its name)."""
    systems = np.flatnonzero(m.fire.rate[item] > 0)
    labels = labels or m.items
    parts = [f"{held[s]:,.0f} {labels[s]}" for s in systems]
    return " + ".join(parts) or "no system that fires it"


def fire_table(m: ModelData, stock: np.ndarray, goal_days: float) -> pd.DataFrame:
    """Per period and munition fired by systems: stock held, the systems held, rounds a day they can
    fire and how many of the stock they can fire within the goal."""
    fire = fire_per_day(m, stock)
    can = usable(m, stock, fire, goal_days)
    rows = [
        (period, m.items[i], stock[i, t], systems_text(m, i, stock[:, t]), fire[i, t], can[i, t])
        for t, period in enumerate(m.periods)
        for i in np.flatnonzero(m.fire.limited)
    ]
    return pd.DataFrame(rows, columns=["period", "item", "stock", "systems", "fire_per_day", "can_fire_within_goal"])


def fire_statement(row: pd.Series, goal_days: float) -> str:
    """'pac-3: 1,200 held, 640 can be fired by 5 patriot-battery in 90 days'."""
    held, can = row["stock"], row["can_fire_within_goal"]
    verb = "all can" if can >= held * (1 - BALANCED) else f"{can:,.0f} can"
    return f"{row['item']}: {held:,.0f} held, {verb} be fired by {row['systems']} in {goal_days:,.0f} days"
