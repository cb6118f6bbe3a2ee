/* Names for the admin panel's fields that Django renders without one a screen reader can read:
   the cells of tabular inlines and editable lists (their header is in the table's head), the date and
   the time half of a date-and-time field, and the autocomplete boxes (select2 names them by their
   current value only, so an empty one has no name). Nothing here changes what is shown or sent. */
(function () {
  "use strict";

  function text(element) {
    return (element ? element.textContent : "").replace(/\s+/g, " ").replace(/[:?]\s*$/, "").trim();
  }

  function hasName(field) {
    return (field.labels && field.labels.length) || field.hasAttribute("aria-label") || field.hasAttribute("aria-labelledby");
  }

  // "Share – row 2" from the column's header and the row's own header (or its number).
  function cellName(field) {
    var cell = field.closest("td");
    var table = cell && cell.closest("table");
    var head = table && table.tHead && table.tHead.rows[0];
    if (!head || !head.cells[cell.cellIndex]) return "";
    var name = text(head.cells[cell.cellIndex]);
    var row = cell.parentElement;
    var rowHeader = row.querySelector("th");
    var body = row.parentElement;
    var number = Array.prototype.indexOf.call(body.rows, row) + 1;
    return name && name + " – " + (text(rowHeader) || number);
  }

  // "Deadline – Date" from the field's label and the word Django puts before each half.
  function dateTimeName(field) {
    var halves = field.closest("p.datetime");
    if (!halves) return "";
    var row = halves.closest(".form-row");
    var label = row && row.querySelector("label");
    var before = field.previousSibling;
    var part = before && before.nodeType === Node.TEXT_NODE ? text(before) : "";
    return [text(label), part].filter(Boolean).join(" – ");
  }

  function nameFields(root) {
    root.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
      if (hasName(field)) return;
      var name = dateTimeName(field) || cellName(field);
      if (name) field.setAttribute("aria-label", name);
    });
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var box = container && container.querySelector(".select2-selection");
      if (!box) return;
      var label = select.labels && select.labels[0];
      if (!label) {
        if (select.hasAttribute("aria-label")) box.setAttribute("aria-label", select.getAttribute("aria-label"));
        return;
      }
      if (!label.id) label.id = select.id + "_label";
      var ids = (box.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
      if (ids.indexOf(label.id) < 0) box.setAttribute("aria-labelledby", [label.id].concat(ids).join(" "));
      // The box's text (the value chosen) is a read-only textbox of its own: named by the label too.
      var shown = box.querySelector(".select2-selection__rendered");
      if (shown) shown.setAttribute("aria-labelledby", label.id);
    });
  }

  // Whenever Django's scripts add to the page (select2 and the calendar start once the document is
  // ready, inline rows come later), once the additions are done.
  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    window.setTimeout(function () {
      pending = false;
      nameFields(document);
    }, 0);
  }
  new MutationObserver(soon).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", soon);
})();
