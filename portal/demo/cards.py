"""Demo cards (called by portal.demo.seed on an empty database): orders of the last months with cards in
every status, production data, a printed job, a pending holder-approved change and a customer request,
so that Handle cards, Reports, the dashboard and the customer portal show something on first start."""
from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select, update

from portal.cards.models import Card, CardStatusEvent
from portal.cards.operations import block_card, request_card_change, set_production_data, terminate_card
from portal.catalog.models import CardType
from portal.customers.models import CustomerRequest, CustomerRequestStatus, PortalAccount
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.ordering.checkout import place_order
from portal.ordering.models import Address, Order, OrderStatus
from portal.ordering.operations import add_card_to_cart
from portal.printing.models import Printer, PrintJob, PrintJobStatus
from portal.tenancy.models import Company, User

# (first name, last name, employee number, department, months ago, what happens to the card)
PEOPLE = [
    ("Elsa", "Nyström", "E1001", "Office", 5, "active"),
    ("Johan", "Berglund", "E1002", "Warehouse", 5, "active"),
    ("Maria", "Holm", "E1003", "Field service", 4, "blocked"),
    ("Ahmed", "Karimi", "E1004", "Office", 3, "active"),
    ("Sara", "Lund", "E1005", "Warehouse", 3, "terminated"),
    ("Lars", "Ek", "E1006", "Field service", 2, "active"),
    ("Fatima", "Said", "E1007", "Office", 1, "in_production"),
    ("Nils", "Åberg", "E1008", "Warehouse", 0, "ordered"),
    ("Ida", "Sjöberg", "E1009", "Office", 0, "ordered"),
]
COLOURS = [(70, 110, 160), (150, 90, 60), (80, 140, 100), (120, 80, 140), (160, 130, 60)]


def demo_photo(index: int) -> bytes:
    """A plain head-and-shoulders silhouette (no real person in the demo)."""
    img = Image.new("RGB", (413, 531), (228, 232, 238))
    draw = ImageDraw.Draw(img)
    colour = COLOURS[index % len(COLOURS)]
    draw.ellipse([126, 90, 286, 270], fill=(235, 200, 170))
    draw.ellipse([60, 300, 352, 640], fill=colour)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()


def seed_cards_demo() -> None:
    company = db.session.scalar(select(Company).where(Company.name == "Nordbygg AB"))
    orderer = db.session.scalar(select(User).where(User.email == "orderer@nordbygg.example"))
    operator = db.session.scalar(select(User).where(User.is_operator.is_(True)))
    badge = db.session.scalar(select(CardType).where(CardType.name == "Employee badge"))
    address = db.session.scalar(select(Address).where(Address.company_id == (company.id if company else -1)))
    if None in (company, orderer, operator, badge, address):
        return
    now = utcnow()
    cards: list[tuple[Card, str]] = []
    for i, (first, last, number, dept, months_ago, fate) in enumerate(PEOPLE):
        add_card_to_cart(company, orderer, badge, {"first_name": first, "last_name": last, "employee_no": number,
                                                   "department": dept},
                         storage.save(demo_photo(i), "photos", "jpg"))
        order = place_order(company, orderer, address_id=address.id, reference=f"Onboarding {dept.lower()}",
                            cost_centre="4100")
        when = now - timedelta(days=30 * months_ago + 3)
        order.placed_at = order.last_activity_at = when
        order.status = (OrderStatus.DELIVERED if months_ago >= 2 else OrderStatus.IN_PRODUCTION if months_ago
                        else OrderStatus.PLACED).value
        card = db.session.scalar(select(Card).where(Card.order_id == order.id))
        card.created_at = card.status_changed_at = when
        db.session.execute(update(CardStatusEvent).where(CardStatusEvent.card_id == card.id).values(created_at=when))
        cards.append((card, fate))
    for i, (card, fate) in enumerate(cards):
        if fate == "in_production":
            set_production_data(card, operator, chip_uid=f"04A1B2C3D4E5{i:02d}")
        elif fate != "ordered":
            set_production_data(card, operator, card_number=f"1000{i + 1:04d}", chip_uid=f"04A1B2C3D4E5{i:02d}",
                                readouts={"Chip type": "MIFARE DESFire EV3", "Facility code": "42"})
        if fate == "blocked":
            block_card(company, orderer, card, "Lost on the site")
        elif fate == "terminated":
            terminate_card(company, orderer, card, "Left the company")
    active = cards[0][0]
    request_card_change(company, orderer, active, {**active.holder_data, "department": "Warehouse"},
                        holder_email="elsa.nystrom@nordbygg.example")
    printer = db.session.scalar(select(Printer).where(Printer.company_id == company.id))
    if printer is not None:
        db.session.add(PrintJob(company_id=company.id, card_id=cards[3][0].id, printer_id=printer.id,
                                requested_by_id=orderer.id, status=PrintJobStatus.PRINTED.value, attempts=1,
                                printed_at=now - timedelta(days=80), created_at=now - timedelta(days=80)))
    account = db.session.scalar(select(PortalAccount).where(PortalAccount.company_id == company.id))
    if account is not None:
        db.session.add(CustomerRequest(
            company_id=company.id, account_id=account.id, subject="Invoice reference",
            notes="Please put our PO number 4500123 on the next invoice.", status=CustomerRequestStatus.DONE.value,
            reply="Done: the next invoice carries PO 4500123.", created_at=now - timedelta(days=6),
            replied_at=now - timedelta(days=5)))
    db.session.flush()
    # The demo's history happened in the past: keep its orders and cards out of "last activity today".
    db.session.execute(update(Order).where(Order.company_id == company.id,
                                           Order.placed_at < now - timedelta(days=20))
                       .values(last_activity_at=Order.placed_at))
