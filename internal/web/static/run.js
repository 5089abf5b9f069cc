// The page of a planning run: follows its progress once a second until
// it is done or failed, then offers the collective's page.
"use strict";

(() => {
  const box = document.getElementById("run");
  if (!box) return;
  const status = document.getElementById("run-status");
  const bar = document.getElementById("run-progress");
  const error = document.getElementById("run-error");
  const next = document.getElementById("run-next");
  const tick = async () => {
    let run;
    try {
      const res = await fetch("/api/v1/plans/" + box.dataset.run + "/progress", { credentials: "same-origin" });
      if (!res.ok) throw new Error(String(res.status));
      run = await res.json();
    } catch (e) {
      setTimeout(tick, 3000);
      return;
    }
    box.dataset.status = run.status;
    status.textContent = box.dataset["word" + run.status.charAt(0).toUpperCase() + run.status.slice(1)] || run.status;
    bar.value = Math.round(100 * run.progress);
    bar.textContent = bar.value + "%";
    if (run.error) {
      error.textContent = run.error;
      error.hidden = false;
    }
    if (run.status === "done") next.hidden = false;
    if (run.status === "queued" || run.status === "running") setTimeout(tick, 1000);
  };
  if (box.dataset.status === "queued" || box.dataset.status === "running") setTimeout(tick, 1000);
})();
