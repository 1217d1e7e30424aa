// The quote basket's counter in the header, on every page: how many quotes this browser has collected.
// Without JavaScript there is no basket (the quotes page has its own selection form), so no counter.
(function () {
  "use strict";
  var counter = document.querySelector("[data-header-basket]");
  if (!counter) { return; }
  function show() {
    var items = [];
    try { items = JSON.parse(window.localStorage.getItem("confarchive.basket.v1") || "[]"); } catch (e) { return; }
    if (!Array.isArray(items)) { return; }
    counter.querySelector("[data-header-basket-count]").textContent = String(items.length);
    counter.hidden = false;
  }
  show();
  window.addEventListener("storage", show);
})();
