"""Cards: list and search, read one (and its photo), block, unblock, terminate (the same rules as *Handle cards*)."""
from __future__ import annotations

from datetime import UTC, datetime

from api import pages
from api.auth import api_blueprint, company, require
from api.idempotency import idempotent
from api.problems import PROBLEM, ApiProblem
from api.schemas import CardChangeIn, CardChangeOut, CardOut, CardPage, CardQuery, Problem, ReasonIn
from portal.audit.reads import record_read
from portal.cards.listing import cards_after
from portal.cards.operations import (
    CardError,
    block_card,
    own_card,
    request_card_change,
    terminate_card,
    unblock_card,
)
from portal.cards.search import search_cards
from portal.infra import storage

blp = api_blueprint("api_cards", __name__, "/cards",
                    "The company's cards: find them, read them, block, unblock or terminate them.")


@blp.route("")
@require("read")
@blp.arguments(CardQuery, location="query")
@blp.response(200, CardPage)
def list_cards(args):
    """Cards of the company. Without `q`: oldest first, and every card once however the list changes
    while you page (use `updated_since` to keep in step). With `q`: the newest matches first."""
    since = _in_utc(args["updated_since"])
    if args["q"] and args["q"].strip():
        page = pages.decode(args["cursor"], "p")
        found, more = search_cards(company(), args["q"], status=args["status"], card_type_id=args["card_type_id"],
                                   updated_since=since, expiring_before=args["expiring_before"], page=page, per_page=args["limit"])
        return pages.answer(found, page + 1 if more else None, "p")
    found, after = cards_after(company(), after_id=pages.decode(args["cursor"], "a"), updated_since=since,
                               status=args["status"], card_type_id=args["card_type_id"],
                               expiring_before=args["expiring_before"], limit=args["limit"])
    return pages.answer(found, after)


def _in_utc(moment: datetime | None) -> datetime | None:
    """A moment with a zone as the stored UTC time; one beyond the calendar once in UTC (year 1 at +14:00)
    is before or after everything."""
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return datetime.min if moment.year < 5000 else datetime.max


def _card(card_id: int):
    try:
        return own_card(company(), card_id)
    except (LookupError, ValueError, OverflowError):
        raise ApiProblem(404, "not-found", "No such card in your company.") from None


def _read(card, action: str) -> None:
    """Reading one card's personal data goes into the read-access audit, as the card page does (the key's
    name says who read it); lists are not logged."""
    record_read(company().id, action, card, national_id=card.national_id, email=card.holder_email,
                name=card.holder_name)


@blp.route("/<int:card_id>")
@require("read")
@blp.response(200, CardOut)
def get_card(card_id):
    """One card. The read is written to the company's audit log (*Person's data viewed*: the card page), with
    the key's name as who read it."""
    card = _card(card_id)
    _read(card, "personal_data.card_viewed")
    return card


@blp.route("/<int:card_id>/photo")
@require("read")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="image/jpeg",
              description="The card's photo as JPEG.")
@blp.alt_response(404, schema=Problem, description="No such card in your company, or it has no photo.",
                  content_type=PROBLEM)
def get_card_photo(card_id):
    """The photo the card was made with. The read is written to the company's audit log (*Photo viewed*), with
    the key's name as who read it."""
    card = _card(card_id)
    if not card.photo_key or not storage.exists(card.photo_key):
        raise ApiProblem(404, "not-found", "This card has no photo.")
    _read(card, "personal_data.photo_viewed")
    return storage.send(card.photo_key, mimetype="image/jpeg", max_age=0)


def _moved(card_id: int, move, *reason: str):
    """The card after `move` (block_card, unblock_card, terminate_card) as the screens do it; 409 if its status
    does not allow it."""
    card = _card(card_id)
    try:
        move(company(), None, card, *reason)
    except CardError as exc:
        raise ApiProblem(409, "status-conflict", str(exc)) from None
    return card


@blp.route("/<int:card_id>/block", methods=["POST"])
@require("cards")
@idempotent
@blp.arguments(ReasonIn)
@blp.response(200, CardOut)
@blp.alt_response(409, schema=Problem, description="The card cannot be blocked in its status.", content_type=PROBLEM)
def block(args, card_id):
    """Block the card now (lost, stolen, left the company); it can be unblocked later."""
    return _moved(card_id, block_card, args["reason"])


@blp.route("/<int:card_id>/unblock", methods=["POST"])
@require("cards")
@idempotent
@blp.response(200, CardOut)
@blp.alt_response(409, schema=Problem, description="The card is not blocked.", content_type=PROBLEM)
def unblock(card_id):
    """Unblock a blocked card."""
    return _moved(card_id, unblock_card)


@blp.route("/<int:card_id>/terminate", methods=["POST"])
@require("cards")
@idempotent
@blp.arguments(ReasonIn)
@blp.response(200, CardOut)
@blp.alt_response(409, schema=Problem, description="The card is terminated already.", content_type=PROBLEM)
def terminate(args, card_id):
    """End the card for good."""
    return _moved(card_id, terminate_card, args["reason"])


@blp.route("/<int:card_id>/changes", methods=["POST"])
@require("cards")
@idempotent
@blp.arguments(CardChangeIn)
@blp.response(201, CardChangeOut)
@blp.alt_response(422, schema=Problem, description="A value does not fit the card type's layout (the detail says "
                  "which), or the card is terminated.", content_type=PROBLEM)
def request_change(args, card_id):
    """Propose new holder details: nothing changes until the holder approves through the link emailed to them
    (an earlier proposal still waiting is replaced)."""
    card = _card(card_id)
    try:
        return request_card_change(company(), None, card, args["values"], holder_email=args["holder_email"])
    except CardError as exc:
        raise ApiProblem(422, "invalid-change", str(exc)) from None
