"""The card proof: the printed card front (the same renderer as the print queue), small, for screens.

The order form asks for a proof as the orderer types; the cart and In review show one per line. Each
proof is bounded work: values no longer than their fields allow, a small photo, one downscaled image.
"""
from __future__ import annotations

import hashlib
import io
import json
import threading

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image

from portal.catalog.layout import data_fields, holder_name
from portal.catalog.models import CardType
from portal.infra.images import ImageRejected, normalise_photo, open_upload
from portal.printing.operations import printed_values
from portal.printing.render import CARD_SIZE, draw_card
from portal.tenancy.models import Company

PROOF_WIDTHS = {"small": 320, "medium": 640, "large": CARD_SIZE[0]}  # a thumbnail, the order form's, print size
PROOF_MEDIA_TYPE = "image/webp"
PROOF_PHOTO_BYTES = 2 * 1024 * 1024  # the order form sends a downscaled copy of the chosen photo
PROOF_PHOTO_PIXELS = 6_000_000
# Proofs drawn at once by this process: a page of thumbnails or a fast typist waits a moment in line, and
# no client can make the server draw more than this many cards at the same time.
PROOF_CONCURRENCY = 2
PROOF_WAIT_SECONDS = 5
_drawing = threading.BoundedSemaphore(PROOF_CONCURRENCY)


class ProofRefused(ValueError):
    """The input is more than a proof draws (a value longer than its field, a photo too large)."""


class ProofBusy(RuntimeError):
    """Every proof slot stayed busy for PROOF_WAIT_SECONDS: the client should try again shortly."""


def proof_values(card_type: CardType, values: dict) -> dict[str, str]:
    """The card type's typed fields from `values`; anything longer than its field allows is refused."""
    clean = {}
    for field in data_fields(card_type):
        value = str(values.get(field.key) or "")
        if len(value) > field.max_length:
            raise ProofRefused(_l("%(field)s is longer than the card allows (at most %(max)d characters).",
                                  field=field.label, max=field.max_length))
        clean[field.key] = value.strip()
    return clean


def proof_photo(card_type: CardType, data: bytes) -> bytes:
    """An unsaved photo (the order form's choice) cropped as the card prints it; bounded size and pixels."""
    if len(data) > PROOF_PHOTO_BYTES:
        raise ProofRefused(_l("The photo is too large for a proof."))
    try:
        open_upload(data, max_pixels=PROOF_PHOTO_PIXELS, max_bytes=PROOF_PHOTO_BYTES)
        return normalise_photo(data, size=(card_type.photo_width, card_type.photo_height), check_size=False)
    except ImageRejected as exc:
        raise ProofRefused(str(exc)) from None


def render_proof(company: Company, card_type: CardType, values: dict, *, photo: bytes | None = None,
                 photo_key: str | None = None, size: str = "small") -> bytes:
    """The card as it will print (company logo, the card type's layout, the holder's data and photo) as
    WebP, `size` "small" (a thumbnail), "medium" or "large". `photo` is raw upload bytes, `photo_key` a stored photo."""
    # Choices as the printer prints them: in the company's language (the same as printed cards).
    shown = printed_values(card_type, proof_values(card_type, values), company.country or "SE", company.language)
    template = card_type.template
    if not _drawing.acquire(timeout=PROOF_WAIT_SECONDS):
        raise ProofBusy()
    try:
        card = draw_card(
            layout=template.layout if template else None,
            background=template.background_color if template else "#ffffff",
            values=shown, photo_key=photo_key, logo_key=company.logo_key, company_name=company.name,
            photo=proof_photo(card_type, photo) if photo else None,
        )
        width = PROOF_WIDTHS.get(size, PROOF_WIDTHS["small"])
        if width != card.width:
            card = card.resize((width, round(card.height * width / card.width)), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        card.save(out, format="WEBP", quality=85, method=2)
        return out.getvalue()
    finally:
        _drawing.release()


def proof_version(company: Company, card_type: CardType, values: dict, photo_key: str | None, size: str) -> str:
    """A fingerprint of everything a stored card's proof shows: an unchanged card answers "not modified"
    without being drawn again."""
    template = card_type.template
    seen = [company.name, company.logo_key, company.country, company.language, card_type.name, template.layout if template else None,
            template.background_color if template else None, values, photo_key, size]
    return hashlib.sha256(json.dumps(seen, sort_keys=True, default=str).encode()).hexdigest()[:32]


def proof_alt(company: Company, card_type: CardType, values: dict) -> str:
    """The proof's text alternative: which card, whose, and for which company."""
    name = holder_name(card_type, {k: str(v or "").strip() for k, v in (values or {}).items()})
    if name:
        return _("Card proof: %(card_type)s for %(name)s, %(company)s", card_type=card_type.display_name, name=name,
                 company=company.name)
    return _("Card proof: %(card_type)s, %(company)s (no name filled in yet)", card_type=card_type.display_name,
             company=company.name)
