"""Data collection: invite employees to send their details and photo (each gets a personal link by email),
follow the requests, remind, withdraw."""
from __future__ import annotations

from flask import g

from api import pages
from api.auth import api_blueprint, company, owned, require
from api.idempotency import idempotent
from api.problems import PROBLEM, ApiProblem
from api.schemas import CollectionRequestOut, CollectionRequestPage, InviteIn, InviteOut, Problem, StatusListQuery
from portal.collection.email_list import ParsedAddress
from portal.collection.models import CollectionRequest
from portal.collection.operations import CollectionError, remove_request, resend_request, send_requests
from portal.infra.paging import rows_after
from portal.ordering.operations import OrderingError, card_type_for

blp = api_blueprint("api_collection", __name__, "/collection-requests",
                    "Invite employees to send their details and photo; follow, remind and withdraw the requests.")


def _refused(exc: Exception):
    return ApiProblem(409, "collection-refused", str(exc))


@blp.route("")
@require("read")
@blp.arguments(StatusListQuery, location="query")
@blp.response(200, CollectionRequestPage)
def list_requests(args):
    """Requests of the company, oldest first, with their status (pending, in_review, rejected, in_cart, ordered,
    removed, expired)."""
    where = [CollectionRequest.company_id == company().id]
    if args["status"]:
        where.append(CollectionRequest.status == args["status"])
    return pages.answer(*rows_after(CollectionRequest, *where, after_id=pages.decode(args["cursor"], "a"),
                                    limit=args["limit"]))


@blp.route("", methods=["POST"])
@require("collect")
@idempotent
@blp.arguments(InviteIn)
@blp.response(201, InviteOut)
@blp.alt_response(409, schema=Problem, description="Someone has an open request for this card type already, or "
                  "the card type or address is not the company's.", content_type=PROBLEM)
def invite(args):
    """Invite many people at once: one request and one email with a personal link each."""
    try:
        card_type = card_type_for(company(), args["card_type_id"])
        created = send_requests(company(), g.api_key.created_by, card_type,
                                [ParsedAddress(p["email"], p["name"]) for p in args["people"]],
                                address_id=args["address_id"], language=args["language"])
    except (OrderingError, CollectionError) as exc:
        raise _refused(exc) from None
    return {"items": created}


def _own(request_id: int) -> CollectionRequest:
    return owned(CollectionRequest, request_id, "request")


@blp.route("/<int:request_id>")
@require("read")
@blp.response(200, CollectionRequestOut)
def get_request(request_id):
    """One request."""
    return _own(request_id)


@blp.route("/<int:request_id>/remind", methods=["POST"])
@require("collect")
@idempotent
@blp.response(200, CollectionRequestOut)
@blp.alt_response(409, schema=Problem, description="The request is answered already.", content_type=PROBLEM)
def remind(request_id):
    """Email the personal link again."""
    req = _own(request_id)
    try:
        return resend_request(company(), req.id)
    except CollectionError as exc:
        raise _refused(exc) from None


@blp.route("/<int:request_id>", methods=["DELETE"])
@require("collect")
@idempotent
@blp.response(200, CollectionRequestOut)
@blp.alt_response(409, schema=Problem, description="The request is answered already.", content_type=PROBLEM)
def remove(request_id):
    """Withdraw a request the employee has not answered; the link then says it was withdrawn."""
    req = _own(request_id)
    try:
        remove_request(company(), req.id)
    except CollectionError as exc:
        raise _refused(exc) from None
    return req
