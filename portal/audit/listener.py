"""The audit listener: every change to an audited model is recorded in the flush that writes it.

A model takes part by naming the fields whose before/after the log keeps:

    __audited__ = frozenset({"name", "price", "active"})

and, where its rows do not belong to a company through `company_id`, whose log they go to:
`__audit_company__ = "id"` (the company row itself) or `None` (the operator's log). Nothing a view
does or forgets (an `on_model_change` without `super()`) can skip it. Secrets never enter a diff:
fields whose name holds "password", "token", "secret" or ends in "_hash" are dropped even if listed.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from sqlalchemy import Numeric, event, inspect
from sqlalchemy.orm import Session

from portal.audit.operations import new_event, record
from portal.infra.extensions import db

_SECRET = re.compile(r"password|token|secret|_hash$")
# A change of only this flag gets its own verb ("printer.disabled" rather than "printer.updated").
_TOGGLES = {"active": ("activated", "deactivated"), "enabled": ("enabled", "disabled")}


@cache
def audited_fields(cls) -> frozenset[str]:
    return frozenset(f for f in getattr(cls, "__audited__", ()) if not _SECRET.search(f))


def audit_kind(cls) -> str:
    """`CardType` -> `card_type`: the first half of the action name."""
    return getattr(cls, "__audit_name__", None) or re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def owner_company_id(obj) -> int | None:
    """The company whose log shows changes of this row; None for the operator's log."""
    attr = getattr(type(obj), "__audit_company__", "company_id")
    return getattr(obj, attr, None) if attr else None


def _summary(obj) -> str:
    try:
        return str(obj)
    except Exception:  # noqa: BLE001 - a summary must never break the write it describes
        return ""


def _as_stored(column_type, value):
    """A value as the database keeps it: a price typed as 25 is 25.00, as it reads back."""
    scale = getattr(column_type, "scale", None)
    if isinstance(column_type, Numeric) and scale is not None and isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-scale))
    return value


def _changes(obj, fields: frozenset[str], *, created: bool) -> dict:
    state = inspect(obj)
    columns = state.mapper.columns
    changes = {}
    for key in sorted(fields):
        if key not in state.attrs:
            continue
        column_type = columns[key].type if key in columns else None
        if created:
            value = getattr(obj, key, None)
            if value not in (None, ""):
                changes[key] = (None, _as_stored(column_type, value))
            continue
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        before = _as_stored(column_type, (hist.deleted or [None])[0])
        after = _as_stored(column_type, (hist.added or [None])[0])
        if before != after:
            changes[key] = (before, after)
    return changes


def _events_of_flush(session: Session) -> list:
    events = []
    for obj in session.new:
        fields = audited_fields(type(obj))
        if fields:
            events.append(new_event(f"{audit_kind(type(obj))}.created", company_id=owner_company_id(obj), obj=obj,
                                    summary=_summary(obj), changes=_changes(obj, fields, created=True)))
    for obj in session.dirty:
        fields = audited_fields(type(obj))
        if not fields or obj in session.deleted:
            continue
        changes = _changes(obj, fields, created=False)
        if not changes:
            continue
        verb = "updated"
        if len(changes) == 1 and next(iter(changes)) in _TOGGLES:
            key = next(iter(changes))
            verb = _TOGGLES[key][0] if changes[key][1] else _TOGGLES[key][1]
        events.append(new_event(f"{audit_kind(type(obj))}.{verb}", company_id=owner_company_id(obj), obj=obj,
                                summary=_summary(obj), changes=changes))
    for obj in session.deleted:
        if audited_fields(type(obj)):
            events.append(new_event(f"{audit_kind(type(obj))}.deleted", company_id=owner_company_id(obj), obj=obj,
                                    summary=_summary(obj)))
    return events


def _after_flush(session: Session, flush_context) -> None:
    # After the flush new rows have their ids, and new/dirty/deleted and the attribute history still
    # describe what was just written. The events are written by the next flush of the same
    # transaction (commit flushes until nothing is pending), so they commit or roll back with it.
    for audit_event in _events_of_flush(session):
        session.add(audit_event)


def _record_named_event(action: str, **fields) -> None:
    record(action, **fields)


def _keep_old_value(target, value, oldvalue, initiator):
    return value


def _load_before_values(model_base) -> None:
    """Make every audited attribute load its old value before a change, so "before" is known even
    when the row was expired (after a commit) when it was changed."""
    for mapper in model_base.registry.mappers:
        for key in audited_fields(mapper.class_):
            attr = getattr(mapper.class_, key, None)
            if attr is not None and not event.contains(attr, "set", _keep_old_value):
                event.listen(attr, "set", _keep_old_value, active_history=True, retval=True)


def install() -> None:
    """Listen to every session's flushes, and to the named events of the features below audit."""
    from portal.tenancy.signals import tenancy_event

    _load_before_values(db.Model)
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    tenancy_event.connect(_record_named_event)
