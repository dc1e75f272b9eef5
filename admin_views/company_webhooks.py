"""Company > Webhooks: the company admin's endpoints, their secrets and their delivery logs."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import TenantView
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.webhooks.forms import EndpointForm
from portal.webhooks.models import EVENTS, ROTATION_OVERLAP, DeliveryState, WebhookDelivery, WebhookEndpoint
from portal.webhooks.operations import (
    WebhookError,
    create_endpoint,
    delete_endpoint,
    delivery_log,
    endpoints_of,
    last_deliveries,
    rotate_secret,
    send_again,
    send_test_event,
    set_enabled,
    update_endpoint,
)


class WebhooksView(TenantView):
    capability = "settings"

    @expose("/", methods=["GET", "POST"])
    def index(self):
        company = self.company
        form = EndpointForm()
        if request.method == "GET":
            form.events.data = list(EVENTS)
        if form.validate_on_submit():
            try:
                endpoint, secret = create_endpoint(company, current_user, form.url.data, form.description.data,
                                                   form.events.data)
            except WebhookError as exc:
                db.session.rollback()
                field = getattr(form, exc.field)
                field.errors = [*field.errors, str(exc)]
            else:
                db.session.commit()
                flash(_("Endpoint added. Copy its signing secret now: it is not shown again."), "success")
                return self._secret_page(endpoint, secret)
        endpoints = endpoints_of(company)
        return self.render("admin/company/webhooks.html", form=form, endpoints=endpoints,
                           last=last_deliveries(endpoints), events=EVENTS, states=DeliveryState)

    def _secret_page(self, endpoint, secret: str):
        """The secret, once: never kept by the browser's cache or history."""
        response = make_response(self.render("admin/company/webhook_secret.html", endpoint=endpoint, secret=secret))
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/<int:endpoint_id>/", methods=["GET", "POST"])
    def details(self, endpoint_id: int):
        company = self.company
        endpoint = self.get_owned(WebhookEndpoint, endpoint_id)
        form = EndpointForm(obj=endpoint)
        if form.validate_on_submit():
            try:
                update_endpoint(company, endpoint, form.url.data, form.description.data, form.events.data)
            except WebhookError as exc:
                db.session.rollback()
                field = getattr(form, exc.field)
                field.errors = [*field.errors, str(exc)]
            else:
                db.session.commit()
                flash(_("Endpoint saved."), "success")
                return redirect(url_for(".details", endpoint_id=endpoint.id))
        log = delivery_log(endpoint, request.args.get("page", 0, type=int))
        return self.render("admin/company/webhook.html", endpoint=endpoint, form=form, log=log, events=EVENTS,
                           states=DeliveryState, overlap_hours=int(ROTATION_OVERLAP.total_seconds() // 3600),
                           rotating=len(endpoint.secrets_at(utcnow())) > 1)

    @expose("/<int:endpoint_id>/change", methods=["POST"])
    def change(self, endpoint_id: int):
        company = self.company
        endpoint = self.get_owned(WebhookEndpoint, endpoint_id)
        what = request.form.get("what")
        if what == "rotate":
            secret = rotate_secret(company, current_user, endpoint)
            db.session.commit()
            flash(_("New signing secret made. Copy it now: it is not shown again. The old one keeps signing "
                    "for 24 hours, next to the new one."), "success")
            return self._secret_page(endpoint, secret)
        if what in ("enable", "disable"):
            set_enabled(company, endpoint, what == "enable")
            message = _("Endpoint switched on.") if what == "enable" else _("Endpoint switched off: no events are "
                                                                            "sent to it.")
        elif what == "test":
            send_test_event(company, current_user, endpoint)
            message = _("Test event queued: it is sent within a few seconds. Its result shows in the log below.")
        elif what == "delete":
            delete_endpoint(company, endpoint)
            db.session.commit()
            flash(_("Endpoint deleted."), "success")
            return redirect(url_for(".index"))
        else:
            abort(400)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for(".details", endpoint_id=endpoint.id))

    @expose("/<int:endpoint_id>/deliveries/<int:delivery_id>/again", methods=["POST"])
    def again(self, endpoint_id: int, delivery_id: int):
        company = self.company
        endpoint = self.get_owned(WebhookEndpoint, endpoint_id)
        delivery = self.get_owned(WebhookDelivery, delivery_id)
        if delivery.endpoint_id != endpoint.id:
            abort(404)
        send_again(company, delivery)
        db.session.commit()
        flash(_("The event is sent again within a few seconds."), "success")
        return redirect(url_for(".details", endpoint_id=endpoint.id))
