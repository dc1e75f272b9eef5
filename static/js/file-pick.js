// Styled file controls: every <input type=file class="form-control-file"> gets a button-like label
// and the chosen file's name beside it; the native control stays in the page, visually hidden, so
// its label opens it, the keyboard reaches it (Tab, then Space) and forms submit it as before.
(function () {
  "use strict";
  var script = document.currentScript;
  var choose = (script && script.getAttribute("data-choose")) || "Choose a file";
  var none = (script && script.getAttribute("data-none")) || "No file chosen";
  var count = 0;
  function enhance(input) {
    if (input.classList.contains("file-input-hidden")) { return; }
    if (!input.id) { count += 1; input.id = "file-pick-" + count; }
    input.classList.add("file-input-hidden");
    var label = document.createElement("label");
    label.className = "btn btn-outline-secondary file-pick mb-0";
    label.setAttribute("for", input.id);
    label.innerHTML = '<i class="fa fa-upload" aria-hidden="true"></i> ';
    label.appendChild(document.createTextNode(choose));
    var name = document.createElement("span");
    name.className = "file-name";
    name.setAttribute("aria-live", "polite");
    name.textContent = none;
    var wrap = document.createElement("div");
    wrap.className = "file-pick-row";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(label);
    if (input.closest(".drop-zone")) { return; }  // the drop zone shows the name itself
    wrap.appendChild(name);
    input.addEventListener("change", function () {
      var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      name.textContent = files.length ? files.join(", ") : none;
    });
  }
  function run() { Array.prototype.forEach.call(document.querySelectorAll("input[type=file].form-control-file"), enhance); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); } else { run(); }
}());
