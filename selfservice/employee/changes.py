"""Card holders approving or declining a change to their card through a personal link."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from portal.cards.operations import ChangeLinkProblem, approve_card_change, decline_card_change, open_change
from portal.catalog.layout import data_fields
from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.i18n import use_page_language
from portal.infra.national_ids import format_national_id
from portal.infra.tokens import looks_like_token
from portal.security.link_guard import link_throttled, note_bad_link
from selfservice.employee.blueprint import bp


def _load(token: str):
    if link_throttled(token):
        abort(429)
    try:
        if not looks_like_token(token):
            raise ChangeLinkProblem("unknown")
        change = open_change(token)
    except ChangeLinkProblem as problem:
        return None, _problem_page(token, problem)
    use_page_language(change.card.company.language)
    return change, None


def _problem_page(token: str, problem: ChangeLinkProblem):
    if problem.kind == "unknown":
        note_bad_link(token)
    if problem.change is not None:
        use_page_language(problem.change.card.company.language)
    titles = {"unknown": _("This link does not work"), "used": _("This change is already answered"),
              "expired": _("This link has expired"), "closed": _("This change was closed")}
    message = (_("The card is no longer in use, so the change was closed and nothing was changed on it.")
               if problem.kind == "closed" else _("Contact the person who manages your card."))
    return (render_template("employee/problem.html", title=titles[problem.kind], message=message, req=None),
            404 if problem.kind == "unknown" else 410)


@bp.route("/change/<token>", methods=["GET", "POST"])
def card_change(token: str):
    change, problem = _load(token)
    if problem:
        return problem
    card = change.card
    if request.method == "POST":
        try:
            if request.form.get("decision") == "approve":
                approve_card_change(change)
                message = _("Thank you! Your card is updated.")
            else:
                decline_card_change(change)
                message = _("You declined the change. Nothing was changed on your card.")
        except ChangeLinkProblem as problem:  # closed or answered at the same moment
            db.session.rollback()
            return _problem_page(token, problem)
        db.session.commit()
        return render_template("employee/change_done.html", message=message, company=card.company, req=None)
    def shown(field, value):
        if field.kind == "national_id" and value:
            return format_national_id(value, card.company.country or "SE")
        return field.shown_value(value)

    rows = [(f.label, shown(f, (card.holder_data or {}).get(f.key, "")), shown(f, change.proposed.get(f.key, "")))
            for f in data_fields(card.card_type)]
    new_email = change.proposed.get("_email")
    if new_email and new_email != card.holder_email:  # a new address is part of what the holder approves
        rows.append((_("Email"), card.holder_email, new_email))
    return render_template("employee/change.html", change=change, card=card, rows=rows, token=token,
                           company=card.company, req=None)


@bp.route("/change/<token>/<which>.jpg")
def change_photo(token: str, which: str):
    change, problem = _load(token)
    if problem:
        abort(404)
    key = change.photo_key if which == "new" else change.card.photo_key
    return storage.send(key, mimetype="image/jpeg", max_age=0)
