"""A card type's layout as data: validating holder values against its fields.

Shared by the order form, the cart, the employee's self-service pages and the change requests, so
the same rules (required, lengths, national id checksums, dates, choices) apply everywhere.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from portal.catalog.fields import FieldSpec
from portal.catalog.models import CardType, FieldKind, LayoutField
from portal.catalog.translations import OTHER_LANGUAGES, localized, option_aliases, option_names
from portal.infra.email_reasons import email_reason

_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
_EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9._/-]{1,40}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%d/%m/%Y")


def data_fields(card_type: CardType) -> list[LayoutField]:
    """The fields a person types (everything but the photo), in layout order."""
    return [f for f in card_type.fields if f.kind != FieldKind.PHOTO]


def read_layout_values(card_type: CardType, form) -> dict[str, str]:
    """The layout's typed fields from a submitted form, by key: the one reader for every form that asks
    for a card's data. Each value is cut a little beyond the field's maximum, so validation still says
    "At most N characters" while a huge post costs nothing."""
    return {f.key: (form.get(f.key) or "")[: f.max_length + 50] for f in data_fields(card_type)}


def photo_field(card_type: CardType) -> LayoutField | None:
    return next((f for f in card_type.fields if f.kind == FieldKind.PHOTO), None)


def parse_date(value: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


# Plain ASCII addresses (almost all of them) checked by one expression; anything else goes to
# email_validator. The result is what email_validator returns for them (tests compare the two).
_PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$")


_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def plain_email(value: str) -> str | None:
    """The normalised form of a plain ASCII address, or None when the full validator must decide."""
    match = _PLAIN_EMAIL.match(value)
    if not match or len(value) > 254 or value.index("@") > 64:
        return None
    domain = match.group(1).lower()
    if "--" in domain:  # IDNA labels (xn--) and other reserved forms: the full validator decides
        return None
    labels = domain.split(".")  # the domain or any parent of it reserved (a set lookup per parent, not a scan)
    if any(".".join(labels[i:]) in _SPECIAL_USE for i in range(len(labels))):
        return None
    return f"{value[:value.index('@')]}@{domain}"


def clean_value(field: LayoutField, raw: str, *, country: str = "SE") -> str:
    """Normalise one value or raise ValueError with a message for the person who typed it."""
    value = (raw or "").strip()
    if not value:
        if field.required:
            raise ValueError(_l("Please fill in %(field)s.", field=field.label))
        return ""
    if len(value) > field.max_length:
        raise ValueError(_l("At most %(n)d characters.", n=field.max_length))
    kind = field.kind
    if kind == FieldKind.EMAIL:
        fast = plain_email(value)
        if fast:
            return fast
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise ValueError(_l("Not a valid email address: %(reason)s", reason=email_reason(exc))) from None
    if kind == FieldKind.NATIONAL_ID:
        from portal.infra.national_ids import InvalidNationalId, normalise_national_id

        try:
            return normalise_national_id(value, country)
        except InvalidNationalId as exc:
            raise ValueError(str(exc)) from None
    if kind == FieldKind.DATE:
        parsed = parse_date(value)
        if parsed is None:
            raise ValueError(_l("Write the date as YYYY-MM-DD."))
        return parsed.isoformat()
    if kind == FieldKind.PHONE and not _PHONE.match(value):
        raise ValueError(_l("Not a valid phone number."))
    if kind == FieldKind.EMPLOYEE_NO and not _EMPLOYEE_NO.match(value):
        raise ValueError(_l("Use letters, digits and . _ / - only."))
    if kind == FieldKind.CHOICE:
        match = field.choice_value(value)  # an option in any language: its stable (English) value
        if match is None:
            raise ValueError(_l("Choose one of: %(options)s", options=", ".join(field.option_labels())))
        return match
    return value


def validate_layout_values(
    card_type: CardType, values: dict, files: dict | None = None, *, country: str = "SE"
) -> tuple[dict, dict]:
    """Check `values` (field key -> text) against the layout. Returns (clean, errors by key).

    Photos are not handled here: the caller normalises the upload and keeps its storage key.
    Keys that are not in the layout are dropped, so a crafted form cannot add data.
    """
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in data_fields(card_type):
        raw = values.get(field.key, "")
        if not isinstance(raw, str):
            raw = str(raw)
        try:
            clean[field.key] = clean_value(field, raw, country=country)
        except ValueError as exc:
            errors[field.key] = str(exc.args[0]) if exc.args else str(exc)
            clean[field.key] = raw.strip()
    return clean, errors


def holder_name(card_type: CardType, data: dict) -> str:
    """The card holder's display name from whatever name fields the layout has."""
    first = data.get("first_name", "")
    last = data.get("last_name", "")
    name = f"{first} {last}".strip()
    if name:
        return name
    for key in ("name", "full_name", "holder_name"):
        if data.get(key):
            return data[key]
    texts = [data.get(f.key, "") for f in data_fields(card_type) if f.kind == FieldKind.TEXT]
    return next((t for t in texts if t), "")


def card_identity(card_type: CardType, data: dict) -> dict:
    """Searchable holder fields of a card, taken from the layout's typed fields."""
    by_kind = {f.kind: data.get(f.key, "") for f in reversed(data_fields(card_type))}
    return {
        "holder_name": holder_name(card_type, data)[:200],
        "holder_email": (by_kind.get(FieldKind.EMAIL.value) or "")[:254],
        "national_id": (by_kind.get(FieldKind.NATIONAL_ID.value) or "")[:20],
        "employee_no": (by_kind.get(FieldKind.EMPLOYEE_NO.value) or "")[:40],
    }


def field_specs(card_type: CardType, language: str = "en"):
    """The layout as `FieldSpec`s for the CSV importer and its template; each field's label and options
    in `language` come first (the template's header and the importer's messages use them), followed by
    every other language's, so a file in any language is read."""

    def labels(f: LayoutField) -> tuple[str, ...]:
        ordered = [localized(f, "label", language), f.label_en] + [f.translation(code, "label")
                                                                   for code in OTHER_LANGUAGES]
        return tuple(dict.fromkeys(label for label in ordered if label))

    def names(f: LayoutField) -> tuple[tuple[str, ...], ...]:
        shown = option_names(f, language)
        return tuple(tuple(dict.fromkeys((own, *aliases))) for own, aliases in zip(shown, option_aliases(f),
                                                                                      strict=True))

    return [
        FieldSpec(
            key=f.key,
            labels=labels(f),
            kind=f.kind,
            required=f.required,
            max_length=f.max_length,
            options=tuple(f.option_list),
            option_names=names(f),
        )
        for f in data_fields(card_type)
    ]
