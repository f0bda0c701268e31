"""Uncertainty (docs/uncertainty.md): sample every figure given with a range, plan and assess each draw
(re-solving one built model in place), and summarise the odds and what drives them.

Python API::

    from materiel.uncertainty import sweep
    s = sweep("armed-neutrality", draws=200, seed=1, folder="out/sweep")
    s.p_ready, s.quantiles, s.sensitivity, s.draws      # tidy pandas tables
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # scipy.stats costs ~1 s to import: only a sweep pays it
    from .runner import SweepError
    from .summary import SweepSummary


def sweep(
    scenario: str | Path | None = None,
    draws: int = 100,
    seed: int = 0,
    folder: str | Path | None = None,
    method: str = "lhs",
    workers: int = 1,
    scheduler: str | None = None,
    whatifs: list[str] | tuple = (),
    sets: list[tuple[str, Any]] | tuple = (),
    vary: list[str] | tuple = (),
    progress: Callable[[int, int], None] | None = None,
) -> SweepSummary:
    """Run (or resume) a sweep and summarise it. Results are kept in ``folder``
    (default ``out/<scenario>/sweep``), so calling again with the same arguments resumes.
    ``vary`` keeps only the ranged figures whose paths match these patterns (e.g. "lines[*].capacity*").
    ``progress(done, total)`` is called in this process with the draws finished and the draws in the
    sweep: once before any runs (``done`` counts those a resumed sweep has on disk), then after
    each chunk of draws is written (docs/api.md, "Progress of a sweep")."""
    from ..service import load, sweep_draws
    from .runner import check_options

    check_options(draws, workers)
    loaded = load(scenario, whatifs=whatifs, sets=sets)
    return sweep_draws(loaded, folder, draws, seed, method, workers, scheduler, vary, progress)[0]


def __getattr__(name: str) -> Any:
    if name == "SweepError":
        from .runner import SweepError

        return SweepError
    if name == "SweepSummary":
        from .summary import SweepSummary

        return SweepSummary
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SweepError", "SweepSummary", "sweep"]
