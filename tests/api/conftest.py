"""API fixtures: a company with cards, and keys made the way a script makes them (the CLI)."""
from __future__ import annotations

import threading

import pytest

from portal.cards.models import Card


@pytest.fixture()
def api_world(db, make_company, make_card_type, make_user):
    acme, other = make_company("Acme Bygg AB"), make_company("Other AB")
    admin = make_user(acme, role="admin", email="admin@acme.example")
    ct = make_card_type()
    cards = []
    for i, name in enumerate(["Anna Berg", "Bo Ek", "Cecilia Dahl", "David Ås", "Eva Lind"]):
        cards.append(Card(company_id=acme.id, card_type_id=ct.id, holder_name=name, holder_email=f"p{i}@acme.example",
                          national_id=f"19900101{i:04d}", employee_no=f"E{i:03d}", card_number=f"4700000{i:03d}",
                          status="active"))
    theirs = Card(company_id=other.id, card_type_id=ct.id, holder_name="Olle Annan", status="active")
    db.session.add_all([*cards, theirs])
    db.session.commit()
    return {"acme": acme, "other": other, "admin": admin, "card_type": ct, "cards": cards, "theirs": theirs}


@pytest.fixture()
def make_key(runner):
    def make(company, scopes="read", name="HR system") -> dict:
        result = runner.invoke(args=["api-key", "create", "--company", str(company.id), "--scopes", scopes,
                                     "--name", name])
        assert result.exit_code == 0, result.output
        return {"Authorization": f"Bearer {result.output.strip()}"}
    return make


@pytest.fixture()
def api(app, db):
    """A plain HTTP client for the API (no session, no CSRF token: keys only)."""
    return app.test_client()


def at_the_same_moment(app, send, times: int = 4) -> list:
    """The answers of `send(client)` run by `times` threads released together, each with its own client and
    connection."""
    start, answers = threading.Barrier(times), []

    def run():
        client = app.test_client()
        start.wait()
        with app.app_context():
            answers.append(send(client))

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers
