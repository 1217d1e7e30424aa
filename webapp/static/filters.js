// Progressive enhancement of the filter panel on /search and /quotes; every filter works without it.
// - "Skip to filters" opens the panel (closed on phones) and focuses the first filter list.
// - After a filter change (the link ends in #group-<name>, which the browser focuses by itself) the
//   facet group is kept open and focused, and the new count is announced in a live region.
// - "N more" lists can be sorted A–Z or by count.
(function () {
  "use strict";

  var panel = document.querySelector("details[data-filters]");
  if (!panel) { return; }

  function openPanel() { panel.open = true; }

  function skipToFilters(event) {
    var target = document.getElementById("first-filters");
    if (!target) { return; }
    event.preventDefault();
    openPanel();
    target.focus();
  }

  function announce() {
    var status = document.getElementById("filter-status");
    var heading = document.getElementById("results-heading");
    if (!status || !heading) { return; }
    var text = heading.textContent.replace(/\s+/g, " ").trim();
    // Filled after load so that screen readers treat it as a change and read it out.
    window.setTimeout(function () { status.textContent = text; }, 250);
  }

  function returnToFacet() {
    var match = /^#group-([a-z]+)$/.exec(window.location.hash);
    var summary = match && document.getElementById("group-" + match[1]);
    if (!summary) { return; }
    openPanel();
    summary.parentElement.open = true;
    summary.focus();
    announce();
  }

  function sortItems(list, how) {
    var items = Array.prototype.slice.call(list.children);
    items.sort(function (a, b) {
      if (how === "az") {
        return a.querySelector(".label").textContent.localeCompare(b.querySelector(".label").textContent);
      }
      return Number(a.getAttribute("data-rank")) - Number(b.getAttribute("data-rank"));
    });
    items.forEach(function (li) { list.appendChild(li); });
  }

  function setUpSort(more) {
    var group = more.closest(".facet-group");
    var list = group.querySelector("ul.facet-values");
    var controls = more.querySelector("[data-facet-sort]");
    Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("data-rank", String(i)); });
    function choose(how) {
      sortItems(list, how);
      Array.prototype.forEach.call(controls.querySelectorAll("button"), function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-sort") === how ? "true" : "false");
      });
    }
    controls.hidden = false;
    controls.addEventListener("click", function (event) {
      var how = event.target.getAttribute("data-sort");
      if (how) { choose(how); }
    });
    more.addEventListener("toggle", function () { if (!more.open) { choose("count"); } });
  }

  // Where CSS cannot show a closed <details>' content (no ::details-content), open the sidebar on wide screens.
  if (window.matchMedia && window.matchMedia("(min-width: 50.01rem)").matches) { openPanel(); }
  Array.prototype.forEach.call(document.querySelectorAll("[data-skip-filters]"), function (link) {
    link.addEventListener("click", skipToFilters);
  });
  Array.prototype.forEach.call(panel.querySelectorAll("details[data-facet-more]"), setUpSort);
  returnToFacet();
})();
