// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();

// A batch's page follows its progress while it is not complete: the numbers, the status tag
// and the bar change in place, and a polite live region says when the status changes. Each
// request keeps the session alive, so an unattended page stops following after the session's
// idle time (the Refresh link is still there).
const POLL_MS = 2000;
let lastActive = Date.now();

function followBatch(region) {
  const id = region.dataset.batchProgress;
  const idleMs = Number(region.dataset.batchIdleMinutes || 30) * 60 * 1000;
  const announce = region.querySelector("[data-batch-announce]");
  let status = region.dataset.batchState;

  const show = (data) => {
    const tag = region.querySelector("[data-batch-status] .govuk-tag");
    if (tag) {
      tag.textContent = data.status_text;
      tag.className = `govuk-tag ${data.status_class}`;
    }
    for (const name of ["rows_done", "row_count"]) {
      for (const el of region.querySelectorAll(`[data-batch-field="${name}"]`)) {
        el.textContent = String(data[name]);
      }
    }
    const bar = region.querySelector("[data-batch-bar]");
    if (bar) {
      bar.max = data.row_count;
      bar.value = data.rows_done;
    }
    for (const [name, count] of Object.entries(data.totals || {})) {
      for (const el of document.querySelectorAll(`[data-batch-total="${name}"]`)) {
        el.textContent = String(count);
      }
    }
    for (const name of ["started_at", "finished_at"]) {
      const el = region.querySelector(`[data-batch-time="${name}"]`);
      if (el && data[name]) el.textContent = data[name];
    }
    if (announce && status !== data.status) {
      announce.textContent = data.finished
        ? "The batch is complete."
        : `The batch is ${data.status_text.toLowerCase()}.`;
    }
    status = data.status;
    if (data.finished) {
      region.dataset.batchComplete = "true";
      const refresh = region.querySelector("[data-batch-refresh]");
      if (refresh) refresh.hidden = true;
    }
  };

  const poll = async () => {
    if (Date.now() - lastActive > idleMs) return;
    if (!document.hidden) {
      let data;
      try {
        const response = await fetch(`/batches/${encodeURIComponent(id)}/progress`, {
          headers: { Accept: "application/json" },
          cache: "no-store",
          credentials: "same-origin",
          redirect: "error",
        });
        if (!response.ok) return; // signed out, or no such batch: stop following
        data = await response.json();
      } catch {
        return;
      }
      show(data);
      if (data.finished) return;
    }
    window.setTimeout(poll, POLL_MS);
  };

  window.setTimeout(poll, POLL_MS);
}

const following = [...document.querySelectorAll("[data-batch-progress]")].filter(
  (region) => region.dataset.batchComplete !== "true",
);
if (following.length) {
  for (const type of ["pointerdown", "keydown", "scroll"]) {
    window.addEventListener(type, () => { lastActive = Date.now(); }, { passive: true });
  }
  following.forEach(followBatch);
}
