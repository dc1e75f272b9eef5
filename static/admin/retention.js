/* Company settings: while the retention period is chosen, show how many orders it would anonymise.
 * Progressive enhancement: without this file the count shows after saving, and a shorter period is
 * confirmed on the server either way. */
(function () {
  "use strict";
  var select = document.getElementById("retention");
  var out = document.getElementById("retention-preview");
  if (!select || !out || !out.dataset.url) { return; }
  var asked = 0;
  select.addEventListener("change", function () {
    var mine = ++asked;
    var url = out.dataset.url + "?months=" + encodeURIComponent(select.value);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (data) {
        if (data && mine === asked) {  // an older answer arriving late does not overwrite a newer one
          out.textContent = data.text;
          out.classList.toggle("text-warning", !!data.shorter);
        }
      })
      .catch(function () { /* the count shows after saving */ });
  });
}());
