"""Find a person across the company's cards, order lines, data-collection requests and card changes,
and gather everything held about them (their footprint). Tenant scoped; every query is bounded."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sqlalchemy import String, cast, func, or_, select

from portal.audit.models import AuditEvent
from portal.cards.models import Card, CardChange, CardStatusEvent
from portal.cards.search import search_cards
from portal.collection.models import CollectionRequest, ImportBatch
from portal.infra.extensions import db
from portal.infra.text_match import icontains
from portal.ordering.models import CartItem, Order, OrderLine
from portal.outbox.models import OutboxEmail
from portal.printing.models import PrintJob
from portal.tenancy.models import Company, Membership, User
from portal.webhooks.models import WebhookDelivery

FOUND_MAX = 50  # people listed for one search
ROWS_MAX = 500  # rows of one kind gathered for one person
KINDS = ("card", "line", "request", "change")


@dataclass(frozen=True)
class Person:
    """Who a search found: the row it was found by (kind, id) and the identifiers that row holds."""
    kind: str
    id: int
    name: str
    email: str
    national_id: str

    @property
    def key(self) -> str:
        return self.national_id or self.email.lower() or self.name.casefold()


@dataclass
class Footprint:
    person: Person
    cards: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    status_events: list = field(default_factory=list)
    print_jobs: list = field(default_factory=list)
    audit_events: list = field(default_factory=list)
    emails: list = field(default_factory=list)
    webhook_deliveries: list = field(default_factory=list)
    cart_items: list = field(default_factory=list)
    import_batches: list = field(default_factory=list)  # CSV imports whose row errors quote the person
    user_email: str = ""  # the person is also a user of this company (their account is not card data)

    @property
    def empty(self) -> bool:
        return not (self.cards or self.lines or self.requests or self.changes)

    def photo_keys(self) -> list[str]:
        keys = [r.photo_key for rows in (self.cards, self.lines, self.requests, self.changes, self.cart_items)
                for r in rows if r.photo_key]
        return list(dict.fromkeys(keys))


def _from_data(data: dict | None, *names: str) -> str:
    data = data or {}
    for name in names:
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def person_of(row) -> Person:
    if isinstance(row, Card):
        return Person("card", row.id, row.holder_name, row.holder_email, row.national_id)
    if isinstance(row, OrderLine):
        return Person("line", row.id, row.holder_name, _from_data(row.holder_data, "email"),
                      _from_data(row.holder_data, "national_id"))
    if isinstance(row, CollectionRequest):
        return Person("request", row.id, row.name, row.email, _from_data(row.data, "national_id"))
    if isinstance(row, CardChange):
        card = db.session.get(Card, row.card_id)
        return Person("change", row.id, card.holder_name, card.holder_email, card.national_id)
    raise TypeError(row)


def _digits(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text)


def _names(card: Card, text: str) -> bool:
    """The card's holder (not its orderer) is what `text` matched: name, email, national id or card number."""
    folded, digits = text.casefold(), _digits(text)
    return (folded in card.holder_name.casefold() or folded in card.holder_email.casefold()
            or bool(digits and (digits in card.national_id or digits[-10:] in card.national_id
                                or digits == (card.card_number or ""))))


def _json_text(column):
    return cast(column, String)


def find_people(company: Company, query: str) -> list[Person]:
    """People whose national id, email or name matches `query` (a part of a name or email will do)."""
    text = (query or "").strip()
    if len(text) < 2:
        return []
    # Cards through the cards feature's own indexed search (names, emails, national ids in any format, card
    # numbers); it also finds cards by their orderer, which names someone else: those are left out.
    cards, _more = search_cards(company, text, per_page=FOUND_MAX)
    rows: list = [c for c in cards if _names(c, text)]
    line_match = [icontains(OrderLine.holder_name, text), icontains(_json_text(OrderLine.holder_data), text)]
    rows += db.session.scalars(select(OrderLine).join(Order, Order.id == OrderLine.order_id)
                               .where(Order.company_id == company.id, OrderLine.holder_name != "", or_(*line_match))
                               .order_by(OrderLine.id.desc()).limit(FOUND_MAX))
    rows += db.session.scalars(select(CollectionRequest).where(
        CollectionRequest.company_id == company.id,
        or_(icontains(CollectionRequest.name, text), icontains(CollectionRequest.email, text),
            icontains(_json_text(CollectionRequest.data), text)))
        .order_by(CollectionRequest.id.desc()).limit(FOUND_MAX))
    rows += db.session.scalars(select(CardChange).where(CardChange.company_id == company.id,
                                                        icontains(_json_text(CardChange.proposed), text))
                               .order_by(CardChange.id.desc()).limit(FOUND_MAX))
    people: list[Person] = []
    for row in rows:
        person = person_of(row)
        if not person.key:
            continue
        same = next((i for i, p in enumerate(people) if _same(p, person)), None)
        if same is None:
            people.append(person)
        elif not people[same].national_id and person.national_id:
            people[same] = person  # the row that names them best stands for them
    return people[:FOUND_MAX]


def _same(a: Person, b: Person) -> bool:
    """Rows name one person when a national id or an email is the same (a bare name only when neither has one)."""
    if a.national_id and b.national_id:
        return a.national_id == b.national_id
    if a.email and b.email:
        return a.email.lower() == b.email.lower()
    if a.national_id or a.email or b.national_id or b.email:
        return False
    return a.name.casefold() == b.name.casefold()


def person_by_row(company: Company, kind: str, row_id: int) -> Person | None:
    """The person a row of this company names (None for another company's or a missing row)."""
    model = {"card": Card, "line": OrderLine, "request": CollectionRequest, "change": CardChange}.get(kind)
    if model is None:
        return None
    row = db.session.get(model, row_id)
    if row is None:
        return None
    owner = db.session.get(Order, row.order_id).company_id if model is OrderLine else row.company_id
    if owner != company.id:
        return None
    person = person_of(row)
    return person if person.key else None


def _matches(person: Person, *columns_json):
    """Conditions on JSON/text columns that hold the person's national id or email."""
    found = []
    for column in columns_json:
        for value in (person.national_id, person.email):
            if value:
                found.append(icontains(_json_text(column), value))
    return found


def _name_forms(name: str) -> list[str]:
    """A name as typed and as JSON writes it with ASCII escapes ("\\u00c5sa")."""
    if not name:
        return []
    escaped = json.dumps(name)[1:-1]
    return list(dict.fromkeys([name, escaped]))


def footprint(company: Company, person: Person) -> Footprint:
    """Everything the company's tables hold about this person (at most ROWS_MAX rows of each kind)."""
    fp = Footprint(person)
    cid = company.id
    # One indexed lookup per identifier (an OR over them, or lower(email), would read every card).
    card_ids: set[int] = {person.id} if person.kind == "card" else set()
    if person.national_id:
        card_ids.update(db.session.scalars(select(Card.id).where(Card.company_id == cid,
                                                                 Card.national_id == person.national_id)
                                           .limit(ROWS_MAX)))
    if person.email:  # as written and in lower case
        card_ids.update(db.session.scalars(select(Card.id).where(
            Card.company_id == cid, Card.holder_email.in_({person.email, person.email.lower()})).limit(ROWS_MAX)))
    if not (person.national_id or person.email):
        card_ids.update(db.session.scalars(select(Card.id).where(Card.company_id == cid,
                                                                 Card.holder_name == person.name).limit(ROWS_MAX)))
    fp.cards = list(db.session.scalars(select(Card).where(Card.company_id == cid, Card.id.in_(card_ids))
                                       .order_by(Card.id).limit(ROWS_MAX)))
    card_ids = [c.id for c in fp.cards]
    line_or = [OrderLine.id.in_([c.order_line_id for c in fp.cards if c.order_line_id]),
               *_matches(person, OrderLine.holder_data)]
    if not (person.national_id or person.email):
        line_or.append(OrderLine.holder_name == person.name)
    if person.kind == "line":
        line_or.append(OrderLine.id == person.id)
    fp.lines = list(db.session.scalars(select(OrderLine).join(Order, Order.id == OrderLine.order_id)
                                       .where(Order.company_id == cid, or_(*line_or))
                                       .order_by(OrderLine.id).limit(ROWS_MAX)))
    order_ids = sorted({line.order_id for line in fp.lines} | {c.order_id for c in fp.cards if c.order_id})
    fp.orders = list(db.session.scalars(select(Order).where(Order.company_id == cid, Order.id.in_(order_ids))
                                        .order_by(Order.id)))
    req_or = [*_matches(person, CollectionRequest.data)]
    if person.email:  # as typed and in lower case: the email index answers both
        req_or.append(CollectionRequest.email.in_({person.email, person.email.lower()}))
    if not (person.national_id or person.email):
        req_or.append(CollectionRequest.name == person.name)
    if person.kind == "request":
        req_or.append(CollectionRequest.id == person.id)
    fp.requests = list(db.session.scalars(select(CollectionRequest).where(CollectionRequest.company_id == cid,
                                                                          or_(*req_or))
                                          .order_by(CollectionRequest.id).limit(ROWS_MAX)))
    fp.changes = list(db.session.scalars(select(CardChange).where(CardChange.company_id == cid,
                                                                  CardChange.card_id.in_(card_ids))
                                         .order_by(CardChange.id).limit(ROWS_MAX)))
    fp.status_events = list(db.session.scalars(select(CardStatusEvent).where(CardStatusEvent.card_id.in_(card_ids))
                                               .order_by(CardStatusEvent.id).limit(ROWS_MAX)))
    fp.print_jobs = list(db.session.scalars(select(PrintJob).where(PrintJob.company_id == cid,
                                                                   PrintJob.card_id.in_(card_ids))
                                            .order_by(PrintJob.id).limit(ROWS_MAX)))
    about = [(kind, [str(r.id) for r in rows]) for kind, rows in
             (("Card", fp.cards), ("CollectionRequest", fp.requests), ("CardChange", fp.changes),
              ("PrintJob", fp.print_jobs))]
    fp.audit_events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.company_id == cid,
        or_(*((AuditEvent.object_type == kind) & AuditEvent.object_id.in_(ids) for kind, ids in about if ids),
            *(icontains(AuditEvent.summary, v) for v in (person.name, person.email, person.national_id) if v),
            *(icontains(_json_text(AuditEvent.changes), v) for v in (person.email, person.national_id) if v)))
        .order_by(AuditEvent.id).limit(ROWS_MAX)))
    if person.email:
        fp.emails = list(db.session.scalars(select(OutboxEmail).where(
            OutboxEmail.company_id == cid, func.lower(OutboxEmail.to) == person.email.lower())
            .order_by(OutboxEmail.id).limit(ROWS_MAX)))
    needles = [v for v in (person.email, person.national_id) if v] + _name_forms(person.name)
    if needles:
        fp.webhook_deliveries = list(db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.company_id == cid, or_(*(icontains(WebhookDelivery.payload, n) for n in needles)))
            .order_by(WebhookDelivery.id).limit(ROWS_MAX)))
    cart_or = _matches(person, CartItem.holder_data)
    cart_or += [icontains(_json_text(CartItem.holder_data), form) for form in _name_forms(person.name)]
    if cart_or:
        fp.cart_items = list(db.session.scalars(select(CartItem).where(CartItem.company_id == cid, or_(*cart_or))
                                                .order_by(CartItem.id).limit(ROWS_MAX)))
    if person.email:
        fp.user_email = db.session.scalar(select(User.email).join(Membership, Membership.user_id == User.id).where(
            Membership.company_id == cid, func.lower(User.email) == person.email.lower()).limit(1)) or ""
    if needles:
        fp.import_batches = list(db.session.scalars(select(ImportBatch).where(
            ImportBatch.company_id == cid, or_(*(icontains(_json_text(ImportBatch.errors), n) for n in needles)))
            .order_by(ImportBatch.id).limit(ROWS_MAX)))
    return fp
