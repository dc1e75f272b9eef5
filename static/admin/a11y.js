// Names for the controls Flask-Admin draws without one: the search box and its clear cross, and the
// controls Flask-Admin's filter script adds to a list (WCAG 1.3.1, 4.1.2): the value field
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
  // The list's search box is named by its placeholder; the cross that clears a search gets a name.
  var clear = document.body.getAttribute("data-clear-search") || "";
  Array.prototype.forEach.call(document.querySelectorAll("form[role=search]"), function (form) {
    var box = form.querySelector("input[name=search]");
    if (box && box.placeholder) { box.setAttribute("aria-label", box.placeholder); }
    Array.prototype.forEach.call(form.querySelectorAll(".input-group-text a"), function (a) {
      a.setAttribute("aria-label", clear);
      a.setAttribute("title", clear);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("table.filters"), function (rows) {
    name(rows);
    new MutationObserver(function () { name(rows); }).observe(rows, { childList: true, subtree: true });
  });
})();
