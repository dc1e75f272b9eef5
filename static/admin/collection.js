/* Data collection screen: progressive enhancement only. Every form also works without this file:
 * the email rows post as the "emails" textarea, the file input is a plain input, actions are
 * plain POST forms. Loaded after jQuery and Bootstrap 4 (Flask-Admin's own copies). */
(function ($) {
  "use strict";

  function fmt(template, n) { return String(template || "").replace("{n}", n); }

  /* ---------- all tabs: confirmations and tooltips ---------- */
  $(document).on("submit", "form[data-confirm]", function (event) {
    if (!window.confirm(this.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
  $(function () { $('[data-toggle="tooltip"]').tooltip(); });
  $(".js-hide").addClass("d-none");

  /* ---------- COLLECT CARD DATA ---------- */
  var root = document.getElementById("collection-collect");
  if (root) { initCollect(root); }

  function initCollect(root) {
    var d = root.dataset;
    var csrf = d.csrf;
    var rows = [];               // [{email, name}]
    var seen = {};               // lower-case email -> true
    var textarea = document.getElementById("emails-field");
    var list = document.getElementById("email-rows");
    var count = document.getElementById("email-count");
    var feedback = document.getElementById("email-feedback");
    var input = document.getElementById("email-input");

    // With JavaScript: the row list replaces the plain textarea.
    $(root).find(".js-only").removeClass("d-none");
    $(root).find(".no-js-field").addClass("d-none");

    function parse(text) {
      return $.ajax({
        url: d.parseUrl, method: "POST", contentType: "application/json", dataType: "json",
        headers: { "X-CSRFToken": csrf, "X-Requested-With": "XMLHttpRequest" },
        data: JSON.stringify({ text: text })
      });
    }

    function addAll(valid) {
      var added = 0, merged = 0;
      valid.forEach(function (a) {
        var key = a.email.toLowerCase();
        if (seen[key]) { merged += 1; return; }
        seen[key] = true;
        rows.push({ email: a.email, name: a.name || "" });
        added += 1;
      });
      render();
      return { added: added, merged: merged };
    }

    function render() {
      list.innerHTML = "";
      rows.forEach(function (r, i) {
        var li = document.createElement("li");
        li.className = "list-group-item d-flex align-items-center py-1";
        var label = document.createElement("span");
        label.className = "mr-auto";
        label.textContent = r.name ? r.name + " <" + r.email + ">" : r.email;
        var x = document.createElement("button");
        x.type = "button";
        x.className = "btn btn-sm btn-link text-danger";
        x.setAttribute("aria-label", d.msgRemove + " " + r.email);
        x.title = d.msgRemove;
        x.innerHTML = '<i class="fa fa-times" aria-hidden="true"></i>';
        x.addEventListener("click", function () {
          delete seen[r.email.toLowerCase()];
          rows.splice(i, 1);
          render();
        });
        li.appendChild(label);
        li.appendChild(x);
        list.appendChild(li);
      });
      count.textContent = rows.length === 1 ? d.msgCountOne : rows.length ? fmt(d.msgCount, rows.length) : d.msgNone;
      textarea.value = rows.map(function (r) {
        return r.name ? '"' + r.name.replace(/["<>]/g, "") + '" <' + r.email + ">" : r.email;
      }).join("\n");
    }

    function showResult(target, result, invalid, notice) {
      target.innerHTML = "";
      var parts = [];
      if (result.added) { parts.push(fmt(d.msgAdded, result.added)); }
      if (result.merged) { parts.push(result.merged === 1 ? d.msgMergedOne : fmt(d.msgMerged, result.merged)); }
      if (parts.length) {
        var p = document.createElement("div");
        p.className = "text-success";
        p.textContent = parts.join(" ");
        target.appendChild(p);
      }
      if (invalid && invalid.length) {
        var box = document.createElement("div");
        box.className = "alert alert-warning py-2 mt-1 mb-0 small";
        var head = document.createElement("strong");
        head.textContent = d.msgInvalid;
        var ul = document.createElement("ul");
        ul.className = "mb-0";
        invalid.forEach(function (item) {
          var li = document.createElement("li");
          li.textContent = item.text + ": " + item.reason;
          ul.appendChild(li);
        });
        box.appendChild(head);
        box.appendChild(ul);
        target.appendChild(box);
      }
      if (notice) {
        // The paste was longer than one round takes, or had more problems than are listed.
        var more = document.createElement("div");
        more.className = "alert alert-info py-2 mt-1 mb-0 small";
        more.setAttribute("data-testid", "paste-limit");
        more.textContent = notice;
        target.appendChild(more);
      }
    }

    function failed(target) { target.innerHTML = ""; target.textContent = d.msgFailed; }

    // Rows typed before a server-side error come back in the textarea: show them as rows.
    if (textarea.value.trim()) {
      parse(textarea.value).done(function (res) { addAll(res.valid); }).fail(function () { failed(feedback); });
    } else {
      render();
    }

    function addTyped() {
      var text = input.value.trim();
      if (!text) { return; }
      parse(text).done(function (res) {
        var result = addAll(res.valid);
        showResult(feedback, result, res.invalid, res.notice);
        if (!res.invalid.length) { input.value = ""; }
        input.focus();
      }).fail(function () { failed(feedback); });
    }
    document.getElementById("email-add").addEventListener("click", addTyped);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); addTyped(); }
    });

    document.getElementById("email-clear").addEventListener("click", function () {
      if (!rows.length || !window.confirm(d.msgClear)) { return; }
      rows = []; seen = {};
      feedback.innerHTML = "";
      render();
    });

    var importText = document.getElementById("import-text");
    var importFeedback = document.getElementById("import-feedback");
    $("#import-modal").on("shown.bs.modal", function () { importText.focus(); })
      .on("hidden.bs.modal", function () { importFeedback.innerHTML = ""; });
    document.getElementById("import-add").addEventListener("click", function () {
      var text = importText.value;
      if (!text.trim()) { return; }
      parse(text).done(function (res) {
        var result = addAll(res.valid);
        showResult(feedback, result, [], res.invalid.length ? "" : res.notice);
        if (res.invalid.length) {
          // Keep the dialog open with only the entries that need fixing.
          showResult(importFeedback, result, res.invalid, res.notice);
          importText.value = res.invalid.map(function (i) { return i.text; }).join("\n");
        } else {
          importText.value = "";
          $("#import-modal").modal("hide");
        }
      }).fail(function (xhr) {
        importFeedback.textContent = (xhr.responseJSON && xhr.responseJSON.error) || d.msgFailed;
      });
    });

    document.getElementById("email-form").addEventListener("submit", function (event) {
      if (!rows.length) {
        event.preventDefault();
        feedback.innerHTML = "";
        feedback.textContent = d.msgEmpty;
        feedback.className = "small mb-2 text-danger";
        input.focus();
      }
    });

    // Card type: change the hidden fields and the template link without reloading the page.
    var select = document.getElementById("card-type-select");
    select.addEventListener("change", function () {
      var id = select.value;
      $(root).find(".js-card-type").val(id);
      document.getElementById("template-link").href = d.templateUrl + "?card_type_id=" + encodeURIComponent(id);
      var option = select.options[select.selectedIndex];
      $("#card-type-fields span").text(option.getAttribute("data-fields") || "");
      $("#no-email-photo-note").toggleClass("d-none", option.getAttribute("data-needs-photo") !== "1");
      if (window.history.replaceState) { window.history.replaceState(null, "", "?card_type_id=" + encodeURIComponent(id)); }
    });

    initUpload(d);
  }

  function initUpload(d) {
    var form = document.getElementById("upload-form");
    var zone = document.getElementById("drop-zone");
    var fileInput = document.getElementById("csv-file");
    var fileName = document.getElementById("drop-file-name");
    var progress = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-bar");
    var checking = document.getElementById("upload-checking");
    var result = document.getElementById("upload-result");
    var button = document.getElementById("upload-button");
    var dropped = null;

    zone.classList.add("drop-zone-js");
    function showName(file) { fileName.textContent = file ? file.name + " (" + Math.ceil(file.size / 1024) + " kB)" : ""; }
    fileInput.addEventListener("change", function () { dropped = null; showName(fileInput.files[0]); });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("drop-zone-over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.remove("drop-zone-over"); });
    });
    zone.addEventListener("drop", function (event) {
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) { return; }
      dropped = files[0];
      try { fileInput.files = files; dropped = null; } catch (e) { /* older browsers: send `dropped` */ }
      showName(files[0]);
    });

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }  // plain form post
      event.preventDefault();
      var data = new FormData(form);
      if (dropped) { data.set("file", dropped, dropped.name); }
      var file = data.get("file");
      if (!file || !file.name) {
        result.innerHTML = "";
        var p = document.createElement("div");
        p.className = "alert alert-danger";
        p.textContent = d.msgNoFile;
        result.appendChild(p);
        return;
      }
      result.innerHTML = "";
      button.disabled = true;
      progress.classList.remove("d-none");
      checking.classList.add("d-none");
      setBar(0);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("X-CSRFToken", d.csrf);
      xhr.responseType = "json";
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { setBar(Math.round(100 * e.loaded / e.total)); }
      });
      xhr.upload.addEventListener("load", function () {
        setBar(100);
        checking.classList.remove("d-none");  // the server now validates every row
      });
      xhr.addEventListener("load", function () {
        var res = xhr.response || {};
        if (res.ok && res.redirect) { window.location.assign(res.redirect); return; }
        done();
        if (res.html) { result.innerHTML = res.html; } else { result.textContent = d.msgFailed; }
      });
      xhr.addEventListener("error", function () { done(); result.textContent = d.msgFailed; });
      xhr.send(data);
    });

    function setBar(pct) {
      bar.style.width = pct + "%";
      bar.setAttribute("aria-valuenow", pct);
      bar.textContent = pct + "%";
    }
    function done() {
      button.disabled = false;
      progress.classList.add("d-none");
    }
  }

  /* ---------- IN REVIEW ---------- */
  $(document).on("click", ".js-reject", function () {
    $("#reject-form").attr("action", $(this).data("action"));
    $("#reject-name").text("· " + $(this).data("name"));
    $("#reject-reason").val("");
    $("#reject-form input[name=change]").prop("checked", false);
  });
  $("#reject-modal").on("shown.bs.modal", function () { $("#reject-reason").trigger("focus"); });

  $(document).on("click", ".js-edit", function (event) {
    var link = this;
    event.preventDefault();
    $("#edit-modal-content").load($(link).data("partial"), function (_text, status) {
      if (status === "error") { window.location.assign(link.href); return; }
      $("#edit-modal").modal("show");
    });
  });
  /* "Add all to cart": chunk after chunk, each a short request, with a progress bar. A second tab or a
   * repeated press is harmless: the server takes each card once. */
  var allForm = document.getElementById("approve-all-form");
  if (allForm && window.fetch && window.FormData) {
    allForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!window.confirm(allForm.getAttribute("data-ask"))) { return; }
      var button = allForm.querySelector("button");
      var box = document.getElementById("approve-all-progress");
      var bar = document.getElementById("approve-all-bar");
      var status = document.getElementById("approve-all-status");
      var state = { afterId: 0, handled: 0, added: 0, skipped: 0 };
      button.disabled = true;
      box.classList.remove("d-none");
      function show(remaining) {
        var total = state.handled + remaining;
        var pct = total ? Math.round(100 * state.handled / total) : 100;
        bar.style.width = pct + "%";
        bar.setAttribute("aria-valuenow", pct);
        bar.textContent = pct + "%";
        status.textContent = String(allForm.getAttribute("data-msg-progress"))
          .replace("{done}", state.handled).replace("{total}", total).replace("{added}", state.added);
      }
      function step() {
        var body = new FormData(allForm);
        body.set("after_id", state.afterId);
        body.set("added_before", state.added);
        body.set("skipped_before", state.skipped);
        fetch(allForm.action, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" }
        }).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        }).then(function (res) {
          state.afterId = res.after_id;
          state.handled += res.handled;
          state.added += res.added;
          state.skipped += res.skipped;
          show(res.remaining);
          if (res.finished) { window.location.assign(res.redirect); } else { step(); }
        }).catch(function () {
          button.disabled = false;
          status.textContent = allForm.getAttribute("data-msg-failed");
        });
      }
      show(1);
      step();
    });
  }
}(window.jQuery));
