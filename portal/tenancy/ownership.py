"""Which company owns a row: the one rule every company screen scopes its queries by.

A model is company-owned when it has a `company_id` column, or when it names the column that points at
its owning parent in `__tenant_owner__` (an order line belongs to its order's company). Companies and
users are owned too: a company owns itself, a user belongs to the companies whose invitation they accepted.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from portal.infra.extensions import db
from portal.tenancy.models import Company, Membership, User


def _model_of_table(table):
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    raise LookupError(table.name)


def parent_of(model):
    """(column, parent model) for a model owned through its parent, else None."""
    name = getattr(model, "__tenant_owner__", None)
    if not name:
        return None
    column = getattr(model, name)
    fk = next(iter(column.property.columns[0].foreign_keys))
    return column, _model_of_table(fk.column.table)


def is_company_owned(model) -> bool:
    return model in (Company, User) or hasattr(model, "company_id") or parent_of(model) is not None


def owned_by(model, company_id: int, *, shared: bool = False):
    """SQL criterion for the rows of `model` that belong to `company_id`, or None if no company owns them.

    `shared=True` also admits rows that belong to no company where the model allows that (the
    operator's catalogue card types, offered to every company): for choosing, never for editing.
    """
    if model is Company:
        return Company.id == company_id
    if model is User:
        # Not through an invitation the account has not accepted: that would show the account's own name.
        return User.memberships.any((Membership.company_id == company_id) & Membership.pending.is_(False))
    column = getattr(model, "company_id", None)
    if column is not None:
        if shared and column.property.columns[0].nullable:
            return or_(column == company_id, column.is_(None))
        return column == company_id
    parent = parent_of(model)
    if parent is not None:
        column, parent_model = parent
        return column.in_(select(parent_model.id).where(owned_by(parent_model, company_id, shared=shared)))
    return None
