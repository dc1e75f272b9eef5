// Names for the controls Flask-Admin's filter script adds to a list (WCAG 1.3.1, 4.1.2): the value field
// is named after its filter ("Status"), the condition menu "Status: condition". Flask-Admin draws them
// without labels; this names every row it adds, now and later.
(function () {
  "use strict";
  var condition = document.body.getAttribute("data-filter-condition") || "condition";
  function name(rows) {
    Array.prototype.forEach.call(rows.querySelectorAll("tr"), function (row) {
      var link = row.querySelector(".remove-filter");
      if (!link) { return; }
      var field = link.textContent.replace(/\u00d7/g, "").trim();
      link.setAttribute("aria-label", link.getAttribute("title") ? link.getAttribute("title") + ": " + field : field);
      var op = row.querySelector(".filter-op");
      if (op) { op.setAttribute("aria-label", field + ": " + condition); }
      Array.prototype.forEach.call(row.querySelectorAll(".filter-val"), function (val) {
        if (val.type !== "hidden") { val.setAttribute("aria-label", field); }
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.filters"), function (rows) {
    name(rows);
    new MutationObserver(function () { name(rows); }).observe(rows, { childList: true, subtree: true });
  });
})();
