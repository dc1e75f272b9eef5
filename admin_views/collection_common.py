"""Small shared pieces of the Data collection screen: what the current company may pick and the
redirects between tabs (requests are loaded with the tenant base's `get_owned`).

Kept apart from the page mixins so each tab's module stays short and reads on its own.
"""
from __future__ import annotations

from flask import abort, redirect, request, url_for

from portal.catalog.models import CardType
from portal.catalog.operations import offered_card_types
from portal.collection.addresses import collection_addresses as designated_addresses
from portal.ordering.models import Address
from portal.tenancy.models import Company


def chosen_card_type(company: Company, raw_id) -> CardType | None:
    """The card type named by a form or query value, only if the company may use it."""
    try:
        wanted = int(raw_id)
    except (TypeError, ValueError):
        return None
    return next((ct for ct in offered_card_types(company) if ct.id == wanted), None)


def collection_addresses(company: Company) -> list[Address]:
    """The company's data-collection addresses: the only ones offered on this screen."""
    return designated_addresses(company.id)


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
