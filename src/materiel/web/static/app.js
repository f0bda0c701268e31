// The workspace's shared script: every fetch that changes something carries the CSRF token.
"use strict";
window.materiel = {
  csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  },
  async send(url, method, body) {
    const headers = { "X-CSRF-Token": this.csrf(), Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(data.detail || response.statusText), { status: response.status, data });
    return data;
  },
};
