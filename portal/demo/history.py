"""A year of demo history (called by portal.demo.seed on an empty database): orders in every status over
twelve months with realistic amounts, their cards with status history (active, blocked, terminated),
invoices and the audit entries of it all. Written with bulk inserts: a year of a company takes a second.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update

from portal.audit.models import AuditEvent
from portal.cards.models import Card, CardStatus, CardStatusEvent
from portal.catalog.layout import holder_name
from portal.catalog.models import Accessory, CardType
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.ordering.models import (
    Address,
    Invoice,
    InvoiceStatus,
    LineKind,
    Order,
    OrderCounter,
    OrderLine,
    OrderStatus,
)
from portal.tenancy.models import Company, User

FIRST = ["Anna", "Erik", "Maja", "Oscar", "Linnea", "Karl", "Ebba", "Axel", "Wilma", "Hugo", "Alva", "Leo",
         "Saga", "Emil", "Freja", "Lucas", "Ella", "Viktor", "Agnes", "Isak", "Tove", "Jonas", "Amira", "Omar",
         "Noor", "Mikael", "Sofia", "Per", "Klara", "Gustav", "Hanna", "Ali", "Elin", "Fredrik", "Lina", "Tobias"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
        "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindström", "Engström", "Hassan", "Öberg", "Ström",
        "Forsberg", "Sandberg", "Lundqvist", "Mattsson", "Berg", "Holmberg", "Åkesson", "Nordin", "Hedlund"]
DEPARTMENTS = ["Office", "Warehouse", "Field service"]
EMPLOYERS = ["Nordbygg AB", "Elteknik Norr AB", "Rörkraft i Stockholm AB", "Ställningsbolaget AB"]
REFERENCES = ["Onboarding {month}", "New site team {month}", "Replacement cards", "Summer workers", "Consultants",
              "Site Hagastaden", "Warehouse shift B", "Project Norra Tornen"]
BLOCK_REASONS = ["Lost on the site", "Card broken", "Stolen with a wallet", "Reported missing by the holder"]
END_REASONS = ["Left the company", "Contract ended", "Project finished"]


@dataclass
class Story:
    """What a company's year looks like, and what the insert steps collect on the way."""

    company: Company
    orderer: User
    approver: User | None
    operator: User
    card_types: list[CardType]
    address: Address
    photos: list[str]
    per_month: tuple[int, int]
    rnd: random.Random
    now: datetime = field(default_factory=utcnow)
    audit: list[dict] = field(default_factory=list)


def national_id(rnd: random.Random) -> str:
    """A Swedish personal identity number (YYYYMMDDNNNN) with a correct check digit."""
    born = datetime(1965, 1, 1) + timedelta(days=rnd.randint(0, 365 * 38))
    digits = born.strftime("%y%m%d") + f"{rnd.randint(0, 999):03d}"
    total = 0
    for i, d in enumerate(digits):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return born.strftime("%Y")[:2] + digits + str((10 - total % 10) % 10)


def _status_by_age(rnd: random.Random, days: float, approval: bool) -> str:
    if days > 30:
        return rnd.choices([OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.REJECTED if approval
                            else OrderStatus.CANCELLED], [92, 5, 3])[0].value
    if days > 14:
        return rnd.choices([OrderStatus.DELIVERED, OrderStatus.SHIPPED, OrderStatus.READY], [5, 3, 2])[0].value
    if days > 4:
        return rnd.choice([OrderStatus.IN_PRODUCTION, OrderStatus.READY, OrderStatus.SHIPPED]).value
    return rnd.choice([OrderStatus.AWAITING_APPROVAL if approval else OrderStatus.PLACED, OrderStatus.PLACED,
                       OrderStatus.IN_PRODUCTION]).value


def _order_dates(story: Story) -> list[datetime]:
    """Order times over the last twelve months, office hours on weekdays, oldest first."""
    rnd, dates = story.rnd, []
    for months_ago in range(11, -1, -1):
        for _ in range(rnd.randint(*story.per_month)):
            day = story.now - timedelta(days=30 * months_ago + rnd.uniform(0, 29))
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            day = day.replace(hour=rnd.randint(7, 16), minute=rnd.randint(0, 59), second=0, microsecond=0)
            if day < story.now - timedelta(hours=2):
                dates.append(day)
    return sorted(dates)


def _numbers(name: str, prefix: str, dates: list[datetime], width: int) -> list[str]:
    """Numbers from the yearly counters (`ordering.operations.next_number`'s), reserved in one go per year."""
    numbers = []
    for year in sorted({d.year for d in dates}):
        key = f"{name}-{year}"
        counter = db.session.get(OrderCounter, key)
        if counter is None:
            counter = OrderCounter(name=key, value=0)
            db.session.add(counter)
        start = counter.value or 0
        count = sum(1 for d in dates if d.year == year)
        counter.value = start + count
        numbers += [f"{prefix}-{year}-{start + i + 1:0{width}d}" for i in range(count)]
    db.session.flush()
    return numbers


def _holder(story: Story, ct: CardType, n: int) -> dict:
    rnd = story.rnd
    first, last = rnd.choice(FIRST), rnd.choice(LAST)
    keys = {f.key for f in ct.fields}
    data = {"first_name": first, "last_name": last}
    if "employee_no" in keys:
        data["employee_no"] = f"E{2000 + n}"
    if "department" in keys:
        data["department"] = rnd.choice(DEPARTMENTS)
    if "national_id" in keys:
        data["national_id"] = national_id(rnd)
    if "employer" in keys:
        data["employer"] = rnd.choice(EMPLOYERS)
    if "email" in keys:
        data["email"] = f"{first}.{last}@example.se".lower().translate(str.maketrans("åäöé", "aaoe"))
    return data


def _card_fate(story: Story, status: str, placed: datetime) -> list[tuple[str, str, datetime, User | None]]:
    """The card's status history after "ordered": (to status, reason, when, by whom)."""
    rnd, op = story.rnd, story.operator
    made, active = placed + timedelta(days=rnd.randint(1, 3)), placed + timedelta(days=rnd.randint(4, 8))
    if status in (OrderStatus.AWAITING_APPROVAL.value, OrderStatus.PLACED.value):
        return []
    if status == OrderStatus.IN_PRODUCTION.value:
        return [(CardStatus.IN_PRODUCTION.value, "Production", made, op)]
    if status in (OrderStatus.CANCELLED.value, OrderStatus.REJECTED.value):
        reason = "Order cancelled" if status == OrderStatus.CANCELLED.value else "Not budgeted this quarter"
        return [(CardStatus.TERMINATED.value, reason, placed + timedelta(hours=rnd.randint(2, 40)), story.orderer)]
    steps = [(CardStatus.IN_PRODUCTION.value, "Production", made, op), (CardStatus.ACTIVE.value, "Production",
                                                                       active, op)]
    later = active + timedelta(days=rnd.randint(10, 200))
    if status == OrderStatus.DELIVERED.value and later < story.now - timedelta(days=1):
        roll = rnd.random()
        if roll < 0.10:
            steps.append((CardStatus.BLOCKED.value, rnd.choice(BLOCK_REASONS), later, story.orderer))
        elif roll < 0.22:
            steps.append((CardStatus.TERMINATED.value, rnd.choice(END_REASONS), later, story.orderer))
        elif roll < 0.25:  # blocked, then found again
            steps.append((CardStatus.BLOCKED.value, "Lost on the site", later, story.orderer))
            back = min(later + timedelta(days=2), story.now - timedelta(hours=1))
            steps.append((CardStatus.ACTIVE.value, "Found in the site office", back, story.orderer))
    return steps


def _shipping(status: str, number: str, placed: datetime, now: datetime) -> dict:
    """A shipped or delivered order's tracking number (made from its number, so the story stays the same)."""
    if status not in (OrderStatus.SHIPPED.value, OrderStatus.DELIVERED.value):
        return {"tracking_number": "", "carrier": "", "shipped_at": None}
    digits = "".join(ch for ch in number if ch.isdigit())
    return {"tracking_number": f"JJSE{digits[-9:]:0>9}", "carrier": "PostNord", "shipped_at": max(placed, min(placed + timedelta(days=9), now - timedelta(hours=1)))}


def seed_year(story: Story, accessories: list[Accessory]) -> list[int]:
    """Orders, lines, cards, status events, invoices and audit entries of one company's year. Returns the
    new cards' ids, newest last."""
    rnd, company = story.rnd, story.company
    dates = _order_dates(story)
    approval = company.requires_order_approval
    statuses = [_status_by_age(rnd, (story.now - d).total_seconds() / 86400, approval) for d in dates]
    # The newest orders show every open status at least once.
    recent = ([OrderStatus.AWAITING_APPROVAL.value] * 2 if approval else []) + [
        OrderStatus.PLACED.value, OrderStatus.IN_PRODUCTION.value, OrderStatus.READY.value, OrderStatus.SHIPPED.value]
    for i, status in enumerate(reversed(recent)):
        statuses[-1 - i] = status
    for status in (OrderStatus.CANCELLED.value, *([OrderStatus.REJECTED.value] if approval else [])):
        if status not in statuses:
            statuses[rnd.randrange(0, len(statuses) // 2)] = status
    numbers = _numbers("order", "CW", dates, 6)
    delivery = story.address.snapshot()
    orders, plans = [], []
    for n, (when, status, number) in enumerate(zip(dates, statuses, numbers, strict=True)):
        cards = rnd.choices([1, 2, 3, 4, 6, 10], [40, 25, 15, 10, 6, 4])[0]
        lines = []
        for _ in range(cards):
            ct = rnd.choices(story.card_types, [60, 30, 10][: len(story.card_types)])[0]
            lines.append((ct, _holder(story, ct, n * 20 + len(lines))))
        extras = [(acc, cards) for acc in accessories if rnd.random() < 0.25]
        total = sum((ct.price for ct, _data in lines), Decimal("0")) + sum(
            (acc.price * qty for acc, qty in extras), Decimal("0"))
        decided = when + timedelta(hours=rnd.randint(1, 30)) if approval and status != "awaiting_approval" else None
        orders.append({
            "company_id": company.id, "number": number, "status": status, "orderer_id": story.orderer.id,
            "reference": rnd.choice(REFERENCES).format(month=when.strftime("%B")), "cost_centre": rnd.choice(
                ["4100", "4200", "5100"]), "note": "", "delivery": delivery, "currency": "SEK", "total": total,
            "placed_at": when, "last_activity_at": when, "rejection_reason": "Not budgeted this quarter"
            if status == OrderStatus.REJECTED.value else "", "decided_at": decided,
            "approved_by_id": story.approver.id if decided and story.approver else None,
            **_shipping(status, number, when, story.now),
        })
        plans.append((lines, extras))
    order_ids = db.session.scalars(insert(Order).returning(Order.id, sort_by_parameter_order=True), orders).all()

    line_rows, card_plans = [], []
    for order_id, order, (lines, extras) in zip(order_ids, orders, plans, strict=True):
        for ct, data in lines:
            photo = rnd.choice(story.photos) if ct.needs_photo else None
            line_rows.append({"order_id": order_id, "kind": LineKind.CARD.value, "card_type_id": ct.id,
                              "description": ct.name, "quantity": 1, "unit_price": ct.price,
                              "surcharge": Decimal("0"), "holder_name": holder_name(ct, data), "holder_data": data,
                              "photo_key": photo, "delivery": None})
            card_plans.append((order_id, order, ct, data, photo))
        for acc, qty in extras:
            line_rows.append({"order_id": order_id, "kind": LineKind.ACCESSORY.value, "accessory_id": acc.id,
                              "description": acc.name, "quantity": qty, "unit_price": acc.price,
                              "surcharge": Decimal("0"), "holder_name": "", "holder_data": {}, "photo_key": None,
                              "delivery": None})
    line_ids = db.session.scalars(insert(OrderLine).returning(OrderLine.id, sort_by_parameter_order=True),
                                  line_rows).all()
    card_line_ids = [lid for lid, row in zip(line_ids, line_rows, strict=True) if row["kind"] == LineKind.CARD.value]
    return _cards(story, card_plans, card_line_ids, orders, order_ids)


def _cards(story: Story, card_plans, line_ids, orders, order_ids) -> list[int]:
    rnd, company = story.rnd, story.company
    card_rows, fates = [], []
    serial = 10_000_000 + company.id * 100_000
    for (order_id, order, ct, data, photo), line_id in zip(card_plans, line_ids, strict=True):
        fate = _card_fate(story, order["status"], order["placed_at"])
        status, reason, changed = CardStatus.ORDERED.value, "", order["placed_at"]
        if fate:
            status, reason, changed, _by = fate[-1]
        made = any(s in (CardStatus.IN_PRODUCTION.value, CardStatus.ACTIVE.value) for s, *_ in fate)
        activated = next((when for s, _r, when, _u in fate if s == CardStatus.ACTIVE.value), None)
        serial += 1
        card_rows.append({
            "company_id": company.id, "order_id": order_id, "order_line_id": line_id, "card_type_id": ct.id,
            "orderer_id": story.orderer.id, "holder_name": holder_name(ct, data), "holder_email": data.get("email", ""),
            "national_id": data.get("national_id", ""), "employee_no": data.get("employee_no", ""),
            "holder_data": data, "photo_key": photo, "card_number": str(serial) if activated else None,
            "chip_uid": f"04{rnd.getrandbits(48):012X}" if made else None,
            "readouts": {"Chip type": "MIFARE DESFire EV3", "Facility code": "42"} if activated else {},
            "status": status, "status_reason": reason, "status_changed_at": changed, "activated_at": activated,
            "created_at": order["placed_at"],
        })
        fates.append((order["placed_at"], fate))
    card_ids = db.session.scalars(insert(Card).returning(Card.id, sort_by_parameter_order=True), card_rows).all()
    events = []
    for card_id, (placed, fate) in zip(card_ids, fates, strict=True):
        events.append({"card_id": card_id, "from_status": None, "to_status": CardStatus.ORDERED.value, "reason": "",
                       "user_id": story.orderer.id, "created_at": placed})
        before = CardStatus.ORDERED.value
        for to, reason, when, by in fate:
            events.append({"card_id": card_id, "from_status": before, "to_status": to, "reason": reason,
                           "user_id": by.id if by else None, "created_at": when})
            if to in (CardStatus.BLOCKED.value, CardStatus.TERMINATED.value) and reason not in (
                    "Order cancelled", "Not budgeted this quarter"):
                story.audit.append(_audit(story, f"card.{to}", when, "Card", card_id, reason))
            before = to
    db.session.execute(insert(CardStatusEvent), events)
    _invoices_and_audit(story, orders, order_ids)
    return list(card_ids)


def _audit(story: Story, action: str, when: datetime, kind: str, obj_id, summary: str, user=None) -> dict:
    return {"created_at": when, "user_id": (user or story.orderer).id, "company_id": story.company.id,
            "action": action, "object_type": kind, "object_id": str(obj_id), "summary": summary[:500], "changes": {}}


def _invoices_and_audit(story: Story, orders: list[dict], order_ids: list[int]) -> None:
    rnd, invoices = story.rnd, []
    billed = [(oid, o) for oid, o in zip(order_ids, orders, strict=True)
              if o["status"] in (OrderStatus.DELIVERED.value, OrderStatus.SHIPPED.value)]
    issued = [min(o["placed_at"] + timedelta(days=7), story.now - timedelta(hours=1)) for _oid, o in billed]
    numbers = _numbers("invoice", "INV", issued, 4)
    for (oid, order), when, number in zip(billed, issued, numbers, strict=True):
        due = (when + timedelta(days=30)).date()
        paid = due < (story.now - timedelta(days=rnd.randint(-3, 12))).date()
        invoices.append({"company_id": story.company.id, "order_id": oid, "number": number, "issued_on": when.date(),
                         "due_on": due, "currency": "SEK", "amount": order["total"],
                         "vat": (order["total"] * Decimal("0.25")).quantize(Decimal("0.01")),
                         "status": InvoiceStatus.PAID.value if paid else InvoiceStatus.OPEN.value, "created_at": when})
    if len(invoices) > 3:
        invoices[len(invoices) // 3]["status"] = InvoiceStatus.CREDITED.value
    if invoices:
        db.session.execute(insert(Invoice), invoices)
    for oid, order in zip(order_ids, orders, strict=True):
        story.audit.append(_audit(story, "order.placed", order["placed_at"], "Order", oid, order["number"]))
        if order["decided_at"]:
            action = "order.rejected" if order["status"] == OrderStatus.REJECTED.value else "order.approved"
            story.audit.append(_audit(story, action, order["decided_at"], "Order", oid, order["number"],
                                      user=story.approver))
        if order["status"] == OrderStatus.CANCELLED.value:
            story.audit.append(_audit(story, "order.cancelled", order["placed_at"] + timedelta(hours=3), "Order", oid,
                                      order["number"]))
    db.session.execute(insert(AuditEvent), story.audit)
    story.audit.clear()


def mark_history_quiet(company: Company, since: datetime) -> None:
    """Orders placed before `since` had their last activity when they were placed."""
    db.session.execute(update(Order).where(Order.company_id == company.id, Order.placed_at < since)
                       .values(last_activity_at=Order.placed_at))


def active_accessories() -> list[Accessory]:
    return list(db.session.scalars(select(Accessory).where(Accessory.active.is_(True)).order_by(Accessory.id)))
