"""The employee's pages behind a personal link: details, photo, address, confirm. Phone first, no inline JS."""
from __future__ import annotations

import base64

from flask import abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.catalog.layout import data_fields, photo_field, read_layout_values
from portal.collection.operations import LinkProblem, open_request
from portal.collection.selfservice import (
    asked_steps,
    check_employee_photo,
    choose_address,
    confirm_request,
    designated_addresses,
    keep_language,
    keep_photo,
    missing_steps,
    save_employee_data,
    save_employee_photo,
)
from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.i18n import use_page_language
from portal.infra.images import ImageRejected, min_photo_size, preview_jpeg
from portal.infra.photo_assistant import finding_messages
from portal.infra.tokens import looks_like_token
from portal.infra.transactions import reads_only
from portal.security.link_guard import guard_keys, link_throttled, note_bad_link
from selfservice.employee.blueprint import bp

PROBLEMS = {
    "unknown": (404, _l("This link does not work"), _l("Check that you opened the whole link from the email.")),
    "expired": (410, _l("This link has expired"), _l("Ask the person who ordered your card to send you a new link.")),
    "used": (410, _l("Your details are already sent"), _l("Thank you! You get an email if anything needs to change.")),
    "removed": (410, _l("This link was cancelled"),
                _l("The request was withdrawn. Contact the person who ordered your card.")),
}


def _load(token: str):
    """The request for this link, or the page that says why the link cannot be used."""
    if request.method == "GET":
        reads_only()  # the hot path of every link: no transaction round trips on PostgreSQL
    if not looks_like_token(token):
        if link_throttled(token):
            return None, _throttled()
        note_bad_link(token)
        return None, _problem("unknown", None)
    try:
        req = open_request(token, guard=guard_keys(token))  # the guessing guard asked with the request
    except LinkProblem as problem:
        if problem.kind == "throttled":
            return None, _throttled()
        if problem.kind == "unknown":
            note_bad_link(token)
        return None, _problem(problem.kind, problem.request)
    use_page_language(req.language)
    return req, None


def _throttled():
    return render_template("employee/problem.html", title=_("Too many attempts"),
                           message=_("Wait 15 minutes and open the link from your email again."), req=None), 429


def _problem(kind: str, req):
    if req is not None:
        use_page_language(req.language)
    status, title, message = PROBLEMS[kind]
    return render_template("employee/problem.html", title=str(title), message=str(message), req=req), status


STEP_PAGES = {"data": ".start", "photo": ".photo", "address": ".address"}


def _next_step(req, token: str):
    """The first step still missing or asked for by a rejection (a photo sent back leads to the photo)."""
    steps = set(missing_steps(req)) | set(asked_steps(req))
    if not (designated_addresses(req) and not req.address_fixed):
        steps.discard("address")
    if photo_field(req.card_type) is None:
        steps.discard("photo")
    step = next((s for s in STEP_PAGES if s in steps), None)
    return redirect(url_for(STEP_PAGES[step] if step else ".confirm", token=token))


def _commit_then(response):
    """Commit, then answer with what was decided before: the page or redirect is made from the rows
    already loaded, so hundreds of employees at once do not reload them after every commit."""
    db.session.commit()
    return response


def _page(template: str, req, token: str, **context):
    return render_template(f"employee/{template}", req=req, token=token, company=req.company,
                           card_type=req.card_type, **context)


@bp.route("/<token>", methods=["GET", "POST"])
def start(token: str):
    req, problem = _load(token)
    if problem:
        return problem
    values, errors = dict(req.data or {}), {}
    if request.method == "POST":
        keep_language(req, session.get("language"))  # chosen in the menu: the emails to come follow it
        values = read_layout_values(req.card_type, request.form)
        errors = save_employee_data(req, values)
        if not errors:
            return _commit_then(_next_step(req, token))
    return _page("details.html", req, token, fields=data_fields(req.card_type), values=values, errors=errors)


@bp.route("/<token>/photo", methods=["GET", "POST"])
def photo(token: str):
    req, problem = _load(token)
    if problem:
        return problem
    error = None
    if request.method == "POST":
        upload = request.files.get("photo")
        if upload is None or not upload.filename:
            if req.photo_key and request.form.get("keep") == "1":
                keep_photo(req)
                db.session.commit()
                return _next_step(req, token)
            error = _("Choose or take a photo first.")
        else:
            crop = None
            try:
                if request.form.get("crop_width"):
                    crop = {k: float(request.form[f"crop_{k}"]) for k in ("x", "y", "width", "height")}
                # Checked as a quarter turn by the image code: "inf", "nan" or "1e400" are refused there.
                # Findings do not stop the employee: the page showed them before sending, the confirm page
                # shows them again, and In review shows them to the orderer, who decides.
                save_employee_photo(req, upload.read(), crop, request.form.get("rotate") or 0,
                                    request.form.get("verdict"), request.form.get("seal"))
            except (ValueError, KeyError) as exc:
                db.session.rollback()
                error = str(exc) if isinstance(exc, ImageRejected) else _("The photo could not be used. Try again.")
            else:
                db.session.commit()
                return _next_step(req, token)
    ct = req.card_type
    return _page("photo.html", req, token, error=error, field=photo_field(ct), checks=ct.photo_checks,
                 findings=finding_messages(req.photo_findings) if req.photo_key else [],
                 aspect=f"{ct.photo_width / ct.photo_height:.5f}",
                 min_photo=min_photo_size((ct.photo_width, ct.photo_height))), (400 if error else 200)


@bp.route("/<token>/photo/preview", methods=["POST"])
def photo_preview(token: str):
    """The chosen photo as a JPEG the browser can show (a phone's HEIC is not shown by most browsers);
    nothing is stored. X-Photo-Width/Height give the full photo's size for the crop box."""
    req, problem = _load(token)
    if problem:
        return problem
    upload = request.files.get("photo")
    try:
        jpeg, (width, height) = preview_jpeg(upload.read() if upload else b"")
    except ImageRejected as exc:
        return str(exc), 400, {"Content-Type": "text/plain; charset=utf-8"}
    return jpeg, 200, {"Content-Type": "image/jpeg", "X-Photo-Width": str(width), "X-Photo-Height": str(height)}


@bp.route("/<token>/photo/check", methods=["POST"])
def photo_check(token: str):
    """The photo assistant's findings (in the page's language) and suggested crop for the chosen photo, before
    it is sent; nothing is stored. The crop is in pixels of the full photo turned upright, as the cropper's.
    For the phone's scaled copy also the card's JPEG for the box the cropper starts from (``card``, base64,
    ``card_box``), sealed: the phone sends it back instead of the photo when that box is kept."""
    req, problem = _load(token)
    if problem:
        return problem
    ct = req.card_type
    upload = request.files.get("photo")
    if not ct.photo_checks:
        return jsonify(findings=[], crop=None)
    try:
        advice, verdict, card = check_employee_photo(req, upload.read() if upload else b"",
                                                     _original_size(request.form))
    except ImageRejected as exc:
        return jsonify(error=str(exc)), 400
    sealed = {"card": base64.b64encode(card["jpeg"]).decode(), "seal": card["seal"], "card_box": card["box"]} \
        if card else {}
    return jsonify(findings=finding_messages(advice.findings), codes=advice.findings, crop=advice.crop,
                   verdict=verdict, **sealed)


def _original_size(form) -> tuple[int, int] | None:
    """The size of the photo a small copy sent for the check was made from (photo.js), when given."""
    try:
        width, height = int(form.get("width", "")), int(form.get("height", ""))
    except ValueError:
        return None
    return (width, height) if 0 < width <= 100_000 and 0 < height <= 100_000 else None


@bp.route("/<token>/address", methods=["GET", "POST"])
def address(token: str):
    req, problem = _load(token)
    if problem:
        return problem
    error = None
    if request.method == "POST":
        try:
            choose_address(req, request.form.get("address_id"))
        except ValueError as exc:
            error = str(exc)
        else:
            return _commit_then(_next_step(req, token))
    return _page("address.html", req, token, addresses=designated_addresses(req), error=error)


@bp.route("/<token>/confirm", methods=["GET", "POST"])
def confirm(token: str):
    req, problem = _load(token)
    if problem:
        return problem
    if missing_steps(req):
        return _next_step(req, token)
    if request.method == "POST":
        keep_language(req, session.get("language"))
        confirm_request(req)
        return _commit_then(_page("done.html", req, token))
    values = [(f.label, f.shown_value((req.data or {}).get(f.key, ""))) for f in data_fields(req.card_type)]
    return _page("confirm.html", req, token, values=values,
                 findings=finding_messages(req.photo_findings) if req.photo_key else [])


@bp.route("/<token>/photo.jpg")
def current_photo(token: str):
    req, problem = _load(token)
    if problem or not storage.exists(req.photo_key):
        abort(404)
    return storage.send(req.photo_key, mimetype="image/jpeg", max_age=0)


@bp.route("/<token>/logo.png")
def logo(token: str):
    req, problem = _load(token)
    if problem or not storage.exists(req.company.logo_key):
        abort(404)
    return storage.send(req.company.logo_key, mimetype="image/png", max_age=3600)
