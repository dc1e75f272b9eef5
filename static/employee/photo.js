// Photo step: show the chosen photo, let the person zoom, drag and rotate it inside a frame with the
// card's photo proportions, and send the photo plus the crop box; the server crops it again.
// A photo the browser can decode is sent scaled down (longest side 1,600 px, JPEG, camera orientation
// applied: a few hundred KB instead of 1-5 MB) and the crop box is scaled with it; the photo assistant
// checks that same copy first ("photo:chosen" for photo_check.js). Without JavaScript,
// for HEIC (browsers cannot decode it) or when scaling fails, the original file is sent as it is.
(function () {
  "use strict";
  var form = document.getElementById("photo-form");
  var input = document.getElementById("photo-input");
  if (!form || !input || !window.HTMLCanvasElement) { return; }
  var aspect = parseFloat(form.getAttribute("data-aspect")) || 0.7778;
  var box = document.getElementById("cropper");
  var canvas = document.getElementById("crop-canvas");
  var ctx = canvas.getContext("2d");
  var zoom = document.getElementById("zoom");
  var img = null, rot = 0, scale = 1, base = 1, ox = 0, oy = 0;
  // The decoded photo (an ImageBitmap, camera orientation applied) when the browser could decode it.
  var bitmap = null, sending = false;
  var MAX_SIDE = 1600, QUALITY = 0.85;
  // The card's photo in pixels: the part chosen must keep at least 1.25x that when scaled down.
  var photoSize = (form.getAttribute("data-photo-size") || "413x531").split("x").map(Number);
  // Pixels of the full photo per pixel shown: 1, or more when the server's preview (HEIC) is smaller.
  var unit = 1;
  var nameOut = document.getElementById("photo-name");
  var converting = document.getElementById("photo-converting");

  // An <img> has naturalWidth; an ImageBitmap only width (already as the camera held it).
  function iw() { return img.naturalWidth || img.width; }
  function ih() { return img.naturalHeight || img.height; }
  function dims() { return rot % 180 ? [ih(), iw()] : [iw(), ih()]; }

  function clamp() {
    var d = dims(), w = d[0] * scale, h = d[1] * scale;
    ox = Math.min(0, Math.max(canvas.width - w, ox));
    oy = Math.min(0, Math.max(canvas.height - h, oy));
  }

  function draw() {
    if (!img) { return; }  // between choosing a photo and its decoding
    var d = dims();
    clamp();
    ctx.fillStyle = "#222";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.save();
    ctx.translate(ox + d[0] * scale / 2, oy + d[1] * scale / 2);
    ctx.rotate(rot * Math.PI / 180);
    ctx.drawImage(img, -iw() * scale / 2, -ih() * scale / 2, iw() * scale, ih() * scale);
    ctx.restore();
    // The crop box in pixels of the photo as oriented and rotated (what the server crops).
    setValue("crop_x", -ox / scale * unit);
    setValue("crop_y", -oy / scale * unit);
    setValue("crop_width", canvas.width / scale * unit);
    setValue("crop_height", canvas.height / scale * unit);
    setValue("rotate", String(rot));
  }

  function setValue(id, v) { document.getElementById(id).value = typeof v === "number" ? v.toFixed(2) : v; }

  function reset() {
    var d = dims();
    canvas.width = 600;
    canvas.height = Math.round(600 / aspect);
    base = Math.max(canvas.width / d[0], canvas.height / d[1]);
    scale = base * parseFloat(zoom.value);
    ox = (canvas.width - d[0] * scale) / 2;
    oy = (canvas.height - d[1] * scale) / 2;
    draw();
  }

  function setZoom(z) {
    var cx = canvas.width / 2, cy = canvas.height / 2;
    var px = (cx - ox) / scale, py = (cy - oy) / scale;
    zoom.value = Math.max(1, Math.min(4, z));
    scale = base * parseFloat(zoom.value);
    ox = cx - px * scale;
    oy = cy - py * scale;
    draw();
  }

  // The photo assistant's suggested crop (photo_check.js), in pixels of the full photo turned upright.
  var suggested = null;
  function suggest() {
    if (!img || !suggested || rot) { return; }
    var w = suggested.width / unit;
    zoom.value = Math.max(1, Math.min(4, canvas.width / w / base));
    scale = base * parseFloat(zoom.value);
    ox = -suggested.x / unit * scale;
    oy = -suggested.y / unit * scale;
    suggested = null;
    draw();
  }
  form.addEventListener("photo:suggest", function (e) { suggested = e.detail; suggest(); });

  function show(src, fullWidth) {
    bitmap = null;
    img = null;  // until the new photo is loaded, a suggested crop waits for it (not for the previous photo)
    var next = new Image();
    next.onload = function () {
      use(next); unit = fullWidth ? fullWidth / next.naturalWidth : 1;
      box.hidden = false; reset(); suggest();
    };
    next.onerror = function () { if (!fullWidth) { serverPreview(); } else { box.hidden = true; } };
    next.src = src;
  }

  // A photo the browser cannot show (a phone's HEIC): the server sends a JPEG of it to crop on.
  function serverPreview() {
    var url = form.getAttribute("data-preview");
    if (!url || !window.fetch) { box.hidden = true; return; }
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append("photo", input.files[0]);
    if (converting) { converting.hidden = false; }
    fetch(url, {method: "POST", body: data, credentials: "same-origin"}).then(function (resp) {
      if (!resp.ok) { throw new Error(String(resp.status)); }
      var width = parseFloat(resp.headers.get("X-Photo-Width"));
      return resp.blob().then(function (blob) { show(URL.createObjectURL(blob), width); });
    }).catch(function () { box.hidden = true; }).then(function () { if (converting) { converting.hidden = true; } });
  }

  // The photo now shown; a decoded bitmap shown before is freed (a 12 MP one holds 48 MB).
  function use(next) {
    if (img && img !== next && img.close) { img.close(); }
    img = next; rot = 0; zoom.value = 1;
  }

  function showBitmap(decoded) {
    use(decoded); bitmap = decoded; unit = 1;
    box.hidden = false; reset(); suggest();
    checkCopy(decoded);
  }

  // The photo assistant (photo_check.js) looks at exactly what will be sent: the 1,600 px copy made here
  // when the photo is decoded (or the file itself when it is small or cannot be decoded), with the full
  // photo's size; its signed verdict then saves the server a second look when those bytes are sent.
  var prepared = null;  // {file, fx, fy, s}: the upload at the usual scale, made once per photo
  function chosen(detail) { form.dispatchEvent(new CustomEvent("photo:chosen", {detail: detail})); }
  function checkCopy(decoded) {
    var file = input.files[0];
    prepared = null;
    var s = Math.min(1, MAX_SIDE / Math.max(decoded.width, decoded.height));
    if (s >= 1 || !HTMLCanvasElement.prototype.toBlob || !window.Promise) { chosen({photo: file}); return; }
    shrink(s).then(function (made) {
      if (input.files[0] !== file) { return; }  // another photo was chosen meanwhile
      made.s = s;
      prepared = made;
      chosen({photo: made.file, width: decoded.width, height: decoded.height});
    }, function () { chosen({photo: file}); });
  }

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (nameOut) { nameOut.textContent = file ? file.name : ""; }
    bitmap = null; prepared = null;
    if (img && img.close) { img.close(); }
    img = null;  // a suggested crop that arrives before the new photo is decoded waits for it
    if (!file) { return; }
    var decoding = null;
    try {
      decoding = window.createImageBitmap ? createImageBitmap(file, { imageOrientation: "from-image" }) : null;
    } catch (e) { decoding = null; }
    if (!decoding) {  // after photo_check.js has seen this change
      setTimeout(function () { chosen({photo: file}); }, 0);
      show(URL.createObjectURL(file), 0);
      return;
    }
    decoding.then(function (decoded) {
      if (input.files[0] === file) { showBitmap(decoded); } else if (decoded.close) { decoded.close(); }
    }, function () {  // HEIC and the like: the server shows it, and the assistant looks at the original
      chosen({photo: file});
      show(URL.createObjectURL(file), 0);
    });
  });

  // How much to scale the photo for the upload: longest side MAX_SIDE, but the part chosen in the frame
  // keeps 1.25x the card's pixels (a close zoom on a big photo sends more), never enlarged.
  function uploadScale() {
    var longest = Math.max(bitmap.width, bitmap.height);
    var chosen = Math.min(parseFloat(document.getElementById("crop_width").value) / photoSize[0],
                          parseFloat(document.getElementById("crop_height").value) / photoSize[1]);
    var s = Math.max(MAX_SIDE / longest, isFinite(chosen) && chosen > 0 ? 1.25 / chosen : 0);
    return Math.min(1, s);
  }

  // The scaled JPEG as a File, and the crop box turned into its pixels.
  function shrink(s) {
    var out = document.createElement("canvas");
    out.width = Math.max(1, Math.round(bitmap.width * s));
    out.height = Math.max(1, Math.round(bitmap.height * s));
    var octx = out.getContext("2d");
    octx.imageSmoothingEnabled = true;
    octx.imageSmoothingQuality = "high";
    octx.drawImage(bitmap, 0, 0, out.width, out.height);
    return new Promise(function (resolve, reject) {
      out.toBlob(function (blob) {
        if (!blob) { reject(new Error("toBlob")); return; }
        var name = (input.files[0].name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
        resolve(turned({ file: new File([blob], name, { type: "image/jpeg" }), w: out.width, h: out.height }));
      }, "image/jpeg", QUALITY);
    });
  }

  // The scale factors of a made copy for the crop box, which is in the turned photo's pixels.
  function turned(made) {
    var fx = made.w / bitmap.width, fy = made.h / bitmap.height;
    if (rot % 180) { var t = fx; fx = fy; fy = t; }
    made.fx = fx; made.fy = fy;
    return made;
  }

  // The card's photo the assistant made from the copy it checked, for the box the cropper started from
  // (photo_check.js). Sent back with its seal when that box is kept: a few dozen KB instead of the copy,
  // and the server keeps it as it is instead of cropping the copy again.
  var sealed = null, sealField = document.getElementById("photo-seal");
  form.addEventListener("photo:card", function (e) {
    var bytes = atob(e.detail.card), data = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { data[i] = bytes.charCodeAt(i); }
    sealed = { file: new File([data], "photo.jpg", { type: "image/jpeg" }), seal: e.detail.seal,
               box: e.detail.box, photo: input.files[0] };
  });
  function boxKept() {
    if (!sealed || !sealField || sealed.photo !== input.files[0] || rot) { return false; }
    var slack = Math.max(2, sealed.box.width * 0.01);
    return ["x", "y", "width", "height"].every(function (k) {
      return Math.abs(parseFloat(document.getElementById("crop_" + k).value) - sealed.box[k]) <= slack;
    });
  }
  input.addEventListener("change", function () { sealed = null; if (sealField) { sealField.value = ""; } });

  form.addEventListener("submit", function (e) {
    if (sending || !bitmap || !window.DataTransfer || !window.Promise || !HTMLCanvasElement.prototype.toBlob) { return; }
    if (boxKept()) {
      e.preventDefault();
      original = input.files[0];
      var card = new DataTransfer();
      card.items.add(sealed.file);
      input.files = card.files;
      sealField.value = sealed.seal;
      ["x", "y", "width", "height"].forEach(function (k) { setValue("crop_" + k, ""); });
      sending = true;
      var by = e.submitter;
      setTimeout(function () {
        if (form.requestSubmit) { form.requestSubmit(by || undefined); } else { form.submit(); }
      }, 0);
      return;
    }
    var s = uploadScale();
    if (s >= 1) { return; }  // small enough already: the original goes as it is
    e.preventDefault();
    var submitter = e.submitter;
    original = input.files[0];
    var making = prepared && Math.abs(prepared.s - s) < 1e-9 ? Promise.resolve(turned(prepared)) : shrink(s);
    making.then(function (made) {
      var list = new DataTransfer();
      list.items.add(made.file);
      input.files = list.files;
      ["x", "width"].forEach(function (k) { scaleField("crop_" + k, made.fx); });
      ["y", "height"].forEach(function (k) { scaleField("crop_" + k, made.fy); });
    }).catch(function () { /* the original is sent */ }).then(function () {
      sending = true;
      // Later, not in this submit event's own microtasks (the copy made beforehand is ready at once): a form
      // still firing its submit event ignores requestSubmit.
      setTimeout(function () {
        if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
      }, 0);
    });
  });

  // Back to this page from the next one (kept in the browser's memory): the full photo again.
  var original = null;
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted || !sending) { return; }
    sending = false;
    if (sealField) { sealField.value = ""; }
    if (original && window.DataTransfer) {
      var list = new DataTransfer();
      list.items.add(original);
      input.files = list.files;
    }
    if (img) { draw(); }
  });

  function scaleField(id, factor) {
    var field = document.getElementById(id);
    if (field.value !== "") { setValue(id, parseFloat(field.value) * factor); }
  }
  zoom.addEventListener("input", function () { if (img) { setZoom(parseFloat(zoom.value)); } });
  document.getElementById("zoom-in").addEventListener("click", function () { if (img) { setZoom(parseFloat(zoom.value) + 0.2); } });
  document.getElementById("zoom-out").addEventListener("click", function () { if (img) { setZoom(parseFloat(zoom.value) - 0.2); } });
  document.getElementById("rotate-btn").addEventListener("click", function () { if (img) { rot = (rot + 90) % 360; reset(); } });

  // Keyboard and buttons (WCAG 2.1.1): the arrow buttons and, on the focused photo, the arrow keys move
  // it by a twentieth of the frame; + and - zoom, R rotates. Moving the photo left shows more of its right.
  var STEP = 0.05;
  function move(direction) {
    if (!img) { return; }
    var dx = { left: -1, right: 1 }[direction] || 0, dy = { up: -1, down: 1 }[direction] || 0;
    ox += dx * canvas.width * STEP;
    oy += dy * canvas.height * STEP;
    draw();
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-move]"), function (button) {
    button.addEventListener("click", function () { move(button.getAttribute("data-move")); });
  });
  var KEYS = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down" };
  canvas.addEventListener("keydown", function (e) {
    if (!img) { return; }
    if (KEYS[e.key]) { move(KEYS[e.key]); }
    else if (e.key === "+" || e.key === "=") { setZoom(parseFloat(zoom.value) + 0.2); }
    else if (e.key === "-" || e.key === "_") { setZoom(parseFloat(zoom.value) - 0.2); }
    else if (e.key === "r" || e.key === "R") { rot = (rot + 90) % 360; reset(); }
    else { return; }
    e.preventDefault();  // the arrow keys move the photo, not the page (Tab still leaves: no trap)
  });

  var dragging = null;
  canvas.addEventListener("pointerdown", function (e) {
    if (!img) { return; }
    dragging = { x: e.clientX, y: e.clientY, ox: ox, oy: oy };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!dragging) { return; }
    var k = canvas.width / canvas.getBoundingClientRect().width;
    ox = dragging.ox + (e.clientX - dragging.x) * k;
    oy = dragging.oy + (e.clientY - dragging.y) * k;
    draw();
  });
  canvas.addEventListener("pointerup", function () { dragging = null; });
  canvas.addEventListener("pointercancel", function () { dragging = null; });
})();
