// newsweave pages: highlight the evidence named in the address (#ev-START-END).
// No dependencies, no network; the pages work without it (the server marks ?hl= spans).
(function () {
  "use strict";
  function highlight() {
    var m = /^#ev-(\d+)-(\d+)$/.exec(window.location.hash);
    document.querySelectorAll(".current").forEach(function (el) { el.classList.remove("current"); });
    if (!m) { return; }
    var key = m[1] + "-" + m[2];
    var first = null;
    document.querySelectorAll("[data-ev]").forEach(function (el) {
      if (el.getAttribute("data-ev").split(" ").indexOf(key) >= 0) {
        el.classList.add("current");
        first = first || el;
      }
    });
    var anchor = document.getElementById("ev-" + key) || first;
    if (anchor) { anchor.scrollIntoView({ block: "center" }); }
  }
  window.addEventListener("hashchange", highlight);
  document.addEventListener("DOMContentLoaded", highlight);
})();

// The upload's analysis job (#job, rendered by the server): poll GET /api/jobs/{id} while it
// is queued or running; once it is done, reload the page once so its stories show.
(function () {
  "use strict";
  var DELAY = 1000;
  function show(panel, job) {
    panel.setAttribute("data-status", job.status);
    panel.querySelector(".job-status").textContent = job.status;
    panel.querySelector(".job-stage").textContent = job.stage
      ? "stage " + job.stage + " (" + (job.stages_done + 1) + " of " + job.stages_total + ")" : "";
    panel.querySelector(".job-error").textContent = job.error || "";
  }
  function poll(panel) {
    fetch("/api/jobs/" + encodeURIComponent(panel.getAttribute("data-job")), { headers: { accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        show(panel, job);
        if (job.status === "queued" || job.status === "running") {
          window.setTimeout(function () { poll(panel); }, DELAY);
        } else if (job.status === "done" && panel.getAttribute("data-reload") === "1") {
          window.location.reload();
        }
      })
      .catch(function () { panel.querySelector(".job-status").textContent = "unknown (the server forgot it or stopped)"; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("job");
    if (!panel) { return; }
    var status = panel.getAttribute("data-status");
    if (status === "queued" || status === "running") {
      // the stories page reloads to show them; the upload page's answer to a POST must not
      panel.setAttribute("data-reload", document.querySelector("form.upload") ? "0" : "1");
      poll(panel);
    }
  });
})();
