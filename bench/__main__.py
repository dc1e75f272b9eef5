"""Quick measurements of the hot paths named in the issues (figures, not assertions).

    python -m bench            # SQLite in a temporary folder
    DATABASE_URL=postgresql+psycopg://... python -m bench

Each line: name, median, min, max over the runs, and a comparison measured in the same run.
Results also go to bench/results.json.
"""
from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from PIL import Image
from sqlalchemy import insert, text, update

RESULTS: list[dict] = []


def timed(fn, runs: int = 5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), max(times)


def report(name: str, figures, compare_name: str = "", compare: float | None = None) -> None:
    med, lo, hi = figures
    ratio = f"{med / compare:6.2f}x" if compare else "      "
    extra = f"  vs {compare_name} {compare * 1000:8.2f} ms  ratio {ratio}" if compare else ""
    print(f"{name:48} median {med * 1000:8.2f} ms  min {lo * 1000:8.2f}  max {hi * 1000:8.2f}{extra}", flush=True)
    RESULTS.append({"name": name, "median_ms": med * 1000, "min_ms": lo * 1000, "max_ms": hi * 1000,
                    "compare": compare_name, "compare_ms": (compare or 0) * 1000})


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="cardwright-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    from app import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": f"{tmp}/files", "SECRET_KEY": "x" * 40})
    with app.test_request_context():
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
        db.create_all()
        print(f"database: {db.engine.dialect.name}", flush=True)
        bench_photo()
        company, user, ct = seed(db)
        bench_csv_import(db, company, user, ct)
        bench_card_search(db, company, ct)
        bench_retention(db, company, ct)
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
    Path(__file__).with_name("results.json").write_text(json.dumps(RESULTS, indent=2))


def bench_photo() -> None:
    from portal.images import normalise_photo

    buf = io.BytesIO()
    Image.effect_noise((4000, 3000), 40).convert("RGB").save(buf, "JPEG", quality=90)
    data = buf.getvalue()

    def full_decode():
        with Image.open(io.BytesIO(data)) as im:
            im.load()

    tracemalloc.start()
    normalise_photo(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    report("photo: 12 MP JPEG -> card photo", timed(lambda: normalise_photo(data)), "full 12 MP decode",
           timed(full_decode)[0])
    print(f"{'photo: peak Python-traced memory':48} {peak / 1e6:8.1f} MB", flush=True)


def seed(db):
    from portal.catalog.models import CardType, LayoutField
    from portal.tenancy.models import Company, User

    company = Company(name="Bench AB", language="en", retention_months=12)
    user = User(email="bench@x.se", name="Bench")
    ct = CardType(name="Badge", price=Decimal("89"))
    ct.fields = [LayoutField(key="first_name", label_en="First name", kind="text", position=1),
                 LayoutField(key="last_name", label_en="Last name", kind="text", position=2),
                 LayoutField(key="national_id", label_en="Personal identity number", kind="national_id",
                             required=False, position=3)]
    db.session.add_all([company, user, ct])
    db.session.commit()
    return company, user, ct


def bench_csv_import(db, company, user, ct) -> None:
    import csv

    from portal.collection.models import CollectionRequest
    from portal.collection.operations import import_csv

    lines = ["EMAIL,First name,Last name"] + [f"p{i}@example.com,Person{i},Svensson" for i in range(10_000)]
    data = "\n".join(lines).encode("utf-8-sig")

    def run():
        import_csv(company, user, ct, data, collect_by_email=True)
        db.session.execute(text("DELETE FROM outbox_email"))
        db.session.execute(text("DELETE FROM collection_request"))
        db.session.execute(text("DELETE FROM import_batch"))
        db.session.commit()

    def baseline():
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
        db.session.execute(insert(CollectionRequest), [
            {"company_id": company.id, "card_type_id": ct.id, "email": r[0], "data": {"first_name": r[1]},
             "status": "pending"} for r in rows])
        db.session.execute(text("DELETE FROM collection_request"))
        db.session.commit()

    report("csv import: 10,000 rows validated + stored + emails", timed(run, 3),
           "csv parse + one executemany", timed(baseline, 3)[0])


def bench_card_search(db, company, ct) -> None:
    from stdnum.se import personnummer

    from portal.cards.models import Card
    from portal.cards.search import search_cards

    ids = []
    n = 0
    while len(ids) < 100_000:
        ten = f"{60 + n % 40:02d}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        n += 1
        for d in range(10):
            if personnummer.is_valid(ten + str(d)):
                ids.append("19" + ten + str(d))
                break
    rows = [{"company_id": company.id, "card_type_id": ct.id, "holder_name": f"Person{i} Svensson",
             "national_id": ids[i], "card_number": f"47{i:08d}", "status": "active", "holder_data": {},
             "readouts": {}, "holder_email": "", "employee_no": f"E{i}", "status_reason": ""}
            for i in range(100_000)]
    t = time.perf_counter()
    for start in range(0, len(rows), 10_000):
        db.session.execute(insert(Card), rows[start:start + 10_000])
    db.session.commit()
    print(f"{'seed: 100,000 cards (set-based insert)':48} {time.perf_counter() - t:8.2f} s", flush=True)
    target = ids[54321]
    typed = f"{target[2:8]}-{target[8:]}"
    report("card search: national id typed 850101-0006 style", timed(lambda: search_cards(company, typed), 7))
    report("card search: card number prefix", timed(lambda: search_cards(company, "4700054"), 7))
    report("card search: name prefix", timed(lambda: search_cards(company, "person5432"), 7))
    report("card list: first page, no search", timed(lambda: search_cards(company, ""), 7))


def bench_retention(db, company, ct) -> None:
    from portal.db_types import utcnow
    from portal.ordering.models import Order
    from portal.retention.operations import anonymise_company

    old = utcnow() - timedelta(days=800)

    def seed_orders():
        db.session.execute(text("DELETE FROM card_order"))
        db.session.execute(insert(Order), [
            {"company_id": company.id, "number": f"B-{i}", "status": "delivered", "reference": "", "cost_centre": "",
             "note": "note", "delivery": {"name": "x"}, "currency": "SEK", "total": 0, "placed_at": old,
             "last_activity_at": old, "rejection_reason": ""} for i in range(100_000)])
        db.session.commit()

    seed_orders()
    t = time.perf_counter()
    counts = anonymise_company(company)
    run = time.perf_counter() - t
    seed_orders()
    t = time.perf_counter()
    db.session.execute(update(Order).where(Order.company_id == company.id).values(delivery=None, note=""))
    db.session.commit()
    bare = time.perf_counter() - t
    report(f"retention: {counts.orders:,} expired orders", (run, run, run), "one bare UPDATE", bare)


if __name__ == "__main__":
    sys.exit(main())
