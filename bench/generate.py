"""The benchmark data set: companies, users, orders, cards and data-collection requests, set-based.

Company 1 ("Storbygg AB") is the big one: a tenth of all cards and requests. The rest are spread
over the other companies. Names are Nordic, national ids are valid Swedish personal identity numbers (the check
digit from python-stdnum's Luhn), photos are a few hundred small real JPEG files reused.
"""
from __future__ import annotations

import hashlib
import io
import json
import random
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw
from sqlalchemy import insert, text
from stdnum import luhn

FIRST = ("Anna Eva Maria Karin Sara Lena Emma Kerstin Ingrid Elin Ida Johanna Linnea Sofia Astrid Maja Ebba Wilma "
         "Alice Elsa Saga Freja Sigrid Åsa Märta Solveig Kari Ingeborg Aino Helmi Liisa Sanna Mette Lærke Signe "
         "Erik Lars Karl Anders Johan Per Nils Lennart Mikael Jan Hans Olof Gustav Oskar Lucas Hugo Elias Axel "
         "Björn Sven Ola Jonas Magnus Henrik Thomas Ole Bjørn Søren Mads Juha Mikko Jukka Timo Eero Väinö").split()
LAST = ("Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Pettersson "
        "Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Olofsson Lindström Lindqvist "
        "Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson Berglund Fredriksson Sandberg "
        "Henriksson Forsberg Sjöberg Wallin Engström Eklund Danielsson Lundin Håkansson Björk Bergman Gunnarsson "
        "Holm Wikström Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren Söderberg "
        "Nyberg Blomqvist Claesson Nordström Mårtensson Lundström Hansen Johansen Olsen Larsen Andersen Pedersen "
        "Nielsen Kristiansen Jensen Karlsen Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen "
        "Koskinen Järvinen Øberg Ødegård Åkesson Öberg Ekström Dahl Strand Norberg Hedlund Sundberg").split()
TOWNS = ("Stockholm Göteborg Malmö Uppsala Västerås Örebro Linköping Helsingborg Jönköping Norrköping Lund Umeå "
         "Gävle Borås Södertälje Eskilstuna Halmstad Växjö Karlstad Sundsvall Oslo Bergen Trondheim Helsinki "
         "Tampere Turku Oulu København Aarhus Odense").split()
TRADES = ("Bygg El Rör Måleri Plåt Ventilation Mark Betong Snickeri Glas Kakel Golv Tak Transport Städ Säkerhet "
          "Fastighet Konsult Vård Logistik").split()
FORMS = ("AB", "Entreprenad AB", "& Söner AB", "Service AB", "i Norden AB", "AS", "Oy", "ApS")

CHUNK = 5000
PHOTOS = 300


class Progress:
    """A one-line progress bar on stderr (no dependency)."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.t0 = label, max(1, total), 0, time.perf_counter()

    def add(self, n: int) -> None:
        self.done += n
        frac = min(1.0, self.done / self.total)
        bar = "#" * int(frac * 30)
        rate = self.done / max(1e-9, time.perf_counter() - self.t0)
        sys.stderr.write(f"\r  {self.label:28} [{bar:30}] {self.done:>9,}/{self.total:,} {rate:>9,.0f}/s")
        if self.done >= self.total:
            sys.stderr.write(f"  {time.perf_counter() - self.t0:6.1f} s\n")
        sys.stderr.flush()


def national_id(i: int) -> str:
    """A valid, unique Swedish personal identity number (12 digits) for index i."""
    born = datetime(1950, 1, 1) + timedelta(days=i % 20000)
    serial = (i // 20000) % 1000
    nine = f"{born:%y%m%d}{serial:03d}"
    return f"{born:%Y%m%d}{serial:03d}{luhn.calc_check_digit(nine)}"


def _photos(storage_dir: str, n: int = PHOTOS) -> list[str]:
    """A few hundred small real JPEGs (portrait-like blobs) stored under bench/ keys."""
    from pathlib import Path

    keys = []
    rnd = random.Random(7)
    for i in range(n):
        key = f"bench/photo-{i:04d}.jpg"
        path = Path(storage_dir) / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            bg = tuple(rnd.randint(150, 240) for _ in range(3))
            im = Image.new("RGB", (120, 154), bg)
            d = ImageDraw.Draw(im)
            skin = tuple(rnd.randint(120, 230) for _ in range(3))
            d.ellipse((30, 20, 90, 95), fill=skin)
            d.rectangle((15, 100, 105, 154), fill=tuple(rnd.randint(0, 120) for _ in range(3)))
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=80)
            path.write_bytes(buf.getvalue())
        keys.append(key)
    return keys


def _chunks(rows_iter, size: int = CHUNK):
    batch = []
    for row in rows_iter:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(db, table, label: str, total: int, rows_iter) -> None:
    """Chunks of rows as one executemany each (SQLite), or streamed with COPY (PostgreSQL)."""
    bar = Progress(label, total)
    if db.engine.dialect.name == "postgresql":
        _copy(db, table, bar, rows_iter)
    else:
        for batch in _chunks(rows_iter):
            db.session.execute(insert(table), batch)
            bar.add(len(batch))
    db.session.commit()


def _copy(db, table, bar: Progress, rows_iter) -> None:
    chunks = _chunks(rows_iter)
    first = next(chunks, None)
    if not first:
        return
    from portal.infra.bulk import _python_defaults

    core = getattr(table, "__table__", table)
    _python_defaults(core, first)  # COPY fills no Python-side defaults (tracking_number: "", ...)
    name = core.name
    columns = ", ".join(f'"{c}"' for c in first[0])
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copy:
        for batch in _chain(first, chunks):
            _python_defaults(core, batch)
            for row in batch:
                copy.write_row([json.dumps(v) if isinstance(v, dict | list) else v for v in row.values()])
            bar.add(len(batch))


def _chain(first, rest):
    yield first
    yield from rest


def company_of_order(o: int, companies: int) -> int:
    """Every tenth order is the big company's (its cards spread over the years like everyone's)."""
    return 1 if o % 10 == 0 else 2 + o % (companies - 1)


def _screens(db, now: datetime, orderers: list[int]) -> None:
    """Rows for the big company's smaller screens, so that pages of 10 and of 100 both fill up."""
    from portal.audit.models import AuditEvent
    from portal.ordering.models import Address
    from portal.printing.models import Printer, PrintJob

    db.session.execute(insert(Address), [
        {"company_id": 1, "name": f"Site {i}", "attention": "Reception", "street": f"Byggvägen {i}",
         "postcode": f"{11000 + i}", "city": TOWNS[i % len(TOWNS)], "country": "SE", "for_collection": i % 2 == 0,
         "archived": False, "created_at": now} for i in range(150)])
    db.session.execute(insert(Printer), [
        {"company_id": 1, "name": f"Printer {i}", "location": TOWNS[i % len(TOWNS)], "model": "Evolis Primacy",
         "backend": "hot_folder", "target": f"printer{i}", "enabled": True, "created_at": now} for i in range(120)])
    first_printer = db.session.scalar(text("SELECT min(id) FROM printer"))
    db.session.execute(insert(PrintJob), [
        {"company_id": 1, "card_id": 1 + 10 * 5 * i, "printer_id": first_printer + i % 120, "requested_by_id": orderers[0],
         "is_test_page": False, "status": "printed", "attempts": 1, "error": "", "output": "", "next_attempt_at": now,
         "printed_at": now, "created_at": now} for i in range(150)])
    db.session.execute(insert(AuditEvent), [
        {"created_at": now - timedelta(minutes=i), "user_id": orderers[i % len(orderers)], "company_id": 1,
         "action": "card.blocked", "object_type": "Card", "object_id": str(1 + 50 * i), "summary": "Lost on site",
         "changes": {}} for i in range(150)])
    db.session.commit()


def generate(db, storage_dir: str, *, cards: int, companies: int, requests: int, orders: int | None = None) -> dict:
    """Fill an empty schema. Returns what was made (stored in bench_meta for reuse)."""
    from portal.cards import fulltext
    from portal.cards.models import Card
    from portal.catalog.models import CardType, LayoutField
    from portal.collection.models import CollectionRequest
    from portal.ordering.models import Order, OrderLine
    from portal.tenancy.models import Company, Membership, User

    rnd = random.Random(42)
    now = datetime(2026, 11, 1)
    photos = _photos(storage_dir)
    _insert(db, Company, "companies", companies, (
        {"id": c, "name": "Storbygg AB" if c == 1 else
         f"{rnd.choice(LAST)} {rnd.choice(TRADES)} {rnd.choice(FORMS)}", "org_number": f"55{c:08d}",
         "language": "sv" if c % 3 else "en", "country": "SE", "primary_color": "#1f4e79", "logo_is_colour": False,
         "retention_months": 24, "onboarded_on": (now - timedelta(days=1800)).date(),
         "requires_order_approval": False, "reminder_count": 2, "reminder_days": 10, "request_valid_days": 30,
         "active": True, "created_at": now - timedelta(days=1800)} for c in range(1, companies + 1)))
    # Orderers: a handful per company (more in the big one), each a member.
    users = []
    for c in range(1, companies + 1):
        for k in range(20 if c == 1 else 2):
            f, la = rnd.choice(FIRST), rnd.choice(LAST)
            users.append({"id": len(users) + 1, "email": f"{f}.{la}.{c}.{k}@bench.example".lower(),
                          "name": f"{f} {la}", "is_operator": False, "active": True, "session_version": 1,
                          "created_at": now, "_company": c})
    _insert(db, User, "users", len(users), ({k: v for k, v in u.items() if k != "_company"} for u in users))
    _insert(db, Membership, "memberships", len(users), (
        {"user_id": u["id"], "company_id": u["_company"], "role": "admin" if u["id"] % 20 == 1 else "orderer",
         "active": True, "created_at": now} for u in users))
    users_of: dict[int, list[int]] = {}
    for u in users:
        users_of.setdefault(u["_company"], []).append(u["id"])
    ct = CardType(name="Site ID", price=Decimal("89"))
    ct.fields = [LayoutField(key="first_name", label_en="First name", label_sv="Förnamn", kind="text", position=1),
                 LayoutField(key="last_name", label_en="Last name", label_sv="Efternamn", kind="text", position=2),
                 LayoutField(key="national_id", label_en="Personal identity number", label_sv="Personnummer",
                             kind="national_id", required=False, position=3),
                 LayoutField(key="photo", label_en="Photo", label_sv="Foto", kind="photo", position=4)]
    db.session.add(ct)
    db.session.commit()
    # Orders of about five cards each, placed over five years, oldest first.
    # (`orders` above that: older orders whose cards are gone from the set, each still with its line.)
    per_order = 5
    n_orders = max(-(-cards // per_order), orders or 0)
    span = timedelta(days=5 * 365).total_seconds()

    def placed(i: int, total: int) -> datetime:
        return now - timedelta(seconds=span * (1 - i / total))

    def order_company(o: int) -> int:
        return company_of_order(o, companies)

    _insert(db, Order, "orders", n_orders, (
        {"id": o + 1, "company_id": order_company(o), "number": f"B{o + 1:08d}", "status": "delivered",
         "orderer_id": users_of[order_company(o)][o % len(users_of[order_company(o)])],
         "reference": f"PO-{o % 9000 + 1000}", "cost_centre": "", "note": "", "delivery": {"name": "Reception"},
         "currency": "SEK", "total": Decimal("445.00"), "placed_at": placed(o, n_orders),
         "last_activity_at": placed(o, n_orders), "rejection_reason": ""} for o in range(n_orders)))
    # One card line per order, named after its first holder (what Order history's holder search finds).
    _insert(db, OrderLine, "order lines", n_orders, (
        {"id": o + 1, "order_id": o + 1, "kind": "card", "card_type_id": ct.id, "description": "Site ID",
         "quantity": per_order, "unit_price": Decimal("89.00"), "surcharge": Decimal("0.00"),
         "holder_name": f"{FIRST[(o * 35 + o * 5 // 97) % len(FIRST)]} {LAST[(o * 65 + o * 5 // 89) % len(LAST)]}",
         "holder_data": {}, "photo_key": None, "delivery": None} for o in range(n_orders)))

    def card_rows():
        for i in range(cards):
            f, la = FIRST[(i * 7 + i // 97) % len(FIRST)], LAST[(i * 13 + i // 89) % len(LAST)]
            o = i // per_order
            c = order_company(o)
            nid = national_id(i)
            status = "active" if i % 10 else ("blocked" if i % 20 else "terminated")
            yield {"id": i + 1, "company_id": c, "order_id": o + 1, "card_type_id": ct.id,
                   "orderer_id": users_of[c][o % len(users_of[c])], "holder_name": f"{f} {la}",
                   "holder_email": f"{f}.{la}{i % 1000}@{'storbygg' if c == 1 else f'firma{c}'}.se".lower(),
                   "national_id": nid, "employee_no": f"E{i:07d}",
                   "holder_data": {"first_name": f, "last_name": la, "national_id": nid},
                   "photo_key": photos[i % len(photos)], "card_number": f"47{i + 1:010d}",
                   "chip_uid": f"04{(i * 2654435761) % 16 ** 12:012X}", "readouts": {}, "status": status,
                   "status_reason": "", "status_changed_at": placed(o, n_orders), "created_at": placed(o, n_orders),
                   "updated_at": placed(o, n_orders), "activated_at": placed(o, n_orders) if status == "active" else None}

    with db.engine.begin() as conn:  # the trigram index is built once at the end, not row by row
        fulltext.drop(conn)
    _insert(db, Card, "cards", cards, card_rows())
    t = time.perf_counter()
    with db.engine.begin() as conn:
        fulltext.create(conn)
        if conn.dialect.name == "sqlite":
            conn.execute(text(fulltext.SQLITE_REBUILD))
    sys.stderr.write(f"  trigram index over names and emails: {time.perf_counter() - t:6.1f} s\n")

    def request_rows():
        for r in range(requests):
            c = 1 if r % 10 == 0 else 2 + r % (companies - 1)
            f, la = FIRST[(r * 11) % len(FIRST)], LAST[(r * 17 + r // 71) % len(LAST)]
            kind = r % 10
            status = "pending" if kind < 5 else ("in_review" if kind < 7 else "in_cart")
            sent = now - timedelta(days=r % 25, minutes=r % 1440)
            yield {"company_id": c, "card_type_id": ct.id, "created_by_id": users_of[c][0],
                   "email": f"{f}.{la}.r{r}@{'storbygg' if c == 1 else f'firma{c}'}.se".lower(),
                   "name": f"{f} {la}", "language": "sv", "status": status,
                   # Open requests have a personal link (only its hash is stored); finished ones not.
                   "token_hash": hashlib.sha256(b"r%d" % r).hexdigest() if status != "in_cart" else None,
                   "token_salt": None,
                   "data": {"first_name": f, "last_name": la} if status != "pending" else {},
                   "photo_key": photos[r % len(photos)] if status != "pending" else None,
                   "address_fixed": False, "rejection_reason": "", "rejected_steps": "", "manual_reminders_sent": 0,
                   "reminders_sent": 2 if status == "pending" else 0,
                   "sent_at": sent, "last_sent_at": sent, "expires_at": sent + timedelta(days=3650),
                   "submitted_at": sent + timedelta(hours=3) if status != "pending" else None,
                   "created_at": sent, "updated_at": sent}

    _insert(db, CollectionRequest, "data-collection requests", requests, request_rows())
    _screens(db, now, users_of[1])
    if db.engine.dialect.name == "postgresql":
        for table in ("company", "user_account", "card_order", "order_line", "card", "collection_request",
                      "membership"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
        db.session.commit()
    return {"cards": cards, "companies": companies, "requests": requests, "orders": n_orders}
