// The scenario editor: tabs (forms, raw YAML, what-if), and a save that sends only what changed.
"use strict";
(function () {
  const form = document.getElementById("editor-form");
  const tabs = document.getElementById("editor-tabs");
  if (!form || !tabs) return;
  const panels = document.querySelectorAll("[data-panel]");
  function show(name) {
    panels.forEach((p) => { p.hidden = p.dataset.panel !== name; });
    tabs.querySelectorAll("[data-tab]").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === name)));
    const bar = form.querySelector(".sticky");
    if (bar) bar.hidden = name === "whatif";
  }
  tabs.hidden = false;
  tabs.addEventListener("click", (event) => {
    const button = event.target.closest("[data-tab]");
    if (button) show(button.dataset.tab);
  });
  show(form.dataset.tab || "forms");
  // The first field a problem names is brought into view, in the forms tab.
  const wrong = form.dataset.tab === "forms" && form.querySelector(".has-error input, .has-error textarea");
  if (wrong) { wrong.scrollIntoView({ block: "center" }); wrong.focus(); }
  document.querySelectorAll("[data-goto]").forEach((link) => link.addEventListener("click", () => show("forms")));

  const raw = document.getElementById("raw-text");
  const shown = document.getElementById("shown-text");
  const fields = () => form.querySelectorAll('[name^="f:"], [name^="y:"]');
  // Only the fields that changed travel (a large scenario has thousands); the server applies them
  // to the text the page showed, or takes the raw text when that is what changed.
  form.addEventListener("submit", (event) => {
    const changed = [...fields()].filter((el) => el.value !== el.defaultValue);
    const rawChanged = raw && raw.value !== shown.value;
    if (changed.length && rawChanged) {
      event.preventDefault();
      window.alert("You changed both the forms and the raw YAML. Keep one: undo the other (or reload the page) and save again.");
      return;
    }
    fields().forEach((el) => { if (el.value === el.defaultValue) el.disabled = true; });
    if (raw && !rawChanged) raw.disabled = true;
  });
  // A problem's line in the raw tab: clicking it selects that line in the text.
  function goToLine(n) {
    const lines = raw.value.split("\n");
    const start = lines.slice(0, n - 1).reduce((sum, line) => sum + line.length + 1, 0);
    raw.focus();
    raw.setSelectionRange(start, start + (lines[n - 1] || "").length);
    const height = parseFloat(window.getComputedStyle(raw).lineHeight) || 16;
    raw.scrollTop = Math.max(0, (n - 5) * height);
  }
  document.querySelectorAll("[data-line]").forEach((row) => row.addEventListener("click", () => goToLine(Number(row.dataset.line))));
  const firstLine = form.dataset.tab === "raw" && document.querySelector("[data-line]");
  if (firstLine && raw) goToLine(Number(firstLine.dataset.line));

  // Leaving the page with changes not saved asks first.
  let submitting = false;
  form.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("beforeunload", (event) => {
    const dirty = [...fields()].some((el) => el.value !== el.defaultValue) || (raw && raw.value !== shown.value);
    if (dirty && !submitting) event.preventDefault();
  });
  // Back from a refused submit (the browser's cache), every field must travel again when changed.
  window.addEventListener("pageshow", () => { fields().forEach((el) => { el.disabled = false; }); if (raw) raw.disabled = false; });
})();
