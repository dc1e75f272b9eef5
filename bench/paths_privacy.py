"""Company > Privacy at scale: finding a person in the big company, and gathering what is held about them."""
from __future__ import annotations

from sqlalchemy import func, select

from bench.harness import report, timed


def run(app, db) -> None:
    from portal.cards.models import Card
    from portal.cards.search import search_cards
    from portal.privacy.people import find_people, footprint
    from portal.tenancy.models import Company

    company = db.session.get(Company, 1)
    n = db.session.scalar(select(func.count()).select_from(Card).where(Card.company_id == 1))
    nid, email, name = db.session.execute(select(Card.national_id, Card.holder_email, Card.holder_name)
                                          .where(Card.company_id == 1).order_by(Card.id).offset(n // 2).limit(1)).one()
    for label, q in (("full name", name), ("email", email), ("national id YYYYMMDD-NNNN", f"{nid[:8]}-{nid[8:]}")):
        if not q:
            continue
        cards = timed(lambda q=q: search_cards(company, q), 11)[0]
        found = find_people(company, q)
        figures = timed(lambda q=q: find_people(company, q), 11)
        report(f"find a person: {label} ({len(found)} found, {n:,} cards)", figures, "card search, same words", cards,
               target="p50 < 100 ms", met=figures[0] < 0.1)
    person = find_people(company, f"{nid[:8]}-{nid[8:]}")[0]
    cards = timed(lambda: search_cards(company, nid), 11)[0]
    figures = timed(lambda: footprint(company, person), 11)
    report("a person's footprint (everything held, bounded)", figures, "card search by national id", cards,
           target="p50 < 100 ms", met=figures[0] < 0.1)
