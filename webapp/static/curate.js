// The editor's progressive enhancements: the record filter as you type, and the indexing status kept
// up to date. Every page works without this file (a GET form, a "Check again" link).
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function filterRecords(input) {
    var status = document.getElementById("filter-count");
    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean), shown = 0;
      document.querySelectorAll(".record-group").forEach(function (group) {
        var count = 0;
        group.querySelectorAll("tbody tr").forEach(function (row) {
          var text = row.getAttribute("data-filter") || "";
          var match = words.every(function (w) { return text.indexOf(w) !== -1; });
          row.hidden = !match;
          if (match) { count += 1; }
        });
        var heading = group.querySelector("h2");
        heading.textContent = heading.getAttribute("data-label") + " (" + count + ")";
        shown += count;
      });
      status.textContent = words.length ? shown + " record(s) match \u201c" + input.value.trim() + "\u201d." :
        shown + " records.";
    }
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(apply, 120);
    });
  }

  function followIndexing(box) {
    var url = box.getAttribute("data-status-url"), text = box.querySelector(".index-text");
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (status) {
          if (!status) { return; }
          if (text.textContent !== status.text) { text.textContent = status.text; }
          box.setAttribute("data-state", status.state);
          box.className = "index-status index-" + status.state + (status.ok ? "" : " index-failed");
          if (status.state === "done") {
            var again = box.querySelector("a");
            if (again) { again.remove(); }
          } else {
            setTimeout(poll, 1000);
          }
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    if (box.getAttribute("data-state") !== "done") { setTimeout(poll, 500); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("record-filter");
    if (input) { filterRecords(input); }
    var box = document.getElementById("index-status");
    if (box) { followIndexing(box); }
  });
}());
