"""The card proof as a response: the order form's live proof, the cart's and In review's thumbnails."""
from __future__ import annotations

from urllib.parse import quote

from flask import abort, make_response

from portal.catalog.models import CardType
from portal.printing.proof import PROOF_MEDIA_TYPE, ProofRefused, proof_alt, render_proof


def send_proof(company, card_type: CardType, values: dict, *, photo: bytes | None = None,
               photo_key: str | None = None, size: str = "small"):
    """The proof image as a response, its text alternative in `X-Proof-Alt` (URL-encoded) for the live
    proof's script; 413 for input larger than a card holds."""
    try:
        image = render_proof(company, card_type, values, photo=photo, photo_key=photo_key, size=size)
    except ProofRefused:
        abort(413)
    response = make_response(image)
    response.headers["Content-Type"] = PROOF_MEDIA_TYPE
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Proof-Alt"] = quote(proof_alt(company, card_type, values))
    return response
