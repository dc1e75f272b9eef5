"""GET /api/v1/card-types: what the company can order, with each type's layout fields."""
from __future__ import annotations

from api import pages
from api.auth import api_blueprint, company, require
from api.schemas import CardTypePage, PageQuery
from portal.catalog.operations import offered_card_types

blp = api_blueprint("api_card_types", __name__, "/card-types",
                    "Card types the company can order, with the fields each card needs.")


@blp.route("")
@require("read")
@blp.arguments(PageQuery, location="query")
@blp.response(200, CardTypePage)
def list_card_types(args):
    """Card types of the company (the shared catalogue and its own), by name."""
    return pages.of_list(offered_card_types(company()), args)
