"""Small shared pieces of the Data collection screen: what the current company may pick, the
request lookup that answers 404 for other companies' ids, and the tab counts.

Kept apart from the page mixins so each tab's module stays short and reads on its own.
"""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.catalog.models import CardType
from portal.collection.models import CollectionRequest
from portal.infra.extensions import db
from portal.ordering.models import Address
from portal.tenancy.models import Company

TABS = ("collect", "pending", "review")


def card_types_for(company: Company) -> list[CardType]:
    """Active card types offered to the company: the shared catalogue plus its own."""
    return list(
        db.session.scalars(
            select(CardType)
            .options(selectinload(CardType.fields))
            .where(CardType.active.is_(True), or_(CardType.company_id.is_(None), CardType.company_id == company.id))
            .order_by(CardType.name)
        )
    )


def chosen_card_type(company: Company, raw_id) -> CardType | None:
    """The card type named by a form or query value, only if the company may use it."""
    try:
        wanted = int(raw_id)
    except (TypeError, ValueError):
        return None
    return next((ct for ct in card_types_for(company) if ct.id == wanted), None)


def collection_addresses(company: Company) -> list[Address]:
    """The company's data-collection addresses: the only ones offered on this screen."""
    return list(
        db.session.scalars(
            select(Address)
            .where(Address.company_id == company.id, Address.for_collection.is_(True), Address.archived.is_(False))
            .order_by(Address.name)
        )
    )


def chosen_address_id(company: Company, raw_id) -> int | None:
    """An optional address id from a form: empty -> None; not one of ours -> 404."""
    if raw_id in (None, ""):
        return None
    try:
        wanted = int(raw_id)
    except (TypeError, ValueError):
        abort(404)
    if wanted not in {a.id for a in collection_addresses(company)}:
        abort(404)
    return wanted


def own_request(company: Company, request_id: int) -> CollectionRequest:
    """The company's request with this id, or 404 (another company's id looks like a missing one)."""
    found = db.session.scalar(
        select(CollectionRequest).where(
            CollectionRequest.id == request_id, CollectionRequest.company_id == company.id
        )
    )
    if found is None:
        abort(404)
    return found


def back_to(tab: str, **args):
    """Redirect to a tab, keeping the pending tab's search and page when the form sent them."""
    endpoint = {"collect": "collection.index", "pending": "collection.pending", "review": "collection.review"}[tab]
    if tab in ("pending", "review"):
        for key in ("q", "page"):
            value = request.form.get(key)
            if value:
                args.setdefault(key, value)
    return redirect(url_for(endpoint, **args))


def wants_json() -> bool:
    """True for the page's own fetch()/XHR calls (they ask for JSON)."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"
