"""What a sweep says: distributions, the probability of being ready by each year, and which
inputs move the results most (Spearman rank correlation)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..scenario.compiled import ModelData
from ..scenario.names import describe_path

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class SweepSummary:
    """Tidy tables for notebooks and reports, and a JSON-able headline."""

    draws: pd.DataFrame  # one row per draw: inputs and results
    p_ready: pd.DataFrame  # year, probability of being ready by its end (draws without a plan: not ready)
    quantiles: pd.DataFrame  # measure × quantile (draws with an optimal plan)
    readiness_quantiles: dict[float, str | None]  # quantile -> readiness period (None: not in the horizon)
    sensitivity: pd.DataFrame  # input, output, rho (strongest first per output)
    fan: pd.DataFrame  # period × quantile of the lowest category coverage
    failed: int
    whatifs: list[str] = field(default_factory=list)  # what-ifs the swept scenario was made with

    @property
    def noise_band(self) -> float:
        """|rho| below 2/√N (N draws with a plan) is within the noise of N random draws."""
        return noise_band(len(self.draws) - self.failed)

    @property
    def failed_share(self) -> float:
        """The share of draws without an optimal plan."""
        return self.failed / len(self.draws) if len(self.draws) else math.nan

    def warning(self) -> str | None:
        """What a reader must know when draws had no optimal plan (None when every draw had one)."""
        if not self.failed:
            return None
        ok = len(self.draws) - self.failed
        return (
            f"{self.failed} of {len(self.draws)} draws ({self.failed_share:.0%}) have no optimal plan: they count "
            f"as not ready in P(ready by year); costs, coverage and sensitivities come from the other {ok} only"
        )

    def headline(self, top: int = 8) -> dict:
        q = self.quantiles
        sens = self.sensitivity
        return {
            "draws": len(self.draws),
            "failed_draws": self.failed,
            "failed_share": round(self.failed_share, 4) if len(self.draws) else None,
            "warning": self.warning(),
            "p_ready_by_year": {str(int(r.year)): round(float(r.probability), 4) for r in self.p_ready.itertuples()},
            "total_cost_quantiles": {f"{k:g}": _round(v) for k, v in q.loc["total_cost"].items()},
            "envelope_cost_per_year_quantiles": {
                f"{k:g}": _round(v) for k, v in q.loc["envelope_cost_per_year"].items()
            },
            "readiness_date_quantiles": {f"{k:g}": _label(v) for k, v in self.readiness_quantiles.items()},
            "noise_band": None if math.isinf(self.noise_band) else round(self.noise_band, 4),
            "top_sensitivities": {
                out: [
                    {"input": r.input, "name": r.name, "rho": round(float(r.rho), 3), "in_noise_band": bool(r.in_noise)}
                    for r in g.head(top).itertuples()
                ]
                for out, g in sens.groupby("output", sort=False)
            },
            "whatifs": list(self.whatifs),
        }


def _round(v: object) -> float | None:
    """A JSON number, or null where no draw gave one."""
    return None if v is None or math.isnan(float(v)) else round(float(v), 2)


def _label(v: object) -> str | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A result column, empty when no draw wrote it (e.g. every draw infeasible)."""
    return frame[name] if name in frame.columns else pd.Series(np.nan, index=frame.index, dtype=float)


def summarise(draws: pd.DataFrame, m: ModelData) -> SweepSummary:
    """Summarise finished draws (``collect``) of a scenario. A draw without an optimal plan counts
    as not ready; the other measures come from the draws with one."""
    optimal = (draws["status"] == "optimal").to_numpy() if len(draws) else np.zeros(0, bool)
    ok = draws[optimal].copy()
    T = m.T
    # readiness as a number: the period index, or T ("not within the horizon", or no plan)
    ready_all = np.where(optimal, _column(draws, "readiness_index").fillna(T).to_numpy(dtype=float), float(T))
    ready = ready_all[optimal]
    ends = m.cal.year_ends
    p_ready = pd.DataFrame(
        {"year": m.years, "probability": [float((ready_all <= t).mean()) if len(ready_all) else math.nan for t in ends]}
    )
    measures = {k: _column(ok, k) for k in ("total_cost", "envelope_cost_per_year", "bottleneck_days")}
    quantiles = pd.DataFrame(
        {
            k: (v.quantile(list(QUANTILES)) if v.notna().any() else pd.Series(np.nan, index=QUANTILES))
            for k, v in measures.items()
        }
    ).T
    rq = {}
    for q in QUANTILES:
        idx = float(np.quantile(ready_all, q, method="lower")) if len(ready_all) else math.nan
        rq[q] = m.periods[int(idx)] if not math.isnan(idx) and idx < T else None
    cov_cols = [f"coverage:{p}" for p in m.periods]
    fan = (
        ok[cov_cols].quantile(list(QUANTILES)).T if len(ok) else pd.DataFrame(np.nan, index=cov_cols, columns=QUANTILES)
    )
    fan.index = m.periods
    sensitivity = rank_correlations(
        ok, {"readiness": ready, "total_cost": _column(ok, "total_cost").to_numpy(dtype=float)}
    )
    sensitivity.insert(1, "name", [describe_path(m.scenario, p) for p in sensitivity["input"]])
    sensitivity["in_noise"] = sensitivity["rho"].abs() < noise_band(len(ok))
    return SweepSummary(
        draws, p_ready, quantiles, rq, sensitivity, fan, failed=int(len(draws) - len(ok)), whatifs=list(m.whatifs)
    )


def noise_band(n: int) -> float:
    """2/√n: a rank correlation this small is what n independent draws give by chance about one
    time in twenty (its standard error is about 1/√n); infinite when there are no draws."""
    return 2 / math.sqrt(n) if n > 0 else math.inf


def rank_correlations(ok: pd.DataFrame, outputs: dict[str, np.ndarray]) -> pd.DataFrame:
    """Spearman's rho between every input and each output, strongest first per output."""
    from scipy.stats import spearmanr  # scipy.stats costs ~1 s to import; only a sweep summary needs it

    inputs = [c for c in ok.columns if c.startswith("input:")]
    rows = []
    for name, y in outputs.items():
        for col in inputs:
            x = ok[col].to_numpy(dtype=float)
            if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
                rho = 0.0
            else:
                rho = float(spearmanr(x, y).statistic)
                rho = 0.0 if math.isnan(rho) else rho
            rows.append((col.removeprefix("input:"), name, rho))
    table = pd.DataFrame(rows, columns=["input", "output", "rho"])
    table["strength"] = table["rho"].abs()
    return (
        table.sort_values(["output", "strength"], ascending=[True, False], kind="stable")
        .drop(columns="strength")
        .reset_index(drop=True)
    )
