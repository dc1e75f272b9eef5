"""Recording audit events."""
from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_login import current_user

from portal.audit.models import AuditEvent
from portal.infra.extensions import db


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def acting_user_id() -> int | None:
    """The signed-in user of the current request, or None (jobs, CLI, no request)."""
    try:
        return current_user.id if current_user and current_user.is_authenticated else None
    except (AttributeError, RuntimeError):
        return None


def acting_api_key_id() -> int | None:
    """The API key the current request acts with (set by the API's authentication), or None."""
    return g.get("api_key_id") if has_request_context() else None


def new_event(
    action: str,
    *,
    company_id: int | None,
    obj: Any = None,
    summary: str = "",
    changes: dict | None = None,
    user_id: int | None = None,
) -> AuditEvent:
    """An audit event (not yet added to a session). `changes` maps field -> (before, after)."""
    return AuditEvent(
        action=action,
        company_id=company_id,
        user_id=acting_user_id() if user_id is None else user_id,
        api_key_id=acting_api_key_id(),
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "") or ""),
        summary=summary[:2000],
        changes={k: [_jsonable(a), _jsonable(b)] for k, (a, b) in (changes or {}).items()},
    )


def record(
    action: str,
    *,
    company_id: int | None,
    obj: Any = None,
    summary: str = "",
    changes: dict | None = None,
    user_id: int | None = None,
) -> AuditEvent:
    """Add a named audit event to the current transaction. Plain row changes of audited models are
    recorded by the listener (portal.audit.listener); this is for events that are not row changes.
    `company_id=None` files the event in the operator's log."""
    event = new_event(action, company_id=company_id, obj=obj, summary=summary, changes=changes, user_id=user_id)
    db.session.add(event)
    return event
