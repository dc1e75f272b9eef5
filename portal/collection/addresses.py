"""The company's data-collection addresses: the only delivery addresses an employee may pick, and the
only ones the orderer assigns on the data collection screens. One definition for every caller."""
from __future__ import annotations

from sqlalchemy import select

from portal.infra.extensions import db
from portal.ordering.models import Address


def _designated(company_id: int):
    return (Address.company_id == company_id, Address.for_collection.is_(True), Address.archived.is_(False))


def collection_addresses(company_id: int) -> list[Address]:
    return list(db.session.scalars(select(Address).where(*_designated(company_id)).order_by(Address.name)))


def collection_address(company_id: int, address_id: int) -> Address | None:
    """That address if it is one of the company's data-collection addresses, else None."""
    return db.session.scalar(select(Address).where(Address.id == address_id, *_designated(company_id)))
