"""Replace card pressed twice at the same moment (two tabs, two people): one replacement, one card in a cart,
the other told; on PostgreSQL with real threads (TEST_DATABASE_URL), on SQLite as well."""
import threading

from sqlalchemy import func, select

from portal.cards.models import Card, CardStatusEvent
from portal.cards.status import CardError
from portal.infra.extensions import db as _db
from portal.ordering.models import CartItem
from portal.renewal.operations import replace_card


def _at_once(app, work, n: int) -> list:
    barrier, results, lock = threading.Barrier(n), [], threading.Lock()

    def run():
        with app.app_context():
            barrier.wait()
            try:
                outcome = work()
                _db.session.commit()  # each click is a request of its own: it commits once
            except Exception as exc:  # noqa: BLE001 - the test looks at what each click answered
                _db.session.rollback()
                outcome = exc
            with lock:
                results.append(outcome)
            _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_replacing_a_lost_card_twice_at_once_starts_one_replacement(app, db, make_company, make_user,
                                                                     make_card_type):
    company = make_company("Nordbygg AB")
    users = [make_user(company, role="admin") for _ in range(3)]
    ct = make_card_type("Site ID", fields=[("first_name", "First name", "text", True),
                                           ("last_name", "Last name", "text", True)])
    card = Card(company_id=company.id, card_type_id=ct.id, holder_name="Åsa Öberg", status="active",
                holder_data={"first_name": "Åsa", "last_name": "Öberg"})
    db.session.add(card)
    db.session.commit()
    ids = company.id, card.id
    user_ids = iter([u.id for u in users])

    def click():
        from portal.tenancy.models import Company, User

        user = _db.session.get(User, next(user_ids))
        return replace_card(_db.session.get(Company, ids[0]), user, _db.session.get(Card, ids[1]), "lost")

    outcomes = _at_once(app, click, 3)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 2 and all(isinstance(o, CardError) for o in refused), outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CartItem)) == 1
    assert db.session.get(Card, card.id).status == "blocked"
    blocked = db.session.scalars(select(CardStatusEvent.reason).where(CardStatusEvent.card_id == card.id,
                                                                     CardStatusEvent.to_status == "blocked")).all()
    assert blocked == ["Lost"]  # blocked once, not once per click
