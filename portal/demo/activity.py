"""What is going on today in the demo (called by portal.demo.seed on an empty database): data-collection
requests waiting for employees and in review (with photos), one sent back, print jobs in every state,
customer-portal requests and a couple of cards in the orderer's cart."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from portal.catalog.models import CardType
from portal.collection.models import CollectionRequest, RequestStatus
from portal.customers.models import CustomerRequest, CustomerRequestStatus, PortalAccount
from portal.demo.history import FIRST, LAST, Story, national_id
from portal.demo.photos import portrait
from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.tokens import derived_token, hash_token, new_salt
from portal.ordering.models import CartItem
from portal.printing.models import Printer, PrintJob, PrintJobStatus

DEMO_PHOTOS = 14  # distinct portraits behind the year's cards (a shared file: rows hold their keys)


def demo_photo_keys(count: int = DEMO_PHOTOS, first: int = 0) -> list[str]:
    return [storage.save(portrait(first + i), "photos", "jpg") for i in range(count)]


def _person(rnd: random.Random, used: set[str]) -> tuple[str, str, str]:
    while True:
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        email = f"{first}.{last}@nordbygg.example".lower().translate(str.maketrans("åäöé", "aaoe"))
        if email not in used:
            used.add(email)
            return first, last, email


def seed_requests(story: Story, card_type: CardType, *, pending: int = 7, in_review: int = 6) -> None:
    """Requests sent over the last two weeks: some still waiting (a reminder or two), some confirmed by the
    employee with data and photo (In review), one sent back for a new photo."""
    rnd, company, now = story.rnd, story.company, story.now
    used: set[str] = set()
    rows = []
    site = any(f.key == "national_id" for f in card_type.fields)

    def row(status: str, days_ago: float, first: str, last: str, email: str) -> dict:
        sent = now - timedelta(days=days_ago)
        salt = new_salt()
        return {"company_id": company.id, "card_type_id": card_type.id, "created_by_id": story.orderer.id,
                "email": email, "name": f"{first} {last}", "language": company.language or "sv", "status": status,
                "token_salt": salt, "token_hash": hash_token(derived_token("collection", salt)),
                "address_id": story.address.id, "address_fixed": False, "data": {}, "sent_at": sent,
                "last_sent_at": sent, "created_at": sent, "updated_at": sent,
                "expires_at": sent + timedelta(days=company.request_valid_days or 30)}

    for i in range(pending):
        first, last, email = _person(rnd, used)
        r = row(RequestStatus.PENDING.value, 1 + i * 1.7, first, last, email)
        r["reminders_sent"] = 1 if i >= 3 else 0
        if r["reminders_sent"]:
            r["last_sent_at"] = r["sent_at"] + timedelta(days=3)
        rows.append(r)
    photos = demo_photo_keys(in_review + 1, first=100)
    for i in range(in_review + 1):
        first, last, email = _person(rnd, used)
        sent_back = i == in_review
        r = row(RequestStatus.REJECTED.value if sent_back else RequestStatus.IN_REVIEW.value, 2 + i, first, last,
                email)
        data = {"first_name": first, "last_name": last, "email": email}
        if site:
            data.update(national_id=national_id(rnd), employer="Nordbygg AB")
        else:
            data.update(employee_no=f"E{3100 + i}", department=rnd.choice(["Office", "Warehouse", "Field service"]))
        r.update(data=data, photo_key=photos[i], submitted_at=r["sent_at"] + timedelta(hours=rnd.randint(2, 30)))
        r["updated_at"] = r["submitted_at"]
        if sent_back:
            r.update(rejection_reason="The photo is too dark: please take a new one in daylight.",
                     rejected_steps="photo", last_sent_at=r["submitted_at"] + timedelta(hours=4))
        rows.append(r)
    db.session.execute(insert(CollectionRequest), rows)


def seed_print_jobs(story: Story, printer: Printer, card_ids: list[int]) -> None:
    """The printer's last weeks: printed cards, a failed and a cancelled job, and a few still to print."""
    if len(card_ids) < 12:
        return
    now, rows = story.now, []
    states = ([PrintJobStatus.PRINTED] * 7 + [PrintJobStatus.FAILED, PrintJobStatus.CANCELLED, PrintJobStatus.PRINTING]
              + [PrintJobStatus.QUEUED] * 2)
    for i, (state, card_id) in enumerate(zip(states, card_ids[-len(states):], strict=True)):
        created = now - timedelta(days=2 * (len(states) - i), hours=story.rnd.randint(0, 6))
        if state in (PrintJobStatus.QUEUED, PrintJobStatus.PRINTING):
            created = now - timedelta(minutes=5 + i)
        rows.append({
            "company_id": story.company.id, "card_id": card_id, "printer_id": printer.id,
            "requested_by_id": story.orderer.id, "is_test_page": False, "status": state.value,
            "attempts": {PrintJobStatus.FAILED: 3, PrintJobStatus.QUEUED: 0}.get(state, 1),
            "error": "The printer reports: ribbon out." if state == PrintJobStatus.FAILED else "",
            "output": f"reception/cardwright-demo-{i + 1}.png" if state == PrintJobStatus.PRINTED else "",
            "next_attempt_at": created, "claimed_at": created if state == PrintJobStatus.PRINTING else None,
            "printed_at": created + timedelta(minutes=2) if state == PrintJobStatus.PRINTED else None,
            "created_at": created,
        })
    db.session.execute(insert(PrintJob), rows)


def seed_customer_requests(story: Story, account: PortalAccount | None) -> None:
    if account is None:
        return
    now = story.now
    db.session.execute(insert(CustomerRequest), [
        {"company_id": story.company.id, "account_id": account.id, "subject": "Cards for the new site team",
         "notes": "We start at Norra Tornen on Monday with 14 people. Can the cards be ready by Friday?",
         "status": CustomerRequestStatus.NEW.value, "reply": "", "created_at": now - timedelta(hours=5)},
        {"company_id": story.company.id, "account_id": account.id, "subject": "Lanyards in our colour",
         "notes": "Could you quote 200 lanyards in Nordbygg blue with our logo?",
         "status": CustomerRequestStatus.IN_PROGRESS.value, "reply": "", "created_at": now - timedelta(days=2)},
    ])


def seed_cart(story: Story, card_type: CardType, photos: list[str]) -> None:
    """Two cards the orderer has started on and not yet ordered."""
    rows = []
    for i, (first, last) in enumerate([("Mira", "Lindholm"), ("Adam", "Berggren")]):
        data = {"first_name": first, "last_name": last, "employee_no": f"E{3200 + i}", "department": "Office"}
        rows.append({"company_id": story.company.id, "user_id": story.orderer.id, "kind": "card",
                     "card_type_id": card_type.id, "quantity": 1, "holder_data": data, "photo_key": photos[i],
                     "address_id": story.address.id, "created_at": story.now - timedelta(hours=1 + i)})
    db.session.execute(insert(CartItem), rows)



def seed_alive() -> None:
    """A year of history for both demo companies and what is going on today."""
    from sqlalchemy import select

    from portal.demo.history import active_accessories, seed_year
    from portal.ordering.models import Address
    from portal.tenancy.models import Company, User

    def one(model, *where):
        return db.session.scalar(select(model).where(*where).order_by(model.id).limit(1))

    nordbygg, kontor = one(Company, Company.name == "Nordbygg AB"), one(Company, Company.name != "Nordbygg AB")
    orderer = one(User, User.email == "orderer@nordbygg.example")
    approver, admin = one(User, User.email == "approver@nordbygg.example"), one(User, User.email == "admin@nordbygg.example")
    operator = one(User, User.is_operator.is_(True))
    types = {ct.name: ct for ct in db.session.scalars(select(CardType).where(CardType.company_id.is_(None)))}
    badge, site, fob = (types.get(n) for n in ("Employee badge", "Construction site ID card", "Key fob"))
    if None in (nordbygg, kontor, orderer, approver, admin, operator, badge, site, fob):
        return
    photos, accessories, rnd = demo_photo_keys(), active_accessories(), random.Random(2026)  # noqa: S311 - repeatable demo data, not secrets
    story = Story(nordbygg, orderer, approver, operator, [badge, site, fob],
                  one(Address, Address.company_id == nordbygg.id), photos, (9, 15), rnd)
    card_ids = seed_year(story, accessories)
    printer = one(Printer, Printer.company_id == nordbygg.id)
    if printer is not None:
        seed_print_jobs(story, printer, card_ids)
    seed_requests(story, badge)
    seed_requests(story, site, pending=2, in_review=2)
    seed_customer_requests(story, one(PortalAccount, PortalAccount.company_id == nordbygg.id))
    seed_cart(story, badge, photos)
    seed_year(Story(kontor, admin, None, operator, [badge, fob], one(Address, Address.company_id == kontor.id),
                    photos, (2, 4), rnd), accessories)
    # Last month's card fees invoiced as the monthly job does (the portal's invoices show their lines).
    from portal.infra.db_types import utcnow
    from portal.reports.fee_invoices import invoice_card_fees, previous_month

    for company in (nordbygg, kontor):
        invoice_card_fees(company, previous_month(utcnow().date()))
