"""Screen: Handle cards (search, details, block / unblock / terminate, changes, production data)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from admin_views.base import TenantView
from portal.audit.reads import record_read
from portal.cards.export import export_cards
from portal.cards.history import summarise_change
from portal.cards.models import (
    SYSTEM_REASONS,
    Card,
    CardChange,
    CardStatus,
    CardStatusEvent,
    ChangeState,
    ReplacementReason,
)
from portal.cards.operations import (
    CardError,
    block_card,
    request_card_change,
    set_production_data,
    terminate_card,
    unblock_card,
)
from portal.cards.replacement import BLOCK_AT_ONCE, replacements_of
from portal.cards.search import COUNT_CAP, count_cards, search_cards
from portal.catalog.layout import data_fields, read_layout_values
from portal.catalog.models import CardType
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.images import ImageRejected
from portal.infra.national_ids import format_national_id
from portal.infra.web import field_limits, page_number
from portal.printing.models import SYSTEM_ERRORS, PrintJob, PrintJobStatus
from portal.printing.operations import PrintError, enabled_printers, queue_print
from portal.renewal.operations import COLLECT, ORDER, renew_cards, replace_card
from portal.tenancy.context import user_can

PAGE_SIZES = (25, 50, 100)


BULK_LIMIT = 500  # cards per bulk action (bounded work per request)


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _expiring_days(args) -> int | None:
    days = args.get("expiring", type=int)
    return days if days and 0 < days <= 366 else None


def _filters(args) -> dict:
    """The list's filters from the query string (the list, its count and its export read the same)."""
    days = _expiring_days(args)
    status = args.get("status") if CardStatus.of(args.get("status")) else None
    return {"status": status, "card_type_id": args.get("card_type", type=int), "date_from": _date(args.get("from")),
            "date_to": _date(args.get("to")),
            "expiring_before": utcnow().date() + timedelta(days=days) if days else None}


class CardsView(TenantView):
    capability = "view"

    def _card(self, card_id) -> Card:
        return self.get_owned(Card, card_id)

    def _read(self, card: Card, action: str) -> None:
        """Read access to the holder's data goes into the audit log (one insert, committed with the page)."""
        record_read(self.company.id, action, card, national_id=card.national_id, email=card.holder_email,
                    name=card.holder_name)
        db.session.commit()

    def _need(self, capability: str):
        if not user_can(capability):
            abort(403)

    @expose("/")
    def index(self):
        company = self.company
        args = request.args
        page = page_number(args.get("page"))
        per_page = args.get("per_page", 25, type=int)
        per_page = per_page if per_page in PAGE_SIZES else 25
        filters = _filters(args)
        cards, more = search_cards(company, args.get("q", ""), **filters, page=page, per_page=per_page)
        total = None if args.get("q", "").strip() else count_cards(company, **filters, cap=COUNT_CAP)
        card_types = db.session.scalars(self.owned(CardType, shared=True).order_by(CardType.name)).all()
        page_args = {k: v for k, v in args.items() if k != "page"}
        pending = set(db.session.scalars(select(CardChange.card_id).where(
            CardChange.card_id.in_([c.id for c in cards]), CardChange.state == ChangeState.PENDING.value))) if cards else set()
        return self.render("admin/cards/list.html", cards=cards, more=more, total=total, page=page, page_args=page_args,
                           pending=pending, CardStatus=CardStatus, card_types=card_types, fmt_id=format_national_id,
                           expiring=_expiring_days(args), count_cap=COUNT_CAP,
                           export_args={k: v for k, v in page_args.items() if k not in ("per_page", "format")})

    @expose("/export")
    def export(self):
        """The filtered list as a file: the company's cards only, at most EXPORT_LIMIT rows."""
        fmt = "xlsx" if request.args.get("format") == "xlsx" else "csv"
        data = export_cards(self.company, fmt, request.args.get("q", ""), **_filters(request.args))
        mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                    else "text/csv; charset=utf-8")
        return Response(data, mimetype=mimetype,
                        headers={"Content-Disposition": f"attachment; filename=cardwright-cards.{fmt}"})

    @expose("/bulk", methods=["POST"])
    @field_limits(reason=2000)
    def bulk(self):
        self._need("cards")
        company = self.company
        action, reason = request.form.get("action"), request.form.get("reason", "")
        cards = [self._card(raw) for raw in request.form.getlist("card_id")[:BULK_LIMIT]]
        if action in ("renew_order", "renew_collect"):
            return self._renew(company, cards, COLLECT if action == "renew_collect" else ORDER)
        do = {"block": lambda c: block_card(company, current_user, c, reason),
              "unblock": lambda c: unblock_card(company, current_user, c),
              "terminate": lambda c: terminate_card(company, current_user, c, reason)}.get(action)
        if do is None:
            abort(400)
        done, problems = 0, []
        for card in cards:
            try:
                with db.session.begin_nested():  # a refused card leaves the others' changes in place
                    do(card)
                done += 1
            except CardError as exc:
                problems.append(f"{card.holder_name}: {exc}")
        db.session.commit()
        if done:
            flash(ngettext("%(num)d card updated.", "%(num)d cards updated.", done), "success")
        if problems and action == "unblock":
            flash(ngettext("%(num)d card could not be unblocked:", "%(num)d cards could not be unblocked:",
                           len(problems)), "error")
        for p in problems[:10]:
            flash(p, "error")
        return redirect(request.referrer or url_for(".index"))

    def _renew(self, company, cards, via):
        renewed = renew_cards(company, current_user, cards, via)
        db.session.commit()
        if renewed.ordered:
            flash(ngettext("%(num)d card to renew is in your cart: check it and place the order.",
                           "%(num)d cards to renew are in your cart: check them and place the order.",
                           renewed.ordered), "success")
        if renewed.collected:
            flash(ngettext("%(num)d card holder was asked for their data and photo.",
                           "%(num)d card holders were asked for their data and photo.", renewed.collected), "success")
        for p in renewed.problems[:10]:
            flash(p, "error")
        if renewed.ordered:
            return redirect(url_for("cart.index"))
        return redirect(request.referrer or url_for(".index"))

    @expose("/<int:card_id>/replace", methods=["GET", "POST"])
    def replace(self, card_id: int):
        """Replace card: why (lost, stolen, damaged, name change, new photo), then the way to the new card."""
        self._need("cards")
        company, card = self.company, self._card(card_id)
        error = None
        if request.method == "POST":
            reason = request.form.get("reason", "")
            via = request.form.get("via") if request.form.get("via") in (ORDER, COLLECT) else None
            try:
                done = replace_card(company, current_user, card, reason, via=via)
            except CardError as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                if done.via == COLLECT:
                    flash(_("%(name)s got an email asking for a new photo. The new card replaces this one.",
                            name=card.holder_name), "success")
                    return redirect(url_for(".details", card_id=card.id))
                flash(_("The new card for %(name)s is in your cart with the card's data: change what is new, "
                        "then place the order.", name=card.holder_name), "success")
                return redirect(url_for("cart.index"))
        return self.render("admin/cards/replace.html", card=card, reasons=ReplacementReason, error=error,
                           lost_or_stolen=sorted(BLOCK_AT_ONCE), CardStatus=CardStatus)

    @expose("/<int:card_id>")
    def details(self, card_id: int):
        card = self._card(card_id)
        events = db.session.scalars(select(CardStatusEvent).where(CardStatusEvent.card_id == card.id)
                                    .order_by(CardStatusEvent.id.desc())).all()
        changes = db.session.scalars(select(CardChange).where(CardChange.card_id == card.id)
                                     .order_by(CardChange.id.desc())).all()
        jobs = db.session.scalars(select(PrintJob).where(PrintJob.card_id == card.id).order_by(PrintJob.id.desc())).all()
        fields = data_fields(card.card_type)
        self._read(card, "personal_data.card_viewed")
        replaced = self.get_owned(Card, card.replaces_card_id) if card.replaces_card_id else None
        return self.render("admin/cards/details.html", card=card, events=events, jobs=jobs, fields=fields,
                           replaced=replaced, replacements=replacements_of(card), ReplacementReason=ReplacementReason,
                           changes=[summarise_change(card, ch) for ch in changes], CardStatus=CardStatus,
                           fmt_id=format_national_id, ChangeState=ChangeState, PrintJobStatus=PrintJobStatus,
                           system_reasons=SYSTEM_REASONS,
                           print_errors=SYSTEM_ERRORS,
                           printers=enabled_printers(self.company) if user_can("print") else [])

    @expose("/<int:card_id>/print", methods=["POST"])
    def print_card(self, card_id: int):
        """Print (or reprint) this card: always an explicit, new print job."""
        self._need("print")
        company, card = self.company, self._card(card_id)
        try:  # the rules of printing (status, photo, approval) live in queue_print
            job = queue_print(company, current_user, card, request.form.get("printer_id", type=int) or -1)
        except PrintError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The card is queued on %(printer)s.", printer=job.printer.name), "success")
        return redirect(url_for(".details", card_id=card.id))

    @expose("/<int:card_id>/changes/<int:change_id>/photo.jpg")
    def change_photo(self, card_id: int, change_id: int):
        card = self._card(card_id)
        change = self.get_owned(CardChange, change_id)
        if change.card_id != card.id or not storage.exists(change.photo_key):
            abort(404)
        return storage.send(change.photo_key, mimetype="image/jpeg", max_age=0)

    @expose("/<int:card_id>/status", methods=["POST"])
    @field_limits(reason=2000)
    def status(self, card_id: int):
        self._need("cards")
        company, card = self.company, self._card(card_id)
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
            flash(_("The card is now %(status)s.", status=str(CardStatus(card.status).label).lower()), "success")
        return redirect(url_for(".details", card_id=card.id))

    @expose("/<int:card_id>/change", methods=["GET", "POST"])
    @field_limits(holder_email=254)
    def change(self, card_id: int):
        self._need("cards")
        company, card = self.company, self._card(card_id)
        values, error = dict(card.holder_data or {}), None
        if request.method == "POST":
            values = read_layout_values(card.card_type, request.form)
            upload = request.files.get("photo")
            try:
                change = request_card_change(company, current_user, card, values,
                                             upload.read() if upload and upload.filename else None,
                                             holder_email=request.form.get("holder_email", ""))
            except (CardError, ImageRejected) as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                flash(_("The card holder got an email at %(email)s to approve the change.",
                        email=card.holder_email or change.proposed.get("_email", "")), "success")
                return redirect(url_for(".details", card_id=card.id))
        return self.render("admin/cards/change.html", card=card, fields=data_fields(card.card_type), values=values,
                           error=error)

    @expose("/<int:card_id>/production", methods=["POST"])
    @field_limits(card_number=40, chip_uid=40, readout_key=40, readout_value=200)
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
        self._read(card, "personal_data.photo_viewed")
        return storage.send(card.photo_key, mimetype="image/jpeg", max_age=0)


def register(admin) -> None:
    from admin_views.cards_production import register_production

    admin.add_view(CardsView(name=_l("Handle cards"), category=_l("Cards"), endpoint="cards", url="/admin/cards"))
    register_production(admin)
