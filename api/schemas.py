"""What the API reads and answers, as marshmallow schemas: the OpenAPI document is generated from them."""
from __future__ import annotations

import base64
import binascii
from datetime import UTC

from flask import g
from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema

from portal.cards.models import CardStatus, ReplacementReason
from portal.cards.replacement import replacement_links
from portal.infra.photo_assistant import CODES as PHOTO_FINDINGS

MAX_PAGE = 200
# Text that a database can store: no NUL characters (PostgreSQL refuses them). Documented as a pattern, so
# the OpenAPI document says what is accepted.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="Must not contain NUL characters.")


class UtcDateTime(fields.DateTime):
    """Times are kept in UTC without a zone; the API says so (ISO 8601 with +00:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class FieldError(Schema):
    field = fields.String(allow_none=True, required=True, metadata={
        "description": "The field, e.g. `reason` or `lines[0].fields.national_id`."})
    reason = fields.String(required=True)


class Problem(Schema):
    """An error (RFC 9457, application/problem+json)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.List(fields.Nested(FieldError))


class PageQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_PAGE),
                           metadata={"description": f"How many items per page (1-{MAX_PAGE})."})
    cursor = fields.String(load_default=None, validate=[validate.Length(max=200), NO_NUL],
                           metadata={"description": "The `next_cursor` of the previous page; omit for the first page."})


class PageInfo(Schema):
    next_cursor = fields.String(allow_none=True, required=True,
                                metadata={"description": "Pass as `cursor` for the next page; null on the last page."})


class LayoutFieldOut(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "In the language of Accept-Language."})
    kind = fields.String(required=True)
    required = fields.Boolean(required=True)
    max_length = fields.Integer(required=True)
    options = fields.List(fields.String(), required=True, attribute="option_list")


class CardTypeOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    description = fields.String(required=True)
    price = fields.Decimal(required=True, as_string=True, metadata={"type": "string", "format": "decimal",
                                                                     "description": "Excluding VAT, e.g. \"89.00\"."})
    needs_photo = fields.Boolean(required=True)
    fields_ = fields.List(fields.Nested(LayoutFieldOut), required=True, data_key="fields", attribute="fields")


class CardTypePage(PageInfo):
    items = fields.List(fields.Nested(CardTypeOut), required=True)


class AccessoryOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, attribute="display_name",
                         metadata={"description": "In the language of Accept-Language."})
    description = fields.String(required=True, attribute="display_description")
    price = fields.Decimal(required=True, as_string=True, metadata={"type": "string", "format": "decimal",
                                                                     "description": "Excluding VAT, e.g. \"18.00\"."})


class AccessoryPage(PageInfo):
    items = fields.List(fields.Nested(AccessoryOut), required=True)


class CardQuery(PageQuery):
    q = fields.String(load_default=None, validate=[validate.Length(max=100), NO_NUL], metadata={
        "description": "Search: a name or part of it, a national id in any format, a card number, an employee number."})
    status = fields.String(load_default=None, validate=[validate.OneOf([s.value for s in CardStatus]), NO_NUL])
    card_type_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))
    updated_since = fields.AwareDateTime(load_default=None, format="iso", default_timezone=None, metadata={
        "description": "Only cards changed at or after this moment (ISO 8601 with a time zone)."})
    expiring_before = fields.Date(load_default=None, metadata={
        "description": "Only cards in use (ordered, in production, active) whose `valid_until` is on or before "
                       "this day, e.g. to renew them."})


class CardOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    status_reason = fields.String(required=True)
    card_type_id = fields.Integer(required=True)
    card_type = fields.String(required=True, attribute="card_type.name")
    holder_name = fields.String(required=True)
    holder_email = fields.String(required=True)
    national_id = fields.String(required=True)
    employee_number = fields.String(required=True, attribute="employee_no")
    card_number = fields.String(allow_none=True, required=True)
    chip_uid = fields.String(allow_none=True, required=True)
    order_id = fields.Integer(allow_none=True, required=True)
    data = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True, attribute="holder_data")
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    activated_at = UtcDateTime(allow_none=True, required=True)
    valid_until = fields.Date(allow_none=True, required=True, metadata={
        "description": "The last day the card is valid (its card type's validity, or the end of the holder's "
                       "assignment); null: no end. The card is blocked after that day."})
    replaces_card_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": "The card of the same person this card replaces (terminated when this one is active)."})
    replacement_reason = fields.String(allow_none=True, required=True, validate=validate.OneOf(
        [r.value for r in ReplacementReason]), metadata={
        "description": "Set while this card is being replaced: why (lost and stolen cards are blocked at once). "
                       "Back to null when the replacement is given up (its cart card or data request removed, "
                       "its order rejected or cancelled): the card can be replaced again."})
    replaces = fields.Method("_replaces", allow_none=True, required=True, metadata={
        "type": "integer",
        "description": "The id of the card (of your company) this card replaces; null: none."})
    replaced_by = fields.Method("_replaced_by", required=True, metadata={
        "type": "array", "items": {"type": "integer"},
        "description": "The ids of the cards (of your company) made to replace this one, newest first; not those "
                       "whose order was rejected or cancelled before they were used. Empty: none."})
    photo_findings = fields.List(fields.String(validate=validate.OneOf(PHOTO_FINDINGS)), required=True, metadata={
        "description": "What the photo assistant found on the photo the card was ordered with (empty: nothing): "
                       + ", ".join(f"`{c}`" for c in PHOTO_FINDINGS) + "."})


    @pre_dump
    def _read_links(self, card, **_):
        card_links([card])
        return card

    def _replaces(self, card):
        return card_links([card])[card.id][0]

    def _replaced_by(self, card):
        return card_links([card])[card.id][1]


def card_links(cards) -> dict:
    """`replaces` and `replaced_by` of these cards, read once per request for a whole page (two queries)."""
    known = g.setdefault("api_card_links", {})
    missing = [c for c in cards if c.id not in known]
    for company_id in {c.company_id for c in missing}:
        known.update(replacement_links(company_id, [c for c in missing if c.company_id == company_id]))
    return known


class CardPage(PageInfo):
    items = fields.List(fields.Nested(CardOut), required=True)

    @pre_dump
    def _read_links(self, page, **_):
        card_links(page["items"])
        return page


class ReasonIn(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), NO_NUL],
                           metadata={"description": "Why: kept in the card's history and the audit log."})


class StatusListQuery(PageQuery):
    status = fields.String(load_default=None, validate=[validate.Length(max=24), NO_NUL],
                           metadata={"description": "Only items in this status."})


class OrderLineOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    card_type_id = fields.Integer(allow_none=True, required=True)
    description = fields.String(required=True)
    quantity = fields.Integer(required=True)
    unit_price = fields.Decimal(required=True, as_string=True, metadata={"type": "string", "format": "decimal"})
    holder_name = fields.String(required=True)
    photo_findings = fields.List(fields.String(validate=validate.OneOf(PHOTO_FINDINGS)), required=True, metadata={
        "description": "A card line: what the photo assistant found on its photo (empty: nothing or no photo)."})
    card_id = fields.Function(lambda line: line.card.id if line.card else None, allow_none=True, required=True,
                              metadata={"type": ["integer", "null"],
                                        "description": "A card line: the card made for it (see /cards/{card_id})."})


def _with_vat(name: str):
    """An amount of VAT that is null on orders placed before VAT was recorded."""
    return fields.Function(lambda order: None if order.vat_rate is None else str(getattr(order, name)),
                           allow_none=True, required=True, metadata={"type": ["string", "null"], "format": "decimal"})


class OrderOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    status = fields.String(required=True)
    reference = fields.String(required=True)
    cost_centre = fields.String(required=True)
    currency = fields.String(required=True)
    total = fields.Decimal(required=True, as_string=True, metadata={"type": "string", "format": "decimal",
                                                                     "description": "Excluding VAT."})
    vat_rate = fields.Decimal(places=2, allow_none=True, required=True, as_string=True, metadata={
        "type": ["string", "null"], "format": "decimal",
        "description": "VAT in percent as it was when the order was placed; null: placed before VAT was recorded."})
    vat = _with_vat("vat")
    gross = _with_vat("gross")
    placed_at = UtcDateTime(required=True)
    last_activity_at = UtcDateTime(required=True)
    tracking_number = fields.String(required=True, metadata={"description": "Empty until the order is shipped."})
    carrier = fields.String(required=True)
    shipped_at = UtcDateTime(allow_none=True, required=True)
    lines = fields.List(fields.Nested(OrderLineOut), required=True)


class OrderPage(PageInfo):
    items = fields.List(fields.Nested(OrderOut), required=True)


class CollectionRequestOut(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    card_type_id = fields.Integer(required=True)
    language = fields.String(required=True)
    sent_at = UtcDateTime(allow_none=True, required=True)
    submitted_at = UtcDateTime(allow_none=True, required=True)
    expires_at = UtcDateTime(allow_none=True, required=True)


class CollectionRequestPage(PageInfo):
    items = fields.List(fields.Nested(CollectionRequestOut), required=True)


class InviteeIn(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(load_default="", validate=[validate.Length(max=200), NO_NUL])


class InviteIn(Schema):
    card_type_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    people = fields.List(fields.Nested(InviteeIn), required=True, validate=validate.Length(1, 500),
                         metadata={"description": "Up to 500 people; each gets an email with a personal link."})
    address_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1), metadata={
        "description": "Where the cards go; leave out to let each employee give an address."})
    language = fields.String(load_default=None, validate=validate.OneOf(["en", "sv", "nb", "da", "fi"]))


class InviteOut(Schema):
    items = fields.List(fields.Nested(CollectionRequestOut), required=True)


class AddressIn(Schema):
    name = fields.String(required=True, validate=[validate.Length(1, 120), NO_NUL])
    attention = fields.String(load_default="", validate=[validate.Length(max=120), NO_NUL])
    street = fields.String(required=True, validate=[validate.Length(1, 200), NO_NUL])
    postcode = fields.String(required=True, validate=[validate.Length(1, 20), NO_NUL])
    city = fields.String(required=True, validate=[validate.Length(1, 100), NO_NUL])
    country = fields.String(load_default="SE", validate=validate.Regexp(r"^[A-Z]{2}$"))
    for_collection = fields.Boolean(load_default=False)


class AddressOut(AddressIn):
    id = fields.Integer(required=True)
    archived = fields.Boolean(required=True)


class AddressPage(PageInfo):
    items = fields.List(fields.Nested(AddressOut), required=True)


class Base64Bytes(fields.String):
    """A file sent inside JSON, as base64 (standard alphabet); read as its bytes."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("Not base64.") from None


PHOTO_BASE64_MAX = 15 * 1024 * 1024 * 4 // 3 + 4  # the largest photo the screens take, as base64


class OrderLineIn(Schema):
    kind = fields.String(load_default="card", validate=validate.OneOf(["card", "accessory"]))
    card_type_id = fields.Integer(validate=validate.Range(1, 2**31 - 1),
                                  metadata={"description": "A card line: one of the company's card types."})
    fields_ = fields.Dict(keys=fields.String(validate=[validate.Length(1, 40), NO_NUL]),
                          values=fields.String(validate=[validate.Length(max=500), NO_NUL]), load_default=dict,
                          data_key="fields", metadata={
                              "description": "A card line: the holder's values by field key (see the card type's "
                                             "fields), checked as in the screens (national ids, dates, lengths)."})
    photo = Base64Bytes(load_default=None, validate=validate.Length(max=PHOTO_BASE64_MAX), metadata={
        "format": "byte", "description": "A card line whose card type has a photo: JPEG, PNG, WebP or HEIC as "
                                         "base64. The photo assistant frames the face as on an ID photo (where the "
                                         "card type checks photos; else cropped from the centre) and says what is "
                                         "wrong in the line's and the card's `photo_findings`: the card is ordered "
                                         "all the same."})
    replaces_card_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1), metadata={
        "description": "A card line: an active card of the same person that the new card replaces (blocked "
                       "when the new one is active)."})
    valid_until = fields.Date(load_default=None, metadata={
        "description": "A card line of a card type valid until the end of an assignment (ID06-style): the last "
                       "day of the holder's employment or assignment, today to ten years ahead; required for "
                       "those card types, ignored for others. It becomes the card's `valid_until`."})
    accessory_id = fields.Integer(validate=validate.Range(1, 2**31 - 1),
                                  metadata={"description": "An accessory line: the accessory."})
    quantity = fields.Integer(load_default=1, validate=validate.Range(1, 10000),
                              metadata={"description": "An accessory line: how many."})

    @validates_schema
    def _kind_needs(self, data, **kwargs):
        needed = "card_type_id" if data.get("kind", "card") == "card" else "accessory_id"
        if data.get(needed) is None:
            raise ValidationError("Missing data for required field.", needed)


class OrderIn(Schema):
    lines = fields.List(fields.Nested(OrderLineIn), required=True, validate=validate.Length(1, 500),
                        metadata={"description": "Up to 500 lines: cards (one each) and accessories."})
    address_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1), metadata={
        "description": "Where everything is delivered: one of the company's addresses. Or send `address`."})
    address = fields.Nested(AddressIn, load_default=None, metadata={
        "description": "A new delivery address (kept among the company's addresses), instead of `address_id`."})
    reference = fields.String(load_default="", validate=[validate.Length(max=120), NO_NUL])
    cost_centre = fields.String(load_default="", validate=[validate.Length(max=60), NO_NUL])
    note = fields.String(load_default="", validate=[validate.Length(max=2000), NO_NUL])

    @validates_schema
    def _one_address(self, data, **kwargs):
        if (data.get("address_id") is None) == (data.get("address") is None):
            raise ValidationError("Send either address_id or address.", "address_id")


class AddressChange(Schema):
    """Only the fields you send change."""

    name = fields.String(validate=[validate.Length(1, 120), NO_NUL])
    attention = fields.String(validate=[validate.Length(max=120), NO_NUL])
    street = fields.String(validate=[validate.Length(1, 200), NO_NUL])
    postcode = fields.String(validate=[validate.Length(1, 20), NO_NUL])
    city = fields.String(validate=[validate.Length(1, 100), NO_NUL])
    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$"))
    for_collection = fields.Boolean()


class PrintJobOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    card_id = fields.Integer(allow_none=True, required=True)
    printer = fields.String(required=True, attribute="printer.name")
    is_test_page = fields.Boolean(required=True)
    attempts = fields.Integer(required=True)
    error = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    printed_at = UtcDateTime(allow_none=True, required=True)


class PrintJobPage(PageInfo):
    items = fields.List(fields.Nested(PrintJobOut), required=True)


class AuditEventOut(Schema):
    id = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    action = fields.String(required=True)
    object_type = fields.String(required=True)
    object_id = fields.String(required=True)
    summary = fields.String(required=True)
    user = fields.Function(lambda event: event.user.email if event.user else None, allow_none=True, required=True,
                           metadata={"type": ["string", "null"], "description": "Who did it (null: a job or an API key)."})
    api_key_id = fields.Integer(allow_none=True, required=True)
    changes = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class AuditPage(PageInfo):
    items = fields.List(fields.Nested(AuditEventOut), required=True)


class AuditQuery(PageQuery):
    action = fields.String(load_default=None, validate=[validate.Length(max=40), NO_NUL],
                           metadata={"description": "Only events of this action, e.g. card.blocked."})


class CardChangeIn(Schema):
    values = fields.Dict(keys=fields.String(validate=[validate.Length(1, 40), NO_NUL]),
                         values=fields.String(validate=[validate.Length(max=500), NO_NUL]), required=True,
                         metadata={"description": "The card's new field values by key (see the card type's fields); "
                                                  "the holder approves them by a link emailed to them."})
    holder_email = fields.Email(load_default="", validate=validate.Length(max=254),
                                metadata={"description": "Only for a card without an email address on record."})


class CardChangeOut(Schema):
    id = fields.Integer(required=True)
    card_id = fields.Integer(required=True)
    state = fields.String(required=True)
    expires_at = UtcDateTime(required=True)
