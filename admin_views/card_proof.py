"""The card proof as a response: the order form's live proof, the cart's and In review's thumbnails."""
from __future__ import annotations

from urllib.parse import quote

from flask import abort, make_response, request

from portal.catalog.models import CardType
from portal.printing.proof import (
    PROOF_MEDIA_TYPE,
    PROOF_WIDTHS,
    ProofBusy,
    ProofRefused,
    proof_alt,
    proof_version,
    render_proof,
)


def send_proof(company, card_type: CardType, values: dict, *, photo: bytes | None = None,
               photo_key: str | None = None, size: str = "small"):
    """The proof image as a response, its text alternative in `X-Proof-Alt` (URL-encoded) for the live
    proof's script; 413 for input larger than a card holds, 503 when the server is busy drawing others.
    A stored card's proof (a GET) carries an ETag: the browser asks again and an unchanged card is not
    drawn again; the live proof (a POST) is never stored."""
    size = size if size in PROOF_WIDTHS else "small"
    etag = proof_version(company, card_type, values, photo_key, size) if request.method == "GET" else None
    if etag and etag in request.if_none_match:
        response = make_response("", 304)
    else:
        try:
            image = render_proof(company, card_type, values, photo=photo, photo_key=photo_key, size=size)
        except ProofRefused:
            abort(413)
        except ProofBusy:
            response = make_response("", 503)
            response.headers["Retry-After"] = "2"
            return response
        response = make_response(image)
        response.headers["Content-Type"] = PROOF_MEDIA_TYPE
        response.headers["X-Proof-Alt"] = quote(proof_alt(company, card_type, values))
    if etag:
        response.set_etag(etag)
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response
