// Photo step: show the chosen photo, let the person zoom, drag and rotate it inside a frame with the
// card's photo proportions, and send the ORIGINAL file plus the crop box; the server crops it again.
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
  // Pixels of the full photo per pixel shown: 1, or more when the server's preview (HEIC) is smaller.
  var unit = 1;
  var nameOut = document.getElementById("photo-name");
  var converting = document.getElementById("photo-converting");

  function dims() { return rot % 180 ? [img.naturalHeight, img.naturalWidth] : [img.naturalWidth, img.naturalHeight]; }

  function clamp() {
    var d = dims(), w = d[0] * scale, h = d[1] * scale;
    ox = Math.min(0, Math.max(canvas.width - w, ox));
    oy = Math.min(0, Math.max(canvas.height - h, oy));
  }

  function draw() {
    var d = dims();
    clamp();
    ctx.fillStyle = "#222";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.save();
    ctx.translate(ox + d[0] * scale / 2, oy + d[1] * scale / 2);
    ctx.rotate(rot * Math.PI / 180);
    ctx.drawImage(img, -img.naturalWidth * scale / 2, -img.naturalHeight * scale / 2,
                  img.naturalWidth * scale, img.naturalHeight * scale);
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
    img = null;  // until the new photo is loaded, a suggested crop waits for it (not for the previous photo)
    var next = new Image();
    next.onload = function () {
      img = next; rot = 0; zoom.value = 1; unit = fullWidth ? fullWidth / next.naturalWidth : 1;
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

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (nameOut) { nameOut.textContent = file ? file.name : ""; }
    if (!file) { return; }
    show(URL.createObjectURL(file), 0);
  });
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
