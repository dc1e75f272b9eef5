"""Card search through the trigram index (FTS5 / pg_trgm): parts of names and emails, kept in sync
with the cards; and the Handle cards page costs the same number of SQL statements at any size."""
import pytest
from sqlalchemy import event

from portal.cards.models import Card
from portal.cards.search import search_cards
from portal.catalog.layout import plain_email
from portal.infra.national_ids import _plain_personnummer


@pytest.fixture()
def world(db, make_company, make_user, make_card_type):
    company = make_company("Nordbygg AB")
    admin = make_user(company, role="admin", email="admin@nordbygg.se", name="Anna")
    ct = make_card_type("Site ID")
    return company, admin, ct


def _card(db, company, ct, name, email="", **kw):
    card = Card(company_id=company.id, card_type_id=ct.id, holder_name=name, holder_email=email, status="active", **kw)
    db.session.add(card)
    db.session.commit()
    return card


def test_part_of_a_name_or_an_email_finds_the_card(db, world):
    company, _admin, ct = world
    karin = _card(db, company, ct, "Karin Lindqvist", "karin.lindqvist@storbygg.se")
    _card(db, company, ct, "Per Holm", "per.holm@annat.se")
    for typed in ("ndqvi", "LINDQVIST", "storbygg", "karin.lind"):
        found, _ = search_cards(company, typed)
        assert [c.id for c in found] == [karin.id], typed


def test_the_index_follows_renames_and_anonymisation(db, world):
    company, _admin, ct = world
    card = _card(db, company, ct, "Sven Ek", "sven@x.se")
    card.holder_name = "Sven Ekström"
    db.session.commit()
    assert [c.id for c in search_cards(company, "ekström")[0]] == [card.id]
    card.holder_name, card.holder_email = "", ""
    db.session.commit()
    assert search_cards(company, "ekström")[0] == []
    db.session.delete(card)
    db.session.commit()
    assert search_cards(company, "sven")[0] == []


def test_paging_through_many_matches_is_newest_first_without_repeats(db, world):
    company, _admin, ct = world
    ids = [_card(db, company, ct, f"Andersson {i}").id for i in range(7)]
    seen = []
    for page in range(3):
        cards, more = search_cards(company, "anders", page=page, per_page=3)
        seen += [c.id for c in cards]
        assert more == (page < 2)
    assert seen == sorted(ids, reverse=True)


def _statements(app, client, url):
    n = [0]

    def count(*_a, **_k):
        n[0] += 1

    from portal.infra.extensions import db
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return n[0]


def test_handle_cards_page_costs_the_same_statements_for_3_or_60_cards(app, client, db, world):
    company, admin, ct = world
    for i in range(3):
        _card(db, company, ct, f"Person {i}", orderer_id=admin.id)
    client.login("admin@nordbygg.se")
    few = _statements(app, client, "/admin/cards/?per_page=100")
    for i in range(57):
        _card(db, company, ct, f"Person {i + 3}", orderer_id=admin.id)
    many = _statements(app, client, "/admin/cards/?per_page=100")
    assert few == many


@pytest.mark.parametrize("address", ["Anna.Berg@Example.SE", "a_b+c@sub.example.co.uk", "x@y.se"])
def test_plain_email_check_gives_what_email_validator_gives(address):
    from email_validator import validate_email

    assert plain_email(address) == validate_email(address, check_deliverability=False).normalized


@pytest.mark.parametrize("address", ["a..b@x.se", "a@x.test", "a@xn--bcher-kva.se", "ä@x.se", "a@x"])
def test_unusual_addresses_go_to_the_full_validator(address):
    assert plain_email(address) is None


@pytest.mark.parametrize("typed,expected", [("850101-0006", "198501010006"), ("198501010006", "198501010006"),
                                            ("19850101-0006", "198501010006"), ("8501010006", "198501010006")])
def test_plain_personnummer_matches_the_stdnum_result(typed, expected):
    assert _plain_personnummer(typed) == expected


@pytest.mark.parametrize("typed", ["850101-0007", "851301-0006", "850132-0006"])
def test_plain_personnummer_leaves_invalid_numbers_to_stdnum(typed):
    assert _plain_personnummer(typed) is None


def _sql_of_search(db, company, typed) -> tuple[list, str]:
    seen = []

    def keep(_conn, _cursor, statement, *_a):
        seen.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        found = search_cards(company, typed)[0]
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return found, "\n".join(seen)


@pytest.mark.parametrize("typed", ["850101-0006", "19850101-0006", "198501010006", "8501010006", "850101+0006"])
def test_a_complete_national_id_is_one_lookup_of_that_number(db, world, typed):
    company, _admin, ct = world
    older = _card(db, company, ct, "Åsa Öberg", national_id="188501010006")
    asa = _card(db, company, ct, "Åsa Öberg", national_id="198501010006")
    _card(db, company, ct, "Bo Ek", card_number="198501010006")  # the same digits as another kind of number
    found, sql = _sql_of_search(db, company, typed)
    expected = older if typed.endswith("+0006") else asa  # '+' marks a holder aged 100 or more
    assert [c.id for c in found] == [expected.id]
    assert "card.national_id =" in sql
    assert not [kind for kind in ("card.card_number >=", "card.employee_no >=", "card_fts", "ilike", "lower(")
                if kind in sql]


@pytest.mark.parametrize("typed,field", [("E0500000", "employee_no"), ("e0500000", "employee_no"),
                                         ("04B718FE4E8720", "chip_uid"), ("4700 0050 0001", "card_number")])
def test_codes_are_found_by_their_own_lookups_only(db, world, typed, field):
    company, _admin, ct = world
    card = _card(db, company, ct, "Karin Lindqvist", **{field: typed.replace(" ", "").upper()})
    _card(db, company, ct, "Per Holm")
    found, sql = _sql_of_search(db, company, typed)
    assert [c.id for c in found] == [card.id]
    assert f"card.{field} >=" in sql
    assert not [kind for kind in ("card_fts", "ilike", "lower(") if kind in sql]


def test_a_code_that_matches_no_number_still_finds_an_email_containing_it(db, world):
    company, _admin, ct = world
    card = _card(db, company, ct, "Karin Lindqvist", "e0500000@storbygg.se", employee_no="E1")
    assert [c.id for c in search_cards(company, "e0500000")[0]] == [card.id]
    assert [c.id for c in search_cards(company, "E1")[0]] == [card.id]


@pytest.mark.parametrize("typed", ["Lindqvist", "lindq", "Karin", "karin.l"])
def test_the_orderers_surname_finds_the_cards_they_ordered(db, world, make_user, typed):
    company, _admin, ct = world
    karin = make_user(company, role="orderer", email="karin.l@nordbygg.se", name="Karin Lindqvist")
    ordered = _card(db, company, ct, "Per Holm", orderer_id=karin.id)
    _card(db, company, ct, "Eva Ek", orderer_id=_admin.id)
    found, _ = search_cards(company, typed)
    assert [c.id for c in found] == [ordered.id]


def test_a_page_from_the_newest_cards_is_the_page_the_full_search_gives(db, world, make_user, monkeypatch):
    """Common terms and orderers are looked for among the company's newest cards first (2,000, then 20,000:
    the cost then does not grow with the company); the page must be exactly what searching all of them gives,
    for a term common enough to fill the page there, one that is not, and an orderer."""
    from sqlalchemy import insert

    from portal.cards import search

    company, admin, ct = world
    karin = make_user(company, role="orderer", email="karin.l@nordbygg.se", name="Karin Lindqvist")
    rows = [{"company_id": company.id, "card_type_id": ct.id, "status": "active",
             "holder_name": "Nyström" if i % 10 == 0 else ("Lindgren" if i % 97 == 0 else f"Holm {i}"),
             "holder_email": "", "orderer_id": karin.id if i % 7 == 0 else admin.id} for i in range(3000)]
    db.session.execute(insert(Card), rows)
    db.session.commit()
    everything = {q: [c.id for c in search_cards(company, q, per_page=25)[0]] for q in ("nyström", "lindgren",
                                                                                         "lindq")}
    monkeypatch.setattr(search, "NEWEST_WINDOWS", (200, 2_000))  # small windows: the first ones answer
    assert {q: [c.id for c in search_cards(company, q, per_page=25)[0]] for q in everything} == everything
    newest = sorted((c.id for c in db.session.query(Card).filter(Card.holder_name == "Nyström")), reverse=True)
    assert everything["nyström"] == newest[:25]
    by_karin = sorted((c.id for c in db.session.query(Card).filter(Card.orderer_id == karin.id)), reverse=True)
    assert everything["lindq"] == by_karin[:25]


def test_another_companys_orderer_of_the_same_name_is_not_asked_about(db, world, make_company, make_user):
    """An orderer branch asks only about users of the company (and operators): another company's "Anna" is not
    one of the orderers whose cards are looked up (with her, PostgreSQL read every card of this company)."""
    from portal.cards.search import _by_orderer

    company, admin, ct = world
    other = make_company("Andbygg AB")
    anna_elsewhere = make_user(other, role="orderer", email="anna.berg@andbygg.se", name="Anna Berg")
    mine = _card(db, company, ct, "Per Holm", orderer_id=admin.id)  # ordered by this company's "Anna"
    (_kind, users), _cond = _by_orderer("an", company)
    asked = set(db.session.scalars(users))
    assert admin.id in asked and anna_elsewhere.id not in asked
    assert [c.id for c in search_cards(company, "an")[0]] == [mine.id]
