// Photo step: ask the photo assistant about the chosen photo (the copy photo.js will send) before it is
// sent. Its findings show above the cropper (the button then reads "Use this photo anyway"), and its
// suggested crop (face centred, eyes at about 45%) is handed to the cropper in photo.js with a
// "photo:suggest" event; the person can still move, zoom and rotate. With the suggestion comes the card's
// photo the server made from that copy and box ("photo:card"): photo.js sends it back instead of the copy
// when the box is left as it is. Nothing is stored by the check; without JavaScript the confirm page shows
// the findings.
(function () {
  "use strict";
  var form = document.getElementById("photo-form");
  var input = document.getElementById("photo-input");
  var url = form && form.getAttribute("data-check");
  if (!form || !input || !url || !window.fetch || !window.FormData) { return; }
  var box = document.getElementById("photo-check");
  var list = document.getElementById("photo-check-list");
  var busy = document.getElementById("photo-checking");
  var submit = document.getElementById("photo-submit");
  var asked = 0;

  function showFindings(messages) {
    list.textContent = "";
    messages.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    box.hidden = messages.length === 0;
    if (submit) {
      submit.textContent = submit.getAttribute(messages.length ? "data-anyway" : "data-plain");
    }
  }

  var verdict = document.getElementById("photo-verdict");
  input.addEventListener("change", function () {
    asked++; showFindings([]); busy.hidden = true;
    if (verdict) { verdict.value = ""; }
  });

  // photo.js says what to look at: a small upright copy with the full photo's size, or the original file
  // (a photo the browser cannot decode, such as HEIC).
  form.addEventListener("photo:chosen", function (e) {
    var mine = ++asked;
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append("photo", e.detail.photo, "photo.jpg");
    if (e.detail.width) {
      data.append("width", String(e.detail.width));
      data.append("height", String(e.detail.height));
    }
    busy.hidden = false;
    fetch(url, {method: "POST", body: data, credentials: "same-origin"}).then(function (resp) {
      return resp.json();
    }).then(function (answer) {
      if (mine !== asked) { return; }
      showFindings(answer.findings || []);
      if (verdict) { verdict.value = answer.verdict || ""; }
      if (answer.crop) {
        form.dispatchEvent(new CustomEvent("photo:suggest", {detail: answer.crop}));
      }
      if (answer.card && answer.seal && answer.card_box) {  // the card's photo, made from this very copy
        form.dispatchEvent(new CustomEvent("photo:card", {detail: {card: answer.card, seal: answer.seal,
                                                                   box: answer.card_box}}));
      }
    }).catch(function () { /* the check is advice only: the photo can be sent without it */ })
      .then(function () { if (mine === asked) { busy.hidden = true; } });
  });
})();
