"""A ``materiel robust`` or ``materiel commit`` output folder read back, checked, for the report's
section "Committed and robust plans" (``materiel report --robust DIR --commit DIR``).

A folder is used only when its ``summary.json`` is the summary of that command, made from this
very scenario (the digest of the scenario as planned, after what-ifs and --set, as for a sweep in
``runner.check_sweep_of``), and when its ``p_ready.csv`` and its per-draw table (``evaluation.csv``
or ``draws.csv``) say what the summary says: files of two runs mixed in one folder are refused.
Every refusal is a ``CommitError`` naming the file and what was expected.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..scenario.schema import Scenario
from .committed import CommitError

# What each command writes: the per-draw table, the plans (label -> key in summary.json, prefix of
# the per-draw table's columns, column of p_ready.csv), and the summary fields the report reads.
ROBUST_PLANS = {
    "stochastic plan": ("stochastic_plan", "stochastic:", "p_ready_stochastic_plan"),
    "deterministic plan": ("deterministic_plan", "deterministic:", "p_ready_deterministic_plan"),
    "perfect foresight": ("perfect_foresight", "foresight:", "p_ready_perfect_foresight"),
}
COMMIT_PLANS = {
    "committed plan": ("committed", "committed:", "p_ready_committed"),
    "perfect foresight": ("perfect_foresight", "foresight:", "p_ready_perfect_foresight"),
}
NUMBER, TEXT, TABLE, WHOLE = "a number", "a text", "a table", "a whole number"
ROBUST_FIELDS = {
    "scenario.name": TEXT,
    "scenario.digest": TEXT,
    "decision_date": TEXT,
    "objective": TEXT,
    "training.method": TEXT,
    "training.draws": WHOLE,
    "training.seed": WHOLE,
    "training.objective_value": NUMBER,
    "first_stage.stochastic_value": NUMBER,
    "first_stage.deterministic_value": NUMBER,
    "evaluation.draws": WHOLE,
    "evaluation.seed": WHOLE,
    "evaluation.common_draws": WHOLE,
    "evaluation.p_ready_by_year": TABLE,
    "evaluation.expected_weighted_shortfall": TABLE,
    "evaluation.expected_total_cost": TABLE,
    "evaluation.value_of_stochastic_solution.weighted_shortfall": NUMBER,
    "evaluation.value_of_stochastic_solution.p_ready_by_year": TABLE,
    "evaluation.value_of_perfect_information.weighted_shortfall": NUMBER,
    "evaluation.cuts.stochastic_plan.draws_with_cuts": WHOLE,
    "evaluation.cuts.stochastic_plan.mean_cut_value": NUMBER,
    "evaluation.cuts.deterministic_plan.draws_with_cuts": WHOLE,
    "evaluation.cuts.deterministic_plan.mean_cut_value": NUMBER,
}
COMMIT_FIELDS = {
    "scenario.name": TEXT,
    "scenario.digest": TEXT,
    "draws": WHOLE,
    "seed": WHOLE,
    "decision_date": TEXT,
    "committed_value": NUMBER,
    "failed_draws.committed": WHOLE,
    "failed_draws.perfect_foresight": WHOLE,
    "p_ready_by_year": TABLE,
    "expected_weighted_shortfall": TABLE,
    "expected_total_cost": TABLE,
    "value_of_perfect_information.weighted_shortfall": NUMBER,
    "value_of_perfect_information.p_ready_by_year": TABLE,
    "cuts.draws_with_cuts": WHOLE,
    "cuts.mean_cut_value": NUMBER,
    "cuts.max_cut_share": NUMBER,
}
COMMANDS = {"robust": "materiel robust", "commit": "materiel commit"}
FILES = {"robust": "evaluation.csv", "commit": "draws.csv"}
TOLERANCE = 1e-5  # summary.json rounds to 4–6 decimals
MISSING = object()


@dataclass
class PlansFolder:
    """A robust or commit folder as the report reads it: the summary, P(ready by year) of each
    plan (one column per plan label, by year) and the per-draw table."""

    kind: str  # "robust" or "commit"
    folder: Path
    summary: dict[str, Any]
    p_ready: pd.DataFrame  # index: year (text); columns: the plans' labels
    draws: pd.DataFrame  # evaluation.csv or draws.csv

    @property
    def plans(self) -> dict[str, tuple[str, str, str]]:
        """Plan label -> (key in summary.json, column prefix in the per-draw table, p_ready.csv column)."""
        return ROBUST_PLANS if self.kind == "robust" else COMMIT_PLANS

    @property
    def evaluation(self) -> dict[str, Any]:
        """The figures judged on draws (for robust under "evaluation"; a commit summary is all of them)."""
        return self.summary["evaluation"] if self.kind == "robust" else self.summary

    def failed(self, label: str) -> int:
        """Draws of the per-draw table where this plan has no optimal plan (counted as not ready)."""
        status = self.draws[f"{self.plans[label][1]}status"]
        return int((status != "optimal").sum())


def read_plans_folder(folder: str | Path, kind: str, sc: Scenario) -> PlansFolder:
    """The ``materiel robust`` (``kind`` "robust") or ``materiel commit`` ("commit") output folder
    ``folder``, checked against the scenario ``sc`` as planned; ``CommitError`` names what is wrong."""
    if kind not in COMMANDS:
        raise ValueError(f"kind {kind!r}: robust or commit")
    folder = Path(folder)
    command = COMMANDS[kind]
    if not folder.is_dir():
        raise CommitError(f"{folder}: no such folder; give the -o folder of a {command} run")
    summary = _summary(folder, kind)
    _check_scenario(folder, summary, kind, sc)
    plans = ROBUST_PLANS if kind == "robust" else COMMIT_PLANS
    evaluation = summary["evaluation"] if kind == "robust" else summary
    p_ready = _p_ready(folder, kind, plans, evaluation["p_ready_by_year"])
    draws = _draws(folder, kind, plans, evaluation)
    return PlansFolder(kind, folder, summary, p_ready, draws)


def _summary(folder: Path, kind: str) -> dict[str, Any]:
    command, path = COMMANDS[kind], folder / "summary.json"
    if not path.is_file() and (folder / "sweep.json").exists():
        raise CommitError(
            f"{folder}: a sweep folder (sweep.json), not a {command} folder; give it to report with --sweep"
        )
    if not path.is_file():
        raise CommitError(
            f"{path}: file not found; a {command} folder holds summary.json, p_ready.csv and {FILES[kind]} "
            f"(run {command} -o {folder} first)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CommitError(f"{path}: cannot read it as JSON ({exc}); run {command} again to write it") from None
    made_by = _made_by(folder, data) if isinstance(data, dict) else ""
    if not made_by:
        raise CommitError(f"{path}: not the summary {command} writes; give report the -o folder of a {command} run")
    if made_by != kind:
        given = {"robust": "--robust", "commit": "--commit", "sweep": "--sweep"}[made_by]
        raise CommitError(
            f"{path}: the summary of a {COMMANDS.get(made_by, 'materiel sweep')} run, not of {command}; give it to "
            f"report with {given}"
        )
    for dotted, expected in (ROBUST_FIELDS if kind == "robust" else COMMIT_FIELDS).items():
        value: Any = data
        for key in dotted.split("."):
            value = value.get(key, MISSING) if isinstance(value, dict) else MISSING
        if value is MISSING:
            raise CommitError(
                f"{path}: no {dotted} (expected the summary {command} writes; an earlier materiel wrote less: "
                f"run {command} again)"
            )
        if not _is(value, expected):
            raise CommitError(f"{path}: {dotted} is {json.dumps(value)}, expected {expected}; run {command} again")
    return data


def _made_by(folder: Path, data: dict[str, Any]) -> str:
    """Which command wrote this summary: 'robust', 'commit', 'sweep' or ''."""
    if "training" in data and "evaluation" in data:
        return "robust"
    if "committed_value" in data:
        return "commit"
    if "top_sensitivities" in data or (folder / "sweep.json").exists():
        return "sweep"
    return ""


def _is(value: Any, expected: str) -> bool:
    if expected == TEXT:
        return isinstance(value, str) and bool(value)
    if expected == TABLE:
        return isinstance(value, dict)
    if expected == WHOLE:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    # a number; None stands for "not computed" (no draw where every plan has an optimal plan)
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value))


def _check_scenario(folder: Path, summary: dict[str, Any], kind: str, sc: Scenario) -> None:
    """Refuse a folder made from another scenario, or with other what-ifs or --set (as a sweep)."""
    from .runner import scenario_digest

    if summary["scenario"]["digest"] != scenario_digest(sc):
        raise CommitError(
            f"{folder} holds a {COMMANDS[kind]} run of {summary['scenario']['name']} as it was then, not of "
            f"{sc.name} with these what-ifs and --set values; give report the scenario, -w and --set the run "
            f"was made with (or run {COMMANDS[kind]} again)"
        )


def _read_csv(path: Path, kind: str, columns: list[str]) -> pd.DataFrame:
    command = COMMANDS[kind]
    if not path.is_file():
        raise CommitError(f"{path}: file not found; {command} writes it beside summary.json (run it again)")
    try:
        table = pd.read_csv(path, dtype={"year": str})
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CommitError(f"{path}: cannot read the table ({exc}); run {command} again") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise CommitError(
            f"{path}: no column {', '.join(missing)} (expected the table {command} writes); run {command} again"
        )
    return table


def _p_ready(folder: Path, kind: str, plans: dict, summary_p: dict[str, Any]) -> pd.DataFrame:
    """p_ready.csv, one column per plan label; it must say what summary.json says."""
    path = folder / "p_ready.csv"
    table = _read_csv(path, kind, ["year", *(column for _, _, column in plans.values())])
    table["year"] = table["year"].astype(str).str.strip()
    out = pd.DataFrame(
        {label: pd.to_numeric(table[column], errors="coerce").to_numpy() for label, (_, _, column) in plans.items()},
        index=pd.Index(table["year"], name="year"),
    )
    for label, (key, _, _) in plans.items():
        by_year = summary_p.get(key)
        if not isinstance(by_year, dict) or list(by_year) != list(out.index):
            raise CommitError(
                f"{path}: its years ({', '.join(out.index)}) are not those of summary.json for the {label}; "
                "the files come from different runs: run the command again"
            )
        for year, value in by_year.items():
            found = out.at[year, label]
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not 0 <= value <= 1 or not abs(found - value) <= TOLERANCE:
                raise CommitError(
                    f"{path}: P(ready by {year}) of the {label} is {found}, summary.json says {value}; "
                    "the files come from different runs: run the command again"
                )
    return out


def _draws(folder: Path, kind: str, plans: dict, evaluation: dict[str, Any]) -> pd.DataFrame:
    """The per-draw table; its draws and expected weighted shortfalls must be those of summary.json."""
    path = folder / FILES[kind]
    columns = ["draw", *(f"{prefix}{m}" for _, prefix, _ in plans.values() for m in ("status", "weighted_shortfall"))]
    table = _read_csv(path, kind, columns)
    draws = evaluation["draws"]
    if len(table) != draws:
        raise CommitError(
            f"{path}: {len(table)} draws, summary.json says {draws}; the files come from different runs: "
            "run the command again"
        )
    common = pd.Series(True, index=table.index)
    for _, prefix, _ in plans.values():
        common &= table[f"{prefix}status"] == "optimal"
    for label, (key, prefix, _) in plans.items():
        said = evaluation["expected_weighted_shortfall"].get(key)
        shortfall = pd.to_numeric(table.loc[common, f"{prefix}weighted_shortfall"], errors="coerce")
        mean = float(shortfall.mean()) if common.any() else math.nan
        agree = (said is None and math.isnan(mean)) or (said is not None and abs(mean - said) <= TOLERANCE)
        if not agree:
            raise CommitError(
                f"{path}: the {label}'s mean weighted shortfall is {mean:.6g}, summary.json says {said}; "
                "the files come from different runs: run the command again"
            )
    return table
