"""The results docs/data.md quotes, generated from the shipped scenario so they cannot go stale.

``make docs`` rewrites the blocks between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in
docs/data.md:

* ``default-plan``: the default plan's headline figures and its shortfall by category;
* ``variants``: the scenario as written beside each of its what-ifs and variants;
* ``sensitivity``: the ten ranged inputs that move readiness and total cost most, from a sweep.

The first two are cheap (one plan each) and a test recomputes them. The sweep is not: its block
records the digest of the scenario it was run on, and the test fails when the scenario has changed
since (``make docs`` then runs the sweep again).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..assessment import Assessment
from ..assessment.options import OptionResult, compare_variants
from ..fmt import money
from ..planner import money as money_split
from ..planner.result import Plan

SWEEP_DRAWS, SWEEP_SEED = 200, 0
_BLOCK = "<!-- {name}:start -->\n{body}<!-- {name}:end -->"


def _bn(value: float, currency: str) -> str:
    return money(value, currency).replace(f"{currency} ", "$" if currency == "USD" else f"{currency} ")


def _share(value: float) -> str:
    return f"{value:.2f}"


def default_plan_block(plan: Plan, a: Assessment) -> str:
    """Headline figures of the default plan and the assessed customer's shortfall by category."""
    s, cur = plan.summary(), plan.currency
    split = money_split.by_customer(plan)
    spend = plan.spend_by_year()
    sa = a.summary()
    cats = ", ".join(f"{c} {p or 'never'}" for c, p in sa["readiness_by_category"].items())
    days = "never runs out" if sa["bottleneck_days"] is None else f"{sa['bottleneck_days']:.0f} days"
    rows = [
        (f"for {a.customer}: aid / own means", " / ".join(_bn(v, cur) for v in _to_customer(plan, a.customer))),
        *(
            (f"{who}'s own purchases (not aid)", f"{_bn(e['total'], cur)} ({_bn(e['per_year'], cur)} per year)")
            for who, e in split.items()
            if not e["assessed"]
        ),
        ("all money spent (the sum of the above)", _bn(plan.total_cost, cur)),
        *(
            (
                f"{who}: money spent with producers in Europe / Ukraine / elsewhere",
                " / ".join("–" if v is None else _share(v) for v in e["spent_in"].values()),
            )
            for who, e in split.items()
        ),
        ("spending by year", ", ".join(f"{y} {_bn(v, cur)}" for y, v in spend.items())),
        (
            "share of each year's budgets spent",
            ", ".join(
                f"{y} {100 * u['share_used']:.0f} %"
                for y, u in s["envelope_use"].items()
                if u["share_used"] is not None
            ),
        ),
        (f"readiness of {a.customer} (every category ≥ {a.readiness.threshold:.0%})", a.readiness.text),
        ("ready by category", cats),
        (f"bottleneck in a war from the end of {sa['bottleneck_year']}", f"{sa['bottleneck_item']} ({days})"),
    ]
    lines = ["| figure | value |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in rows), ""]
    lines += ["What limits the plan, year by year:", ""]
    lines += [f"- {r.text}" for r in plan.limits.itertuples()]
    sbc = plan.shortfall_by_category()
    lines += ["", f"Shortfall of {a.customer}'s targets at the end of each year (1 − coverage):", ""]
    lines += ["| category | " + " | ".join(str(y) for y in sbc.columns) + " |"]
    lines += ["| --- |" + " --- |" * len(sbc.columns)]
    for cat, row in sbc.iterrows():
        cells = ["–" if pd.isna(v) else ("0" if abs(v) < 0.005 else f"{v:.2f}") for v in row]
        lines.append(f"| {cat} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _latest_category(a: Assessment) -> str:
    """The category that is ready last (or never), as 'armour 2033Q3'."""
    by_cat = a.readiness.by_category
    never = [c for c, p in by_cat.items() if p is None]
    if never:
        return ", ".join(never) + " never"
    cat = max(by_cat, key=lambda c: a.plan.model.periods.index(by_cat[c]))
    return f"{cat} {by_cat[cat]}"


def _weakest_attack(a: Assessment) -> str:
    """The attack least engaged at the end of the assessment year: 'ballistic 0.64 / 0.28'
    (engaged / destroyed)."""
    if a.attacks.empty:
        return "–"
    at = a.attacks[(a.attacks["period"] == a.at_year_end(a.year)) & (a.attacks["attack"] != "all")]
    if at.empty:
        return "–"
    row = at.loc[at["engaged_share"].idxmin()]
    return f"{row['attack']} {row['engaged_share']:.2f} / {row['destroyed_share']:.2f}"


def _to_customer(p: Plan, customer: str) -> tuple[float, float]:
    """Aid to the assessed ``customer`` and its own means, capacity paid for it included
    (planner/money.py)."""
    e = money_split.by_customer(p)[customer]
    return e.get("aid", 0.0), e.get("own_means", e["total"])


def variants_block(results: list[OptionResult]) -> str:
    """The scenario as written and each what-if or variant: cost, readiness, bottleneck, air defence."""
    first = results[0].assessment
    who, year = first.customer, first.year
    head = (
        f"| run | all money, every customer | for {who}: aid / own means | readiness date | ready last | "
        f"bottleneck, end-{year} (days) | least-engaged attack, end-{year}: engaged / destroyed |"
    )
    lines = [head, "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        a, p = r.assessment, r.plan
        s = a.summary()
        days = "never runs out" if s["bottleneck_days"] is None else f"{s['bottleneck_days']:.0f}"
        name = "baseline" if r.name == "baseline" else f"`{r.name}`"
        aid, own = _to_customer(p, a.customer)
        lines.append(
            f"| {name} | {_bn(p.total_cost, p.currency)} | {_bn(aid, p.currency)} / {_bn(own, p.currency)} | "
            f"{a.readiness.text} | {_latest_category(a)} | {s['bottleneck_item']} ({days}) | {_weakest_attack(a)} |"
        )
    return "\n".join(lines) + "\n"


def sensitivity_block(sensitivity: pd.DataFrame, digest: str, top: int = 10) -> str:
    """The ``top`` inputs by |Spearman ρ| with the readiness date and with the total cost."""
    cols = {}
    for output in ("readiness", "total_cost"):
        g = sensitivity[sensitivity["output"] == output].head(top).reset_index(drop=True)
        cols[output] = g
    lines = [
        "| rank | readiness date (later = +) | ρ | total cost | ρ |",
        "| --- | --- | ---: | --- | ---: |",
    ]
    for n in range(top):
        cells = []
        for output in ("readiness", "total_cost"):
            g = cols[output]
            if n < len(g):
                cells += [f"`{g.loc[n, 'input']}`", f"{g.loc[n, 'rho']:+.2f}"]
            else:
                cells += ["", ""]
        lines.append(f"| {n + 1} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"From `materiel sweep -n {SWEEP_DRAWS} --seed {SWEEP_SEED}` (Latin hypercube, every ranged figure) "
        f"of the scenario with digest `{digest}`; regenerated by `make docs` when the scenario changes.",
    ]
    return "\n".join(lines) + "\n"


def block_digest(text: str) -> str | None:
    """The scenario digest a sensitivity block was computed from."""
    m = re.search(r"scenario with digest `([0-9a-f]+)`", block(text, "sensitivity") or "")
    return m.group(1) if m else None


def block(text: str, name: str) -> str | None:
    """The body of a generated block, None if the document has none."""
    m = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    return m.group(1) if m else None


def replace_block(text: str, name: str, body: str) -> str:
    """The document with one generated block's body replaced."""
    if block(text, name) is None:
        raise ValueError(f"no <!-- {name}:start --> … <!-- {name}:end --> block in the document")
    pattern = re.compile(rf"<!-- {name}:start -->\n.*?<!-- {name}:end -->", re.S)
    return pattern.sub(lambda _: _BLOCK.format(name=name, body=body), text)


def shipped_results(scenario: str | None = None) -> list[OptionResult]:
    """The scenario as written and every what-if and variant it declares, planned and assessed."""
    from ..scenario.loader import load

    sc, _ = load(scenario)
    return compare_variants(scenario, [*sc.overrides, *sc.variants])


def update_data_doc(path: str | Path, scenario: str | None = None, log: Callable[[str], None] = print) -> None:
    """Rewrite the generated blocks of docs/data.md (the sweep only if the scenario changed)."""
    from ..scenario.loader import load
    from ..uncertainty.runner import scenario_digest

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    results = shipped_results(scenario)
    text = replace_block(text, "default-plan", default_plan_block(results[0].plan, results[0].assessment))
    text = replace_block(text, "variants", variants_block(results))
    sc, _ = load(scenario)
    digest = scenario_digest(sc)
    if block_digest(text) != digest:
        import tempfile

        from ..uncertainty import sweep

        log(f"sweeping {SWEEP_DRAWS} draws for the sensitivity table (the scenario changed)")
        with tempfile.TemporaryDirectory() as scratch:
            summary = sweep(scenario, draws=SWEEP_DRAWS, seed=SWEEP_SEED, folder=Path(scratch) / "sweep", workers=2)
        text = replace_block(text, "sensitivity", sensitivity_block(summary.sensitivity, digest))
    path.write_text(text, encoding="utf-8")
