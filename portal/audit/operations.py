"""Recording audit events."""
from __future__ import annotations

from typing import Any

from flask_login import current_user

from portal.audit.models import AuditEvent
from portal.infra.extensions import db


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def record(
    action: str,
    *,
    company_id: int | None,
    obj: Any = None,
    summary: str = "",
    changes: dict | None = None,
    user_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction. `changes` maps field -> [before, after]."""
    if user_id is None:
        try:
            user_id = current_user.id if current_user and current_user.is_authenticated else None
        except (AttributeError, RuntimeError):
            user_id = None
    event = AuditEvent(
        action=action,
        company_id=company_id,
        user_id=user_id,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "") or ""),
        summary=summary[:2000],
        changes={k: [_jsonable(a), _jsonable(b)] for k, (a, b) in (changes or {}).items()},
    )
    db.session.add(event)
    return event
