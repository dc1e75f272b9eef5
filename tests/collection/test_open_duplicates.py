"""Issue 12.4: the database holds "no open duplicate": uploads or pastes of the same addresses at the
same moment (real threads) create each request once and send each email once."""
import threading

import pytest
from sqlalchemy import func, select

from portal.collection.email_list import split_email_list
from portal.collection.models import CollectionRequest
from portal.collection.operations import CollectionError, import_csv, send_requests
from portal.infra.extensions import db as _db
from portal.outbox.models import OutboxEmail

ROWS = 40


def _at_once(app, work, n: int = 3) -> list:
    """Run `work()` in n threads released together; each thread's result or exception."""
    barrier, results, lock = threading.Barrier(n), [], threading.Lock()

    def run():
        with app.app_context():
            barrier.wait()
            try:
                outcome = work()
                _db.session.commit()  # each upload is a request of its own: it commits once
            except Exception as exc:  # noqa: BLE001 - the test looks at what each upload answered
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


def _count(model) -> int:
    _db.session.expire_all()
    return _db.session.scalar(select(func.count()).select_from(model))


def test_the_same_csv_uploaded_three_times_at_once_creates_each_request_once(app, db, collect):
    company, orderer, ct, _ = collect
    ids = company.id, orderer.id, ct.id
    data = ("EMAIL,First name,Last name\n" + "".join(f"P{i}@x.se,P{i},Q\n" for i in range(ROWS))).encode()

    def upload():
        from portal.catalog.models import CardType
        from portal.tenancy.models import Company, User

        return import_csv(_db.session.get(Company, ids[0]), _db.session.get(User, ids[1]),
                          _db.session.get(CardType, ids[2]), data, collect_by_email=True)

    outcomes = _at_once(app, upload)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(o.created for o in outcomes) == [0, 0, ROWS]
    for refused in (o for o in outcomes if not o.created):
        # The later uploads say which rows are duplicates, on the file's own lines; nothing of them is stored.
        assert len(refused.errors) == ROWS and refused.batch is None
        assert {(e.line, e.column, e.reason) for e in refused.errors} == {
            (i + 2, "EMAIL", "already has an open request.") for i in range(ROWS)}
    assert _count(CollectionRequest) == ROWS
    assert _count(OutboxEmail) == ROWS  # one email per person, not one per upload


def test_the_same_paste_sent_twice_at_once_creates_each_request_once(app, db, collect):
    company, orderer, ct, _ = collect
    ids = company.id, orderer.id, ct.id
    text = ", ".join(f"p{i}@x.se" for i in range(ROWS))

    def paste():
        from portal.catalog.models import CardType
        from portal.tenancy.models import Company, User

        return send_requests(_db.session.get(Company, ids[0]), _db.session.get(User, ids[1]),
                             _db.session.get(CardType, ids[2]), split_email_list(text).valid)

    outcomes = _at_once(app, paste)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 2 and all(isinstance(o, CollectionError) for o in refused), outcomes
    assert "already have an open request" in str(refused[0])
    assert _count(CollectionRequest) == ROWS and _count(OutboxEmail) == ROWS


def test_the_index_refuses_a_second_open_request_written_directly(db, collect):
    """The rule holds whatever code path writes: the database itself refuses the duplicate."""
    from sqlalchemy.exc import IntegrityError

    company, orderer, ct, _ = collect
    send_requests(company, orderer, ct, split_email_list("Anna@X.se").valid)
    db.session.add(CollectionRequest(company_id=company.id, card_type_id=ct.id, email="anna@x.se"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Rows without an email (an import for review only) are never duplicates of each other.
    for _ in range(2):
        db.session.add(CollectionRequest(company_id=company.id, card_type_id=ct.id, email="", status="in_review"))
    db.session.commit()


def test_a_second_paste_of_an_open_address_is_refused_on_the_page(client, db, collect):
    company, orderer, ct, _ = collect
    client.login(orderer.email)
    form = {"card_type_id": ct.id, "emails": "anna@x.se"}
    assert client.post("/admin/collection/send", form).status_code == 302
    again = client.post("/admin/collection/send", {**form, "emails": "ANNA@x.se, bo@x.se"})
    assert again.status_code == 400 and "already have an open request" in again.get_data(as_text=True)
    assert _count(CollectionRequest) == 1
