"""Order history's search finds what a person types (an order number or its start, a reference, part
of the orderer's name or email, part of a holder's name), newest first, and only the company's own."""
from __future__ import annotations

from datetime import timedelta

from portal.infra.db_types import utcnow
from portal.ordering.history import search_orders
from portal.ordering.models import Order, OrderLine
from tests.conftest import html_text


def _order(db, company, orderer, number: str, holder: str, reference: str = "", minutes_ago: int = 0) -> Order:
    when = utcnow() - timedelta(minutes=minutes_ago)
    order = Order(company_id=company.id, number=number, status="delivered", orderer_id=orderer.id,
                  reference=reference, placed_at=when, last_activity_at=when)
    db.session.add(order)
    db.session.flush()
    db.session.add(OrderLine(order_id=order.id, description="Site ID", holder_name=holder))
    return order


def _world(db, make_company, make_user):
    mine, other = make_company("Nordbygg AB"), make_company("Söderbygg AB")
    karin = make_user(mine, email="karin.lindqvist@nordbygg.se", name="Karin Lindqvist")
    olle = make_user(mine, email="olle@nordbygg.se", name="Olle Berg")
    stranger = make_user(other, email="karin.lindqvist@soderbygg.se", name="Karin Lindqvist")
    _order(db, mine, karin, "CW-2026-00117", "Östen Nyström", "PO-7781", minutes_ago=30)
    _order(db, mine, olle, "CW-2026-00118", "Märta Åkesson", "Lager 3", minutes_ago=20)
    _order(db, mine, olle, "CW-2026-00231", "Astrid Lindgren", "", minutes_ago=10)
    _order(db, other, stranger, "CW-2026-00119", "Östen Nyström", "PO-7781", minutes_ago=5)
    db.session.commit()
    return mine, other, karin


def _numbers(company, q: str, **kw) -> list[str]:
    return [o.number for o in search_orders(company, q, **kw)[0]]


def test_the_search_finds_what_a_person_types_newest_first(db, make_company, make_user):
    mine, other, _karin = _world(db, make_company, make_user)
    assert _numbers(mine, "CW-2026-00117") == ["CW-2026-00117"]  # the whole number
    assert _numbers(mine, "cw-2026-001") == ["CW-2026-00118", "CW-2026-00117"]  # its start, any case
    assert _numbers(mine, "PO-77") == ["CW-2026-00117"]  # a reference
    assert _numbers(mine, "lindq") == ["CW-2026-00117"]  # part of the orderer's surname
    assert _numbers(mine, "olle@nordbygg.se") == ["CW-2026-00231", "CW-2026-00118"]  # the orderer's email
    assert _numbers(mine, "nyström") == ["CW-2026-00117"]  # part of a holder's name
    assert _numbers(mine, "ndgre") == ["CW-2026-00231"]  # the middle of a holder's name
    assert _numbers(mine, "Åk") == ["CW-2026-00118"]  # two letters: a word of a holder's name starts so
    assert _numbers(mine, "zzqx") == []


def test_the_search_stays_in_the_company(db, make_company, make_user):
    mine, other, _karin = _world(db, make_company, make_user)
    assert "CW-2026-00119" not in _numbers(mine, "CW-2026")
    assert _numbers(other, "nyström") == ["CW-2026-00119"]
    assert _numbers(other, "Lager") == [] and _numbers(other, "olle") == []


def test_the_search_pages_without_counting_every_match(db, make_company, make_user):
    mine, _other, karin = _world(db, make_company, make_user)
    for n in range(30):
        _order(db, mine, karin, f"CW-2027-{n:05d}", f"Holder {n}", minutes_ago=-n)
    db.session.commit()
    first, more = search_orders(mine, "CW-2027", per_page=25)
    assert [o.number for o in first][:2] == ["CW-2027-00029", "CW-2027-00028"] and len(first) == 25 and more
    second, more = search_orders(mine, "CW-2027", page=1, per_page=25)
    assert len(second) == 5 and not more


def test_the_order_history_screen_searches_with_the_same_rules(client, db, make_company, make_user):
    mine, _other, karin = _world(db, make_company, make_user)
    client.login(karin.email)
    page = html_text(client.get("/admin/orders/?search=ndgre"))
    assert "CW-2026-00231" in page and "CW-2026-00117" not in page
    page = html_text(client.get("/admin/orders/?search=cw-2026"))
    assert "CW-2026-00117" in page and "CW-2026-00231" in page and "CW-2026-00119" not in page
    first = html_text(client.get("/admin/orders/"))
    assert first.index("CW-2026-00231") < first.index("CW-2026-00117")  # newest first


def test_an_orderers_orders_are_the_same_from_the_newest_orders_as_from_all(db, make_company, make_user,
                                                                             monkeypatch):
    """An active orderer's orders are found among the company's newest orders (the cost does not grow with
    the company); when the window holds too few, all of the orderer's orders: the page is the same."""
    from portal.ordering import history

    mine, _other, karin = _world(db, make_company, make_user)
    olle = next(u for u in (m.user for m in mine.memberships) if u.name == "Olle Berg")
    for i in range(30):
        _order(db, mine, olle if i % 3 else karin, f"CW-2026-1{i:04d}", f"Holder {i}", minutes_ago=i)
    db.session.commit()
    full = {q: _numbers(mine, q, per_page=5) for q in ("olle", "lindq")}
    monkeypatch.setattr(history, "ORDERER_WINDOW", 8)  # a window that holds a page of Olle's, not of Karin's
    assert {q: _numbers(mine, q, per_page=5) for q in full} == full
    assert full["olle"] == ["CW-2026-10029", "CW-2026-10028", "CW-2026-10026", "CW-2026-10025", "CW-2026-10023"]
