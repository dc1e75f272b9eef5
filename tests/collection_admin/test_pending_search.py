"""Data collection > Pending: the search finds a request by its email (whole or its start) or by part of
the name, newest first, only among the company's waiting requests; pages need no count of every match."""
from __future__ import annotations

from portal.collection.models import CollectionRequest
from portal.collection.pending import pending_page
from tests.conftest import html_text


def _request(db, company, ct, email: str, name: str = "", status: str = "pending") -> CollectionRequest:
    req = CollectionRequest(company_id=company.id, card_type_id=ct.id, email=email, name=name, status=status)
    db.session.add(req)
    db.session.flush()
    return req


def _world(db, collect, make_company):
    company, orderer, ct, _addr = collect
    other = make_company("Söderbygg AB")
    _request(db, company, ct, "osten.nystrom@nordbygg.se", "Östen Nyström")
    _request(db, company, ct, "marta.akesson@nordbygg.se", "Märta Åkesson", status="rejected")
    _request(db, company, ct, "astrid@nordbygg.se", "Astrid Lindgren")
    _request(db, company, ct, "done@nordbygg.se", "Östen Klar", status="in_review")  # not waiting
    _request(db, other, ct, "osten.nystrom@soderbygg.se", "Östen Nyström")
    db.session.commit()
    return company, other, orderer


def _emails(company, q: str = "", **kw) -> list[str]:
    return [r.email for r in pending_page(company, q, **kw)[0]]


def test_the_pending_search_finds_what_a_person_types(db, collect, make_company):
    company, _other, _orderer = _world(db, collect, make_company)
    assert _emails(company) == ["astrid@nordbygg.se", "marta.akesson@nordbygg.se", "osten.nystrom@nordbygg.se"]
    assert _emails(company, "astrid@nordbygg.se") == ["astrid@nordbygg.se"]  # a whole email
    assert _emails(company, "Marta.Ak") == ["marta.akesson@nordbygg.se"]  # its start, any case
    assert _emails(company, "nyström") == ["osten.nystrom@nordbygg.se"]  # part of the name
    assert _emails(company, "ndgre") == ["astrid@nordbygg.se"]  # the middle of a name
    assert _emails(company, "nordbygg") == ["astrid@nordbygg.se", "marta.akesson@nordbygg.se",
                                            "osten.nystrom@nordbygg.se"]  # the domain
    assert _emails(company, "Å") == ["marta.akesson@nordbygg.se"]  # one letter: a word of the name starts so
    assert _emails(company, "klar") == []  # in review: not pending


def test_the_pending_search_stays_in_the_company(db, collect, make_company):
    company, other, _orderer = _world(db, collect, make_company)
    assert _emails(company, "soderbygg") == []
    assert _emails(other, "nyström") == ["osten.nystrom@soderbygg.se"]


def test_the_pending_tab_pages_search_results_without_a_count(client, db, collect, make_company):
    company, _other, orderer = _world(db, collect, make_company)
    for n in range(30):
        _request(db, company, collect[2], f"worker{n:02d}@bygg.se", f"Worker {n}")
    db.session.commit()
    rows, more = pending_page(company, "@bygg.se", per_page=25)
    assert len(rows) == 25 and more and rows[0].email == "worker29@bygg.se"
    client.login(orderer.email)
    first = html_text(client.get("/admin/collection/pending?q=%40bygg.se"))
    assert first.count("@bygg.se") == 25 and "More than 25 pending requests match." in first
    second = html_text(client.get("/admin/collection/pending?q=%40bygg.se&page=1"))
    assert second.count("@bygg.se") == 5 and "30 pending requests" in second
    assert "33 pending requests" in html_text(client.get("/admin/collection/pending?page=1"))
