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
