"""Reading the layout-driven card form: field values, the photo upload, a kept photo between tries."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from portal.catalog.layout import photo_field, read_layout_values
from portal.catalog.models import CardType
from portal.infra import storage
from portal.infra.images import ImageRejected
from portal.infra.photo_assistant import assist_photo


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="kept-photo")


def keep_photo_token(key: str, findings: list[str] | None = None) -> str:
    """A photo already uploaded survives a form error (with the photo assistant's findings); the token is
    signed and bound to the user."""
    return _signer().dumps({"k": key, "u": current_user.id, "f": list(findings or [])})


def kept_photo_findings(token: str | None) -> list[str]:
    try:
        data = _signer().loads(token) if token else {}
    except BadSignature:
        return []
    return [str(c) for c in data.get("f", [])] if data.get("u") == current_user.id else []


def kept_photo_key(token: str | None) -> str | None:
    if not token:
        return None
    try:
        data = _signer().loads(token)
    except BadSignature:
        return None
    if data.get("u") != current_user.id or not storage.exists(data.get("k")):
        return None
    return data["k"]


def read_card_form(card_type: CardType, form, files) -> tuple[dict, str | None, dict, list[str]]:
    """(values by field key, stored photo key or None, photo error by field key, the photo's findings)."""
    values = read_layout_values(card_type, form)
    errors: dict[str, str] = {}
    photo_key = kept_photo_key(form.get("photo_token"))
    findings = kept_photo_findings(form.get("photo_token")) if photo_key else []
    pf = photo_field(card_type)
    upload = files.get("photo") if pf else None
    if pf and upload and upload.filename:
        try:
            jpeg, findings = assist_photo(upload.read(), size=(card_type.photo_width, card_type.photo_height),
                                          check=card_type.photo_checks)
        except ImageRejected as exc:
            errors[pf.key] = str(exc)
        else:
            photo_key = storage.save(jpeg, "photos", "jpg")
    if pf and pf.required and not photo_key and pf.key not in errors:
        from flask_babel import gettext as _

        errors[pf.key] = _("Please add a photo.")
    return values, photo_key, errors, findings

