"""Delivery addresses: list, add, change, archive (archived addresses are kept for the orders that used them)."""
from __future__ import annotations

from api import pages
from api.auth import api_blueprint, company, owned, require
from api.idempotency import idempotent
from api.schemas import AddressChange, AddressIn, AddressOut, AddressPage, PageQuery
from portal.infra.paging import rows_after
from portal.ordering.addresses import add_address, archive_address, change_address
from portal.ordering.models import Address

blp = api_blueprint("api_addresses", __name__, "/addresses", "Where the company's cards are delivered.")


@blp.route("")
@require("read")
@blp.arguments(PageQuery, location="query")
@blp.response(200, AddressPage)
def list_addresses(args):
    """Addresses in use (not archived), oldest first."""
    return pages.answer(*rows_after(Address, Address.company_id == company().id, Address.archived.is_(False),
                                    after_id=pages.decode(args["cursor"], "a"), limit=args["limit"]))


@blp.route("", methods=["POST"])
@require("order")
@idempotent
@blp.arguments(AddressIn)
@blp.response(201, AddressOut)
def create_address(args):
    """Add an address."""
    return add_address(company(), args)


def _own(address_id: int) -> Address:
    return owned(Address, address_id, "address")


@blp.route("/<int:address_id>")
@require("read")
@blp.response(200, AddressOut)
def get_address(address_id):
    """One address (also an archived one)."""
    return _own(address_id)


@blp.route("/<int:address_id>", methods=["PATCH"])
@require("order")
@idempotent
@blp.arguments(AddressChange)
@blp.response(200, AddressOut)
def update_address(args, address_id):
    """Change an address: only the fields sent change."""
    return change_address(_own(address_id), args)


@blp.route("/<int:address_id>", methods=["DELETE"])
@require("order")
@idempotent
@blp.response(200, AddressOut)
def delete_address(address_id):
    """Archive the address: hidden from every list, kept for the orders that went there."""
    return archive_address(_own(address_id))
