// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to the results heading after a search, so keyboard and screen-reader users land there.
  var heading = document.getElementById("results-heading");
  if (heading && window.location.search) { heading.setAttribute("tabindex", "-1"); }
})();
