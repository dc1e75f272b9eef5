"""Screen: Handle cards (search, details, block / unblock / terminate, changes, production data)."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from admin_views.base import SecureView
from portal import storage
from portal.cards.models import CARD_STATUS_COLOURS, CARD_STATUS_LABELS, CardChange, CardStatusEvent
from portal.cards.operations import (
    CardError,
    block_card,
    own_card,
    request_card_change,
    set_production_data,
    terminate_card,
    unblock_card,
)
from portal.cards.search import search_cards
from portal.catalog.layout import data_fields
from portal.catalog.models import CardType
from portal.extensions import db
from portal.images import ImageRejected
from portal.national_ids import format_national_id
from portal.printing.models import PrintJob
from portal.tenancy.context import require_company, user_can

PAGE_SIZES = (25, 50, 100)


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class CardsView(SecureView):
    capability = "view"

    def _card(self, card_id):
        try:
            return own_card(require_company(), card_id)
        except (LookupError, ValueError):
            abort(404)

    def _need(self, capability: str):
        if not user_can(capability):
            abort(403)

    @expose("/")
    def index(self):
        company = require_company()
        args = request.args
        page = max(0, args.get("page", 0, type=int))
        per_page = args.get("per_page", 25, type=int)
        per_page = per_page if per_page in PAGE_SIZES else 25
        status = args.get("status") if args.get("status") in {s.value for s in CARD_STATUS_LABELS} else None
        cards, more = search_cards(company, args.get("q", ""), status=status,
                                   card_type_id=args.get("card_type", type=int), date_from=_date(args.get("from")),
                                   date_to=_date(args.get("to")), page=page, per_page=per_page)
        card_types = db.session.scalars(select(CardType).where(
            (CardType.company_id.is_(None)) | (CardType.company_id == company.id)).order_by(CardType.name)).all()
        page_args = {k: v for k, v in args.items() if k != "page"}
        return self.render("admin/cards/list.html", cards=cards, more=more, page=page, page_args=page_args,
                           # Labels translated once per page, not once per row.
                           statuses={k: str(v) for k, v in CARD_STATUS_LABELS.items()},
                           colours=CARD_STATUS_COLOURS, card_types=card_types, fmt_id=format_national_id)

    @expose("/bulk", methods=["POST"])
    def bulk(self):
        self._need("cards")
        company = require_company()
        action, reason = request.form.get("action"), request.form.get("reason", "")
        done, problems = 0, []
        for raw in request.form.getlist("card_id"):
            card = self._card(raw)
            try:
                (block_card if action == "block" else terminate_card)(company, current_user, card, reason)
                done += 1
            except CardError as exc:
                problems.append(f"{card.holder_name}: {exc}")
        db.session.commit()
        if done:
            flash(_("%(n)d cards updated.", n=done), "success")
        for p in problems[:10]:
            flash(p, "error")
        return redirect(request.referrer or url_for(".index"))

    @expose("/<int:card_id>")
    def details(self, card_id: int):
        card = self._card(card_id)
        events = db.session.scalars(select(CardStatusEvent).where(CardStatusEvent.card_id == card.id)
                                    .order_by(CardStatusEvent.id.desc())).all()
        changes = db.session.scalars(select(CardChange).where(CardChange.card_id == card.id)
                                     .order_by(CardChange.id.desc())).all()
        jobs = db.session.scalars(select(PrintJob).where(PrintJob.card_id == card.id).order_by(PrintJob.id.desc())).all()
        fields = data_fields(card.card_type)
        return self.render("admin/cards/details.html", card=card, events=events, changes=changes, jobs=jobs,
                           fields=fields, statuses=CARD_STATUS_LABELS, colours=CARD_STATUS_COLOURS,
                           fmt_id=format_national_id)

    @expose("/<int:card_id>/status", methods=["POST"])
    def status(self, card_id: int):
        self._need("cards")
        company, card = require_company(), self._card(card_id)
        action, reason = request.form.get("action"), request.form.get("reason", "")
        try:
            if action == "block":
                block_card(company, current_user, card, reason)
            elif action == "unblock":
                unblock_card(company, current_user, card)
            elif action == "terminate":
                terminate_card(company, current_user, card, reason)
            else:
                abort(400)
        except CardError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The card is now %(status)s.", status=str(CARD_STATUS_LABELS[card.status]).lower()), "success")
        return redirect(url_for(".details", card_id=card.id))

    @expose("/<int:card_id>/change", methods=["GET", "POST"])
    def change(self, card_id: int):
        self._need("cards")
        company, card = require_company(), self._card(card_id)
        values, error = dict(card.holder_data or {}), None
        if request.method == "POST":
            values = {f.key: request.form.get(f.key, "") for f in data_fields(card.card_type)}
            upload = request.files.get("photo")
            try:
                request_card_change(company, current_user, card, values,
                                    upload.read() if upload and upload.filename else None,
                                    holder_email=request.form.get("holder_email", ""))
            except (CardError, ImageRejected) as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                flash(_("The card holder got an email to approve the change."), "success")
                return redirect(url_for(".details", card_id=card.id))
        return self.render("admin/cards/change.html", card=card, fields=data_fields(card.card_type), values=values,
                           error=error)

    @expose("/<int:card_id>/production", methods=["POST"])
    def production(self, card_id: int):
        if not current_user.is_operator:
            abort(403)
        card = self._card(card_id)
        readouts = {k.strip(): v.strip() for k, v in zip(request.form.getlist("readout_key"),
                                                         request.form.getlist("readout_value"), strict=False) if k.strip()}
        try:
            set_production_data(card, current_user, card_number=request.form.get("card_number", ""),
                                chip_uid=request.form.get("chip_uid", ""), readouts=readouts)
        except CardError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Production data saved."), "success")
        return redirect(url_for(".details", card_id=card.id))

    @expose("/<int:card_id>/photo.jpg")
    def photo(self, card_id: int):
        card = self._card(card_id)
        if not storage.exists(card.photo_key):
            abort(404)
        return send_file(storage.path_for(card.photo_key), mimetype="image/jpeg", max_age=0)


def register(admin) -> None:
    admin.add_view(CardsView(name=_l("Handle cards"), category=_l("Cards"), endpoint="cards", url="/admin/cards"))
    register_production(admin)


class ProductionImportView(SecureView):
    operator_only = True

    @expose("/", methods=["GET", "POST"])
    def index(self):
        from portal.cards.production import import_production_file
        from portal.collection.csv_import import CsvFileError

        result, error = None, None
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                error = _("Choose the production file.")
            else:
                try:
                    result = import_production_file(upload.read(), current_user)
                except CsvFileError as exc:
                    error = str(exc)
                else:
                    if result.updated:
                        flash(_("%(n)d cards updated from the production file.", n=result.updated), "success")
                        return redirect(url_for(".index"))
        return self.render("admin/cards/production.html", result=result, error=error)


def register_production(admin) -> None:
    admin.add_view(ProductionImportView(name=_l("Production import"), category=_l("Operator"),
                                        endpoint="production", url="/admin/production"))
