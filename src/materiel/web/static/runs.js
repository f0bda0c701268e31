// A team's runs: the ticked runs go to the compare page as ?ids=3,5.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("compare-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    const ids = [...document.querySelectorAll(".compare-pick:checked")].map((box) => box.value);
    if (ids.length < 2) {
      event.preventDefault();
      alert("Tick two or more runs to compare.");
      return;
    }
    document.getElementById("compare-ids").value = ids.join(",");
  });
});
