// Quote basket: progressive enhancement for /quotes. Without this file every quote still shows its
// citations and export links, and selected quotes can be exported with the form's checkboxes.
(function () {
  "use strict";

  var KEY = "confarchive.basket.v1";
  var EXPORT_URL = "/api/quotes/export";

  function storage() {
    try { var s = window.localStorage; s.setItem(KEY + ".test", "1"); s.removeItem(KEY + ".test"); return s; }
    catch (e) { return null; }
  }
  var store = storage();
  var panel = document.getElementById("basket");
  if (!store || !panel || !window.JSON) { return; }

  function load() {
    try { var items = JSON.parse(store.getItem(KEY) || "[]"); return Array.isArray(items) ? items : []; }
    catch (e) { return []; }
  }
  function save(items) { store.setItem(KEY, JSON.stringify(items)); render(); }
  function has(id) { return load().some(function (q) { return q.id === id; }); }
  function add(quote) { var items = load(); if (!has(quote.id)) { items.push(quote); save(items); } }
  function remove(id) { save(load().filter(function (q) { return q.id !== id; })); }

  function status(message) { panel.querySelector(".basket-status").textContent = message; }

  var styleEl = panel.querySelector("[data-style]");
  var STYLE = styleEl ? styleEl.getAttribute("data-style") : "apa";

  function idList(items) { return items.map(function (q) { return encodeURIComponent(q.id); }).join(","); }
  function exportUrl(format, items) {
    return EXPORT_URL + "?format=" + format + "&ids=" + idList(items) + "&style=" + encodeURIComponent(STYLE);
  }
  function briefingUrl(items) { return "/quotes/briefing?ids=" + idList(items) + "&style=" + encodeURIComponent(STYLE); }
  function escapeHtml(text) {
    var div = document.createElement("div"); div.textContent = text; return div.innerHTML;
  }
  // Each quote with its formatted reference (citeproc HTML from the server), for pasting into Word.
  function referencesHtml(items) {
    return items.map(function (q) {
      return "<p>“" + escapeHtml(q.text) + "” " + (q.reference || escapeHtml(q.citation)) + "</p>";
    }).join("");
  }

  function markdown(items) {
    return items.map(function (q) { return "- " + q.markdown; }).join("\n") + "\n";
  }
  function plainText(items) {
    return items.map(function (q) { return q.citation; }).join("\n\n") + "\n";
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand && document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function renderList(items) {
    var list = panel.querySelector(".basket-list");
    list.textContent = "";
    items.forEach(function (q) {
      var li = document.createElement("li");
      var text = document.createElement("a");
      text.href = q.url;
      text.textContent = "“" + q.text + "”";
      var talk = document.createElement("span");
      talk.className = "meta";
      talk.textContent = " — " + (q.speakers ? q.speakers + ", " : "") + q.talk + " ";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary basket-remove";
      button.textContent = "Remove";
      button.setAttribute("aria-label", "Remove from basket: " + q.text.slice(0, 60));
      button.addEventListener("click", function () { remove(q.id); status("Removed from the basket."); });
      li.appendChild(text); li.appendChild(talk); li.appendChild(button);
      list.appendChild(li);
    });
  }

  // Adding is never undone by the same button: once in, it says so, and a separate button removes.
  function renderButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-quote]"), function (el) {
      var button = el.querySelector(".basket-toggle");
      var removeButton = el.querySelector(".basket-unadd");
      var quote = JSON.parse(el.getAttribute("data-quote"));
      var inBasket = has(quote.id);
      button.textContent = inBasket ? "In basket ✓" : "Add to basket";
      button.setAttribute("aria-disabled", inBasket ? "true" : "false");
      removeButton.hidden = !inBasket;
    });
  }

  function renderCounter(count) {
    var counter = document.querySelector("[data-header-basket]");
    if (!counter) { return; }
    counter.hidden = false;
    counter.querySelector("[data-header-basket-count]").textContent = String(count);
  }

  function render() {
    var items = load();
    panel.hidden = false;
    panel.querySelector(".basket-count").textContent = "(" + items.length + ")";
    renderCounter(items.length);
    panel.querySelector(".basket-list").hidden = !items.length;
    panel.querySelector(".basket-actions").hidden = !items.length;
    panel.querySelector(".basket-help").textContent = items.length
      ? "Kept in this browser only. Copy or download these quotes with their citations."
      : "Empty. Use “Add to basket” on any quote; the basket keeps them across searches, in this browser only.";
    renderList(items);
    Array.prototype.forEach.call(panel.querySelectorAll("[data-basket-format]"), function (a) {
      a.href = items.length ? exportUrl(a.getAttribute("data-basket-format"), items) : "#";
      a.setAttribute("aria-disabled", items.length ? "false" : "true");
    });
    var briefing = panel.querySelector("[data-basket-briefing]");
    if (briefing) { briefing.href = items.length ? briefingUrl(items) : "#"; }
    renderButtons();
  }

  function addButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-quote]"), function (el) {
      var quote = JSON.parse(el.getAttribute("data-quote"));
      var controls = document.createElement("p");
      controls.className = "basket-controls";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "basket-toggle secondary";
      button.addEventListener("click", function () {
        if (has(quote.id)) { status("Already in the basket."); return; }
        add(quote); status("Added to the basket.");
      });
      var removeButton = document.createElement("button");
      removeButton.type = "button";
      removeButton.className = "basket-unadd secondary";
      removeButton.textContent = "Remove from basket";
      removeButton.hidden = true;
      removeButton.addEventListener("click", function () {
        remove(quote.id); status("Removed from the basket."); button.focus();
      });
      controls.appendChild(button); controls.appendChild(document.createTextNode(" ")); controls.appendChild(removeButton);
      el.querySelector(".quote-text").insertAdjacentElement("afterend", controls);
    });
  }

  function wireActions() {
    panel.addEventListener("click", function (event) {
      var action = event.target.getAttribute("data-basket");
      var items = load();
      if (event.target.hasAttribute("data-basket-format") && !items.length) { event.preventDefault(); return; }
      if (!action) { return; }
      if (action === "clear") { save([]); status("The basket is empty."); return; }
      if (!items.length) { status("The basket is empty: add quotes first."); return; }
      var copying = action === "copy-refs" && window.confarchiveCopyRich
        ? window.confarchiveCopyRich(referencesHtml(items), plainText(items))
        : copy(action === "copy-md" ? markdown(items) : plainText(items));
      copying.then(function () { status("Copied " + items.length + " quote(s)."); },
                      function () { status("Copying failed; use a download link instead."); });
    });
  }

  // One way to collect: with the basket working, the no-JS selection form's ticks are hidden.
  var selection = document.getElementById("quote-export");
  if (selection) { selection.classList.add("with-basket"); }
  addButtons();
  wireActions();
  var details = panel.querySelector("[data-basket-panel]");
  if (details && window.matchMedia) {
    details.open = window.location.hash === "#basket" || window.matchMedia("(min-width: 50.01rem)").matches;
  }
  render();
  window.addEventListener("storage", function (event) { if (event.key === KEY) { render(); } });
})();
