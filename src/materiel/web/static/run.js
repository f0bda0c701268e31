// The run page: follows a queued or running run until it ends, then draws the charts from the
// page's JSON blocks with the locally served plotly.js (no inline script: the CSP forbids it).
"use strict";
(function () {
  function data(id) {
    const block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function follow(state) {
    if (!state || !state.poll || !["queued", "running"].includes(state.status)) return;
    const status = document.getElementById("run-status");
    const bar = document.getElementById("run-progress");
    const text = document.getElementById("run-progress-text");
    async function tick() {
      let run;
      try {
        const response = await fetch(state.poll, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok) throw new Error(response.statusText);
        run = await response.json();
      } catch (e) {
        setTimeout(tick, 5000);
        return;
      }
      if (run.status !== state.status && !["queued", "running"].includes(run.status)) {
        window.location.reload();
        return;
      }
      state.status = run.status;
      status.textContent = run.status;
      status.className = "status-" + run.status;
      if (bar && run.progress_total) {
        bar.max = run.progress_total;
        bar.value = run.progress_done;
        text.textContent = run.progress_done + " of " + run.progress_total + " draws";
      }
      setTimeout(tick, 1500);
    }
    setTimeout(tick, 1000);
  }

  const layout = (title, extra) => Object.assign({ title: { text: title }, margin: { t: 40, r: 10, b: 50, l: 70 }, hovermode: "x unified" }, extra || {});
  const config = { displaylogo: false, responsive: true };

  function stockChart(charts) {
    const select = document.getElementById("stock-item");
    const items = Object.keys(charts.stock || {});
    if (!select || !items.length) return;
    for (const item of items) select.add(new Option(item, item));
    function draw() {
      const s = charts.stock[select.value];
      Plotly.react("chart-stock", [
        { x: s.period, y: s.stock, name: "stock", type: "scatter", mode: "lines+markers" },
        { x: s.period, y: s.target, name: "target", type: "scatter", mode: "lines", line: { dash: "dash" } },
      ], layout("Stock against target: " + select.value, { yaxis: { title: { text: "units" } } }), config);
    }
    select.addEventListener("change", draw);
    draw();
  }

  function spendingChart(charts) {
    const sp = charts.spending;
    if (!sp) return;
    const traces = Object.entries(sp.funds).map(([fund, values]) => ({ x: sp.years, y: values, name: fund, type: "bar" }));
    Plotly.newPlot("chart-spending", traces, layout("Spending by funding vehicle and year (" + charts.currency + ")", { barmode: "stack" }), config);
  }

  function capacityChart(charts) {
    const cap = charts.capacity;
    if (!cap) return;
    const traces = Object.entries(cap.items).map(([item, values]) => ({ x: cap.periods, y: values, name: item, type: "scatter", mode: "lines" }));
    Plotly.newPlot("chart-capacity", traces, layout("Production capacity by item (units a year)"), config);
  }

  function tornado(data) {
    if (!data) return;
    const traces = Object.entries(data).map(([output, rows]) => ({
      type: "bar", orientation: "h", name: output,
      y: rows.map((r) => r.label), x: rows.map((r) => r.rho),
    }));
    Plotly.newPlot("chart-tornado", traces, layout("What moves the results most (Spearman rho)", { barmode: "group", hovermode: "closest", margin: { l: 280, t: 40, r: 10, b: 40 } }), config);
  }

  window.addEventListener("DOMContentLoaded", () => {
    follow(data("run-state"));
    if (typeof Plotly === "undefined") return;
    const charts = data("run-charts");
    if (charts) {
      stockChart(charts);
      spendingChart(charts);
      capacityChart(charts);
    }
    tornado(data("run-tornado"));
  });
})();
