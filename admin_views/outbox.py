"""Operator screen: the email outbox, so failures are seen (and sent again) rather than silent."""
from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin_views.catalog import OperatorView
from portal.infra.extensions import db
from portal.infra.formatting import badge, when
from portal.outbox.models import OutboxEmail, OutboxState
from portal.outbox.status import send_again


def _state_badge(view, context, model, name):
    if model.state == OutboxState.PENDING.value and model.attempts:
        return badge(_("Retrying"), "warning")
    return badge(OutboxState.of(model.state))


class OutboxView(OperatorView):
    """Every email of every company; bodies are not shown (they carry personal links)."""

    allow_create = allow_edit = allow_delete = False
    can_view_details = False
    column_list = ["created_at", "to", "subject", "state", "attempts", "next_attempt_at", "last_error", "sent_at"]
    column_labels = {
        "created_at": _l("Queued"), "to": _l("Recipient"), "subject": _l("Subject"), "state": _l("Status"),
        "attempts": _l("Attempts"), "next_attempt_at": _l("Next try"), "last_error": _l("Last error"),
        "sent_at": _l("Sent"),
    }
    column_searchable_list = ["to", "subject"]
    column_filters = [FilterEqual(OutboxEmail.state, _l("Status"), options=OutboxState.choices())]
    column_default_sort = ("id", True)
    column_formatters = {
        "state": _state_badge,
        "created_at": lambda v, c, m, n: when(m.created_at),
        "sent_at": lambda v, c, m, n: when(m.sent_at),
        "next_attempt_at": lambda v, c, m, n: when(m.next_attempt_at) if m.state == OutboxState.PENDING else "",
    }
    empty_hint = _l("No emails yet. Invitations, personal links and order confirmations appear here as they are sent.")

    @action("send_again", _l("Send again now"), _l("Send the selected emails again at the next outbox run?"))
    def action_send_again(self, ids):
        count = send_again([int(i) for i in ids])
        db.session.commit()
        flash(_("%(num)d emails queued to be sent again.", num=count), "success")


def register(admin) -> None:
    admin.add_view(OutboxView(OutboxEmail, db, name=_l("Email outbox"), category=_l("Operator"), endpoint="outbox"))
