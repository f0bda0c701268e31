// The what-if panel: a slider and a number for every ranged figure; each move re-plans warm on the
// server (debounced) and the headline shows the newest answer only.
"use strict";
(function () {
  const data = document.getElementById("live-data");
  const box = document.getElementById("sliders");
  if (!data || !box) return;
  const live = JSON.parse(data.textContent);
  const url = `/api/live/${live.version_id}`;
  const changes = {};
  let whatifs = []; // named overrides or variants applied before the sliders' values
  let sliders = [];
  let sent = 0; // the number of the newest request; older answers are dropped
  let timer = null;
  let currency = "";

  const $ = (id) => document.getElementById(id);
  function money(v) {
    if (v === null || v === undefined) return "–";
    const a = Math.abs(v);
    if (a >= 1e9) return `${currency} ${(v / 1e9).toFixed(2)} bn`;
    if (a >= 1e6) return `${currency} ${(v / 1e6).toFixed(1)} m`;
    return `${currency} ${Math.round(v).toLocaleString("en")}`;
  }
  function cell(row, text, cls) {
    const td = document.createElement(row.parentElement && row.parentElement.tagName === "THEAD" ? "th" : "td");
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
  }
  function table(el, head, rows) {
    el.replaceChildren();
    const thead = el.createTHead().insertRow();
    head.forEach((h, i) => cell(thead, h, i ? "num" : ""));
    const body = el.createTBody();
    rows.forEach((r) => { const tr = body.insertRow(); r.forEach((v, i) => cell(tr, v, i ? "num" : "")); });
  }
  function showHeadline(h) {
    currency = h.currency;
    $("headline-total-cost").textContent = money(h.total_cost);
    $("headline-total-cost").dataset.value = h.total_cost === null ? "" : String(h.total_cost);
    $("headline-readiness").textContent = h.readiness_date || "not reached";
    $("headline-days").textContent = h.days_of_war_text || "–";
    $("headline-bottleneck").textContent = h.bottleneck || "–";
    const moved = Object.keys(h.changes).length;
    const outside = h.outside_range.length ? `; outside the range: ${h.outside_range.join(", ")}` : "";
    const notes = (h.notes || []).length ? ` ${h.notes.join(" ")}` : "";
    $("headline-status").textContent = `${h.status === "optimal" ? "Planned" : h.status} with ${moved} figure(s) moved in ${h.seconds.toFixed(2)} s${h.in_place ? " (warm)" : ""}${outside}.${notes}`;
    const customers = Object.values(h.money_by_customer || {});
    table($("headline-customers"), ["Customer", "Total", "Per year"], customers.map((c) => [c.name, money(c.total), money(c.per_year)]));
    const years = Object.entries(h.envelope_use || {});
    table($("headline-envelope"), ["Year", "Budget", "Spent", "Used"], years.map(([y, e]) => [y, money(e.budget), money(e.spent), e.share_used === null ? "–" : `${(100 * e.share_used).toFixed(0)} %`]));
  }
  function failed(error) { $("headline-status").textContent = `Could not re-plan: ${error.message}`; }

  async function replan() {
    const mine = ++sent;
    $("headline-status").textContent = "Re-planning…";
    try {
      const headline = await window.materiel.send(url, "POST", { changes, whatifs });
      if (mine === sent) showHeadline(headline);
    } catch (error) {
      if (mine === sent) failed(error);
    }
  }
  function moved(slider, value) {
    if (Number.isFinite(value) && value !== slider.base) changes[slider.path] = value;
    else delete changes[slider.path];
    clearTimeout(timer);
    timer = setTimeout(replan, 150);
  }
  function row(slider) {
    const div = document.createElement("div");
    div.className = "slider";
    const label = document.createElement("label");
    label.textContent = `${slider.label} (${slider.unit || "no unit"})`;
    label.title = slider.source_title || slider.assumption || "";
    const range = Object.assign(document.createElement("input"), { type: "range", min: slider.low, max: slider.high, step: slider.step, value: slider.base });
    const number = Object.assign(document.createElement("input"), { type: "number", step: "any", value: slider.base });
    range.dataset.testid = `slider-${slider.path}`;
    number.dataset.testid = `number-${slider.path}`;
    range.setAttribute("aria-label", slider.label);
    number.setAttribute("aria-label", `${slider.label}, value`);
    range.addEventListener("input", () => { number.value = range.value; moved(slider, Number(range.value)); });
    number.addEventListener("input", () => { range.value = number.value; moved(slider, Number(number.value)); });
    div.append(label, range, number);
    return div;
  }
  function render() {
    box.replaceChildren();
    if (!sliders.length) { box.textContent = "This scenario has no figure written with a range (low and high)."; return; }
    let section = null;
    sliders.forEach((s) => {
      if (s.section_label !== section) {
        section = s.section_label;
        const h = document.createElement("h3");
        h.textContent = section;
        box.appendChild(h);
      }
      box.appendChild(row(s));
    });
  }
  async function start() {
    try {
      const query = whatifs.length ? `?whatif=${encodeURIComponent(whatifs.join(","))}` : "";
      const info = await window.materiel.send(url + query, "GET");
      sliders = info.sliders;
      render();
      showHeadline(info.headline);
    } catch (error) {
      box.textContent = "";
      failed(error);
    }
  }
  const names = $("whatif-names");
  if (names) names.addEventListener("change", () => {
    whatifs = [...names.querySelectorAll("input:checked")].map((el) => el.value);
    Object.keys(changes).forEach((k) => delete changes[k]);
    sent++; // an answer for the old what-ifs is stale now
    box.textContent = "Loading the figures…";
    start();
  });
  const reset = $("reset-whatif");
  if (reset) reset.addEventListener("click", () => { Object.keys(changes).forEach((k) => delete changes[k]); render(); replan(); });
  const run = $("run-whatif");
  if (run) run.addEventListener("click", async () => {
    run.disabled = true;
    try {
      const queued = await window.materiel.send(`${url}/run`, "POST", { changes, whatifs });
      window.location.assign(queued.url);
    } catch (error) {
      run.disabled = false;
      failed(error);
    }
  });
  start();
})();
