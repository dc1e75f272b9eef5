"""GET /api/v1/accessories: what can be ordered besides cards (lanyards, holders), for an order's lines."""
from __future__ import annotations

from api import pages
from api.auth import api_blueprint, require
from api.schemas import AccessoryPage, PageQuery
from portal.catalog.operations import offered_accessories

blp = api_blueprint("api_accessories", __name__, "/accessories",
                    "Accessories the company can order with its cards.")


@blp.route("")
@require("read")
@blp.arguments(PageQuery, location="query")
@blp.response(200, AccessoryPage)
def list_accessories(args):
    """Accessories on offer, by name."""
    return pages.of_list(offered_accessories(), args)
