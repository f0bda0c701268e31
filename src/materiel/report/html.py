"""One self-contained HTML report: charts inlined as PNG data, tables, every input's source.

It opens offline in any browser: no scripts, no fonts or styles from the internet. Every piece of
scenario text is escaped (``html.escape``, quotes included, so it is safe inside attributes too),
and a source's ``url`` becomes a link only when it is an http(s) address (``link``): a
``javascript:`` or ``data:`` address stays text.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import re
from typing import TYPE_CHECKING

import pandas as pd

from ..assessment import Assessment
from ..assessment.options import OptionResult, comparison_display, option_assumptions
from ..fmt import days, money, probability, share
from ..planner import causes as why
from ..planner.money import headline as money_headline
from ..planner.result import Plan
from ..scenario.compiled import ModelData
from ..scenario.names import describe_path, names, possessive
from ..scenario.provenance import inputs_table, sources_table
from ..uncertainty.summary import SweepSummary
from . import svg
from .axes import DENSITY
from .headline import comparison_money, money_by_customer_table, money_cards, money_note, whatif_text
from .ranges import html_note
from .sweep import tornado_label

if TYPE_CHECKING:
    from ..uncertainty.folders import PlansFolder

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #36c;padding-bottom:.2rem;margin-top:2.2rem}
h3{margin-top:1.4rem}.meta{color:#666;font-size:.9rem}
h1,h2,h3,p,li,summary,.card{overflow-wrap:anywhere}
.wide{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.82rem;margin:.6rem 0}th,td{border:1px solid #ccc;padding:.2rem .45rem;text-align:right}
th{background:#eef2f8}td:first-child,th:first-child{text-align:left}td.text{text-align:left;max-width:34rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ccd;border-radius:6px;padding:.6rem .9rem;min-width:11rem}
.card b{display:block;font-size:1.25rem}.note{color:#555;font-size:.85rem}
figure{margin:.8rem 0}img,svg.chart{max-width:100%;height:auto;display:block}img{border:1px solid #eee}
.bad{background:#fbe3e1}.mid{background:#fdf3d7}.good{background:#e3f4e1}details{margin:.5rem 0}
nav a{margin-right:.8rem;display:inline-block}
h1,h2,h3,h4{break-after:avoid;page-break-after:avoid}figure,tr,.card{break-inside:avoid;page-break-inside:avoid}
@page{size:A4;margin:14mm 12mm 16mm}
@media (max-width:600px){body{margin:1rem auto;padding:0 .6rem}h1{font-size:1.3rem}.card{min-width:0;flex:1 1 9rem}}
@media print{
body{margin:0;max-width:none;padding:0;font-size:9pt}nav{display:none}a{color:inherit}
h2{margin-top:1.2rem}.wide{overflow:visible}
table{font-size:6.5pt;width:100%;table-layout:auto}th,td{padding:.1rem .25rem;overflow-wrap:break-word}
td.text{max-width:none}img{border:0}
}
"""

_WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+", re.IGNORECASE)


def link(url: object) -> str:
    """An http(s) address as a link (address and text escaped); anything else as escaped text."""
    if not isinstance(url, str) or not url:
        return ""
    text = html.escape(url)
    return f'<a href="{text}">{_breakable(url)}</a>' if _WEB_ADDRESS.match(url) else _breakable(url)


def _esc_raw(value: object) -> str:
    """Scenario text as it is; '' for a missing value."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _esc(value: object) -> str:
    """Scenario text for an HTML element or attribute; '' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value))


_LONG_WORD = re.compile(r"\S{24,}")
_BREAK_AFTER = re.compile(r"([/._\-?&=\[\],:])")


def _chunked(part: str, size: int = 12) -> str:
    """Escaped ``part``, breakable every ``size`` characters when it is longer than that and
    more (a hash in an address)."""
    if len(part) <= size + 4:
        return html.escape(part)
    return "<wbr>".join(html.escape(part[k : k + size]) for k in range(0, len(part), size))


def _breakable(value: object) -> str:
    """Escaped text whose long words (addresses, field paths) may break after their punctuation
    (``<wbr>``), so a table column can narrow on a phone or an A4 page instead of overflowing it."""
    text = str(value)
    out, done = [], 0
    for word in _LONG_WORD.finditer(text):
        out.append(html.escape(text[done : word.start()]))
        parts = _BREAK_AFTER.split(word.group(0))
        out += [_chunked(p) + ("<wbr>" if _BREAK_AFTER.fullmatch(p) else "") for p in parts]
        done = word.end()
    out.append(html.escape(text[done:]))
    return "".join(out)


def _img(data_bytes: bytes | None, alt: str) -> str:
    """A PNG chart (its bytes) inlined as data."""
    if not data_bytes:
        return ""
    data = base64.b64encode(data_bytes).decode("ascii")
    width = int.from_bytes(data_bytes[16:20], "big") // DENSITY  # the PNG header's width, in layout pixels
    return (
        f'<figure><img alt="{html.escape(alt)}" title="{html.escape(alt)}" width="{width}" '
        f'src="data:image/png;base64,{data}"></figure>'
    )


def _table(df: pd.DataFrame, index: bool = False, text_cols: tuple[str, ...] = ()) -> str:
    """An HTML table with numbers formatted for reading; text columns left-aligned."""

    def fmt(v: object) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "–"
        if isinstance(v, float):
            if math.isinf(v):
                return days(v)
            return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
        if isinstance(v, int):
            return f"{v:,}" if abs(v) >= 10_000 else str(v)
        return _breakable(v)

    head = "".join(
        f"<th>{html.escape(str(c))}</th>" for c in ([df.index.name or ""] if index else []) + list(df.columns)
    )
    rows = []
    for idx, row in df.iterrows():
        cells = [f"<td>{fmt(idx)}</td>"] if index else []
        for col, v in row.items():
            cls = ' class="text"' if col in text_cols else ""
            cells.append(f"<td{cls}>{fmt(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return _wide(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _wide(table: str) -> str:
    """A table in its own scrolling box: on a narrow screen it scrolls, not the page."""
    return f'<div class="wide">{table}</div>'


def _figure(chart: str) -> str:
    """A chart kept whole on a printed page."""
    return f"<figure>{chart}</figure>"


def _shortfall_table(plan: Plan, customer: str) -> str:
    """The customer's shortfall by category and year, coloured by size."""
    sbc = plan.shortfall_by_category(customer)
    rows = []
    for cat, row in sbc.iterrows():
        cells = []
        for v in row:
            cls = "" if pd.isna(v) else "good" if v <= 0.1 else "mid" if v <= 0.3 else "bad"
            cells.append(f'<td class="{cls}">{share(None if pd.isna(v) else v)}</td>')
        rows.append(f"<tr><td>{_esc(cat)}</td>{''.join(cells)}</tr>")
    head = "".join(f"<th>{y}</th>" for y in sbc.columns)
    return _wide(f"<table><thead><tr><th>category</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _year_end(a: Assessment, table: pd.DataFrame, value: str, index: str) -> pd.DataFrame:
    m = a.plan.model
    ends = {p: y for p, y in ((a.at_year_end(y), y) for y in m.years) if p}
    sub = table[table["period"].isin(ends)]
    out = sub.pivot(index=index, columns="period", values=value)
    out.columns = [ends[c] for c in out.columns]
    return out[sorted(out.columns)]


def _coverage_svg(a: Assessment) -> str:
    m = a.plan.model
    series = {cat: [100 * v for v in row.to_numpy(dtype=float)] for cat, row in a.coverage.iterrows()}
    vline = (m.periods.index(a.readiness.period), "ready") if a.readiness.period else None
    return svg.line_chart(
        m.periods,
        series,
        f"{names(a.plan.model.scenario).customer(a.customer)}: coverage by category — ready {a.readiness.text}",  # svg escapes it
        "% of target held (weighted)",
        0,
        105,
        hlines=[(100 * a.readiness.threshold, "threshold")],
        vline=vline,
    )


def _sustainment_svg(a: Assessment) -> str:
    m = a.plan.model
    cap = 10 * max(a.goal_days, 1.0)
    series = {item: [min(float(d), cap) for d in g["days"]] for item, g in a.sustainment.groupby("item", sort=False)}
    return svg.line_chart(
        m.periods,
        series,
        f"{names(a.plan.model.scenario).customer(a.customer)}: days of war each stock sustains, counting production",
        f"days (log scale, capped at {cap:,.0f})",
        log=True,
        hlines=[(a.goal_days, f"goal {a.goal_days:,.0f} days")],
    )


def _options_svg(results: list[OptionResult]) -> str:
    m = results[0].plan.model
    lowest = {r.name: [100 * v for v in r.assessment.coverage.min(axis=0).to_numpy(dtype=float)] for r in results}
    lines = svg.line_chart(
        m.periods,
        lowest,
        "Readiness over time: the lowest category coverage",
        "% of target held",
        0,
        105,
        hlines=[(100 * results[0].assessment.readiness.threshold, "threshold")],
    )
    bars = svg.bar_chart(
        [r.name for r in results],
        {
            "equipment": [r.envelope_cost.mean() / 1e9 for r in results],
            "troops": [r.force_cost.mean() / 1e9 for r in results],
        },
        "Cost per year to the envelope",
        f"{m.currency} bn a year",
    )
    return _figure(lines) + _figure(bars)


def _money_used(plan: Plan) -> str:
    """How much of each year's money was used, per vehicle and in total; who paid; what limits
    the plan each year, in words (planner/limits.py)."""
    env = plan.envelope
    if env.empty:
        return ""
    used = env.pivot(index="fund", columns="year", values="share_used").reindex(plan.model.funds)
    totals = env.groupby("year")[["budget", "spent"]].sum()
    used.loc["all vehicles"] = (totals["spent"] / totals["budget"].where(totals["budget"] > 0)).to_numpy()
    used = used.map(lambda v: share(None if pd.isna(v) else v))
    spent = (totals / 1e9).T
    own, _ = plan.own_and_aid()
    who = plan.spend_by_contributor() / 1e9
    who.index.name = "contributor"
    words = "".join(f"<li>{html.escape(t)}</li>" for t in plan.limits["text"])
    out = f"""
<h3>How much of each year's money was used ({_esc(plan.currency)} bn)</h3>{_table(spent, index=True)}
<p class="note">Share of each vehicle's yearly budget spent (above 100 % when money carried in from
earlier years is spent):</p>{_table(used, index=True)}
<h3>What limits the plan</h3>
<p>Money binds in a year when a vehicle that may pay for a still-short item spent all it had;
capacity binds when a line making a still-short item ran at full capacity (or at the customer's share
of it) all year; neither means lead and build times, what vehicles may pay for, or items no line makes hold
the plan back.</p>{_components_bind(plan)}<ul>{words}</ul>
"""
    if own.sum() > 0:
        out += "".join(f"<p>{html.escape(t)}</p>" for t in money_headline(plan)[:-1])
    if list(who.index) != ["not split"]:
        out += f"<h3>Money spent per contributing country ({_esc(plan.currency)} bn)</h3>{_table(who, index=True)}"
    return out


def _whatifs(m: ModelData, given: list[str] | None) -> str:
    """' with what-ifs: ...' as the run applied them (named ones and --set), or nothing."""
    text = whatif_text(m) or ("what-ifs: " + "; ".join(given) if given else None)
    return f" with {html.escape(text)}" if text else ""


def _components_bind(plan: Plan) -> str:
    """For a scenario with components: when they are said to bind (planner/limits.py)."""
    if not plan.model.component.any():
        return ""
    return (
        "<p>Components bind when a line making a still-short item ran out of a component all year while "
        "it had capacity to spare (the components table's <code>limiting</code>).</p>"
    )


def _why_short(plan: Plan, customer: str) -> str:
    """Why targets are missed: each item at the latest date it is short, one row per cause
    (planner/causes.py; every date in causes.csv)."""
    table = why.reading_table(plan.causes, customer)
    if table.empty:
        return ""
    return f"""<h3>Why targets are missed</h3>
<p>Each item short of {_esc(customer)}'s target, at the latest date it is short, with what held it back:
a line at full capacity (and why it could not expand), the customer's share of a line, a lead time too long
for the date, no vehicle allowed to pay, vehicles that spent all they had, components used up
(docs/assessment.md, "Why a target is missed"; every date in causes.csv).</p>
{_table(table, text_cols=tuple(table.columns))}
"""


def _plan_section(plan: Plan, charts: dict[str, bytes]) -> str:
    cur = _esc(plan.currency)
    customer = plan.assessed_customer
    spend = (plan.spend_by_year("fund") / 1e9).T
    spend.index.name = "fund"
    region = (plan.spend_by_year("region") / 1e9).T.drop(index="", errors="ignore")  # upkeep: no producer
    region.index.name = "producer region"
    return f"""
<h2 id="plan">The plan</h2>
<p>Orders, capacity investments and funding flows that minimise the weighted shortfall of every
customer's targets, then the money spent (docs/model.md). Money in {cur} bn at
{plan.model.scenario.currency.year} prices.</p>
<h3>Money by year and customer</h3>{_table(money_by_customer_table(plan) / 1e9, index=True)}
<h3>Spending by year and funding vehicle (every customer)</h3>{_table(spend, index=True)}
{_money_used(plan)}
<h3>Spending by year and region of production (every customer)</h3>{_table(region, index=True)}
{_img(charts.get("spending_by_fund.png"), "Spending per year by funding vehicle, every customer (stacked bars)")}
<h3>Shortfall of {_esc(possessive(names(plan.model.scenario).customer(customer)))} targets by category at the end of each year (share of target)</h3>{_shortfall_table(plan, customer)}
{_why_short(plan, customer)}
{_img(charts.get("stock_vs_target.png"), "Stock and target of each item, by category, as a share of the item's highest target")}
<h3>Capacity build-up</h3>{_img(charts.get("capacity_build_up.png"), "Capacity build-up of the main lines: base, added and ordered, units per year")}
<details><summary>Capacity investments ({len(plan.investments)})</summary>{_table(plan.investments)}</details>
{_marginal_section(plan)}"""


def _marginal_section(plan: Plan) -> str:
    """What more money, capacity, share or time would buy (planner/marginal.py)."""
    from ..planner.marginal import VALIDITY_NOTE, marginal_steps, plan_sentences

    found = plan_sentences(plan.marginal_values, plan.objective.shortfall_optimum if plan.objective else None)
    if not found:
        return ""
    items = "".join(f"<li>{_esc(t)}</li>" for t in found)
    top = marginal_steps(plan.marginal_values.head(20), plan.currency)
    return (
        f'<h3 id="marginal">What more would buy</h3><ol>{items}</ol><p>{_esc(VALIDITY_NOTE)}</p>'
        f"<details><summary>Top marginal values ({len(plan.marginal_values)} in marginal_values.csv)</summary>"
        f"{_table(top)}</details>"
    )


def _assessment_section(a: Assessment) -> str:
    r = a.readiness
    cats = pd.DataFrame({"ready from": {k: v or "never within the horizon" for k, v in r.by_category.items()}})
    cats.index.name = "category"
    items = a.item_table().fillna({"ready from": "never within the horizon"})
    for col in ("critical minimum", f"coverage {a.year}"):
        items[col] = [share(None if pd.isna(v) else v) for v in items[col]]
    held = "".join(f"<li>{html.escape(text)}</li>" for text in a.held_back())
    fire = "".join(f"<li>{html.escape(text)}</li>" for text in a.fire_statements())
    produced = _year_end(a, a.sustainment, "days", "item") if not a.sustainment.empty else pd.DataFrame()
    alone = _year_end(a, a.sustainment, "days_alone", "item") if not a.sustainment.empty else pd.DataFrame()
    for t in (produced, alone):
        t.index.name = "item"
    bn = a.bottleneck.copy()
    bn = bn[bn["period"].isin([a.at_year_end(y) for y in a.plan.model.years])]
    out = f"""
<h2 id="readiness">Readiness</h2>
<p>Coverage of a category = weighted mean of min(1, stock/target) over its items, counting of a munition
fired by systems only what the systems held can fire in {a.goal_days:.0f} days; while a critical item is below
its minimum coverage, its category cannot pass (docs/assessment.md). {html.escape(names(a.plan.model.scenario).customer(a.customer))} is
<b>ready</b> from the first period after which every category stays at or above
{a.readiness.threshold:.0%}: <b>{html.escape(r.text)}</b>.</p>
{f"<p>Held back at the end of {a.year}:</p><ul>{held}</ul>" if held else ""}
{f"<p>What the systems held at the end of {a.year} can fire:</p><ul>{fire}</ul>" if fire else ""}
{_table(cats, index=True)}
<h3>Readiness by item</h3>
<p>Coverage at the end of {a.year}; the weights, and why, as declared in the scenario.</p>
{_table(items, text_cols=("item", "category", "weight rationale", "ready from"))}
{_time_to_target(a)}
{_figure(_coverage_svg(a))}
<h2 id="sustainment">Sustainment</h2>
<p>Days of high-intensity war the stock held at the end of each year sustains at wartime use, counting
deliveries already ordered and the surge production {html.escape(names(a.plan.model.scenario).customer(a.customer))} may take (after lead times);
"never runs out" means production keeps up. Goal: {a.goal_days:.0f} days.</p>
<h3>Bottleneck: the item that runs out first</h3>{_table(bn[["period", "item", "category", "days", "days_alone"]])}
<h3>Days of war, with production</h3>{_table(produced, index=True)}
<details><summary>Days of war from stock alone</summary>{_table(alone, index=True)}</details>
{_figure(_sustainment_svg(a))}
"""
    if not a.interceptors.empty:
        ends = [a.at_year_end(y) for y in a.plan.model.years]
        demand = _demand_table(a)
        exhaust = _year_end(a, a.interceptors, "days_to_exhaustion", "item")
        exhaust.index.name = "item"
        att = a.attacks[a.attacks["period"].isin(ends)]
        engaged = att.pivot(index="attack", columns="period", values="engaged_share")
        destroyed = att.pivot(index="attack", columns="period", values="destroyed_share")
        for t in (engaged, destroyed):
            t.columns = [p[:4] for p in t.columns]
        out += f"""
<h2 id="airdefence">Air defence</h2>
<p>Monthly interceptor demand from the threat's attack rates, the interceptors fired per target and the
share of each attack each type engages; days until each type is exhausted; and the share of attacks
that can be engaged, and destroyed, over the {a.goal_days:.0f}-day goal with what is held (stock plus
production arriving in that time).</p>
{_table(demand, index=True)}
<h3>Days until exhausted</h3>{_table(exhaust, index=True)}
<h3>Share of attacks engaged</h3>{_table(engaged, index=True)}
<h3>Share of attacks destroyed</h3>{_table(destroyed, index=True)}
"""
    return out


def _time_to_target(a: Assessment) -> str:
    """When each item holds its whole target, within its period, and how many times today's
    production holding it by the end of the sustainment year takes (assessment/dates.py)."""
    t = a.time_to_target()
    if t.empty:
        return ""
    table = pd.DataFrame(
        {
            "item": t["item_name"],
            "at target in": t["at_target_from"].fillna("never within the horizon"),
            "time to target": t["time_to_target"],
            "needed a month": t["needed_per_month"],
            "today a month": t["current_per_month"],
            "times today": [
                "–" if n == 0 else "no line today" if c == 0 else f"{r:,.2f}×"
                for n, c, r in zip(t["needed_per_month"], t["current_per_month"], t["times_current"], strict=True)
            ],
        }
    )
    return f"""<h3>Time to target</h3>
<p>The month from which each item's stock holds its whole target, stock and target taken in a straight
line between period ends (docs/assessment.md, "Dates within a period"), and the production a month
needed to hold the {_esc(t["by"].iloc[0])} target from the initial stock against what
{_esc(a.customer)} may take from today's lines.</p>
{_table(table, text_cols=("item", "at target in", "time to target", "times today"))}
"""


def _demand_table(a: Assessment) -> pd.DataFrame:
    """Interceptors fired a month by type: one column while the threat stays the same, one per
    year (at its end) when it moves."""
    demand = a.interceptors.pivot(index="item", columns="period", values="demand_per_month")
    if (demand.max(axis=1) - demand.min(axis=1) <= 1e-9 * demand.abs().max(axis=1)).all():
        return a.interceptors.groupby("item")["demand_per_month"].first().to_frame("interceptors fired per month")
    out = _year_end(a, a.interceptors, "demand_per_month", "item")
    out.index.name = "interceptors fired per month, as the threat moves"
    return out


def _comparison_section(results: list[OptionResult], title: str) -> str:
    table = comparison_display(results)
    m = results[0].plan.model
    out = f"""
<h2 id="options">{html.escape(title)}</h2>
{_table(table, text_cols=("constraints",))}
<h3>Money per year by customer</h3>
<ul>{"".join(f"<li>{html.escape(t)}</li>" for t in comparison_money([(r.name, r.plan) for r in results]))}</ul>
{_options_svg(results)}
"""
    if results[0].kind != "variant":
        assumptions = option_assumptions(m)[
            ["field", "value", "unit", "low", "high", "source", "source_date", "assumption"]
        ]
        out += (
            f"<h3>Assumptions behind the options</h3>{_table(assumptions, text_cols=('field', 'source', 'assumption'))}"
        )
    else:
        desc = pd.DataFrame({"what-if": [r.name for r in results], "meaning": [r.description for r in results]})
        out += _table(desc, text_cols=("meaning",))
    return out


def _uncertainty_section(u: SweepSummary, m: ModelData) -> str:
    fan = u.fan
    chart = svg.line_chart(
        m.periods,
        {"median": [100 * v for v in fan[0.5]]},
        f"Lowest category coverage over time across {len(u.draws)} draws",
        "% of target held",
        0,
        105,
        hlines=[(100 * m.policy.threshold, "threshold")],
        bands=[
            ("5–95 %", [100 * v for v in fan[0.05]], [100 * v for v in fan[0.95]]),
            ("25–75 %", [100 * v for v in fan[0.25]], [100 * v for v in fan[0.75]]),
        ],
    )
    ok = u.draws[u.draws["status"] == "optimal"].reindex(columns=["readiness_date"])
    years = ok["readiness_date"].fillna("not in horizon").map(lambda p: p[:4] if p != "not in horizon" else p)
    counts = years.value_counts()
    order = [str(y) for y in m.years if str(y) in counts.index] + (
        ["not in horizon"] if "not in horizon" in counts.index else []
    )
    hist = svg.bar_chart(order, {"draws": [float(counts[o]) for o in order]}, "Readiness date: draws by year", "draws")
    tornados = []
    for output, label in (("readiness", "readiness date (later = positive)"), ("total_cost", "total cost")):
        g = u.sensitivity[u.sensitivity["output"] == output].head(12)
        tornados.append(
            svg.diverging_bars(
                [tornado_label(n, bool(noise)) for n, noise in zip(g["name"], g["in_noise"], strict=True)],
                list(g["rho"]),
                f"What moves the {label} most",
                "Spearman rank correlation with the input",
            )
        )
    p_ready = u.p_ready.assign(probability=[probability(v) for v in u.p_ready["probability"]]).set_index("year").T
    quant = u.quantiles.copy()
    quant.columns = [f"{c:.0%}" for c in quant.columns]
    rq = pd.DataFrame(
        {f"{q:.0%}": [v or "not in horizon"] for q, v in u.readiness_quantiles.items()}, index=["readiness date"]
    )
    return f"""
<h2 id="uncertainty">Uncertainty</h2>
<p>{len(u.draws)} draws of every figure given with a range (docs/uncertainty.md).</p>
{f"<p><strong>Warning: {html.escape(warning)}.</strong></p>" if (warning := u.warning()) else ""}
<h3>Probability of being ready by the end of each year</h3>{_table(p_ready)}
<h3>Quantiles</h3>{_table(quant, index=True)}{_table(rq, index=True)}
{_figure(chart)}{_figure(hist)}{_figure(tornados[0])}{_figure(tornados[1])}
<p class="note">Inputs marked (noise) correlate less than 2/√N = {u.noise_band:.2f} with the result
(N = {len(u.draws) - u.failed} draws with a plan): chance alone gives that about one time in twenty.</p>
"""


def _cells_table(table_id: str, head: list[str], rows: list[list[str]]) -> str:
    """A table of text already formatted (escaped here), with an id: each row's first cell labels it."""
    top = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return _wide(f'<table id="{table_id}"><thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>')


def _number(value: float | None) -> str:
    """A weighted shortfall or a value of information, as the terminal prints it: 4 significant digits."""
    return "–" if value is None else f"{value:.4g}"


def _change(value: float | None) -> str:
    """A difference of probabilities, signed: '+25 %', '-50 %', '0 %'."""
    return "–" if value is None else ("+" if value > 0 else "") + probability(value)


def _money_or_dash(value: float | None, currency: str) -> str:
    return "–" if value is None else money(value, currency)


def _telling_year(p_ready: pd.DataFrame, first: str, second: str) -> str:
    """The year in which two plans' odds of readiness differ most (the last year if they never do)."""
    gap = (p_ready[first] - p_ready[second]).abs()
    return str(gap.idxmax()) if gap.max() > 0 else str(p_ready.index[-1])


def _p_ready_chart(f: PlansFolder, title: str) -> str:
    return svg.line_chart(
        list(f.p_ready.index),
        {label: [100 * v for v in f.p_ready[label]] for label in f.plans},
        title,
        "% of draws ready by the end of the year",
        0,
        100,
    )


def _robust_part(f: PlansFolder, currency: str) -> str:
    """A materiel robust folder: the stochastic and the deterministic plan, each committed, and
    perfect foresight, judged on the same fresh draws (docs/uncertainty.md, "Planning for uncertainty")."""
    h, t, e, first = f.summary, f.summary["training"], f.summary["evaluation"], f.summary["first_stage"]
    es, cost, cuts = e["expected_weighted_shortfall"], e["expected_total_cost"], e["cuts"]
    vss, evpi = (
        e["value_of_stochastic_solution"]["weighted_shortfall"],
        e["value_of_perfect_information"]["weighted_shortfall"],
    )
    objective = h["objective"] + (f" at α = {h['alpha']}" if h.get("alpha") is not None else "")
    n, date = e["draws"], h["decision_date"]
    year = _telling_year(f.p_ready, "stochastic plan", "deterministic plan")
    p = {label: probability(f.p_ready.at[year, label]) for label in f.plans}
    verdict = (
        "the stochastic plan does better"
        if vss is not None and vss > 0
        else "the deterministic plan does better on these draws"
        if vss is not None and vss < 0
        else "neither does better"
        if vss is not None
        else "no draw gave every plan an optimal plan"
    )
    meaning = (
        f"Both plans committed up to {date} and judged on the same {n} fresh draws, the stochastic plan's expected "
        f"weighted shortfall is {_number(es['stochastic_plan'])} against {_number(es['deterministic_plan'])} for the "
        f"deterministic plan: the value of the stochastic solution is {_number(vss)} ({verdict}); perfect "
        f"foresight would lower the stochastic plan's by {_number(evpi)} (the value of perfect information). By the end of {year} "
        f"the stochastic plan is ready in {p['stochastic plan']} of the draws, the deterministic plan in "
        f"{p['deterministic plan']}, a planner with perfect foresight in {p['perfect foresight']}."
    )
    training = [
        ["decision date (last period committed)", date],
        ["training draws K", f"{t['draws']} (seed {t['seed']})"],
        ["method", t["method"]],
        ["objective", objective],
        ["objective value on the training draws", _number(t["objective_value"])],
    ]
    figures = [
        ["expected weighted shortfall", *(_number(es[f.plans[label][0]]) for label in f.plans)],
        ["expected total cost", *(_money_or_dash(cost[f.plans[label][0]], currency) for label in f.plans)],
        [
            f"first stage committed up to {date} (at the scenario's prices)",
            _money_or_dash(first["stochastic_value"], currency),
            _money_or_dash(first["deterministic_value"], currency),
            "–",
        ],
        [
            "draws with commitments not made within the horizon (cuts)",
            f"{cuts['stochastic_plan']['draws_with_cuts']} of {n}",
            f"{cuts['deterministic_plan']['draws_with_cuts']} of {n}",
            "–",
        ],
        [
            "mean value cut",
            _money_or_dash(cuts["stochastic_plan"]["mean_cut_value"], currency),
            _money_or_dash(cuts["deterministic_plan"]["mean_cut_value"], currency),
            "–",
        ],
        ["draws without an optimal plan (not ready)", *(str(f.failed(label)) for label in f.plans)],
    ]
    values = [
        ["value of the stochastic solution (deterministic − stochastic plan)", _number(vss)],
        ["value of perfect information (stochastic plan − perfect foresight)", _number(evpi)],
    ]
    change = e["value_of_stochastic_solution"]["p_ready_by_year"]
    p_rows = [[label, *(probability(v) for v in f.p_ready[label])] for label in f.plans]
    p_rows.append(["value of the stochastic solution (stochastic − deterministic)", *map(_change, change.values())])
    return f"""
<h3 id="plans-robust">Two-stage stochastic plan</h3>
<p class="note">From <code>{_breakable(str(f.folder))}</code> (<code>materiel robust</code>).</p>
<p>{html.escape(meaning)}</p>
{_cells_table("plans-robust-training", ["training", ""], training)}
<h4>Probability of being ready by the end of each year, out of sample</h4>
{_cells_table("plans-robust-p-ready", ["plan", *f.p_ready.index], p_rows)}
{_figure(_p_ready_chart(f, f"Ready by the end of each year: {n} fresh draws, each plan committed up to {date}"))}
<h4>Expected outcome on the fresh draws</h4>
{_cells_table("plans-robust-figures", ["", *f.plans], figures)}
{_cells_table("plans-robust-values", ["value", "weighted shortfall"], values)}
<p class="note">Out of sample: every figure but the training table comes from {n} fresh draws (seed
{e["seed"]}), not the {t["draws"]} training draws, the same draws for every plan; expected values are
means over the {e["common_draws"]} draws where all three have an optimal plan, and a draw without one
counts as not ready. Commitments a draw cannot make or pay within the horizon are cut, and counted
before shortfall (docs/uncertainty.md, "Committed plans").</p>
"""


def _commit_part(f: PlansFolder, currency: str) -> str:
    """A materiel commit folder: a plan committed up to the decision date, beside perfect foresight."""
    h, es, cost, cuts = (
        f.summary,
        f.summary["expected_weighted_shortfall"],
        f.summary["expected_total_cost"],
        f.summary["cuts"],
    )
    evpi = h["value_of_perfect_information"]["weighted_shortfall"]
    n, date = h["draws"], h["decision_date"]
    year = _telling_year(f.p_ready, "perfect foresight", "committed plan")
    meaning = (
        f"With the plan's orders and investments up to {date} committed ({_money_or_dash(h['committed_value'], currency)} at "
        f"the plan's prices) and every later decision re-planned in each of {n} draws, the plan is ready by the end "
        f"of {year} in {probability(f.p_ready.at[year, 'committed plan'])} of the draws, against "
        f"{probability(f.p_ready.at[year, 'perfect foresight'])} for a planner with perfect foresight. Its expected "
        f"weighted shortfall is {_number(es['committed'])} against {_number(es['perfect_foresight'])}: knowing the "
        f"numbers before signing would be worth {_number(evpi)} (the value of perfect information)."
    )
    failed = h["failed_draws"]
    figures = [
        ["expected weighted shortfall", _number(es["committed"]), _number(es["perfect_foresight"])],
        [
            "expected total cost",
            _money_or_dash(cost["committed"], currency),
            _money_or_dash(cost["perfect_foresight"], currency),
        ],
        [f"committed up to {date} (at the plan's prices)", _money_or_dash(h["committed_value"], currency), "–"],
        ["draws with commitments not made within the horizon (cuts)", f"{cuts['draws_with_cuts']} of {n}", "–"],
        ["mean value cut", _money_or_dash(cuts["mean_cut_value"], currency), "–"],
        ["largest share of the commitment cut", probability(cuts["max_cut_share"]), "–"],
        ["draws without an optimal plan (not ready)", str(failed["committed"]), str(failed["perfect_foresight"])],
    ]
    change = h["value_of_perfect_information"]["p_ready_by_year"]
    p_rows = [[label, *(probability(v) for v in f.p_ready[label])] for label in f.plans]
    p_rows.append(["value of perfect information (foresight − committed)", *map(_change, change.values())])
    return f"""
<h3 id="plans-commit">Committed plan</h3>
<p class="note">From <code>{_breakable(str(f.folder))}</code> (<code>materiel commit</code>).</p>
<p>{html.escape(meaning)}</p>
{_cells_table("plans-commit-setup", ["judged", ""], [["decision date (last period committed)", date], ["draws", f"{n} (seed {h['seed']})"]])}
<h4>Probability of being ready by the end of each year</h4>
{_cells_table("plans-commit-p-ready", ["plan", *f.p_ready.index], p_rows)}
{_figure(_p_ready_chart(f, f"Ready by the end of each year: {n} draws, the plan committed up to {date}"))}
<h4>Expected outcome on the draws</h4>
{_cells_table("plans-commit-figures", ["", *f.plans], figures)}
{_cells_table("plans-commit-values", ["value", "weighted shortfall"], [["value of perfect information (committed plan − perfect foresight)", _number(evpi)]])}
{_helping_commitments(h, currency)}
<p class="note">Each of the {n} draws (seed {h["seed"]}) is judged twice: with the commitment fixed
and the rest re-planned, and re-planned whole as if its numbers had been known in advance (what a
sweep reports). Expected values are means over the draws where both have an optimal plan; a draw
without one counts as not ready.</p>
"""


def _helping_commitments(h: dict, currency: str) -> str:
    """The commitments whose next million would lower expected shortfall most (a commit summary's
    ``most_valuable_commitments``; none in a summary written before it was added)."""
    best = h.get("most_valuable_commitments") or []
    if not best:
        return ""
    rows = [
        [
            f"{c['line']} → {c['customer']}" if c["kind"] == "order" else f"{c['line']} (capacity)",
            c["period"],
            f"{c['shortfall_change_per_million']:+.4g}",
            probability(c["draws_helped"]),
        ]
        for c in best
    ]
    head = ["commitment", "period", f"weighted shortfall per {currency} 1 m more", "draws where it lowers shortfall"]
    return f"""<h4>Which commitments would help most</h4>
{_cells_table("plans-commit-helping", head, rows)}
<p class="note">Marginal values at this plan (the books' row duals, averaged over the draws): exact for
small changes, a ranking of where to look rather than an amount to sign; commitments.csv in the
folder has every book and period.</p>"""


def _plans_section(folders: list[PlansFolder], m: ModelData) -> str:
    """Committed and robust plans, read from materiel robust and materiel commit folders."""
    parts = "".join(_robust_part(f, m.currency) if f.kind == "robust" else _commit_part(f, m.currency) for f in folders)
    return f"""
<h2 id="plans">Committed and robust plans</h2>
<p>A sweep's odds are a planner's with perfect foresight. Here the orders and investments up to a
decision date are signed first and each draw re-plans only what comes after
(docs/uncertainty.md, "Committed plans" and "Planning for uncertainty"); every figure is labelled with
its plan.</p>
{parts}"""


def _inputs_section(plan: Plan) -> str:
    sc = plan.model.scenario
    inputs = inputs_table(sc)[
        ["field", "value", "unit", "year", "low", "high", "source", "source_date", "confidence", "assumption"]
    ]
    # the figure by name, its field path beside it to trace (one column, so the table fits an A4 page)
    inputs.insert(0, "figure (field)", [f"{describe_path(sc, f)} ({f})" for f in inputs["field"]])
    inputs = inputs.drop(columns="field")
    src = sources_table(sc)
    rows = "".join(
        "<tr>"
        + "".join(f'<td class="text">{link(v) if k == "url" else _breakable(_esc_raw(v))}</td>' for k, v in r.items())
        + "</tr>"
        for _, r in src.iterrows()
    )
    head = "".join(f"<th>{_esc(c)}</th>" for c in src.columns)
    return f"""
<h2 id="inputs">Every input and its source</h2>
<p>{len(inputs)} figures; {int((inputs["source"] != "").sum())} cite a public source, the others state an assumption.</p>
<details><summary>All figures</summary>{_table(inputs, text_cols=("figure (field)", "unit", "source", "assumption"))}</details>
<h3>Sources ({len(src)})</h3>{_wide(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")}
"""


def render_report(
    plan: Plan,
    assessment: Assessment,
    charts: dict[str, bytes],
    comparison: list[OptionResult] | None = None,
    whatifs: list[str] | None = None,
    uncertainty: SweepSummary | None = None,
    plans: list[PlansFolder] | None = None,
) -> str:
    """The whole report as one HTML string (``charts``: the plan's PNG charts by file name;
    ``plans``: materiel robust and materiel commit folders, for "Committed and robust plans")."""
    m = plan.model
    sc = m.scenario
    year = assessment.year
    item, left = assessment.bottleneck_in(year)
    days_text = days(left, " days of war")
    title = (
        "Options side by side" if comparison and comparison[0].kind != "variant" else "What-if variants side by side"
    )
    nav = ['<a href="#plan">plan</a>', '<a href="#readiness">readiness</a>', '<a href="#sustainment">sustainment</a>']
    if not assessment.interceptors.empty:
        nav.append('<a href="#airdefence">air defence</a>')
    if comparison:
        nav.append('<a href="#options">comparison</a>')
    if uncertainty is not None:
        nav.append('<a href="#uncertainty">uncertainty</a>')
    if plans:
        nav.append('<a href="#plans">committed and robust plans</a>')
    nav.append('<a href="#inputs">inputs and sources</a>')
    missing_comparison = (
        ""
        if comparison
        else (
            '<p class="note">Policy options are compared by <code>materiel compare</code> and '
            "<code>materiel report</code>.</p>"
        )
    )
    body = f"""
<h1>{html.escape(sc.title)}</h1>
<p class="meta">scenario <b>{html.escape(sc.name)}</b>{_whatifs(m, whatifs)} ·
data as of {_esc(sc.as_of)} · horizon {m.periods[0]}–{m.periods[-1]} · {_esc(m.currency)} at {sc.currency.year} prices ·
made by materiel on {dt.date.today().isoformat()}</p>
<nav>{" ".join(nav)}</nav>
<div class="cards">
{money_cards(plan)}
<div class="card">{html.escape(names(sc).customer(assessment.customer))} ready<b>{html.escape(assessment.readiness.text)}</b></div>
<div class="card">bottleneck {year}<b>{_esc(names(sc).item(item) if item else "–")}</b>{days_text}</div>
</div>
{money_note(plan)}
{html_note(plan)}
{missing_comparison}
{_plan_section(plan, charts)}
{_assessment_section(assessment)}
{_comparison_section(comparison, title) if comparison else ""}
{_uncertainty_section(uncertainty, m) if uncertainty is not None else ""}
{_plans_section(plans, m) if plans else ""}
{_inputs_section(plan)}
"""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(sc.title)} — materiel</title>
<style>{CSS}</style></head><body>{body}</body></html>
"""
