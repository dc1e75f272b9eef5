"""Signals of the tenancy feature, for the features above it.

`tenancy_event` carries named events that are not plain row changes (an invitation sent, a logo
replaced); the audit feature records them. Row changes themselves (a role, a setting, a name) are
recorded by the audit listener from the models' `__audited__` fields, so nothing here repeats them.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
tenancy_event = _signals.signal("tenancy-event")


def announce(action: str, *, company_id: int | None, obj=None, summary: str = "", user_id: int | None = None) -> None:
    """Tell the listeners (the audit log) that `action` happened; `company_id=None`: the operator's log."""
    tenancy_event.send(action, company_id=company_id, obj=obj, summary=summary, user_id=user_id)
