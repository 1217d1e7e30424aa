// Copy buttons for every citation (formatted references, plain text, Markdown): progressive enhancement. Without this file each reference is
// still shown as text to select and copy (a browser copies a selection as rich text too).
(function () {
  "use strict";

  function plain(el) { return el.getAttribute("data-copy-text") || el.textContent.trim(); }

  // HTML and plain text on the clipboard, so Word pastes italics and a text field gets clean text.
  function copyRich(html, text) {
    if (navigator.clipboard && window.ClipboardItem && window.isSecureContext) {
      var item = new window.ClipboardItem({
        "text/html": new Blob([html], { type: "text/html" }),
        "text/plain": new Blob([text], { type: "text/plain" })
      });
      return navigator.clipboard.write([item]).catch(function () { return navigator.clipboard.writeText(text); });
    }
    return copyBySelection(html);
  }

  // Older browsers and plain http: select a rendered copy and let the browser copy it (rich text).
  function copyBySelection(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    holder.className = "copy-holder";
    document.body.appendChild(holder);
    var range = document.createRange();
    range.selectNodeContents(holder);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = document.execCommand && document.execCommand("copy");
    selection.removeAllRanges();
    document.body.removeChild(holder);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function escapeHtml(text) {
    var div = document.createElement("div"); div.textContent = text; return div.innerHTML;
  }

  // Formatted references copy their HTML; plain-text and Markdown citations copy their text as it is.
  function htmlOf(el) {
    return el.hasAttribute("data-copy-html") ? el.innerHTML.trim() : "<p>" + escapeHtml(plain(el)) + "</p>";
  }

  function addButton(el) {
    var button = document.createElement("button");
    var status = document.createElement("span");
    button.type = "button";
    button.className = "copy-button secondary";
    button.textContent = "Copy";
    var labelId = el.getAttribute("aria-labelledby");
    var label = labelId && document.getElementById(labelId);
    button.setAttribute("aria-label", "Copy the " + (label ? label.textContent.trim() + " " : "") + "reference");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      copyRich(htmlOf(el), plain(el)).then(
        function () { status.textContent = "Copied."; },
        function () { status.textContent = "Copying failed; select the text instead."; });
    });
    el.insertAdjacentElement("afterend", status);
    el.insertAdjacentElement("afterend", button);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-html], [data-copy]"), addButton);
  window.confarchiveCopyRich = copyRich;
})();
