"""Demo data for a fresh database: an operator, two companies, users, catalogue and addresses."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from portal.catalog.models import Accessory, CardTemplate, CardType, LayoutField
from portal.demo.catalog_names import translate
from portal.infra.extensions import db
from portal.ordering.models import Address
from portal.security.passwords import hash_password
from portal.tenancy.models import Company, Membership, Role, User

DEMO_PASSWORD = "cardwright-demo"  # noqa: S105 - the published demo login of `make run`
DEMO_LOGINS = [
    ("operator@cardwright.example", "Operator (runs the service: catalogue, all companies)"),
    ("admin@nordbygg.example", "Company admin of Nordbygg AB and Kontorshuset i Norr AB"),
    ("orderer@nordbygg.example", "Orderer at Nordbygg AB"),
    ("approver@nordbygg.example", "Approver at Nordbygg AB"),
    ("nordbygg (username)", "Customer portal account of Nordbygg AB, at /portal/login"),
]

_BADGE_LAYOUT = {
    "photo": [40, 150, 300, 386],
    "logo": [40, 30, 354, 118],
    "fields": {"first_name": [380, 220, 56], "last_name": [380, 290, 56], "employee_no": [380, 380, 36],
               "department": [380, 430, 36], "national_id": [380, 380, 36], "employer": [380, 430, 36]},
}


def _field(key, en, kind, required=True, position=0, options="", max_length=100):
    # the other languages come from portal.demo.catalog_names
    return LayoutField(key=key, label_en=en, kind=kind, required=required, position=position,
                       options=options, max_length=max_length)


def demo_card_types() -> list[CardType]:
    badge = CardType(name="Employee badge", kind="card", price=Decimal("89.00"), fee=Decimal("5.00"), fee_period="month",
                     description="PVC card with photo, name and employee number.")
    badge.fields = [
        _field("first_name", "First name", "text", position=1, max_length=40),
        _field("last_name", "Last name", "text", position=2, max_length=40),
        _field("employee_no", "Employee number", "employee_no", False, 3, max_length=20),
        _field("department", "Department", "choice", False, 4, "Office\nWarehouse\nField service"),
        _field("photo", "Photo", "photo", position=5),
    ]
    badge.template = CardTemplate(background_color="#ffffff", layout=_BADGE_LAYOUT)
    site = CardType(name="Construction site ID card", kind="card", price=Decimal("129.00"), fee=Decimal("60.00"),
                    fee_period="year",
                    description="Site ID card with photo and personal identity number.")
    site.fields = [
        _field("first_name", "First name", "text", position=1, max_length=40),
        _field("last_name", "Last name", "text", position=2, max_length=40),
        _field("national_id", "Personal identity number", "national_id", position=3),
        _field("employer", "Employer", "text", False, 4, max_length=60),
        _field("email", "Email", "email", False, 5),
        _field("photo", "Photo", "photo", position=6),
    ]
    site.template = CardTemplate(background_color="#fff8e1", layout=_BADGE_LAYOUT)
    fob = CardType(name="Key fob", kind="key_fob", price=Decimal("49.00"),
                   description="RFID key fob for doors and lockers.")
    fob.fields = [
        _field("first_name", "First name", "text", position=1, max_length=40),
        _field("last_name", "Last name", "text", position=2, max_length=40),
        _field("employee_no", "Employee number", "employee_no", True, 3, max_length=20),
    ]
    return [translate(ct) for ct in (badge, site, fob)]


def seed_demo() -> bool:
    """Fill an empty database with demo data. Returns False (and does nothing) if users exist."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return False
    pw = hash_password(DEMO_PASSWORD)
    operator = User(email="operator@cardwright.example", name="Olivia Operator", password_hash=pw,
                    is_operator=True, language="en")
    admin = User(email="admin@nordbygg.example", name="Anna Andersson", password_hash=pw, language="en")
    orderer = User(email="orderer@nordbygg.example", name="Oskar Lindqvist", password_hash=pw, language="sv")
    approver = User(email="approver@nordbygg.example", name="Karin Berg", password_hash=pw)
    nordbygg = Company(name="Nordbygg AB", org_number="556677-8899", language="sv", primary_color="#0b5394",
                       requires_order_approval=True, local_print_requires_approval=False)
    kontor = Company(name="Kontorshuset i Norr AB", org_number="559012-3456", language="en",
                     primary_color="#38761d", requires_order_approval=False)
    db.session.add_all([operator, admin, orderer, approver, nordbygg, kontor])
    db.session.flush()
    db.session.add_all([
        Membership(user_id=admin.id, company_id=nordbygg.id, role=Role.ADMIN.value),
        Membership(user_id=admin.id, company_id=kontor.id, role=Role.ADMIN.value),
        Membership(user_id=orderer.id, company_id=nordbygg.id, role=Role.ORDERER.value),
        Membership(user_id=approver.id, company_id=nordbygg.id, role=Role.APPROVER.value),
    ])
    db.session.add_all(demo_card_types())
    db.session.add_all([
        translate(Accessory(name="Card holder, transparent", price=Decimal("12.00"))),
        translate(Accessory(name="Lanyard with safety release", price=Decimal("18.00"))),
        translate(Accessory(name="Retractable yo-yo", price=Decimal("25.00"))),
    ])
    db.session.add_all([
        Address(company_id=nordbygg.id, name="Nordbygg AB, head office", attention="Reception",
                street="Sveavägen 12", postcode="111 57", city="Stockholm", for_collection=True),
        Address(company_id=nordbygg.id, name="Nordbygg site office Hagastaden", attention="Site manager",
                street="Torsplan 2", postcode="113 65", city="Stockholm", for_collection=True),
        Address(company_id=nordbygg.id, name="Nordbygg warehouse", street="Lagervägen 4",
                postcode="175 61", city="Järfälla"),
        Address(company_id=kontor.id, name="Kontorshuset i Norr AB", attention="HR",
                street="Storgatan 1", postcode="903 26", city="Umeå", for_collection=True),
    ])
    from portal.demo.customers import seed_portal_demo
    from portal.printing.models import Printer

    seed_portal_demo(DEMO_PASSWORD)

    db.session.add(Printer(company_id=nordbygg.id, name="Reception card printer", location="Head office",
                           model="Evolis Primacy 2", backend="hot_folder", target="reception"))
    from portal.demo.cards import seed_cards_demo

    seed_cards_demo()
    from portal.demo.activity import seed_alive

    seed_alive()  # a year of orders, cards, invoices and audit; requests, print jobs and a cart of today
    db.session.flush()
    return True
