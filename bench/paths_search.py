"""Handle cards at scale: the list page of the big company, search by numbers and by parts of names."""
from __future__ import annotations

from sqlalchemy import func, select, text

from bench.clients import get_ok, signed_in_client
from bench.harness import report, timed


def run(app, db) -> None:
    from portal.cards.models import Card
    from portal.cards.search import search_cards
    from portal.tenancy.models import Company

    company = db.session.get(Company, 1)
    n = db.session.scalar(select(func.count()).select_from(Card).where(Card.company_id == 1))
    client = signed_in_client(app, db)

    bare_page = timed(lambda: db.session.execute(select(Card.id).where(Card.company_id == 1).order_by(
        Card.created_at.desc(), Card.id.desc()).limit(50)).all())[0]
    page = timed(lambda: get_ok(client, "/admin/cards/?per_page=50"))
    report(f"card list page of 50 ({n:,} cards), server time", page, "bare 50-row index read", bare_page,
           target="p50 < 25 ms", met=page[0] < 0.025)
    deep = timed(lambda: get_ok(client, "/admin/cards/?per_page=50&page=20"))
    report("card list page 21 of 50, server time", deep, "bare 50-row index read", bare_page,
           target="p50 < 25 ms", met=deep[0] < 0.025)
    fa_count = timed(lambda: db.session.execute(text("SELECT count('*') FROM card WHERE company_id = 1")).all(), 3)[0]
    full_count = timed(lambda: db.session.execute(text("SELECT count(*) FROM card WHERE company_id = 1")).all(), 3)
    report("  (not used) full count(*) of the company", full_count, "Flask-Admin count('*')", fa_count)

    sample = db.session.execute(select(Card.national_id, Card.card_number, Card.employee_no, Card.holder_name)
                                .where(Card.company_id == 1).order_by(Card.id).offset(n // 2).limit(1)).one()
    nid, number, employee_no, name = sample
    bare = timed(lambda: db.session.execute(select(Card.id).where(Card.national_id == nid)).all(), 21)[0]
    numeric = {
        "national id typed YYMMDD-NNNN": f"{nid[2:8]}-{nid[8:]}",
        "national id 12 digits": nid,
        "national id YYYYMMDD-NNNN": f"{nid[:8]}-{nid[8:]}",
        "national id prefix (birth date)": nid[2:8],
        "card number exact": number,
        "card number prefix": number[:-3],
        "card number typed with spaces": f"{number[:4]} {number[4:8]} {number[8:]}",
        "employee number": employee_no,
    }
    for label, q in numeric.items():
        found = search_cards(company, q)[0]
        figures = timed(lambda q=q: search_cards(company, q), 21)
        report(f"card search: {label} ({len(found)} hits)", figures, "bare index lookup", bare,
               target="p50 < 5 ms", met=figures[0] < 0.005)

    first, last = name.split(" ", 1)
    # What Flask-Admin's default search does on every page: count the matches of
    # lower(CAST(col AS VARCHAR)) LIKE '%x%' over the searchable columns (no index can help).
    term = f"%{last[1:6].lower()}%"
    default = timed(lambda: db.session.scalar(select(func.count()).select_from(Card).where(
        Card.company_id == 1, func.lower(func.cast(Card.holder_name, db.String)).like(term)
        | func.lower(func.cast(Card.holder_email, db.String)).like(term))), 3, 0)[0]
    words = {
        "full name": name,
        "part of a surname": last[1:6],
        "very common term 'son'": "son",
        "very common term 'an'": "an",
        "email domain (every card of the company)": "storbygg",
        "rare term (no card)": "zzqx",
        "orderer name prefix": "anna",
    }
    for label, q in words.items():
        figures = timed(lambda q=q: search_cards(company, q), 11)
        report(f"card search: {label}", figures, "Flask-Admin default LIKE count", default,
               target="p50 < 50 ms", met=figures[0] < 0.05)
    screen = timed(lambda: get_ok(client, f"/admin/cards/?q={last[1:6]}&per_page=50"))
    report("Handle cards screen with a name search, server time", screen, "Flask-Admin default LIKE count", default,
           target="p50 < 50 ms", met=screen[0] < 0.05)
