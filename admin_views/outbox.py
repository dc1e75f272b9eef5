"""Screen: the email outbox for the operator, to see what is waiting or failed and send it again."""
from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from admin_views.base import AppModelView
from portal.app_setup import badge, when
from portal.extensions import db
from portal.mail import OutboxEmail, OutboxState, send_again

STATE_LABELS = {
    OutboxState.PENDING: _l("Waiting"), OutboxState.SENDING: _l("Sending"),
    OutboxState.SENT: _l("Sent"), OutboxState.FAILED: _l("Failed"),
}
STATE_COLOURS = {OutboxState.PENDING: "warning", OutboxState.SENDING: "info", OutboxState.SENT: "success",
                 OutboxState.FAILED: "danger"}


class OutboxView(AppModelView):
    """Read-only: bodies are not shown (they carry personal links)."""

    operator_only = True
    allow_create = allow_edit = allow_delete = False
    can_view_details = False
    column_list = ["created_at", "to", "subject", "state", "attempts", "next_attempt_at", "last_error"]
    column_labels = {
        "created_at": _l("Queued"), "to": _l("To"), "subject": _l("Subject"), "state": _l("Status"),
        "attempts": _l("Attempts"), "next_attempt_at": _l("Next try"), "last_error": _l("Last error"),
    }
    column_default_sort = ("id", True)
    column_searchable_list = ["to", "subject"]
    column_filters = [FilterEqual(OutboxEmail.state, _l("Status"), options=[(s.value, label)
                                                                           for s, label in STATE_LABELS.items()])]
    column_formatters = {
        "created_at": lambda v, c, m, n: when(m.created_at),
        "state": lambda v, c, m, n: badge(STATE_LABELS.get(m.state, m.state), STATE_COLOURS.get(m.state, "secondary")),
        "next_attempt_at": lambda v, c, m, n: when(m.next_attempt_at) if m.state == OutboxState.PENDING else "",
        "last_error": lambda v, c, m, n: (m.last_error or "")[:160],
    }
    empty_hint = _l("No emails yet. Invitations, orders and data requests queue their emails here.")

    @action("send_again", _l("Send again"), _l("Send the selected emails again now?"))
    def action_send_again(self, ids):
        count = send_again(ids)
        db.session.commit()
        flash(ngettext("%(num)d email will be sent again.", "%(num)d emails will be sent again.", count), "success")


def register(admin) -> None:
    admin.add_view(OutboxView(OutboxEmail, db, name=_l("Email outbox"), category=_l("Operator"),
                              endpoint="op_outbox", url="/admin/outbox"))
