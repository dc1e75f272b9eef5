"""Delivery addresses of a company, for callers other than the Addresses screen (the API): add, change,
archive. An archived address is hidden from every list and kept for the orders that went there."""
from __future__ import annotations

from portal.infra.extensions import db
from portal.ordering.models import Address
from portal.tenancy.models import Company

FIELDS = ("name", "attention", "street", "postcode", "city", "country", "for_collection")


def add_address(company: Company, values: dict) -> Address:
    address = Address(company_id=company.id, **{k: values[k] for k in FIELDS if k in values})
    db.session.add(address)
    db.session.flush()
    return address


def change_address(address: Address, values: dict) -> Address:
    for key in FIELDS:
        if key in values:
            setattr(address, key, values[key])
    db.session.flush()
    return address


def archive_address(address: Address) -> Address:
    address.archived = True
    db.session.flush()
    return address
