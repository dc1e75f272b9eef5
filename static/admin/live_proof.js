// The order form's live card proof: as the orderer types, the server draws the card with the print
// renderer (POST data-proof-url, answered with a WebP image). Debounced, one request at a time (a newer
// one aborts the older), and the chosen photo is sent as a small copy made once per file.
(function () {
  "use strict";
  var form = document.querySelector("form.js-live-proof");
  if (!form || !window.fetch || !window.FormData) { return; }
  var img = document.getElementById("live-proof-image");
  var fallback = form.querySelector(".live-proof-fallback");
  var fileInput = form.querySelector("input[type=file][name=photo]");
  var url = form.getAttribute("data-proof-url");
  var timer = null, running = null, shownUrl = null, smallPhoto = null, smallPhotoOf = null;
  var MAX_SIDE = 800, MAX_RAW = 2 * 1024 * 1024;

  function photoCopy(file) {
    // A JPEG no larger than MAX_SIDE pixels a side; files the browser cannot decode (HEIC) go as they are
    // when small enough, or the proof keeps an empty photo frame.
    if (smallPhotoOf === file) { return Promise.resolve(smallPhoto); }
    var done = function (blob) { smallPhotoOf = file; smallPhoto = blob; return blob; };
    if (!window.createImageBitmap) { return Promise.resolve(done(file.size <= MAX_RAW ? file : null)); }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    }).then(done, function () { return done(file.size <= MAX_RAW ? file : null); });
  }

  function refresh() {
    var data = new FormData(form);
    data.delete("photo");
    var file = fileInput && fileInput.files && fileInput.files[0];
    (file ? photoCopy(file) : Promise.resolve(null)).then(function (photo) {
      if (photo) { data.append("photo", photo, "photo.jpg"); }
      if (running) { running.abort(); }
      running = window.AbortController ? new AbortController() : null;
      form.setAttribute("aria-busy", "true");
      return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                          signal: running ? running.signal : undefined });
    }).then(function (resp) {
      if (!resp.ok) { throw new Error(String(resp.status)); }
      var alt = resp.headers.get("X-Proof-Alt");
      return resp.blob().then(function (blob) {
        if (shownUrl) { URL.revokeObjectURL(shownUrl); }
        shownUrl = URL.createObjectURL(blob);
        img.src = shownUrl;
        if (alt) { img.alt = decodeURIComponent(alt); }
        img.hidden = false;
        img.setAttribute("data-proof-version", String(Number(img.getAttribute("data-proof-version") || 0) + 1));
        if (fallback) { fallback.hidden = true; }
        form.removeAttribute("aria-busy");
      });
    }).catch(function (err) {
      if (err && err.name === "AbortError") { return; }
      form.removeAttribute("aria-busy");
      if (err && err.message === "503") { timer = setTimeout(refresh, 2000); return; }  // busy: try again
      if (fallback) { fallback.hidden = false; }
    });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
})();
